"""IngestSpider: the single writer of a scaled-out crawl; items popped from Redis through the usual pipelines."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

from scrapy import signals
from scrapy.utils.defer import sleep

from crawler.crawl.distributed import ItemQueue, connect, decode_item, prefix
from crawler.crawl.spiders.job import JobSpider
from crawler.items import Article, NotArticle
from pipelines.store import StorePipeline, batch_stored

POLL_SECONDS = 0.25  # how often an empty item queue is looked at again


class IngestSpider(JobSpider):
    """Yields the items workers pushed onto `<prefix>:items`: validate, normalise, dedupe and store them like a
    crawl's. An item leaves Redis only after the store committed the batch holding it (see ItemQueue); what a
    killed writer left in processing is taken again first. Stops once the queue has stayed empty
    NEWSCRAWL_INGEST_IDLE seconds (0: never), or as soon as it is empty with `until_idle`."""

    name = "ingest"
    run_kind = "ingest"

    def __init__(self, until_idle: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.until_idle = until_idle
        self.queue: ItemQueue | None = None
        self.idle = 0.0
        self.finished: list[str] = []  # items through the pipelines, waiting for their batch to be committed

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> IngestSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.queue = ItemQueue(connect(crawler.settings), prefix(crawler.settings))
        spider.idle = crawler.settings.getfloat("NEWSCRAWL_INGEST_IDLE")
        crawler.signals.connect(spider.item_finished, signal=signals.item_scraped)
        crawler.signals.connect(spider.item_finished, signal=signals.item_dropped)
        crawler.signals.connect(spider.item_failed, signal=signals.item_error)
        crawler.signals.connect(spider.committed, signal=batch_stored)
        return spider

    async def start(self) -> AsyncIterator[Any]:
        assert self.queue is not None
        recovered = self.queue.recover()
        if recovered:
            self.logger.info("took back %d items a previous writer had not committed", recovered)
        keep_pages = self.settings.getbool("NEWSCRAWL_KEEP_PAGES")
        empty_since: float | None = None
        while not self.run_state.stopped:  # the database can take more (see JobSpider.until_stopped)
            payload = self.queue.take()
            if payload is None:
                self.flush_store()  # a partial batch is committed while nothing comes in
                empty_since = empty_since or time.monotonic()
                if self.until_idle or (self.idle and time.monotonic() - empty_since >= self.idle):
                    return
                await sleep(POLL_SECONDS)
                continue
            empty_since = None
            try:
                item = decode_item(payload)
            except (ValueError, KeyError, TypeError) as exc:
                self.logger.error("unreadable item in the queue (kept in %s): %s", self.queue.failed, exc)
                self.queue.fail(payload)
                continue
            if not keep_pages:
                item.fetch.kept_page = None
            item.fetch.queue_payload = payload  # acknowledged by `committed`
            self.crawler.stats.inc_value("newscrawl/ingested")
            yield item

    def flush_store(self) -> None:
        """Commit what the store pipeline holds (no item is half-way through the pipelines between two yields)."""
        for pipeline in self.crawler.engine.scraper.itemproc.middlewares:
            if isinstance(pipeline, StorePipeline) and (pipeline.articles or pipeline.pages):
                pipeline.flush()

    def item_finished(self, item: Article | NotArticle, **kwargs: Any) -> None:
        payload = item.fetch.queue_payload
        if payload is not None:
            self.finished.append(payload)

    def item_failed(self, item: Article | NotArticle, failure: Any, **kwargs: Any) -> None:
        payload = item.fetch.queue_payload
        if payload is not None and self.queue is not None:
            self.logger.error("item %s failed in a pipeline (kept in %s)", item.url, self.queue.failed)
            self.queue.fail(payload)

    def committed(self, **kwargs: Any) -> None:
        """The store committed a batch: every item that had gone through the pipelines before is in SQLite."""
        if self.queue is not None:
            self.queue.done(self.finished)
        self.finished = []
