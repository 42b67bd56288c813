"""`newscrawl`: crawl configured sources, inspect them, debug extraction, search the database."""

from __future__ import annotations

import gzip
import json
import os
import sqlite3
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click

from crawler import search as search_db
from crawler.db import open_db
from crawler.items import NotArticle
from crawler.lock import Busy, CrawlLock
from crawler.runlog import Progress, configure_logging, summary
from crawler.sources import Source, SourceError, load_sources
from crawler.status import all_status as source_health

os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")


def project_settings(db: str | None, sources_dir: str | None, **overrides: Any) -> Any:
    """Scrapy settings of the project, with the CLI's options on top."""
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    if db:
        settings.set("NEWSCRAWL_DB", db, priority="cmdline")
    if sources_dir:
        settings.set("NEWSCRAWL_SOURCES_DIR", sources_dir, priority="cmdline")
    for name, value in overrides.items():
        settings.set(name, value, priority="cmdline")
    return settings


def configured_sources(settings: Any) -> dict[str, Source]:
    """The sources of NEWSCRAWL_SOURCES_DIR; a bad file ends the command with one line and status 2."""
    try:
        return load_sources(settings.get("NEWSCRAWL_SOURCES_DIR"))
    except SourceError as exc:
        raise click.exceptions.Exit(_error(str(exc), 2)) from None


def _error(message: str, status: int) -> int:
    click.echo(f"newscrawl: error: {message}", err=True)
    return status


def check_database(path: str) -> None:
    """Open (creating) the database once before crawling; a path that cannot be used is one line and status 2."""
    try:
        open_db(path).close()
    except (sqlite3.Error, OSError) as exc:
        raise click.exceptions.Exit(_error(f"{path}: cannot use as the database: {exc}", 2)) from None


def run_crawl(settings: Any, names: list[str]) -> int:
    """Crawl the named sources in one process, in parallel; 0 when every source's run is ok, else 1.

    The full log goes to a rotating file; stderr gets warnings, a live progress line on a terminal, and one
    summary line per source at the end."""
    from scrapy.crawler import CrawlerProcess

    log_file = configure_logging(settings)
    settings.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")
    process = CrawlerProcess(settings)
    crawlers = []
    for name in names:
        crawler = process.create_crawler(name)
        process.crawl(crawler)
        crawlers.append(crawler)
    progress = Progress(crawlers)
    progress.start()
    process.start()
    progress.stop()
    for crawler in crawlers:
        click.echo(f"newscrawl: {summary(crawler)}", err=True)
    failed = [c.spider.name for c in crawlers if c.stats.get_value("newscrawl/run_status") != "ok"]
    for name in failed:
        click.echo(f"newscrawl: source {name} failed (see the runs table and {log_file})", err=True)
    return 1 if failed else 0


