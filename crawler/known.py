"""URLs a source already has: stored articles and pages seen as non-articles, looked up in the database."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from crawler.urls import canonical_url


class KnownUrls:
    """Read-only lookups in `pages` (every article-candidate URL fetched before, with its outcome)."""

    def __init__(self, db_path: str | Path) -> None:
        self.conn: sqlite3.Connection | None = None
        if Path(db_path).exists():
            self.conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, check_same_thread=False)
            self.conn.execute("PRAGMA busy_timeout = 30000")

    def __contains__(self, url: str) -> bool:
        if self.conn is None:
            return False
        try:
            row = self.conn.execute("SELECT 1 FROM pages WHERE url = ?", (canonical_url(url),)).fetchone()
        except sqlite3.OperationalError:  # no pages table yet
            return False
        return row is not None

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
