"""Scale-out on scrapy-redis: a request frontier shared by `newscrawl worker` processes on any number of machines,
and a reliable item queue that one `newscrawl ingest` writer drains into SQLite.

Keys (all under NEWSCRAWL_REDIS_PREFIX, "newscrawl"):

    <prefix>:<source>:requests     the source's shared request queue (scrapy-redis priority queue)
    <prefix>:<source>:dupefilter   fingerprints of the requests scheduled in the current crawl of the source
    <prefix>:items                 extracted items (JSON), pushed by workers, oldest at the right
    <prefix>:items:processing      items the writer has taken and not yet committed to SQLite
    <prefix>:items:failed          items a pipeline raised on (kept for a look, not retried)
"""

from __future__ import annotations

import base64
import json
import logging
import os
import time
from collections.abc import AsyncIterator
from typing import Any

from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured
from twisted.internet import task

from crawler import settings as defaults
from crawler.crawl.runs import set_run_status
from crawler.items import Article, Fetch, NotArticle
from crawler.storage.db import utc_now

logger = logging.getLogger(__name__)

INSTALL_HINT = "pip install 'newscrawl[redis]'"


class RedisUnavailable(RuntimeError):
    """REDIS_URL is missing, scrapy-redis is not installed, or the server does not answer; one line says which."""


def redis_url(settings: Any) -> str:
    """The Redis server to share work through: the REDIS_URL setting, else the REDIS_URL environment variable."""
    return settings.get("REDIS_URL") or os.environ.get("REDIS_URL", "")


def connect(settings: Any) -> Any:
    """A client of the Redis server of REDIS_URL (answers as str); RedisUnavailable when there is none."""
    url = redis_url(settings)
    if not url:
        raise RedisUnavailable("REDIS_URL is not set (e.g. REDIS_URL=redis://host:6379/0)")
    try:
        import redis
        import scrapy_redis  # noqa: F401  (the workers' scheduler)
    except ImportError as exc:
        raise RedisUnavailable(f"REDIS_URL is set but {exc.name} is not installed: {INSTALL_HINT}") from None
    server = redis.Redis.from_url(url, decode_responses=True, socket_connect_timeout=10)
    try:
        server.ping()
    except redis.RedisError as exc:
        raise RedisUnavailable(f"no Redis at {url}: {exc}") from None
    return server


def prefix(settings: Any) -> str:
    return settings.get("NEWSCRAWL_REDIS_PREFIX") or defaults.NEWSCRAWL_REDIS_PREFIX  # empty: the default


def configure_worker(settings: Any, seed: bool = False) -> None:
    """Turn the project settings into a worker's: requests and fingerprints in Redis (shared by every worker),
    items pushed to the item queue instead of the database, nothing written to SQLite."""
    connect(settings).close()
    key = prefix(settings)
    overrides = {
        "REDIS_URL": redis_url(settings),
        "SCHEDULER": "crawler.crawl.frontier.SharedScheduler",
        "DUPEFILTER_CLASS": "crawler.crawl.frontier.SharedDupeFilter",
        "SCHEDULER_PERSIST": True,  # a worker that stops leaves the queue to the others
        "SCHEDULER_QUEUE_KEY": f"{key}:%(spider)s:requests",
        "SCHEDULER_DUPEFILTER_KEY": f"{key}:%(spider)s:dupefilter",
        "ITEM_PIPELINES": {"pipelines.enqueue.EnqueuePipeline": 100},
        "NEWSCRAWL_WORKER_SEED": seed,
    }
    for name, value in overrides.items():
        settings.set(name, value, priority="cmdline")
    extensions = dict(settings.getdict("EXTENSIONS"))
    extensions.update({"crawler.crawl.runs.RunRecorder": None, "crawler.crawl.distributed.WorkerRun": 500})
    settings.set("EXTENSIONS", extensions, priority="cmdline")
    downloader = dict(settings.getdict("DOWNLOADER_MIDDLEWARES"))
    downloader["crawler.crawl.middlewares.ConditionalListings"] = None  # every listing read whole (see README)
    settings.set("DOWNLOADER_MIDDLEWARES", downloader, priority="cmdline")
    spider_mw = dict(settings.getdict("SPIDER_MIDDLEWARES"))
    spider_mw["crawler.crawl.distributed.SeedOnce"] = 10
    settings.set("SPIDER_MIDDLEWARES", spider_mw, priority="cmdline")


# --- requests: the shared frontier ----------------------------------------------------------------------------


