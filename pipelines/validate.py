"""ValidatePipeline: drop pages that are not usable articles, counting why."""

from __future__ import annotations

from typing import Any

from scrapy.exceptions import DropItem

from crawler.items import Article, NotArticle
from crawler.words import count_words
from pipelines.normalise import clean_text


class Rejected(DropItem):
    """An item dropped for a reason that is counted and remembered (the page is not fetched again)."""

    def __init__(self, reason: str, detail: str = "", article_id: int | None = None) -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.article_id = article_id  # the stored article this one duplicates, if any


class ValidatePipeline:
    """Rejects non-articles, records without a title and bodies under NEWSCRAWL_MIN_WORDS words."""

    def __init__(self, min_words: int) -> None:
        self.min_words = min_words

    @classmethod
    def from_crawler(cls, crawler: Any) -> ValidatePipeline:
        return cls(crawler.settings.getint("NEWSCRAWL_MIN_WORDS"))

    def process_item(self, item: Article | NotArticle, spider: Any = None) -> Article:
        if isinstance(item, NotArticle):
            raise Rejected(item.failure or "not_article", item.reason)
        if not clean_text(item.title):  # nothing but spaces, invisible marks or control characters
            raise Rejected("no_title")
        words = count_words(item.body or "")
        if words < self.min_words:
            raise Rejected("too_short", f"{words} words")
        return item
