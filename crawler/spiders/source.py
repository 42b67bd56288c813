"""SourceSpider: discovery and request scheduling for one configured source; extraction is `extract()`."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from scrapy import Request, Spider
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure
from w3lib.encoding import http_content_type_encoding

from crawler.bounds import extract_within_bounds
from crawler.discovery import Link, parse_date, parse_feed, parse_sitemap, sitemaps_from_robots
from crawler.extraction import extract_and_keep
from crawler.failures import ROBOTS_DISALLOWED, describe
from crawler.guard import Refused
from crawler.known import KnownUrls
from crawler.middlewares import LISTING
from crawler.sources import Source

ARTICLE = "article"  # request meta "newscrawl" kind of article pages


class SourceSpider(Spider):
    """Crawls one source: sitemaps, feeds and section pages lead to article pages, which are extracted."""

    source: Source

    @classmethod
    def for_source(cls, source: Source) -> type[SourceSpider]:
        """A subclass bound to `source`, named by its key (what `scrapy crawl` takes)."""
        attrs = {"name": source.key, "source": source, "allowed_domains": list(source.allowed_domains)}
        return type(f"{source.key.title().replace('-', '').replace('_', '')}Spider", (cls,), attrs)

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> SourceSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.fixed_now = parse_date(settings.get("NEWSCRAWL_NOW"))
        if settings.getbool("NEWSCRAWL_SKIP_KNOWN"):
            hours = spider.source.revisit_hours
            spider.known = KnownUrls(
                settings.get("NEWSCRAWL_DB"), spider.name, spider.now() - timedelta(hours=hours) if hours else None
            )
            last = spider.known.last_success(spider.name)
            overlap = timedelta(hours=settings.getfloat("NEWSCRAWL_OVERLAP_HOURS"))
            spider.listed_after = last - overlap if last else None
        return spider

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.known: KnownUrls | set[str] = set()
        self.scheduled: set[str] = set()  # article URLs requested this run
        self.fixed_now: datetime | None = None
        self.listed_after: datetime | None = None  # the last successful run, less the overlap
        self.containers: set[str] = set()  # robots.txt and sitemap indexes: always read whole (children change)

    def now(self) -> datetime:
        """The current time (NEWSCRAWL_NOW when set, for replays of recorded sites)."""
        return self.fixed_now or datetime.now(timezone.utc)

    async def start(self) -> AsyncIterator[Request]:
        if isinstance(self.known, KnownUrls):  # young stories are fetched again, listed or not (revisit_hours)
            for request in self.article_requests(Link(url) for url in self.known.young_articles(self.name)):
                yield request
        for url in self.source.sitemaps:
            parse = self.parse_robots if url.endswith("/robots.txt") else self.parse_sitemap
            yield self.listing_request(url, parse)
        for url in self.source.feeds:
            yield self.listing_request(url, self.parse_feed)
        for url in self.source.sections:
            yield self.listing_request(url, self.parse_section)

    # --- requests ---------------------------------------------------------------------------------------------

    def listing_request(self, url: str, callback: Any) -> Request:
        """A sitemap, feed or section page: fetched every run (never skipped as known)."""
        meta = {"newscrawl": LISTING, "handle_httpstatus_list": [304]}
        return Request(url, callback=callback, errback=self.on_error, meta=meta, priority=10)

    def article_requests(self, links: Iterable[Link]) -> Iterator[Request]:
        """Requests for the links that are this source's articles, within the run's age and count limits."""
        for link in links:
            if link.url in self.scheduled or not self.wants(link):
                continue
            if link.url in self.known:
                self.crawler.stats.inc_value("newscrawl/skipped/known")
                continue
            if self.source.max_articles and len(self.scheduled) >= self.source.max_articles:
                self.crawler.stats.inc_value("newscrawl/skipped/max_articles")
                continue
            self.scheduled.add(link.url)
            yield Request(link.url, callback=self.parse_article, errback=self.on_error, meta={"newscrawl": ARTICLE})

    def wants(self, link: Link) -> bool:
        """True for an article URL of this source that is not older than max_age_days (links counted: a run in which
        `article_url` matched none says so)."""
        self.crawler.stats.inc_value("newscrawl/links/listed")
        if not self.source.is_article_url(link.url):
            return False
        self.crawler.stats.inc_value("newscrawl/links/matched")
        if not self.in_domain(link.url):
            return False
        if self.too_old(link):
            self.crawler.stats.inc_value("newscrawl/skipped/too_old")
            return False
        return True

    def too_old(self, link: Link) -> bool:
        """True when the listing dates the link before the source's max_age_days, or before its last successful
        run (less NEWSCRAWL_OVERLAP_HOURS): what was listed then has been crawled then."""
        if link.date is None:
            return False
        max_age = self.source.max_age_days
        if max_age and link.date < self.now() - timedelta(days=max_age):
            return True
        return bool(self.listed_after and link.date < self.listed_after)

    def in_domain(self, url: str) -> bool:
        """An http(s) URL on one of the source's allowed domains (or their subdomains)."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        on_domain = any(host == d or host.endswith("." + d) for d in self.allowed_domains)
        return parts.scheme in ("http", "https") and on_domain

    # --- callbacks --------------------------------------------------------------------------------------------

    def parse_robots(self, response: Response) -> Iterator[Request]:
        self.containers.add(response.url)
        for link in sitemaps_from_robots(response.body, response.url):
            if self.in_domain(link.url):
                yield self.listing_request(link.url, self.parse_sitemap)

    def parse_sitemap(self, response: Response) -> Iterator[Request]:
        if response.status == 304:  # unchanged since the last complete run: nothing new listed
            return
        links = list(parse_sitemap(response.body, response.url))
        if any(link.is_sitemap for link in links):
            self.containers.add(response.url)
        if not links:
            self.empty_listing(response, "sitemap")
        for link in links:
            if link.is_sitemap and self.in_domain(link.url) and not self.too_old(link):
                yield self.listing_request(link.url, self.parse_sitemap)
        yield from self.article_requests(link for link in links if not link.is_sitemap)

    def parse_feed(self, response: Response) -> Iterator[Request]:
        if response.status == 304:
            return
        links = list(parse_feed(response.body, response.url))
        if not links:
            self.empty_listing(response, "feed")
        yield from self.article_requests(links)

    def empty_listing(self, response: Response, what: str) -> None:
        """A sitemap or feed that lists nothing (not XML, malformed beyond repair, or empty): counted and logged."""
        self.crawler.stats.inc_value("newscrawl/errors/empty_listing")
        self.logger.warning(
            "fetch failed: %s: empty_listing: no entries in this %s (malformed or empty)", unquote(response.url), what
        )

    def parse_section(self, response: Response) -> Iterator[Request]:
        if response.status == 304:
            return
        if not isinstance(response, TextResponse):
            self.logger.warning("section page %s is not text (%s)", response.url, response.headers.get("Content-Type"))
            return
        hrefs = [response.urljoin(h) for h in response.css("a::attr(href)").getall()]
        yield from self.article_requests(Link(href.split("#")[0]) for href in hrefs)
        if self.source.follow_sections:
            for href in hrefs:
                if self.is_section_page(href) and not self.source.is_article_url(href):
                    yield self.listing_request(href, self.parse_section)

    def is_section_page(self, url: str) -> bool:
        """A further page of a configured section: same path, the section's query plus more (`?pgno=2`)."""
        target = urlsplit(url)
        target_query = set(parse_qsl(target.query))
        for section in self.source.sections:
            base = urlsplit(section)
            same_path = unquote(target.path).rstrip("/") == unquote(base.path).rstrip("/")
            if target.netloc == base.netloc and same_path and target_query > set(parse_qsl(base.query)):
                return True
        return False

    def parse(self, response: Response, **kwargs: Any) -> Any:
        """Scrapy's default callback (`scrapy parse --spider SOURCE URL`): a configured sitemap, feed or section page
        gives the requests of its links, any other page its record (or why it is none)."""
        url = response.url
        if url in self.source.sitemaps:
            return self.parse_robots(response) if url.endswith("/robots.txt") else self.parse_sitemap(response)
        if url in self.source.feeds:
            return self.parse_feed(response)
        if url in self.source.sections or self.is_section_page(url):
            return self.parse_section(response)
        return self.parse_article(response)

    async def parse_article(self, response: Response) -> AsyncIterator[Any]:
        """The page's record (or why it is none), extracted in the process pool within the bounds."""
        declared = http_content_type_encoding(response.headers.get("Content-Type", b"").decode("latin-1"))
        keep = self.settings.getbool("NEWSCRAWL_KEEP_PAGES")
        args = (response.body, response.url, self.source, self.now(), declared, keep)
        result = await extract_within_bounds(self, extract_and_keep, *args)
        result.fetched_url = response.meta.get("redirect_urls", [response.url])[0]
        result.response_url = response.url
        yield result

    def closed(self, reason: str) -> None:
        if isinstance(self.known, KnownUrls):
            self.known.close()

    def on_error(self, failure: Failure) -> None:
        """One log line per failed fetch: the URL as requested (and where redirects led), the kind and why."""
        request = failure.request
        if failure.check(Refused):  # counted and logged by the guard
            return
        kind, detail = describe(failure, self.settings.getint("DOWNLOAD_MAXSIZE"))
        self.crawler.stats.inc_value(f"newscrawl/errors/{kind}")
        if request.meta.get("newscrawl") == ARTICLE and kind != ROBOTS_DISALLOWED:  # robots.txt will say no again
            self.crawler.stats.inc_value("newscrawl/article_fetch_errors")
        chain = request.meta.get("redirect_urls", [])
        where = f"{unquote(chain[0])} (redirected to {unquote(request.url)})" if chain else unquote(request.url)
        self.logger.warning("fetch failed: %s: %s: %s", where, kind, detail)
