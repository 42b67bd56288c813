"""Section, tags, lead image and description from JSON-LD and meta tags (configured selectors first)."""

from __future__ import annotations

from typing import Any

from crawler.extraction.marked import marked
from crawler.extraction.page import Page, text_of


def _first_str(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, list):
        return next((s for s in (_first_str(v) for v in value) if s), None)
    if isinstance(value, dict):
        return _first_str(value.get("url") or value.get("name") or value.get("@id"))
    return None


def _selected(page: Page, selector: str | None) -> list[str]:
    return [t for t in (text_of(n) for n in page.tree.cssselect(selector)) if t] if selector else []


def extract_section(page: Page, selector: str | None = None) -> str | None:
    """The section (desk) the article is filed under."""
    selected = _selected(page, selector)
    if selected:
        return selected[0]
    declared = _first_str(page.article_ld.get("articleSection")) or page.first_meta("article:section", "section")
    return declared or _breadcrumb_section(page)


def _breadcrumb_section(page: Page) -> str | None:
    """The last breadcrumb step before the article itself (the first step is the home page)."""
    for node in _breadcrumbs(page):
        steps = [text_of(a) for a in node.iter("a")][1:]
        if steps:
            return steps[-1] or None
    return None


def _breadcrumbs(page: Page) -> list[Any]:
    """The elements a class names a breadcrumb, and the navs labelled one (CSS's `[class*=breadcrumb],
    nav[aria-label*=readcrumb]`), in document order."""
    return [
        node
        for node, tag, classes, _ in marked(page)
        if (classes and "breadcrumb" in classes) or (tag == "nav" and "readcrumb" in (node.get("aria-label") or ""))
    ]


def extract_tags(page: Page, selector: str | None = None) -> list[str]:
    """Tags/keywords, in page order, without duplicates."""
    raw = _selected(page, selector)
    if not raw:
        raw = page.all_meta("article:tag")
    if not raw:
        keywords = page.article_ld.get("keywords")
        if isinstance(keywords, list):
            raw = [k for k in keywords if isinstance(k, str)]
        elif isinstance(keywords, str):
            raw = keywords.split(",")
    if not raw:
        raw = [k for value in page.all_meta("news_keywords", "keywords") for k in value.split(",")]
    tags: list[str] = []
    for tag in (" ".join(t.split()) for t in raw):
        if tag and tag.casefold() not in (t.casefold() for t in tags):
            tags.append(tag)
    return tags


def extract_image_url(page: Page) -> str | None:
    """The lead image: og:image, twitter:image or the JSON-LD image."""
    return page.first_meta("og:image", "og:image:url", "twitter:image") or _first_str(page.article_ld.get("image"))


def extract_description(page: Page) -> str | None:
    """The standfirst the page declares."""
    return page.first_meta("description", "og:description", "twitter:description") or _first_str(
        page.article_ld.get("description")
    )
