"""The full-text index: FTS5 over the analysed title, body and caption (crawler.search.analyser), kept by newscrawl.

`articles_fts` is contentless (`content=''`): it holds only the index of the analysed terms, rowid = article id,
so it costs about what a stock FTS5 index costs, and the stored record text stays exactly as extracted. Any tool
can query it with plain SQL (`articles_fts MATCH 'term'`); the terms of a query come from the same analyser
(`newscrawl search`, or the `newscrawl_match` SQL function in Datasette). Writers call `add` and `remove` in the
transaction that changes the article; `rebuild` re-indexes everything (a new analyser version, `newscrawl reindex`).
"""

from __future__ import annotations

import sqlite3
from typing import Any

from crawler.search.analyser import ANALYSER_VERSION, index_text

COLUMNS = ("title", "body", "caption")
CREATE = (
    f"CREATE VIRTUAL TABLE articles_fts USING fts5({', '.join(COLUMNS)},"
    " content='', tokenize='unicode61 remove_diacritics 0')"
)
_INSERT = f"INSERT INTO articles_fts (rowid, {', '.join(COLUMNS)}) VALUES (?, ?, ?, ?)"
_DELETE = f"INSERT INTO articles_fts (articles_fts, rowid, {', '.join(COLUMNS)}) VALUES ('delete', ?, ?, ?, ?)"


def analysed(title: str | None, body: str | None, caption: str | None) -> tuple[str, str, str]:
    return index_text(title or ""), index_text(body or ""), index_text(caption or "")


def add(conn: Any, article_id: int, title: str | None, body: str | None, caption: str | None) -> None:
    """Index a new article's text."""
    conn.execute(_INSERT, [article_id, *analysed(title, body, caption)])


def remove(conn: Any, article_id: int) -> None:
    """Take the article's indexed text out, as it stands in `articles` now (call before changing it)."""
    row = conn.execute("SELECT title, body, caption FROM articles WHERE id = ?", [article_id]).fetchone()
    if row is not None:
        conn.execute(_DELETE, [article_id, *analysed(*row)])


def rebuild(conn: Any) -> int:
    """Index every article again from scratch with this analyser; records its version. The count indexed."""
    conn.execute("DROP TABLE IF EXISTS articles_fts")
    conn.execute(CREATE)
    count = 0
    for article_id, title, body, caption in conn.execute("SELECT id, title, body, caption FROM articles"):
        add(conn, article_id, title, body, caption)
        count += 1
    set_version(conn)
    return count


def set_version(conn: Any) -> None:
    conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('analyser_version', ?)", [str(ANALYSER_VERSION)])


def stored_version(conn: sqlite3.Connection) -> int | None:
    """The analyser version the index was built with (None: not recorded)."""
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = 'analyser_version'").fetchone()
    except sqlite3.OperationalError:
        return None
    return int(row[0]) if row else None
