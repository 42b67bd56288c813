"""Source model: one TOML file per outlet, loaded and validated with one-line errors."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from lxml.cssselect import CSSSelector, SelectorError
from lxml.etree import XPathError

from crawler.urls import is_web_url

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

DEFAULT_SOURCES_DIR = Path(__file__).parent / "sources"
SELECTOR_KEYS = frozenset(
    {"title", "body", "caption", "authors", "published", "section", "tags", "attribution", "remove"}
)


class SourceError(ValueError):
    """A source file is invalid; the message names the file and the problem in one line."""


@dataclass(frozen=True)
class Source:
    """One configured outlet (the file stem is its key and spider name)."""

    key: str
    name: str
    homepage: str
    allowed_domains: tuple[str, ...]
    article_url: str
    sitemaps: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    language: str | None = None
    timezone: str = "UTC"
    max_articles: int = 0
    max_age_days: int = 0
    revisit_hours: int = 0
    stale_after_hours: int = 24
    follow_sections: bool = True  # follow pagination/section links found on section pages
    selectors: dict[str, str] = field(default_factory=dict, hash=False)

    @property
    def article_pattern(self) -> re.Pattern[str]:
        """The compiled `article_url` regex."""
        return re.compile(self.article_url)

    def is_article_url(self, url: str) -> bool:
        """True when `url` looks like one of this source's article pages."""
        return bool(self.article_pattern.search(url))


_OPTIONAL = {f.name for f in fields(Source)} - {"key"}
_REQUIRED = ("name", "homepage", "allowed_domains", "article_url")
_LISTS = ("allowed_domains", "sitemaps", "feeds", "sections")
_URLS = ("sitemaps", "feeds", "sections")
# the range of each whole-number key (README, "Adding an outlet"): past these, a value is a typo, not a wish
INT_RANGES = {
    "max_articles": (0, 1_000_000),  # per run; 0 = no limit
    "max_age_days": (0, 36_500),  # a hundred years; 0 = no limit
    "revisit_hours": (0, 8_760),  # a year; 0 = never
    "stale_after_hours": (1, 8_760),  # a year
}


def parse_source(key: str, data: dict[str, Any], origin: str) -> Source:
    """Validate a source's raw TOML data; raise SourceError naming `origin` on the first problem."""

    def fail(problem: str) -> SourceError:
        return SourceError(f"{origin}: {problem}")

    unknown = sorted(set(data) - _OPTIONAL)
    if unknown:
        raise fail(f"unknown key {unknown[0]!r} (allowed: {', '.join(sorted(_OPTIONAL))})")
    for name in _REQUIRED:
        if not data.get(name):
            raise fail(f"missing required key {name!r}")
    values = dict(data)
    for name in _LISTS:
        value = values.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise fail(f"{name!r} must be a list of non-empty strings")
        values[name] = tuple(value)
    for name, (low, high) in INT_RANGES.items():
        value = values.get(name, low)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise fail(f"{name!r} must be a whole number from {low} to {high}, not {value!r}")
    for name in ("name", "homepage", "article_url", "language", "timezone"):
        if name in values and not isinstance(values[name], str):
            raise fail(f"{name!r} must be a string")
    for name in ("homepage", *_URLS):
        for url in values[name] if name in _URLS else (values[name],):
            if not is_web_url(url):
                raise fail(f"{name!r}: {url!r} is not an http(s) URL")
    if not (values["sitemaps"] or values["feeds"] or values["sections"]):
        raise fail("no discovery method: give at least one of 'sitemaps', 'feeds' or 'sections'")
    try:
        re.compile(values["article_url"])
    except re.error as exc:
        raise fail(f"bad regex in 'article_url' {values['article_url']!r}: {exc}") from None
    try:
        ZoneInfo(values.get("timezone", "UTC"))
    except (ZoneInfoNotFoundError, ValueError):
        raise fail(f"unknown timezone {values['timezone']!r}") from None
    selectors = values.get("selectors", {})
    if not isinstance(selectors, dict) or not all(isinstance(v, str) for v in selectors.values()):
        raise fail("'selectors' must be a table of CSS selector strings")
    bad = sorted(set(selectors) - SELECTOR_KEYS)
    if bad:
        raise fail(f"unknown selector {bad[0]!r} (allowed: {', '.join(sorted(SELECTOR_KEYS))})")
    for name, css in selectors.items():
        problem = selector_problem(css)
        if problem:
            raise fail(f"selector {name!r} = {css!r} does not compile: {problem}")
    if "follow_sections" in values and not isinstance(values["follow_sections"], bool):
        raise fail("'follow_sections' must be true or false")
    return Source(key=key, **values)


def selector_problem(css: str) -> str | None:
    """Why `css` does not compile with the engine the extraction runs it with (lxml's cssselect, HTML
    translator), or None when it does."""
    try:
        CSSSelector(css, translator="html")
    except (SelectorError, XPathError) as exc:
        return " ".join(str(exc).split()) or type(exc).__name__
    return None


def load_source(path: Path) -> Source:
    """Load and validate one source file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SourceError(f"{path}: invalid TOML: {exc}") from None
    except RecursionError:  # tomllib parses nested arrays and tables recursively
        raise SourceError(f"{path}: invalid TOML: nested too deeply") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(f"{path}: cannot read: {exc}") from None
    return parse_source(path.stem, data, str(path))


def load_sources(directory: Path | str) -> dict[str, Source]:
    """Every source in `directory` (one `<key>.toml` each), sorted by key."""
    folder = Path(directory)
    if not folder.is_dir():
        raise SourceError(f"{folder}: sources folder not found")
    return {path.stem: load_source(path) for path in sorted(folder.glob("*.toml"))}
