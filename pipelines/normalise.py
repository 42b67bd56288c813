"""NormalisePipeline: Unicode NFC, tidy whitespace, no control characters, canonical URL, times in UTC.

Every record a crawl, an import, a re-extraction or `newscrawl ingest` stores passes through here (the store
pipeline comes after it), so this is the one place where stored text is made inert."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import fields
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote

from crawler.items import Article, Image
from crawler.settings import NEWSCRAWL_MAX_TITLE_CHARS
from crawler.urls import canonical_url, same_origin

_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_INVISIBLE = re.compile(r"[\u200b\ufeff\u00ad]")  # zero-width space, BOM, soft hyphen
# C0 and C1 control characters (a terminal obeys them: ESC starts a command, BEL rings) and the bidi embeddings,
# overrides and isolates (U+202A-U+202E, U+2066-U+2069: they reorder the text shown after them, as in "Trojan
# Source"). Tab is whitespace and the ones str.splitlines() reads as line breaks (LF, CR, VT, FF, FS, GS, RS, NEL)
# are line breaks; both are tidied like any other. The plain marks LRM, RLM and ALM (U+200E, U+200F, U+061C) stay:
# they have no scope (nothing stays reordered after them) and Arabic copy uses them to keep numbers and punctuation
# where the writer put them.
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f\u202a-\u202e\u2066-\u2069]")
_URL_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_URL_IGNORED = re.compile("[\t\n\r]")  # a browser drops these from a URL (WHATWG URL standard)


def clean_text(text: str | None, multiline: bool = False) -> str | None:
    """NFC, no invisible marks nor control characters, single spaces; lines kept (and blank ones dropped) when
    `multiline`."""
    if text is None:
        return None
    text = _CONTROLS.sub("", _INVISIBLE.sub("", unicodedata.normalize("NFC", text)))
    lines = (_SPACES.sub(" ", line).strip() for line in text.splitlines())
    cleaned = "\n".join(line for line in lines if line) if multiline else " ".join(lines).strip()
    return cleaned or None


def clean_url(url: str | None) -> str | None:
    """The URL as a browser reads it: no tab or line break, no surrounding spaces, and a control or bidi character
    percent-encoded (it still points to the same resource, and is inert when shown)."""
    if url is None:
        return None
    url = _URL_UNSAFE.sub(lambda m: quote(m.group()), _URL_IGNORED.sub("", url).strip())
    return url or None


def capped(title: str | None, limit: int) -> str | None:
    """The title, cut to `limit` characters (an ellipsis last) when longer; 0: no limit."""
    if not title or not limit or len(title) <= limit:
        return title
    return title[: limit - 1].rstrip() + "…"


URL_FIELDS = ("url", "canonical_url", "image_url")


class NormalisePipeline:
    """Makes records comparable and inert: one Unicode form, clean whitespace, no control characters in any field,
    a title of at most NEWSCRAWL_MAX_TITLE_CHARS characters, one canonical URL per article, UTC times."""

    def __init__(self, max_title_chars: int = NEWSCRAWL_MAX_TITLE_CHARS) -> None:
        self.max_title_chars = max_title_chars

    @classmethod
    def from_crawler(cls, crawler: Any) -> NormalisePipeline:
        return cls(crawler.settings.getint("NEWSCRAWL_MAX_TITLE_CHARS"))

    def process_item(self, item: Article, spider: Any = None) -> Article:
        for f in fields(item):
            value = getattr(item, f.name)
            if isinstance(value, str):
                cleaned = clean_url(value) if f.name in URL_FIELDS else clean_text(value, multiline=f.name == "body")
                setattr(item, f.name, cleaned)
        fetch = item.fetch  # where the page came from is shown and stored too (not the queue payload: an id)
        fetch.fetched_url, fetch.response_url = clean_url(fetch.fetched_url), clean_url(fetch.response_url)
        fetch.fetched_at = clean_text(fetch.fetched_at)
        item.title = capped(item.title, self.max_title_chars) or ""
        item.body = item.body or ""
        item.authors = _unique(clean_text(a) for a in item.authors)
        item.published_at, item.modified_at = in_utc(item.published_at), in_utc(item.modified_at)
        item.tags = _unique(clean_text(t) for t in item.tags)
        item.images = [_clean_image(image) for image in item.images]
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


def _clean_image(image: Image) -> Image:
    return Image(clean_url(image.url), clean_text(image.caption), clean_text(image.credit))


def _unique(values: Any) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        if value and value.casefold() not in {k.casefold() for k in seen}:
            seen[value] = None
    return list(seen)
