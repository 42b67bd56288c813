"""Issue 17: the last-resort htmldate reading is handed the parsed page (it prunes a copy), not the text to parse
again; it reads the same date and leaves the page as it was."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from lxml import etree

from crawler.extraction import dates
from crawler.extraction.page import parse_page

PAGE = (
    "<html><head><title>Harbour quay opens</title><script>var x = 1;</script></head><body><header>Site</header>"
    "<div class='post-meta'><abbr class='published' title='2024-08-12'>12 August 2024</abbr></div>"
    "<p>The new harbour quay opened on 12 August 2024 after two years of building.</p>"
    "<footer>© 2016 Example</footer></body></html>"
)


def test_htmldate_reads_the_parsed_page(monkeypatch: pytest.MonkeyPatch) -> None:
    page = parse_page(PAGE, "https://news.example/a")
    before = etree.tostring(page.tree)
    handed: list[Any] = []
    real = dates.find_date

    def spy(htmlobject: Any, **options: Any) -> Any:
        handed.append(htmlobject)
        return real(htmlobject, **options)

    monkeypatch.setattr(dates, "find_date", spy)
    found = dates._htmldate(page, datetime(2026, 1, 1))
    assert handed == [page.tree]
    assert found == date(2024, 8, 12)
    assert real(PAGE, url=None, extensive_search=False, original_date=True, max_date="2026-01-01") == "2024-08-12"
    assert etree.tostring(page.tree) == before
