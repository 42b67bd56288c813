"""Extraction in worker processes: the same records as inline, and a dying worker fails only its own page."""

from __future__ import annotations

import asyncio
import gc
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

from justext.core import define_stoplist
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
    assert RunState.of(spider.crawler).extraction_pool is pool and not pool.lanes
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


def gone(pids: set[int]) -> set[int]:
    """`pids` less those still running after a while (a retired worker exits by itself)."""
    deadline = time.monotonic() + 10
    while (alive := {pid for pid in pids if Path(f"/proc/{pid}").exists()}) and time.monotonic() < deadline:
        time.sleep(0.1)
    return pids - alive


def test_a_worker_is_replaced_by_a_fresh_one_after_its_pages_and_no_page_is_lost():
    pool = ExtractionPool(1, max_tasks=3)
    spider = SimpleNamespace(crawler=get_crawler())
    pool.spider_opened(spider)
    html = PAGE.read_bytes()
    url = "https://www.aljarida.com/article/74480"

    async def scenario() -> tuple[list[int], list[object]]:
        pids = [await pool.run(os.getpid) for _ in range(7)]
        records = await asyncio.gather(*(pool.run(extract, html, url) for _ in range(5)))
        return pids, records

    try:
        pids, records = asyncio.run(scenario())
        first, second, third = pids[0], pids[3], pids[6]
        assert pids == [first] * 3 + [second] * 3 + [third] and len({first, second, third}) == 3
        assert gone({first, second}) == {first, second}  # retired: each exits by itself
    finally:
        pool.spider_closed(spider)
    assert all(record == extract(html, url) for record in records)


def test_concurrent_tasks_never_go_past_a_workers_page_limit():
    pool = ExtractionPool(2, max_tasks=2)
    spider = SimpleNamespace(crawler=get_crawler())
    pool.spider_opened(spider)

    async def scenario() -> list[int]:
        return await asyncio.gather(*(pool.run(os.getpid) for _ in range(9)))

    try:
        pids = asyncio.run(scenario())
    finally:
        pool.spider_closed(spider)
    assert len(pids) == 9 and max(pids.count(pid) for pid in pids) <= 2 and len(set(pids)) >= 5


WORKER_MODULES = """
import asyncio, sys
from types import SimpleNamespace
from scrapy.utils.test import get_crawler
import crawler.cli  # what the `newscrawl` command's main script loads
from crawler.crawl.pool import ExtractionPool

if __name__ == "__main__":
    pool = ExtractionPool(1)
    spider = SimpleNamespace(crawler=get_crawler())
    pool.spider_opened(spider)
    code = "sorted({name.split('.')[0] for name in __import__('sys').modules})"
    print(" ".join(asyncio.run(pool.run(eval, code))))
    pool.spider_closed(spider)
"""


def test_a_worker_loads_extraction_but_not_the_crawl_or_the_cli(tmp_path):
    script = tmp_path / "main.py"
    script.write_text(WORKER_MODULES, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, cwd=Path(__file__).parents[1]
    )
    assert result.returncode == 0, result.stderr[-2000:]
    modules = set(result.stdout.split())
    assert {"crawler", "trafilatura", "lxml"} <= modules
    assert not modules & {"scrapy", "twisted", "sqlite_utils", "click"}


def test_a_crawl_recycling_its_worker_every_two_pages_stores_every_record(env):
    env.serve("aljarida")
    log = env.db.parent / "logs" / "newscrawl.log"
    outcomes = []
    for max_pages in ("0", "2"):
        sets = ("NEWSCRAWL_EXTRACT_WORKERS=1", f"NEWSCRAWL_WORKER_MAX_PAGES={max_pages}")
        result = env.newscrawl("crawl", "aljarida", *(item for s in sets for item in ("--set", s)))
        assert result.returncode == 0, result.stderr[-2000:]
        outcomes += env.rows("SELECT articles_new, articles_updated, articles_unchanged FROM runs")
        extracted = len(env.rows("SELECT url FROM pages"))
        env.rows("DELETE FROM pages")  # the second crawl fetches and extracts every article again
        env.rows("DELETE FROM runs")
        env.rows("DELETE FROM listings")  # and reads every listing whole
    new = len(env.rows("SELECT url FROM articles"))  # recycled, every record comes back the same: unchanged
    assert new and outcomes == [
        {"articles_new": new, "articles_updated": 0, "articles_unchanged": 0},
        {"articles_new": 0, "articles_updated": 0, "articles_unchanged": new},
    ]
    retired = re.findall(r"extraction worker (\d+) retired after (\d+) pages", log.read_text(encoding="utf-8"))
    assert len(retired) == extracted // 2 and {pages for _, pages in retired} == {"2"}
    assert len({pid for pid, _ in retired}) == len(retired)  # each a process of its own


