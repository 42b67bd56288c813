"""What the crawl asks its extraction workers to run, named here without importing extraction: the crawl process
never loads trafilatura, langdetect or dateparser (the pool's forkserver loaded them once for every worker), and is
the lighter for it. Pickled by name, these run in a worker; without the pool they run inline."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from crawler.items import Article, NotArticle
    from crawler.sources import Source


def extract_page(html: bytes, url: str, source: Source | None, fetched_at: datetime | None) -> Article | NotArticle:
    """`crawler.extraction.extract` of one page (re-extraction of a kept page)."""
    from crawler.extraction import extract

    return extract(html, url, source, fetched_at)


def extract_and_keep(
    html: bytes, url: str, source: Source | None, fetched_at: datetime | None, encoding: str | None, keep: bool
) -> Article | NotArticle:
    """`crawler.extraction.extract_and_keep` of one fetched page."""
    from crawler.extraction import extract_and_keep as extract_fetched

    return extract_fetched(html, url, source, fetched_at, encoding, keep)
