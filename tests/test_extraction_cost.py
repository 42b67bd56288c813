"""Issue 17: the body's cost. trafilatura reads the article's container alone, with its main extractor, and the
whole page with its fallbacks only when that reading is short; the record is the same either way."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import trafilatura

from conftest import benchmark_pages
from crawler.extraction import body, extract
from crawler.extraction import page as page_module
from crawler.extraction.page import parse_page
from crawler.items import Article, NotArticle

PARAGRAPHS = [
    f"Paragraph {i} of the story tells what the city council decided on the new tram line, who voted for it, "
    f"what it costs and when the first trams are to run between the station and the university campus."
    for i in range(1, 9)
]
MENU = "".join(f'<li><a href="/section/{i}">Section number {i} of the site</a></li>' for i in range(150))
FOOTER = "".join(f'<p><a href="/more/{i}">Another story with a long teaser headline {i}</a></p>' for i in range(60))


def _page(article: str) -> str:
    return (
        "<html><head><title>Council approves tram line | Example News</title>"
        '<meta property="og:title" content="Council approves tram line"></head>'
        f"<body><nav><ul>{MENU}</ul></nav><main><h1>Council approves tram line</h1>{article}</main>"
        f"<footer>{FOOTER}</footer></body></html>"
    )


@pytest.fixture
def trafilatura_calls(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Every reading of trafilatura's the body makes: how many elements the tree it is handed has, whether its
    fallbacks and its recall retry run and the nodes it is told to prune (the reading itself goes through)."""
    calls: list[dict[str, Any]] = []
    real = body._trafilatura_text

    def spy(tree: Callable[[], Any], url: str, prune: str | None, fallbacks: bool = False, retry: bool = False) -> str:
        read = tree()
        pruned = read.xpath(prune) if prune else []
        elements = sum(1 for _ in read.iter())
        calls.append({"elements": elements, "fallbacks": fallbacks, "retry": retry, "pruned": pruned})
        return real(tree, url, prune, fallbacks, retry)

    monkeypatch.setattr(body, "_trafilatura_text", spy)
    return calls


def test_trafilatura_reads_the_article_container_alone(trafilatura_calls: list[dict[str, Any]]) -> None:
    article = "<article><div class='story'>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + "</div></article>"
    html = _page(article)
    result = extract(html, "https://news.example/2026/05/tram")
    assert isinstance(result, Article)
    assert result.body.split("\n") == PARAGRAPHS
    page_elements = sum(1 for _ in parse_page(html, "https://news.example/").tree.iter())
    # one reading, of the story's container (the menu and footer are most of the page), without the fallbacks
    assert len(trafilatura_calls) == 1
    assert trafilatura_calls[0]["fallbacks"] is False
    assert trafilatura_calls[0]["elements"] < page_elements / 4


def test_a_short_reading_of_the_container_falls_back_to_the_page(trafilatura_calls: list[dict[str, Any]]) -> None:
    # a news flash: its container's reading is short, so the whole page is read, with trafilatura's fallbacks but
    # not its recall retry (the story is short, not missed)
    article = "<div><p>" + "</p><p>".join(PARAGRAPHS[:2]) + "</p></div>"
    result = extract(_page(article), "https://news.example/2026/05/tram")
    assert isinstance(result, Article)
    assert result.body.split("\n") == PARAGRAPHS[:2]
    assert [(call["fallbacks"], call["retry"]) for call in trafilatura_calls] == [(False, False), (True, False)]
    assert max(call["elements"] for call in trafilatura_calls) > 300  # the page itself, menu and footer included


def test_a_short_reading_of_a_page_without_container_gets_every_fallback(
    trafilatura_calls: list[dict[str, Any]],
) -> None:
    # no container, and trafilatura's main extractor reads little of the page: everything trafilatura has is tried
    story = "".join(f"<div>{p}</div>" for p in PARAGRAPHS[:2])
    extract(_page(story), "https://news.example/2026/05/tram")
    assert [(call["fallbacks"], call["retry"]) for call in trafilatura_calls] == [(False, False), (True, True)]


FIXTURE_ARTICLES = sorted((Path(__file__).parents[1] / "crawler" / "demo" / "sites").glob("*/news/*.html"))


