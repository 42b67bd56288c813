"""Security: hostile links and redirects cannot reach the local network; user text is only ever a bound parameter;
exports never overwrite the database. (`serve` is read-only: tests/test_serve.py.)"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from scrapy.utils.test import get_crawler

from conftest import FAST, NEWSCRAWL, run
from crawler.crawl.guard import AddressGuard

ARTICLE = """<!DOCTYPE html><html lang="en"><head><title>{title}</title>
<script type="application/ld+json">{{"@type": "NewsArticle", "headline": "{title}",
"datePublished": "2026-11-20T08:00:00+00:00"}}</script></head>
<body><article><h1>{title}</h1>{paragraphs}</article></body></html>"""
WORDS = "the harbour authority said on friday that the new quay would open to cargo ships next spring after delays"


def article_page(title: str) -> bytes:
    paragraphs = "".join(f"<p>{WORDS} {title.lower()} paragraph {n}.</p>" for n in range(5))
    return ARTICLE.format(title=title, paragraphs=paragraphs).encode()


class Site:
    """A small HTTP server on 127.0.0.1 answering from a dict of path -> (status, headers, body); it records every
    request path it gets."""

    def __init__(self, routes: dict[str, tuple[int, dict[str, str], bytes]] | None = None) -> None:
        self.routes = routes or {}
        self.requests: list[str] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                site.requests.append(self.path)
                status, headers, body = site.routes.get(self.path, (404, {}, b"not found"))
                self.send_response(status)
                for name, value in {"Content-Type": "text/html; charset=utf-8", **headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def sites() -> Iterator[tuple[Site, Site]]:
    """A hostile source site, and a victim on another loopback port that must never be asked anything."""
    hostile, victim = Site(), Site()
    victim.routes = {
        f"/article/secret{suffix}": (200, {}, article_page("Internal secret"))
        for suffix in ("", "-redirected", "-short", "-hex", "-decimal", "-mapped", "-localhost")
    }
    yield hostile, victim
    hostile.close()
    victim.close()


REDIRECTS = {  # article URL on the hostile site -> where it redirects
    "metadata": "http://169.254.169.254/latest/meta-data/iam/",
    "private": "http://10.0.0.1/article/db",
    "other-port": "{victim}/article/secret-redirected",
    "short-form": "http://127.1:{port}/article/secret-short",
    "hex-form": "http://0x7f000001:{port}/article/secret-hex",
    "decimal-form": "http://2130706433:{port}/article/secret-decimal",
    "mapped-v6": "http://[::ffff:127.0.0.1]:{port}/article/secret-mapped",
    "localhost": "http://localhost:{port}/article/secret-localhost",
    "file": "file:///etc/passwd",
    "data": "data:text/html,<p>x</p>",
}
# Scrapy's offsite filter already drops redirects off the source's allowed domains; the guard is what stops a host
# the source does allow when it is (or resolves to) a local address: another port of its own host, or a name of
# its domain pointed at the local network. So the hostile source "allows" every one of these names.
ALLOWED = [
    "127.0.0.1",
    "169.254.169.254",
    "10.0.0.1",
    "127.1",
    "0x7f000001",
    "2130706433",
    "::ffff:127.0.0.1",
    "localhost",
]


def test_links_and_redirects_to_the_local_network_are_refused_and_counted(tmp_path, sites):
    hostile, victim = sites
    targets = {name: url.format(victim=victim.url, port=victim.port) for name, url in REDIRECTS.items()}
    items = [f"{hostile.url}/article/ok", f"{victim.url}/article/secret"]  # a direct link to the other port too
    items += [f"{hostile.url}/article/{name}" for name in targets]
    feed = "".join(f"<item><title>x</title><link>{url}</link></item>" for url in items)
    hostile.routes.update(
        {
            "/feed.xml": (
                200,
                {"Content-Type": "application/rss+xml"},
                f'<?xml version="1.0"?><rss version="2.0"><channel>{feed}</channel></rss>'.encode(),
            ),
            "/article/ok": (200, {}, article_page("Harbour quay opens")),
            **{f"/article/{name}": (302, {"Location": url}, b"") for name, url in targets.items()},
        }
    )
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "hostile.toml").write_text(
        f'name = "Hostile"\nhomepage = "{hostile.url}/"\nallowed_domains = {json.dumps(ALLOWED)}\n'
        f"feeds = [\"{hostile.url}/feed.xml\"]\narticle_url = '/article/'\n",
        encoding="utf-8",
    )
    db = tmp_path / "news.db"
    sets = [f"--set={name}={value}" for name, value in FAST.items()]
    result = run([str(NEWSCRAWL), "crawl", "--db", str(db), "--sources-dir", str(sources), *sets], timeout=120)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr[-3000:]

    assert victim.requests == []  # nothing reached the other port, however its address was written
    assert "/article/ok" in hostile.requests and "/robots.txt" in hostile.requests  # the source's own host: fine
    with closing(sqlite3.connect(db)) as conn:
        urls = [url for (url,) in conn.execute("SELECT url FROM articles")]
        (errors,) = conn.execute("SELECT errors_by_kind FROM runs").fetchone()
    assert urls == [f"{hostile.url}/article/ok"]
    refused = {kind: n for kind, n in json.loads(errors).items() if kind.startswith("refused")}
    # every http(s) target is refused by the guard; Scrapy itself does not follow a redirect to file: or data:
    # (the 302 stays an HTTP error), and the guard would refuse those schemes too (test below)
    assert refused == {"refused_address": len(targets) - 2 + 1}, errors
    assert json.loads(errors).get("http_302") == 2, errors
    lines = [line for line in result.stderr.splitlines() if "refused " in line]
    for url, why in [
        (targets["metadata"], "link-local address"),
        (targets["private"], "private address"),
        (f"{victim.url}/article/secret", "loopback address"),
        (targets["hex-form"], "loopback address (0x7f000001 is 127.0.0.1)"),
        (targets["localhost"], "loopback address (localhost is"),
    ]:
        assert any(f"refused {url}" in line and why in line for line in lines), (url, lines)
    assert any(f"(redirected from {hostile.url}/article/metadata)" in line for line in lines)


def refusal(url: str, allow: list[str] | None = None) -> str | None:
    """Why the guard of a crawler with these settings refuses `url` (None: let through)."""
    crawler = get_crawler(settings_dict={"NEWSCRAWL_GUARD": True, "NEWSCRAWL_ALLOW_HOSTS": allow or []})
    found = asyncio.run(AddressGuard.from_crawler(crawler).refusal(url))
    return found and found[1]


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("file:///etc/passwd", "file scheme"),
        ("ftp://ftp.example.com/x", "ftp scheme"),
        ("gopher://127.0.0.1:70/_x", "gopher scheme"),
        ("data:text/plain,hi", "data scheme"),
        ("http://127.0.0.1/", "loopback address"),
        ("http://127.1/", "loopback address (127.1 is 127.0.0.1)"),
        ("http://0x7f000001/", "loopback address (0x7f000001 is 127.0.0.1)"),
        ("http://2130706433/", "loopback address (2130706433 is 127.0.0.1)"),
        ("http://0177.0.0.1/", "loopback address"),
        ("http://[::1]:8080/", "loopback address"),
        ("http://[::ffff:127.0.0.1]/", "loopback address"),
        ("http://[::ffff:a9fe:a9fe]/", "link-local address"),
        ("http://[64:ff9b::7f00:1]/", "loopback address"),
        ("http://[2002:a00:1::]/", "private address"),
        ("http://169.254.169.254/latest/meta-data/", "link-local address"),
        ("http://[fe80::1]/", "link-local address"),
        ("http://10.0.0.1/", "private address"),
        ("http://172.16.5.4/", "private address"),
        ("http://192.168.1.1/", "private address"),
        ("http://[fd00::1]/", "private address"),
        ("http://224.0.0.1/", "multicast address"),
        ("http://[ff02::1]/", "multicast address"),
        ("http://240.0.0.1/", "reserved address"),
        ("http://0.0.0.0/", "address"),
        ("http://100.64.0.1/", "not global address"),
        ("http://localhost:6379/", "loopback address"),
        ("http://93.184.215.14/", None),
        ("https://[2606:4700::1]/", None),
    ],
)
def test_the_guard_reads_every_way_of_writing_an_address(url, why):
    found = refusal(url)
    assert (found is None) if why is None else (found is not None and why in found), found


def test_allowed_hosts_and_networks_are_let_through():
    assert refusal("http://10.1.2.3/feed", allow=["10.1.0.0/16"]) is None
    assert refusal("http://10.2.0.1/feed", allow=["10.1.0.0/16"]) == (
        "private address; NEWSCRAWL_ALLOW_HOSTS=10.2.0.1 would let it through"
    )
    assert refusal("http://localhost:8080/", allow=["localhost"]) is None
    assert refusal("file:///etc/passwd", allow=["localhost"]) == "file scheme (only http and https are fetched)"


def test_the_guard_can_be_turned_off():
    crawler = get_crawler(settings_dict={"NEWSCRAWL_GUARD": False})
    from scrapy.exceptions import NotConfigured

    with pytest.raises(NotConfigured):
        AddressGuard.from_crawler(crawler)


# --- user text is data, never SQL -----------------------------------------------------------------------------

INJECTIONS = [
    "'; DROP TABLE articles; --",
    '") OR 1=1 --',
    "x' OR '1'='1",
    "* OR 1=1; DELETE FROM articles",
    "articles_fts MATCH '*'",
    "\"; ATTACH DATABASE '/tmp/pwn.db' AS pwn; --",
]


@pytest.fixture(scope="module")
def small_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with three imported articles (every test leaves it as it was: `intact`)."""
    tmp_path = tmp_path_factory.mktemp("small")
    records = [
        {
            "url": f"https://news.example/a/{n}",
            "title": f"Harbour story {n}",
            "body": f"{WORDS} number {n}",
            "source": "news",
        }
        for n in range(3)
    ]
    path = tmp_path / "records.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    db = tmp_path / "news.db"
    result = run([str(NEWSCRAWL), "import", str(path), "--db", str(db)])
    assert result.returncode == 0, result.stderr
    return db


