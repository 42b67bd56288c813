"""Extraction in worker processes: the same records as inline, and a dying worker fails only its own page."""

from __future__ import annotations

import asyncio
import os
from types import SimpleNamespace

from conftest import SITES
from crawler.extraction import extract
from crawler.pool import ExtractionPool, WorkerDied

PAGE = SITES / "aljarida" / "article" / "74480.html"


def test_a_dead_worker_fails_its_task_and_the_pool_goes_on():
    pool = ExtractionPool(2)
    spider = SimpleNamespace()
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
    assert spider.extraction_pool is pool and pool.executor is None
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
