"""What an unattended recrawl costs: a first crawl of a site of N articles, then an immediate no-news recrawl.

Builds a site of N distinct Arabic article pages (the recorded Al Jarida pages, each under many ids with a
paragraph of its own), listed in monthly sitemaps behind a sitemap index, serves it on 127.0.0.1, runs
`newscrawl crawl` twice into a fresh database and prints both times, the ratio, and what the second run fetched.
It prints figures; it asserts nothing. Usage: python benchmarks/recrawl.py [--articles 5000]
"""

from __future__ import annotations

import argparse
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler.demo.replay import ReplayServer, local_source  # noqa: E402

TEMPLATES = ROOT / "crawler" / "demo" / "sites" / "aljarida" / "article"
ORIGIN = "https://www.aljarida.com"
PER_SITEMAP = 1000
SOURCE = """name = "Bench"
homepage = "https://www.aljarida.com/"
allowed_domains = ["aljarida.com"]
sitemaps = ["https://www.aljarida.com/sitemap.xml"]
article_url = '/article/\\d+$'
language = "ar"
timezone = "Asia/Kuwait"
"""


def build_site(folder: Path, count: int, now: datetime) -> None:
    """N article pages with distinct ids and text, monthly sitemaps and an index."""
    templates = [p.read_text(encoding="utf-8") for p in sorted(TEMPLATES.glob("*.html")) if p.stem != "74467"]
    (folder / "article").mkdir(parents=True)
    (folder / "site.toml").write_text(f'origin = "{ORIGIN}"\nrecorded_at = "{now.isoformat()}"\n')
    (folder / "robots.txt").write_text("User-agent: *\nAllow: /\n")
    entries = []
    for n in range(count):
        page_id = 200000 + n
        html = re.sub(r"/article/\d+", f"/article/{page_id}", templates[n % len(templates)])
        own = f"<p>وفي سياق متصل، أشار التقرير رقم {page_id} إلى تفاصيل إضافية تخص هذا الخبر تحديداً.</p>"
        html = re.sub(r'(id="articleBody"[^>]*>)', lambda m, own=own: m[1] + own, html, count=1)
        (folder / "article" / f"{page_id}.html").write_text(html, encoding="utf-8")
        stamp = (now - timedelta(minutes=5 * n)).isoformat()
        entries.append(f"<url><loc>{ORIGIN}/article/{page_id}</loc><lastmod>{stamp}</lastmod></url>")
    index = []
    for start in range(0, count, PER_SITEMAP):
        name = f"sitemap-{start // PER_SITEMAP}.xml"
        urls = "".join(entries[start : start + PER_SITEMAP])
        (folder / name).write_text(
            f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
        )
        index.append(f"<sitemap><loc>{ORIGIN}/{name}</loc></sitemap>")
    (folder / "sitemap.xml").write_text(
        f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{"".join(index)}</sitemapindex>'
    )


def crawl(db: Path, sources: Path, now: datetime) -> float:
    """Seconds one `newscrawl crawl` takes."""
    command = [
        str(Path(sys.executable).with_name("newscrawl")),
        "crawl",
        "--db",
        str(db),
        "--sources-dir",
        str(sources),
    ]
    command += ["--set=AUTOTHROTTLE_ENABLED=0", "--set=DOWNLOAD_DELAY=0", "--set=CONCURRENT_REQUESTS_PER_DOMAIN=16"]
    command += ["--set=NEWSCRAWL_BATCH_SIZE=200", f"--set=NEWSCRAWL_NOW={now.isoformat()}"]
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5000)
    args = parser.parse_args()
    now = datetime(2024, 8, 12, 9, 0, tzinfo=timezone.utc)
    with tempfile.TemporaryDirectory(prefix="newscrawl-bench-") as tmp:
        site, sources, db = Path(tmp) / "site", Path(tmp) / "sources", Path(tmp) / "news.db"
        build_site(site, args.articles, now)
        sources.mkdir()
        with ReplayServer.for_folder(site) as server:
            (sources / "bench.toml").write_text(local_source(SOURCE, ORIGIN, server.base_url), encoding="utf-8")
            first = crawl(db, sources, now)
            served = len(server.requests)
            second = crawl(db, sources, now)
            again = server.requests[served:]
        with sqlite3.connect(db) as conn:
            stored = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    articles_again = sum(1 for path in again if path.startswith("/article/"))
    print(f"site: {args.articles} article pages; stored after the first crawl: {stored}")
    print(f"first crawl:        {first:8.1f} s  ({stored / first:.1f} articles/s end to end)")
    print(f"no-news recrawl:    {second:8.1f} s  ({len(again)} requests, {articles_again} of them article pages)")
    print(f"recrawl / first:    {second / first:8.3f}")


if __name__ == "__main__":
    main()
