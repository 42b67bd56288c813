"""The SQLite database: connection settings, schema and in-place migrations of older databases."""

from __future__ import annotations

import errno
import os
import sqlite3
import time
from contextlib import closing
from datetime import datetime, timezone
from pathlib import Path

import sqlite_utils

from crawler.storage import migrations, textindex

SCHEMA_VERSION = migrations.LATEST

ARTICLE_COLUMNS = {
    "id": int,
    "url": str,
    "source": str,
    "source_name": str,
    "title": str,
    "body": str,
    "caption": str,
    "caption_credit": str,
    "attribution": str,
    "authors": str,  # JSON list
    "published_at": str,  # ISO 8601, UTC
    "modified_at": str,
    "language": str,
    "section": str,
    "tags": str,  # JSON list
    "image_url": str,
    "description": str,
    "word_count": int,
    "content_hash": str,
    "duplicate_of": int,  # the first stored copy of the same story (another outlet's, or a republication)
    "similarity": float,  # share of this text found in that copy (1.0: the same words)
    "first_seen_at": str,
    "last_seen_at": str,
    "run_id": int,
}


def utc_now() -> str:
    """Now as ISO 8601 UTC with seconds."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def open_db(path: str | Path) -> sqlite_utils.Database:
    """Open (creating folders and schema as needed) the database at `path`, in WAL mode."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(path)
    db.execute("PRAGMA busy_timeout = 30000")
    _enable_wal(db)
    db.execute("PRAGMA synchronous = NORMAL")
    ensure_schema(db)
    return db


def _enable_wal(db: sqlite_utils.Database, wait: float = 30.0) -> None:
    """WAL mode. Switching a new database to it takes an exclusive lock without SQLite's busy wait, so two
    processes opening one new database at once would see "database is locked": the switch is tried again."""
    deadline = time.monotonic() + wait
    while True:
        try:
            db.enable_wal()
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def write_failure(exc: Exception, path: str | Path) -> tuple[str, str]:
    """(error kind, words) for a failed write: `disk_full` when SQLite says the disk is full, or fails to write
    with almost no space left (a -shm or -wal file that cannot grow is a "disk I/O error"); else `db_write`."""
    full = getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL or getattr(exc, "errno", None) == errno.ENOSPC
    if not full and getattr(exc, "sqlite_errorcode", 0) & 0xFF == sqlite3.SQLITE_IOERR:
        try:
            stat = os.statvfs(Path(path).resolve().parent)
            full = stat.f_bavail * stat.f_frsize < 1024 * 1024
        except OSError:
            pass
    return ("disk_full", "disk full") if full else ("db_write", "cannot write")


class SchemaError(Exception):
    """A database this newscrawl cannot use (written by a newer version); the message is one line."""


def schema_version(db: sqlite_utils.Database) -> int | None:
    """The schema version the database records (None for a new, empty database)."""
    if "meta" not in db.table_names():
        return 1 if "articles" in db.table_names() else None
    row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else 1


def ensure_schema(db: sqlite_utils.Database) -> None:
    """Create the schema of a new database, or migrate an older one in place, in one write transaction."""
    version = schema_version(db)
    if version == SCHEMA_VERSION and not index_outdated(db):
        return
    if version is not None and version > SCHEMA_VERSION:
        raise SchemaError(
            f"{db.conn.execute('PRAGMA database_list').fetchone()[2]}: schema version {version} is "
            f"newer than this newscrawl's ({SCHEMA_VERSION}); upgrade newscrawl"
        )
    with db.conn:
        db.execute("BEGIN IMMEDIATE")  # one process migrates; the others wait, then find it done
        version = schema_version(db)
        create_tables(db)
        for step in range(version or SCHEMA_VERSION, SCHEMA_VERSION):
            migrations.STEPS[step](db)
        if index_outdated(db):  # built by another analyser version: its terms would not match queries
            textindex.rebuild(db.conn)
        db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])


def index_outdated(db: sqlite_utils.Database) -> bool:
    """True when the full-text index was built with another analyser version than this newscrawl's."""
    return textindex.stored_version(db.conn) != textindex.ANALYSER_VERSION


