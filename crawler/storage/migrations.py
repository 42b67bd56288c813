"""In-place upgrades of databases written by older newscrawl versions, one step per schema version.

`crawler.storage.db.ensure_schema` creates the tables an older database lacks, then runs `STEPS[v]` for every version v
from the database's up to LATEST, all in one write transaction: a migration that fails leaves the database as it was.
"""

from __future__ import annotations

from typing import Any

from crawler.storage import neardup, textindex

LATEST = 7


def v1_to_v2(db: Any) -> None:
    """Version 2: near-duplicate links with a similarity, the runs' kind, raw pages (a new table); the
    near-duplicate index is built over the stored originals."""
    db.execute("ALTER TABLE articles ADD COLUMN similarity FLOAT")
    db.execute("ALTER TABLE runs ADD COLUMN kind TEXT")
    db.execute("UPDATE runs SET kind = 'crawl'")
    for article_id, body in db.execute("SELECT id, body FROM articles WHERE duplicate_of IS NULL"):
        neardup.index(db.conn, article_id, neardup.shingles(body))


def v2_to_v3(db: Any) -> None:
    """Version 3: the full-text index holds analysed terms (crawler.search.analyser), written by newscrawl instead of
    triggers; it is rebuilt from the stored articles."""
    for trigger in ("articles_ai", "articles_ad", "articles_au"):
        db.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    textindex.rebuild(db.conn)


def v3_to_v4(db: Any) -> None:
    """Version 4: URLs are per source. An article is unique by (source, url), and `pages` and `raw_pages` are
    keyed by (source, url): one source's fetch neither makes a URL known to another nor replaces its rows."""
    db.execute("DROP INDEX IF EXISTS idx_articles_url")
    db.execute("CREATE UNIQUE INDEX IF NOT EXISTS idx_articles_source_url ON articles (source, url)")
    db.execute("CREATE INDEX IF NOT EXISTS idx_articles_url ON articles (url)")
    for table in ("pages", "raw_pages"):
        if db[table].pks != ["source", "url"]:  # a table created by this version already is
            db[table].transform(pk=("source", "url"))


def v4_to_v5(db: Any) -> None:
    """Version 5: each run counts the links its listings gave and those its source's `article_url` matched."""
    db.execute("ALTER TABLE runs ADD COLUMN links_listed INTEGER")
    db.execute("ALTER TABLE runs ADD COLUMN links_matched INTEGER")


def v5_to_v6(db: Any) -> None:
    """Version 6: the process (pid, host) of each run, so a run left `running` by a killed process is seen as killed
    (crawler/crawl/killed.py); the articles' run_id indexed (a new run's id is one no article names yet)."""
    db.execute("ALTER TABLE runs ADD COLUMN pid INTEGER")
    db.execute("ALTER TABLE runs ADD COLUMN host TEXT")
    db.execute("CREATE INDEX IF NOT EXISTS idx_articles_run_id ON articles (run_id)")


def v6_to_v7(db: Any) -> None:
    """Version 7: the runs record the per-run limits they reached (NEWSCRAWL_MAX_SCHEDULED, ...)."""
    db.execute("ALTER TABLE runs ADD COLUMN limits TEXT")


STEPS = {1: v1_to_v2, 2: v2_to_v3, 3: v3_to_v4, 4: v4_to_v5, 5: v5_to_v6, 6: v6_to_v7}