RECORD_MODULES = """
import atexit, os, sys

def _record():
    names = sorted({name.split(".")[0] for name in sys.modules})
    with open(os.path.join(os.environ["MODULES_DIR"], str(os.getpid())), "w") as out:
        out.write(" ".join(names))

atexit.register(_record)
"""


def test_the_crawl_process_leaves_extraction_to_its_workers(env, tmp_path):
    """The crawl process (Scrapy) never loads trafilatura, langdetect or dateparser: its workers do."""
    hook, seen = tmp_path / "hook", tmp_path / "modules"
    hook.mkdir()
    seen.mkdir()
    (hook / "sitecustomize.py").write_text(RECORD_MODULES, encoding="utf-8")
    env.serve("aljarida")
    variables = {**os.environ, "PYTHONPATH": str(hook), "MODULES_DIR": str(seen)}
    result = env.newscrawl("crawl", "aljarida", "--set", "NEWSCRAWL_EXTRACT_WORKERS=1", env=variables)
    assert result.returncode == 0, result.stderr[-2000:]
    assert env.rows("SELECT count(*) AS n FROM articles")[0]["n"] > 0
    processes = [set(path.read_text(encoding="utf-8").split()) for path in seen.iterdir()]
    [crawl] = [modules for modules in processes if "scrapy" in modules]
    assert not crawl & {"trafilatura", "langdetect", "dateparser", "htmldate", "justext"}


def test_a_free_worker_takes_the_next_page_while_the_event_loop_is_busy(tmp_path):
    """The next task reaches a worker that has answered without the event loop's help: here the loop is stuck in
    synchronous work (as it is while Scrapy's pipelines or the store run) until the queued task has run."""
    pool = ExtractionPool(1)
    spider = SimpleNamespace(crawler=get_crawler())
    pool.spider_opened(spider)
    marker = tmp_path / "second-task-ran"

    async def scenario() -> bool:
        tasks = [asyncio.ensure_future(pool.run(time.sleep, 0.2)), asyncio.ensure_future(pool.run(Path.touch, marker))]
        await asyncio.sleep(0)  # both handed to the pool; the second waits for the only worker
        deadline = time.monotonic() + 60
        while not marker.exists() and time.monotonic() < deadline:  # the loop busy, never awaiting
            time.sleep(0.05)
        ran = marker.exists()
        await asyncio.gather(*tasks)
        return ran

    try:
        ran = asyncio.run(scenario())
    finally:
        pool.spider_closed(spider)
    assert ran and not pool.lanes


def test_a_tasks_deadline_counts_from_its_start_not_from_its_wait_for_a_worker():
    pool = ExtractionPool(1)
    spider = SimpleNamespace(crawler=get_crawler())
    pool.spider_opened(spider)

    async def scenario() -> list[object]:
        tasks = (pool.run(time.sleep, 3), pool.run(os.getpid, timeout=2), pool.run(os.getpid, timeout=2))
        return await asyncio.gather(*tasks, return_exceptions=True)

    try:
        slept, pid, same_pid = asyncio.run(scenario())
    finally:
        pool.spider_closed(spider)
    assert slept is None and isinstance(pid, int) and pid == same_pid


def test_a_worker_starts_from_a_forkserver_that_never_collected_in_full_and_collects_its_own_garbage():
    pool = ExtractionPool(1)
    spider = SimpleNamespace(crawler=get_crawler())
    pool.spider_opened(spider)

    async def worker_state() -> tuple[list[dict], int, bool, tuple[int, int]]:
        stats = await pool.run(gc.get_stats)  # a fresh worker's first task: the forkserver's counts
        frozen, enabled = await pool.run(gc.get_freeze_count), await pool.run(gc.isenabled)
        return stats, frozen, enabled, await pool.run(stoplist_sets_made)

    try:
        stats, frozen, enabled, stoplists = asyncio.run(worker_state())
    finally:
        pool.spider_closed(spider)
    # no full collection while extraction loaded (it would leave holes in pages a worker then fills, copying them)
    assert stats[2]["collections"] == 0
    assert frozen > 50_000  # what extraction loaded is out of the collector's sight
    assert enabled  # and a worker collects its own garbage
    # justext's set of every stoplist's words was made in the forkserver, shared: not once in each worker
    assert stoplists == (1, 1)


def stoplist_sets_made() -> tuple[int, int]:
    """(sets cached, sets made) by justext in this process."""
    info = define_stoplist.cache_info()
    return info.currsize, info.misses
