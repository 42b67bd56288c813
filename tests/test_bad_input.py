"""Every bad input is one line on stderr naming the file, setting or field, and a non-zero exit: never a traceback,
never a run that reports ok while it cannot work, never a hang. Each case runs the real `newscrawl` or `scrapy crawl`
process."""

from __future__ import annotations

import csv
import io
import json
import random
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from conftest import NEWSCRAWL, CrawlEnv, run

GOOD = """name = "Example"
homepage = "http://127.0.0.1:9/"
allowed_domains = ["127.0.0.1"]
feeds = ["http://127.0.0.1:9/feed"]
article_url = '/news/\\d+'
"""
COMPARED = (
    "url, source, source_name, title, body, caption, caption_credit, attribution, authors, published_at, language,"
    " section, tags, image_url, description"
)


def one_line_error(result, *needles: str, status: int = 2) -> str:
    """Assert the exit status, a single stderr line with no traceback, and each needle in that line."""
    assert result.returncode == status, result.stderr[-3000:]
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr[-3000:]
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def write_source(env: CrawlEnv, text: str) -> Path:
    path = env.sources_dir / "example.toml"
    path.write_text(text, encoding="utf-8")
    return path


def query(db: Path, sql: str) -> list[tuple]:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute(sql).fetchall()


# --- source files ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ("revisit_hours = 10000000000000", "revisit_hours"),
        ("max_articles = -1", "max_articles"),
        ("max_age_days = 1.5", "max_age_days"),
        ("stale_after_hours = 0", "stale_after_hours"),
        ("max_articles = true", "max_articles"),
    ],
)
def test_a_number_out_of_its_range_in_a_source_file(env, line, key):
    path = write_source(env, GOOD + line + "\n")
    error = one_line_error(env.newscrawl("sources"), str(path), repr(key), "must be a whole number from")
    assert line.split(" = ")[1] in error.lower()


@pytest.mark.parametrize(
    ("edit", "key", "url"),
    [
        (('feeds = ["http://127.0.0.1:9/feed"]', 'feeds = ["file:///etc/passwd"]'), "feeds", "file:///etc/passwd"),
        (('feeds = ["http://127.0.0.1:9/feed"]', 'sitemaps = ["ftp://127.0.0.1/s.xml"]'), "sitemaps", "ftp://"),
        (('feeds = ["http://127.0.0.1:9/feed"]', 'sections = ["/news/"]'), "sections", "/news/"),
        (('homepage = "http://127.0.0.1:9/"', 'homepage = "javascript:alert(1)"'), "homepage", "javascript:"),
        (('homepage = "http://127.0.0.1:9/"', 'homepage = "http:///no-host"'), "homepage", "http:///no-host"),
    ],
)
def test_a_url_that_is_not_http_in_a_source_file(env, edit, key, url):
    path = write_source(env, GOOD.replace(*edit))
    one_line_error(env.newscrawl("crawl"), str(path), repr(key), url, "is not an http(s) URL")
    assert not env.db.exists()  # stopped before anything was opened


@pytest.mark.parametrize(
    ("selector", "problem"),
    [
        ('title = "h1[[["', "Expected ident"),
        ('body = "div >"', "Expected selector"),
        ('published = "time::text"', "Pseudo-elements are not supported"),
        ('remove = ""', "Expected selector"),
    ],
)
def test_a_selector_that_does_not_compile_stops_newscrawl_crawl(env, selector, problem):
    path = write_source(env, GOOD + "[selectors]\n" + selector + "\n")
    key = selector.split(" = ")[0]
    line = one_line_error(env.newscrawl("crawl"), str(path), f"selector {key!r}", "does not compile", problem)
    assert line.startswith("newscrawl: error: ")


def test_a_selector_that_does_not_compile_stops_scrapy_crawl(env):
    server = env.serve("aggregator")
    path = env.sources_dir / "aggregator.toml"
    path.write_text(path.read_text(encoding="utf-8") + '\n[selectors]\ntitle = "h1[[["\n', encoding="utf-8")
    result = env.scrapy("crawl", "aggregator")
    one_line_error(result, str(path), "selector 'title'", "does not compile")
    assert not env.db.exists() and server.requests == []  # before: every page rejected, the run "ok"


