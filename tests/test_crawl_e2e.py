"""End to end: real `scrapy crawl` / `newscrawl crawl` processes against recorded sites on 127.0.0.1."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from urllib.parse import unquote

import pytest

from conftest import NEWSCRAWL, ROOT, SITES, SOURCE_FOLDERS, run
from crawler.demo.replay import ReplayServer, find_source_file
from pipelines.normalise import in_utc

EXPECTED = json.loads((SITES / "aljarida" / "expected.json").read_text(encoding="utf-8"))
ARTICLES = {page["path"].lstrip("/"): page for page in EXPECTED if page["is_article"]}
NOT_ARTICLES = {page["path"].lstrip("/") for page in EXPECTED if not page["is_article"]}
SEED_PATH = "news/differences-between-iran-and-its-allies-over-israels-response"
# the oil tag listing, added as a section: it is how the archive story and the June story are reached
WITH_TAGS = {"sections = [": 'sections = [\n  "https://www.aljarida.com/tags?query=النفط",'}
FIELDS = ("title", "published_at", "authors", "caption", "caption_credit", "attribution", "section")


def assert_ok(result) -> None:
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]


def test_scrapy_list_shows_the_configured_sources():
    result = run([sys.executable, "-m", "scrapy", "list"])
    assert_ok(result)
    assert "aljarida" in result.stdout.split()


def test_scrapy_crawl_aljarida_stores_clean_records(env):
    server = env.serve("aljarida", edit=WITH_TAGS)
    assert_ok(env.scrapy("crawl", "aljarida"))
    fetched = {unquote(path) for path in server.requests}
    # discovery: robots.txt Sitemap lines, a sitemap index, a gzipped sitemap, a Google News sitemap, RSS feeds,
    # a section page and its second page, a tag list and its second page
    for path in (
        "/robots.txt",
        "/sitemap.xml",
        "/sitemaps/2024/8/sitemap_0.xml.gz",
        "/sitemaps/news_sitemap.xml",
        "/rssFeed/1",
        "/rssFeed/0",
        "/morearticles/محليات",
        "/morearticles/محليات?pgno=2",
        "/tags?query=النفط",
        "/tags?pgno=2&query=النفط",
    ):
        assert path in fetched, path
    assert not any(path.endswith("/amp") or path.startswith("/search") for path in fetched)
    stored = env.articles()
    assert set(stored) == set(ARTICLES)
    for path, truth in ARTICLES.items():
        row = stored[path]
        for name in FIELDS:
            expected = in_utc(truth[name]) if name == "published_at" else truth[name]  # the store keeps UTC
            assert row[name] == expected, (path, name)
        lines = row["body"].split("\n")
        assert lines[0] == truth["first_line"] and lines[-1] == truth["last_line"], path
        assert row["language"] == "ar" and row["source"] == "aljarida" and row["source_name"] == "Al Jarida"
    pages = {row["url"].split("/", 3)[3]: row for row in env.rows("SELECT * FROM pages")}
    for path in NOT_ARTICLES:
        assert pages[path]["status"] == "not_article", path
    (run_row,) = env.rows("SELECT * FROM runs")
    assert run_row["status"] == "ok" and run_row["finish_reason"] == "finished"
    assert run_row["articles_new"] == len(ARTICLES) and run_row["pages_fetched"] > len(ARTICLES)
    assert json.loads(run_row["rejected_by_reason"]).get("not_article") == len(NOT_ARTICLES)


def test_fts_search_finds_crawled_articles(env):
    env.serve("aljarida", edit=WITH_TAGS)
    assert_ok(env.scrapy("crawl", "aljarida"))
    title = next(iter(ARTICLES.values()))["title"]
    word = max(title.split(), key=len)
    result = env.newscrawl("search", word, "--format", "json")
    assert_ok(result)
    assert title in [hit["title"] for hit in json.loads(result.stdout)]


def test_second_crawl_adds_no_row_and_fetches_no_known_article(env):
    server = env.serve("aljarida", edit={**WITH_TAGS, "revisit_hours = 6": "revisit_hours = 0"})
    assert_ok(env.scrapy("crawl", "aljarida"))
    first_requests = len(server.requests)
    before = env.rows("SELECT count(*) AS n FROM articles")[0]["n"]
    assert_ok(env.scrapy("crawl", "aljarida"))
    again = [
        path for path in server.requests[first_requests:] if path.lstrip("/") in ARTICLES | dict.fromkeys(NOT_ARTICLES)
    ]
    assert again == []
    # sitemaps and feeds are asked with their validators and answer 304; containers are read whole
    for path in ("/rssFeed/1", "/rssFeed/0", "/sitemaps/news_sitemap.xml", "/sitemaps/2024/8/sitemap_0.xml.gz"):
        assert path in server.not_modified, path
    assert "/sitemap.xml" not in server.not_modified and "/robots.txt" not in server.not_modified
    assert env.rows("SELECT count(*) AS n FROM articles")[0]["n"] == before
    runs = env.rows("SELECT * FROM runs ORDER BY id")
    assert len(runs) == 2 and runs[1]["articles_new"] == 0 and runs[1]["status"] == "ok"


def test_recrawl_without_skipping_updates_in_place(env):
    env.serve("aljarida", edit=WITH_TAGS)
    assert_ok(env.scrapy("crawl", "aljarida"))
    first = env.articles()
    assert_ok(env.scrapy("crawl", "aljarida", NEWSCRAWL_SKIP_KNOWN="False"))
    second = env.articles()
    assert set(second) == set(first)
    assert all(
        second[p]["id"] == first[p]["id"] and second[p]["first_seen_at"] == first[p]["first_seen_at"] for p in first
    )
    last = env.rows("SELECT * FROM runs ORDER BY id DESC LIMIT 1")[0]
    assert last["articles_unchanged"] == len(first) and last["articles_new"] == 0


def test_newscrawl_crawl_all_sources_and_the_seed_record(env):
    env.serve("aljarida", edit=WITH_TAGS)
    env.serve("aggregator")
    result = env.newscrawl("crawl")
    assert_ok(result)
    stored = env.articles()
    assert set(ARTICLES) <= set(stored)
    seed = stored[SEED_PATH]
    assert seed["title"] == "Differences between Iran and its allies over Israel’s response"
    assert seed["caption"] == "Iranian leader Ali Khamenei." and seed["caption_credit"] == "unn"
    assert seed["attribution"] == "aljarida"
    lines = seed["body"].split("\n")
    assert lines[0] == "Tensions Emerge in Tehran"
    assert lines[-1].endswith("when Hamas acted without prior coordination with Iran.")
    assert "Close this search box." not in seed["body"] and "Source:" not in seed["body"]
    assert {row["source"] for row in env.rows("SELECT source FROM runs")} == {"aljarida", "aggregator"}


def test_limits_per_run(env):
    env.serve("aljarida", edit={"max_articles = 0": "max_articles = 2"})
    assert_ok(env.scrapy("crawl", "aljarida"))
    assert len(env.articles()) == 2


def test_max_age_days_skips_old_listing_entries(env):
    """The shipped config keeps to the last 7 days: the June story, listed only in the June sitemap, is skipped."""
    server = env.serve("aljarida")
    assert_ok(env.scrapy("crawl", "aljarida"))
    stored = set(env.articles())
    assert "article/73010" not in stored and "/article/73010" not in server.requests
    assert stored == set(ARTICLES) - {"article/73010", "articles/1519324512431329700/"}


def test_http_proxy_from_the_environment(env):
    """With http_proxy set, the crawler reaches the real host names through the proxy (the replay server)."""
    server = ReplayServer.for_folder(SITES / "aljarida", public_url="http://www.aljarida.com").start()
    env.servers["proxy"] = server
    text = find_source_file("aljarida", SOURCE_FOLDERS).read_text(encoding="utf-8")
    text = text.replace(*next(iter(WITH_TAGS.items())))
    (env.sources_dir / "aljarida.toml").write_text(text.replace("https://", "http://"), encoding="utf-8")
    proxy = {"http_proxy": server.base_url, "no_proxy": ""}
    assert_ok(env.newscrawl("crawl", "aljarida", env=proxy))
    stored = env.rows("SELECT url FROM articles")
    assert len(stored) == len(ARTICLES)
    assert all(row["url"].startswith("http://www.aljarida.com/") for row in stored)


def test_a_broken_source_file_is_one_line_and_exit_2(env):
    env.serve("aljarida", edit=WITH_TAGS)
    bad = env.sources_dir / "broken.toml"
    bad.write_text(
        'name = "Broken"\nhomepage = "https://b.example/"\nallowed_domains = ["b.example"]\n'
        "feeds = []\narticle_url = '/news/(\\d+'\n",
        encoding="utf-8",
    )
    for result in (env.scrapy("list"), env.scrapy("crawl", "aljarida"), env.newscrawl("crawl")):
        assert result.returncode == 2, result.stderr[-2000:]
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and str(bad) in lines[0] and "Traceback" not in result.stderr
    assert not env.db.exists() or env.rows("SELECT count(*) AS n FROM articles")[0]["n"] == 0


def test_a_dead_source_fails_alone_with_exit_1(env):
    env.serve("aljarida", edit=WITH_TAGS)
    dead = env.sources_dir / "dead.toml"
    dead.write_text(
        'name = "Dead"\nhomepage = "http://127.0.0.1:9/"\nallowed_domains = ["127.0.0.1"]\n'
        'feeds = ["http://127.0.0.1:9/feed.xml"]\narticle_url = "/news/"\n',
        encoding="utf-8",
    )
    result = env.newscrawl("crawl", "--set", "RETRY_TIMES=0")
    assert result.returncode == 1
    assert "source dead failed" in result.stderr
    assert "fetch failed: http://127.0.0.1:9/feed.xml" in result.stderr
    assert len(env.articles()) == len(ARTICLES)
    statuses = {row["source"]: row["status"] for row in env.rows("SELECT source, status FROM runs")}
    assert statuses == {"aljarida": "ok", "dead": "failed"}


def test_demo_crawls_the_bundled_replay_and_search_finds_it(tmp_path):
    db = tmp_path / "demo.db"
    result = run([str(NEWSCRAWL), "demo", "--db", str(db)])
    assert_ok(result)
    count = int(result.stdout.split("demo: ", 1)[1].split()[0])
    assert count >= 7
    found = run([str(NEWSCRAWL), "search", "--db", str(db), "النفط", "--format", "json"])
    assert_ok(found)
    assert json.loads(found.stdout)


def test_extract_command_prints_the_record(tmp_path):
    page = SITES / "aljarida" / "article" / "74480.html"
    result = run(
        [
            str(NEWSCRAWL),
            "extract",
            str(page),
            "--url",
            "https://www.aljarida.com/article/74480",
            "--source",
            "aljarida",
        ]
    )
    assert_ok(result)
    record = json.loads(result.stdout)
    assert record["title"] == ARTICLES["article/74480"]["title"]
    assert record["language"] == "ar"


def test_newscrawl_sources_lists_endpoints():
    result = run([str(NEWSCRAWL), "sources"])
    assert_ok(result)
    assert result.stdout.startswith("aljarida\tAl Jarida\thttps://www.aljarida.com/\t")
    assert "feed\thttps://www.aljarida.com/rssFeed/1" in result.stdout


@pytest.mark.parametrize("order", [("aljarida", "mirror"), ("mirror", "aljarida")])
def test_republished_stories_are_stored_once_plus_linked_duplicates(env, order):
    env.serve("aljarida", edit=WITH_TAGS)
    env.serve("mirror")
    for source in order:  # whichever is crawled first, the original is the copy published first (Al Jarida's)
        assert_ok(env.newscrawl("crawl", source))
    original = env.articles()["article/74480"]
    assert original["duplicate_of"] is None
    stored = env.articles()
    # the mirror has the story word for word under two URLs: one is stored, linked; the other is not stored again
    copies = ["story/heatwave-peaks-wednesday", "story/heatwave-peaks-wednesday-2"]
    (word_for_word,) = [stored[path] for path in copies if path in stored]
    assert (word_for_word["duplicate_of"], word_for_word["similarity"]) == (original["id"], 1.0)
    pages = "SELECT status FROM pages WHERE url LIKE '%/story/heatwave-peaks-wednesday%' AND url != ?"
    (other,) = env.rows(pages, word_for_word["url"])
    assert other["status"] == "duplicate"
    edited = stored["story/heat-to-peak-on-wednesday"]  # another headline, a paragraph cut, a source line added
    assert edited["duplicate_of"] == original["id"] and 0.8 <= edited["similarity"] < 1.0
    assert edited["title"] == "الحرارة تبلغ 51 درجة الأربعاء" and edited["attribution"] == "الجريدة"
    assert stored["story/heatwave-english"]["duplicate_of"] is None  # a translation is another text
    (run,) = env.rows("SELECT articles_new, duplicates FROM runs WHERE source = 'mirror'")
    assert run == (
        {"articles_new": 1, "duplicates": 3} if order[0] == "aljarida" else {"articles_new": 2, "duplicates": 2}
    )


def test_status_reports_each_source_and_flags_a_stale_one(env):
    env.serve("aljarida", edit=WITH_TAGS)
    env.serve("aggregator", edit={'timezone = "UTC"': 'timezone = "UTC"\nstale_after_hours = 1'})
    assert_ok(env.newscrawl("crawl"))
    fresh = env.newscrawl("status")
    assert fresh.returncode == 0, fresh.stdout + fresh.stderr
    lines = dict(line.split("\t", 1) for line in fresh.stdout.strip().splitlines())
    assert set(lines) == {"aljarida", "aggregator"}
    assert f"{len(ARTICLES)} articles ({len(ARTICLES)} new)" in lines["aljarida"] and " ok\t" in lines["aljarida"]
    coverage = json.loads(env.rows("SELECT coverage FROM runs WHERE source = 'aljarida'")[0]["coverage"])
    assert coverage["datetime"] == 1.0 and coverage["caption"] == 1.0
    # two hours later nothing new has come from the aggregator, whose limit is one hour
    env.rows("UPDATE articles SET first_seen_at = '2000-01-01T00:00:00+00:00' WHERE source = 'aggregator'")
    stale = env.newscrawl("status")
    assert stale.returncode == 1
    flagged = [line for line in stale.stdout.splitlines() if "!!" in line]
    assert len(flagged) == 1 and flagged[0].startswith("aggregator") and "stale" in flagged[0]


def article_requests(server, since: int) -> list[str]:
    """Article pages the site served after its `since`-th request."""
    return [p for p in server.requests[since:] if p.lstrip("/") in ARTICLES or p.lstrip("/") in NOT_ARTICLES]


def test_one_new_article_costs_one_article_download(env):
    site = env.copy_site("aljarida")
    held_back = site / "article" / "74480.html"
    text = held_back.read_bytes()
    held_back.unlink()  # not published yet: the listings already name it, the page is a 404
    server = env.serve("aljarida", edit={**WITH_TAGS, "revisit_hours = 6": "revisit_hours = 0"})
    assert_ok(env.scrapy("crawl", "aljarida"))
    assert "article/74480" not in env.articles()
    held_back.write_bytes(text)
    before = len(server.requests)
    assert_ok(env.scrapy("crawl", "aljarida"))
    assert article_requests(server, before) == ["/article/74480"]
    assert set(env.articles()) == set(ARTICLES)
    runs = env.rows("SELECT articles_new, status FROM runs ORDER BY id")
    assert runs[1] == {"articles_new": 1, "status": "ok"}


def test_young_articles_are_revisited_and_a_change_is_versioned(env):
    site = env.copy_site("aljarida")
    server = env.serve("aljarida", edit=WITH_TAGS)  # the shipped revisit_hours = 6
    assert_ok(env.scrapy("crawl", "aljarida"))
    page = site / "article" / "74480.html"
    old_line = ARTICLES["article/74480"]["last_line"]
    new_line = "وأعلنت الإدارة لاحقاً تمديد التحذير حتى نهاية الأسبوع."
    page.write_text(page.read_text(encoding="utf-8").replace(old_line, new_line), encoding="utf-8")
    before = len(server.requests)
    assert_ok(env.scrapy("crawl", "aljarida"))
    revisited = article_requests(server, before)
    assert "/article/74480" in revisited and "/article/73010" not in revisited  # young ones only
    row = env.articles()["article/74480"]
    assert row["body"].endswith(new_line) and row["modified_at"] and row["first_seen_at"] <= row["last_seen_at"]
    (version,) = env.rows("SELECT * FROM article_versions")
    assert version["article_id"] == row["id"] and version["body"].endswith(old_line)
    last = env.rows("SELECT articles_updated, articles_new FROM runs ORDER BY id DESC LIMIT 1")[0]
    assert last == {"articles_updated": 1, "articles_new": 0}


def committed(env) -> int:
    """Articles committed so far (0 before the database exists)."""
    try:
        return env.rows("SELECT count(*) AS n FROM articles")[0]["n"] if env.db.exists() else 0
    except sqlite3.OperationalError:  # not created yet
        return 0


def test_a_crawl_killed_at_several_points_then_rerun_stores_every_article_once(env):
    server = env.serve("aljarida", edit={**WITH_TAGS, "revisit_hours = 6": "revisit_hours = 0"})
    server.delay = 0.1
    command = [str(NEWSCRAWL), "crawl", "--db", str(env.db), "--sources-dir", str(env.sources_dir)]
    command += [f"--set={item}" for item in ("NEWSCRAWL_BATCH_SIZE=1", "CONCURRENT_REQUESTS_PER_DOMAIN=1")]
    command += [f"--set={name}={value}" for name, value in env.fast.items()]
    for stored in (2, 5):  # kill once that many articles are committed, mid-crawl
        process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None and committed(env) < stored:
            time.sleep(0.02)
        assert process.poll() is None, "the crawl ended before it could be killed"
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert env.rows("PRAGMA integrity_check") == [{"integrity_check": "ok"}]
        assert env.rows("SELECT count(*) AS n FROM articles WHERE body = '' OR title = ''")[0]["n"] == 0
    stored_before_rerun = len(env.articles())
    server.delay = 0
    assert_ok(env.newscrawl("crawl"))
    assert 0 < stored_before_rerun < len(ARTICLES)  # the kills did interrupt a crawl that had stored some
    urls = [row["url"] for row in env.rows("SELECT url FROM articles")]
    assert len(urls) == len(set(urls))
    assert set(env.articles()) == set(ARTICLES)
    fts = env.rows("SELECT count(*) AS n FROM articles_fts")[0]["n"]
    assert fts == len(ARTICLES)


def test_a_short_news_flash_declared_an_article_is_stored_but_a_stub_is_not(env):
    """A breaking-news item of a couple of sentences is an article when its page says so (JSON-LD NewsArticle,
    og:type article, an article URL of the source): the 40-word floor is for pages that do not. A stub at an
    article URL (a few words, no sentence of its own) is still rejected."""
    site = env.copy_site("aljarida")
    template = (site / "article" / "74480.html").read_text(encoding="utf-8")
    start, end = template.index("<p>توقعت"), template.index("</div>", template.index('id="articleBody"'))
    flash = (
        "<p>عاجل: أعلنت الإدارة العامة للإطفاء السيطرة على حريق اندلع صباح اليوم في مخزن بمنطقة الشويخ الصناعية"
        " من دون تسجيل إصابات، وتحقق الجهات المختصة في أسباب الحادث.</p>"
    )
    stub = "<p>التفاصيل بعد قليل</p>"
    for number, body in (("74490", flash), ("74491", stub)):
        page = template[:start] + body + template[end:]
        (site / "article" / f"{number}.html").write_text(page.replace("74480", number), encoding="utf-8")
    sitemap = site / "sitemaps" / "news_sitemap.xml"
    entries = "".join(
        f"<url><loc>https://www.aljarida.com/article/{n}</loc><lastmod>2024-08-12T11:44:00+03:00</lastmod></url>"
        for n in ("74490", "74491")
    )
    sitemap.write_text(sitemap.read_text(encoding="utf-8").replace("</urlset>", entries + "</urlset>"))
    env.serve("aljarida")
    assert_ok(env.newscrawl("crawl", "aljarida"))
    stored = env.articles()
    assert stored["article/74490"]["body"].startswith("عاجل: أعلنت الإدارة العامة للإطفاء")
    assert "article/74491" not in stored
    (stub_page,) = env.rows("SELECT status FROM pages WHERE url LIKE '%/article/74491'")
    assert stub_page["status"] in ("not_article", "too_short")
