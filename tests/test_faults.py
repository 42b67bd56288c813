"""Hostile web: real `newscrawl crawl` processes against tests/faultserver.py, one fault per URL.

Each test asserts what the crawler did with each fault and adds one line per fault to REPORT ("what was injected
-> what the crawler did", from what the server saw and the database holds); `make fault-test` prints them (the
file named by NEWSCRAWL_FAULT_REPORT).
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from faultserver import (
    ENCODED_ARTICLES,
    ENCODING_FAULTS,
    LISTING_ARTICLES,
    MAIN_FAULTS,
    ROBOTS_FAULTS,
    TRAP_ARTICLES,
    Fault,
    FaultServer,
    article_page,
    without_meta_charset,
)

from conftest import CrawlEnv
from crawler.extraction import extract

FAST = ("DOWNLOAD_TIMEOUT=2", "RETRY_TIMES=1")
MAX_SIZE = 10 * 1024 * 1024  # DOWNLOAD_MAXSIZE, the shipped default
REPORT: list[str] = []


@pytest.fixture(scope="module", autouse=True)
def report() -> Iterator[None]:
    """Writes the outcome lines to $NEWSCRAWL_FAULT_REPORT (when set) once the module's tests ran."""
    yield
    path = os.environ.get("NEWSCRAWL_FAULT_REPORT")
    if path:
        Path(path).write_text("".join(line + "\n" for line in REPORT), encoding="utf-8")


@pytest.fixture
def site(env: CrawlEnv) -> Iterator[FaultServer]:
    with FaultServer(lifetime=90) as server:
        yield server


class Crawl:
    """One finished `newscrawl crawl hostile` against the fault server: exit status, output, runs row, pages."""

    def __init__(self, env: CrawlEnv, server: FaultServer, keep: bool = False, **lists: list[str]) -> None:
        (env.sources_dir / "hostile.toml").write_text(server.source_toml("hostile", **lists), encoding="utf-8")
        started = time.monotonic()
        sets = [*FAST, f"NEWSCRAWL_KEEP_PAGES={int(keep)}"]
        self.result = env.newscrawl("crawl", "hostile", *(item for s in sets for item in ("--set", s)))
        self.seconds = time.monotonic() - started
        self.env, self.server = env, server
        (self.run,) = env.rows("SELECT * FROM runs")
        self.errors = json.loads(self.run["errors_by_kind"])
        self.rejected = json.loads(self.run["rejected_by_reason"])
        self.articles = {row["url"].removeprefix(server.base_url): row for row in env.rows("SELECT * FROM articles")}
        self.pages = {r["url"].removeprefix(server.base_url): r["status"] for r in env.rows("SELECT * FROM pages")}
        self.log = (env.db.parent / "logs" / "newscrawl.log").read_text(encoding="utf-8")
        assert "Traceback" not in self.result.stderr + self.log, self.result.stderr[-3000:]

    def failure(self, path: str) -> tuple[str, str] | None:
        """(kind, why) from the one stderr line naming the failed fetch of `path`, if any."""
        named = re.compile(rf"fetch failed: {re.escape(self.server.url(path))}[: ]")
        lines = [line for line in self.result.stderr.splitlines() if named.search(line)]
        assert len(lines) <= 1, lines
        found = re.search(r"fetch failed: \S+(?: \(redirected to \S+\))?: (\w+): (.*)$", lines[0]) if lines else None
        return (found.group(1), found.group(2)) if found else None

    def rejection(self, path: str) -> str | None:
        """Why the page at `path` was rejected, from its one log line."""
        found = re.findall(rf"rejected {re.escape(self.server.url(path))}: (.*)$", self.log, re.MULTILINE)  # one URL
        assert len(found) <= 1, found
        return found[0] if found else None

    def outcome(self, path: str, stored_as: str | None = None) -> str:
        """What the crawler did with the fault at `path`, in a few words."""
        hits = self.server.hits[path]
        tries = f"{hits} request{'s' if hits != 1 else ''}"
        if hits > 1:
            tries += f" (retried {hits - 1}x)" if not path.startswith("/a/redirect") else ""
        stored = stored_as or path
        if stored in self.articles:
            where = f" under {stored}" if stored != path else ""
            return f"{tries}, stored{where}"
        failure = self.failure(path)
        if failure:
            return f"{tries}, failed: {failure[0]} ({failure[1]})"
        rejected = self.rejection(path)
        if rejected:
            return f"{tries}, rejected: {rejected}"
        return f"{tries}, nothing stored, nothing said"

    def add_report(self, faults: list[Fault], stored_as: dict[str, str] | None = None) -> None:
        for fault in faults:
            REPORT.append(f"{fault.injected} -> {self.outcome(fault.path, (stored_as or {}).get(fault.path))}")


def truth(article: str, path: str, base_url: str) -> Any:
    """The record of a recorded article as extracted from its UTF-8 page served at `path`."""
    return extract(article_page(article, base_url, path), base_url + path)


