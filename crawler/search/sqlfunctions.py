"""SQL functions newscrawl adds to SQLite connections (`newscrawl stats`, and Datasette through the plugin).

Their arguments are bounded, so a query typed into Datasette cannot tie up a worker thread (SQLite's time limit
cannot stop a Python function half-way): a query over MAX_QUERY_CHARS or a text over MAX_TEXT_CHARS is refused
with ArgumentTooLong, which SQLite reports as "string or blob too big"; `argument_problem` says it in full.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

MAX_QUERY_CHARS = 10_000  # a search query (newscrawl_match, newscrawl_snippet's query)
MAX_TEXT_CHARS = 1_000_000  # a text to analyse; newscrawl_snippet reads no further into a body than this
MAX_TIME_CHARS = 64  # a longer value is no ISO 8601 time: newscrawl_day gives NULL without reading it
BLANK_QUERY = '""'  # an FTS5 phrase of no words: matches nothing


class ArgumentTooLong(OverflowError):
    """An argument over its documented size (an OverflowError: SQLite reports "string or blob too big")."""


def check_length(text: str, limit: int, what: str) -> str:
    """`text`, or ArgumentTooLong naming its length and the limit."""
    if len(text) > limit:
        raise ArgumentTooLong(f"the {what} is {len(text):,} characters long; the limit is {limit:,}")
    return text


def query_problem(text: str | None) -> str | None:
    """Why newscrawl_match refuses this search query, in one line (too long, or unreadable); None if it is fine."""
    from crawler.search.query import QueryError, parse

    if not (text or "").strip():
        return None
    try:
        parse(check_length(text or "", MAX_QUERY_CHARS, "query"))
    except (ArgumentTooLong, QueryError) as exc:
        return str(exc)
    return None


def utc_day(value: str | None) -> str | None:
    """The UTC calendar day (YYYY-MM-DD) of an ISO 8601 time; None for a missing or unreadable one.

    A time without an offset is taken as UTC (the database stores UTC)."""
    if not value or len(value) > MAX_TIME_CHARS:
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc)
    return moment.date().isoformat()


def match_expression(text: str | None) -> str:
    """The FTS5 expression of a `newscrawl search` query (the same analyser and syntax), for
    `articles_fts MATCH newscrawl_match(:q)`; a blank query matches nothing; an unreadable one is an SQL error
    (its one-line reason: `query_problem`)."""
    from crawler.search.query import parse

    if not (text or "").strip():
        return BLANK_QUERY
    return parse(check_length(text or "", MAX_QUERY_CHARS, "query")).expression


def query_snippet(body: str | None, text: str | None) -> str:
    """The stretch of `body` (of its first MAX_TEXT_CHARS characters) the query matches best, matched words in
    [brackets] (as `newscrawl search`); a blank query marks nothing."""
    from crawler.search.articles import snippet
    from crawler.search.query import parse

    query = text or ""
    if not query.strip():
        return ""
    return snippet((body or "")[:MAX_TEXT_CHARS], parse(check_length(query, MAX_QUERY_CHARS, "query")), mark=("[", "]"))


def analyse(text: str | None) -> str:
    """The analysed terms of a text, as the full-text index holds them."""
    from crawler.search.analyser import index_text

    return index_text(check_length(text or "", MAX_TEXT_CHARS, "text"))


# name -> (number of arguments, function). Every connection that `register` prepares gets all of them.
SQL_FUNCTIONS: dict[str, tuple[int, Callable[..., Any]]] = {
    "newscrawl_day": (1, utc_day),
    "newscrawl_match": (1, match_expression),
    "newscrawl_snippet": (2, query_snippet),
    "newscrawl_analyse": (1, analyse),
}


def register(conn: sqlite3.Connection) -> None:
    """Make every function of SQL_FUNCTIONS callable in SQL on `conn`."""
    for name, (arity, function) in SQL_FUNCTIONS.items():
        conn.create_function(name, arity, function, deterministic=True)
