"""Archive: the one object over the newscrawl database. Every SQL statement of the product is in this package,
reached through an Archive: the crawl's writes (articles, pages, runs), its lookups (known URLs, listing
validators) and the readers' queries (search, show, export, status, stats).

    with Archive.open(path) as archive:           # read-write: creates the schema or migrates an older one
        ...
    with Archive.open_readonly(path) as archive:  # never writes and never migrates
        ...
    with Archive.open_for_reading(path) as archive:  # upgrade an older database (a write), then open_readonly
        archive.search.ranked(...)                # full-text search          (searches.Searches)
        archive.records.article("42")             # whole records: show, export (records.Records)
        archive.reports.stored_sources()          # counts and listings        (reports.Reports)

Each part of the database has its own small class in this package (one module each); an Archive hands them out
as attributes sharing its connection, the way sqlite-utils' `Database` hands out tables.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from types import TracebackType

import sqlite_utils

from crawler.storage import db as schema
from crawler.storage.articles import ArticleStore
from crawler.storage.known import Known
from crawler.storage.listings import Listings
from crawler.storage.records import Records
from crawler.storage.reports import Reports
from crawler.storage.runs import Runs
from crawler.storage.searches import Searches


class Archive:
    """A newscrawl database opened read-write (`open`) or read-only (`open_readonly`)."""

    def __init__(self, database: sqlite_utils.Database, path: str | Path, readonly: bool) -> None:
        self.db = database
        self.path = Path(path)
        self.readonly = readonly
        self.articles = ArticleStore(database)  # articles, versions, images, copies, fetched pages, text index
        self.runs = Runs(database)  # the `runs` rows: a run opened, finished, or found killed
        self.known = Known(database)  # what a source fetched before, and when it last crawled well
        self.listings = Listings(database)  # the validators (ETag, Last-Modified) the listings answered with
        self.search = Searches(database)  # ranked full-text search, its filters, the search page's SQL
        self.records = Records(database)  # one article as `show` prints it; the export listing
        self.reports = Reports(database)  # counts per source, status's runs, stats' daily counts

    @classmethod
    def open(cls, path: str | Path) -> Archive:
        """Open read-write, creating folders and schema, or migrating an older schema, as needed."""
        return cls(schema.open_db(path), path, readonly=False)

    @classmethod
    def open_readonly(cls, path: str | Path, any_thread: bool = False) -> Archive:
        """Open read-only (rows as sqlite3.Row; `any_thread`: usable from any thread); NoDatabase (one line) for a
        path that holds no newscrawl database. Nothing is written: not even a migration."""
        return cls(sqlite_utils.Database(schema.connect_readonly(path, any_thread)), path, readonly=True)

    @staticmethod
    def upgrade(path: str | Path) -> bool:
        """Bring an older database (schema, or a search index of another analyser version) up to date in place,
        the one write a reader may make; a current one is left untouched. True when it was upgraded; NoDatabase
        (one line) for a path that holds no newscrawl database or cannot be upgraded."""
        return schema.upgrade(path)

    @classmethod
    def open_for_reading(cls, path: str | Path, any_thread: bool = False) -> Archive:
        """What the readers (search, show, export, status, the crawl's known URLs, ...) open: `upgrade`, then
        `open_readonly`, so a database an older newscrawl wrote reads like a new one."""
        cls.upgrade(path)
        return cls.open_readonly(path, any_thread)

    @property
    def conn(self) -> sqlite3.Connection:
        return self.db.conn

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()
