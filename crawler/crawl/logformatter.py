"""Log lines a cron user can act on: a rejected page is one INFO line with its URL and the reason."""

from __future__ import annotations

import logging
from typing import Any

from scrapy.logformatter import LogFormatter


class NewsLogFormatter(LogFormatter):
    """Scrapy's formatter, with dropped items logged as `rejected URL: reason` instead of a full item dump."""

    def dropped(self, item: Any, exception: BaseException, response: Any, spider: Any) -> dict[str, Any]:
        url = getattr(item, "fetched_url", None) or getattr(item, "url", "?")
        return {"level": logging.INFO, "msg": "rejected %(url)s: %(reason)s", "args": {"url": url, "reason": exception}}
