"""ExtractionPool: extraction off the reactor, in worker processes, each task under a deadline.

Scrapy's reactor is one thread and extraction is CPU-bound, so inline extraction caps a crawl at one core and lets
one pathological page stall the whole crawl. This extension is each RunState's `extraction_pool`; its spiders await
`run(extract, ..., timeout=...)` in it. Each worker process runs one task at a time, over its own pipe, so a worker
that dies (a crash, the OOM killer) or runs past the deadline (it is killed) fails only the task it held: a fresh
worker takes its place and the other workers' tasks go on. Back-pressure is Scrapy's own: a response stays in the
scraper's slot until its callback finishes, and the engine stops fetching while the slot holds more than
SCRAPER_SLOT_MAX_ACTIVE_SIZE bytes, so memory stays bounded when fetching outpaces extraction.

Each worker has a thread of its own (a Lane) that takes the next task from the pool's queue as soon as its worker has
answered, so a page reaches a free worker without waiting for the event loop, which is often busy for many ms
(Scrapy's response handling, the pipelines, the store writing a batch); `run` lets up to QUEUED_PER_WORKER tasks per
worker wait in the queue (each holds its page), and the answer comes back to the loop with call_soon_threadsafe.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import queue
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from multiprocessing.connection import Connection
from types import ModuleType
from typing import Any, ClassVar

from crawler.crawl.runstate import RunState

logger = logging.getLogger(__name__)

STOP_WAIT = 5.0  # seconds an idle worker gets to exit by itself at the end of a crawl before it is killed
QUEUED_PER_WORKER = 2  # tasks in the pool (running or queued) per worker: enough to keep each busy, few pages held
_starting = threading.Lock()  # one worker starts at a time: each swaps the process's __main__ while it starts


def _start_worker(conn: Connection, crawl_pid: int) -> None:
    """A worker process's target (crawler.crawl.poolworker is already loaded: it was imported in the forkserver)."""
    from crawler.crawl.poolworker import serve

    serve(conn, crawl_pid)


@contextmanager
def _main_left_out() -> Iterator[None]:
    """multiprocessing has each new process import the parent's main script first (in case a task pickles something
    defined there); `newscrawl`'s main is the whole CLI (Scrapy, sqlite-utils, ...), which a worker does not need:
    hide it while a worker starts."""
    with _starting:
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


class PoolClosed(Exception):
    """The pool closed before the task's turn came."""


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

    def call(self, function: Callable[..., Any], args: tuple[Any, ...], timeout: float | None) -> tuple[bool, Any]:
        """`function(*args)` in the worker (blocking): `(True, result)` or `(False, the exception it raised)`.
        WorkerDied when the process is gone, TimedOut (the worker still running) after `timeout` seconds."""
        try:
            self.conn.send((function, args))
            if not self.conn.poll(timeout):
                raise TimedOut(f"no result after {timeout:g} s; worker process {self.pid} killed and replaced")
            answer = self.conn.recv()
        except (EOFError, OSError):
            raise WorkerDied(f"worker process {self.pid} died running {function.__name__}") from None
        self.tasks += 1
        return answer

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


@dataclass
class Task:
    """One call for a worker, and the asyncio future (of the loop that awaits it) that gets its outcome."""

    function: Callable[..., Any]
    args: tuple[Any, ...]
    timeout: float | None
    future: asyncio.Future[Any]

    def settle(self, ok: bool, value: Any) -> None:
        """Hand the outcome to the awaiting loop (from a lane's thread); a cancelled task's outcome goes nowhere."""
        with suppress(RuntimeError):  # that loop is closed: nobody awaits the task any more
            self.future.get_loop().call_soon_threadsafe(_settle, self.future, ok, value)


def _settle(future: asyncio.Future[Any], ok: bool, value: Any) -> None:
    if future.done():  # cancelled
        return
    if ok:
        future.set_result(value)
    else:
        future.set_exception(value)


class Lane:
    """A thread and the worker process it feeds: it takes the pool's next task as soon as the worker is free, waits
    for its answer within the task's deadline (counted from the moment the worker starts it), and replaces the
    worker that timed out, died or answered `max_tasks` tasks, all off the event loop."""

    def __init__(self, pool: ExtractionPool) -> None:
        self.pool = pool
        self.worker: Worker | None = None
        self.busy: Worker | None = None  # the worker while it runs a task
        self.retired: list[Worker] = []  # workers told to exit, reaped once they have
        self.thread = threading.Thread(target=self.serve, daemon=True, name="extraction-pool")
        self.thread.start()

    def serve(self) -> None:
        """Run the pool's tasks one after another until the pool closes."""
        while (task := self.pool.tasks.get()) is not None:
            if task.future.cancelled():
                continue
            if self.pool.closing:
                task.settle(False, PoolClosed("the extraction pool closed before this task ran"))
                continue
            self.run(task)
        for worker in [*self.retired, *([self.worker] if self.worker else [])]:
            worker.stop()

    def run(self, task: Task) -> None:
        """One task in this lane's worker (started first if need be), its outcome handed back to the loop."""
        worker = self.worker = self.worker or Worker(self.pool.context)
        self.busy = worker
        try:
            ok, value = worker.call(task.function, task.args, task.timeout)
        except (TimedOut, WorkerDied) as exc:
            worker.kill()
            self.worker = None  # a fresh one starts with the next task
            ok, value = False, exc
        except Exception as exc:  # the task could not be sent (it does not pickle): the worker is fine
            ok, value = False, exc
        finally:
            self.busy = None
        task.settle(ok, value)
        if self.worker is worker and self.pool.max_tasks and worker.tasks >= self.pool.max_tasks:
            self.retire(worker)

    def retire(self, worker: Worker) -> None:
        """Tell `worker` to exit and start a fresh one in its place, now, so it is ready for the next task."""
        worker.retire()
        self.retired = [old for old in self.retired if old.process.is_alive()] + [worker]
        self.worker = Worker(self.pool.context)
        logger.info(
            "extraction worker %s retired after %d pages (NEWSCRAWL_WORKER_MAX_PAGES); worker %s takes its place",
            worker.pid,
            worker.tasks,
            self.worker.pid,
        )


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
        self.users = 0
        self.tasks: queue.SimpleQueue[Task | None] = queue.SimpleQueue()  # waiting for a lane; None: a lane ends
        self.lanes: list[Lane] = []
        self.closing = False
        self.slots: asyncio.Semaphore | None = None  # tasks in the pool; made in the running event loop
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
        """Stop every lane and its worker: a task still running has its worker killed, one still queued fails."""
        self.closing = True
        for lane in self.lanes:
            self.tasks.put(None)
            if (worker := lane.busy) is not None:
                worker.process.kill()  # its lane gets WorkerDied, reaps it and ends
        for lane in self.lanes:
            lane.thread.join()
        self.lanes, self.slots, self.closing = [], None, False

    async def run(self, function: Callable[..., Any], *args: Any, timeout: float | None = None) -> Any:
        """`function(*args)` in a worker process, once a worker is free. TimedOut when it runs longer than
        `timeout` seconds (from its start), WorkerDied when its worker died: either way that worker is gone and a
        fresh one takes its place. An exception the function raises is raised here."""
        if self.slots is None:
            self.slots = asyncio.Semaphore(QUEUED_PER_WORKER * self.workers)
        async with self.slots:
            if len(self.lanes) < self.workers:
                self.lanes.append(Lane(self))
            future = asyncio.get_running_loop().create_future()
            self.tasks.put(Task(function, args, timeout, future))
            return await future
