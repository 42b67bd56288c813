"""The articles' own pages in `newscrawl serve`: a search page (query box, source / language / date filters,
paging) and a readable article page, served as routes of the newscrawl Datasette plugin.

Stored text is hostile (a title may hold HTML or script): every value reaches the page through Jinja's autoescape,
and the only markup built here (`marked_snippet`) escapes the text before adding its own tags.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from markupsafe import Markup, escape

from crawler.search.articles import Filters, snippet
from crawler.search.query import Query
from crawler.search.sqlfunctions import query_problem

TEMPLATES = Path(__file__).with_name("templates")
PAGE_SIZE = 20  # results per page, unless ?size= says otherwise (1 to MAX_PAGE_SIZE)
MAX_PAGE_SIZE = 100
LEAD_WORDS = 40  # words of the body shown under a result when there is no query to match
SNIPPET_CHARS = 100_000  # a result's snippet comes from this much of its body at most (a page stays quick)
OPTIONS_TIME_LIMIT_MS = 1000  # listing the sources and languages for the filters
RTL_LANGUAGES = frozenset({"ar", "arc", "ckb", "dv", "fa", "he", "ks", "ps", "sd", "syr", "ug", "ur", "yi"})
LANGUAGE_NAMES = {
    "ar": "Arabic",
    "de": "German",
    "en": "English",
    "es": "Spanish",
    "fa": "Persian",
    "fr": "French",
    "he": "Hebrew",
    "tr": "Turkish",
    "ur": "Urdu",
}
ARTICLE_TABLES = ("articles", "images", "article_versions")  # the rest is the crawler's bookkeeping
SORTS = {"best": "best match first", "newest": "newest first"}
_OPEN, _CLOSE = "\ue000", "\ue001"  # private-use characters marking matched words until they become <mark>


@dataclass(frozen=True)
class SearchForm:
    """What the search page was asked: the query (blank: every article, newest first), filters and page."""

    q: str = ""
    source: str = ""
    language: str = ""
    since: str = ""  # a day, YYYY-MM-DD, inclusive (by publication time, else first sighting)
    until: str = ""
    sort: str = "best"
    page: int = 1
    size: int = PAGE_SIZE

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> tuple[SearchForm, str | None]:
        """The form of the request's arguments, and the first problem with them in one line (None if none)."""
        text = {name: (args.get(name) or "").strip() for name in ("q", "source", "language", "since", "until")}
        form = cls(q=args.get("q") or "", **{k: v for k, v in text.items() if k != "q"})
        problems = [query_problem(form.q)]
        for name in ("since", "until"):
            problems.append(_day_problem(name, text[name]))
        sort = args.get("sort") or "best"
        if sort in SORTS:
            form = replace(form, sort=sort)
        else:
            problems.append(f"sort: {' or '.join(SORTS)}, not {sort}")
        for name, highest in (("page", None), ("size", MAX_PAGE_SIZE)):
            number, problem = _number(name, args.get(name), highest)
            problems.append(problem)
            if number is not None:
                form = replace(form, **{name: number})
        return form, next((p for p in problems if p), None)

    def url(self, base: str, **changes: Any) -> str:
        """`base` with this form's arguments (those not at their default), changed as asked: for paging links."""
        changed = replace(self, **changes)
        default = SearchForm()
        args = {f.name: getattr(changed, f.name) for f in fields(self)}
        query = urlencode({k: v for k, v in args.items() if v != getattr(default, k)})
        return f"{base}?{query}" if query else base

    def filters(self) -> Filters:
        """The filters of `newscrawl search` (copies of an earlier story left out)."""
        return Filters(
            source=self.source or None,
            language=self.language or None,
            since=self.since or None,
            until=self.until or None,
        )


def _day_problem(name: str, text: str) -> str | None:
    if not text:
        return None
    try:
        date.fromisoformat(text)
    except ValueError:
        return f"{name}: not a day (YYYY-MM-DD): {text[:100]}"
    return None if len(text) == 10 else f"{name}: not a day (YYYY-MM-DD): {text[:100]}"


