"""Source model: one TOML file per outlet, loaded and validated with one-line errors."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

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
_INTS = ("max_articles", "max_age_days", "revisit_hours", "stale_after_hours")


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
    for name in _INTS:
        if name in values and (not isinstance(values[name], int) or values[name] < 0):
            raise fail(f"{name!r} must be a whole number >= 0")
    for name in ("name", "homepage", "article_url", "language", "timezone"):
        if name in values and not isinstance(values[name], str):
            raise fail(f"{name!r} must be a string")
    if not values["homepage"].startswith(("http://", "https://")):
        raise fail(f"homepage {values['homepage']!r} is not an http(s) URL")
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
    if "follow_sections" in values and not isinstance(values["follow_sections"], bool):
        raise fail("'follow_sections' must be true or false")
    return Source(key=key, **values)


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
