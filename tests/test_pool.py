"""Extraction in worker processes: the same records as inline, and a dying worker fails only its own page."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import time
from pathlib import Path
from types import SimpleNamespace

from scrapy.utils.test import get_crawler

from conftest import NEWSCRAWL, SITES
from crawler.crawl.pool import ExtractionPool, TimedOut, WorkerDied
from crawler.crawl.runstate import RunState
from crawler.extraction import extract

PAGE = SITES / "aljarida" / "article" / "74480.html"


def test_a_dead_worker_fails_its_task_and_the_pool_goes_on():
    pool = ExtractionPool(2)
    spider = SimpleNamespace(crawler=get_crawler())
    pool.spider_opened(spider)
    html = PAGE.read_bytes()

    async def scenario() -> list[object]:
        crashed = pool.run(os._exit, 1)
        results = await asyncio.gather(crashed, return_exceptions=True)
        after = await asyncio.gather(
            *(pool.run(extract, html, "https://www.aljarida.com/article/74480") for _ in range(4))
        )
        return [*results, *after]

    try:
        died, *records = asyncio.run(scenario())
    finally:
        pool.spider_closed(spider)
    assert isinstance(died, WorkerDied)
    assert RunState.of(spider.crawler).extraction_pool is pool and pool.executor is None
    expected = extract(html, "https://www.aljarida.com/article/74480")
    assert all(record == expected for record in records)


def test_a_crawl_stores_the_same_records_with_and_without_the_pool(env):
    env.serve("aljarida")
    fields = "url, title, body, caption, authors, published_at, language, section, tags"
    stored, outcomes = [], []
    for workers in ("1", "2"):
        result = env.newscrawl("crawl", "aljarida", "--set", f"NEWSCRAWL_EXTRACT_WORKERS={workers}")
        assert result.returncode == 0, result.stderr[-2000:]
        stored.append(env.rows(f"SELECT {fields} FROM articles ORDER BY url"))
        outcomes += env.rows("SELECT articles_new, articles_updated, articles_unchanged FROM runs")
        env.rows("DELETE FROM pages")  # the second crawl fetches every article again
        env.rows("DELETE FROM runs")
        env.rows("DELETE FROM listings")  # and reads every listing whole
    assert stored[0] and stored[0] == stored[1]
    new = len(stored[0])  # the pool's records equal the inline ones: every article is found unchanged
    assert outcomes == [
        {"articles_new": new, "articles_updated": 0, "articles_unchanged": 0},
        {"articles_new": 0, "articles_updated": 0, "articles_unchanged": new},
    ]


def descendants(pid: int) -> set[int]:
    """Every living process below `pid` (read from /proc)."""
    parents = {}
    for entry in Path("/proc").iterdir():
        try:
            parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (ValueError, OSError, IndexError):
            continue
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def test_the_workers_of_a_killed_crawl_exit_too(env):
    env.serve("aljarida")
    command = [str(NEWSCRAWL), "crawl", "--db", str(env.db), "--sources-dir", str(env.sources_dir)]
    crawl = subprocess.Popen([*command, "--set", "NEWSCRAWL_EXTRACT_WORKERS=2"], stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while len(pool := descendants(crawl.pid)) < 3 and time.monotonic() < deadline:  # forkserver and 2 workers
        time.sleep(0.1)
    crawl.send_signal(signal.SIGKILL)
    crawl.wait()
    assert len(pool) >= 3
    deadline = time.monotonic() + 10
    while (alive := {pid for pid in pool if Path(f"/proc/{pid}").exists()}) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not alive, f"pool processes left behind: {alive}"


def test_a_task_past_its_deadline_has_its_worker_killed_and_replaced_while_the_others_go_on():
    pool = ExtractionPool(2)
    spider = SimpleNamespace(crawler=get_crawler())
    pool.spider_opened(spider)
    html = PAGE.read_bytes()
    url = "https://www.aljarida.com/article/74480"

    async def scenario() -> tuple[list[object], set[int]]:
        results = await asyncio.gather(
            pool.run(time.sleep, 600, timeout=1),
            *(pool.run(extract, html, url) for _ in range(4)),
            return_exceptions=True,
        )
        pids = set(await asyncio.gather(*(pool.run(os.getpid) for _ in range(4))))
        return results, pids

    try:
        (cut, *records), pids = asyncio.run(scenario())
    finally:
        pool.spider_closed(spider)
    assert isinstance(cut, TimedOut), cut
    killed = int(re.search(r"worker process (\d+) killed", str(cut)).group(1))
    assert not Path(f"/proc/{killed}").exists() and killed not in pids
    assert all(record == extract(html, url) for record in records)


def test_a_dying_worker_fails_only_its_own_task():
    pool = ExtractionPool(2)
    spider = SimpleNamespace(crawler=get_crawler())
    pool.spider_opened(spider)

    async def scenario() -> list[object]:
        tasks = (pool.run(time.sleep, 2), pool.run(os._exit, 1), pool.run(time.sleep, 2))
        return await asyncio.gather(*tasks, return_exceptions=True)

    try:
        slept, died, slept_too = asyncio.run(scenario())
    finally:
        pool.spider_closed(spider)
    assert isinstance(died, WorkerDied) and slept is None and slept_too is None