def _number(name: str, text: str | None, highest: int | None) -> tuple[int | None, str | None]:
    if not text:
        return None, None
    limit = f" up to {highest}" if highest else ""
    if not text.isdecimal() or len(text) > 9 or int(text) < 1 or (highest and int(text) > highest):
        return None, f"{name}: a whole number from 1{limit}, not {text[:100]}"
    return int(text), None


def direction(language: str | None) -> str:
    """The `dir` of a text in `language`: rtl for Arabic and the other right-to-left languages, auto if unknown."""
    primary = (language or "").split("-")[0].lower()
    if not primary:
        return "auto"
    return "rtl" if primary in RTL_LANGUAGES else "ltr"


def language_name(code: str) -> str:
    """'Arabic (ar)' for a language code newscrawl knows the name of, else the code."""
    name = LANGUAGE_NAMES.get(code.split("-")[0].lower())
    return f"{name} ({code})" if name else code


def display_time(value: str | None) -> str:
    """'12 Aug 2024, 08:35 UTC' for a stored ISO 8601 time; the text itself if it cannot be read."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc)
    return f"{moment.day} {moment:%b %Y, %H:%M} UTC"


def marked_snippet(body: str, query: Query) -> Markup:
    """The stretch of `body` the query matches best, escaped, its matched words in <mark>."""
    clean = body.replace(_OPEN, "").replace(_CLOSE, "")
    text = str(escape(snippet(clean, query, mark=(_OPEN, _CLOSE))))
    return Markup(text.replace(_OPEN, "<mark>").replace(_CLOSE, "</mark>"))


def lead(body: str, words: int = LEAD_WORDS) -> str:
    """The first `words` words of a body, on one line."""
    parts = body.split(maxsplit=words)
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


def paragraphs(body: str | None) -> list[str]:
    """The paragraphs of a stored body (one a line)."""
    return [line.strip() for line in (body or "").splitlines() if line.strip()]


def authors(value: str | None) -> list[str]:
    """The names of the stored `authors` column (a JSON list); a value that is not one is a single name."""
    if not value:
        return []
    try:
        names = json.loads(value)
    except ValueError:
        return [value]
    if isinstance(names, list):
        return [str(name) for name in names if str(name).strip()]
    return [str(names)]


def web_link(url: str | None) -> str | None:
    """`url` if it is an http(s) address a link may point to; None for anything else (javascript:, data:, ...)."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    return url.strip() if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def result(row: sqlite3.Row | Mapping[str, Any], query: Query | None, article_url: str) -> dict[str, Any]:
    """What the results list shows of one article."""
    body = row["body"] or ""
    published = display_time(row["published_at"])
    return {
        "id": row["id"],
        "title": row["title"],
        "url": article_url,
        "source": row["source_name"] or row["source"],
        "date": published or f"first seen {display_time(row['first_seen_at'])}",
        "language": row["language"] or "",
        "dir": direction(row["language"]),
        "snippet": marked_snippet(body, query) if query is not None else lead(body),
    }


def article(row: Mapping[str, Any]) -> dict[str, Any]:
    """What the article page shows of a stored article."""
    return {
        "id": row["id"],
        "title": row["title"],
        "language": row["language"] or "",
        "dir": direction(row["language"]),
        "source": row["source_name"] or row["source"],
        "source_key": row["source"],
        "section": row["section"] or "",
        "published": display_time(row["published_at"]),
        "modified": display_time(row["modified_at"]) if row["modified_at"] != row["published_at"] else "",
        "first_seen": display_time(row["first_seen_at"]),
        "authors": authors(row["authors"]),
        "tags": authors(row["tags"]),
        "original": web_link(row["url"]),
        "url": row["url"],
        "caption": row["caption"] or "",
        "caption_credit": row["caption_credit"] or "",
        "paragraphs": paragraphs(row["body"]),
        "duplicate_of": row["duplicate_of"],
    }
