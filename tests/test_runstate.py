"""RunState: one object per crawler, reached by every component; JobSpider: what the spiders share."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from datetime import datetime, timezone
from typing import Any

from scrapy.extensions.spiderstate import SpiderState
from scrapy.utils.test import get_crawler

from conftest import NEWSCRAWL, run
from crawler.crawl.guard import AddressGuard
from crawler.crawl.runs import stop_run
from crawler.crawl.runstate import RunState
from crawler.crawl.spiders.imported import ImportSpider
from crawler.crawl.spiders.job import JobSpider
from crawler.crawl.spiders.kept import ReextractSpider
from crawler.crawl.spiders.source import SourceSpider
from crawler.sources import parse_source
from pipelines.store import StorePipeline

SOURCE = parse_source(
    "x",
    {"name": "X News", "homepage": "https://x.test/", "allowed_domains": ["x.test"], "article_url": "/a/", "feeds": ["https://x.test:8443/rss"]},
    "x.toml",
)
NOW = "2024-08-12T09:30:00+00:00"


def built(spider_class: type[JobSpider], args: dict[str, Any] | None = None, **settings: Any) -> Any:
    """A spider of `spider_class` built from a crawler of these settings, as Scrapy builds it."""
    crawler = get_crawler(spider_class, settings_dict={"NEWSCRAWL_SKIP_KNOWN": False, **settings})
    return spider_class.from_crawler(crawler, **(args or {}))


def test_every_component_of_a_crawler_reaches_the_same_run_state_and_another_crawler_its_own():
    spider = built(SourceSpider.for_source(SOURCE), NEWSCRAWL_GUARD=True)
    crawler = spider.crawler
    guard, store = AddressGuard.from_crawler(crawler), StorePipeline.from_crawler(crawler)
    assert RunState.of(crawler) is spider.run_state is RunState.of(guard.crawler) is RunState.of(store.crawler)
    assert RunState.of(get_crawler()) is not spider.run_state
    crawler.spider = spider
    assert guard.own_origins() == {("x.test", 443), ("x.test", 8443)}  # the source the spider gave the run state
    assert store.spider_source == ("x", "X News")


def test_each_spider_gives_the_run_state_its_kind_and_source():
    crawl = built(SourceSpider.for_source(SOURCE)).run_state
    reextract = built(ReextractSpider.for_source(SOURCE)).run_state
    imported = built(ImportSpider, {"path": "records.jsonl"}).run_state
    assert (crawl.kind, crawl.source, crawl.fetches) == ("crawl", SOURCE, True)
    assert (reextract.kind, reextract.source, reextract.fetches) == ("reextract", SOURCE, False)
    assert (imported.kind, imported.source, imported.fetches) == ("import", None, False)


def test_the_run_state_leaves_the_spider_state_of_a_scrapy_jobdir_alone(tmp_path):
    spider = built(SourceSpider.for_source(SOURCE))
    keeper = SpiderState(str(tmp_path))  # JOBDIR set: Scrapy keeps `spider.state` there
    keeper.spider_opened(spider)
    spider.state["seen"] = 1
    keeper.spider_closed(spider)
    assert (tmp_path / "spider.state").exists() and spider.run_state is RunState.of(spider.crawler)


def test_a_source_spider_runs_as_of_newscrawl_now_and_the_others_as_of_the_real_time():
    assert built(SourceSpider.for_source(SOURCE), NEWSCRAWL_NOW=NOW).now() == datetime.fromisoformat(NOW)
    before = datetime.now(timezone.utc)
    as_of = built(ImportSpider, {"path": "records.jsonl"}, NEWSCRAWL_NOW=NOW).now()
    assert before <= as_of <= datetime.now(timezone.utc)


def test_a_spider_yielding_items_from_start_ends_its_loop_once_the_run_is_stopped():
    spider = built(ImportSpider, {"path": "records.jsonl"})
    given = []
    for item in spider.until_stopped(range(10)):
        given.append(item)
        if item == 2:
            stop_run(spider.crawler, "disk_full")
    assert given == [0, 1, 2]


def test_the_first_stop_reason_stays_and_the_stats_still_report_it():
    crawler = built(ImportSpider, {"path": "records.jsonl"}).crawler
    assert not RunState.of(crawler).stopped
    stop_run(crawler, "disk_full")
    stop_run(crawler, "db_write")  # a later failure does not change why the run stopped
    assert RunState.of(crawler).stop_reason == "disk_full"
    assert crawler.stats.get_value("newscrawl/stop_reason") == "disk_full"


def test_a_record_is_stored_with_the_id_of_the_run_the_recorder_opened(tmp_path):
    db, records = tmp_path / "news.db", tmp_path / "records.jsonl"
    record = {"url": "https://x.test/a/1", "title": "Harbour quay opens", "body": "The quay opened today. " * 12}
    records.write_text(json.dumps(record) + "\n", encoding="utf-8")
    result = run([str(NEWSCRAWL), "import", str(records), "--db", str(db)])
    assert result.returncode == 0, result.stderr[-2000:]
    assert "import: ok, 0 pages, 1 new" in result.stderr
    with closing(sqlite3.connect(db)) as conn:
        runs = conn.execute("SELECT id, kind, status FROM runs").fetchall()
        stored = conn.execute("SELECT run_id FROM articles").fetchall()
    assert len(runs) == 1 and runs[0][1:] == ("import", "ok")
    assert stored == [(runs[0][0],)]
