"""One page cannot hang a run: real `newscrawl crawl` and `newscrawl reextract` processes against pathological
pages of tests/faultserver.py (a million paragraphs, a million and a half nested <div>s) among good articles."""

from __future__ import annotations

import json
import re
import sqlite3
import zlib
from collections.abc import Iterator
from contextlib import closing

import pytest
from faultserver import EXTRACTION_FAULTS, FaultServer, pathological
from lxml import html as lxml_html

from conftest import SITES, CrawlEnv
from crawler.crawl.extractjobs import count_tags
from crawler.extraction.page import HTML_PARSER

GOOD = {f.path for f in EXTRACTION_FAULTS if f.article}
TIMEOUT = 3  # NEWSCRAWL_EXTRACT_TIMEOUT: a good page takes a fraction of a second, the million paragraphs a minute
MAX_ELEMENTS = 1_200_000  # between the two pages: the million paragraphs are extracted (and cut), the nesting refused
ONE_WORKER = "NEWSCRAWL_EXTRACT_WORKERS=1"  # the pages after the cut one can only be extracted by its replacement
BOUNDS = (f"NEWSCRAWL_EXTRACT_TIMEOUT={TIMEOUT}", f"NEWSCRAWL_MAX_ELEMENTS={MAX_ELEMENTS}", ONE_WORKER)


@pytest.fixture
def site(env: CrawlEnv) -> Iterator[FaultServer]:
    with FaultServer(lifetime=600) as server:
        (env.sources_dir / "hostile.toml").write_text(
            server.source_toml("hostile", feeds=["/feed/extraction.xml"]), encoding="utf-8"
        )
        yield server


def crawl(env: CrawlEnv, *sets: str) -> tuple[str, dict]:
    """`newscrawl crawl hostile` with these settings: its stderr and its runs row."""
    result = env.newscrawl("crawl", "hostile", *(item for s in sets for item in ("--set", s)))
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    return result.stderr, env.rows("SELECT * FROM runs ORDER BY id DESC LIMIT 1")[0]


def paths(rows: list[dict], base_url: str) -> dict[str, dict]:
    return {row["url"].removeprefix(base_url): row for row in rows}


def test_pages_over_the_deadline_or_the_element_bound_fail_alone_and_are_not_fetched_again(env, site):
    stderr, run = crawl(env, *BOUNDS)
    assert run["status"] == "ok"
    assert json.loads(run["errors_by_kind"]) == {"extract_timeout": 1, "too_complex": 1}
    assert json.loads(run["rejected_by_reason"]) == {}
    assert set(paths(env.rows("SELECT url FROM articles"), site.base_url)) == GOOD
    pages = paths(env.rows("SELECT url, status, reason FROM pages"), site.base_url)
    assert pages["/a/paragraphs"]["status"] == "extract_timeout"
    assert f"no result after {TIMEOUT} s; worker process" in pages["/a/paragraphs"]["reason"]
    assert pages["/a/nested"]["status"] == "too_complex"
    assert f"over NEWSCRAWL_MAX_ELEMENTS ({MAX_ELEMENTS})" in pages["/a/nested"]["reason"]
    for path, kind in (("/a/paragraphs", "extract_timeout"), ("/a/nested", "too_complex")):
        said = [line for line in stderr.splitlines() if f"extraction failed: {site.url(path)}: {kind}: " in line]
        assert len(said) == 1, stderr[-3000:]
    assert re.search(r"newscrawl: hostile: ok, .* 0 rejected, 2 errors \(extract_timeout 1, too_complex 1\)$", stderr)
    status = env.newscrawl("status")
    assert "2 page(s) not extracted in the last run (extract_timeout 1, too_complex 1)" in status.stdout

    stderr, again = crawl(env, *BOUNDS)  # the feed lists the same pages: none is fetched again
    assert again["status"] == "ok" and json.loads(again["errors_by_kind"]) == {}
    assert {path: site.hits[path] for path in site.hits if path.startswith("/a/")} == {
        f.path: 1 for f in EXTRACTION_FAULTS
    }
    assert "not extracted" not in env.newscrawl("status").stdout


def test_reextract_holds_kept_pages_to_the_same_bounds(env, site):
    crawl(env, "NEWSCRAWL_KEEP_PAGES=1")  # the default element bound refuses both pathological pages
    assert set(paths(env.rows("SELECT url FROM articles"), site.base_url)) == GOOD
    assert len(env.rows("SELECT url FROM raw_pages")) == len(GOOD)
    first = min(GOOD)
    with closing(sqlite3.connect(env.db)) as conn, conn:  # the page kept for one article turns pathological
        html = zlib.compress(pathological("/a/paragraphs"))
        conn.execute("UPDATE raw_pages SET html = ? WHERE url = ?", [html, site.url(first)])
    result = env.newscrawl("reextract", "hostile", *(item for s in BOUNDS for item in ("--set", s)))
    assert result.returncode == 0, result.stderr[-3000:]
    (run,) = env.rows("SELECT * FROM runs WHERE kind = 'reextract'")
    assert json.loads(run["errors_by_kind"]) == {"extract_timeout": 1}
    assert run["articles_unchanged"] == len(GOOD) - 1
    pages = paths(env.rows("SELECT url, status FROM pages"), site.base_url)
    assert pages[first]["status"] == "extract_timeout"
    assert set(paths(env.rows("SELECT url FROM articles"), site.base_url)) == GOOD  # the stored record stays


@pytest.mark.parametrize("page", sorted(SITES.rglob("*.html")), ids=lambda p: str(p.relative_to(SITES)))
def test_the_tag_count_is_at_least_the_nodes_a_parser_builds(page):
    html = page.read_bytes()
    nodes = sum(1 for _ in lxml_html.document_fromstring(html, parser=HTML_PARSER).iter())
    assert count_tags(html) >= nodes - 3  # html, head and body may be the parser's own


def test_a_page_not_extracted_is_fetched_again_only_when_its_listing_dates_it_after_that_fetch(tmp_path):
    from datetime import datetime, timedelta, timezone

    from crawler.storage.db import open_db
    from crawler.storage.known import KnownUrls

    failed_at = datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)
    db = open_db(tmp_path / "news.db")
    rows = [
        {"url": "https://example.com/a/1", "status": "too_complex", "fetched_at": failed_at.isoformat()},
        {"url": "https://example.com/a/2", "status": "not_article", "fetched_at": failed_at.isoformat()},
    ]
    db["pages"].insert_all([{**row, "source": "hostile", "reason": "", "article_id": None} for row in rows])
    db.conn.commit()
    db.close()
    known = KnownUrls(tmp_path / "news.db", "hostile")
    try:
        earlier, later = failed_at - timedelta(hours=1), failed_at + timedelta(hours=1)
        assert known.knows("https://example.com/a/1") and known.knows("https://example.com/a/1", earlier)
        assert not known.knows("https://example.com/a/1", later)  # changed since it failed: fetched again
        assert known.knows("https://example.com/a/2", later)  # only bounded extraction failures are retried
    finally:
        known.close()
