"""EnqueuePipeline: a worker's only pipeline; every item goes onto the Redis item queue for `newscrawl ingest`."""

from __future__ import annotations

from typing import Any

from scrapy.exceptions import NotConfigured

from crawler.crawl.distributed import ItemQueue, RedisUnavailable, connect, encode_item, prefix
from crawler.crawl.runstate import RunState
from crawler.items import Article, NotArticle


class EnqueuePipeline:
    """Pushes each Article or NotArticle, with the page it came from, as JSON onto `<prefix>:items`; the writer
    runs validate, normalise, dedupe and store on it. Active only with REDIS_URL (set by `newscrawl worker`)."""

    def __init__(self, crawler: Any, queue: ItemQueue) -> None:
        self.crawler = crawler
        self.queue = queue

    @classmethod
    def from_crawler(cls, crawler: Any) -> EnqueuePipeline:
        try:
            server = connect(crawler.settings)
        except RedisUnavailable as exc:
            raise NotConfigured(str(exc)) from None
        return cls(crawler, ItemQueue(server, prefix(crawler.settings)))

    def process_item(self, item: Article | NotArticle, spider: Any = None) -> Article | NotArticle:
        spider, source = self.crawler.spider, RunState.of(self.crawler).source
        self.queue.push(encode_item(item, spider.name, source.name if source else spider.name))
        self.crawler.stats.inc_value("newscrawl/enqueued")
        return item

    def close_spider(self, spider: Any = None) -> None:
        self.queue.server.close()
