"""What every part of an Archive shares: its connection, and rows that can be read by column name."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any

import sqlite_utils


class Part:
    """One part of the database, handed out by an Archive over the Archive's connection."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def query(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> sqlite3.Cursor:
        """The rows of `sql` as sqlite3.Row (by name or position), whatever row factory the connection has."""
        cursor = self.db.conn.cursor()
        cursor.row_factory = sqlite3.Row
        return cursor.execute(sql, params)
