"""RetryAfter: a 429 or 503 that says when to come back (Retry-After) is retried then, not at once."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any

from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.http import Response


def retry_after_seconds(value: bytes | None, now: datetime | None = None) -> float | None:
    """Seconds a Retry-After header asks to wait (delta-seconds or an HTTP date); None when absent or unreadable."""
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


class RetryAfter:
    """Runs before Scrapy's RetryMiddleware sees the response (priority above 550). A wait up to
    NEWSCRAWL_RETRY_AFTER_MAX seconds is waited (that request's slot stays busy: the site gets less traffic), then
    the retry goes as usual; a longer one means "not this run": the request is not retried and fails as http_<code>.
    """

    CODES = (429, 503)

    def __init__(self, max_wait: float) -> None:
        self.max_wait = max_wait

    @classmethod
    def from_crawler(cls, crawler: Any) -> RetryAfter:
        if not crawler.settings.getbool("RETRY_ENABLED"):
            raise NotConfigured("retries are off")
        return cls(crawler.settings.getfloat("NEWSCRAWL_RETRY_AFTER_MAX"))

    async def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        if response.status not in self.CODES:
            return response
        wait = retry_after_seconds(response.headers.get("Retry-After"))
        if wait is None:
            return response
        if wait > self.max_wait:
            request.meta["dont_retry"] = True
        else:
            await asyncio.sleep(wait)
        return response
