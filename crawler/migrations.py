"""In-place upgrades of databases written by older newscrawl versions, one step per schema version.

`crawler.db.ensure_schema` creates the tables an older database lacks, then runs `STEPS[v]` for every version v
from the database's up to LATEST, all in one write transaction: a migration that fails leaves the database as it was.
"""

from __future__ import annotations

from typing import Any

from crawler import neardup, textindex

LATEST = 4


def v1_to_v2(db: Any) -> None:
    """Version 2: near-duplicate links with a similarity, the runs' kind, raw pages (a new table); the
    near-duplicate index is built over the stored originals."""
    db.execute("ALTER TABLE articles ADD COLUMN similarity FLOAT")
    db.execute("ALTER TABLE runs ADD COLUMN kind TEXT")
    db.execute("UPDATE runs SET kind = 'crawl'")
    for article_id, body in db.execute("SELECT id, body FROM articles WHERE duplicate_of IS NULL"):
        neardup.index(db.conn, article_id, neardup.shingles(body))


def v2_to_v3(db: Any) -> None:
    """Version 3: the full-text index holds analysed terms (crawler.analyser), written by newscrawl instead of
    triggers; it is rebuilt from the stored articles."""
    for trigger in ("articles_ai", "articles_ad", "articles_au"):
        db.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    textindex.rebuild(db.conn)


def v3_to_v4(db: Any) -> None:
    """Version 4: the runs record the per-run limits they reached (NEWSCRAWL_MAX_SCHEDULED, ...)."""
    db.execute("ALTER TABLE runs ADD COLUMN limits TEXT")


STEPS = {1: v1_to_v2, 2: v2_to_v3, 3: v3_to_v4}
