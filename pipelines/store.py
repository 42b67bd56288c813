"""StorePipeline: write articles to SQLite in batches, one transaction per batch, the FTS index in step."""

from __future__ import annotations

import sqlite3
from typing import Any

from scrapy import signals
from scrapy.exceptions import DropItem

from crawler.crawl.runs import set_stop_reason, stop_run
from crawler.crawl.runstate import RunState
from crawler.items import Article, NotArticle
from crawler.storage.archive import Archive
from crawler.storage.articles import Stored, kept_row, page_row
from crawler.storage.db import SchemaError, write_failure
from pipelines.validate import Rejected

batch_stored = object()  # signal sent after each committed batch (`newscrawl ingest` then acknowledges its items)


class StorePipeline:
    """Upserts articles by source and canonical URL and remembers every URL the source fetched in `pages` with its
    outcome, through the database's ArticleStore (crawler/storage/articles.py: see `article_url` there for when a
    canonical URL is kept).

    The same text under another URL of the same source is not stored again. A copy from another source, or a
    near-duplicate (NEWSCRAWL_NEAR_DUPLICATE_THRESHOLD), is stored linked to the first copy (`duplicate_of`,
    `similarity`) and counted as a duplicate, not as new. Fetched pages are kept compressed in `raw_pages`.

    Counts go to the crawler's stats as `newscrawl/articles_new`, `_updated`, `_unchanged`, `newscrawl/duplicates`
    (`newscrawl/duplicates_stored` of them stored as linked copies) and `newscrawl/rejected/<reason>`; the run
    recorder copies them into the `runs` row. Each row is counted once, by what the run did to it: a record whose
    URL the run already stored (the same URL twice in an import) is `newscrawl/repeated`, and the row keeps the
    last text given.

    A batch the database cannot take (a full disk, or another write error) is rolled back whole, logged in one
    line, counted as `newscrawl/errors/disk_full` (or `db_write`) and stops the crawl (finish reason the same kind):
    what was committed before stays, and nothing more is fetched for records that could not be kept.
    """

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.db_path = settings.get("NEWSCRAWL_DB")
        self.batch_size = max(1, settings.getint("NEWSCRAWL_BATCH_SIZE"))
        self.threshold = settings.getfloat("NEWSCRAWL_NEAR_DUPLICATE_THRESHOLD")
        self.articles: list[Article] = []
        self.pages: list[dict[str, Any]] = []
        self.kept: list[dict[str, Any]] = []  # raw pages
        self.archive: Archive | None = None
        self.failed: str | None = None  # the error kind once a write failed: nothing more is written
        self.closing = False
        self.seen_unchanged: set[int] = set()  # stored rows this run found unchanged (a repeat may change them)

    @classmethod
    def from_crawler(cls, crawler: Any) -> StorePipeline:
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(pipeline.spider_opened, signal=signals.spider_opened)
        return pipeline

    @property
    def spider_source(self) -> tuple[str, str]:
        """Key and name of the source the spider crawls (an import's spider is named after no source)."""
        spider, source = self.crawler.spider, RunState.of(self.crawler).source
        return spider.name, source.name if source else spider.name

    def spider_opened(self, spider: Any = None) -> None:
        """Open the database once the spider is open (stopping the run from here is clean): a path that cannot be
        used is one line and the run stops."""
        try:
            self.archive = Archive.open(self.db_path)
        except (sqlite3.Error, OSError, SchemaError) as exc:
            self.stop(exc)

    def close_spider(self, spider: Any = None) -> None:
        self.closing = True
        self.flush()
        if self.archive is not None:
            self.archive.close()

    def process_item(self, item: Article, spider: Any = None) -> Article:
        item.source_name = item.source_name or (item.source or self.spider_source[1])  # the record says its
        item.source = self.source_of(item)  # source, as stored (feed exports: scrapy crawl -O)
        self.articles.append(item)
        if len(self.articles) >= self.batch_size:
            self.flush()
        return item

    def item_dropped(self, item: Any, response: Any, exception: DropItem, spider: Any = None) -> None:
        """Remember a rejected page so the next run does not fetch it again, and count why."""
        reason = getattr(exception, "reason", "dropped")
        stats = self.crawler.stats
        if not (isinstance(item, NotArticle) and item.failure):  # a failed extraction was counted where it failed
            stats.inc_value("newscrawl/duplicates" if reason == "duplicate" else f"newscrawl/rejected/{reason}")
        if isinstance(item, (Article, NotArticle)) and item.fetch.fetched_url:
            article_id = exception.article_id if isinstance(exception, Rejected) else None
            source = self.source_of(item)
            self.pages.append(
                page_row(item.fetch.fetched_url, source, reason, str(exception), article_id, item.fetch.fetched_at)
            )
            self.keep_page(item)
        if len(self.pages) >= self.batch_size:
            self.flush()

    def source_of(self, item: Article | NotArticle) -> str:
        """The record's source, else the source whose crawl fetched the page (a worker's), else the spider's."""
        return (item.source if isinstance(item, Article) else None) or item.fetch.source or self.spider_source[0]

    def keep_page(self, item: Article | NotArticle) -> None:
        """Queue the page as fetched for `raw_pages` (when the spider kept it: NEWSCRAWL_KEEP_PAGES)."""
        fetch = item.fetch
        if fetch.kept_page is None or not fetch.fetched_url:
            return
        response_url = fetch.response_url or fetch.fetched_url
        self.kept.append(
            kept_row(fetch.fetched_url, self.source_of(item), response_url, fetch.kept_page, fetch.fetched_at)
        )

    def flush(self) -> None:
        """Write the pending articles and pages in one transaction."""
        if not (self.articles or self.pages) or self.failed:
            self.articles, self.pages, self.kept = [], [], []
            return
        assert self.archive is not None
        stats = self.crawler.stats.get_stats().copy()  # counts of the batch are undone with it
        for article in self.articles:  # the pages kept with the batch: the rejected ones', then the articles'
            self.keep_page(article)
        run_id = RunState.of(self.crawler).run_id
        try:
            with self.archive.articles.batch(self.threshold, self.pages, self.kept) as batch:  # rolled back on error
                for article in self.articles:
                    self.count(batch.store(article, run_id))
        except sqlite3.OperationalError as exc:  # a full disk (SQLITE_FULL, or an I/O error with no space left)
            self.crawler.stats.set_stats(stats)
            self.stop(exc)
        else:
            self.crawler.signals.send_catch_log(batch_stored)  # after the commit: ingest acknowledges its items
        finally:
            self.articles, self.pages, self.kept = [], [], []

    def stop(self, exc: Exception) -> None:
        """The database cannot be written: log one line, count it, and end the crawl (nothing more is written)."""
        self.failed, words = write_failure(exc, self.db_path)
        self.crawler.stats.inc_value(f"newscrawl/errors/{self.failed}")
        said = RunState.of(self.crawler).stopped  # the run recorder already said it
        log = self.crawler.spider.logger.info if said else self.crawler.spider.logger.error
        log("%s: %s (%s): batch not stored, stopping the crawl", self.db_path, words, exc)
        if self.closing:
            set_stop_reason(self.crawler, self.failed)  # the run's finish reason
        else:
            stop_run(self.crawler, self.failed)

    def count(self, stored: Stored) -> None:
        """Log and count what storing a record did."""
        logger = self.crawler.spider.logger
        for named, url in stored.moved:
            logger.info("%s moves to %s: the page at %s is another story", named, url, named)
        if stored.outcome == "same_text":  # the source's own story under another URL: not stored
            self.crawler.stats.inc_value("newscrawl/duplicates")
            logger.info("duplicate %s: same text as %s", stored.fetched, stored.copy_url)
            return
        if stored.outcome == "duplicate":
            logger.info(
                "duplicate %s: %.0f%% of its text is in %s",
                stored.row["url"],
                (stored.similarity or 0.0) * 100,
                stored.copy_url,
            )
        if stored.repeat:
            self.count_repeat(stored.article_id, stored.outcome)
        else:
            self.count_new_row(stored.article_id, stored.outcome, stored.row)

    def count_new_row(self, article_id: int, outcome: str, row: dict[str, Any]) -> None:
        """Count what the run did to a row it had not stored yet."""
        stats = self.crawler.stats
        if outcome == "duplicate":  # a copy stored linked to its original
            stats.inc_value("newscrawl/duplicates")
            stats.inc_value("newscrawl/duplicates_stored")
            return
        stats.inc_value(f"newscrawl/articles_{outcome}")
        if outcome == "new":
            self.count_coverage(row)
        elif outcome == "unchanged":
            self.seen_unchanged.add(article_id)

    def count_repeat(self, article_id: int, outcome: str) -> None:
        """Count a record whose row this run already stored: a row it found unchanged that this one changes is
        updated instead."""
        stats = self.crawler.stats
        stats.inc_value("newscrawl/repeated")
        if outcome == "updated" and article_id in self.seen_unchanged:
            self.seen_unchanged.discard(article_id)
            stats.inc_value("newscrawl/articles_unchanged", -1)
            stats.inc_value("newscrawl/articles_updated")

    def count_coverage(self, row: dict[str, Any]) -> None:
        """Count which fields a new article has: a drop in these shows a site redesign the day it happens."""
        has = {
            "datetime": "T" in (row["published_at"] or ""),
            "author": row["authors"] != "[]",
            "caption": bool(row["caption"]),
            "long_body": row["word_count"] > 100,
        }
        for field, present in has.items():
            if present:
                self.crawler.stats.inc_value(f"newscrawl/coverage/{field}")
