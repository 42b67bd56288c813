"""NormalisePipeline: Unicode NFC, tidy whitespace, canonical URL, times in UTC."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import fields
from datetime import datetime, timezone
from typing import Any

from crawler.items import Article
from crawler.urls import canonical_url, same_origin

_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_INVISIBLE = re.compile(r"[\u200b\ufeff\u00ad]")  # zero-width space, BOM, soft hyphen


def clean_text(text: str | None, multiline: bool = False) -> str | None:
    """NFC, no invisible marks, single spaces; lines kept (and blank ones dropped) when `multiline`."""
    if text is None:
        return None
    text = _INVISIBLE.sub("", unicodedata.normalize("NFC", text))
    lines = (_SPACES.sub(" ", line).strip() for line in text.splitlines())
    cleaned = "\n".join(line for line in lines if line) if multiline else " ".join(lines).strip()
    return cleaned or None


class NormalisePipeline:
    """Makes records comparable: one Unicode form, clean whitespace, one canonical URL per article, UTC times."""

    def process_item(self, item: Article, spider: Any = None) -> Article:
        for f in fields(item):
            value = getattr(item, f.name)
            if isinstance(value, str) and f.name not in ("url", "canonical_url", "fetched_url", "image_url"):
                setattr(item, f.name, clean_text(value, multiline=f.name == "body"))
        item.authors = _unique(clean_text(a) for a in item.authors)
        item.published_at, item.modified_at = in_utc(item.published_at), in_utc(item.modified_at)
        item.tags = _unique(clean_text(t) for t in item.tags)
        for image in item.images:
            image.caption, image.credit = clean_text(image.caption), clean_text(image.credit)
        page_url = item.url  # extraction vetted the canonical URL; one from elsewhere must be on the page's origin
        if item.canonical_url and same_origin(item.canonical_url, page_url):
            page_url = item.canonical_url
        item.url = canonical_url(page_url)
        return item


def in_utc(stamp: str | None) -> str | None:
    """An aware ISO 8601 time in UTC (stored times sort and compare as text); a date or naive time unchanged."""
    try:
        moment = datetime.fromisoformat(stamp) if stamp and "T" in stamp else None
    except ValueError:
        return stamp
    if moment is None or moment.tzinfo is None:
        return stamp
    return moment.astimezone(timezone.utc).isoformat()


def _unique(values: Any) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        if value and value.casefold() not in {k.casefold() for k in seen}:
            seen[value] = None
    return list(seen)
