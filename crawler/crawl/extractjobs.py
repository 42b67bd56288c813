"""What the crawl asks its extraction workers to run, named here without importing extraction: the crawl process
never loads trafilatura, langdetect or dateparser (the pool's forkserver loaded them once for every worker), and is
the lighter for it. Pickled by name, these run in a worker; without the pool they run inline."""

from __future__ import annotations

import zlib
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from crawler.items import Article, NotArticle
    from crawler.sources import Source

# zlib level of a kept page: on the benchmark pages level 3 costs 2.1 ms a page for 21.4% of the size, level 6
# 4.8 ms for 19.0%: 13% of an extraction's cost saved for 12% more bytes in raw_pages
KEPT_PAGE_LEVEL = 3


def extract_page(html: bytes, url: str, source: Source | None, fetched_at: datetime | None) -> Article | NotArticle:
    """`crawler.extraction.extract` of one page (re-extraction of a kept page)."""
    from crawler.extraction import extract

    return extract(html, url, source, fetched_at)


def extract_and_keep(
    html: bytes, url: str, source: Source | None, fetched_at: datetime | None, encoding: str | None, keep: bool
) -> Article | NotArticle:
    """`crawler.extraction.extract` of one fetched page, with the page zlib-compressed in its `fetch.kept_page` when
    `keep` (NEWSCRAWL_KEEP_PAGES): done in the worker, so the crawl process does not spend its time compressing."""
    from crawler.extraction import extract

    result = extract(html, url, source, fetched_at, encoding)
    if keep:
        result.fetch.kept_page = zlib.compress(html, KEPT_PAGE_LEVEL)
    return result
