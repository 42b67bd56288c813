"""`newscrawl serve`: a crawled database in Datasette, read-only, over real HTTP on 127.0.0.1 (and in Chromium)."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from conftest import NEWSCRAWL, ROOT, CrawlEnv, run
from crawler import serve

CHROMIUM = Path("/usr/bin/chromium")
OIL_TITLE = "Oil prices edge higher as supply worries offset weak demand"


class Server:
    """`newscrawl serve` on a free port of 127.0.0.1, as a subprocess."""

    def __init__(self, db: Path, log: Path) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        with log.open("w") as out:
            self.process = subprocess.Popen(
                [str(NEWSCRAWL), "serve", "--db", str(db), "--port", str(self.port)],
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"newscrawl serve exited with {self.process.returncode}: {self.log.read_text()}")
            try:
                with urllib.request.urlopen(self.url + "/-/versions.json", timeout=2):
                    return
            except OSError:
                time.sleep(0.2)
        pytest.fail(f"newscrawl serve did not answer within {timeout} s: {self.log.read_text()}")

    def get(self, path: str, method: str = "GET") -> tuple[int, str]:
        request = urllib.request.Request(self.url + path, method=method)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8", "replace")

    def json(self, path: str) -> Any:
        status, text = self.get(path)
        assert status == 200, text[:2000]
        return json.loads(text)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture(scope="module")
def server(crawled: CrawlEnv) -> Iterator[Server]:
    running = Server(crawled.db, crawled.db.parent / "serve.log")
    try:
        running.wait_ready()
        yield running
    finally:
        running.stop()


def test_index_and_table_pages(server):
    status, index = server.get("/")
    assert status == 200 and "newscrawl" in index and "News articles" in index
    status, page = server.get("/news/articles")
    assert status == 200 and OIL_TITLE in page
    for facet in ("source", "language", "section"):
        assert f'data-column="{facet}"' in page
    assert "articles_fts" not in server.get("/news")[1]  # the full-text tables are hidden


def test_table_json_api(server, crawled):
    rows = server.json("/news/articles.json?_shape=array&_size=max")
    assert {row["id"] for row in rows} == {row["id"] for row in crawled.rows("SELECT id FROM articles")}
    assert {row["source"] for row in rows} == {"aljarida", "aggregator", "mirror"}


def test_full_text_search(server, crawled):
    rows = server.json("/news/search.json?_shape=array&q=oil+supply")
    assert [row["title"] for row in rows] == [OIL_TITLE]
    assert "[oil]" in rows[0]["snippet"].lower()


@pytest.mark.parametrize("query", ["الكويت", "والحرارة", "درجات الحرارة", '"موجة حارة"', "الكويت -النفط", "حرار*"])
def test_serve_finds_what_newscrawl_search_finds(server, crawled, query):
    cli = crawled.newscrawl("search", query, "--format", "json", "--limit", "100")
    assert cli.returncode in (0, 1), cli.stderr
    served = server.json(f"/news/search.json?_shape=array&q={quote(query)}")
    assert [row["url"] for row in served] == [row["url"] for row in json.loads(cli.stdout)]
    assert served or query == "الكويت -النفط"


def test_canned_queries(server, crawled):
    latest = server.json("/news/latest_per_source.json?_shape=array&per_source=2")
    assert [row["source"] for row in latest] == ["aggregator"] * 2 + ["aljarida"] * 2 + ["mirror"] * 2
    assert latest[0]["title"] == OIL_TITLE  # the newest aggregator article

    (original,) = [row["id"] for row in crawled.rows("SELECT id FROM articles WHERE url LIKE '%/article/74480'")]
    first, second = [row["id"] for row in crawled.rows("SELECT id FROM articles WHERE duplicate_of = ?", original)]
    for asked in (original, second):
        rows = server.json(f"/news/duplicates.json?_shape=array&id={asked}")
        assert [(row["role"], row["id"]) for row in rows] == [
            ("original", original),
            ("duplicate", first),
            ("duplicate", second),
        ]

    per_day = server.json("/news/articles_per_day.json?_shape=array")
    assert sum(row["articles"] for row in per_day) == len(crawled.rows("SELECT id FROM articles"))
    assert {"day": "2024-08-11", "source": "aggregator", "articles": 2, "dated_by_first_seen": 0} in per_day
    only = server.json("/news/articles_per_day.json?_shape=array&source=mirror")
    assert {row["source"] for row in only} == {"mirror"}


def test_writes_are_refused_and_the_file_is_unchanged(server, crawled):
    before = hashlib.sha256(crawled.db.read_bytes()).hexdigest()
    status, _ = server.get("/news.json?sql=" + quote("DELETE FROM articles"))
    assert status == 400
    status, text = server.get("/news.json?sql=" + quote("WITH x AS (SELECT 1) DELETE FROM articles"))
    assert "readonly database" in text, text[:500]
    status, _ = server.get("/news/articles", method="POST")
    assert status >= 400
    assert hashlib.sha256(crawled.db.read_bytes()).hexdigest() == before
    assert server.json("/news/articles.json?_shape=array&_size=max")


def test_even_datasettes_write_connection_is_query_only(crawled, tmp_path):
    """The plugin sets query_only on every connection, the one Datasette opens for writes included."""
    copy = Path(shutil.copy(crawled.db, tmp_path / "news.db"))
    datasette = serve.make_datasette(copy)
    database = datasette.get_database("news")
    assert asyncio.run(database.execute("SELECT newscrawl_day('2024-08-11T23:30:00-02:00')")).rows[0][0] == "2024-08-12"
    with pytest.raises(Exception, match="readonly"):
        asyncio.run(database.execute_write("DELETE FROM articles"))


def test_build_metadata_wires_search_and_facets(crawled):
    database = serve.build_metadata(crawled.db)["databases"]["news"]
    table = database["tables"]["articles"]
    assert "articles_fts match newscrawl_match(:q)" in database["queries"]["search"]["sql"]
    assert table["facets"] == ["source", "language", "section"] and table["label_column"] == "title"


def test_search_page_in_headless_chromium(server, tmp_path):
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing in CI (make test installs it with apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} not installed (make test installs it: apt-get install -y chromium)")
    url = f"{server.url}/news/search?q=oil"
    result = subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    dom = result.stdout
    assert "1 row" in dom, dom[:3000]
    assert OIL_TITLE in dom


def test_missing_database_is_one_line_and_exit_2(tmp_path):
    result = run([str(NEWSCRAWL), "serve", "--db", str(tmp_path / "none.db")])
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"newscrawl: error: {tmp_path / 'none.db'}: no database (run `newscrawl crawl` first)"
    ]


def test_without_datasette_it_says_what_to_install(crawled):
    hide = "import sys; sys.modules['datasette'] = None; from crawler.cli import main; main()"
    result = run([sys.executable, "-c", hide, "serve", "--db", str(crawled.db)])
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "newscrawl: error: datasette is not installed: pip install 'newscrawl[web]'"
    ]
