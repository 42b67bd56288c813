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
    """Rejects non-articles, records without a title and bodies under NEWSCRAWL_MIN_WORDS words
    (NEWSCRAWL_MIN_DECLARED_WORDS for a page that declares itself an article: a news flash)."""

    def __init__(self, min_words: int, min_declared_words: int | None = None) -> None:
        self.min_words = min_words
        self.min_declared_words = min(min_words, min_declared_words if min_declared_words is not None else min_words)

    @classmethod
    def from_crawler(cls, crawler: Any) -> ValidatePipeline:
        settings = crawler.settings
        return cls(settings.getint("NEWSCRAWL_MIN_WORDS"), settings.getint("NEWSCRAWL_MIN_DECLARED_WORDS"))

    def process_item(self, item: Article | NotArticle, spider: Any = None) -> Article:
        if isinstance(item, NotArticle):
            raise Rejected(item.failure or "not_article", item.reason)
        if not clean_text(item.title):  # nothing but spaces, invisible marks or control characters
            raise Rejected("no_title")
        words = count_words(item.body or "")
        if words < (self.min_declared_words if item.fetch.declared_article else self.min_words):
            raise Rejected("too_short", f"{words} words")
        return item
