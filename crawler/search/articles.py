"""Full-text search and filtered listing of stored articles: ranked (bm25) results with highlighted snippets."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from crawler.search import analyser
from crawler.search.query import Query, QueryError, parse
from crawler.storage.db import connect_readonly

__all__ = ["Filters", "QueryError", "search", "select_articles", "snippet"]

BM25_WEIGHTS = "10.0, 1.0, 2.0"  # title, body, caption


@dataclass
class Filters:
    """What `search` and `export` narrow the articles to."""

    source: str | None = None
    language: str | None = None
    section: str | None = None
    since: str | None = None  # a day (YYYY-MM-DD) or an ISO 8601 time; by publication (or first-seen) time
    until: str | None = None  # a day is inclusive
    include_duplicates: bool = False

    def where(self) -> tuple[list[str], dict[str, Any]]:
        """SQL conditions on `articles a` and their parameters."""
        clauses, params = [], {}
        for column, value in (("source", self.source), ("language", self.language), ("section", self.section)):
            if value:
                clauses.append(f"a.{column} = :{column}")
                params[column] = value
        if self.since:
            clauses.append("coalesce(a.published_at, a.first_seen_at) >= :since")
            params["since"] = _time_bound(self.since, "--since", end=False)
        if self.until:
            clauses.append("coalesce(a.published_at, a.first_seen_at) < :until")
            params["until"] = _time_bound(self.until, "--until", end=True)
        if not self.include_duplicates:
            clauses.append("a.duplicate_of IS NULL")
        return clauses, params


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


RESULT_COLUMNS = "a.id, a.source, a.published_at, a.language, a.section, a.title, a.url, a.duplicate_of"


def search(
    db_path: str | Path, text: str, filters: Filters | None = None, limit: int = 20, newest: bool = False
) -> list[dict[str, Any]]:
    """Articles matching the query, best first (bm25; newest first with `newest`), each with a snippet whose
    matched words are marked `<mark>…</mark>`."""
    query = parse(text)
    clauses, params = (filters or Filters()).where()
    order = "a.published_at IS NULL, a.published_at DESC" if newest else f"bm25(articles_fts, {BM25_WEIGHTS})"
    sql = (
        f"SELECT {RESULT_COLUMNS}, a.body, bm25(articles_fts, {BM25_WEIGHTS}) AS score"
        " FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid"
        f" WHERE articles_fts MATCH :match {''.join(' AND ' + c for c in clauses)}"
        f" ORDER BY {order}, a.id DESC LIMIT :limit"
    )
    params.update(match=query.expression, limit=limit)
    with closing(connect_readonly(db_path)) as conn:
        try:
            rows = conn.execute(sql, params).fetchall()
        except sqlite3.OperationalError as exc:
            raise QueryError(f"search failed: {exc}") from None
    results = []
    for row in rows:
        result = {k: row[k] for k in row.keys() if k != "body"}  # noqa: SIM118 (sqlite3.Row)
        result["score"] = round(-row["score"], 3)
        result["snippet"] = snippet(row["body"], query)
        results.append(result)
    return results


def select_articles(conn: sqlite3.Connection, filters: Filters, text: str | None = None) -> Iterator[sqlite3.Row]:
    """Every article matching the filters (and the query, if any), full rows with `images` as JSON, oldest first;
    rows are read one at a time."""
    clauses, params = filters.where()
    joins = ""
    if text:
        joins = " JOIN articles_fts ON articles_fts.rowid = a.id"
        clauses.append("articles_fts MATCH :match")
        params["match"] = parse(text).expression
    images = (
        "(SELECT json_group_array(json_object('url', i.url, 'caption', i.caption, 'credit', i.credit))"
        " FROM (SELECT * FROM images i WHERE i.article_id = a.id ORDER BY i.position) i) AS images"
    )
    where = " WHERE " + " AND ".join(clauses) if clauses else ""
    sql = f"SELECT a.*, {images} FROM articles a{joins}{where} ORDER BY a.id"
    try:
        yield from conn.execute(sql, params)
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


def articles_per_source(db_path: str | Path) -> dict[str, int]:
    """Stored articles by source key (empty when there is no database yet)."""
    if not Path(db_path).exists():
        return {}
    with closing(connect_readonly(db_path)) as conn:
        return dict(conn.execute("SELECT source, count(*) FROM articles GROUP BY source").fetchall())


def count_articles(db_path: str | Path) -> int:
    """How many articles the database holds (0 when there is no database)."""
    if not Path(db_path).exists():
        return 0
    with closing(connect_readonly(db_path)) as conn:
        return conn.execute("SELECT count(*) FROM articles").fetchone()[0]
