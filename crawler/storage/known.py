"""What a source already has, looked up in the database: URLs fetched before, and when it last crawled well."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

from crawler.crawl.discovery import parse_date
from crawler.crawl.failures import NOT_EXTRACTED
from crawler.urls import canonical_url


class KnownUrls:
    """Read-only lookups in `pages` (every article-candidate URL `source` fetched before, with its outcome) and
    `runs`. What another source fetched is not known to this one.

    An article first published (or first seen) after `revisit_after` is not "known": it is fetched again, so
    updates to young stories are caught.
    """

    def __init__(self, db_path: str | Path, source: str, revisit_after: datetime | None = None) -> None:
        self.source = source
        self.revisit_after = revisit_after.isoformat() if revisit_after else None
        self.conn: sqlite3.Connection | None = None
        if Path(db_path).exists():
            self.conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, check_same_thread=False)
            self.conn.execute("PRAGMA busy_timeout = 30000")

    def __contains__(self, url: str) -> bool:
        return self.knows(url)

    def knows(self, url: str, listed_at: datetime | None = None) -> bool:
        """True when the source fetched `url` before and need not again. A page it could not extract (a deadline or
        size bound) is known until its listing dates it (`listed_at`, lastmod or publication) after that fetch: the
        page changed, so it is fetched again."""
        if self.conn is None:  # no database yet: nothing is known
            return False
        row = self._one(
            "SELECT p.status, p.fetched_at, coalesce(a.published_at, a.first_seen_at) FROM pages p"
            " LEFT JOIN articles a ON a.id = p.article_id WHERE p.source = ? AND p.url = ?",
            self.source,
            canonical_url(url),
        )
        if row is None:
            return False
        status, fetched_at, born = row
        if status in NOT_EXTRACTED:
            fetched = parse_date(fetched_at)
            return not (listed_at and fetched and listed_at > fetched)
        return not (self.revisit_after and status == "article" and born and born >= self.revisit_after)

    def young_articles(self, source: str) -> list[str]:
        """URLs of the source's stored articles born after `revisit_after`, to fetch again for updates."""
        if not self.revisit_after or self.conn is None:
            return []
        try:
            rows = self.conn.execute(
                "SELECT url FROM articles WHERE source = ? AND coalesce(published_at, first_seen_at) >= ?",
                (source, self.revisit_after),
            )
            return [url for (url,) in rows]
        except sqlite3.OperationalError:
            return []

    def last_success(self, source: str) -> datetime | None:
        """The time the source's last successful run crawled "as of" (None when it never had one). A run that
        reached a per-run limit does not count: what it left out was listed before it and is still to crawl."""
        row = self._one(
            "SELECT max(as_of) FROM runs WHERE source = ? AND status = 'ok' AND kind = 'crawl'"
            " AND coalesce(limits, '{}') = '{}'",
            source,
        )
        return parse_date(row[0]) if row else None

    def _one(self, sql: str, *params: object) -> tuple | None:
        if self.conn is None:
            return None
        try:
            return self.conn.execute(sql, params).fetchone()
        except sqlite3.OperationalError:  # a database without these tables yet
            return None

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