def test_one_crawl_through_many_faults_stores_the_good_pages_and_names_each_failure(env, site):
    crawl = Crawl(env, site, feeds=["/feed/main.xml"])
    assert crawl.result.returncode == 0, crawl.result.stderr[-3000:]  # the source finished and fetched pages
    assert crawl.run["status"] == "ok"
    faults = {f.path: f for f in MAIN_FAULTS}
    stored = {
        "/a/good",
        "/a/http-500-transient",
        "/a/http-502-transient",
        "/a/http-503-transient",
        "/a/redirect-short/end",
        "/a/malformed",
        "/a/truncated",
    }
    assert set(crawl.articles) == stored
    for path in ("/a/good", "/a/http-500-transient", "/a/http-502-transient", "/a/http-503-transient"):
        expected = truth(faults[path].article or "", path, site.base_url)
        assert (crawl.articles[path]["title"], crawl.articles[path]["body"]) == (expected.title, expected.body)
    # transient 5xx: retried once, then stored; permanent: retried once, then counted
    for path in ("/a/http-500-transient", "/a/http-502-transient", "/a/http-503-transient", "/a/http-503-permanent"):
        assert site.hits[path] == 2, path
    # a 503 with Retry-After: 1 is retried a second later, not at once
    for path in ("/a/http-503-transient", "/a/http-503-permanent"):
        first, second = site.times[path]
        assert second - first >= 1.0, path
    # a short redirect chain: stored under the URL it ended at
    landed = truth("74452", "/a/redirect-short/end", site.base_url)
    assert crawl.articles["/a/redirect-short/end"]["title"] == landed.title
    # malformed HTML still gives the whole article; HTML cut mid-article gives the text before the cut
    malformed = truth("74188", "/a/malformed", site.base_url)
    assert crawl.articles["/a/malformed"]["title"] == malformed.title
    assert crawl.articles["/a/malformed"]["body"] == malformed.body
    truncated = truth("74149", "/a/truncated", site.base_url)
    assert crawl.articles["/a/truncated"]["title"] == truncated.title
    body = crawl.articles["/a/truncated"]["body"]
    assert body.splitlines()[0] == truncated.body.splitlines()[0] and len(body) < len(truncated.body)
    assert crawl.errors == {
        "ConnectionLost": 1,
        "DownloadTimeoutError": 2,  # no answer; a drip slower than DOWNLOAD_TIMEOUT
        "RedirectLoop": 1,
        "TooManyRedirects": 1,
        "http_404": 1,
        "http_410": 1,
        "http_503": 1,
        "too_large": 3,  # 50 MB with and without Content-Length, the gzip bomb
    }
    assert crawl.rejected == {"not_article": 4}  # PDF, JPEG, empty page, HTML cut before any text
    failed = {
        "/a/http-503-permanent": "http_503",
        "/a/timeout": "DownloadTimeoutError",
        "/a/slow-drip": "DownloadTimeoutError",
        "/a/reset": "ConnectionLost",
        "/a/http-404": "http_404",
        "/a/http-410": "http_410",
        "/a/redirect-loop": "RedirectLoop",
        "/a/redirect-long/0": "TooManyRedirects",
        "/a/huge": "too_large",
        "/a/huge-stream": "too_large",
        "/a/gzip-bomb": "too_large",
    }
    for path, kind in failed.items():
        assert (crawl.failure(path) or ("none",))[0] == kind, path
    assert site.hits["/a/redirect-loop"] == 1 and site.hits["/a/redirect-loop/b"] == 1  # no second lap
    assert max(int(p.rsplit("/", 1)[1]) for p in site.hits if p.startswith("/a/redirect-long/")) == 5
    reasons = {
        "/a/pdf": "binary content",
        "/a/jpeg": "binary content",
        "/a/empty": "empty page",
        "/a/truncated-early": "too little text",
    }
    for path, reason in reasons.items():
        assert crawl.pages[path] == "not_article" and reason in (crawl.rejection(path) or ""), path
    assert crawl.seconds < 30
    crawl.add_report(MAIN_FAULTS, stored_as={"/a/redirect-short/0": "/a/redirect-short/end"})


def test_arabic_pages_in_legacy_encodings_are_stored_as_the_right_text_whatever_the_charset_header(env, site):
    crawl = Crawl(env, site, keep=True, feeds=["/feed/encodings.xml"])
    assert crawl.result.returncode == 0, crawl.result.stderr[-3000:]
    assert crawl.rejected == {} and crawl.errors == {}
    for (encoding, header), article in ENCODED_ARTICLES.items():
        path = f"/a/enc/{encoding}/{header}"
        expected = extract(without_meta_charset(article_page(article, site.base_url, path)), site.url(path))
        row = crawl.articles[path]
        assert (row["title"], row["body"]) == (expected.title, expected.body), path
        assert row["language"] == "ar"
    # reextract reads the kept bytes with no HTTP header at all: the same text, nothing changed
    assert env.newscrawl("reextract", "hostile").returncode == 0
    assert env.rows("SELECT count(*) AS n FROM article_versions") == [{"n": 0}]
    reextracted = env.rows("SELECT articles_unchanged, articles_updated FROM runs WHERE kind = 'reextract'")
    assert reextracted == [{"articles_unchanged": len(ENCODED_ARTICLES), "articles_updated": 0}]
    crawl.add_report(ENCODING_FAULTS)
    REPORT[-len(ENCODING_FAULTS) :] = [f"{line}, exact Arabic text" for line in REPORT[-len(ENCODING_FAULTS) :]]