class SeedOnce:
    """Spider middleware of workers: only a `newscrawl worker --seed` sends the source's start requests (sitemaps,
    feeds, sections, young articles to revisit) into the shared queue, after clearing the fingerprints of the
    previous crawl; other workers only take requests from the queue."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.seed = crawler.settings.getbool("NEWSCRAWL_WORKER_SEED")

    @classmethod
    def from_crawler(cls, crawler: Any) -> SeedOnce:
        if not redis_url(crawler.settings):
            raise NotConfigured("REDIS_URL is not set")
        return cls(crawler)

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        if not self.seed:
            return
        spider = self.crawler.spider
        key = self.crawler.settings.get("SCHEDULER_DUPEFILTER_KEY") % {"spider": spider.name}
        server = connect(self.crawler.settings)
        server.delete(key)  # a new crawl: what the last one fetched is in the database, not in the fingerprints
        server.close()
        spider.logger.info("seeding the shared queue of %s", spider.name)
        async for request in start:
            yield request


class WorkerRun:
    """Extension of workers: keeps a worker waiting while the shared queue is empty (other workers may still add
    to it), until it has stayed empty NEWSCRAWL_WORKER_IDLE seconds; sets the run status `run_crawl` reports (a
    worker writes no `runs` row: the writer does)."""

    POLL_SECONDS = 0.5  # a waiting worker looks at the shared queue this often (Scrapy's own heartbeat is 5 s)

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.idle = crawler.settings.getfloat("NEWSCRAWL_WORKER_IDLE")
        self.empty_since: float | None = None
        self.poll = task.LoopingCall(self.wake)

    @classmethod
    def from_crawler(cls, crawler: Any) -> WorkerRun:
        if not redis_url(crawler.settings):
            raise NotConfigured("REDIS_URL is not set")
        extension = cls(crawler)
        crawler.signals.connect(extension.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(extension.busy, signal=signals.response_received)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def busy(self, **kwargs: Any) -> None:
        self.empty_since = None

    def spider_idle(self, spider: Any) -> None:
        now = time.monotonic()
        if self.empty_since is None:
            self.empty_since = now
        if now - self.empty_since < self.idle:
            if not self.poll.running:
                self.poll.start(self.POLL_SECONDS, now=False)
            raise DontCloseSpider

    def wake(self) -> None:
        """Have the engine take requests other workers queued meanwhile now, not at its next 5 s heartbeat."""
        slot = getattr(self.crawler.engine, "_slot", None)  # no public API for "look at the scheduler again"
        if slot is not None and slot.scheduler.has_pending_requests():
            slot.nextcall.schedule()

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self.poll.running:
            self.poll.stop()
        ok = reason == "finished" and not self.crawler.stats.get_value("spider_exceptions/count", 0)
        set_run_status(self.crawler, "ok" if ok else "failed")


# --- items: the reliable queue between workers and the writer -------------------------------------------------


ENVELOPE = ("kind", "fetched_url", "response_url", "fetched_at", "kept_page", "declared_article")


def encode_item(item: Article | NotArticle, source: str, source_name: str) -> str:
    """An item as one JSON text: its record (`to_dict`) plus what the store needs of how it was fetched (page
    base64)."""
    fetch = item.fetch
    data = item.to_dict()
    kind = "article" if isinstance(item, Article) else "not_article"
    data["source"] = data.get("source") or source
    if kind == "article":
        data["source_name"] = data.get("source_name") or source_name
        data["declared_article"] = fetch.declared_article  # the writer's validation floor depends on it
    kept = fetch.kept_page
    data.update(
        kind=kind,
        fetched_url=fetch.fetched_url,
        response_url=fetch.response_url,
        fetched_at=fetch.fetched_at or utc_now(),
        kept_page=base64.b64encode(kept).decode("ascii") if kept is not None else None,
    )
    return json.dumps(data, ensure_ascii=False)


def decode_item(payload: str) -> Article | NotArticle:
    """The item of `encode_item`'s text, its record read back with `from_dict` (ValueError: not such an item)."""
    data = json.loads(payload)
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    envelope = {name: data.pop(name, None) for name in ENVELOPE}
    kept = envelope["kept_page"]
    fetch = Fetch(
        fetched_url=envelope["fetched_url"],
        response_url=envelope["response_url"],
        fetched_at=envelope["fetched_at"],
        kept_page=base64.b64decode(kept) if kept is not None else None,
        declared_article=bool(envelope["declared_article"]),
        source=data.get("source"),
    )
    if envelope["kind"] == "article":
        item: Article | NotArticle = Article.from_dict(data, in_flight=True)
    elif envelope["kind"] == "not_article":
        item = NotArticle.from_dict(data)
    else:
        raise ValueError(f"not an item of encode_item: kind {envelope['kind']!r}")
    item.fetch = fetch
    return item


class ItemQueue:
    """The item list with the reliable-queue pattern: the writer moves an item to a processing list as it takes
    it (LMOVE, atomic) and removes it from there only once the batch holding it is committed to SQLite; items
    a killed writer left in processing go back to the queue when the next writer starts."""

    def __init__(self, server: Any, key_prefix: str) -> None:
        self.server = server
        self.key = f"{key_prefix}:items"
        self.processing = f"{self.key}:processing"
        self.failed = f"{self.key}:failed"

    def push(self, payload: str) -> None:
        self.server.lpush(self.key, payload)

    def recover(self) -> int:
        """Put back what a previous writer took and did not commit (only one writer runs per database)."""
        count = 0
        while self.server.lmove(self.processing, self.key, "LEFT", "RIGHT") is not None:
            count += 1
        return count

    def take(self) -> str | None:
        """The oldest item, now in processing; None when the queue is empty."""
        return self.server.lmove(self.key, self.processing, "RIGHT", "LEFT")

    def done(self, payloads: list[str]) -> None:
        """Forget items whose rows are committed."""
        if payloads:
            with self.server.pipeline() as pipe:
                for payload in payloads:
                    pipe.lrem(self.processing, 1, payload)
                pipe.execute()

    def fail(self, payload: str) -> None:
        with self.server.pipeline() as pipe:
            pipe.lpush(self.failed, payload)
            pipe.lrem(self.processing, 1, payload)
            pipe.execute()

    def __len__(self) -> int:
        return self.server.llen(self.key)
