"""Authors: JSON-LD author, meta author, visible bylines; names only, never the outlet itself."""

from __future__ import annotations

import copy
import re
from typing import Any

from trafilatura.metadata import extract_author

from crawler.extraction.dates import EASTERN_DIGITS
from crawler.extraction.page import Page, text_of

BYLINE_NODES = (
    "[rel=author], [itemprop=author] [itemprop=name], .byline .author, .author-name, .byline, .article-author"
)
PREFIX = re.compile(
    r"^\s*(?:by|written by|von|par|por|door|di|autor|autorin|author|text|بقلم|كتب|كتبت|إعداد|اعداد)\s*[:：]?\s+", re.I
)
SPLIT = re.compile(r"\s*(?:,|;|\band\b|\bund\b|\bet\b|\by\b|&|\s+و\s+)\s*", re.I)
NOT_PEOPLE = re.compile(
    r"^(?:the )?(?:editorial|news|web|digital|online|sports?|business)? ?(?:desk|team|staff|board|room)$|"
    r"^(?:newsdesk|staff writer|editor|editorial|admin|administrator|reporter|correspondent|agencies|wire|"
    r"redaktion|رئيس التحرير|المحرر|محرر|فريق التحرير|هيئة التحرير)$",
    re.I,
)


def clean_name(raw: str) -> str | None:
    """`By Jane Doe - Kuwait` -> `Jane Doe`; None for what is not a person's name."""
    name = PREFIX.sub("", " ".join(raw.split()))
    name = re.split(r"\s+[-–—|]\s+", name)[0].strip(" .,:;")  # "name - city" (a dateline), "name | role"
    if not name or len(name) > 60 or "http" in name or "@" in name or NOT_PEOPLE.match(name):
        return None
    if re.search(r"\d", name.translate(EASTERN_DIGITS)):  # a date or time caught in the byline
        return None
    return name


def _ld_names(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        if "organization" in str(value.get("@type", "")).lower():
            return []
        return _ld_names(value.get("name"))
    if isinstance(value, list):
        return [n for item in value for n in _ld_names(item)]
    return []


def extract_authors(page: Page, selector: str | None = None) -> list[str]:
    """Author names, in page order, without duplicates or the outlet's own name."""
    if selector:
        raw = [text_of(n) for n in page.tree.cssselect(selector)]
    else:
        raw = _ld_names(page.article_ld.get("author"))
        if not raw:
            raw = [
                a
                for a in page.all_meta("author", "article:author", "dc.creator", "sailthru.author", "parsely-author")
                if not a.startswith("http")
            ]
        if not raw:
            raw = [text_of(n) for n in page.tree.cssselect(BYLINE_NODES)][:1]
        if not raw:  # trafilatura's own byline heuristics, on a copy (they prune the tree they are given)
            found = extract_author(copy.deepcopy(page.tree))
            raw = found.split(";") if found else []
    site = (page.site_name or "").casefold()
    names: list[str] = []
    for entry in raw:
        for part in SPLIT.split(PREFIX.sub("", entry)):
            name = clean_name(part)
            if name and name.casefold() != site and name.casefold() not in (n.casefold() for n in names):
                names.append(name)
    return names
