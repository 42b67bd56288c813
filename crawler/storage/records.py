"""Stored articles as records: for export (what `newscrawl import` reads back) and for `newscrawl show`."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crawler.items import lists_from_text
from crawler.storage.part import Part
from crawler.storage.searches import where
from crawler.urls import canonical_url

if TYPE_CHECKING:
    from crawler.search.articles import Filters


def export_record(row: sqlite3.Row) -> dict[str, Any]:
    """An `articles` row (with `images` as JSON) as a plain record, its lists decoded (`lists_from_text`)."""
    return lists_from_text({key: row[key] for key in row.keys()})  # noqa: SIM118 (sqlite3.Row)


IMAGES = (
    "(SELECT json_group_array(json_object('url', i.url, 'caption', i.caption, 'credit', i.credit))"
    " FROM (SELECT * FROM images i WHERE i.article_id = a.id ORDER BY i.position) i) AS images"
)


class Records(Part):
    """Stored articles as whole records (`archive.records`): one to show, or all that filters keep, to export."""

    def article(self, article: str) -> dict[str, Any] | None:
        """The full record of the article with this id or URL, with its images, the copies linked to it and how
        many earlier versions it has; None when there is none."""
        if article.isdecimal():  # an id past SQLite's integer range names no article
            number = int(article)
            row = self.query("SELECT * FROM articles WHERE id = ?", [number]).fetchone() if number < 2**63 else None
        else:
            row = self.query(  # sources may share a URL: the original first
                "SELECT * FROM articles WHERE url IN (?, ?) ORDER BY duplicate_of IS NOT NULL, id",
                [article, canonical_url(article)],
            ).fetchone()
        if row is None:
            return None
        record = export_record(row)
        images = self.query(
            "SELECT url, caption, credit FROM images WHERE article_id = ? ORDER BY position", [row["id"]]
        )
        record["images"] = [dict(image) for image in images]
        copies = self.query(
            "SELECT id, source, url, similarity FROM articles WHERE duplicate_of = ? ORDER BY id", [row["id"]]
        )
        record["copies"] = [dict(copy) for copy in copies]
        versions = "SELECT count(*) FROM article_versions WHERE article_id = ?"
        record["earlier_versions"] = self.query(versions, [row["id"]]).fetchone()[0]
        return record

    def select(self, filters: Filters, match: str | None = None) -> Iterator[sqlite3.Row]:
        """Every article the filters keep (and `match`, an FTS5 expression, if any), full rows with `images` as
        JSON, oldest first; rows are read one at a time. QueryError for a bad time bound (on the first row)."""
        clauses, params = where(filters)
        joins = ""
        if match is not None:
            joins = " JOIN articles_fts ON articles_fts.rowid = a.id"
            clauses.append("articles_fts MATCH :match")
            params["match"] = match
        where_sql = " WHERE " + " AND ".join(clauses) if clauses else ""
        yield from self.query(f"SELECT a.*, {IMAGES} FROM articles a{joins}{where_sql} ORDER BY a.id", params)


def format_record(record: dict[str, Any]) -> str:
    """A record as text to read: the metadata as `name: value` lines, then the body."""
    lines = [record["title"], ""]
    for key in ("id", "url", "source_name", "published_at", "modified_at", "language", "section", "attribution"):
        if record.get(key) is not None:
            lines.append(f"{key}: {record[key]}")
    for key in ("authors", "tags"):
        if record.get(key):
            lines.append(f"{key}: {', '.join(record[key])}")
    for image in record.get("images", []):
        credit = f" ({image['credit']})" if image.get("credit") else ""
        lines.append(f"image: {image['url']} {image.get('caption') or ''}{credit}".rstrip())
    if record.get("duplicate_of"):
        lines.append(f"copy of: article {record['duplicate_of']} (similarity {record['similarity']})")
    for copy in record.get("copies", []):
        lines.append(f"copied by: article {copy['id']} {copy['source']} {copy['url']} ({copy['similarity']})")
    if record.get("earlier_versions"):
        lines.append(f"earlier versions: {record['earlier_versions']}")
    lines += ["", record["body"]]
    return "\n".join(lines)


def is_database_file(output: str | Path, db_path: str | Path) -> bool:
    """True when writing `output` would overwrite the database or its WAL/shared-memory files."""
    target = Path(output).resolve()
    db = Path(db_path).resolve()
    return target in {db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")}
