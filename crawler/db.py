"""The SQLite database: connection settings and schema (articles, articles_fts, images, pages, runs)."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import sqlite_utils

SCHEMA_VERSION = 1

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
    "duplicate_of": int,
    "first_seen_at": str,
    "last_seen_at": str,
    "run_id": int,
}
FTS_COLUMNS = ["title", "body", "caption"]


def utc_now() -> str:
    """Now as ISO 8601 UTC with seconds."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def open_db(path: str | Path) -> sqlite_utils.Database:
    """Open (creating folders and schema as needed) the database at `path`, in WAL mode."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(path)
    db.execute("PRAGMA busy_timeout = 30000")
    db.enable_wal()
    db.execute("PRAGMA synchronous = NORMAL")
    ensure_schema(db)
    return db


def ensure_schema(db: sqlite_utils.Database) -> None:
    """Create missing tables, indexes and the full-text index."""
    if "articles" not in db.table_names():
        db["articles"].create(ARTICLE_COLUMNS, pk="id", not_null={"url", "source", "title", "body"})
        db["articles"].create_index(["url"], unique=True)
        db["articles"].create_index(["content_hash"])
        db["articles"].create_index(["source", "published_at"])
        db["articles"].enable_fts(FTS_COLUMNS, create_triggers=True, tokenize="unicode61 remove_diacritics 2")
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
        # every article-candidate URL fetched, with its outcome, so recrawls skip what is known
        db["pages"].create(
            {"url": str, "source": str, "status": str, "reason": str, "article_id": int, "fetched_at": str},
            pk="url",
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
            },
            pk="id",
        )
    db["meta"].insert({"key": "schema_version", "value": str(SCHEMA_VERSION)}, pk="key", replace=True)
