"""crawler.extraction.marked: the one walk the field readers share finds what their own scans found."""

from __future__ import annotations

import pytest
from lxml.cssselect import CSSSelector

from conftest import benchmark_pages
from crawler.extraction.authors import AUTHOR_HREF_PARTS, _author_page_links
from crawler.extraction.captions import _caption_class, _caption_classes
from crawler.extraction.marked import MARKED_TAGS, marked, tagged, with_itemprop
from crawler.extraction.metadata import _breadcrumbs
from crawler.extraction.page import parse_page

PAGE = (
    "<html><head><link rel=canonical href=/a><title>T</title></head><body class=b><!-- c --><header><h1>Site</h1>"
    "</header><article itemscope><h1 class=headline>Headline</h1><time datetime='2024-08-12'>12 Aug</time>"
    "<span itemprop=datePublished content=2024-08-12></span><a rel=author href=/author/ann>Ann</a><p>Text</p>"
    "<figure><img src=x.jpg data-caption='A caption'><figcaption>A caption</figcaption></figure></article>"
    "<?pi x?></body></html>"
)
MARKED = "//*[@class or @itemprop or @rel or " + " or ".join(f"self::{tag}" for tag in sorted(MARKED_TAGS)) + "]"


@pytest.mark.parametrize("html", [PAGE, *benchmark_pages(25)])
def test_the_walk_finds_what_xpath_finds(html):
    page = parse_page(html, "https://news.example/a")
    found = marked(page)
    assert [node for node, *_ in found] == page.tree.xpath(MARKED)
    assert all(
        (tag, classes, itemprop) == (n.tag, n.get("class"), n.get("itemprop")) for n, tag, classes, itemprop in found
    )
    for tag in MARKED_TAGS:
        assert tagged(page, tag) == page.tree.xpath(f"//{tag}")
    assert with_itemprop(page) == [(node, node.get("itemprop")) for node in page.tree.xpath("//*[@itemprop]")]


def test_the_walk_is_done_once_per_page():
    page = parse_page(PAGE, "https://news.example/a")
    assert marked(page) is marked(page)
    assert tagged(page, "h1") is tagged(page, "h1")
    assert [node.text_content() for node in tagged(page, "h1")] == ["Site", "Headline"]


@pytest.mark.parametrize("html", [PAGE, *benchmark_pages(25)])
def test_readers_filtering_the_walk_find_what_their_selectors_found(html):
    """Breadcrumbs, author-page links and caption class names, found without a scan of their own."""
    page = parse_page(html, "https://news.example/a")
    css = CSSSelector("[class*=breadcrumb], nav[aria-label*=readcrumb]", translator="html")
    assert _breadcrumbs(page) == css(page.tree)
    hrefs = " or ".join(f"contains(@href, '{part}')" for part in AUTHOR_HREF_PARTS)
    assert _author_page_links(page) == page.tree.xpath(f"//a[{hrefs}]")
    values = {node.get("class") for node in page.tree.iter() if node.get("class")}
    assert _caption_classes(values) == {value for value in values if _caption_class(value)}


def test_caption_class_names_are_found_in_any_value():
    values = {"wp-caption-text", "Image-Info x", "teaser caption", "photo-credit caption", "a\x00caption", "nav"}
    assert _caption_classes(values) == {"wp-caption-text", "Image-Info x", "a\x00caption"}
    assert _caption_classes(values - {"a\x00caption"}) == {"wp-caption-text", "Image-Info x"}
