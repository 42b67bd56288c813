"""ReextractSpider: extraction run again over a source's kept pages, with no HTTP request."""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator
from typing import Any

from crawler.crawl.bounds import extract_within_bounds
from crawler.crawl.discovery import parse_date
from crawler.crawl.extractjobs import extract_page
from crawler.crawl.spiders.job import JobSpider
from crawler.sources import Source
from crawler.storage.archive import Archive


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
        if self.run_state.stopped:  # the database could not be opened
            return
        with Archive.open_readonly(db_path) as archive:
            for kept in self.until_stopped(archive.articles.kept_pages(self.name)):
                self.crawler.stats.inc_value("newscrawl/reextracted")
                page, fetched_at = zlib.decompress(kept.html), parse_date(kept.fetched_at)
                result = await extract_within_bounds(
                    self, extract_page, page, kept.response_url, self.source, fetched_at
                )
                fetch = result.fetch
                fetch.fetched_url, fetch.response_url, fetch.fetched_at = kept.url, kept.response_url, kept.fetched_at
                yield result