@pytest.mark.parametrize("html", [path.read_text(encoding="utf-8") for path in FIXTURE_ARTICLES] + benchmark_pages(30))
def test_the_body_reads_what_trafilatura_reads(html: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # the body runs trafilatura's steps itself, its recall retry aside: with that retry off, trafilatura's own
    # bare_extraction reads the same text, with and without its fallbacks (a check on the steps, whatever the
    # version of trafilatura installed)
    monkeypatch.setattr(trafilatura.core, "ESCALATION_MAX_LENGTH", 0)
    url = "https://news.example/2026/05/story"
    page = parse_page(html, url)
    for fallbacks in (False, True):
        options = copy.copy(body.TRAFILATURA_OPTIONS[not fallbacks])
        options.url = options.source = url
        expected = trafilatura.bare_extraction(page.tree, prune_xpath=[body.NOT_CONTENT], options=options)
        read = body._trafilatura_text(lambda: copy.copy(page.tree), url, body.NOT_CONTENT, fallbacks)
        assert read == (expected.text if expected is not None else "")


def _story_page() -> str:
    story = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    return _page(
        "<script>var tracking = 'not the story';</script><style>p { color: red }</style>"
        f'<article><div class="story">{story}<div class="share-buttons"><a href="/s">Share</a></div></div></article>'
    )


def test_a_utf8_page_reaches_the_parser_as_its_own_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    # most pages are UTF-8 with nothing to clean: parsed from the bytes fetched, not from a second encoding of them
    handed: list[Any] = []
    real = page_module.lxml_html.document_fromstring

    def spy(markup: Any, *args: Any, **kwargs: Any) -> Any:
        handed.append(markup)
        return real(markup, *args, **kwargs)

    monkeypatch.setattr(page_module.lxml_html, "document_fromstring", spy)
    data = _story_page().encode("utf-8")
    page = parse_page(data, "https://news.example/2026/05/tram")
    assert handed[-1] is data
    assert page.text == data.decode("utf-8")
    assert page.meta["og:title"] == ["Council approves tram line"]


@pytest.mark.parametrize(
    "dirt",
    ['<?xml version="1.0" encoding="utf-8"?>\n', "\x0b", "&#27;", "\ufffe", "\uffff"],
    ids=["xml-declaration", "control-character", "control-reference", "fffe", "ffff"],
)
def test_a_page_with_what_xml_refuses_is_parsed_without_it(dirt: str) -> None:
    # the bytes are not parsed as they are: the same page without the dirt is
    clean = _story_page()
    dirty = dirt + clean if "xml" in dirt else clean.replace("tram line", f"tram{dirt} line", 1)
    page, expected = parse_page(dirty.encode("utf-8"), "https://a/"), parse_page(clean, "https://a/")
    assert page.text == (dirty if "xml" in dirt else clean)  # the text keeps a declaration, not what XML refuses
    assert page.tree.findtext(".//title") == expected.tree.findtext(".//title")
    assert "".join(page.tree.find("body").itertext()) == "".join(expected.tree.find("body").itertext())


def test_the_page_visible_text_is_counted_only_for_a_block_big_beside_the_container() -> None:
    # the share buttons are a few words of a container of eight paragraphs: no walk of the whole page is needed
    page = parse_page(_story_page(), "https://news.example/2026/05/tram")
    assert body.extract_body_lines(page) == PARAGRAPHS
    assert "visible_chars" not in page.derived


def test_containers_and_standfirst_are_looked_up_only_when_the_body_may_lack_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the body holds all the paragraph text of the page and the description (its first paragraph): neither the article
    # containers (for paragraphs trafilatura missed) nor the description's block are searched for
    looked_up: list[str] = []
    monkeypatch.setattr(body, "_containers", lambda page: looked_up.append("containers") or [])
    real = body.TEXT_CONTAINING
    monkeypatch.setattr(body, "TEXT_CONTAINING", lambda *a, **k: looked_up.append("standfirst") or real(*a, **k))
    html = _story_page().replace(FOOTER, "")  # no paragraphs of teasers
    html = html.replace("</head>", f'<meta name="description" content="{PARAGRAPHS[0]}"></head>')
    result = extract(html, "https://news.example/2026/05/tram")
    assert isinstance(result, Article)
    assert result.body.split("\n") == PARAGRAPHS
    assert looked_up == []


def test_the_whole_page_is_read_without_its_scripts_and_styles(trafilatura_calls: list[dict[str, Any]]) -> None:
    # no article container: trafilatura reads the page, pruned of the scripts and styles it would delete itself;
    # the JSON-LD (where trafilatura finds an articleBody) stays
    story = "".join(f"<div>{p}<br><br></div>" for p in PARAGRAPHS)
    ld = '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Council approves tram line"}'
    html = _page(f"{ld}</script><script>var x = 1;</script><style>div {{ margin: 0 }}</style>{story}")
    result = extract(html, "https://news.example/2026/05/tram")
    assert isinstance(result, Article)
    pruned = trafilatura_calls[0]["pruned"]
    assert {"script", "style"} <= {node.tag for node in pruned if isinstance(node.tag, str)}
    assert not any(node.tag == "script" and "ld+json" in (node.get("type") or "") for node in pruned)


def test_a_reading_trafilatura_gives_up_on_reads_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    # bare_extraction returns nothing when its steps raise TypeError or ValueError; the body's own run of those steps
    # does the same, and the page is still read (its container's reading is empty: the whole page is read next)
    def gives_up(*args: Any, **kwargs: Any) -> Any:
        raise ValueError("a tree trafilatura cannot read")

    monkeypatch.setattr(body, "extract_content", gives_up)
    page = parse_page(_story_page(), "https://news.example/2026/05/tram")
    assert body._trafilatura_text(lambda: copy.copy(page.tree), page.url, None) == ""
    result = extract(_story_page(), "https://news.example/2026/05/tram")
    assert not (isinstance(result, NotArticle) and "extraction failed" in result.reason)
