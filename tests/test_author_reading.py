"""Issue 17: trafilatura's author heuristics read on the page itself (no pruned copy of the whole page) find what
they find on trafilatura's pruned copy."""

from __future__ import annotations

import copy

import pytest
from trafilatura.xpaths import AUTHOR_DISCARD_XPATHS

from conftest import benchmark_pages
from crawler.extraction import authors
from crawler.extraction.page import parse_page

CASES = {
    # the byline's parent holds a <time> (pruned in trafilatura's copy, its tail kept)
    "time beside": "<div class=meta><span class=author>By Ann Lee</span><time>12 Aug</time> in Oslo</div>",
    "time inside": "<p class=byline>By Ann Lee <time>12 Aug 2024</time> and Bo Chen</p>",
    # a find inside what trafilatura discards is passed over
    "in a figure": "<figure><span class=author>Photo Person</span></figure><div class=author>Ann Lee</div>",
    "in a sidebar": "<div class=sidebar><a rel=author href=/x>Side Person</a></div><p class=byline>Ann Lee</p>",
    "quote inside": "<div class=author>Ann Lee<span class=quote>said so</span> reports</div>",
    "site credit": "<div><span class=author>Developed by WebCo</span></div>",
    "none": "<p>No byline here</p>",
}


@pytest.mark.parametrize(
    "html", [f"<html><body><article>{body}</article></body></html>" for body in CASES.values()] + benchmark_pages(40)
)
def test_the_reading_on_the_page_finds_what_the_pruned_copy_finds(html: str) -> None:
    page = parse_page(html, "https://news.example/a")
    assert authors._trafilatura_author(page) == authors._trafilatura_author_on_copy(page)


def test_the_cases_read_as_trafilatura_would() -> None:
    found = {
        name: authors._trafilatura_author(parse_page(f"<html><body>{body}</body></html>", "https://news.example/a"))
        for name, body in CASES.items()
    }
    assert found["time beside"] == "Ann Lee"
    assert found["in a figure"] == "Ann Lee"
    assert found["quote inside"] == "Ann Lee reports"  # the quote pruned, its tail kept
    assert found["in a sidebar"] == "Ann Lee"
    assert found["site credit"] is None and found["none"] is None


def test_the_whole_page_is_not_copied(monkeypatch: pytest.MonkeyPatch) -> None:
    page = parse_page(f"<html><body><article>{''.join(CASES.values())}</article></body></html>", "https://e.x/a")
    copied: list[str] = []
    real = copy.deepcopy

    def spy(node, *args):  # type: ignore[no-untyped-def]
        copied.append(node.tag)
        return real(node, *args)

    monkeypatch.setattr(authors.copy, "deepcopy", spy)
    authors._trafilatura_author(page)
    assert "html" not in copied


def test_the_discarded_tags_are_trafilaturas() -> None:
    assert AUTHOR_DISCARD_XPATHS[1].path == "|".join(f"//{tag}" for tag in authors.AUTHOR_DISCARD_TAGS)
