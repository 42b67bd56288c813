"""The shared request frontier of workers: scrapy-redis' scheduler and fingerprint set, adapted to Scrapy 2.13+."""

from __future__ import annotations

from typing import Any

from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.scheduler import Scheduler


class SharedDupeFilter(RFPDupeFilter):
    """scrapy-redis' fingerprint set, with the fingerprints of the crawler's REQUEST_FINGERPRINTER_CLASS (as
    Scrapy's own dupefilter computes them) instead of scrapy-redis' private recipe."""

    fingerprinter: Any = None

    @classmethod
    def from_spider(cls, spider: Any) -> SharedDupeFilter:
        dupefilter = super().from_spider(spider)
        dupefilter.fingerprinter = spider.crawler.request_fingerprinter
        return dupefilter

    def request_fingerprint(self, request: Any) -> str:
        if self.fingerprinter is None:
            return super().request_fingerprint(request)
        return self.fingerprinter.fingerprint(request).hex()


class SharedScheduler(Scheduler):
    """scrapy-redis' scheduler (queue and fingerprints in Redis, kept when a worker stops: SCHEDULER_PERSIST), its
    stats without the `spider` argument Scrapy 2.13+ deprecates, and a pop that never blocks the reactor."""

    def enqueue_request(self, request: Any) -> bool:
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            return False
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        self.queue.push(request)
        return True

    def next_request(self) -> Any:
        request = self.queue.pop(0)
        if request is not None and self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request
