"""Health of each source from the database: last run, articles, freshness, and field coverage against recent runs."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta, timezone
from pathlib import Path
from statistics import median

from crawler.crawl.failures import NOT_EXTRACTED
from crawler.crawl.killed import killed_runs
from crawler.crawl.runs import unmatched
from crawler.sources import Source
from crawler.storage.archive import Archive
from crawler.storage.reports import Reports
from crawler.storage.runs import try_record_killed

RECENT_RUNS = 5  # coverage of the last run is compared with the median of this many runs before it
COVERAGE_DROP = 0.3  # a field whose share of new articles fell by more than this (absolute) is flagged
STALE_AFTER_HOURS = next(f.default for f in fields(Source) if f.name == "stale_after_hours")  # unconfigured ones


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
    configured: bool = True  # False: known from the database only (a source file removed, a demo's sources)

    def line(self) -> str:
        limits = "".join(f"\t{name}: {n} left out" for name, n in sorted(self.limits.items()))
        flags = f"  !! {'; '.join(self.flags)}" if self.flags else ""
        where = "" if self.configured else "\t(not in the sources folder)"
        return (
            f"{self.key}\tlast run {self.last_run or '-'} {self.result}\t{self.total} articles ({self.new} new)"
            f"\tnewest {self.newest or '-'}{where}{limits}{flags}"
        )


def source_status(
    reports: Reports, key: str, stale_after_hours: int, now: datetime, killed: list[int] | None = None
) -> SourceStatus:
    """Status of one source, with flags for staleness, coverage drops and a last run that failed or was killed
    (`killed`: ids of runs still marked running whose process is gone)."""
    status = SourceStatus(key)
    killed = killed or []
    runs = reports.crawl_runs(key, killed, RECENT_RUNS + 1)
    total, newest = reports.source_articles(key)
    status.total, status.newest = total, newest
    if runs:
        last = runs[0]
        status.last_run, status.result, status.new = (
            last["finished_at"] or last["started_at"],
            "killed" if last["id"] in killed else last["status"],
            last["articles_new"] or 0,
        )
        status.limits = json.loads(last["limits"] or "{}")
        if status.result == "killed":
            status.flags.append(f"run {last['id']} killed: started {last['started_at']}, never finished")
        elif last["status"] != "ok":
            status.flags.append(f"last run {last['status']} ({last['finish_reason']})")
        status.flags += not_extracted(json.loads(last["errors_by_kind"] or "{}"))
        if nothing := unmatched(dict(last)):
            status.flags.append(f"last run: {nothing}")
        status.flags += coverage_drops([json.loads(r["coverage"] or "{}") for r in runs])
    if newest is None or datetime.fromisoformat(newest) < now - timedelta(hours=stale_after_hours):
        status.flags.append(f"stale: nothing new for over {stale_after_hours} h")
    return status


def not_extracted(errors: dict[str, int]) -> list[str]:
    """A flag for pages the last run fetched but could not extract (over a bound, or their worker died)."""
    failed = {kind: n for kind, n in errors.items() if kind in NOT_EXTRACTED}
    if not failed:
        return []
    kinds = ", ".join(f"{kind} {n}" for kind, n in sorted(failed.items()))
    return [f"{sum(failed.values())} page(s) not extracted in the last run ({kinds})"]


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
    """Status of every configured source (all 'never run' when there is no database yet), then of the sources
    the database has crawled or stored that are not configured (stale after the default hours). Runs still marked
    running whose process is gone are shown, and recorded when the database can be written, as killed."""
    now = now or datetime.now(timezone.utc)
    if not Path(db_path).exists():
        return [SourceStatus(key, flags=["never run"]) for key in sources]
    with Archive.open_for_reading(db_path) as archive:  # an older schema is migrated first
        killed = killed_runs(archive.runs, db_path)
        if killed:
            try_record_killed(db_path, killed)
        reports = archive.reports
        report = [source_status(reports, s.key, s.stale_after_hours, now, killed) for s in sources.values()]
        for key in reports.stored_sources():
            if key not in sources:
                report.append(source_status(reports, key, STALE_AFTER_HOURS, now, killed))
                report[-1].configured = False
    return report
