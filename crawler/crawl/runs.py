"""RunRecorder: a `runs` row per crawl of a source, with what happened (pages, articles, rejections, errors)."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timezone
from typing import Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import deferred_from_coro

from crawler.crawl.killed import killed_runs, this_process
from crawler.crawl.runstate import RunState
from crawler.crawl.spiders.job import JobSpider
from crawler.storage.archive import Archive
from crawler.storage.db import SchemaError, utc_now, write_failure

PREFIX = "newscrawl/"
COVERAGE_FIELDS = ("datetime", "author", "caption", "long_body")
LIMITS = PREFIX + "limits/"  # stats: entries a per-run limit left out, by limit
LIMIT_SETTINGS = {  # each per-run limit, by the name the runs table and the run line give it, and where it is set
    "max_articles": "max_articles (the source file)",
    "max_scheduled": "NEWSCRAWL_MAX_SCHEDULED",
    "max_child_sitemaps": "NEWSCRAWL_MAX_CHILD_SITEMAPS",
}


def run_stats(stats: dict[str, Any]) -> dict[str, Any]:
    """The `runs` columns computed from a finished crawl's Scrapy stats."""
    rejected = {k.removeprefix(PREFIX + "rejected/"): v for k, v in stats.items() if k.startswith(PREFIX + "rejected/")}
    errors = {k.removeprefix(PREFIX + "errors/"): v for k, v in stats.items() if k.startswith(PREFIX + "errors/")}
    if stats.get("depth/request_ignored_count"):  # links not followed past DEPTH_LIMIT (a calendar trap)
        errors["depth_limit"] = stats["depth/request_ignored_count"]
    limits = {k.removeprefix(LIMITS): v for k, v in stats.items() if k.startswith(LIMITS)}
    new = stats.get(PREFIX + "articles_new", 0)
    coverage = {f: round(stats.get(f"{PREFIX}coverage/{f}", 0) / new, 3) for f in COVERAGE_FIELDS} if new else {}
    return {
        "pages_fetched": stats.get("downloader/response_count", 0),
        "bytes": stats.get("downloader/response_bytes", 0),
        "articles_new": stats.get(PREFIX + "articles_new", 0),
        "articles_updated": stats.get(PREFIX + "articles_updated", 0),
        "articles_unchanged": stats.get(PREFIX + "articles_unchanged", 0),
        "duplicates": stats.get(PREFIX + "duplicates", 0),
        "rejected": sum(rejected.values()),
        "rejected_by_reason": json.dumps(rejected, sort_keys=True),
        "errors": sum(errors.values()),
        "errors_by_kind": json.dumps(errors, sort_keys=True),
        "coverage": json.dumps(coverage),
        "links_listed": stats.get(PREFIX + "links/listed", 0),
        "links_matched": stats.get(PREFIX + "links/matched", 0),
        "limits": json.dumps(limits, sort_keys=True),
    }


def unmatched(row: dict[str, Any]) -> str | None:
    """What to say of a run whose listings gave links of which the source's article_url matched none."""
    if row.get("links_listed") and not row.get("links_matched"):
        return f"article_url matched none of the {row['links_listed']} links listed"
    return None


def limits_note(limits: dict[str, int]) -> str:
    """How the per-run limits that were reached cut the run (`limits`: entries left out, by limit), or ""."""
    if not limits:
        return ""
    return "; limits reached: " + ", ".join(f"{name} ({n} left out)" for name, n in sorted(limits.items()))


def answered(stats: dict[str, Any]) -> int:
    """Responses that were pages (2xx, or 304 Not Modified), robots.txt left out: a site that answers every
    request with an error (a 503 maintenance page) has fetched nothing."""

    def pages(prefix: str) -> int:
        statuses = {k.removeprefix(prefix): v for k, v in stats.items() if k.startswith(prefix)}
        return sum(v for status, v in statuses.items() if status.startswith("2") or status == "304")

    return pages("downloader/response_status_count/") - pages("robotstxt/response_status_count/")


def stop_run(crawler: Any, reason: str) -> None:
    """End the crawl early, `reason` (e.g. disk_full) being its finish reason (the run state's `stop_reason`, also
    reported in the stats). Spiders that yield their items from `start()` (reextract, import, ingest) stop by
    themselves on seeing the reason: Scrapy would wait for their items forever if closed now."""
    state = RunState.of(crawler)
    if state.stopped:
        return
    set_stop_reason(crawler, reason)
    if state.fetches and crawler.engine is not None:
        deferred_from_coro(crawler.engine.close_spider_async(reason=reason))


