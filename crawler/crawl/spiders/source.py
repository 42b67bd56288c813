"""SourceSpider: discovery and request scheduling for one configured source; extraction is `extract()`."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure
from w3lib.encoding import http_content_type_encoding

from crawler.crawl.bounds import extract_within_bounds
from crawler.crawl.discovery import (
    Link,
    consumed,
    newest_first,
    parse_date,
    parse_feed,
    parse_sitemap,
    sitemaps_from_robots,
)
from crawler.crawl.extractjobs import extract_and_keep
from crawler.crawl.failures import ROBOTS_DISALLOWED, describe
from crawler.crawl.guard import Refused
from crawler.crawl.middlewares import LISTING
from crawler.crawl.runs import LIMIT_SETTINGS, LIMITS
from crawler.crawl.scheduler import SpiderRequest
from crawler.crawl.spiders.job import JobSpider
from crawler.sources import Source
from crawler.storage.known import KnownUrls

ARTICLE = "article"  # request meta "newscrawl" kind of article pages
SOURCE_LISTING_PRIORITY = 20  # the source file's own sitemaps, feeds and sections: read first
ARTICLE_PRIORITY = 10  # over the 0 of listings found on the way (child sitemaps, further section pages): an article
# waiting is fetched before the next of them, so a sitemap index of 10,000 children does not hold articles back


class SourceSpider(JobSpider):
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
        spider.fixed_now = parse_date(settings.get("NEWSCRAWL_NOW"))  # replays of recorded sites crawl "as of" then
        spider.max_child_sitemaps = settings.getint("NEWSCRAWL_MAX_CHILD_SITEMAPS")
        limits = [(spider.source.max_articles, "max_articles")]
        limits.append((settings.getint("NEWSCRAWL_MAX_SCHEDULED"), "max_scheduled"))
        spider.article_limit = min(((n, name) for n, name in limits if n > 0), default=(0, ""))
        if settings.getbool("NEWSCRAWL_SKIP_KNOWN"):
            hours = spider.source.revisit_hours
            known = KnownUrls(
                settings.get("NEWSCRAWL_DB"), spider.name, spider.now() - timedelta(hours=hours) if hours else None
            )
            spider.run_state.known = known
            last = known.last_success(spider.name)
            overlap = timedelta(hours=settings.getfloat("NEWSCRAWL_OVERLAP_HOURS"))
            spider.listed_after = last - overlap if last else None
        return spider

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scheduled: set[str] = set()  # article URLs requested this run
        self.child_sitemaps: set[str] = set()  # sitemaps requested this run from sitemap indexes and robots.txt
        self.max_child_sitemaps = 0  # NEWSCRAWL_MAX_CHILD_SITEMAPS (0: no limit)
        self.article_limit: tuple[int, str] = (0, "")  # the smaller of max_articles and NEWSCRAWL_MAX_SCHEDULED
        self.listed_after: datetime | None = None  # the last successful run, less the overlap

    async def start(self) -> AsyncIterator[SpiderRequest]:
        known = self.run_state.known  # None: NEWSCRAWL_SKIP_KNOWN off
        if known is not None:  # young stories are fetched again, listed or not (revisit_hours)
            for request in self.article_requests(Link(url) for url in known.young_articles(self.name)):
                yield request
        for url in self.source.sitemaps:
            parse = self.parse_robots if url.endswith("/robots.txt") else self.parse_sitemap
            yield self.listing_request(url, parse, SOURCE_LISTING_PRIORITY)
        for url in self.source.feeds:
            yield self.listing_request(url, self.parse_feed, SOURCE_LISTING_PRIORITY)
        for url in self.source.sections:
            yield self.listing_request(url, self.parse_section, SOURCE_LISTING_PRIORITY)

    # --- requests ---------------------------------------------------------------------------------------------

    def listing_request(self, url: str, callback: Any, priority: int = 0) -> SpiderRequest:
        """A sitemap, feed or section page: fetched every run (never skipped as known); one found on the way (the
        default priority) after the articles waiting."""
        meta = {"newscrawl": LISTING, "handle_httpstatus_list": [304]}
        return SpiderRequest(url, callback=callback, errback=self.on_error, meta=meta, priority=priority)

    def sitemap_requests(self, links: Iterable[Link]) -> Iterator[SpiderRequest]:
        """Requests for the sitemaps a sitemap index or robots.txt lists, on the source's domains and not too old,
        newest first, within NEWSCRAWL_MAX_CHILD_SITEMAPS per run."""
        for link in newest_first([link for link in links if self.in_domain(link.url) and not self.too_old(link)]):
            if link.url in self.child_sitemaps:
                continue
            if self.max_child_sitemaps and len(self.child_sitemaps) >= self.max_child_sitemaps:
                self.left_out("max_child_sitemaps")
                continue
            self.child_sitemaps.add(link.url)
            yield self.listing_request(link.url, self.parse_sitemap)

    def article_requests(self, links: Iterable[Link]) -> Iterator[SpiderRequest]:
        """Requests for the links that are this source's articles, within the run's age and count limits."""
        limit, limit_name = self.article_limit
        for link in links:
            if link.url in self.scheduled or not self.wants(link):
                continue
            if self.is_known(link):
                self.crawler.stats.inc_value("newscrawl/skipped/known")
                continue
            if limit and len(self.scheduled) >= limit:
                self.left_out(limit_name)
                continue
            self.scheduled.add(link.url)
            meta, priority = {"newscrawl": ARTICLE}, ARTICLE_PRIORITY
            yield SpiderRequest(link.url, self.parse_article, errback=self.on_error, meta=meta, priority=priority)

    def is_known(self, link: Link) -> bool:
        """True when the source fetched the link's page before and it has not changed since, as far as its listing
        tells."""
        known = self.run_state.known
        return known is not None and known.knows(link.url, link.date)

    def left_out(self, limit: str) -> None:
        """Count an entry that the per-run `limit` left out; the first one is logged."""
        if not self.crawler.stats.get_value(LIMITS + limit):
            setting = LIMIT_SETTINGS[limit]
            self.logger.info("%s: limit %s reached, further entries are left out this run", self.name, setting)
        self.crawler.stats.inc_value(LIMITS + limit)

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

    def parse_robots(self, response: Response) -> Iterator[SpiderRequest]:
        self.run_state.containers.add(response.url)  # read whole every run: its sitemaps change
        yield from self.sitemap_requests(sitemaps_from_robots(response.body, response.url))

    def parse_sitemap(self, response: Response) -> Iterator[SpiderRequest]:
        if response.status == 304:  # unchanged since the last complete run: nothing new listed
            return
        links = list(parse_sitemap(response.body, response.url))
        if any(link.is_sitemap for link in links):
            self.run_state.containers.add(response.url)  # a sitemap index: read whole every run
        if not links:
            self.empty_listing(response, "sitemap")
        sitemaps = [link for link in links if link.is_sitemap]
        articles = newest_first([link for link in links if not link.is_sitemap])
        del links  # each link is let go as its request is made: a listing of 200,000 holds tens of MB
        yield from self.sitemap_requests(sitemaps)
        yield from self.article_requests(consumed(articles))

    def parse_feed(self, response: Response) -> Iterator[SpiderRequest]:
        if response.status == 304:
            return
        links = list(parse_feed(response.body, response.url))
        if not links:
            self.empty_listing(response, "feed")
        yield from self.article_requests(newest_first(links))

    def empty_listing(self, response: Response, what: str) -> None:
        """A sitemap or feed that lists nothing (not XML, malformed beyond repair, or empty): counted and logged."""
        self.crawler.stats.inc_value("newscrawl/errors/empty_listing")
        self.logger.warning(
            "fetch failed: %s: empty_listing: no entries in this %s (malformed or empty)", unquote(response.url), what
        )

    def parse_section(self, response: Response) -> Iterator[SpiderRequest]:
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
        result.fetch.fetched_url = response.meta.get("redirect_urls", [response.url])[0]
        result.fetch.response_url = response.url
        yield result

    def closed(self, reason: str) -> None:
        if self.run_state.known is not None:
            self.run_state.known.close()

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
