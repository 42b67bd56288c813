"""Datasette plugin of newscrawl (entry point `newscrawl` in group `datasette`, and registered by `newscrawl serve`).

Every connection Datasette opens gets newscrawl's SQL functions (crawler.sqlfunctions), so canned queries and
the SQL editor can call `newscrawl_day(published_at)`. A database whose metadata has
`plugins: {newscrawl: {read_only: true}}` also gets `PRAGMA query_only`, which refuses every write, even on the
connection Datasette keeps for writing.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from datasette import hookimpl

from crawler import sqlfunctions

PLUGIN_NAME = "newscrawl"


@hookimpl
def prepare_connection(conn: sqlite3.Connection, database: str, datasette: Any) -> None:
    """Register newscrawl's SQL functions; make the connection query-only where the metadata asks for it."""
    sqlfunctions.register(conn)
    config = datasette.plugin_config(PLUGIN_NAME, database=database, fallback=False) or {}
    if config.get("read_only"):
        conn.execute("PRAGMA query_only = 1")