def create_tables(db: sqlite_utils.Database) -> None:
    """Create missing tables, indexes and the full-text index (the latest schema)."""
    db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
    if "articles" not in db.table_names():
        db["articles"].create(ARTICLE_COLUMNS, pk="id", not_null={"url", "source", "title", "body"})
        db["articles"].create_index(["source", "url"], unique=True)  # a URL is one article per source
        db["articles"].create_index(["url"])
        db["articles"].create_index(["content_hash"])
        db["articles"].create_index(["source", "published_at"])
        db["articles"].create_index(["run_id"])
        db.execute(textindex.CREATE)
        textindex.set_version(db.conn)
    if "images" not in db.table_names():
        db["images"].create(
            {"id": int, "article_id": int, "position": int, "url": str, "caption": str, "credit": str},
            pk="id",
            foreign_keys=[("article_id", "articles", "id")],
        )
        db["images"].create_index(["article_id"])
    if "article_versions" not in db.table_names():
        # the text an article had before an update replaced it
        db["article_versions"].create(
            {
                "id": int,
                "article_id": int,
                "title": str,
                "body": str,
                "caption": str,
                "modified_at": str,
                "replaced_at": str,
            },
            pk="id",
            foreign_keys=[("article_id", "articles", "id")],
        )
        db["article_versions"].create_index(["article_id"])
    if "pages" not in db.table_names():
        # every article-candidate URL a source fetched, with its outcome, so its recrawls skip what it knows
        db["pages"].create(
            {"url": str, "source": str, "status": str, "reason": str, "article_id": int, "fetched_at": str},
            pk=("source", "url"),
        )
    if "listings" not in db.table_names():
        # validators of sitemaps, feeds and section pages, for conditional requests
        db["listings"].create(
            {"url": str, "source": str, "etag": str, "last_modified": str, "checked_at": str}, pk="url"
        )
    if "runs" not in db.table_names():
        db["runs"].create(
            {
                "id": int,
                "source": str,
                "started_at": str,
                "as_of": str,  # the time the run crawled "as of" (NEWSCRAWL_NOW, or the start)
                "finished_at": str,
                "status": str,
                "finish_reason": str,
                "pages_fetched": int,
                "bytes": int,
                "articles_new": int,
                "articles_updated": int,
                "articles_unchanged": int,
                "duplicates": int,
                "rejected": int,
                "rejected_by_reason": str,  # JSON {reason: count}
                "errors": int,
                "errors_by_kind": str,  # JSON {kind: count}
                "coverage": str,  # JSON {field: share of the run's new articles that have it}
                "kind": str,  # crawl, reextract or import
                "links_listed": int,  # links the sitemaps, feeds and section pages gave
                "links_matched": int,  # of those, links the source's article_url matched
                "pid": int,  # the process that ran it, on `host`: a `running` run whose process is gone was killed
                "host": str,
                "limits": str,  # JSON {per-run limit reached: entries it left out}
            },
            pk="id",
        )
    if "raw_pages" not in db.table_names():
        # the page as fetched (zlib-compressed), so a better extractor can run again without a recrawl
        db["raw_pages"].create(
            {"url": str, "source": str, "response_url": str, "html": bytes, "fetched_at": str}, pk=("source", "url")
        )
        db["raw_pages"].create_index(["source"])
    neardup_tables(db)


def neardup_tables(db: sqlite_utils.Database) -> None:
    """MinHash signatures of original articles and their LSH band keys (see crawler/storage/neardup.py)."""
    db.execute(
        "CREATE TABLE IF NOT EXISTS article_signatures"
        " (article_id INTEGER PRIMARY KEY REFERENCES articles(id), signature BLOB)"
    )
    db.execute(
        "CREATE TABLE IF NOT EXISTS lsh_bands (key INTEGER, article_id INTEGER, PRIMARY KEY (key, article_id))"
        " WITHOUT ROWID"
    )


class NoDatabase(Exception):
    """A database that is not there or cannot be read; the message is one line."""


def readable_version(conn: sqlite3.Connection, path: str | Path) -> int:
    """The schema version of the newscrawl database `conn` reads; NoDatabase when it holds none (an empty file, or
    another program's SQLite database) or one of a newer newscrawl."""
    try:
        version = schema_version(sqlite_utils.Database(conn))
    except ValueError:  # a meta table whose schema_version is not a number: not one of ours
        version = None
    if version is None:
        raise NoDatabase(f"{path}: holds no newscrawl database (an empty file, or another program's SQLite file)")
    if version > SCHEMA_VERSION:
        raise NoDatabase(f"{path}: schema version {version} is newer than this newscrawl's; upgrade newscrawl")
    return version


def check_readable(path: str | Path) -> None:
    """Raise NoDatabase (one line) unless `path` is a newscrawl database that can be read; changes nothing."""
    if not Path(path).is_file():
        raise NoDatabase(f"{path}: no database (run `newscrawl crawl` first)")
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            readable_version(conn, path)
    except sqlite3.DatabaseError as exc:
        raise NoDatabase(f"{path}: cannot read the database: {exc}") from None


def upgrade(path: str | Path) -> bool:
    """Bring an older database (its schema, or an index built by another analyser version) up to date, in place:
    the one step of a reader that writes. True when it did; a current database is left untouched. NoDatabase (one
    line) for a path that holds no newscrawl database, or one that cannot be upgraded."""
    check_readable(path)
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            version = readable_version(conn, path)
            outdated = textindex.stored_version(conn) != textindex.ANALYSER_VERSION
        if version == SCHEMA_VERSION and not outdated:
            return False
        open_db(path).close()
    except sqlite3.DatabaseError as exc:
        raise NoDatabase(f"{path}: cannot read the database: {exc}") from None
    return True


def connect_readonly(path: str | Path, any_thread: bool = False) -> sqlite3.Connection:
    """A read-only connection (rows as sqlite3.Row; `any_thread`: usable from any thread) that never writes: an
    older schema is read as it is (`upgrade` brings it up to date first); NoDatabase (one line) for a path that
    holds no newscrawl database."""
    check_readable(path)
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=not any_thread)
        try:
            readable_version(conn, path)
        except BaseException:
            conn.close()
            raise
    except sqlite3.DatabaseError as exc:
        raise NoDatabase(f"{path}: cannot read the database: {exc}") from None
    conn.execute("PRAGMA busy_timeout = 30000")
    conn.row_factory = sqlite3.Row
    return conn
