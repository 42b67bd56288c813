"""SQL functions newscrawl adds to SQLite connections (`newscrawl stats`, and Datasette through the plugin)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any


def utc_day(value: str | None) -> str | None:
    """The UTC calendar day (YYYY-MM-DD) of an ISO 8601 time; None for a missing or unreadable one.

    A time without an offset is taken as UTC (the database stores UTC)."""
    if not value:
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
    `articles_fts MATCH newscrawl_match(:q)`; an unreadable query is an SQL error with its one-line reason."""
    from crawler.query import parse

    return parse(text or "").expression


def query_snippet(body: str | None, text: str | None) -> str:
    """The stretch of `body` the query matches best, matched words in [brackets] (as `newscrawl search`)."""
    from crawler.query import parse
    from crawler.search import snippet

    return snippet(body or "", parse(text or ""), mark=("[", "]"))


def analyse(text: str | None) -> str:
    """The analysed terms of a text, as the full-text index holds them."""
    from crawler.analyser import index_text

    return index_text(text or "")


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
