"""SPIDER_LOADER_CLASS: one spider per configured source, so `scrapy crawl <source>` works."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from crawler.crawl.spiders.source import SourceSpider
from crawler.settingcheck import SettingError, check_settings
from crawler.sources import SourceError, load_sources

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.settings import BaseSettings
    from typing_extensions import Self


def fail(message: str) -> None:
    """Print one line and exit with status 2 (bad configuration)."""
    print(f"newscrawl: error: {message}", file=sys.stderr)
    sys.exit(2)


class SourceSpiderLoader:
    """Builds a SourceSpider subclass for every `<key>.toml` in NEWSCRAWL_SOURCES_DIR (the settings are checked
    first: Scrapy makes the loader before any crawler, so a bad `-s` value ends `scrapy crawl` with one line)."""

    def __init__(self, settings: BaseSettings) -> None:
        try:
            check_settings(settings)
        except SettingError as exc:
            fail(str(exc))
        try:
            sources = load_sources(settings.get("NEWSCRAWL_SOURCES_DIR"))
        except SourceError as exc:
            fail(str(exc))
        self._spiders = {key: SourceSpider.for_source(source) for key, source in sources.items()}

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> Self:
        return cls(settings)

    def load(self, spider_name: str) -> type[SourceSpider]:
        try:
            return self._spiders[spider_name]
        except KeyError:
            raise KeyError(f"Spider not found: {spider_name}") from None

    def list(self) -> list[str]:
        return list(self._spiders)

    def find_by_request(self, request: Request) -> list[str]:
        """The sources whose allowed domains hold the request's host, whatever its port (Scrapy's own match
        compares host:port): `scrapy shell URL` and `scrapy parse URL` pick their spider so."""
        host = (urlsplit(request.url).hostname or "").lower()
        domains = {name: [d.lower() for d in cls.allowed_domains] for name, cls in self._spiders.items()}
        return [name for name, held in domains.items() if any(host == d or host.endswith(f".{d}") for d in held)]
