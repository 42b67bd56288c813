"""CLI bad input: one line naming the file and the problem, a status to act on, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import NEWSCRAWL, run
from crawler.crawl.lock import CrawlLock


def one_line_error(result, status: int, *needles: str) -> None:
    assert result.returncode == status, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    for needle in needles:
        assert needle in lines[0]


def test_search_and_crawl_on_a_file_that_is_not_a_database(tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_text("not sqlite at all\n" * 100)
    one_line_error(run([str(NEWSCRAWL), "search", "oil", "--db", str(junk)]), 2, str(junk), "not a database")
    one_line_error(run([str(NEWSCRAWL), "crawl", "--db", str(junk)]), 2, str(junk), "not a database")


def test_search_without_a_database(tmp_path):
    missing = tmp_path / "none.db"
    one_line_error(run([str(NEWSCRAWL), "search", "oil", "--db", str(missing)]), 2, str(missing), "no database")


def test_unknown_source(tmp_path):
    result = run([str(NEWSCRAWL), "crawl", "nosuch", "--db", str(tmp_path / "n.db")])
    one_line_error(result, 2, "unknown source 'nosuch'")


def test_extract_of_a_binary_file_gives_the_reason(tmp_path):
    image = tmp_path / "photo.html"
    image.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 4)
    result = run([str(NEWSCRAWL), "extract", str(image), "--url", "https://news.example/a"])
    assert result.returncode == 1, result.stderr
    assert json.loads(result.stdout)["reason"] == "binary content, not HTML"


def test_a_second_crawl_on_the_same_database_is_skipped_with_status_0(env):
    env.serve("aggregator")
    with CrawlLock(env.db):
        result = env.newscrawl("crawl")
    assert result.returncode == 0, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("newscrawl: skipped: another crawl (pid ")
    assert not env.db.exists() or not env.rows("SELECT * FROM runs")


def test_a_lock_left_by_a_killed_run_is_taken_over(env):
    env.serve("aggregator")
    Path(f"{env.db}.lock").write_text("999999\n")  # a pid that is gone; no process holds the lock
    result = env.newscrawl("crawl")
    assert result.returncode == 0, result.stderr
    assert env.rows("SELECT status FROM runs") == [{"status": "ok"}]


def test_crawl_logs_to_a_file_and_summarises_on_stderr(env):
    env.serve("aggregator")
    result = env.newscrawl("crawl")
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip().splitlines() == [
        "newscrawl: aggregator: ok, 6 pages, 3 new, 0 updated, 0 unchanged, 0 duplicates, 0 rejected, 0 errors"
    ]
    log = (env.db.parent / "logs" / "newscrawl.log").read_text(encoding="utf-8")
    assert "INFO: Spider opened" in log and "run 1 of aggregator: ok" in log


def test_scrapy_crawl_on_an_unusable_database_path_says_so_in_one_line(env, tmp_path):
    env.serve("aljarida")
    not_a_folder = tmp_path / "plain-file"
    not_a_folder.write_text("x")
    result = env.scrapy("crawl", "aljarida", NEWSCRAWL_DB=str(not_a_folder / "news.db"))
    errors = [line for line in result.stderr.splitlines() if " ERROR: " in line]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert len(errors) == 1 and f"{not_a_folder / 'news.db'}: cannot write" in errors[0], errors
    assert "Spider closed (db_write)" in result.stderr


def test_scrapy_crawl_of_a_site_that_is_down_logs_no_traceback(env):
    env.serve("aljarida").stop()  # its source points at a port nobody answers any more
    result = env.scrapy("crawl", "aljarida")
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert "Connection was refused" in result.stderr and "robots.txt" in result.stderr
