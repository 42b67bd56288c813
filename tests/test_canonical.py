"""End to end: a page's canonical URL (or og:url) cannot overwrite, merge or pre-empt other articles.

Each test builds small recorded sites in a temporary folder, serves them on 127.0.0.1 (crawler/demo/replay.py), crawls
them with real `scrapy crawl` processes and reads the SQLite file back.
"""

from __future__ import annotations

import json
import random
import sqlite3
from contextlib import closing
from html import escape
from pathlib import Path

from conftest import NEWSCRAWL, ROOT, CrawlEnv, run
from crawler.demo.replay import ReplayServer, local_source
from crawler.storage.db import SCHEMA_VERSION

RECORDED_AT = "2024-08-12T10:00:00+00:00"
VOCABULARY = (  # noqa: SIM905 (words read better as text)
    "harbour council budget river market school bridge farmer storm election museum railway doctor "
    "teacher village festival factory minister court airport hospital garden library football orchestra "
    "desert island mountain winter summer police village coffee bakery ferry tunnel highway satellite "
    "telescope vaccine refinery pipeline tanker wheat cotton copper silver bank loan tariff strike union "
    "parliament senate mayor district province border treaty embassy summit drought flood harvest "
    "fishing whale forest wildfire engineer student exam university scholarship novel poet painter "
    "gallery theatre cinema actor singer stadium marathon cyclist swimmer record medal coach referee "
    "tournament league season fans ticket price inflation salary pension housing rent tower crane port "
    "cargo container customs smuggler court judge lawyer verdict appeal"
).split()


def story(seed: int) -> list[str]:
    """Six paragraphs of words drawn for this seed: two seeds share next to no word 3-gram."""
    draw = random.Random(seed)
    return [" ".join(draw.choice(VOCABULARY) for _ in range(25)).capitalize() + "." for _ in range(6)]


def article_html(title: str, paragraphs: list[str], head: str = "") -> str:
    """An article page: og:type article, `head` (canonical, og:url) in its head, the text in <article>."""
    body = "\n".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f'<meta property="og:type" content="article">{head}</head>'
        f"<body><article><h1>{escape(title)}</h1>\n{body}\n</article></body></html>"
    )


class TestSite:
    """A recorded site written by the test, served on 127.0.0.1, with its source config in the env's folder."""

    __test__ = False  # not a pytest class

    def __init__(self, env: CrawlEnv, key: str, article_url: str = r"/news/\d+") -> None:
        self.env, self.key, self.article_url = env, key, article_url
        self.origin = f"https://{key}.example"
        self.root = env.sites / key
        self.root.mkdir(parents=True)
        (self.root / "site.toml").write_text(f'origin = "{self.origin}"\nrecorded_at = "{RECORDED_AT}"\n')
        self.server = ReplayServer.for_folder(self.root).start()
        env.servers[key] = self.server
        source = (
            f'name = "{key.title()}"\nhomepage = "{self.origin}/"\nallowed_domains = ["{key}.example"]\n'
            f"feeds = [\"{self.origin}/feed.xml\"]\narticle_url = '{article_url}'\n"
            'language = "en"\ntimezone = "UTC"\n'
        )
        (env.sources_dir / f"{key}.toml").write_text(local_source(source, self.origin, self.server.base_url))
        self.list_in_feed([])

    @property
    def base(self) -> str:
        """The address the site is served under."""
        return self.server.base_url

    def page(self, path: str, seed: int, head: str = "") -> None:
        """Record the story of `seed` at `path` (its title names the seed)."""
        (self.root / f"{path.lstrip('/')}.html").parent.mkdir(parents=True, exist_ok=True)
        html = article_html(f"Story number {seed}", story(seed), head)
        (self.root / f"{path.lstrip('/')}.html").write_text(html, encoding="utf-8")

    def list_in_feed(self, urls: list[str]) -> None:
        """The RSS feed lists these URLs (paths of this site, or full URLs of any site)."""
        items = "".join(
            f"<item><title>{i}</title><link>{escape(self.origin + u if u.startswith('/') else u)}</link>"
            "<pubDate>Mon, 12 Aug 2024 09:00:00 +0000</pubDate></item>"
            for i, u in enumerate(urls)
        )
        feed = f'<?xml version="1.0"?><rss version="2.0"><channel><title>{self.key}</title>{items}</channel></rss>'
        (self.root / "feed.xml").write_text(feed, encoding="utf-8")

    def crawl(self, **settings: str) -> None:
        """`scrapy crawl` of this site's source (the other test sites' servers on 127.0.0.1 allowed)."""
        result = self.env.scrapy("crawl", self.key, NEWSCRAWL_ALLOW_HOSTS="127.0.0.1", **settings)
        assert result.returncode == 0, result.stderr[-3000:]
        assert "Traceback" not in result.stderr, result.stderr[-3000:]

    def fetched(self, path: str) -> int:
        """How many times the server answered `path`."""
        return self.server.requests.count(path)


