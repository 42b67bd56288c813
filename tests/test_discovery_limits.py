"""Discovery stays bounded: real `newscrawl crawl` runs of generated listings (tests/faultserver.py) with per-run
limits on child sitemaps and article URLs, newest first, articles fetched while listings remain, requests on disk."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from faultserver import FaultServer
from scrapy.utils.request import request_from_dict
from scrapy.utils.test import get_crawler

from conftest import CrawlEnv
from crawler.crawl.discovery import Link, newest_first
from crawler.crawl.scheduler import SpiderRequest
from crawler.crawl.spiders.source import SourceSpider
from crawler.sources import parse_source

CHILDREN = 2000  # child sitemaps of the generated sitemap index, each listing one story
STORIES = 5000  # stories of the generated sitemap


@pytest.fixture
def site() -> Iterator[FaultServer]:
    with FaultServer(lifetime=150) as server:
        yield server


def crawl(env: CrawlEnv, server: FaultServer, sitemap: str, toml: str = "", **settings: Any) -> dict[str, Any]:
    """One `newscrawl crawl hostile` of `sitemap` on the server (`toml`: more lines of the source file): its runs
    row (limits decoded), stderr as `stderr`."""
    text = server.source_toml("hostile", sitemaps=[sitemap]) + toml
    (env.sources_dir / "hostile.toml").write_text(text, encoding="utf-8")
    sets = [item for name, value in settings.items() for item in ("--set", f"{name}={value}")]
    result = env.newscrawl("crawl", "hostile", *sets)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr[-3000:]
    run = env.rows("SELECT * FROM runs ORDER BY id DESC LIMIT 1")[0]
    return {**run, "limits": json.loads(run["limits"]), "stderr": result.stderr}


def requested(server: FaultServer, pattern: str) -> dict[int, float]:
    """Number -> time of the first request, of the paths matching `pattern` (one group: the number)."""
    found = {}
    for path, times in server.times.items():
        match = re.fullmatch(pattern, path)
        if match:
            found[int(match.group(1))] = times[0]
    return found


def test_a_sitemap_index_of_2000_children_is_cut_at_the_cap_newest_first_with_articles_fetched_early(env, site):
    cap = 60
    run = crawl(env, site, f"/sitemap-index-{CHILDREN}.xml", NEWSCRAWL_MAX_CHILD_SITEMAPS=cap)
    children = requested(site, r"/sitemap-child-(\d+)\.xml")
    stories = requested(site, r"/a/story/(\d+)")
    newest = set(range(CHILDREN - cap, CHILDREN))  # the index gives lastmod: the newest children are read
    assert set(children) == newest and all(site.hits[f"/sitemap-child-{i}.xml"] == 1 for i in children)
    assert set(stories) == newest
    assert min(stories.values()) < max(children.values()), "articles waited for every listing"
    assert env.rows("SELECT count(*) AS n FROM articles")[0]["n"] == cap
    assert run["status"] == "ok" and run["articles_new"] == cap
    assert run["limits"] == {"max_child_sitemaps": CHILDREN - cap}
    assert f"limits reached: max_child_sitemaps ({CHILDREN - cap} left out)" in run["stderr"]
    status = env.newscrawl("status")
    (line,) = [line for line in status.stdout.splitlines() if line.startswith("hostile")]
    assert f"max_child_sitemaps: {CHILDREN - cap} left out" in line, status.stdout


def test_a_sitemap_of_5000_urls_requests_at_most_max_scheduled_newest_first_and_the_next_run_goes_on(env, site):
    cap = 12
    first = crawl(env, site, f"/sitemap-stories-{STORIES}.xml", NEWSCRAWL_MAX_SCHEDULED=cap)
    assert set(requested(site, r"/a/story/(\d+)")) == set(range(STORIES - cap, STORIES))
    assert first["status"] == "ok" and first["articles_new"] == cap
    assert first["limits"] == {"max_scheduled": STORIES - cap}
    log = (env.db.parent / "logs" / "newscrawl.log").read_text(encoding="utf-8")
    assert "limit NEWSCRAWL_MAX_SCHEDULED reached" in log
    assert f"'scheduler/enqueued/disk': {cap + 1}," in log and "scheduler/enqueued/memory" not in log
    assert not any((env.db.parent / "queue").iterdir()), "the run's request queue was left behind"

    # a run cut by a limit does not date the next one's listings: what it left out (listed before it) comes next
    second = crawl(env, site, f"/sitemap-stories-{STORIES}.xml", NEWSCRAWL_MAX_SCHEDULED=cap)
    assert set(requested(site, r"/a/story/(\d+)")) == set(range(STORIES - 2 * cap, STORIES))
    assert second["articles_new"] == cap and second["limits"] == {"max_scheduled": STORIES - 2 * cap}


def test_the_source_max_articles_is_the_limit_when_it_is_the_smaller_one(env, site):
    run = crawl(env, site, "/sitemap-stories-50.xml", "max_articles = 3\n", NEWSCRAWL_MAX_SCHEDULED=5)
    assert set(requested(site, r"/a/story/(\d+)")) == {47, 48, 49}
    assert run["limits"] == {"max_articles": 47} and "limit max_articles (the source file) reached" in (
        env.db.parent / "logs" / "newscrawl.log"
    ).read_text(encoding="utf-8")


def test_newest_first_puts_dated_links_newest_first_then_the_undated_in_listed_order():
    day = datetime(2024, 8, 12, tzinfo=timezone.utc)
    links = [Link("u1"), Link("d1", day), Link("u2"), Link("d3", day + timedelta(days=2)), Link("d2", day)]
    assert [link.url for link in newest_first(links)] == ["d3", "d1", "d2", "u1", "u2"]


def test_a_stored_request_names_its_spider_methods_as_scrapy_does_and_comes_back_whole():
    data = {"name": "X", "homepage": "https://x.test/", "allowed_domains": ["x.test"], "article_url": "/a/"}
    source = parse_source("x", {**data, "feeds": ["https://x.test/rss"]}, "x.toml")
    spider_class = SourceSpider.for_source(source)
    spider = spider_class.from_crawler(get_crawler(spider_class))
    request = SpiderRequest(
        "https://x.test/a/1", spider.parse_article, errback=spider.on_error, meta={"newscrawl": "article"}, priority=10
    )
    stored = request.to_dict(spider=spider)
    assert stored == super(SpiderRequest, request).to_dict(spider=spider)  # Scrapy's own (slow) naming
    back = request_from_dict(stored, spider=spider)
    assert type(back) is SpiderRequest and back.callback == spider.parse_article and back.errback == spider.on_error
    assert (back.url, back.meta, back.priority) == (request.url, request.meta, request.priority)
