"""Downloader middlewares. ConditionalListings: sitemaps, feeds and section pages fetched with If-None-Match /
If-Modified-Since. RedirectGuard: a redirect loop or an over-long chain fails by name. MetaRefreshHead: Scrapy's
meta-refresh redirects, without decoding the whole page."""

from __future__ import annotations

import sqlite3
from typing import Any
from urllib.parse import urljoin

from scrapy import Request, signals
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse, Response, TextResponse
from scrapy.utils import response as scrapy_response
from w3lib import html
from w3lib.encoding import html_to_unicode

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


HEAD_CHARS = 4096  # what Scrapy reads of a page for its meta refresh and its <base href>: text[0:4096]
HEAD_BYTES = 4 * HEAD_CHARS + 64  # the bytes decoded for them (4 a character at most but in rare encodings)


def text_head(response: TextResponse) -> str:
    """`response.text[:HEAD_CHARS]`, decoding only the page's first HEAD_BYTES bytes when they hold it (with a few
    characters to spare past the cut) instead of the whole page; else the whole page, as Scrapy does. A page that
    declares no encoding is decoded whole once to infer it (Scrapy's rule), but that text is not kept on the
    response: it would stay in memory for as long as the page waits for extraction."""
    body = response.body
    if len(body) > HEAD_BYTES:
        decoded = response._cached_ubody is not None
        encoding = response.encoding
        if not decoded:
            response._cached_ubody = None  # Scrapy decodes it again if asked for `text`
        head = html_to_unicode(f"charset={encoding}", body[:HEAD_BYTES])[1]
        if len(head) > HEAD_CHARS + 16:
            return head[:HEAD_CHARS]
    return response.text[:HEAD_CHARS]


class MetaRefreshHead(MetaRefreshMiddleware):
    """Scrapy's MetaRefreshMiddleware (in its place: METAREFRESH_ENABLED and its other settings hold), reading the
    page's first 4,096 characters as it does, but decoding only the bytes that hold them: Scrapy decodes the whole
    page (hundreds of KB for a news article) for every HTML response. The meta refresh and base URL are found here
    and left in Scrapy's caches, where its middleware then finds them."""

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Request | Response:
        refreshes, bases = scrapy_response._metaref_cache, scrapy_response._baseurl_cache
        skipped = request.method == "HEAD" or request.meta.get("dont_redirect")  # by Scrapy's middleware
        if isinstance(response, HtmlResponse) and not skipped and response not in refreshes:
            head, encoding = text_head(response), response.encoding
            if response not in bases:
                bases[response] = html.get_base_url(head, response.url, encoding)
            refreshes[response] = html.get_meta_refresh(head, bases[response], encoding, ignore_tags=self._ignore_tags)
        return super().process_response(request, response)


def _text(value: bytes | None) -> str | None:
    return value.decode("latin-1") if value else None