def canonical(href: str) -> str:
    return f'<link rel="canonical" href="{escape(href)}">'


def og_url(href: str) -> str:
    return f'<meta property="og:url" content="{escape(href)}">'


def stored(env: CrawlEnv) -> dict[tuple[str, str], dict]:
    """Articles by (source, URL)."""
    return {(row["source"], row["url"]): row for row in env.rows("SELECT * FROM articles")}


def versions(env: CrawlEnv) -> list[dict]:
    return env.rows("SELECT * FROM article_versions")


def test_five_pages_with_canonical_root_are_five_articles(env):
    site = TestSite(env, "alpha")
    paths = [f"/news/{n}" for n in range(1, 6)]
    for n, path in enumerate(paths, 1):
        site.page(path, n, canonical("/"))
    site.list_in_feed(paths)
    site.crawl()
    rows = stored(env)
    assert set(rows) == {("alpha", site.base + path) for path in paths}
    assert {row["title"] for row in rows.values()} == {f"Story number {n}" for n in range(1, 6)}
    assert versions(env) == []
    assert all(row["duplicate_of"] is None for row in rows.values())
    pages = env.rows("SELECT url, article_id FROM pages WHERE status = 'article'")
    assert {p["url"] for p in pages} == {site.base + path for path in paths}
    assert len({p["article_id"] for p in pages}) == 5


def test_a_canonical_claimed_by_another_story_keeps_each_story_and_updates_still_version(env):
    site = TestSite(env, "alpha")
    site.page("/news/1", 1)
    site.page("/news/2", 2, canonical("/news/1"))  # another story claiming /news/1
    site.page("/news/3/amp", 3, canonical("/news/3"))  # an AMP copy: its canonical is honoured
    site.page("/news/4", 4, og_url(f"{site.origin}/news/4?utm_source=feed"))
    site.list_in_feed(["/news/1", "/news/2", "/news/3/amp", "/news/4"])
    site.crawl()
    rows = stored(env)
    urls = {f"{site.base}/news/{n}": n for n in (1, 2, 3, 4)}
    assert set(rows) == {("alpha", url) for url in urls}
    assert all(rows["alpha", url]["title"] == f"Story number {n}" for url, n in urls.items())
    assert versions(env) == []
    # a genuine update of /news/1, fetched again at its own URL, is a new version of it as before
    site.page("/news/1", 1001)
    site.crawl(NEWSCRAWL_SKIP_KNOWN="0")
    after = stored(env)
    assert set(after) == set(rows)
    assert after["alpha", f"{site.base}/news/1"]["title"] == "Story number 1001"
    assert after["alpha", f"{site.base}/news/2"]["title"] == "Story number 2"
    (version,) = versions(env)
    assert version["article_id"] == rows["alpha", f"{site.base}/news/1"]["id"] and version["title"] == "Story number 1"


def test_the_page_at_a_claimed_url_takes_it_back_from_the_claim(env):
    site = TestSite(env, "alpha")
    site.page("/news/1", 1)
    site.page("/news/2", 2, canonical("/news/1"))
    site.list_in_feed(["/news/2"])  # the claim is crawled first
    site.crawl()
    site.list_in_feed(["/news/1", "/news/2"])
    site.crawl()
    assert site.fetched("/news/1") == 1
    rows = stored(env)
    assert {url: row["title"] for (_, url), row in rows.items()} == {
        f"{site.base}/news/1": "Story number 1",
        f"{site.base}/news/2": "Story number 2",
    }
    assert versions(env) == []
    # the claim's own page, updated and fetched again, updates the claim's row (now under its own URL)
    site.page("/news/2", 2002, canonical("/news/1"))
    site.crawl(NEWSCRAWL_SKIP_KNOWN="0")
    after = stored(env)
    assert after["alpha", f"{site.base}/news/2"]["title"] == "Story number 2002"
    assert after["alpha", f"{site.base}/news/1"]["title"] == "Story number 1"
    assert [v["title"] for v in versions(env)] == ["Story number 2"]


def test_another_sources_canonical_cannot_replace_an_article(env):
    alpha = TestSite(env, "alpha")
    beta = TestSite(env, "beta", article_url=r"/(news|other)/\d+")
    alpha.page("/news/1", 1)
    alpha.list_in_feed(["/news/1"])
    alpha.crawl()
    before = stored(env)[("alpha", f"{alpha.base}/news/1")]
    # beta's own page names alpha's article as its canonical URL (another origin) ...
    beta.page("/news/9", 9, canonical(f"{alpha.base}/news/1") + og_url(f"{alpha.base}/news/1"))
    # ... and a page on alpha's server that only beta lists names it too (same origin, beta's article pattern)
    alpha.page("/other/5", 5, canonical("/news/1"))
    beta.list_in_feed(["/news/9", f"{alpha.base}/other/5"])
    beta.crawl()
    rows = stored(env)
    assert rows["alpha", f"{alpha.base}/news/1"] == before
    assert rows["beta", f"{beta.base}/news/9"]["title"] == "Story number 9"
    assert rows["beta", f"{alpha.base}/other/5"]["title"] == "Story number 5"
    assert len(rows) == 3 and versions(env) == []


