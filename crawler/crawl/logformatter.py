"""Log lines a cron user can act on: a rejected page is one INFO line with its URL and the reason."""

from __future__ import annotations

import logging
from typing import Any

from scrapy.logformatter import LogFormatter

from crawler.items import Article, NotArticle


class NewsLogFormatter(LogFormatter):
    """Scrapy's formatter, with dropped items logged as `rejected URL: reason` instead of a full item dump."""

    def dropped(self, item: Any, exception: BaseException, response: Any, spider: Any) -> dict[str, Any]:
        url = (item.fetch.fetched_url or item.url) if isinstance(item, (Article, NotArticle)) else "?"
        return {"level": logging.INFO, "msg": "rejected %(url)s: %(reason)s", "args": {"url": url, "reason": exception}}