def test_urls_robots_txt_disallows_are_not_fetched_and_are_counted(env, site):
    crawl = Crawl(env, site, feeds=["/feed/robots.xml"])
    assert crawl.result.returncode == 0, crawl.result.stderr[-3000:]
    assert set(crawl.articles) == {"/a/open"}
    assert site.hits["/a/private/1"] == site.hits["/a/private/2"] == 0
    assert crawl.errors == {"robots_disallowed": 2}
    assert crawl.failure("/a/private/1") == ("robots_disallowed", "disallowed by robots.txt, not fetched")
    crawl.add_report(ROBOTS_FAULTS)


def test_an_endless_calendar_is_cut_at_depth_limit(env, site):
    crawl = Crawl(env, site, sections=["/archive"])
    assert crawl.result.returncode == 0, crawl.result.stderr[-3000:]
    assert set(crawl.articles) == set(TRAP_ARTICLES)
    archive = [path for path in site.hits if path.startswith("/archive")]
    # the section, days -1 and 1, then -2, 0 and 2, then -3 and 3: DEPTH_LIMIT (3) levels, nothing further
    assert len(archive) == 8 and max(abs(int(p.rsplit("=", 1)[1])) for p in archive if "=" in p) == 3
    assert crawl.errors == {"depth_limit": 4}  # the links one level further, not followed
    REPORT.append(
        f"endless calendar /archive?day=N (every day links the next and previous) -> {len(archive)} archive pages"
        f" fetched (DEPTH_LIMIT 3), {crawl.errors['depth_limit']} deeper links counted as depth_limit,"
        f" {len(crawl.articles)} articles stored"
    )


def test_broken_and_giant_listings_are_counted_and_the_rest_is_still_crawled(env, site):
    sitemaps = ["/sitemap-malformed.xml", "/sitemap-giant.xml"]
    crawl = Crawl(env, site, sitemaps=sitemaps, feeds=["/feed-garbage.xml"])
    assert crawl.result.returncode == 0, crawl.result.stderr[-3000:]
    # the malformed sitemap is read up to where it breaks: two of its three entries
    assert set(crawl.articles) == set(list(LISTING_ARTICLES)[:2])
    assert crawl.errors == {"empty_listing": 1, "too_large": 1}
    assert crawl.failure("/feed-garbage.xml") == ("empty_listing", "no entries in this feed (malformed or empty)")
    assert crawl.failure("/sitemap-giant.xml")[0] == "too_large"
    REPORT.extend(
        [
            f"sitemap with an unescaped &, a stray tag, cut mid-entry -> read up to the break: {len(crawl.articles)}"
            f" of its {len(LISTING_ARTICLES)} articles stored",
            f"a 'feed' that is an HTML error page -> failed: {' '.join(crawl.failure('/feed-garbage.xml') or ())}",
            f"a 15 MB sitemap -> failed: {crawl.failure('/sitemap-giant.xml')[0]}, the other listings still crawled",
        ]
    )


def test_a_site_that_refuses_every_connection_is_a_failed_run_with_exit_status_1(env, site):
    site.stop()  # the port now refuses connections: the whole site is down
    crawl = Crawl(env, site, feeds=["/feed/main.xml"])
    assert crawl.result.returncode == 1
    assert crawl.run["status"] == "failed" and crawl.run["pages_fetched"] == 0
    assert crawl.errors == {"DownloadConnectionRefusedError": 1}
    assert "source hostile failed" in crawl.result.stderr
    REPORT.append(
        f"every connection refused (site down) -> run failed, exit status {crawl.result.returncode},"
        f" {crawl.failure('/feed/main.xml')[0]} counted"
    )


def test_a_site_that_answers_every_request_with_503_is_a_failed_run_with_exit_status_1(env, site):
    site.maintenance = True
    crawl = Crawl(env, site, feeds=["/feed/main.xml"])
    assert crawl.result.returncode == 1
    # robots.txt and the feed, once each: Retry-After 3600 is over NEWSCRAWL_RETRY_AFTER_MAX, so no retry this run
    assert crawl.run["status"] == "failed" and crawl.run["pages_fetched"] == 2
    assert crawl.errors == {"http_503": 1}
    REPORT.append(
        f"503 maintenance page for every request (robots.txt too) -> run failed, exit status"
        f" {crawl.result.returncode}, {crawl.failure('/feed/main.xml')[0]} counted"
    )
