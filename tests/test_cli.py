"""CLI bad input: one line naming the file and the problem, a status to act on, never a traceback."""

from __future__ import annotations

import json

from conftest import NEWSCRAWL, run


def one_line_error(result, status: int, *needles: str) -> None:
    assert result.returncode == status, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    for needle in needles:
        assert needle in lines[0]


def test_search_and_crawl_on_a_file_that_is_not_a_database(tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_text("not sqlite at all\n" * 100)
    one_line_error(run([str(NEWSCRAWL), "search", "oil", "--db", str(junk)]), 2, str(junk), "not a database")
    one_line_error(run([str(NEWSCRAWL), "crawl", "--db", str(junk)]), 2, str(junk), "not a database")


def test_search_without_a_database(tmp_path):
    missing = tmp_path / "none.db"
    one_line_error(run([str(NEWSCRAWL), "search", "oil", "--db", str(missing)]), 2, str(missing), "no database")


def test_unknown_source(tmp_path):
    result = run([str(NEWSCRAWL), "crawl", "nosuch", "--db", str(tmp_path / "n.db")])
    one_line_error(result, 2, "unknown source 'nosuch'")


def test_extract_of_a_binary_file_gives_the_reason(tmp_path):
    image = tmp_path / "photo.html"
    image.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 4)
    result = run([str(NEWSCRAWL), "extract", str(image), "--url", "https://news.example/a"])
    assert result.returncode == 1, result.stderr
    assert json.loads(result.stdout)["reason"] == "binary content, not HTML"
