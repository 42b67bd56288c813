"""trafilatura's XPaths with EXSLT regular expressions, guarded by a test of the attribute: the same elements."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree
from trafilatura import xpaths

from conftest import benchmark_pages
from crawler.extraction.page import parse_page
from crawler.extraction.regexpaths import by_name, guarded, guarded_xpaths, needed_texts

GUARDED = [
    *xpaths.AUTHOR_XPATHS,
    *xpaths.AUTHOR_DISCARD_XPATHS,
    *xpaths.RAW_TREE_PRUNE_XPATH,
    *xpaths.REMOVE_COMMENTS_AND_LISTS_XPATH,
    *xpaths.BODY_XPATH,
    *xpaths.OVERALL_DISCARD_XPATH,
]
PAGE = """<html><body>
<div class="author-name">Ann Lee</div><div id="Comments">3 comments</div><span class="">empty class</span>
<div class="comment-list"><p>a reader</p></div><ol class="commentlist"><li>x</li></ol><p id="author">Bo</p>
<section class="article-body"><p>The story.</p></section><aside class="sidebar">more</aside><div>plain</div>
</body></html>"""
PAGES = [
    PAGE,
    *(
        p.read_text(encoding="utf-8")
        for p in sorted((Path(__file__).parents[1] / "crawler" / "demo" / "sites").glob("*/news/*.html"))
    ),
]


@pytest.mark.parametrize("html", PAGES + benchmark_pages(20))
def test_a_guarded_xpath_finds_what_trafilaturas_finds(html: str) -> None:
    tree = parse_page(html, "https://news.example/").tree
    for original, faster in zip(GUARDED, guarded_xpaths(GUARDED), strict=True):
        assert faster(tree) == original(tree), original.path


def test_only_patterns_that_cannot_match_nothing_are_guarded() -> None:
    assert guarded("//*[re:test(@class, '[Aa]uthor|writer')]") == (
        "//*[((@class) and (contains(@class, 'uthor') or contains(@class, 'writer'))"
        " and re:test(@class, '[Aa]uthor|writer'))]"
    )
    # a case-blind pattern, or one without a run of plain characters in each alternative: the attribute only
    assert guarded("//*[re:test(@id|@class, 'abc', 'i')]") == (
        "//*[((@id or @class) and re:test(@id|@class, 'abc', 'i'))]"
    )
    assert guarded("//*[re:test(@id, 'ab|cde')]") == "//*[((@id) and re:test(@id, 'ab|cde'))]"
    # a missing attribute reads as the empty text, which these patterns match: left as they are
    for path in ("//*[re:test(@class, 'a|')]", "//*[re:test(@class, '^$')]", "//*[re:test(@class, 'x*')]"):
        assert guarded(path) == path
    etree.XPath(guarded(xpaths.BODY_XPATH[0].path), namespaces={"re": "http://exslt.org/regular-expressions"})


@pytest.mark.parametrize(
    ("pattern", "texts"),
    [
        ("author-?name|AuthorName", ["author", "AuthorName"]),  # the run before an optional character
        ("^(?:[Cc]omment(?!ary)|comol)", ["omment", "comol"]),  # inside a group, before a lookahead
        ("mvp-post-add-(?:box|wrap)|infinite-?scroll", ["mvp-post-add-", "infinite"]),
        ("a+bcd", ["bcd"]),  # a repeated character may be absent from a run: not in it
        ("(abc)?defg", ["defg"]),  # an optional group is not needed
        ("x{0,3}", None),
        ("(?i)author", None),
    ],
)
def test_the_needed_texts_are_in_every_match(pattern: str, texts: list[str] | None) -> None:
    assert needed_texts(pattern) == texts


def test_a_path_testing_names_is_read_as_a_union_of_them() -> None:
    assert by_name(".//*[self::div or self::section][@id]") == ".//div[@id] | .//section[@id]"
    assert by_name(".//*[self::div or\n  self::ol][@id]") == ".//div[@id] | .//ol[@id]"
    assert by_name("//*[self::a or self::p][@x] | //author") == "//a[@x] | //p[@x] | //author"
    # a union inside a predicate is not one of the path; positions count within the whole set: both left alone
    assert by_name("//*[self::a][@x | @y]") == "//a[@x | @y]"
    assert by_name("//*[self::a or self::b][1]") == "//*[self::a or self::b][1]"
    assert by_name("//*[self::a or @href]") == "//*[self::a or @href]"