def set_stop_reason(crawler: Any, reason: str) -> None:
    """Make `reason` the run's finish reason, in its state and in the stats shown at the end."""
    RunState.of(crawler).stop_reason = reason
    crawler.stats.set_value(PREFIX + "stop_reason", reason)


def set_run_status(crawler: Any, status: str) -> None:
    """Whether the run was "ok" or "failed", in its state (the run line and the exit status read it) and its stats."""
    RunState.of(crawler).status = status
    crawler.stats.set_value(PREFIX + "run_status", status)


def run_status(
    finish_reason: str, row: dict[str, Any], spider_errors: int, fetches: bool = True, pages: int = 1
) -> str:
    """Whether a run is "ok": it finished, fetched something (if it fetches at all: `pages` answered with a page,
    not an error) and its code raised nothing; else "failed"."""
    fetched = (row["pages_fetched"] and pages) or not fetches
    return "ok" if finish_reason == "finished" and fetched and not spider_errors else "failed"


class RunRecorder:
    """Opens a `runs` row when a spider opens (its id becomes the run state's `run_id`) and fills it when it closes.
    Opening one first records as killed the runs still `running` whose process is gone (crawler/crawl/killed.py)."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.db_path = crawler.settings.get("NEWSCRAWL_DB")

    @classmethod
    def from_crawler(cls, crawler: Any) -> RunRecorder:
        if not crawler.settings.getbool("NEWSCRAWL_RECORD_RUNS"):
            raise NotConfigured  # scrapy parse, scrapy shell (quietly: they are not crawls)
        recorder = cls(crawler)
        crawler.signals.connect(recorder.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(recorder.spider_closed, signal=signals.spider_closed)
        return recorder

    def spider_opened(self, spider: Any) -> None:
        state = RunState.of(self.crawler)
        now = spider.now() if isinstance(spider, JobSpider) else datetime.now(timezone.utc)  # not newscrawl's spider
        as_of = now.replace(microsecond=0).isoformat()
        row = {"source": spider.name, "started_at": utc_now(), "as_of": as_of, "status": "running", "kind": state.kind}
        state.run_id = None
        try:
            with Archive.open(self.db_path) as archive:
                archive.runs.record_killed(killed_runs(archive.runs, self.db_path))  # process gone: killed
                state.run_id = archive.runs.insert({**row, **this_process()})
        except (sqlite3.Error, OSError, SchemaError) as exc:  # a full disk, a path that cannot be a file: no run
            if state.stopped:  # already stopped, and said why
                return
            error, words = write_failure(exc, self.db_path)
            spider.logger.error("%s: %s (%s): cannot record the run, stopping", self.db_path, words, exc)
            self.crawler.stats.inc_value(f"{PREFIX}errors/{error}")
            stop_run(self.crawler, error)

    def spider_closed(self, spider: Any, reason: str) -> None:
        state = RunState.of(self.crawler)
        stats = self.crawler.stats.get_stats()
        reason = state.stop_reason or reason  # a component stopped the run (disk_full)
        row = run_stats(stats)
        status = run_status(reason, row, stats.get("spider_exceptions/count", 0), state.fetches, answered(stats))
        row.update(finished_at=utc_now(), finish_reason=reason, status=status)
        if state.run_id is None:  # never recorded (the opening failed, and said so)
            row["status"] = "failed"
        else:
            try:
                with Archive.open(self.db_path) as archive:
                    archive.runs.update(state.run_id, row)
            except sqlite3.Error as exc:  # a full disk: the run failed, and says so on stderr in one line
                row["status"] = "failed"
                log = spider.logger.info if state.stopped else spider.logger.error  # the line was already said
                log("%s: cannot record run %s: %s", self.db_path, state.run_id, exc)
        set_run_status(self.crawler, row["status"])
        spider.logger.info(
            "run %s of %s: %s; %s pages, %s new, %s updated, %s unchanged, %s duplicates, %s rejected, %s errors%s",
            state.run_id,
            spider.name,
            row["status"],
            row["pages_fetched"],
            row["articles_new"],
            row["articles_updated"],
            row["articles_unchanged"],
            row["duplicates"],
            row["rejected"],
            row["errors"],
            limits_note(json.loads(row["limits"])),
        )