def test_a_selector_that_compiles_is_used(env):
    env.serve("aggregator")
    path = env.sources_dir / "aggregator.toml"
    path.write_text(path.read_text(encoding="utf-8") + '\n[selectors]\ntitle = "h1"\n', "utf-8")
    result = env.newscrawl("crawl")
    assert result.returncode == 0, result.stderr[-3000:]
    assert env.rows("SELECT count(*) AS n FROM articles")[0]["n"] > 0


# --- settings ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "wanted"),
    [
        ("DEPTH_LIMIT=abc", "must be a whole number from 0 to 1000"),
        ("CONCURRENT_REQUESTS_PER_DOMAIN=0", "must be a whole number from 1 to 1000"),
        ("DOWNLOAD_DELAY=1e308", "must be a number from 0 to 3600"),
        ("DOWNLOAD_TIMEOUT=nan", "must be a number from 0.1 to 86400"),
        ("NEWSCRAWL_BATCH_SIZE=2.5", "must be a whole number from 1 to 100000"),
        ("AUTOTHROTTLE_ENABLED=maybe", "must be true or false"),
        ("NEWSCRAWL_EXTRACT_TIMEOUT=soon", "must be a number from 0 to 86400"),
        ("NEWSCRAWL_MAX_SCHEDULED=-1", "must be a whole number from 0 to 1_000_000_000"),
        ("NEWSCRAWL_WORKER_MAX_PAGES=-5", "must be a whole number from 0 to 1_000_000_000"),
        ("NEWSCRAWL_WORKER_MAX_PAGES=many", "must be a whole number from 0 to 1_000_000_000"),
    ],
)
def test_a_bad_set_value_stops_newscrawl_crawl_before_it_starts(env, setting, wanted):
    write_source(env, GOOD)
    name, value = setting.split("=")
    result = run(
        [str(NEWSCRAWL), "crawl", "--set", setting, "--db", str(env.db), "--sources-dir", str(env.sources_dir)]
    )
    one_line_error(result, f"setting {name}={value!r}", wanted)
    assert not env.db.exists()


def test_a_set_without_a_value_is_an_error(env):
    write_source(env, GOOD)
    one_line_error(env.newscrawl("crawl", "--set", "DEPTH_LIMIT"), "--set 'DEPTH_LIMIT': expected NAME=VALUE")


@pytest.mark.parametrize("setting", ["DEPTH_LIMIT=abc", "CONCURRENT_REQUESTS_PER_DOMAIN=0", "DOWNLOAD_DELAY=1e308"])
def test_a_bad_setting_stops_scrapy_crawl_before_it_starts(env, setting):
    server = env.serve("aggregator")
    name, value = setting.split("=")
    result = env.scrapy("crawl", "aggregator", **{name: value})
    one_line_error(result, f"setting {name}={value!r}")
    assert server.requests == []


def test_an_unknown_set_name_is_a_warning_and_the_crawl_runs(env):
    env.serve("aggregator")
    result = env.newscrawl("crawl", "--set", "DEPTH_LIMT=2")
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stderr.strip().splitlines()
    assert lines[0] == "newscrawl: warning: --set DEPTH_LIMT: not a setting of Scrapy or newscrawl"
    assert lines[1].startswith("newscrawl: aggregator: ok") and len(lines) == 2


# --- databases that are not newscrawl databases -----------------------------------------------------------------

READERS = {
    "sources": ["sources", "--sources-dir", "crawler/sources"],
    "show": ["show", "1"],
    "serve": ["serve", "--port", "0"],
    "status": ["status", "--sources-dir", "crawler/sources"],
    "search": ["search", "oil"],
    "export": ["export"],
}
NOT_DATABASES = {
    "empty": (b"", "holds no newscrawl database"),
    "random": (random.Random(7).randbytes(8192), "cannot read the database: file is not a database"),
    "text": (b"id,url,title\n1,https://example.test/a,A\n" * 50, "cannot read the database: file is not a database"),
}


