"""Downloader middlewares. ConditionalListings: sitemaps, feeds and section pages fetched with If-None-Match /
If-Modified-Since. RedirectGuard: a redirect loop or an over-long chain fails by name. HeadMetaRefresh: Scrapy's
meta-refresh redirects, reading only the start of a page."""

from __future__ import annotations

import sqlite3
from typing import Any
from urllib.parse import urljoin

from scrapy import Request, signals
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse, Response

from crawler.crawl.failures import RedirectLoop, TooManyRedirects
from crawler.crawl.runstate import RunState
from crawler.storage.archive import Archive
from crawler.storage.db import NoDatabase, utc_now

LISTING = "listing"  # request meta "newscrawl" value of sitemaps, feeds and section pages


class ConditionalListings:
    """Sends the validators a listing answered with last time; a 304 means nothing new was listed there.

    Validators are saved only after a run that finished with every article fetched: a listing whose articles
    were not all fetched must be read again next time, not answered 304. Containers (robots.txt, sitemap
    indexes, as the spider found them) get none: their children can change while they stay the same.
    """

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.db_path = crawler.settings.get("NEWSCRAWL_DB")
        self.known: dict[str, tuple[str | None, str | None]] = {}
        self.fresh: dict[str, tuple[str | None, str | None]] = {}

    @classmethod
    def from_crawler(cls, crawler: Any) -> ConditionalListings:
        if not crawler.settings.getbool("NEWSCRAWL_SKIP_KNOWN"):
            raise NotConfigured("a full recrawl (NEWSCRAWL_SKIP_KNOWN off) reads every listing whole")
        middleware = cls(crawler)
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def spider_opened(self, spider: Any) -> None:
        try:
            with Archive.open_for_reading(self.db_path) as archive:
                self.known = archive.listings.validators(spider.name)
        except NoDatabase:  # no database yet: every listing is read whole
            self.known = {}

    def process_request(self, request: Request, spider: Any = None) -> None:
        if request.meta.get("newscrawl") != LISTING or request.url not in self.known:
            return
        etag, modified = self.known[request.url]
        if etag:
            request.headers.setdefault(b"If-None-Match", etag)
        if modified:
            request.headers.setdefault(b"If-Modified-Since", modified)

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        if request.meta.get("newscrawl") == LISTING:
            if response.status == 304:
                self.crawler.stats.inc_value("newscrawl/listings_unchanged")
            elif response.status == 200:
                etag, modified = response.headers.get(b"ETag"), response.headers.get(b"Last-Modified")
                if etag or modified:
                    self.fresh[request.url] = (_text(etag), _text(modified))
        return response

    def spider_closed(self, spider: Any, reason: str) -> None:
        stats, state = self.crawler.stats, RunState.of(self.crawler)
        failed_articles = stats.get_value("newscrawl/article_fetch_errors", 0)
        stopped = state.stopped  # the store pipeline could not write (a full disk)
        if reason != "finished" or stopped or failed_articles or not self.fresh:
            return
        containers = state.containers  # robots.txt and sitemap indexes, as the spider found them
        rows = [
            {"url": url, "source": spider.name, "etag": etag, "last_modified": modified, "checked_at": utc_now()}
            for url, (etag, modified) in self.fresh.items()
            if url not in containers
        ]
        if not rows:
            return
        try:
            with Archive.open(self.db_path) as archive:
                archive.listings.save(rows)
        except sqlite3.OperationalError as exc:  # not saved: the listings are read whole next time, no harm
            spider.logger.warning("%s: listing validators not saved: %s", self.db_path, exc)


class RedirectGuard:
    """Fails a redirect that loops back into its own chain (RedirectLoop) or would go over REDIRECT_MAX_TIMES
    (TooManyRedirects), so the request's errback counts and logs it. Without it Scrapy's RedirectMiddleware
    schedules the loop's repeat, which the duplicate filter then drops without a word, and ends a long chain
    with a bare IgnoreRequest. Sits just after RedirectMiddleware (a higher number: it sees responses first)."""

    STATUSES = (301, 302, 303, 307, 308)

    def __init__(self, max_times: int) -> None:
        self.max_times = max_times

    @classmethod
    def from_crawler(cls, crawler: Any) -> RedirectGuard:
        if not crawler.settings.getbool("REDIRECT_ENABLED"):
            raise NotConfigured("redirects are not followed")
        return cls(crawler.settings.getint("REDIRECT_MAX_TIMES"))

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        location = response.headers.get(b"Location")
        allowed = request.meta.get("handle_httpstatus_list", [])
        if response.status not in self.STATUSES or not location or request.meta.get("dont_redirect"):
            return response
        if response.status in allowed or request.meta.get("handle_httpstatus_all"):
            return response
        chain = [*request.meta.get("redirect_urls", []), request.url]
        target = urljoin(request.url, location.decode("latin-1"))
        if target in chain:
            raise RedirectLoop(f"redirect loop: {' -> '.join(chain[chain.index(target) :])} -> {target}")
        if len(chain) > self.max_times:
            raise TooManyRedirects(f"more than {self.max_times} redirects (REDIRECT_MAX_TIMES), last to {target}")
        return response


class HeadMetaRefresh(MetaRefreshMiddleware):
    """Scrapy's MetaRefreshMiddleware (same setting, same redirects) shown only a page's first HEAD_BYTES bytes.
    Scrapy looks for the refresh tag in the first 4,096 characters of `response.text`, which decodes the whole body
    and keeps that text on the response: up to four times the body's size held by every page waiting for
    extraction (which reads the bytes), and the crawl process's time spent decoding it."""

    HEAD_BYTES = 4 * 4096  # 4,096 characters in any encoding (at most 4 bytes each)

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Request | Response:
        if not isinstance(response, HtmlResponse) or len(response.body) <= self.HEAD_BYTES:
            return super().process_response(request, response)
        head = response.replace(body=_whole_characters(response.body[: self.HEAD_BYTES]), encoding=None)
        answer = super().process_response(request, head)
        return response if answer is head else answer


def _whole_characters(head: bytes) -> bytes:
    """`head` without its last UTF-8 character when that may be cut (a cut one would make the guessed encoding
    another)."""
    for back in range(1, min(4, len(head)) + 1):
        if head[-back] < 0x80:  # ASCII: nothing cut
            return head
        if head[-back] >= 0xC0:  # the lead byte of the last character
            return head[:-back]
    return head


def _text(value: bytes | None) -> str | None:
    return value.decode("latin-1") if value else None
