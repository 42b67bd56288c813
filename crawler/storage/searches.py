"""The SQL of full-text search (`newscrawl search`, the search page of `newscrawl serve`) and of the filters that
search and export share. What a query means (crawler.search.query) and how results read (snippets,
crawler.search.articles) are the search package's; the statements that run them are here.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

from crawler.storage.part import Part

if TYPE_CHECKING:
    from crawler.search.articles import Filters

BM25_WEIGHTS = "10.0, 1.0, 2.0"  # title, body, caption
RESULT_COLUMNS = "a.id, a.source, a.published_at, a.language, a.section, a.title, a.url, a.duplicate_of"
NEWEST = "coalesce(a.published_at, a.first_seen_at) DESC, a.id DESC"
PAGE_COLUMNS = "a.id, a.title, a.source, a.source_name, a.language, a.published_at, a.first_seen_at"


def where(filters: Filters) -> tuple[list[str], dict[str, Any]]:
    """SQL conditions on `articles a` of the filters, and their parameters; QueryError for a bad time bound."""
    clauses, params = [], {}
    for column, value in (("source", filters.source), ("language", filters.language), ("section", filters.section)):
        if value:
            clauses.append(f"a.{column} = :{column}")
            params[column] = value
    since, until = filters.time_bounds()
    if since:
        clauses.append("coalesce(a.published_at, a.first_seen_at) >= :since")
        params["since"] = since
    if until:
        clauses.append("coalesce(a.published_at, a.first_seen_at) < :until")
        params["until"] = until
    if not filters.include_duplicates:
        clauses.append("a.duplicate_of IS NULL")
    return clauses, params


def search_page(
    filters: Filters, match: str | None, best_first: bool, body_chars: int
) -> tuple[str, str, dict[str, Any]]:
    """SQL for one page of the search page's results (with :limit and :offset), for their count, and their
    parameters (Datasette runs them). With a `match` (an FTS5 expression): the `newscrawl search` match, filters
    and ranking (bm25, or newest first); without: every article the filters keep, newest first. Each row has the
    first `body_chars` characters of the body, for its snippet."""
    clauses, params = where(filters)
    tables = "articles a"
    order = NEWEST
    if match is not None:
        tables = "articles_fts JOIN articles a ON a.id = articles_fts.rowid"
        clauses.insert(0, "articles_fts MATCH :match")
        params["match"] = match
        if best_first:
            order = f"bm25(articles_fts, {BM25_WEIGHTS}), a.id DESC"
    where_sql = " WHERE " + " AND ".join(clauses)
    columns = f"{PAGE_COLUMNS}, substr(a.body, 1, {body_chars}) AS body"
    rows = f"SELECT {columns} FROM {tables}{where_sql} ORDER BY {order} LIMIT :limit OFFSET :offset"
    return rows, f"SELECT count(*) FROM {tables}{where_sql}", params


class Searches(Part):
    """Full-text search of the stored articles (`archive.search`)."""

    def ranked(self, match: str, filters: Filters, limit: int, newest: bool = False) -> list[sqlite3.Row]:
        """Up to `limit` articles matching `match` (an FTS5 expression) and the filters, best first (bm25; newest
        first with `newest`), each with its body and its bm25 `score` (lower is better)."""
        clauses, params = where(filters)
        order = "a.published_at IS NULL, a.published_at DESC" if newest else f"bm25(articles_fts, {BM25_WEIGHTS})"
        sql = (
            f"SELECT {RESULT_COLUMNS}, a.body, bm25(articles_fts, {BM25_WEIGHTS}) AS score"
            " FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid"
            f" WHERE articles_fts MATCH :match {''.join(' AND ' + c for c in clauses)}"
            f" ORDER BY {order}, a.id DESC LIMIT :limit"
        )
        params.update(match=match, limit=limit)
        return self.query(sql, params).fetchall()
