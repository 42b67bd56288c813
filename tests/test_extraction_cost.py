"""Issue 17: the body's cost. trafilatura reads the article's container alone, with its main extractor, and the
whole page with its fallbacks only when that reading is short; the record is the same either way."""

from __future__ import annotations

from typing import Any

import pytest
import trafilatura

from crawler.extraction import body, extract
from crawler.extraction.page import parse_page
from crawler.items import Article

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
    """Every call extraction makes to trafilatura: how many elements the tree it is handed has, and whether its
    fallbacks run (the call itself goes through)."""
    calls: list[dict[str, Any]] = []
    real = trafilatura.bare_extraction

    def spy(tree: Any, *args: Any, **kwargs: Any) -> Any:
        options = kwargs.get("options")
        fast = options.fast if options is not None else kwargs.get("fast", False)
        calls.append({"elements": sum(1 for _ in tree.iter()), "fast": fast})
        return real(tree, *args, **kwargs)

    monkeypatch.setattr(body.trafilatura, "bare_extraction", spy)
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
    assert trafilatura_calls[0]["fast"] is True
    assert trafilatura_calls[0]["elements"] < page_elements / 4


def test_a_short_reading_of_the_container_falls_back_to_the_page(trafilatura_calls: list[dict[str, Any]]) -> None:
    # a news flash: its container's reading is short, so the whole page is read, with trafilatura's fallbacks
    article = "<div><p>" + "</p><p>".join(PARAGRAPHS[:2]) + "</p></div>"
    result = extract(_page(article), "https://news.example/2026/05/tram")
    assert isinstance(result, Article)
    assert result.body.split("\n") == PARAGRAPHS[:2]
    assert [call["fast"] for call in trafilatura_calls][-1] is False
    assert max(call["elements"] for call in trafilatura_calls) > 300  # the page itself, menu and footer included
