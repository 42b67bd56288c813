"""Health of each source from the database: last run, articles, freshness, and field coverage against recent runs."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from statistics import median

from crawler.db import connect_readonly
from crawler.sources import Source

RECENT_RUNS = 5  # coverage of the last run is compared with the median of this many runs before it
COVERAGE_DROP = 0.3  # a field whose share of new articles fell by more than this (absolute) is flagged


@dataclass
class SourceStatus:
    """What `newscrawl status` says of one source."""

    key: str
    last_run: str | None = None  # finished_at (or started_at) of the newest run
    result: str = "never run"
    total: int = 0
    new: int = 0  # new articles in the last run
    newest: str | None = None  # newest first_seen_at
    limits: dict[str, int] = field(default_factory=dict)  # per-run limits the last run reached: entries left out
    flags: list[str] = field(default_factory=list)

    def line(self) -> str:
        limits = "".join(f"\t{name}: {n} left out" for name, n in sorted(self.limits.items()))
        flags = f"  !! {'; '.join(self.flags)}" if self.flags else ""
        return (
            f"{self.key}\tlast run {self.last_run or '-'} {self.result}\t{self.total} articles ({self.new} new)"
            f"\tnewest {self.newest or '-'}{limits}{flags}"
        )


def source_status(conn: sqlite3.Connection, source: Source, now: datetime) -> SourceStatus:
    """Status of one source, with flags for staleness and coverage drops."""
    status = SourceStatus(source.key)
    runs = conn.execute(
        "SELECT * FROM runs WHERE source = ? AND status != 'running' AND kind = 'crawl' ORDER BY id DESC LIMIT ?",
        (source.key, RECENT_RUNS + 1),
    ).fetchall()
    total, newest = conn.execute(
        "SELECT count(*), max(first_seen_at) FROM articles WHERE source = ?", (source.key,)
    ).fetchone()
    status.total, status.newest = total, newest
    if runs:
        last = runs[0]
        status.last_run, status.result, status.new = (
            last["finished_at"] or last["started_at"],
            last["status"],
            last["articles_new"],
        )
        status.limits = json.loads(last["limits"] or "{}")
        if last["status"] != "ok":
            status.flags.append(f"last run {last['status']} ({last['finish_reason']})")
        status.flags += coverage_drops([json.loads(r["coverage"] or "{}") for r in runs])
    if newest is None or datetime.fromisoformat(newest) < now - timedelta(hours=source.stale_after_hours):
        status.flags.append(f"stale: nothing new for over {source.stale_after_hours} h")
    return status


def coverage_drops(coverages: list[dict[str, float]]) -> list[str]:
    """Fields whose coverage in the newest run (first) fell sharply below the median of the runs before it."""
    latest, earlier = coverages[0], [c for c in coverages[1:] if c]
    if not latest or not earlier:
        return []
    flags = []
    for name, share in latest.items():
        usual = median(c.get(name, 0.0) for c in earlier)
        if usual - share > COVERAGE_DROP:
            flags.append(f"{name} coverage fell to {share:.0%} (usually {usual:.0%})")
    return flags


def all_status(db_path: str | Path, sources: dict[str, Source], now: datetime | None = None) -> list[SourceStatus]:
    """Status of every configured source (all 'never run' when there is no database yet)."""
    now = now or datetime.now(timezone.utc)
    if not Path(db_path).exists():
        return [SourceStatus(key, flags=["never run"]) for key in sources]
    with closing(connect_readonly(db_path)) as conn:  # an older schema is migrated first
        return [source_status(conn, source, now) for source in sources.values()]