def intact(db: Path) -> None:
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT count(*) FROM articles").fetchone() == (3,)
        assert conn.execute("SELECT count(*) FROM articles_fts_docsize").fetchone() == (3,)
        assert {row[1] for row in conn.execute("PRAGMA database_list")} <= {"main", "temp"}
    assert not Path("/tmp/pwn.db").exists()


@pytest.mark.parametrize("text", INJECTIONS)
def test_an_injection_attempt_is_just_a_search(small_db, text):
    for args in (
        ["search", text],
        ["search", "harbour", "--source", text],
        ["search", "harbour", "--section", text, "--lang", text],
        ["export", "--query", text],
        ["export", "--source", text],
        ["show", text],
    ):
        result = run([str(NEWSCRAWL), *args, "--db", str(small_db)])
        assert "Traceback" not in result.stderr and "sqlite" not in result.stderr.lower(), (args, result.stderr)
        if result.returncode:  # no result (1), or a query that cannot be read (2): one line saying why
            assert result.returncode in (1, 2) and len(result.stderr.strip().splitlines()) <= 1, (args, result.stderr)
        assert "news.example" not in result.stdout or (args[0] == "search" and args[1] == "harbour"), (args, result)
        intact(small_db)


def test_a_word_that_looks_like_sql_is_found_as_a_word(tmp_path):
    records = [{"url": "https://news.example/a/1", "title": "DROP TABLE articles", "body": f"{WORDS} drop table"}]
    path = tmp_path / "r.jsonl"
    path.write_text(json.dumps(records[0]) + "\n", encoding="utf-8")
    db = tmp_path / "news.db"
    assert run([str(NEWSCRAWL), "import", str(path), "--db", str(db)]).returncode == 0
    result = run([str(NEWSCRAWL), "search", "'; DROP TABLE articles; --", "--db", str(db), "--format", "jsonl"])
    assert result.returncode in (0, 1, 2) and "Traceback" not in result.stderr, result.stderr
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("SELECT title FROM articles").fetchall() == [("DROP TABLE articles",)]


# --- exports never overwrite the database ---------------------------------------------------------------------


def test_export_refuses_the_database_and_its_wal_however_named(small_db, tmp_path):
    (small_db.parent / "sub").mkdir(exist_ok=True)
    link = tmp_path / "link.db"
    link.symlink_to(small_db)
    with closing(sqlite3.connect(small_db)) as conn:  # an open reader keeps the -wal and -shm files there
        conn.execute("SELECT count(*) FROM articles").fetchone()
        wal, shm = Path(f"{small_db}-wal"), Path(f"{small_db}-shm")
        before = {path: path.read_bytes() for path in (small_db, wal, shm) if path.exists()}
        for output in (small_db, wal, shm, link, small_db.parent / "sub" / ".." / small_db.name):
            result = run([str(NEWSCRAWL), "export", "--db", str(small_db), "--output", str(output)])
            assert result.returncode == 2, result.stderr
            lines = result.stderr.strip().splitlines()
            assert len(lines) == 1 and "refusing to overwrite the database" in lines[0], lines
        assert small_db.read_bytes() == before[small_db]
    intact(small_db)
