"""ExtractionPool: extraction off the reactor, in worker processes, each task under a deadline.

Scrapy's reactor is one thread and extraction is CPU-bound, so inline extraction caps a crawl at one core and lets
one pathological page stall the whole crawl. This extension is each RunState's `extraction_pool`; its spiders await
`run(extract, ..., timeout=...)` in it. Each worker process runs one task at a time, over its own pipe, so a worker
that dies (a crash, the OOM killer) or runs past the deadline (it is killed) fails only the task it held: a fresh
worker takes its place and the other workers' tasks go on. Back-pressure is Scrapy's own: a response stays in the
scraper's slot until its callback finishes, and the engine stops fetching while the slot holds more than
SCRAPER_SLOT_MAX_ACTIVE_SIZE bytes, so memory stays bounded when fetching outpaces extraction.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from multiprocessing.connection import Connection
from types import ModuleType
from typing import Any, ClassVar

from crawler.crawl.runstate import RunState

logger = logging.getLogger(__name__)

STOP_WAIT = 5.0  # seconds an idle worker gets to exit by itself at the end of a crawl before it is killed


def _start_worker(conn: Connection, crawl_pid: int) -> None:
    """A worker process's target (crawler.crawl.poolworker is already loaded: it was imported in the forkserver)."""
    from crawler.crawl.poolworker import serve

    serve(conn, crawl_pid)


@contextmanager
def _main_left_out() -> Iterator[None]:
    """multiprocessing has each new process import the parent's main script first (in case a task pickles something
    defined there); `newscrawl`'s main is the whole CLI (Scrapy, sqlite-utils, ...), which a worker does not need:
    hide it while a worker starts."""
    main = sys.modules["__main__"]
    sys.modules["__main__"] = ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = main


class WorkerDied(Exception):
    """The worker process running a task died before answering."""


class TimedOut(Exception):
    """A task ran past its deadline; its worker was killed and replaced."""


class Worker:
    """One worker process and the pipe to it."""

    def __init__(self, context: Any) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_start_worker, args=(child, os.getpid()), daemon=True, name="extraction")
        with _main_left_out():
            self.process.start()
        child.close()
        self.tasks = 0  # tasks it has answered

    @property
    def pid(self) -> int | None:
        return self.process.pid

    def call(self, function: Callable[..., Any], args: tuple[Any, ...]) -> Any:
        """`function(*args)` in the worker (blocking: run in a thread); WorkerDied when the process is gone."""
        try:
            self.conn.send((function, args))
            ok, value = self.conn.recv()
        except (EOFError, OSError):
            raise WorkerDied(f"worker process {self.pid} died running {function.__name__}") from None
        self.tasks += 1
        if ok:
            return value
        raise value

    def kill(self) -> None:
        """End the process at once (a thread waiting on its pipe then gets WorkerDied)."""
        self.process.kill()
        self.process.join()
        self.conn.close()

    def stop(self) -> None:
        """Let an idle worker exit (its pipe closes), killing it if it does not."""
        self.conn.close()
        self.process.join(STOP_WAIT)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()

    def retire(self) -> None:
        """Close the pipe of an idle worker: it exits by itself, in its own time (`stop` waits for that)."""
        self.conn.close()


