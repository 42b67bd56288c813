"""DedupePipeline: the same text under another URL is not stored twice."""

from __future__ import annotations

import hashlib
import re
import sqlite3
from pathlib import Path
from typing import Any

from crawler.items import Article
from pipelines.validate import Rejected

_WORDS = re.compile(r"\w+")


def content_hash(body: str) -> str:
    """A fingerprint of the body's words, blind to case, spacing and punctuation."""
    words = " ".join(_WORDS.findall(body.casefold()))
    return hashlib.sha1(words.encode("utf-8")).hexdigest()


class DedupePipeline:
    """Rejects an article whose body is identical to one already stored (or seen this run) under another URL.

    The same canonical URL is not a duplicate: the store updates that row in place.
    """

    def __init__(self, db_path: str) -> None:
        self.db_path = db_path
        self.conn: sqlite3.Connection | None = None
        self.seen: dict[str, str] = {}  # content hash -> URL, this run

    @classmethod
    def from_crawler(cls, crawler: Any) -> DedupePipeline:
        return cls(crawler.settings.get("NEWSCRAWL_DB"))

    def open_spider(self, spider: Any = None) -> None:
        if Path(self.db_path).exists():
            self.conn = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True)
            self.conn.execute("PRAGMA busy_timeout = 30000")

    def close_spider(self, spider: Any = None) -> None:
        if self.conn is not None:
            self.conn.close()

    def process_item(self, item: Article, spider: Any = None) -> Article:
        digest = content_hash(item.body)
        first_url = self.seen.setdefault(digest, item.url)
        if first_url != item.url:
            raise Rejected("duplicate", f"same text as {first_url}")
        stored = self.stored_copy(digest, item.url)
        if stored is not None:
            raise Rejected("duplicate", f"same text as {stored[1]}", article_id=stored[0])
        return item

    def stored_copy(self, digest: str, url: str) -> tuple[int, str] | None:
        """(id, url) of a stored article with this body under another URL."""
        if self.conn is None:
            return None
        try:
            return self.conn.execute(
                "SELECT id, url FROM articles WHERE content_hash = ? AND url != ? LIMIT 1", (digest, url)
            ).fetchone()
        except sqlite3.OperationalError:
            return None
