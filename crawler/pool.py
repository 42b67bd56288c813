"""ExtractionPool: extraction off the reactor, in worker processes, so a crawl uses every core.

Scrapy's reactor is one thread and extraction is CPU-bound, so inline extraction caps a crawl at one core. This
extension gives each spider `extraction_pool`; `SourceSpider.parse_article` awaits `run(extract, ...)` in it.
Back-pressure is Scrapy's own: a response stays in the scraper's slot until its callback finishes, and the engine
stops fetching while the slot holds more than SCRAPER_SLOT_MAX_ACTIVE_SIZE bytes, so memory stays bounded when
fetching outpaces extraction. A worker that dies (a crash, the OOM killer) fails only the pages it held: the pool
is started again for the next ones.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, ClassVar

from scrapy import signals
from scrapy.exceptions import NotConfigured


def _exit_with(crawl_pid: int) -> None:
    """In each worker: exit as soon as the crawl process is gone (killed with SIGKILL, its pool never said stop),
    instead of waiting forever for work."""

    def watch() -> None:
        while True:
            time.sleep(1)
            try:
                state = Path(f"/proc/{crawl_pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            except (OSError, IndexError):
                os._exit(0)
            if state in ("Z", "X"):  # dead, not yet reaped by whoever started it
                os._exit(0)

    threading.Thread(target=watch, daemon=True, name="exit-with-crawl").start()


class WorkerDied(Exception):
    """The worker process running a task died before answering."""


class ExtractionPool:
    """One process pool of NEWSCRAWL_EXTRACT_WORKERS processes (0: the machine's cores; 1: no pool, extraction
    stays inline), shared by every crawler of the process (`newscrawl crawl` runs one per source)."""

    _shared: ClassVar[dict[int, ExtractionPool]] = {}

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.users = 0
        self.executor: ProcessPoolExecutor | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> ExtractionPool:
        workers = crawler.settings.getint("NEWSCRAWL_EXTRACT_WORKERS") or os.cpu_count() or 1
        if workers <= 1:
            raise NotConfigured("extraction runs inline (NEWSCRAWL_EXTRACT_WORKERS = 1)")
        pool = cls._shared.setdefault(workers, cls(workers))
        crawler.signals.connect(pool.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(pool.spider_closed, signal=signals.spider_closed)
        return pool

    def _start(self) -> ProcessPoolExecutor:
        context = multiprocessing.get_context("forkserver")  # no fork of the reactor's threads
        context.set_forkserver_preload(["crawler.extraction"])  # imported once, not once per worker
        return ProcessPoolExecutor(self.workers, mp_context=context, initializer=_exit_with, initargs=(os.getpid(),))

    def spider_opened(self, spider: Any) -> None:
        self.users += 1
        if self.executor is None:
            self.executor = self._start()
        spider.extraction_pool = self

    def spider_closed(self, spider: Any) -> None:
        self.users -= 1
        if self.users == 0 and self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)  # idle workers: they are gone in a moment
            self.executor = None

    async def run(self, function: Callable[..., Any], *args: Any) -> Any:
        """`function(*args)` in a worker process; WorkerDied when its worker died (the pool is restarted)."""
        executor = self.executor or self._start()
        self.executor = executor
        try:
            return await asyncio.wrap_future(executor.submit(function, *args))
        except BrokenProcessPool:
            if self.executor is executor:  # the first task to notice restarts it; the others find it restarted
                executor.shutdown(wait=False, cancel_futures=True)
                self.executor = self._start()
            raise WorkerDied(f"worker process died running {function.__name__}") from None