class ExtractionPool:
    """NEWSCRAWL_EXTRACT_WORKERS worker processes (0: one per core), started as tasks need them, shared by every
    crawler of the process (`newscrawl crawl` runs one per source). Extraction never runs inline: one worker is
    still a process of its own, so the deadline holds whatever the setting. A worker that has answered
    `max_tasks` tasks (NEWSCRAWL_WORKER_MAX_PAGES; 0: no limit) is retired and a fresh one takes its place, so what
    extraction leaves behind in a process (caches, a fragmented heap) does not grow for the whole crawl. Workers are
    forked from a forkserver that has loaded extraction (crawler/crawl/poolworker.py): a fresh worker starts at once
    and shares those pages with the forkserver and the other workers."""

    _shared: ClassVar[dict[tuple[int, int], ExtractionPool]] = {}

    def __init__(self, workers: int, max_tasks: int = 0) -> None:
        self.workers = workers
        self.max_tasks = max_tasks
        self.retired: list[Worker] = []  # workers told to exit, reaped once they have
        self.users = 0
        self.executor: ThreadPoolExecutor | None = None  # threads that wait on the workers' pipes
        self.idle: list[Worker] = []
        self.busy: set[Worker] = set()
        self.slots: asyncio.Semaphore | None = None  # made in the running event loop, with the executor
        context = multiprocessing.get_context("forkserver")  # no fork of the reactor's threads
        context.set_forkserver_preload(["crawler.crawl.poolworker"])  # loaded once, not once per worker
        self.context = context

    @classmethod
    def from_crawler(cls, crawler: Any) -> ExtractionPool:
        from scrapy import signals  # here, not at the top: a worker imports this module, and needs no Scrapy

        workers = max(1, crawler.settings.getint("NEWSCRAWL_EXTRACT_WORKERS") or os.cpu_count() or 1)
        max_tasks = max(0, crawler.settings.getint("NEWSCRAWL_WORKER_MAX_PAGES"))
        pool = cls._shared.setdefault((workers, max_tasks), cls(workers, max_tasks))
        crawler.signals.connect(pool.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(pool.spider_closed, signal=signals.spider_closed)
        return pool

    def spider_opened(self, spider: Any) -> None:
        self.users += 1
        RunState.of(spider.crawler).extraction_pool = self

    def spider_closed(self, spider: Any) -> None:
        self.users -= 1
        if self.users == 0:
            self.close()

    def close(self) -> None:
        """Stop every worker and the threads waiting on them."""
        for worker in self.busy:
            worker.kill()
        for worker in self.idle + self.retired:
            worker.stop()
        self.idle, self.busy, self.retired = [], set(), []
        if self.executor is not None:
            self.executor.shutdown(wait=True)
            self.executor, self.slots = None, None

    async def run(self, function: Callable[..., Any], *args: Any, timeout: float | None = None) -> Any:
        """`function(*args)` in a worker process, waiting for a free worker first. TimedOut when it runs longer
        than `timeout` seconds, WorkerDied when its worker died: either way that worker is gone and a fresh one
        takes its place. An exception the function raises is raised here."""
        if self.executor is None or self.slots is None:
            self.executor = ThreadPoolExecutor(2 * self.workers, thread_name_prefix="extraction-pool")
            self.slots = asyncio.Semaphore(self.workers)
        async with self.slots:
            worker = self.idle.pop() if self.idle else Worker(self.context)
            self.busy.add(worker)
            call = asyncio.get_running_loop().run_in_executor(self.executor, worker.call, function, args)
            try:
                result = await asyncio.wait_for(call, timeout)
            except asyncio.TimeoutError:
                self.replace(worker)
                raise TimedOut(
                    f"no result after {timeout:g} s; worker process {worker.pid} killed and replaced"
                ) from None
            except (WorkerDied, asyncio.CancelledError):  # a cancelled task's answer would come to nobody
                self.replace(worker)
                raise
            except BaseException:
                self.release(worker)
                raise
            self.release(worker)
            return result

    def release(self, worker: Worker) -> None:
        """Back to the idle workers, or retired for a fresh one once it has answered `max_tasks` tasks."""
        self.busy.discard(worker)
        if self.max_tasks and worker.tasks >= self.max_tasks:
            worker.retire()
            self.retired = [old for old in self.retired if old.process.is_alive()] + [worker]
            fresh = Worker(self.context)
            logger.info(
                "extraction worker %s retired after %d pages (NEWSCRAWL_WORKER_MAX_PAGES); worker %s takes its place",
                worker.pid,
                worker.tasks,
                fresh.pid,
            )
            worker = fresh
        self.idle.append(worker)

    def replace(self, worker: Worker) -> None:
        """Kill `worker` and start a fresh one in its place."""
        self.busy.discard(worker)
        worker.kill()
        self.idle.append(Worker(self.context))
