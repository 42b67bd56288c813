"""The SQL of the reports on a database (`archive.reports`): what `newscrawl status`, `sources`, `stats` and `demo`
count and list."""

from __future__ import annotations

import json
import sqlite3

from crawler.search import sqlfunctions
from crawler.storage.part import Part


class Reports(Part):
    """Counts and listings over the articles and the crawl runs."""

    def count_articles(self) -> int:
        """How many articles the database holds."""
        return self.query("SELECT count(*) FROM articles").fetchone()[0]

    def articles_per_source(self) -> dict[str, int]:
        """Stored articles by source key."""
        return dict(self.query("SELECT source, count(*) FROM articles GROUP BY source").fetchall())

    def stored_sources(self) -> dict[str, str | None]:
        """The sources the database has crawl runs or articles of, by key, with their name (as stored with the
        articles), in key order."""
        rows = self.query(
            "SELECT source, max(source_name) FROM (SELECT source, NULL AS source_name FROM runs WHERE kind = 'crawl'"
            " UNION ALL SELECT source, source_name FROM articles) GROUP BY source ORDER BY source"
        )
        return dict(rows.fetchall())

    def source_articles(self, source: str) -> tuple[int, str | None]:
        """How many articles a source has, and the newest first_seen_at of them (None when it has none)."""
        sql = "SELECT count(*), max(first_seen_at) FROM articles WHERE source = ?"
        total, newest = self.query(sql, (source,)).fetchone()
        return total, newest

    def crawl_runs(self, source: str, killed: list[int], limit: int) -> list[sqlite3.Row]:
        """The newest `limit` crawl runs of a source that have ended, or are in `killed` (ids of runs still marked
        running whose process is gone), newest first."""
        return self.query(
            "SELECT * FROM runs WHERE source = ? AND kind = 'crawl'"
            " AND (status != 'running' OR id IN (SELECT value FROM json_each(?))) ORDER BY id DESC LIMIT ?",
            (source, json.dumps(killed), limit),
        ).fetchall()

    def daily_counts(self, source: str | None, start: str, end: str) -> list[sqlite3.Row]:
        """(day, source, articles, articles without published_at) per UTC day (of published_at, else first_seen_at)
        from `start` to `end` (YYYY-MM-DD, inclusive) and source (`source`: only that one), by day and source."""
        sqlfunctions.register(self.db.conn)  # newscrawl_day
        sql = (
            "SELECT newscrawl_day(coalesce(published_at, first_seen_at)) AS day, source, count(*),"
            " sum(published_at IS NULL) FROM articles WHERE coalesce(:source, source) = source"
            " GROUP BY day, source HAVING day IS NOT NULL AND day BETWEEN :start AND :end ORDER BY day, source"
        )
        return self.query(sql, {"source": source, "start": start, "end": end}).fetchall()