db_option = click.option("--db", help="SQLite database (default: the NEWSCRAWL_DB setting, output/news.db).")
sources_option = click.option(
    "--sources-dir", help="Folder of source TOML files (default: the NEWSCRAWL_SOURCES_DIR setting)."
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """newscrawl: crawl news outlets into one searchable SQLite database."""


@main.command()
@click.argument("names", nargs=-1)
@db_option
@sources_option
@click.option("-s", "--set", "sets", multiple=True, metavar="NAME=VALUE", help="Override a Scrapy setting.")
def crawl(names: tuple[str, ...], db: str | None, sources_dir: str | None, sets: tuple[str, ...]) -> None:
    """Crawl the named sources (default: every configured source).

    One crawl at a time per database: a run that finds another one still going says so and exits with 0."""
    overrides = dict(item.split("=", 1) for item in sets if "=" in item)
    settings = project_settings(db, sources_dir, **overrides)
    sources = configured_sources(settings)
    unknown = [n for n in names if n not in sources]
    if unknown:
        raise click.exceptions.Exit(_error(f"unknown source {unknown[0]!r} (configured: {', '.join(sources)})", 2))
    check_database(settings.get("NEWSCRAWL_DB"))
    try:
        with CrawlLock(settings.get("NEWSCRAWL_DB")):
            status = run_crawl(settings, list(names) or list(sources))
    except Busy as exc:  # a cron tick that finds the previous run still going is not a failure
        click.echo(f"newscrawl: skipped: {exc}", err=True)
        status = 0
    sys.exit(status)


@main.command()
@db_option
@sources_option
def sources(db: str | None, sources_dir: str | None) -> None:
    """List the configured sources, the articles each has in the database, and their discovery endpoints."""
    settings = project_settings(db, sources_dir)
    counts = search_db.articles_per_source(settings.get("NEWSCRAWL_DB"))
    for source in configured_sources(settings).values():
        click.echo(f"{source.key}\t{source.name}\t{source.homepage}\t{counts.get(source.key, 0)} articles")
        for kind in ("sitemaps", "feeds", "sections"):
            for url in getattr(source, kind):
                click.echo(f"  {kind[:-1]}\t{url}")
        click.echo(f"  articles\t{source.article_url}")


@main.command()
@db_option
@sources_option
def status(db: str | None, sources_dir: str | None) -> None:
    """One line per source: last run, result, articles, newest; flags (exit status 1) for stale sources,
    failed runs and field coverage that fell against recent runs."""
    settings = project_settings(db, sources_dir)
    try:
        report = source_health(settings.get("NEWSCRAWL_DB"), configured_sources(settings))
    except sqlite3.DatabaseError as exc:
        raise click.exceptions.Exit(_error(f"{settings.get('NEWSCRAWL_DB')}: {exc}", 2)) from None
    for line in report:
        click.echo(line.line())
    sys.exit(1 if any(line.flags for line in report) else 0)


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--url", required=True, help="The page's URL (for relative links and the canonical URL).")
@click.option("--source", "source_key", help="Use this source's language, timezone and selectors.")
@sources_option
def extract(file: Path, url: str, source_key: str | None, sources_dir: str | None) -> None:
    """Extract the record from a saved page and print it as JSON (how to debug a new source).

    Exit status 1 when the page is not an article (the JSON then says why)."""
    from crawler.extraction import extract as extract_page

    source = None
    if source_key:
        sources = configured_sources(project_settings(None, sources_dir))
        if source_key not in sources:
            raise click.exceptions.Exit(_error(f"unknown source {source_key!r}", 2))
        source = sources[source_key]
    data = file.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    result = extract_page(data, url, source)
    click.echo(json.dumps(asdict(result), ensure_ascii=False, indent=2))
    if isinstance(result, NotArticle):
        sys.exit(1)


@main.command()
@click.argument("query")
@db_option
@sources_option
@click.option("--source", "source_key", help="Only this source.")
@click.option("--limit", default=20, show_default=True, help="At most this many results.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def search(query: str, db: str | None, sources_dir: str | None, source_key: str | None, limit: int, fmt: str) -> None:
    """Full-text search of title, body and caption; newest first."""
    path = project_settings(db, sources_dir).get("NEWSCRAWL_DB")
    if not Path(path).exists():
        raise click.exceptions.Exit(_error(f"{path}: no database (run `newscrawl crawl` first)", 2))
    try:
        rows = search_db.search(path, query, source=source_key, limit=limit)
    except search_db.QueryError as exc:
        raise click.exceptions.Exit(_error(str(exc), 2)) from None
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        click.echo(f"{row['id']}\t{row['source']}\t{row['published_at'] or '-'}\t{row['title']}\t{row['url']}")
    click.echo(f"{len(rows)} result(s)", err=True)


@main.command()
@click.option("--db", default="output/demo.db", show_default=True, help="Database to crawl the demo into.")
@click.option(
    "--sites",
    default="tests/fixtures/sites",
    show_default=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Recorded sites to replay.",
)
@click.option("--sources-dir", "extra_sources", default="tests/fixtures/sources", show_default=True)
def demo(db: str, sites: Path, extra_sources: str) -> None:
    """Crawl the bundled replay of sample pages (served on 127.0.0.1) into a demo database."""
    from crawler.replay import ReplayServer, find_source_file, local_source

    Path(db).unlink(missing_ok=True)  # a demo starts from an empty database, every time
    for suffix in ("-wal", "-shm"):
        Path(db + suffix).unlink(missing_ok=True)
    settings = project_settings(db, None)
    check_database(db)
    folders = [Path(settings.get("NEWSCRAWL_SOURCES_DIR")), Path(extra_sources)]
    servers = []
    with tempfile.TemporaryDirectory(prefix="newscrawl-demo-") as tmp:
        for site_dir in sorted(p for p in sites.iterdir() if (p / "site.toml").exists()):
            source_file = find_source_file(site_dir.name, folders)
            if source_file is None:
                continue
            server = ReplayServer.for_folder(site_dir).start()
            servers.append(server)
            text = local_source(source_file.read_text(encoding="utf-8"), server.site.origin, server.base_url)
            (Path(tmp) / source_file.name).write_text(text, encoding="utf-8")
        settings.set("NEWSCRAWL_SOURCES_DIR", tmp, priority="cmdline")
        settings.set("NEWSCRAWL_NOW", max(s.site.recorded_at for s in servers), priority="cmdline")
        settings.set("AUTOTHROTTLE_ENABLED", False, priority="cmdline")
        settings.set("DOWNLOAD_DELAY", 0, priority="cmdline")
        names = list(configured_sources(settings))
        status = run_crawl(settings, names)
    for server in servers:
        server.stop()
    total = search_db.count_articles(db)
    click.echo(f"demo: {total} articles stored in {db} from {len(names)} replayed sources ({', '.join(names)})")
    click.echo(f'try: newscrawl search --db {db} "الكويت"')
    sys.exit(status)


@main.command()
@db_option
@sources_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8001, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--immutable", is_flag=True, help="Treat the file as a snapshot no crawl will change (faster counts).")
def serve(db: str | None, sources_dir: str | None, host: str, port: int, immutable: bool) -> None:
    """Browse and search the database, read-only, in Datasette (needs: pip install 'newscrawl[web]')."""
    from crawler import serve as serving

    path = project_settings(db, sources_dir).get("NEWSCRAWL_DB")
    try:
        datasette = serving.make_datasette(path, immutable)
    except serving.ServeError as exc:
        raise click.exceptions.Exit(_error(str(exc), 2)) from None
    click.echo(f"newscrawl: serving {path} read-only at http://{host}:{port}/ (Ctrl-C to stop)", err=True)
    serving.run(datasette, host, port)


@main.command()
@db_option
@sources_option
@click.option("--source", "source_key", help="Only this source.")
@click.option("--days", type=click.IntRange(min=1), help="Only the last N days (UTC, up to today), empty days too.")
@click.option("--plot", type=click.Path(dir_okay=False, path_type=Path), help="Also draw the counts into this PNG.")
def stats(db: str | None, sources_dir: str | None, source_key: str | None, days: int | None, plot: Path | None) -> None:
    """Articles per source per day (by publication time; first seen when it is missing)."""
    from crawler import stats as daily

    path = project_settings(db, sources_dir).get("NEWSCRAWL_DB")
    try:
        counts = daily.daily_counts(path, source=source_key, days=days)
        click.echo(daily.format_table(counts))
        if plot:
            daily.plot(counts, plot)
            click.echo(f"plot written to {plot}", err=True)
    except daily.StatsError as exc:
        raise click.exceptions.Exit(_error(str(exc), 2)) from None
