"""Extraction within bounds: one page cannot hang a run, or fill the memory of the machine.

A page with more tags than NEWSCRAWL_MAX_ELEMENTS is refused before any parsing (`too_complex`: the worker counts
them, crawler/crawl/extractjobs.py); the others are extracted in the run's extraction pool, where a page still being
extracted after NEWSCRAWL_EXTRACT_TIMEOUT seconds has its worker process killed and replaced (`extract_timeout`).
Either is a failure counted as `newscrawl/errors/<kind>` and logged in one line; the NotArticle returned carries the
kind, so the page's `pages` row has it as its status and the next run does not fetch the page again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from crawler.crawl.extractjobs import TooManyTags, within_tag_limit
from crawler.crawl.failures import EXTRACT_TIMEOUT, EXTRACTION_CRASHED, TOO_COMPLEX
from crawler.crawl.pool import TimedOut, WorkerDied
from crawler.crawl.runstate import RunState
from crawler.items import Article, NotArticle


async def extract_within_bounds(
    spider: Any, function: Callable[..., Article | NotArticle], html: bytes, url: str, *args: Any
) -> Article | NotArticle:
    """`function(html, url, *args)` (a job of crawler/crawl/extractjobs.py) in the run's extraction pool, under the
    bounds; a page over one is a failure (a NotArticle with its kind). Without the pool (its extension turned
    off) extraction runs inline, with the element bound but no deadline."""
    settings = spider.settings
    limit = settings.getint("NEWSCRAWL_MAX_ELEMENTS")
    pool = RunState.of(spider.crawler).extraction_pool
    timeout = settings.getfloat("NEWSCRAWL_EXTRACT_TIMEOUT")
    try:
        if pool is None:
            return within_tag_limit(limit, function, html, url, *args)
        return await pool.run(
            within_tag_limit, limit, function, html, url, *args, timeout=timeout if timeout > 0 else None
        )
    except TooManyTags as exc:
        why = f"{exc.tags} tags, over NEWSCRAWL_MAX_ELEMENTS ({limit}); not extracted"
        return failed(spider, url, TOO_COMPLEX, why)
    except TimedOut as exc:
        return failed(spider, url, EXTRACT_TIMEOUT, str(exc))
    except WorkerDied as exc:
        return failed(spider, url, EXTRACTION_CRASHED, str(exc))


def failed(spider: Any, url: str, kind: str, why: str) -> NotArticle:
    """Count and log a page that could not be extracted; its NotArticle, carrying the kind."""
    spider.crawler.stats.inc_value(f"newscrawl/errors/{kind}")
    spider.logger.warning("extraction failed: %s: %s: %s", unquote(url), kind, why)
    return NotArticle(url, why, failure=kind)
