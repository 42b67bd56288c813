"""In-place upgrades of databases written by older newscrawl versions, one step per schema version.

`crawler.db.ensure_schema` creates the tables an older database lacks, then runs `STEPS[v]` for every version v
from the database's up to LATEST, all in one write transaction: a migration that fails leaves the database as it was.
"""

from __future__ import annotations

from typing import Any

from crawler import neardup

LATEST = 2


def v1_to_v2(db: Any) -> None:
    """Version 2: near-duplicate links with a similarity, the runs' kind, the FTS index re-fed only when text
    changes; the near-duplicate index is built over the stored originals."""
    db.execute("ALTER TABLE articles ADD COLUMN similarity FLOAT")
    db.execute("ALTER TABLE runs ADD COLUMN kind TEXT")
    db.execute("UPDATE runs SET kind = 'crawl'")
    from crawler.db import FTS_SCHEMA  # the triggers as version 2 declares them

    db.execute("DROP TRIGGER IF EXISTS articles_au")
    db.execute(next(s for s in FTS_SCHEMA if "articles_au" in s))
    for article_id, body in db.execute("SELECT id, body FROM articles WHERE duplicate_of IS NULL").fetchall():
        neardup.index(db.conn, article_id, body)


STEPS = {1: v1_to_v2}
