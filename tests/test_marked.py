"""crawler.extraction.marked: the one walk the field readers share finds what their own scans found."""

from __future__ import annotations

import gzip
import json

import pytest

from conftest import SHARED
from crawler.extraction.marked import MARKED_TAGS, marked, tagged
from crawler.extraction.page import parse_page

PAGE = (
    "<html><head><link rel=canonical href=/a><title>T</title></head><body class=b><!-- c --><header><h1>Site</h1>"
    "</header><article itemscope><h1 class=headline>Headline</h1><time datetime='2024-08-12'>12 Aug</time>"
    "<span itemprop=datePublished content=2024-08-12></span><a rel=author href=/author/ann>Ann</a><p>Text</p>"
    "<figure><img src=x.jpg data-caption='A caption'><figcaption>A caption</figcaption></figure></article>"
    "<?pi x?></body></html>"
)
MARKED = "//*[@class or @itemprop or @rel or " + " or ".join(f"self::{tag}" for tag in sorted(MARKED_TAGS)) + "]"


def benchmark_pages(limit: int = 25) -> list[str]:
    truth = SHARED / "benchmarks" / "fundus-dev" / "truth.jsonl"
    if not truth.exists():
        return []
    records = [json.loads(line) for line in truth.read_text(encoding="utf-8").splitlines() if line][:limit]
    return [gzip.decompress((truth.parent / r["file"]).read_bytes()).decode("utf-8", "replace") for r in records]


@pytest.mark.parametrize("html", [PAGE, *benchmark_pages()])
def test_the_walk_finds_what_xpath_finds(html):
    page = parse_page(html, "https://news.example/a")
    found = marked(page)
    assert [node for node, *_ in found] == page.tree.xpath(MARKED)
    assert all(
        (tag, classes, itemprop) == (n.tag, n.get("class"), n.get("itemprop")) for n, tag, classes, itemprop in found
    )
    for tag in MARKED_TAGS:
        assert tagged(page, tag) == page.tree.xpath(f"//{tag}")


def test_the_walk_is_done_once_per_page():
    page = parse_page(PAGE, "https://news.example/a")
    assert marked(page) is marked(page)
    assert tagged(page, "h1") is tagged(page, "h1")
    assert [node.text_content() for node in tagged(page, "h1")] == ["Site", "Headline"]
