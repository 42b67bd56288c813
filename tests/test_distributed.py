"""Scale-out on Redis: real `newscrawl worker` and `newscrawl ingest` processes sharing a real redis-server."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import pytest

from conftest import NEWSCRAWL, PROXY_VARIABLES, ROOT, CrawlEnv, run
from crawler.crawl.distributed import ItemQueue, decode_item, encode_item
from crawler.items import Article, Fetch, Image, NotArticle

redis = pytest.importorskip("redis", reason="the [redis] extra is not installed")
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
# every article of the replay (the oil tag list as a section reaches the last two), no revisits of young stories
SITE_EDIT = {
    "sections = [": 'sections = [\n  "https://www.aljarida.com/tags?query=النفط",',
    "revisit_hours = 6": "revisit_hours = 0",
}
WORKER_SETTINGS = {"CONCURRENT_REQUESTS": "2"}  # a worker takes at most 2 requests off the shared queue at a time


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A redis-server of its own on a free port: no persistence, its own folder; stopped after the module."""
    if not os.access(REDIS_SERVER, os.X_OK):
        pytest.skip("redis-server missing (apt-get install redis-server; `make test` does it)")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    folder = tmp_path_factory.mktemp("redis")
    command = [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    process = subprocess.Popen([*command, "--dir", str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            assert process.poll() is None and time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)
    try:
        yield url
    finally:
        client.close()
        process.terminate()
        process.wait(10)


@pytest.fixture
def server(redis_url: str) -> Iterator[redis.Redis]:
    """A client of the test Redis, emptied before each test."""
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    client.flushall()
    yield client
    client.close()


def command(env: CrawlEnv, name: str, *args: str, db: Path | None = None) -> list[str]:
    """`newscrawl NAME ARGS` on the env's database (worker: with its sources and quick local settings)."""
    full = [str(NEWSCRAWL), name, *args, "--db", str(db or env.db)]
    if name in ("worker", "crawl"):
        settings = {**env.fast, **(WORKER_SETTINGS if name == "worker" else {})}
        full += ["--sources-dir", str(env.sources_dir), *[f"--set={k}={v}" for k, v in settings.items()]]
    return full


def start(args: list[str], redis_url: str) -> subprocess.Popen:
    inherited = {k: v for k, v in os.environ.items() if k.lower() not in PROXY_VARIABLES}
    environ = {**inherited, "PYTHONUNBUFFERED": "1", "REDIS_URL": redis_url}
    return subprocess.Popen(args, cwd=ROOT, env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(process: subprocess.Popen, timeout: float = 60) -> str:
    """Wait for a process; its stderr, after checking it exited with 0 and without a traceback."""
    _, stderr = process.communicate(timeout=timeout)
    assert process.returncode == 0, stderr[-3000:]
    assert "Traceback" not in stderr, stderr[-3000:]
    return stderr


def article_urls(env: CrawlEnv, db: Path | None = None) -> list[str]:
    saved, env.db = env.db, db or env.db
    try:
        return [row["url"] for row in env.rows("SELECT url FROM articles")]
    finally:
        env.db = saved


def plain_crawl(env: CrawlEnv, tmp_path: Path) -> set[str]:
    """The articles an ordinary `newscrawl crawl` of the same site stores (into a database of its own)."""
    reference = tmp_path / "plain.db"
    result = run(command(env, "crawl", db=reference))
    assert result.returncode == 0, result.stderr[-3000:]
    urls = article_urls(env, reference)
    assert len(urls) >= 8
    return set(urls)


def path_of(url: str) -> str:
    return unquote("/" + url.split("://", 1)[1].split("/", 1)[1])


def fetched_articles(server_requests: list[str]) -> list[str]:
    articles = ("/article/", "/articles/", "/news/")  # current and archive ids, the aggregator's stories
    return [unquote(path) for path in server_requests if any(part in path for part in articles)]


def test_items_travel_as_json_with_the_page_they_came_from():
    article = Article(
        url="https://example.com/a",
        title="T",
        body="b",
        images=[Image("https://example.com/i.jpg", "c", "AFP")],
        authors=["A"],
        fetch=Fetch(
            fetched_url="https://example.com/a?x", kept_page="<p>é</p>".encode(), response_url="https://example.com/a"
        ),
    )
    back = decode_item(encode_item(article, "src", "Source"))
    assert isinstance(back, Article) and back.images == article.images
    assert back.fetch.kept_page == article.fetch.kept_page
    assert back.fetch.fetched_url == article.fetch.fetched_url and back.fetch.response_url == article.fetch.response_url
    assert back.source == "src" and back.source_name == "Source" and back.fetch.fetched_at
    assert back.to_dict() == {**article.to_dict(), "source": "src", "source_name": "Source"}
    section = NotArticle("https://example.com/s", "section", fetch=Fetch(fetched_url="https://example.com/s"))
    page = decode_item(encode_item(section, "k", "K"))
    assert isinstance(page, NotArticle) and page.reason == "section" and page.fetch.source == "k"
    assert page.fetch.kept_page is None and page.fetch.fetched_url == "https://example.com/s"


def test_worker_and_ingest_need_redis(env):
    env.serve("aljarida")
    for name in ("worker", "ingest"):
        result = run(command(env, name), env={"REDIS_URL": ""})
        assert result.returncode == 2 and result.stderr.strip().count("\n") == 0, result.stderr
        assert "REDIS_URL is not set" in result.stderr
    assert not env.db.exists()


def test_a_missing_extra_is_one_line_naming_what_to_install(env, redis_url):
    env.serve("aljarida")
    hide = "import sys; sys.modules['scrapy_redis'] = None; from crawler.cli import main; main()"
    for name in ("worker", "ingest"):
        result = run([sys.executable, "-c", hide, *command(env, name)[1:]], env={"REDIS_URL": redis_url})
        assert result.returncode == 2, result.stderr
        assert result.stderr.strip() == (
            "newscrawl: error: REDIS_URL is set but scrapy_redis is not installed: pip install 'newscrawl[redis]'"
        )


def test_two_workers_and_one_writer_store_every_article_once(env, tmp_path, server, redis_url):
    site = env.serve("aljarida", edit=SITE_EDIT)
    expected = plain_crawl(env, tmp_path)
    site.requests.clear()
    site.delay = 0.2  # slow enough that both workers take part
    writer = start(command(env, "ingest", "--idle", "25"), redis_url)  # longer than a loaded machine takes to push the first item
    helper = start(command(env, "worker", "--idle", "8"), redis_url)  # up and waiting before there is work
    seeder = start(command(env, "worker", "--seed", "--idle", "2"), redis_url)
    logs = [finish(seeder), finish(helper)]
    assert "ingest: ok" in finish(writer)
    urls = article_urls(env)
    assert len(urls) == len(set(urls)) and set(urls) == expected
    fetched = fetched_articles(site.requests)
    assert len(fetched) == len(set(fetched))  # the shared fingerprints: no page fetched by both workers
    pages = [int(log.split(" pages")[0].rsplit(" ", 1)[1]) for log in logs]
    assert all(count > 0 for count in pages), logs  # both workers fetched
    assert server.llen("newscrawl:items") == 0 and server.llen("newscrawl:items:processing") == 0
    (run_row,) = env.rows("SELECT * FROM runs")
    assert run_row["source"] == "ingest" and run_row["status"] == "ok" and run_row["articles_new"] == len(expected)


def test_a_killed_worker_loses_no_article(env, tmp_path, server, redis_url):
    site = env.serve("aljarida", edit=SITE_EDIT)
    expected = plain_crawl(env, tmp_path)
    site.delay = 0.3
    victim = start(command(env, "worker", "--seed", "--idle", "2"), redis_url)
    survivor = start(command(env, "worker", "--idle", "2"), redis_url)
    deadline = time.monotonic() + 60
    while server.llen("newscrawl:items") < 3 and victim.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert victim.poll() is None, "the worker ended before it could be killed"
    victim.send_signal(signal.SIGKILL)
    victim.communicate()
    finish(survivor)
    finish(start(command(env, "ingest", "--until-idle"), redis_url))
    stored = set(article_urls(env))
    assert 0 < len(stored) <= len(expected)
    known = {path_of(row["url"]) for row in env.rows("SELECT url FROM pages")}
    # the design: a new crawl (`worker --seed`) reads the listings again; what is stored is not fetched again
    site.requests.clear()
    site.delay = 0
    finish(start(command(env, "worker", "--seed", "--idle", "1"), redis_url))
    finish(start(command(env, "ingest", "--until-idle"), redis_url))
    urls = article_urls(env)
    assert len(urls) == len(set(urls)) and set(urls) == expected
    refetched = set(fetched_articles(site.requests))
    assert not refetched & known  # only what the killed worker lost is fetched again
    assert {path_of(url) for url in expected - stored} <= refetched
    assert env.rows("SELECT count(*) AS n FROM articles_fts")[0]["n"] == len(expected)


def test_items_a_killed_writer_took_are_stored_by_the_next(env, tmp_path, server, redis_url):
    site = env.serve("aljarida", edit=SITE_EDIT)
    expected = plain_crawl(env, tmp_path)
    site.delay = 0.1
    worker = start(command(env, "worker", "--seed", "--idle", "1"), redis_url)
    queue = ItemQueue(server, "newscrawl")
    deadline = time.monotonic() + 60
    while server.llen(queue.key) < 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    for _ in range(3):  # what a writer killed before its commit leaves: items taken into processing
        assert queue.take() is not None
    writer = start(command(env, "ingest", "--idle", "30"), redis_url)
    while not article_urls_now(env) and writer.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    writer.send_signal(signal.SIGKILL)  # mid-run: some items committed, some maybe taken and not committed
    writer.communicate()
    finish(worker)
    assert "ingest: ok" in finish(start(command(env, "ingest", "--until-idle"), redis_url))
    urls = article_urls(env)
    assert len(urls) == len(set(urls)) and set(urls) == expected
    assert server.llen(queue.key) == 0 and server.llen(queue.processing) == 0
    assert env.rows("SELECT count(*) AS n FROM pages WHERE status = 'not_article'")[0]["n"] > 0


def article_urls_now(env: CrawlEnv) -> list[str]:
    """Articles committed so far (none before the database has its tables)."""
    try:
        return article_urls(env) if env.db.exists() else []
    except sqlite3.OperationalError:
        return []


def test_ingest_stores_an_item_with_control_characters_clean(env, server, redis_url):
    hostile = "\x1b]0;pwned\x07"
    words = " ".join(f"word{n}" for n in range(60))
    article = Article(
        url="https://example.com/a",
        title=f"Harbour{hostile} quay\x00\u202e",
        body=f"{words}\x1b[2J\n\x9bsecond line",
        caption=f"Dawn{hostile}",
        authors=[f"Jane{hostile}"],
        tags=["ports\x07"],
        section="Ports\x1b",
        images=[Image("https://example.com/i\x1b.jpg", "Dawn\x07", "AFP\u2066")],
        fetch=Fetch(fetched_url="https://example.com/a"),
    )
    ItemQueue(server, "newscrawl").push(encode_item(article, "src\x1b", "Source\x07"))
    assert "ingest: ok" in finish(start(command(env, "ingest", "--until-idle"), redis_url))
    (row,) = env.rows("SELECT * FROM articles")
    (image,) = env.rows("SELECT url, caption, credit FROM images")
    assert row["title"] == "Harbour]0;pwned quay" and row["body"] == f"{words}[2J\nsecond line"
    assert (row["caption"], row["authors"], row["tags"], row["section"]) == (
        "Dawn]0;pwned",
        '["Jane]0;pwned"]',
        '["ports"]',
        "Ports",
    )
    assert (row["source"], row["source_name"]) == ("src", "Source")
    assert image == {"url": "https://example.com/i%1B.jpg", "caption": "Dawn", "credit": "AFP"}
