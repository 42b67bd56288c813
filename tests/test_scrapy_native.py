"""Scrapy's own commands on the project, as the README promises: feed exports, parse, shell, crawl's exit status."""

from __future__ import annotations

import csv
import json
from dataclasses import fields

from conftest import SITES
from crawler import settings
from crawler.items import Article
from crawler.storage.db import ARTICLE_COLUMNS

EXPECTED = {page["path"]: page for page in json.loads((SITES / "aljarida" / "expected.json").read_text("utf-8"))}
HEATWAVE = EXPECTED["/article/74480"]


def exported(env) -> dict[str, dict]:
    """What `newscrawl export` writes of the env's database, by URL."""
    result = env.newscrawl("export")
    assert result.returncode == 0, result.stderr
    return {record["url"]: record for record in map(json.loads, result.stdout.splitlines())}


def test_feed_fields_are_the_exported_fields_an_item_has():
    on_item = {f.name for f in fields(Article)}
    assert [name for name in [*ARTICLE_COLUMNS, "images"] if name in on_item] == settings.FEED_EXPORT_FIELDS


def test_scrapy_crawl_writes_the_records_as_json_lines_and_csv(env, tmp_path):
    env.serve("aggregator")
    jsonl = tmp_path / "out.jsonl"
    result = env.scrapy("crawl", "aggregator", "-O", str(jsonl))
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Error caught on signal handler" not in result.stderr, result.stderr[-3000:]
    assert result.stderr.strip().splitlines()[-1].startswith("newscrawl: aggregator: ok, 6 pages, 3 new")
    stored = exported(env)
    records = [json.loads(line) for line in jsonl.read_text("utf-8").splitlines()]
    assert len(records) == len(stored) == 3
    for record in records:
        assert list(record) == settings.FEED_EXPORT_FIELDS
        assert record == {name: stored[record["url"]][name] for name in settings.FEED_EXPORT_FIELDS}
    assert any(record["images"] and record["authors"] for record in records)

    table = tmp_path / "out.csv"
    again = env.scrapy("crawl", "aggregator", "-O", str(table), NEWSCRAWL_SKIP_KNOWN="0")  # stored: fetched again
    assert again.returncode == 0, again.stderr[-3000:]
    with table.open(encoding="utf-8", newline="") as text:
        rows = list(csv.DictReader(text))
    assert len(rows) == 3 and list(rows[0]) == settings.FEED_EXPORT_FIELDS
    for row in rows:
        record = stored[row["url"]]
        assert json.loads(row["images"]) == record["images"]
        assert json.loads(row["authors"]) == record["authors"] and json.loads(row["tags"]) == record["tags"]
        assert row["title"] == record["title"] and row["body"] == record["body"]


def test_scrapy_crawl_of_a_failed_run_says_so_last_and_exits_1(env):
    env.serve("aljarida").stop()  # its source points at a port nobody answers any more
    result = env.scrapy("crawl", "aljarida", RETRY_TIMES="0")
    assert result.returncode == 1, result.stderr[-3000:]
    lines = result.stderr.strip().splitlines()
    assert lines[-2].startswith("newscrawl: aljarida: failed, 0 pages"), lines[-2:]
    assert lines[-1] == f"newscrawl: source aljarida failed (see the runs table of {env.db})"
    assert env.rows("SELECT status FROM runs") == [{"status": "failed"}]


def test_scrapy_parse_shows_the_record_and_records_no_run(env):
    server = env.serve("aljarida")
    result = env.scrapy("parse", "--spider", "aljarida", "--nocolour", f"{server.base_url}/article/74480")
    assert result.returncode == 0, result.stderr[-3000:]
    assert " ERROR: " not in result.stderr, result.stderr[-3000:]
    assert "# Scraped Items" in result.stdout and repr(HEATWAVE["title"]) in result.stdout, result.stdout[-3000:]
    assert repr(HEATWAVE["authors"][0]) in result.stdout
    assert not env.db.exists() or env.rows("SELECT * FROM runs") == []

    feed = env.scrapy("parse", "--nocolour", f"{server.base_url}/rssFeed/1")  # the spider found by the URL
    assert feed.returncode == 0, feed.stderr[-3000:]
    assert f"<GET {server.base_url}/article/74480>" in feed.stdout, feed.stdout[-3000:]
    assert not env.db.exists() or env.rows("SELECT * FROM runs") == []


def test_scrapy_shell_opens_a_source_page_with_its_spider(env):
    server = env.serve("aljarida")
    code = "(spider.name, response.status, response.css('h1::text').get())"
    result = env.scrapy("shell", f"{server.base_url}/article/74480", "-c", code)
    assert result.returncode == 0, result.stderr[-3000:]
    assert " ERROR: " not in result.stderr and "Traceback" not in result.stderr, result.stderr[-3000:]
    assert result.stdout.strip() == repr(("aljarida", 200, HEATWAVE["title"]))
    assert not env.db.exists() or env.rows("SELECT * FROM runs") == []


def test_scrapy_crawl_listens_on_no_port(env):
    """Scrapy's telnet console and its remote-control HTTP server (which runs the Python code sent to it) are off:
    each logs the port it listens on when it starts."""
    env.serve("aggregator")
    result = env.scrapy("crawl", "aggregator", LOG_LEVEL="INFO")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Crawled 6 pages" in result.stderr or "newscrawl: aggregator: ok" in result.stderr
    assert "Telnet console listening" not in result.stderr
    assert "Remote control HTTP server listening" not in result.stderr
