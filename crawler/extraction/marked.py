"""The elements the field readers look for (headlines, times, links, elements with a class, itemprop or rel), found
in one walk over a page's tree and kept with the page: every reader filters this short list instead of walking the
whole tree again."""

from __future__ import annotations

from typing import Any

from lxml import etree

from crawler.extraction.page import Page

MARKED_TAGS = frozenset({"h1", "time", "link", "figcaption", "img", "nav"})  # looked for whatever their attributes

Marked = tuple[Any, str, str | None, str | None]  # (element, tag, class, itemprop)


def marked(page: Page) -> list[Marked]:
    """Every element of the page with a class, an itemprop or a rel attribute, or of MARKED_TAGS, in document
    order (computed once per page)."""
    return _walked(page)[0]


def tagged(page: Page, tag: str) -> list[Any]:
    """The page's elements of one of MARKED_TAGS, in document order."""
    return _walked(page)[1][tag]


def with_itemprop(page: Page) -> list[tuple[Any, str]]:
    """The page's elements with an itemprop attribute, and its value, in document order."""
    return _walked(page)[2]


def _walked(page: Page) -> tuple[list[Marked], dict[str, list[Any]], list[tuple[Any, str]]]:
    found = page.derived.get("marked")
    if found is None:
        found = page.derived["marked"] = _walk(page.tree)
    return found


def _walk(tree: Any) -> tuple[list[Marked], dict[str, list[Any]], list[tuple[Any, str]]]:
    found: list[Marked] = []
    append = found.append
    by_tag: dict[str, list[Any]] = {tag: [] for tag in MARKED_TAGS}
    itemprops: list[tuple[Any, str]] = []
    for node in tree.iter(etree.Element):
        tag, classes, itemprop = node.tag, node.get("class"), node.get("itemprop")
        if itemprop is not None:
            itemprops.append((node, itemprop))
        if tag in MARKED_TAGS:
            by_tag[tag].append(node)
        elif classes is None and itemprop is None and node.get("rel") is None:
            continue
        append((node, tag, classes, itemprop))
    return found, by_tag, itemprops
