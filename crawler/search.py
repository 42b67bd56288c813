"""Full-text search over stored articles (FTS5 on title, body and caption)."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any


class QueryError(ValueError):
    """A query the database cannot run; the message is one line."""


def fts_query(text: str) -> str:
    """User text as an FTS5 query: every word must match, no operator syntax to trip over."""
    words = [w.replace('"', '""') for w in text.split()]
    if not words:
        raise QueryError("empty search query")
    return " ".join(f'"{w}"' for w in words)


def _connect(db_path: str | Path) -> sqlite3.Connection:
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    return conn


def search(db_path: str | Path, text: str, source: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
    """Articles matching every word of `text`, newest first."""
    sql = (
        "SELECT a.id, a.source, a.published_at, a.title, a.url FROM articles_fts f"
        " JOIN articles a ON a.id = f.rowid WHERE articles_fts MATCH :q"
        + (" AND a.source = :source" if source else "")
        + " ORDER BY a.published_at IS NULL, a.published_at DESC, a.id DESC LIMIT :limit"
    )
    with closing(_connect(db_path)) as conn:
        try:
            rows = conn.execute(sql, {"q": fts_query(text), "source": source, "limit": limit}).fetchall()
        except sqlite3.DatabaseError as exc:
            raise QueryError(f"{db_path}: search failed: {exc}") from None
    return [dict(row) for row in rows]


def articles_per_source(db_path: str | Path) -> dict[str, int]:
    """Stored articles by source key (empty when there is no database yet)."""
    if not Path(db_path).exists():
        return {}
    with closing(_connect(db_path)) as conn:
        try:
            return dict(conn.execute("SELECT source, count(*) FROM articles GROUP BY source").fetchall())
        except sqlite3.OperationalError:
            return {}


def count_articles(db_path: str | Path) -> int:
    """How many articles the database holds (0 when there is no database)."""
    if not Path(db_path).exists():
        return 0
    with closing(_connect(db_path)) as conn:
        return conn.execute("SELECT count(*) FROM articles").fetchone()[0]
