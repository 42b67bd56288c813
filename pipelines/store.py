"""StorePipeline: write articles to SQLite in batches, one transaction per batch, the FTS index in step."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from scrapy import signals
from scrapy.exceptions import DropItem

from crawler.crawl.runs import set_stop_reason, stop_run
from crawler.crawl.runstate import RunState
from crawler.items import Article, NotArticle
from crawler.search import textindex
from crawler.storage import neardup
from crawler.storage.db import ARTICLE_COLUMNS, SchemaError, open_db, utc_now, write_failure
from crawler.urls import canonical_url
from crawler.words import count_words
from pipelines.dedupe import content_hash
from pipelines.validate import Rejected

# fields compared to decide whether a stored article changed (a new dateModified alone is not a change)
COMPARED = ("title", "body", "caption", "authors", "published_at", "section", "tags", "image_url")
WRITTEN = [name for name in ARTICLE_COLUMNS if name != "id"]
INSERT_ARTICLE = f"INSERT INTO articles ({', '.join(WRITTEN)}) VALUES ({', '.join(':' + n for n in WRITTEN)})"
UPDATE_ARTICLE = "UPDATE articles SET {} WHERE id = :id".format(
    ", ".join(f"{n} = :{n}" for n in WRITTEN if n not in ("url", "first_seen_at", "duplicate_of", "similarity"))
)
SAVE_VERSION = (
    "INSERT INTO article_versions (article_id, title, body, caption, modified_at, replaced_at)"
    " SELECT id, title, body, caption, modified_at, ? FROM articles WHERE id = ?"
)
UPSERT_PAGE = (
    "INSERT INTO pages (url, source, status, reason, article_id, fetched_at)"
    " VALUES (:url, :source, :status, :reason, :article_id, :fetched_at)"
    " ON CONFLICT(source, url) DO UPDATE SET status = excluded.status, reason = excluded.reason,"
    " article_id = excluded.article_id, fetched_at = excluded.fetched_at"
)
KEEP_PAGE = (
    "INSERT OR REPLACE INTO raw_pages (url, source, response_url, html, fetched_at)"
    " VALUES (:url, :source, :response_url, :html, :fetched_at)"
)
batch_stored = object()  # signal sent after each committed batch (`newscrawl ingest` then acknowledges its items)


class StorePipeline:
    """Upserts articles by source and canonical URL and remembers every URL the source fetched in `pages` with its
    outcome (see `article_url` for when a canonical URL is kept).

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
        self.db: Any = None
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
            self.db = open_db(self.db_path)
        except (sqlite3.Error, OSError, SchemaError) as exc:
            self.stop(exc)

    def close_spider(self, spider: Any = None) -> None:
        self.closing = True
        self.flush()
        if self.db is not None:
            self.db.close()

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
        if not getattr(item, "failure", None):  # a failed extraction was counted as an error where it failed
            stats.inc_value("newscrawl/duplicates" if reason == "duplicate" else f"newscrawl/rejected/{reason}")
        if isinstance(item, (Article, NotArticle)) and item.fetched_url:
            article_id = exception.article_id if isinstance(exception, Rejected) else None
            self.pages.append(self.page_row(item, item.fetched_url, reason, str(exception), article_id))
            self.keep_page(item)
        if len(self.pages) >= self.batch_size:
            self.flush()

    def source_of(self, item: Article | NotArticle) -> str:
        return getattr(item, "source", None) or self.spider_source[0]

    def page_row(
        self, item: Article | NotArticle, url: str, status: str, reason: str | None, article_id: int | None
    ) -> dict[str, Any]:
        return {
            "url": canonical_url(url),
            "source": self.source_of(item),
            "status": status,
            "reason": reason,
            "article_id": article_id,
            "fetched_at": item.fetched_at or utc_now(),
        }

    def keep_page(self, item: Article | NotArticle) -> None:
        """Queue the page as fetched for `raw_pages` (when the spider kept it: NEWSCRAWL_KEEP_PAGES)."""
        if item.kept_page is None or not item.fetched_url:
            return
        self.kept.append(
            {
                "url": canonical_url(item.fetched_url),
                "source": self.source_of(item),
                "response_url": item.response_url or item.fetched_url,
                "html": item.kept_page,
                "fetched_at": item.fetched_at or utc_now(),
            }
        )

    def flush(self) -> None:
        """Write the pending articles and pages in one transaction."""
        if not (self.articles or self.pages) or self.failed:
            self.articles, self.pages, self.kept = [], [], []
            return
        conn = self.db.conn
        stats = self.crawler.stats.get_stats().copy()  # counts of the batch are undone with it
        try:
            conn.execute("BEGIN IMMEDIATE")  # take the write lock first: duplicate checks see every committed copy
            for article in self.articles:
                self.store(conn, article)
            conn.executemany(UPSERT_PAGE, self.pages)
            conn.executemany(KEEP_PAGE, self.kept)
            conn.commit()
        except sqlite3.OperationalError as exc:  # a full disk (SQLITE_FULL, or an I/O error with no space left)
            conn.rollback()
            self.crawler.stats.set_stats(stats)
            self.stop(exc)
        except BaseException:
            conn.rollback()
            raise
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

    def store(self, conn: Any, article: Article) -> None:
        """Insert or update one article (and its images), counting the outcome."""
        now = utc_now()
        fetched = article.fetched_url or article.url
        own = canonical_url(article.response_url or fetched)  # the URL the page came from
        article.content_hash = article.content_hash or content_hash(article.body)
        article.url = self.article_url(conn, article, self.source_of(article), own, {canonical_url(fetched), own})
        row = self.row(article, now)
        self.keep_page(article)
        copy = conn.execute(
            "SELECT id, url, source, coalesce(duplicate_of, id) FROM articles WHERE content_hash = ?"
            " AND NOT (source = ? AND url = ?) ORDER BY source = ? DESC LIMIT 1",
            [row["content_hash"], row["source"], article.url, row["source"]],
        ).fetchone()
        if copy is not None and copy[2] == row["source"]:  # the source's own story under another URL
            self.crawler.stats.inc_value("newscrawl/duplicates")
            self.crawler.spider.logger.info("duplicate %s: same text as %s", fetched, copy[1])
            self.pages.append(self.page_row(article, fetched, "duplicate", f"same text as {copy[1]}", copy[0]))
            return
        found = conn.execute(
            f"SELECT id, run_id, duplicate_of, {', '.join(COMPARED)} FROM articles WHERE source = ? AND url = ?",
            [row["source"], article.url],
        ).fetchone()
        run_id = row["run_id"]
        repeat = found is not None and run_id is not None and found[1] == run_id  # stored by this run already
        if found is None:
            article_id, outcome = self.insert(conn, row, copy)
        elif tuple(found[3:]) != tuple(row[name] for name in COMPARED):
            article_id, outcome = found[0], "updated"
            conn.execute(SAVE_VERSION, [now, article_id])
            row["modified_at"] = row["modified_at"] or now
            textindex.remove(conn, article_id)
            conn.execute(UPDATE_ARTICLE, {**row, "id": article_id})
            textindex.add(conn, article_id, row["title"], row["body"], row["caption"])
            if found[2] is None:
                neardup.index(conn, article_id, neardup.shingles(row["body"]))
        else:
            article_id, outcome = found[0], "unchanged"
            conn.execute(
                "UPDATE articles SET last_seen_at = ?, run_id = ? WHERE id = ?", [now, row["run_id"], article_id]
            )
        if repeat:
            self.count_repeat(article_id, outcome)
        else:
            self.count(article_id, outcome, row)
        if outcome != "unchanged":
            conn.execute("DELETE FROM images WHERE article_id = ?", [article_id])
            conn.executemany(
                "INSERT INTO images (article_id, position, url, caption, credit) VALUES (?, ?, ?, ?, ?)",
                [(article_id, i, im.url, im.caption, im.credit) for i, im in enumerate(article.images)],
            )
        for url in {fetched, own}:  # the URLs fetched: a canonical URL only named is not known (its page is fetched)
            self.pages.append(self.page_row(article, url, "article", None, article_id))

    def article_url(self, conn: Any, article: Article, source: str, own: str, fetched: set[str]) -> str:
        """The URL to store the article under: its canonical URL, unless another text is stored there.

        A page naming a canonical URL under which its source stored another text, not fetched from this page, is
        another story: it is stored under the URL it was fetched at (a text stored there by other sources only
        counts when the source has none). A page fetched at its own URL takes it back from a row of its source
        that only named it: that row moves to the URL it was fetched at. `own`: the page's URL (after redirects);
        `fetched`: it and the URL requested."""
        rows = conn.execute("SELECT id, source, content_hash FROM articles WHERE url = ?", [article.url]).fetchall()
        mine = [(row_id, digest) for row_id, owner, digest in rows if owner == source]
        if article.url != own:
            if mine:
                row_id, digest = mine[0]
                same_story = digest == article.content_hash or self.fetched_for(conn, row_id, source, fetched)
            else:
                same_story = all(digest == article.content_hash for _, _, digest in rows)
            return article.url if same_story else own
        for row_id, digest in mine:
            if digest != article.content_hash and not self.fetched_for(conn, row_id, source, {own}):
                self.move_to_fetched_url(conn, row_id, source, own)
        return own

    def fetched_for(self, conn: Any, article_id: int, source: str, urls: set[str]) -> bool:
        """True when the source stored the article from a page fetched at one of `urls`."""
        return not urls.isdisjoint(self.fetched_urls(conn, article_id, source))

    def fetched_urls(self, conn: Any, article_id: int, source: str) -> list[str]:
        """The URLs the source fetched the article's pages at, oldest first (this batch's last)."""
        stored = conn.execute(
            "SELECT url FROM pages WHERE source = ? AND article_id = ? AND status = 'article' ORDER BY fetched_at",
            [source, article_id],
        )
        pending = (
            p["url"]
            for p in self.pages
            if (p["source"], p["article_id"], p["status"]) == (source, article_id, "article")
        )
        return [*(url for (url,) in stored), *pending]

    def move_to_fetched_url(self, conn: Any, article_id: int, source: str, named: str) -> None:
        """Move an article stored under a URL it only named (`named`) to a free URL its page was fetched at."""
        taken = "SELECT 1 FROM articles WHERE source = ? AND url = ?"
        for url in self.fetched_urls(conn, article_id, source):
            if url != named and conn.execute(taken, [source, url]).fetchone() is None:
                conn.execute("UPDATE articles SET url = ? WHERE id = ?", [url, article_id])
                self.crawler.spider.logger.info("%s moves to %s: the page at %s is another story", named, url, named)
                return

    def count(self, article_id: int, outcome: str, row: dict[str, Any]) -> None:
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

    def insert(self, conn: Any, row: dict[str, Any], copy: tuple | None) -> tuple[int, str]:
        """Insert a new row: an original (indexed for near-duplicate lookups), or a copy linked to its original.

        The original is the copy published first: a story stored before its earlier-published source (crawl
        order is chance) hands the role over, with its copies."""
        hashes = neardup.shingles(row["body"])  # once: for the lookup, the index and a hand-over
        match = neardup.Match(copy[3], 1.0) if copy else neardup.find(conn, hashes, self.threshold)
        original = None
        if match is not None:
            original = conn.execute(
                "SELECT url, published_at FROM articles WHERE id = ?", [match.article_id]
            ).fetchone()
            if not (row["published_at"] and original[1] and row["published_at"] < original[1]):
                row.update(duplicate_of=match.article_id, similarity=match.similarity)
        article_id = conn.execute(INSERT_ARTICLE, row).lastrowid
        textindex.add(conn, article_id, row["title"], row["body"], row["caption"])
        if row["duplicate_of"] is None:
            neardup.index(conn, article_id, hashes)
            if match is not None:  # published before the stored original: it takes over
                self.hand_over(conn, match.article_id, article_id, hashes)
            return article_id, "new"
        self.crawler.spider.logger.info(
            "duplicate %s: %.0f%% of its text is in %s", row["url"], match.similarity * 100, original[0]
        )
        return article_id, "duplicate"

    def hand_over(self, conn: Any, old_original: int, article_id: int, hashes: set[int]) -> None:
        """Make `article_id` (whose text has these shingles) the original of a story stored before it: the old
        original and its copies link to it, each with its similarity to the new original."""
        copies = conn.execute(
            "SELECT id, body FROM articles WHERE id = ? OR duplicate_of = ?", [old_original, old_original]
        ).fetchall()
        for copy_id, copy_body in copies:
            score = round(neardup.similarity(hashes, neardup.shingles(copy_body)), 3)
            conn.execute(
                "UPDATE articles SET duplicate_of = ?, similarity = ? WHERE id = ?", [article_id, score, copy_id]
            )
        neardup.forget(conn, old_original)

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

    def row(self, article: Article, now: str) -> dict[str, Any]:
        """The `articles` row for a record."""
        return {
            "url": article.url,
            "source": self.source_of(article),
            "source_name": article.source_name or (article.source or self.spider_source[1]),
            "title": article.title,
            "body": article.body,
            "caption": article.caption,
            "caption_credit": article.caption_credit,
            "attribution": article.attribution,
            "authors": json.dumps(article.authors, ensure_ascii=False),
            "published_at": article.published_at,
            "modified_at": article.modified_at,
            "language": article.language,
            "section": article.section,
            "tags": json.dumps(article.tags, ensure_ascii=False),
            "image_url": article.image_url,
            "description": article.description,
            "word_count": count_words(article.body),
            "content_hash": article.content_hash or content_hash(article.body),
            "first_seen_at": now,
            "last_seen_at": now,
            "duplicate_of": None,
            "similarity": None,
            "run_id": RunState.of(self.crawler).run_id,
        }
