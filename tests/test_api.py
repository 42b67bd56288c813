"""`import newscrawl` in a notebook or script, and `newscrawl extract URL | -`, against the replay server and a real
database file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import metadata

from conftest import NEWSCRAWL, PROXY_VARIABLES, SITES, run

EXPECTED = {page["path"]: page for page in json.loads((SITES / "aljarida" / "expected.json").read_text("utf-8"))}
HEATWAVE = EXPECTED["/article/74480"]

SCRIPT = """
import json, sys
import newscrawl

base, db_path, page_file, sources_dir = sys.argv[1:5]
out = {"version": newscrawl.__version__, "errors": []}
out["fetched"] = newscrawl.extract_url(f"{base}/article/74480").to_dict()
with open(page_file, "rb") as page:
    given = newscrawl.extract(page.read(), "https://www.aljarida.com/article/74480", source="aljarida")
out["given"] = given.to_dict()
for url in (f"{base}/search?q=oil", f"{base}/article/999999"):
    try:
        newscrawl.extract_url(url)
    except newscrawl.FetchError as exc:
        out["errors"].append(str(exc))
db = newscrawl.open_database(db_path)
out["search"] = db.search("حرارة", source="aljarida", limit=5)
out["records"] = [record["url"] for record in db.records(source="aljarida", since="2024-08-12", language="ar")]
out["all"] = [record["url"] for record in db.records()]
out["counts"] = db.articles_per_source()
try:
    db.search("oil", since="last week")
except newscrawl.QueryError as exc:
    out["bad_filter"] = str(exc)
print(json.dumps(out, ensure_ascii=False))
"""


def python(code: str, *args: str, cwd, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """A real Python process running `code`, from `cwd` (outside the project folder), without proxies."""
    inherited = {k: v for k, v in os.environ.items() if k.lower() not in PROXY_VARIABLES | {"newscrawl_allow_hosts"}}
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=cwd,
        env={**inherited, **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_python_api_extracts_fetches_searches_and_reads_records(crawled, tmp_path):
    base = crawled.servers["aljarida"].base_url
    page = SITES / "aljarida" / "article" / "74480.html"
    args = (base, str(crawled.db), str(page), str(crawled.sources_dir))
    result = python(SCRIPT, *args, cwd=tmp_path, env={"NEWSCRAWL_ALLOW_HOSTS": "127.0.0.1"})
    assert result.returncode == 0, result.stderr[-3000:]
    out = json.loads(result.stdout)

    assert out["version"] == metadata.version("newscrawl")
    assert out["fetched"]["url"] == f"{base}/article/74480"
    for record in (out["fetched"], out["given"]):
        assert record["title"] == HEATWAVE["title"] and record["published_at"] == HEATWAVE["published_at"]
        assert record["authors"] == HEATWAVE["authors"]
    assert out["given"]["url"] == "https://www.aljarida.com/article/74480" and out["given"]["language"] == "ar"
    assert out["errors"] == [
        f"{base}/search?q=oil: disallowed by robots.txt, not fetched",
        f"{base}/article/999999: HTTP 404",
    ]
    assert out["bad_filter"].startswith("--since: not a date or time")

    assert out["search"] and {hit["source"] for hit in out["search"]} == {"aljarida"}
    assert f"{base}/article/74480" in [hit["url"] for hit in out["search"]]
    assert all("<mark>" in hit["snippet"] for hit in out["search"])
    wanted = crawled.rows(
        "SELECT url FROM articles WHERE source = 'aljarida' AND language = 'ar' AND duplicate_of IS NULL"
        " AND coalesce(published_at, first_seen_at) >= '2024-08-12' ORDER BY id"
    )
    assert out["records"] == [row["url"] for row in wanted] and out["records"]
    assert out["all"] == [row["url"] for row in crawled.rows("SELECT url FROM articles WHERE duplicate_of IS NULL")]
    counted = crawled.rows("SELECT source, count(*) AS n FROM articles GROUP BY source")
    assert out["counts"] == {row["source"]: row["n"] for row in counted}


def test_the_api_refuses_private_addresses_unless_allowed_or_the_sources_own(crawled, tmp_path):
    base = crawled.servers["aljarida"].base_url
    code = """
import sys
import newscrawl

base, sources_dir = sys.argv[1:3]
try:
    newscrawl.extract_url(f"{base}/article/74480")
except newscrawl.FetchError as exc:
    print(exc)
print(newscrawl.extract_url(f"{base}/article/74480", source="aljarida", sources_dir=sources_dir).title)
print(newscrawl.extract_url(f"{base}/article/74480", allow_hosts=["127.0.0.0/8"]).title)
"""
    result = python(code, base, str(crawled.sources_dir), cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.splitlines() == [
        f"refused {base}/article/74480: loopback address; NEWSCRAWL_ALLOW_HOSTS=127.0.0.1 would let it through",
        HEATWAVE["title"],
        HEATWAVE["title"],
    ]


def test_newscrawl_extract_fetches_a_url_reads_standard_input_and_says_its_version(crawled):
    base = crawled.servers["aljarida"].base_url
    allowed = run([str(NEWSCRAWL), "extract", f"{base}/article/74480"], env={"NEWSCRAWL_ALLOW_HOSTS": "127.0.0.1"})
    assert allowed.returncode == 0, allowed.stderr
    record = json.loads(allowed.stdout)
    assert record["title"] == HEATWAVE["title"] and record["url"] == f"{base}/article/74480"

    refused = run([str(NEWSCRAWL), "extract", f"{base}/article/74480"], env={"NEWSCRAWL_ALLOW_HOSTS": ""})
    assert refused.returncode == 1 and refused.stdout == ""
    assert refused.stderr.splitlines() == [
        f"newscrawl: error: refused {base}/article/74480: loopback address;"
        " NEWSCRAWL_ALLOW_HOSTS=127.0.0.1 would let it through"
    ]
    disallowed = run([str(NEWSCRAWL), "extract", f"{base}/search"], env={"NEWSCRAWL_ALLOW_HOSTS": "127.0.0.1"})
    assert disallowed.returncode == 1
    assert disallowed.stderr.strip() == f"newscrawl: error: {base}/search: disallowed by robots.txt, not fetched"

    html = (SITES / "aljarida" / "article" / "74480.html").read_bytes()
    piped = subprocess.run(
        [str(NEWSCRAWL), "extract", "-", "--url", "https://www.aljarida.com/article/74480", "--source", "aljarida"],
        input=html,
        capture_output=True,
        timeout=120,
    )
    assert piped.returncode == 0, piped.stderr
    assert json.loads(piped.stdout)["title"] == HEATWAVE["title"]
    no_url = run([str(NEWSCRAWL), "extract", "-"])
    assert no_url.returncode == 2 and "--url is needed" in no_url.stderr

    version = run([str(NEWSCRAWL), "--version"])
    assert version.returncode == 0 and version.stdout.strip() == f"newscrawl, version {metadata.version('newscrawl')}"
