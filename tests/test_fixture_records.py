"""Regression fixtures: every recorded page of every fixture site against its reviewed record (expected.json).

After a deliberate extraction change, `python tests/regen_expected.py` rewrites the files; review the diff like code.
"""

from __future__ import annotations

import json

import pytest

from conftest import SITES, SOURCE_FOLDERS
from crawler.crawl.discovery import parse_date
from crawler.demo.replay import Site, find_source_file
from crawler.extraction import extract
from crawler.items import Article
from crawler.sources import load_source

FIELDS = ("title", "published_at", "authors", "caption", "caption_credit", "attribution", "section")


def cases() -> list[tuple[str, dict]]:
    found = []
    for expected_file in sorted(SITES.glob("*/expected.json")):
        for record in json.loads(expected_file.read_text(encoding="utf-8")):
            found.append((expected_file.parent.name, record))
    return found


def page_file(site: Site, path: str):
    path, _, query = path.partition("?")
    return site.find(path, query)


@pytest.mark.parametrize(("site_name", "record"), cases(), ids=lambda c: c if isinstance(c, str) else c["path"])
def test_recorded_page_gives_its_record(site_name, record):
    site = Site.load(SITES / site_name)
    source = load_source(find_source_file(site_name, SOURCE_FOLDERS))
    html = page_file(site, record["path"]).read_bytes()
    result = extract(html, record["url"], source, parse_date(site.recorded_at))
    if not record["is_article"]:
        assert not isinstance(result, Article), result
        return
    assert isinstance(result, Article), result
    for name in FIELDS:
        assert getattr(result, name) == record[name], name
    lines = result.body.split("\n")
    assert lines[0] == record["first_line"]
    assert lines[-1] == record["last_line"]
