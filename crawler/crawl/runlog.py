"""How a `newscrawl crawl` talks: everything to a rotating log file, warnings and a summary on stderr, and a
live progress line per source when stderr is a terminal (never under cron)."""

from __future__ import annotations

import json
import logging
import sys
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import Any

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
)
from twisted.internet import task
from twisted.internet.error import ConnectError, TimeoutError

from crawler.crawl.runs import limits_note, run_stats, unmatched
from crawler.crawl.runstate import RunState

LOG_FORMAT = "%(asctime)s [%(name)s] %(levelname)s: %(message)s"
# a site that is down or slow is not a bug: its errors are one line, without a traceback (robots.txt's have one)
NETWORK_ERRORS = (
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    CannotResolveHostError,
    ConnectError,
    TimeoutError,
)


class NoNetworkTracebacks(logging.Filter):
    """Drops the traceback of a record about a network error (the message already says what failed)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], NETWORK_ERRORS):
            record.exc_info, record.exc_text = None, None
        return True


class NoUnresolvedHostLines(logging.Filter):
    """Keeps the lines about a host name that did not resolve (Scrapy's retry and robots.txt lines, the spider's
    `fetch failed`) off stderr: offline, every URL would say it three times. `unresolved_line` sums them up once
    at the end; the log file keeps them all."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args.values() if isinstance(record.args, dict) else record.args or ()
        kind = CannotResolveHostError.__name__  # the spider's error kind
        return not any(isinstance(arg, CannotResolveHostError) or arg == kind for arg in args)


def unresolved_line(crawlers: list[Any], log_file: Path) -> str | None:
    """One line when fetches failed because a host name did not resolve: "no host could be resolved" when no
    source fetched anything (no network, or no DNS), else how many fetches failed so."""
    failed = sum(c.stats.get_value(f"newscrawl/errors/{CannotResolveHostError.__name__}", 0) for c in crawlers)
    if not failed:
        return None
    if not any(c.stats.get_value("downloader/response_count") for c in crawlers):
        return f"no host could be resolved: is the network down? ({failed} fetches failed, see {log_file})"
    return f"{failed} fetches failed: host name not found (see {log_file})"


# the loggers through which Scrapy reports a network error with its traceback
NOISY_LOGGERS = ("scrapy.downloadermiddlewares.robotstxt", "scrapy.core.scraper")


class QuietNetworkErrors:
    """Extension: the same filter on the loggers Scrapy reports network errors through, so a plain `scrapy crawl`
    (whose log handler Scrapy replaces as it likes) also says a network error in one line."""

    @classmethod
    def from_crawler(cls, crawler: Any) -> QuietNetworkErrors:
        for name in NOISY_LOGGERS:
            logger = logging.getLogger(name)
            if not any(isinstance(f, NoNetworkTracebacks) for f in logger.filters):
                logger.addFilter(NoNetworkTracebacks())
        return cls()


def log_dir(settings: Any) -> Path:
    """NEWSCRAWL_LOG_DIR, or `logs/` next to the database."""
    return Path(settings.get("NEWSCRAWL_LOG_DIR") or Path(settings.get("NEWSCRAWL_DB")).parent / "logs")


class LogFile(RotatingFileHandler):
    """The rotating log file; when it cannot be written (a full disk) it says so once on stderr, in one line, and
    stops trying, instead of a traceback per message."""

    broken = False

    def emit(self, record: logging.LogRecord) -> None:
        if not self.broken:
            super().emit(record)

    def handleError(self, record: logging.LogRecord) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, OSError):
            print(f"newscrawl: cannot write the log file {self.baseFilename}: {error.strerror}", file=sys.stderr)
            self.broken = True
            return
        super().handleError(record)


def configure_logging(settings: Any) -> Path:
    """Root logging: INFO and up to `<log dir>/newscrawl.log` (rotated), WARNING and up to stderr."""
    folder = log_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "newscrawl.log"
    to_file = LogFile(
        path,
        maxBytes=settings.getint("NEWSCRAWL_LOG_MAX_BYTES"),
        backupCount=settings.getint("NEWSCRAWL_LOG_BACKUPS"),
        encoding="utf-8",
    )
    to_file.setLevel(logging.INFO)
    to_stderr = logging.StreamHandler(sys.stderr)
    to_stderr.setLevel(logging.WARNING)
    to_stderr.addFilter(NoUnresolvedHostLines())
    root = logging.getLogger()
    root.handlers[:] = []
    for handler in (to_file, to_stderr):
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
        handler.addFilter(NoNetworkTracebacks())
        root.addHandler(handler)
    root.setLevel(logging.INFO)
    return path


def no_debug_records(settings: Any) -> None:
    """Scrapy's loggers at INFO unless LOG_LEVEL asks for DEBUG: no handler here takes DEBUG, so Scrapy's two DEBUG
    lines per page ("Crawled", "Scraped from") are not even made (call once Scrapy has set up its logging)."""
    level = settings.get("LOG_LEVEL")
    level = logging.getLevelName(level.upper()) if isinstance(level, str) else level
    logging.getLogger("scrapy").setLevel(min(logging.INFO, level) if isinstance(level, int) else logging.INFO)


def summary(crawler: Any) -> str:
    """One line on how a source's run went. New, updated, unchanged, duplicates, repeated and rejected add up to the
    records the run stored or turned down; the rows it added are the new ones and the stored linked copies."""
    row = run_stats(crawler.stats.get_stats())
    status = RunState.of(crawler).status or "failed"
    stored = crawler.stats.get_value("newscrawl/duplicates_stored", 0)
    linked = f" ({stored} stored, linked to the original)" if stored else ""
    repeated = crawler.stats.get_value("newscrawl/repeated", 0)
    again = f", {repeated} repeated" if repeated else ""
    nothing = unmatched(row)
    return (
        f"{crawler.spider.name}: {status}, {row['pages_fetched']} pages, {row['articles_new']} new,"
        f" {row['articles_updated']} updated, {row['articles_unchanged']} unchanged, {row['duplicates']} duplicates"
        f"{linked}{again}, {row['rejected']} rejected{by_kind(row['rejected_by_reason'])}, {row['errors']} errors"
        f"{by_kind(row['errors_by_kind'])}{limits_note(json.loads(row['limits']))}"
        + (f"; {nothing}" if nothing else "")
    )


def by_kind(counts_json: str) -> str:
    """` (kind n, kind n)` from a JSON object of counts; empty when there are none."""
    counts = json.loads(counts_json)
    return f" ({', '.join(f'{k} {v}' for k, v in counts.items())})" if counts else ""


class Progress:
    """A live line per source on a terminal: pages, new articles, errors; refreshed every two seconds."""

    def __init__(self, crawlers: list[Any]) -> None:
        self.crawlers = crawlers
        self.loop = task.LoopingCall(self.draw)

    def start(self) -> None:
        if sys.stderr.isatty():
            self.loop.start(2.0, now=False)

    def stop(self) -> None:
        if self.loop.running:
            self.loop.stop()
            sys.stderr.write("\n")

    def draw(self) -> None:
        parts = []
        for crawler in self.crawlers:
            row = run_stats(crawler.stats.get_stats())
            name = crawler.spider.name if crawler.spider else "?"
            parts.append(f"{name}: {row['pages_fetched']} pages, {row['articles_new']} new, {row['errors']} errors")
        sys.stderr.write("\r\033[K" + " | ".join(parts))
        sys.stderr.flush()
