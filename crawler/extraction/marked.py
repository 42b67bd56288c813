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
    found = page.derived.get("marked")
    if found is None:
        found = page.derived["marked"] = _walk(page.tree)
    return found


def tagged(page: Page, tag: str) -> list[Any]:
    """The page's elements of one of MARKED_TAGS, in document order."""
    key = f"marked:{tag}"
    found = page.derived.get(key)
    if found is None:
        found = page.derived[key] = [node for node, name, _, _ in marked(page) if name == tag]
    return found


def _walk(tree: Any) -> list[Marked]:
    found: list[Marked] = []
    append = found.append
    for node in tree.iter(etree.Element):
        tag, classes, itemprop = node.tag, node.get("class"), node.get("itemprop")
        if classes is not None or itemprop is not None or tag in MARKED_TAGS or node.get("rel") is not None:
            append((node, tag, classes, itemprop))
    return found
