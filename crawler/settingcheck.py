"""Numeric and yes/no settings checked before a crawl starts: a value of the wrong type, or one no crawl could mean
(DOWNLOAD_DELAY=1e308, CONCURRENT_REQUESTS_PER_DOMAIN=0), is one line naming the setting, not a traceback or a hang
later on."""

from __future__ import annotations

import math
from typing import Any

from scrapy.settings import default_settings

from crawler import settings as project_defaults

DAY = 24 * 3600
GIB = 1024**3

# name: (whole number?, lowest, highest); the README's Settings section lists the ranges of newscrawl's own
RANGES: dict[str, tuple[bool, float, float]] = {
    "NEWSCRAWL_MIN_WORDS": (True, 0, 100_000),
    "NEWSCRAWL_MIN_DECLARED_WORDS": (True, 0, 100_000),
    "NEWSCRAWL_MAX_TITLE_CHARS": (True, 0, 1_000_000),
    "NEWSCRAWL_EXTRACT_TIMEOUT": (False, 0, DAY),
    "NEWSCRAWL_MAX_ELEMENTS": (True, 0, 10**9),
    "NEWSCRAWL_MAX_CHILD_SITEMAPS": (True, 0, 10**9),
    "NEWSCRAWL_MAX_SCHEDULED": (True, 0, 10**9),
    "NEWSCRAWL_LOCK_WAIT": (False, 0, 7 * DAY),
    "NEWSCRAWL_BATCH_SIZE": (True, 1, 100_000),
    "NEWSCRAWL_LOG_MAX_BYTES": (True, 0, 100 * GIB),
    "NEWSCRAWL_LOG_BACKUPS": (True, 0, 1_000),
    "NEWSCRAWL_OVERLAP_HOURS": (False, 0, 8_760),
    "NEWSCRAWL_EXTRACT_WORKERS": (True, 0, 256),
    "NEWSCRAWL_WORKER_MAX_PAGES": (True, 0, 10**9),
    "NEWSCRAWL_RETRY_AFTER_MAX": (False, 0, DAY),
    "NEWSCRAWL_NEAR_DUPLICATE_THRESHOLD": (False, 0.01, 1),
    "NEWSCRAWL_WORKER_IDLE": (False, 0, 7 * DAY),
    "NEWSCRAWL_INGEST_IDLE": (False, 0, 7 * DAY),
    "DEPTH_LIMIT": (True, 0, 1_000),
    "CONCURRENT_REQUESTS": (True, 1, 10_000),
    "CONCURRENT_REQUESTS_PER_DOMAIN": (True, 1, 1_000),
    "CONCURRENT_ITEMS": (True, 1, 100_000),
    "DOWNLOAD_DELAY": (False, 0, 3_600),
    "DOWNLOAD_TIMEOUT": (False, 0.1, DAY),
    "DOWNLOAD_MAXSIZE": (True, 0, 100 * GIB),
    "DOWNLOAD_WARNSIZE": (True, 0, 100 * GIB),
    "AUTOTHROTTLE_START_DELAY": (False, 0, 3_600),
    "AUTOTHROTTLE_MAX_DELAY": (False, 0, 3_600),
    "AUTOTHROTTLE_TARGET_CONCURRENCY": (False, 0.01, 1_000),
    "RETRY_TIMES": (True, 0, 100),
    "REDIRECT_MAX_TIMES": (True, 0, 100),
    "CLOSESPIDER_TIMEOUT": (False, 0, 365 * DAY),
    "CLOSESPIDER_ITEMCOUNT": (True, 0, 10**12),
    "CLOSESPIDER_PAGECOUNT": (True, 0, 10**12),
    "CLOSESPIDER_ERRORCOUNT": (True, 0, 10**12),
}
FLAGS = (
    "NEWSCRAWL_SKIP_KNOWN",
    "NEWSCRAWL_KEEP_PAGES",
    "NEWSCRAWL_GUARD",
    "NEWSCRAWL_RECORD_RUNS",
    "AUTOTHROTTLE_ENABLED",
    "ROBOTSTXT_OBEY",
    "RETRY_ENABLED",
    "COOKIES_ENABLED",
    "HTTPPROXY_ENABLED",
    "SITEMAP_ALTERNATE_LINKS",
)


class SettingError(ValueError):
    """A setting whose value no crawl can use; the message is one line naming it."""


def check_settings(settings: Any) -> None:
    """Raise SettingError for the first numeric or yes/no setting of `settings` (Scrapy Settings) that is of the
    wrong type or out of its range."""
    for name, (whole, low, high) in RANGES.items():
        value = settings.get(name)
        if value is None or value == "":
            continue
        kind = "a whole number" if whole else "a number"
        wanted = f"must be {kind} from {_number(low)} to {_number(high)}"
        try:
            number = settings.getint(name) if whole else settings.getfloat(name)
        except (TypeError, ValueError):
            raise SettingError(f"setting {name}={value!r}: {wanted}") from None
        if isinstance(value, bool) or not math.isfinite(number) or not low <= number <= high:
            raise SettingError(f"setting {name}={value!r}: {wanted}")
    for name in FLAGS:
        try:
            settings.getbool(name)
        except ValueError:
            raise SettingError(f"setting {name}={settings.get(name)!r}: must be true or false (1 or 0)") from None


def is_known_setting(name: str) -> bool:
    """True for a setting Scrapy or newscrawl has a default for."""
    return name.isupper() and (hasattr(default_settings, name) or hasattr(project_defaults, name))


def _number(value: float) -> str:
    return f"{value:g}" if value < 10**6 else f"{int(value):_}"
