"""ImportSpider: records from a JSON-lines file through the same pipelines as crawled ones, with no HTTP request."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from crawler.crawl.spiders.job import JobSpider
from crawler.storage.importer import read_records


class ImportSpider(JobSpider):
    """Yields every record of `path` (checked beforehand with `read_records`): validate, normalise, dedupe and
    store them like crawled articles. A record without a `source` is stored under the source "import"."""

    name = "import"
    run_kind = "import"

    def __init__(self, path: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.path = path

    async def start(self) -> AsyncIterator[Any]:
        for _, record in self.until_stopped(read_records(self.path)):
            yield record
