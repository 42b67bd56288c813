"""ReextractSpider: extraction run again over a source's kept pages, with no HTTP request."""

from __future__ import annotations

import sqlite3
import zlib
from collections.abc import AsyncIterator
from contextlib import closing
from typing import Any

from crawler.crawl.bounds import extract_within_bounds
from crawler.crawl.discovery import parse_date
from crawler.crawl.spiders.job import JobSpider
from crawler.extraction import extract
from crawler.sources import Source


class ReextractSpider(JobSpider):
    """Yields the record of every page kept in `raw_pages` for its source, extracted in the extraction pool within
    the bounds as in a crawl; the usual pipelines then update the stored articles (a changed one keeps its previous
    text in `article_versions`)."""

    source: Source
    run_kind = "reextract"

    @classmethod
    def for_source(cls, source: Source) -> type[ReextractSpider]:
        """A subclass bound to `source`, named by its key."""
        return type(
            f"Reextract{source.key.title().replace('-', '').replace('_', '')}",
            (cls,),
            {
                "name": source.key,
                "source": source,
            },
        )

    async def start(self) -> AsyncIterator[Any]:
        db_path = self.settings.get("NEWSCRAWL_DB")
        with closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)) as conn:
            rows = conn.execute(
                "SELECT url, response_url, html, fetched_at FROM raw_pages WHERE source = ? ORDER BY rowid",
                [self.name],
            )
            for url, response_url, html, fetched_at in self.until_stopped(rows):
                self.crawler.stats.inc_value("newscrawl/reextracted")
                page = zlib.decompress(html)
                result = await extract_within_bounds(
                    self, extract, page, response_url, self.source, parse_date(fetched_at)
                )
                result.fetched_url, result.response_url, result.fetched_at = url, response_url, fetched_at
                yield result
