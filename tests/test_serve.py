"""`newscrawl serve`: a crawled database in Datasette, read-only, over real HTTP on 127.0.0.1 (and in Chromium)."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import closing
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import lxml.html
import pytest

from conftest import NEWSCRAWL, ROOT, CrawlEnv, run
from crawler.web import serve

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


def test_index_and_table_pages(server, crawled):
    status, index = server.get("/")
    assert status == 200 and "newscrawl" in index and "News articles" in index
    status, page = server.get("/news/articles")
    assert status == 200 and OIL_TITLE in page
    for facet in ("source", "language", "section"):
        assert f'data-column="{facet}"' in page
    (oil,) = [row["id"] for row in crawled.rows("SELECT id FROM articles WHERE title = ?", OIL_TITLE)]
    assert f'<a href="/news/-/articles/{oil}" dir="auto">{OIL_TITLE}</a>' in page  # a title opens the article
    database = server.get("/news")[1]
    assert "articles_fts" not in database  # the full-text tables are hidden
    assert '<a href="/news/-/search">Search the articles</a>' in database


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


def sql_error(server: Server, sql: str) -> str | None:
    """The error Datasette's SQL API reports for `sql` (None when it runs)."""
    status, text = server.get("/news.json?sql=" + quote(sql))
    answer = json.loads(text)
    assert (status == 200) == answer["ok"], text[:500]
    return answer.get("error")


def test_sql_functions_refuse_arguments_over_their_documented_size(server):
    """A query over 10,000 characters or a text over 1,000,000 is refused (SQLite: "string or blob too big")
    instead of holding a worker thread past the time limit; at the limit they still run."""
    assert sql_error(server, "select newscrawl_match(printf('%.*c', 10000, 'a'))") is None
    assert sql_error(server, "select newscrawl_match(printf('%.*c', 10001, 'a'))") == "string or blob too big"
    assert sql_error(server, "select newscrawl_snippet('oil', printf('%.*c', 10001, 'a'))") == "string or blob too big"
    assert sql_error(server, "select newscrawl_analyse(printf('%.*c', 1000000, 'a'))") is None
    assert sql_error(server, "select newscrawl_analyse(printf('%.*c', 1000001, 'a'))") == "string or blob too big"


def test_snippet_reads_no_further_than_the_text_limit(server):
    """newscrawl_snippet on a stored body never reads past its first 1,000,000 characters: a word after them is not
    found, the same word before them is."""
    near = "select newscrawl_snippet(printf('%.*c', 999980, 'x') || ' needle', 'needle') as s"
    far = "select newscrawl_snippet(printf('%.*c', 1000000, 'x') || ' needle', 'needle') as s"
    assert "[needle]" in server.json("/news.json?_shape=array&sql=" + quote(near))[0]["s"]
    assert "needle" not in server.json("/news.json?_shape=array&sql=" + quote(far))[0]["s"]


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ('"oil', 'unbalanced quote in query: "oil'),
        ("oil OR", "OR needs a word on each side: oil OR"),
        ("x" * 10_001, "the query is 10,001 characters long; the limit is 10,000"),
    ],
)
def test_a_bad_query_on_the_canned_search_page_says_why(server, query, reason):
    status, page = server.get("/news/search?q=" + quote(query))
    assert status == 400
    assert [p.text_content() for p in lxml.html.fromstring(page).find_class("message-error")] == [reason]
    assert "user-defined function raised exception" not in page


def test_the_canned_search_opens_without_an_error(server):
    status, page = server.get("/news/search")
    assert status == 200 and "message-error" not in page
    assert server.json("/news/search.json?_shape=array&q=") == []


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


WINDOW = (1200, 1400)
HOSTILE_TITLE = "<script>document.title='pwned'</script><img src=x onerror=\"document.title='pwned'\"> Market rally"
HOSTILE = [
    {
        "url": "https://hostile.example/news/1",
        "source": "hostile",
        "source_name": "Hostile <b>Times</b>",
        "language": "en",
        "title": HOSTILE_TITLE,
        "body": "The market rally went on <script>document.title='pwned'</script> for a third day.\n"
        "Traders said the <img src=x onerror=\"document.title='pwned'\"> market had room to run.",
        "authors": ["<i>Eve</i>", "Mallory"],
        "published_at": "2024-08-10T10:00:00+00:00",
    },
    {"url": "https://hostile.example/bad-link", "title": "A link that is not one", "body": "Words about a bad link."},
]
BAD_LINK = "javascript:document.title='pwned'"  # import refuses it: the test stores it as an older version might have


