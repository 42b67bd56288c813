"""What the crawl asks its extraction workers to run, named here without importing extraction: the crawl process
never loads trafilatura, langdetect or dateparser (the pool's forkserver loaded them once for every worker), and is
the lighter for it. Pickled by name, these run in a worker; without the pool they run inline."""

from __future__ import annotations

import zlib
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crawler.items import Article, NotArticle
    from crawler.sources import Source

# zlib level of a kept page: on the benchmark pages level 3 costs 2.1 ms a page for 21.4% of the size, level 6
# 4.8 ms for 19.0%: 13% of an extraction's cost saved for 12% more bytes in raw_pages
KEPT_PAGE_LEVEL = 3


class TooManyTags(Exception):
    """A page with more start tags than the limit: not parsed (`tags`: how many it has)."""

    def __init__(self, tags: int) -> None:
        super().__init__(tags)
        self.tags = tags


def count_tags(html: bytes) -> int:
    """The start tags of a page, counted in its raw bytes: every `<` that does not open an end tag (comments and
    doctypes count too: they are nodes). Found in milliseconds with no copy, it is at least the number of nodes a
    parser builds from the page, but for the few the parser adds of its own (html, head, body)."""
    return html.count(b"<") - html.count(b"</")


def within_tag_limit(limit: int, job: Callable[..., Any], html: bytes, *args: Any) -> Any:
    """`job(html, *args)`, unless the page has more than `limit` start tags (0: no limit): TooManyTags then, before
    any parsing. Counted here, in the worker: counting a large page's bytes is work the crawl process is spared."""
    if limit > 0 and (tags := count_tags(html)) > limit:
        raise TooManyTags(tags)
    return job(html, *args)


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