def test_another_source_crawled_first_does_not_make_an_article_known(env):
    alpha = TestSite(env, "alpha")
    beta = TestSite(env, "beta")
    alpha.page("/news/1", 1)
    alpha.page("/news/2", 2)
    alpha.list_in_feed(["/news/1", "/news/2"])
    beta.page("/news/9", 9, canonical(f"{alpha.base}/news/1"))
    beta.list_in_feed(["/news/9", f"{alpha.base}/news/2"])  # beta also lists alpha's /news/2 itself
    beta.crawl()
    assert alpha.fetched("/news/2") == 1
    alpha.crawl()
    assert alpha.fetched("/news/1") == 1 and alpha.fetched("/news/2") == 2
    rows = stored(env)
    assert rows["alpha", f"{alpha.base}/news/1"]["title"] == "Story number 1"
    assert rows["alpha", f"{alpha.base}/news/2"]["title"] == "Story number 2"
    assert rows["beta", f"{beta.base}/news/9"]["title"] == "Story number 9"
    assert rows["beta", f"{alpha.base}/news/2"]["title"] == "Story number 2"
    # each source knows what it fetched itself: a third crawl of either fetches nothing again
    alpha.crawl()
    beta.crawl()
    assert alpha.fetched("/news/1") == 1 and alpha.fetched("/news/2") == 2
    assert beta.fetched("/news/9") == 1


def test_a_canonical_or_og_url_of_another_scheme_keeps_the_fetched_url(env):
    site = TestSite(env, "alpha")
    heads = {
        "/news/1": canonical("javascript://127.0.0.1/news/1%0Aalert(document.domain)"),
        "/news/2": canonical("file://127.0.0.1/news/2"),
        "/news/3": canonical("ftp://127.0.0.1/news/3"),
        "/news/4": og_url("javascript://127.0.0.1/news/4%0Aalert(1)"),
        "/news/5": og_url("file://127.0.0.1/news/5"),
        "/news/6": og_url("ftp://127.0.0.1/news/6"),
    }
    for n, (path, head) in enumerate(heads.items(), 1):
        site.page(path, n, head)
    site.list_in_feed(list(heads))
    site.crawl()
    assert {url for _, url in stored(env)} == {site.base + path for path in heads}
    urls = [row["url"] for row in env.rows("SELECT url FROM pages UNION ALL SELECT url FROM articles")]
    assert all(url.startswith("http://127.0.0.1:") for url in urls), urls


def test_extract_command_keeps_the_page_url_for_a_foreign_canonical(tmp_path: Path):
    page = tmp_path / "page.html"
    page.write_text(article_html("Story number 1", story(1), canonical("ftp://news.example/news/1")))
    result = run([str(NEWSCRAWL), "extract", str(page), "--url", "https://news.example/news/1"])
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["canonical_url"] is None


def test_an_older_database_is_migrated_to_per_source_urls_by_the_next_crawl(env):
    with closing(sqlite3.connect(env.db)) as conn:
        conn.executescript((ROOT / "tests" / "fixtures" / "db" / "schema-v1.sql").read_text(encoding="utf-8"))
    old_pages = env.rows("SELECT url, source, status, article_id FROM pages ORDER BY url")
    old_articles = env.rows("SELECT id, url, source, title FROM articles ORDER BY id")
    site = TestSite(env, "alpha")
    site.page("/news/1", 1)
    site.list_in_feed(["/news/1"])
    site.crawl()
    assert env.rows("SELECT value FROM meta WHERE key = 'schema_version'") == [{"value": str(SCHEMA_VERSION)}]
    for table in ("pages", "raw_pages"):
        keys = [r["name"] for r in sorted(env.rows(f"PRAGMA table_info({table})"), key=lambda r: r["pk"]) if r["pk"]]
        assert keys == ["source", "url"], table
    unique = [r["name"] for r in env.rows("PRAGMA index_list(articles)") if r["unique"]]
    assert [[c["name"] for c in env.rows(f"PRAGMA index_info({name})")] for name in unique] == [["source", "url"]]
    assert (
        env.rows("SELECT url, source, status, article_id FROM pages WHERE source != 'alpha' ORDER BY url") == old_pages
    )
    assert env.rows("SELECT id, url, source, title FROM articles WHERE source != 'alpha' ORDER BY id") == old_articles
    assert ("alpha", f"{site.base}/news/1") in stored(env)
