"""The functions `import newscrawl` gives: extraction of a page (given or fetched), and a database to search and
read records from. Each is a few lines over the modules the CLI uses too."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

from crawler.crawl.fetch import Fetcher
from crawler.crawl.guard import source_origins
from crawler.extraction import extract as extract_page
from crawler.items import Article, NotArticle
from crawler.search import articles as search_db
from crawler.sources import Source, load_sources
from crawler.storage.archive import Archive
from crawler.storage.db import NoDatabase
from crawler.storage.records import export_record


def version() -> str:
    """The installed newscrawl's version."""
    try:
        return metadata.version("newscrawl")
    except metadata.PackageNotFoundError:  # pragma: no cover (run from a checkout that is not installed)
        return "0+unknown"


def _settings() -> Any:
    """newscrawl's Scrapy settings (crawler/settings.py), wherever the notebook or script runs."""
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    return settings


def sources(sources_dir: str | Path | None = None) -> dict[str, Source]:
    """The configured sources by key (NEWSCRAWL_SOURCES_DIR, or `sources_dir`); SourceError for a bad file."""
    return load_sources(sources_dir or _settings().get("NEWSCRAWL_SOURCES_DIR"))


def _source(source: str | Source | None, sources_dir: str | Path | None) -> Source | None:
    if source is None or isinstance(source, Source):
        return source
    configured = sources(sources_dir)
    if source not in configured:
        raise KeyError(f"unknown source {source!r} (configured: {', '.join(configured)})")
    return configured[source]


def extract(
    html: str | bytes, url: str, source: str | Source | None = None, sources_dir: str | Path | None = None
) -> Article | NotArticle:
    """The record of a page you have (`url`: where it was published, for its links and dates); `source`: a
    configured source's key (or a Source) whose language, timezone and selectors apply."""
    return extract_page(html, url, _source(source, sources_dir))


def extract_url(
    url: str,
    source: str | Source | None = None,
    sources_dir: str | Path | None = None,
    allow_hosts: list[str] | None = None,
) -> Article | NotArticle:
    """The record of the page at `url`, fetched politely (see the package's doc); FetchError when it cannot be."""
    chosen = _source(source, sources_dir)
    page = Fetcher(_settings(), allow_hosts, source_origins(chosen)).fetch(url)
    return extract_page(page.body, page.url, chosen, datetime.now(timezone.utc), page.encoding)


def open_database(path: str | Path | None = None) -> Database:
    """The database at `path` (default: the NEWSCRAWL_DB setting, output/news.db), read-only; NoDatabase when
    there is none."""
    return Database(path or _settings().get("NEWSCRAWL_DB"))


class Database:
    """A newscrawl database, read-only. Filters everywhere: `source`, `language`, `section`, `since` / `until`
    (a day YYYY-MM-DD, inclusive, or an ISO 8601 time; by publication time, else first sighting) and
    `include_duplicates` (copies of an earlier story are left out by default). A bad filter or query raises
    QueryError."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise NoDatabase(f"{path}: no database (run `newscrawl crawl` first)")

    def __repr__(self) -> str:
        return f"Database({str(self.path)!r})"

    def search(self, query: str, limit: int = 20, newest: bool = False, **filters: Any) -> list[dict[str, Any]]:
        """Articles matching `query` (the syntax of `newscrawl search`), best match first (`newest`: newest
        first), each with its bm25 `score` and a `snippet` whose matched words are marked <mark>…</mark>."""
        return search_db.search(self.path, query, search_db.Filters(**filters), limit=limit, newest=newest)

    def records(self, query: str | None = None, **filters: Any) -> Iterator[dict[str, Any]]:
        """Every stored article matching the filters (and `query`, if any), oldest first, as `newscrawl export`
        writes them (authors, tags and images decoded); read one at a time, so any number fits in memory."""
        with Archive.open_for_reading(self.path) as archive:
            for row in search_db.select_articles(archive, search_db.Filters(**filters), query):
                yield export_record(row)

    def article(self, id_or_url: int | str) -> dict[str, Any] | None:
        """One article in full (as `newscrawl show --format json`), by id or URL; None when there is none."""
        with Archive.open_for_reading(self.path) as archive:
            return archive.records.article(str(id_or_url))

    def articles_per_source(self) -> dict[str, int]:
        """How many articles each source has stored."""
        if not self.path.exists():
            return {}
        with Archive.open_for_reading(self.path) as archive:
            return archive.reports.articles_per_source()
