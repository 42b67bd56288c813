"""What a source already has, looked up in the database: URLs fetched before, and when it last crawled well.

`Known` holds the lookups (an Archive's `known`); `KnownUrls` is one source's view of them for a crawl, over a
read-only Archive of its own."""

from __future__ import annotations

import sqlite3
from contextlib import suppress
from datetime import datetime
from pathlib import Path

from crawler.crawl.discovery import parse_date
from crawler.crawl.failures import NOT_EXTRACTED
from crawler.storage.db import NoDatabase
from crawler.storage.part import Part
from crawler.urls import canonical_url


class Known(Part):
    """Lookups in `pages` (every article-candidate URL a source fetched before, with its outcome) and `runs`. What
    another source fetched is not known to this one. A database without these tables yet knows nothing."""

    def knows(self, source: str, url: str, listed_at: datetime | None = None, revisit_after: str | None = None) -> bool:
        """True when `source` fetched `url` before and need not again.

        A page it could not extract (a deadline or size bound) is known until its listing dates it (`listed_at`,
        lastmod or publication) after that fetch: the page changed, so it is fetched again. An article first
        published (or first seen) at or after `revisit_after` (ISO 8601) is not known: it is fetched again, so
        updates to young stories are caught."""
        row = self._one(
            "SELECT p.status, p.fetched_at, coalesce(a.published_at, a.first_seen_at) FROM pages p"
            " LEFT JOIN articles a ON a.id = p.article_id WHERE p.source = ? AND p.url = ?",
            source,
            canonical_url(url),
        )
        if row is None:
            return False
        status, fetched_at, born = row
        if status in NOT_EXTRACTED:
            fetched = parse_date(fetched_at)
            return not (listed_at and fetched and listed_at > fetched)
        return not (revisit_after and status == "article" and born and born >= revisit_after)

    def young_articles(self, source: str, revisit_after: str) -> list[str]:
        """URLs of the source's stored articles born (published, or first seen) at or after `revisit_after`."""
        try:
            rows = self.db.conn.execute(
                "SELECT url FROM articles WHERE source = ? AND coalesce(published_at, first_seen_at) >= ?",
                (source, revisit_after),
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
        try:
            return self.db.conn.execute(sql, params).fetchone()
        except sqlite3.OperationalError:  # a database without these tables yet
            return None


class KnownUrls:
    """What `source` already has, for one crawl of it: `Known` over a read-only Archive of its own, usable from
    any thread. No database yet (or none that can be read) means nothing is known.

    An article first published (or first seen) after `revisit_after` is not "known": it is fetched again, so
    updates to young stories are caught.
    """

    def __init__(self, db_path: str | Path, source: str, revisit_after: datetime | None = None) -> None:
        from crawler.storage.archive import Archive  # (archive.py imports this module)

        self.source = source
        self.revisit_after = revisit_after.isoformat() if revisit_after else None
        self.archive: Archive | None = None
        with suppress(NoDatabase):  # no database yet: nothing is known
            self.archive = Archive.open_for_reading(db_path, any_thread=True)

    def __contains__(self, url: str) -> bool:
        return self.knows(url)

    def knows(self, url: str, listed_at: datetime | None = None) -> bool:
        """True when the source fetched `url` before and need not again (`Known.knows`)."""
        if self.archive is None:
            return False
        return self.archive.known.knows(self.source, url, listed_at, self.revisit_after)

    def young_articles(self, source: str) -> list[str]:
        """URLs of the source's stored articles born after `revisit_after`, to fetch again for updates."""
        if not self.revisit_after or self.archive is None:
            return []
        return self.archive.known.young_articles(source, self.revisit_after)

    def last_success(self, source: str) -> datetime | None:
        """The time the source's last successful run crawled "as of" (`Known.last_success`)."""
        return self.archive.known.last_success(source) if self.archive is not None else None

    def close(self) -> None:
        if self.archive is not None:
            self.archive.close()
