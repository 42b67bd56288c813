"""ImportSpider: records from a JSON-lines file through the same pipelines as crawled ones, with no HTTP request."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timezone
from typing import Any

from scrapy import Spider

from crawler.storage.importer import read_records


class ImportSpider(Spider):
    """Yields every record of `path` (checked beforehand with `read_records`): validate, normalise, dedupe and
    store them like crawled articles. A record without a `source` is stored under the source "import"."""

    name = "import"
    run_kind = "import"
    items_from_start = True  # it stops by itself once `newscrawl/stop_reason` is set (see crawler.crawl.runs.stop_run)

    def __init__(self, path: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.path = path

    def now(self) -> datetime:
        return datetime.now(timezone.utc)

    async def start(self) -> AsyncIterator[Any]:
        for _, record in read_records(self.path):
            if self.crawler.stats.get_value("newscrawl/stop_reason"):  # the database cannot take more
                return
            yield record
