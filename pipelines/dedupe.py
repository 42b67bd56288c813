"""DedupePipeline: the same text under another URL is not stored twice."""

from __future__ import annotations

from typing import Any

from crawler.items import Article
from crawler.words import content_hash
from pipelines.validate import Rejected


class DedupePipeline:
    """Fingerprints each article's body and rejects one whose text the same source already had this run under
    another URL.

    The same canonical URL is not a duplicate (the store updates that row in place). Copies already in the
    database, from earlier runs or from other sources crawling at the same time, are caught by the store inside
    its write transaction, where the check cannot race with another writer.
    """

    def __init__(self) -> None:
        self.seen: dict[tuple[str | None, str], str] = {}  # (source, content hash) -> first URL, this run

    def process_item(self, item: Article, spider: Any = None) -> Article:
        item.content_hash = content_hash(item.body)
        first_url = self.seen.setdefault((item.source, item.content_hash), item.url)
        if first_url != item.url:
            raise Rejected("duplicate", f"same text as {first_url}")
        return item