@pytest.mark.parametrize("kind", NOT_DATABASES)
@pytest.mark.parametrize("command", READERS)
def test_a_reader_given_a_file_that_is_no_newscrawl_database(tmp_path, command, kind):
    content, problem = NOT_DATABASES[kind]
    db = tmp_path / "news.db"
    db.write_bytes(content)
    result = run([str(NEWSCRAWL), *READERS[command], "--db", str(db)], timeout=120)  # serve once hung here
    one_line_error(result, f"{db}: {problem}")
    assert db.read_bytes() == content  # a reader changes nothing


def test_another_programs_sqlite_file_is_no_newscrawl_database(tmp_path):
    db = tmp_path / "other.db"
    with closing(sqlite3.connect(db)) as conn:
        conn.execute("CREATE TABLE notes (text TEXT)")
    one_line_error(run([str(NEWSCRAWL), "search", "oil", "--db", str(db)]), f"{db}: holds no newscrawl database")


def test_an_empty_file_is_a_new_database_for_a_writer(tmp_path):
    db = tmp_path / "news.db"
    db.write_bytes(b"")
    records = tmp_path / "in.jsonl"
    records.write_text(json.dumps({"url": "https://example.test/a", "title": "A", "body": "one two"}) + "\n")
    result = run([str(NEWSCRAWL), "import", str(records), "--db", str(db)])
    assert result.returncode == 0, result.stderr
    assert query(db, "SELECT url FROM articles") == [("https://example.test/a",)]


def test_show_of_an_id_past_sqlites_integers_is_no_article(tmp_path):
    db = tmp_path / "news.db"
    records = tmp_path / "in.jsonl"
    records.write_text(json.dumps({"url": "https://example.test/a", "title": "A", "body": "one two"}) + "\n")
    assert run([str(NEWSCRAWL), "import", str(records), "--db", str(db)]).returncode == 0
    huge = "99999999999999999999999"
    one_line_error(run([str(NEWSCRAWL), "show", huge, "--db", str(db)]), f"no article '{huge}'", status=1)
    assert run([str(NEWSCRAWL), "show", "1", "--db", str(db)]).returncode == 0


# --- import ------------------------------------------------------------------------------------------------------

FIRST = {"url": "https://example.test/a", "title": "First", "body": "one two three", "published_at": "2024-08-12"}


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        ({"published_at": "yesterday"}, "'published_at' 'yesterday' is not an ISO 8601 date or time"),
        ({"modified_at": "2024-13-45T99:00"}, "'modified_at' '2024-13-45T99:00' is not an ISO 8601"),
        ({"url": "ftp://example.test/b"}, "'url' 'ftp://example.test/b' is not an http(s) URL"),
        ({"url": "/relative/b"}, "'url' '/relative/b' is not an http(s) URL"),
        ({"authors": "Ann Smith"}, "'authors' is not a list of strings"),
        ({"authors": ["Ann", 7]}, "'authors' is not a list of strings"),
        ({"tags": {"a": 1}}, "'tags' is not a list of strings"),
        ({"images": [{"url": 5}]}, "'images'[0].url is not a string"),
        ({"images": "pic.jpg"}, "'images' is not a list of objects"),
        ({"section": 3}, "'section' is not a string"),
        ({"title": ["T"]}, "'title' missing or not a non-empty string"),
    ],
)
def test_import_names_the_line_and_field_of_a_bad_record(tmp_path, change, needle):
    source = tmp_path / "in.jsonl"
    second = {"url": "https://example.test/b", "title": "Second", "body": "four five", **change}
    source.write_text(json.dumps(FIRST) + "\n" + json.dumps(second) + "\n", encoding="utf-8")
    db = tmp_path / "news.db"
    one_line_error(run([str(NEWSCRAWL), "import", str(source), "--db", str(db)]), f"{source}:2: {needle}")
    assert not db.exists() or query(db, "SELECT count(*) FROM articles") == [(0,)]