@pytest.fixture(scope="module")
def browser() -> Path:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing in CI (make test installs it with apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} not installed (make test installs it: apt-get install -y chromium)")
    return CHROMIUM


@pytest.fixture(scope="module")
def browsed(crawled: CrawlEnv, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`newscrawl serve` on a copy of the crawled database (Arabic and English articles) with hostile records
    imported by `newscrawl import`."""
    folder = tmp_path_factory.mktemp("browsed")
    db = folder / "news.db"
    with closing(sqlite3.connect(crawled.db)) as source, closing(sqlite3.connect(db)) as copy:
        source.backup(copy)
    records = folder / "hostile.jsonl"
    records.write_text("".join(json.dumps(record) + "\n" for record in HOSTILE), encoding="utf-8")
    imported = run([str(NEWSCRAWL), "import", str(records), "--db", str(db)])
    assert imported.returncode == 0, imported.stderr
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.execute("UPDATE articles SET url = ? WHERE url = ?", [BAD_LINK, HOSTILE[-1]["url"]])
    running = Server(db, folder / "serve.log")
    try:
        running.wait_ready()
        yield running
    finally:
        running.stop()


def chromium(url: str, profile: Path, screenshot: Path | None = None) -> lxml.html.HtmlElement | None:
    """The DOM headless Chromium builds for `url` (scripts run), or a screenshot of it saved to `screenshot`."""
    output = [f"--screenshot={screenshot}"] if screenshot else ["--dump-dom"]
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
            "--hide-scrollbars",
            f"--window-size={WINDOW[0]},{WINDOW[1]}",
            f"--user-data-dir={profile}",
            *output,
            url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    if screenshot:
        assert screenshot.is_file(), result.stderr[-3000:]
        return None
    return lxml.html.fromstring(result.stdout)


def ink_rows(screenshot: Path) -> list[tuple[int, int]]:
    """(leftmost, rightmost) dark pixel of every pixel row with text on it (full-width bars left out)."""
    from PIL import Image  # Pillow comes with matplotlib, of the [plot] extra that make test installs

    with Image.open(screenshot) as image:
        dark = image.convert("L").point(lambda value: 255 if value < 110 else 0)
    rows = []
    for y in range(dark.height):
        box = dark.crop((0, y, dark.width, y + 1)).getbbox()
        if box and box[2] - box[0] < 0.95 * dark.width:
            rows.append((box[0], box[2]))
    return rows


def aligned(edges: list[int], slack: int = 4) -> tuple[int, float]:
    """The most common edge, and the share of rows whose edge is within `slack` pixels of it."""
    mode = Counter(edges).most_common(1)[0][0]
    return mode, sum(abs(edge - mode) <= slack for edge in edges) / len(edges)


def check_screenshot(screenshot: Path) -> None:
    """A real page, not a blank or single-colour one."""
    from PIL import Image

    with Image.open(screenshot) as image:
        assert image.size == WINDOW
        colours = image.convert("RGB").getcolors(WINDOW[0] * WINDOW[1])
    assert len(colours) > 200, f"{screenshot}: {len(colours)} colours"
    assert max(count for count, _ in colours) < 0.95 * WINDOW[0] * WINDOW[1]


def texts(dom: lxml.html.HtmlElement, xpath: str) -> list[str]:
    return [" ".join(node.text_content().split()) for node in dom.xpath(xpath)]


def search_results(dom: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    return dom.xpath("//ol[@class='newscrawl-results']/li")


def test_front_page_leads_with_the_article_search(browsed, browser, tmp_path_factory):
    shots = tmp_path_factory.mktemp("screenshots")
    dom = chromium(browsed.url + "/", shots / "profile")
    (form,) = dom.xpath("//form[@class='newscrawl-form']")
    assert form.get("action") == "/news/-/search"
    assert form.xpath(".//input[@type='search'][@name='q']")
    assert {o.get("value") for o in form.xpath(".//select[@name='source']/option")} >= {"", "aljarida", "aggregator"}
    assert {o.get("value") for o in form.xpath(".//select[@name='language']/option")} >= {"", "ar", "en"}
    assert [i.get("name") for i in form.xpath(".//input[@type='date']")] == ["since", "until"]
    latest = search_results(dom)
    assert latest and all(li.xpath(".//a[starts-with(@href, '/news/-/articles/')]") for li in latest)
    assert {li.get("dir") for li in latest if li.get("lang") == "ar"} == {"rtl"}
    links = [a.get("href") for a in dom.iter("a")]
    assert links.index("/news/runs") > links.index(latest[-1].xpath(".//a")[0].get("href"))  # bookkeeping last
    assert not dom.find_class("message-error")
    chromium(browsed.url + "/", shots / "profile", shots / "front-page.png")
    check_screenshot(shots / "front-page.png")


def test_search_pages_through_the_results_newscrawl_search_finds(browsed, browser, tmp_path_factory):
    shots = tmp_path_factory.mktemp("screenshots")
    db = str(browsed.log.parent / "news.db")
    cli = run([str(NEWSCRAWL), "search", "الكويت", "--db", db, "--format", "json", "--limit", "100"])
    expected = [row["title"] for row in json.loads(cli.stdout)]
    assert len(expected) >= 3, cli.stdout
    url = f"{browsed.url}/news/-/search?q={quote('الكويت')}&size=2"
    seen = []
    while url:
        dom = chromium(url, shots / "profile")
        assert not dom.find_class("message-error")
        results = search_results(dom)
        assert len(results) == 2 or not dom.xpath("//a[@rel='next']")
        assert {(li.get("dir"), li.get("lang")) for li in results} == {("rtl", "ar")}
        seen += texts(dom, "//ol[@class='newscrawl-results']/li//h3")
        assert all(a.get("href").startswith("/news/-/articles/") for a in dom.xpath("//li//h3/a"))
        assert texts(dom, "//li//mark") and all(word.endswith("الكويت") for word in texts(dom, "//li//mark"))
        assert (seen[:2] == seen) == (not dom.xpath("//a[@rel='prev']"))
        following = dom.xpath("//a[@rel='next']/@href")
        url = browsed.url + following[0] if following else None
    assert seen == expected
    page = f"{browsed.url}/news/-/search?q={quote('الكويت')}&size=2"
    chromium(page, shots / "profile", shots / "search-arabic.png")
    check_screenshot(shots / "search-arabic.png")


@pytest.mark.parametrize(
    ("filters", "check"),
    [
        ("source=aggregator", lambda source, day: source == "News Aggregator"),
        ("language=ar", lambda source, day: source in ("Al Jarida", "Gulf Mirror")),
        ("since=2024-08-12&until=2024-08-12", lambda source, day: day == date(2024, 8, 12)),
        ("until=2024-08-11&sort=newest", lambda source, day: day <= date(2024, 8, 11)),
    ],
)
def test_search_filters(browsed, filters, check):
    status, page = browsed.get("/news/-/search?" + filters)
    assert status == 200
    found = []
    for meta in texts(lxml.html.fromstring(page), "//li/p[@class='newscrawl-meta']"):
        source, shown = meta.rsplit(" · ", 1)
        found.append((source, datetime.strptime(shown, "%d %b %Y, %H:%M UTC")))
    assert found and all(check(source, moment.date()) for source, moment in found), found
    assert [moment for _, moment in found] == sorted((moment for _, moment in found), reverse=True)  # newest first


def test_article_pages_are_readable_in_their_own_direction(browsed, browser, tmp_path_factory, crawled):
    shots = tmp_path_factory.mktemp("screenshots")
    for language, direction, edge in (("ar", "rtl", 1), ("en", "ltr", 0)):
        (row,) = crawled.rows(
            "SELECT * FROM articles WHERE language = ? AND authors != '[]' AND duplicate_of IS NULL"
            " ORDER BY length(body) DESC LIMIT 1",
            language,
        )
        url = f"{browsed.url}/news/-/articles/{row['id']}"
        dom = chromium(url, shots / "profile")
        (article,) = dom.xpath("//article")
        assert (article.get("dir"), article.get("lang")) == (direction, language)
        assert texts(article, ".//h1") == [" ".join(row["title"].split())]
        assert texts(article, ".//ul[@class='newscrawl-authors']/li") == json.loads(row["authors"])
        assert article.xpath(".//a[@class='newscrawl-original']/@href") == [row["url"]]
        body = [" ".join(line.split()) for line in row["body"].splitlines() if line.strip()]
        assert texts(article, ".//div[@class='newscrawl-body']/p") == body
        assert not dom.find_class("message-error")
        shot = shots / f"article-{language}.png"
        chromium(url, shots / "profile", shot)
        check_screenshot(shot)
        rows = ink_rows(shot)
        mode, share = aligned([r[edge] for r in rows])
        assert share > 0.3 and share > 2 * aligned([r[1 - edge] for r in rows])[1], (language, share)
        column = [r for r in rows if abs(r[edge] - mode) <= 4]
        width = max(r[1] for r in column) - min(r[0] for r in column)
        assert 400 < width < 0.75 * WINDOW[0], (language, width)  # a readable measure, not a squeezed column


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        ("q=" + quote('"oil'), 'unbalanced quote in query: "oil'),
        ("q=" + quote("-oil"), "the query has no word to look for: -oil"),
        ("q=" + "x" * 10_001, "the query is 10,001 characters long; the limit is 10,000"),
        ("q=oil&since=2024-13-45", "since: not a day (YYYY-MM-DD): 2024-13-45"),
        ("page=0", "page: a whole number from 1, not 0"),
        ("size=1000", "size: a whole number from 1 up to 100, not 1000"),
    ],
)
def test_a_bad_search_says_why_in_one_line(browsed, args, reason):
    status, page = browsed.get("/news/-/search?" + args)
    assert status == 400
    dom = lxml.html.fromstring(page)
    assert texts(dom, "//p[contains(@class, 'message-error')]") == [reason]
    assert not search_results(dom) and dom.xpath("//input[@name='q']")


def test_a_bad_query_in_chromium(browsed, browser, tmp_path_factory):
    shots = tmp_path_factory.mktemp("screenshots")
    query = 'أسعار "النفط'
    url = f"{browsed.url}/news/-/search?q={quote(query)}"
    dom = chromium(url, shots / "profile")
    assert texts(dom, "//p[contains(@class, 'message-error')]") == ['unbalanced quote in query: أسعار "النفط']
    assert dom.xpath("//input[@name='q']/@value") == [query]
    chromium(url, shots / "profile", shots / "bad-query.png")
    check_screenshot(shots / "bad-query.png")


def test_hostile_text_is_shown_as_text(browsed, browser, tmp_path_factory):
    shots = tmp_path_factory.mktemp("screenshots")
    dom = chromium(f"{browsed.url}/news/-/search?q=rally", shots / "profile")
    assert texts(dom, "//li//h3") == [" ".join(HOSTILE_TITLE.split())]
    (link,) = dom.xpath("//li//h3/a/@href")
    dom = chromium(browsed.url + link, shots / "profile")
    assert dom.findtext(".//title") == " ".join(HOSTILE_TITLE.split())  # no script ran
    assert texts(dom, "//article//h1") == [" ".join(HOSTILE_TITLE.split())]
    assert texts(dom, "//ul[@class='newscrawl-authors']/li") == ["<i>Eve</i>", "Mallory"]
    assert not dom.xpath("//article//script | //article//img | //article//i | //article//b")
    (bad_link,) = [row for row in browsed_rows(browsed) if row["url"].startswith("javascript:")]
    dom = chromium(f"{browsed.url}/news/-/articles/{bad_link['id']}", shots / "profile")
    assert not dom.xpath("//a[starts-with(@href, 'javascript:')]")
    assert texts(dom, "//span[@class='newscrawl-original-text']") == [bad_link["url"]]


def browsed_rows(server: Server) -> list[dict[str, Any]]:
    with closing(sqlite3.connect(server.log.parent / "news.db")) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(row) for row in conn.execute("SELECT id, url FROM articles")]


def test_an_unknown_article_is_not_found(browsed):
    status, page = browsed.get("/news/-/articles/999999")
    assert status == 404 and "no article 999999 in news" in page
    assert browsed.get("/nosuchdb/-/search")[0] == 404


def test_search_page_in_headless_chromium(server, browser, tmp_path):
    """The canned query's page still works in a browser (and its JSON is the API)."""
    dom = chromium(f"{server.url}/news/search?q=oil", tmp_path / "profile")
    assert "1 row" in dom.text_content()
    assert OIL_TITLE in dom.text_content()


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
