"""ArticleStore: every write of the crawl's records. Articles with their earlier versions and images, exact and
near-duplicate copies linked to their original, the outcome of each fetched page (`pages`), the pages as fetched
(`raw_pages`, read back by `newscrawl reextract`) and the full-text index, kept in step.

    with archive.articles.batch(threshold, pages, kept) as batch:  # one write transaction
        stored = batch.store(article, run_id)                       # what happened to the record: a Stored

The store decides what a record is (new, a changed or unchanged row, a copy of another row, a text the source
already has) and says so; counting and logging it is the caller's (pipelines/store.py).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

from crawler.items import Article
from crawler.storage import neardup, textindex
from crawler.storage.db import ARTICLE_COLUMNS, utc_now
from crawler.storage.part import Part
from crawler.urls import canonical_url
from crawler.words import content_hash, count_words

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

Outcome = Literal["new", "updated", "unchanged", "duplicate", "same_text"]


@dataclass
class Stored:
    """What storing one record did.

    `outcome`: `new`, `updated` or `unchanged` (the source's row under the record's URL); `duplicate` (stored as a
    copy linked to its original, `copy_url`, with `similarity`); `same_text` (not stored: the source has this text
    under another URL, `copy_url`, row `article_id`). `repeat`: the row was stored by the same run already.
    `moved`: (URL, new URL) of a row of the source that only named the record's URL and moved to a URL it was
    fetched at."""

    outcome: Outcome
    article_id: int
    row: dict[str, Any]  # the `articles` row the record gave
    fetched: str  # the URL the record's page was requested at
    repeat: bool = False
    copy_url: str | None = None
    similarity: float | None = None
    moved: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class KeptPage:
    """A page kept in `raw_pages` as fetched (`html` zlib-compressed)."""

    url: str
    response_url: str
    html: bytes
    fetched_at: str


def article_row(article: Article, now: str, run_id: int | None) -> dict[str, Any]:
    """The `articles` row for a record (its `source` set)."""
    return {
        "url": article.url,
        "source": article.source,
        "source_name": article.source_name or article.source,
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
        "run_id": run_id,
    }


def page_row(
    url: str, source: str, status: str, reason: str | None, article_id: int | None, fetched_at: str | None
) -> dict[str, Any]:
    """The `pages` row saying what became of a page the source fetched at `url`."""
    return {
        "url": canonical_url(url),
        "source": source,
        "status": status,
        "reason": reason,
        "article_id": article_id,
        "fetched_at": fetched_at or utc_now(),
    }


def kept_row(url: str, source: str, response_url: str, html: bytes, fetched_at: str | None) -> dict[str, Any]:
    """The `raw_pages` row keeping a page as fetched (`html` zlib-compressed)."""
    return {
        "url": canonical_url(url),
        "source": source,
        "response_url": response_url,
        "html": html,
        "fetched_at": fetched_at or utc_now(),
    }


class ArticleStore(Part):
    """The articles of a database and everything written with them (see the module's docstring)."""

    @contextmanager
    def batch(
        self, threshold: float, pages: Iterable[dict[str, Any]] = (), kept: Iterable[dict[str, Any]] = ()
    ) -> Iterator[ArticleBatch]:
        """One write transaction storing records (`ArticleBatch.store`), then the `pages` rows (`page_row`: those
        given, then the records') and the kept pages (`kept_row`). It takes the write lock first, so duplicate
        checks see every committed copy; any error rolls it back whole and is raised."""
        conn = self.db.conn
        try:
            conn.execute("BEGIN IMMEDIATE")
            batch = ArticleBatch(conn, threshold, list(pages))
            yield batch
            conn.executemany(UPSERT_PAGE, batch.pages)
            conn.executemany(KEEP_PAGE, kept)
            conn.commit()
        except BaseException:
            conn.rollback()
            raise

    def kept_pages(self, source: str) -> Iterator[KeptPage]:
        """The pages kept for `source`, in the order they were first kept."""
        rows = self.db.conn.execute(
            "SELECT url, response_url, html, fetched_at FROM raw_pages WHERE source = ? ORDER BY rowid", [source]
        )
        for url, response_url, html, fetched_at in rows:
            yield KeptPage(url, response_url, html, fetched_at)

    def reindex(self) -> int:
        """Rebuild the full-text index with this version's analyser, in one write transaction; the count indexed."""
        with self.db.conn:
            self.db.execute("BEGIN IMMEDIATE")
            return textindex.rebuild(self.db.conn)


class ArticleBatch:
    """The records of one write transaction (made by `ArticleStore.batch`)."""

    def __init__(self, conn: sqlite3.Connection, threshold: float, pages: list[dict[str, Any]]) -> None:
        self.conn = conn
        self.threshold = threshold  # NEWSCRAWL_NEAR_DUPLICATE_THRESHOLD
        self.pages = pages  # the `pages` rows to write at the end (the records' added as they are stored)

    def store(self, article: Article, run_id: int | None = None) -> Stored:
        """Insert or update one article (its `source` set) with its images, and note its pages; what happened.

        The article is upserted by source and canonical URL (see `article_url` for when a canonical URL is kept).
        The same text under another URL of the same source is not stored again. A copy from another source, or a
        near-duplicate (`threshold`), is stored linked to the first copy (`duplicate_of`, `similarity`). A changed
        text keeps the one it replaces in `article_versions`; a new dateModified alone is not a change. A record
        whose URL `run_id` stored already is a `repeat`, and the row keeps the last text given."""
        conn = self.conn
        now = utc_now()
        fetched = article.fetch.fetched_url or article.url
        own = canonical_url(article.fetch.response_url or fetched)  # the URL the page came from
        article.content_hash = article.content_hash or content_hash(article.body)
        moved: list[tuple[str, str]] = []
        article.url = self.article_url(article, own, {canonical_url(fetched), own}, moved)
        row = article_row(article, now, run_id)
        copy = conn.execute(
            "SELECT id, url, source, coalesce(duplicate_of, id) FROM articles WHERE content_hash = ?"
            " AND NOT (source = ? AND url = ?) ORDER BY source = ? DESC LIMIT 1",
            [row["content_hash"], row["source"], article.url, row["source"]],
        ).fetchone()
        if copy is not None and copy[2] == row["source"]:  # the source's own story under another URL
            self.note_page(article, fetched, "duplicate", f"same text as {copy[1]}", copy[0])
            return Stored("same_text", copy[0], row, fetched, copy_url=copy[1], moved=moved)
        found = conn.execute(
            f"SELECT id, run_id, duplicate_of, {', '.join(COMPARED)} FROM articles WHERE source = ? AND url = ?",
            [row["source"], article.url],
        ).fetchone()
        repeat = found is not None and run_id is not None and found[1] == run_id  # stored by this run already
        original: tuple[str, float] | None = None
        if found is None:
            article_id, outcome, original = self.insert(row, copy)
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
            conn.execute("UPDATE articles SET last_seen_at = ?, run_id = ? WHERE id = ?", [now, run_id, article_id])
        if outcome != "unchanged":
            conn.execute("DELETE FROM images WHERE article_id = ?", [article_id])
            conn.executemany(
                "INSERT INTO images (article_id, position, url, caption, credit) VALUES (?, ?, ?, ?, ?)",
                [(article_id, i, im.url, im.caption, im.credit) for i, im in enumerate(article.images)],
            )
        for url in {fetched, own}:  # the URLs fetched: a canonical URL only named is not known (its page is fetched)
            self.note_page(article, url, "article", None, article_id)
        copy_url, similarity = original or (None, None)
        return Stored(outcome, article_id, row, fetched, repeat, copy_url, similarity, moved)

    def note_page(self, article: Article, url: str, status: str, reason: str | None, article_id: int | None) -> None:
        """Add the `pages` row of a page the record came from, written with the batch."""
        self.pages.append(page_row(url, article.source, status, reason, article_id, article.fetch.fetched_at))

    def article_url(self, article: Article, own: str, fetched: set[str], moved: list[tuple[str, str]]) -> str:
        """The URL to store the article under: its canonical URL, unless another text is stored there.

        A page naming a canonical URL under which its source stored another text, not fetched from this page, is
        another story: it is stored under the URL it was fetched at (a text stored there by other sources only
        counts when the source has none). A page fetched at its own URL takes it back from a row of its source
        that only named it: that row moves to the URL it was fetched at (added to `moved`). `own`: the page's URL
        (after redirects); `fetched`: it and the URL requested."""
        source = article.source
        rows = self.conn.execute(
            "SELECT id, source, content_hash FROM articles WHERE url = ?", [article.url]
        ).fetchall()
        mine = [(row_id, digest) for row_id, owner, digest in rows if owner == source]
        if article.url != own:
            if mine:
                row_id, digest = mine[0]
                same_story = digest == article.content_hash or self.fetched_for(row_id, source, fetched)
            else:
                same_story = all(digest == article.content_hash for _, _, digest in rows)
            return article.url if same_story else own
        for row_id, digest in mine:
            if digest != article.content_hash and not self.fetched_for(row_id, source, {own}):
                self.move_to_fetched_url(row_id, source, own, moved)
        return own

    def fetched_for(self, article_id: int, source: str, urls: set[str]) -> bool:
        """True when the source stored the article from a page fetched at one of `urls`."""
        return not urls.isdisjoint(self.fetched_urls(article_id, source))

    def fetched_urls(self, article_id: int, source: str) -> list[str]:
        """The URLs the source fetched the article's pages at, oldest first (this batch's last)."""
        stored = self.conn.execute(
            "SELECT url FROM pages WHERE source = ? AND article_id = ? AND status = 'article' ORDER BY fetched_at",
            [source, article_id],
        )
        pending = (
            p["url"]
            for p in self.pages
            if (p["source"], p["article_id"], p["status"]) == (source, article_id, "article")
        )
        return [*(url for (url,) in stored), *pending]

    def move_to_fetched_url(self, article_id: int, source: str, named: str, moved: list[tuple[str, str]]) -> None:
        """Move an article stored under a URL it only named (`named`) to a free URL its page was fetched at."""
        taken = "SELECT 1 FROM articles WHERE source = ? AND url = ?"
        for url in self.fetched_urls(article_id, source):
            if url != named and self.conn.execute(taken, [source, url]).fetchone() is None:
                self.conn.execute("UPDATE articles SET url = ? WHERE id = ?", [url, article_id])
                moved.append((named, url))
                return

    def insert(self, row: dict[str, Any], copy: tuple | None) -> tuple[int, Outcome, tuple[str, float] | None]:
        """Insert a new row: an original (indexed for near-duplicate lookups), or a copy linked to its original
        (then also the original's URL and the similarity).

        The original is the copy published first: a story stored before its earlier-published source (crawl
        order is chance) hands the role over, with its copies."""
        conn = self.conn
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
                self.hand_over(match.article_id, article_id, hashes)
            return article_id, "new", None
        assert match is not None and original is not None
        return article_id, "duplicate", (original[0], match.similarity)

    def hand_over(self, old_original: int, article_id: int, hashes: set[int]) -> None:
        """Make `article_id` (whose text has these shingles) the original of a story stored before it: the old
        original and its copies link to it, each with its similarity to the new original."""
        copies = self.conn.execute(
            "SELECT id, body FROM articles WHERE id = ? OR duplicate_of = ?", [old_original, old_original]
        ).fetchall()
        for copy_id, copy_body in copies:
            score = round(neardup.similarity(hashes, neardup.shingles(copy_body)), 3)
            self.conn.execute(
                "UPDATE articles SET duplicate_of = ?, similarity = ? WHERE id = ?", [article_id, score, copy_id]
            )
        neardup.forget(self.conn, old_original)