def test_import_names_the_line_and_field_of_a_bad_csv_row(tmp_path):
    source = tmp_path / "in.csv"
    rows = io.StringIO()
    writer = csv.DictWriter(rows, fieldnames=["id", "url", "title", "body", "authors", "published_at"])
    writer.writeheader()
    writer.writerow({"id": 1, "url": "https://example.test/a", "title": "A", "body": "line one\nline two"})
    writer.writerow({"id": 2, "url": "https://example.test/b", "title": "B", "body": "x", "published_at": "soon"})
    source.write_text(rows.getvalue(), encoding="utf-8")
    result = run([str(NEWSCRAWL), "import", str(source), "--db", str(tmp_path / "news.db")])
    one_line_error(result, f"{source}:4: 'published_at' 'soon' is not an ISO 8601 date or time")  # row 1: lines 2-3
    source.write_text(rows.getvalue().replace("2,https://example.test/b,B,x,,soon", '2,https://x.test/b,B,x,"[1]",'))
    result = run([str(NEWSCRAWL), "import", str(source), "--db", str(tmp_path / "news.db")])
    one_line_error(result, f"{source}:4: 'authors' is not a list of strings")


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "a binary file, not UTF-8 JSON lines or CSV"),
        (json.dumps(FIRST).encode() + b"\n" + "é".encode("latin-1") + b"\n", "2: not UTF-8 text"),
    ],
)
def test_import_of_a_file_that_is_not_text(tmp_path, content, problem):
    source = tmp_path / "photo.jsonl"
    source.write_bytes(content)
    one_line_error(run([str(NEWSCRAWL), "import", str(source), "--db", str(tmp_path / "n.db")]), f"{source}:", problem)


def test_export_csv_then_import_into_an_empty_database_keeps_every_record(crawled, tmp_path):
    exported = tmp_path / "all.csv"
    result = crawled.newscrawl("export", "--format", "csv", "--include-duplicates", "--output", str(exported))
    assert result.returncode == 0, result.stderr
    with open(exported, encoding="utf-8", newline="") as rows:
        assert any("\n" in row["body"] for row in csv.DictReader(rows))  # records spanning lines

    copy = tmp_path / "copy.db"
    first = run([str(NEWSCRAWL), "import", str(exported), "--db", str(copy)])
    assert first.returncode == 0, first.stderr
    order = " ORDER BY url"
    assert query(copy, f"SELECT {COMPARED} FROM articles{order}") == query(
        crawled.db, f"SELECT {COMPARED} FROM articles{order}"
    )
    images = "SELECT a.url, i.position, i.url, i.caption, i.credit FROM images i JOIN articles a ON a.id = i.article_id"
    assert query(copy, images + " ORDER BY 1, 2") == query(crawled.db, images + " ORDER BY 1, 2")
    duplicates = "SELECT count(*) FROM articles WHERE duplicate_of IS NOT NULL"
    assert query(copy, duplicates) == query(crawled.db, duplicates) == [(2,)]

    again = run([str(NEWSCRAWL), "import", str(exported), "--db", str(copy)])
    assert again.returncode == 0, again.stderr
    assert query(copy, "SELECT count(*) FROM articles") == query(crawled.db, "SELECT count(*) FROM articles")


def test_a_cell_export_neutralised_as_a_formula_is_imported_as_it_was_stored(tmp_path):
    record = {"url": "https://example.com/a/1", "title": "-2 degrees tonight", "body": "=SUM(A1) " + "word " * 30}
    records = tmp_path / "in.jsonl"
    records.write_text(json.dumps(record) + "\n", encoding="utf-8")
    first, copy = tmp_path / "first.db", tmp_path / "copy.db"
    assert run([str(NEWSCRAWL), "import", str(records), "--db", str(first)]).returncode == 0
    exported = tmp_path / "out.csv"
    assert run([str(NEWSCRAWL), "export", "--format", "csv", "--db", str(first), "--output", str(exported)]).returncode == 0
    assert "'-2 degrees" in exported.read_text(encoding="utf-8")  # neutralised for spreadsheets
    result = run([str(NEWSCRAWL), "import", str(exported), "--db", str(copy)])
    assert result.returncode == 0, result.stderr
    assert query(copy, "SELECT title, body FROM articles") == query(first, "SELECT title, body FROM articles")
