"""Listings: the validators (ETag, Last-Modified) sitemaps, feeds and section pages answered with, sent back on the
next run as If-None-Match / If-Modified-Since."""

from __future__ import annotations

import sqlite3
from typing import Any

from crawler.storage.part import Part

Validators = tuple[str | None, str | None]  # (ETag, Last-Modified)


class Listings(Part):
    """The `listings` rows: one per listing URL, with the source that read it and the validators it answered with."""

    def validators(self, source: str) -> dict[str, Validators]:
        """The validators of each listing `source` read before, by URL (none in a database without the table)."""
        try:
            rows = self.db.conn.execute("SELECT url, etag, last_modified FROM listings WHERE source = ?", (source,))
            return {url: (etag, modified) for url, etag, modified in rows}
        except sqlite3.OperationalError:
            return {}

    def save(self, rows: list[dict[str, Any]]) -> None:
        """Store listings' validators (`url`, `source`, `etag`, `last_modified`, `checked_at`), replacing the ones a
        URL had."""
        self.db["listings"].upsert_all(rows, pk="url")
