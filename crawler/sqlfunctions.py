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


# name -> (number of arguments, function). Every connection that `register` prepares gets all of them; the
# search analyser is meant to join as "newscrawl_analyse": (1, analyse).
SQL_FUNCTIONS: dict[str, tuple[int, Callable[..., Any]]] = {
    "newscrawl_day": (1, utc_day),
}


def register(conn: sqlite3.Connection) -> None:
    """Make every function of SQL_FUNCTIONS callable in SQL on `conn`."""
    for name, (arity, function) in SQL_FUNCTIONS.items():
        conn.create_function(name, arity, function, deterministic=True)
