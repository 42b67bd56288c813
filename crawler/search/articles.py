"""Full-text search and filtered listing of stored articles: ranked (bm25) results with highlighted snippets.
The statements run through an Archive (crawler.storage.searches, crawler.storage.records)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from crawler.search import analyser
from crawler.search.query import Query, QueryError, parse
from crawler.storage.archive import Archive

__all__ = ["Filters", "QueryError", "search", "select_articles", "snippet"]


@dataclass
class Filters:
    """What `search` and `export` narrow the articles to."""

    source: str | None = None
    language: str | None = None
    section: str | None = None
    since: str | None = None  # a day (YYYY-MM-DD) or an ISO 8601 time; by publication (or first-seen) time
    until: str | None = None  # a day is inclusive
    include_duplicates: bool = False

    def time_bounds(self) -> tuple[str | None, str | None]:
        """`since` and `until` as ISO 8601 UTC strings to compare stored times with (None when not given);
        QueryError for one that is no day or time."""
        since = _time_bound(self.since, "--since", end=False) if self.since else None
        until = _time_bound(self.until, "--until", end=True) if self.until else None
        return since, until


def _time_bound(text: str, option: str, end: bool) -> str:
    """An ISO 8601 UTC string to compare stored times with; a day given as `until` ends at midnight after it."""
    try:
        if len(text) == 10:
            day = date.fromisoformat(text) + timedelta(days=1 if end else 0)
            return day.isoformat()
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise QueryError(f"{option}: not a date or time (YYYY-MM-DD or ISO 8601): {text}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat()


def search(
    db_path: str | Path, text: str, filters: Filters | None = None, limit: int = 20, newest: bool = False
) -> list[dict[str, Any]]:
    """Articles matching the query, best first (bm25; newest first with `newest`), each with a snippet whose
    matched words are marked `<mark>…</mark>`. An older database is upgraded first (Archive.open_for_reading)."""
    query = parse(text)
    filters = filters or Filters()
    filters.time_bounds()  # a bad bound is told before the database is opened
    with Archive.open_for_reading(db_path) as archive:
        try:
            rows = archive.search.ranked(query.expression, filters, limit, newest)
        except sqlite3.OperationalError as exc:
            raise QueryError(f"search failed: {exc}") from None
    results = []
    for row in rows:
        result = {k: row[k] for k in row.keys() if k != "body"}  # noqa: SIM118 (sqlite3.Row)
        result["score"] = round(-row["score"], 3)
        result["snippet"] = snippet(row["body"], query)
        results.append(result)
    return results


def select_articles(archive: Archive, filters: Filters, text: str | None = None) -> Iterator[sqlite3.Row]:
    """Every article matching the filters (and the query, if any), full rows with `images` as JSON, oldest first;
    rows are read one at a time."""
    filters.time_bounds()  # a bad bound is told before a bad query
    match = parse(text).expression if text else None
    try:
        yield from archive.records.select(filters, match)
    except sqlite3.OperationalError as exc:
        raise QueryError(f"export failed: {exc}") from None


def snippet(text: str, query: Query, words: int = 30, mark: tuple[str, str] = ("<mark>", "</mark>")) -> str:
    """The stretch of `words` words of `text` with the most matched words, those words marked."""
    spans, position = [], 0
    for original, term in analyser.tokens(text):
        start = text.find(original, position)
        if start < 0:
            continue
        position = start + len(original)
        hit = term in query.terms or any(term.startswith(p) for p in query.prefixes)
        spans.append((start, position, hit))
    if not spans:
        return ""
    hits = [h for _, _, h in spans]
    best = max(range(max(1, len(spans) - words + 1)), key=lambda i: (sum(hits[i : i + words]), -i))
    window = spans[best : best + words]
    out, cursor = [], window[0][0]
    for start, end, hit in window:
        out.append(text[cursor:start])
        out.append(f"{mark[0]}{text[start:end]}{mark[1]}" if hit else text[start:end])
        cursor = end
    prefix = "…" if best > 0 else ""
    suffix = "…" if best + words < len(spans) else ""
    return prefix + "".join(out).replace("\n", " ") + suffix
