"""`newscrawl`: crawl configured sources, inspect them, debug extraction, search the database."""

from __future__ import annotations

import gzip
import os
import sqlite3
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import click

from crawler import settings as defaults
from crawler.crawl.lock import Busy, CrawlLock
from crawler.crawl.runlog import Progress, configure_logging, no_debug_records, summary, unresolved_line
from crawler.crawl.runstate import RunState
from crawler.items import NotArticle
from crawler.search import articles as search_db
from crawler.search.analyser import ANALYSER_VERSION
from crawler.search.query import __doc__ as QUERY_HELP
from crawler.settingcheck import SettingError, check_settings, is_known_setting
from crawler.sources import Source, SourceError, load_sources
from crawler.storage.archive import Archive
from crawler.storage.db import NoDatabase, open_db, write_failure
from crawler.storage.records import export_record, format_record, is_database_file
from crawler.web.formats import write_rows
from crawler.web.status import all_status as source_health
from crawler.web.terminal import json_text, printable

# data inside the package, so an installed newscrawl finds it wherever it runs
DEMO_SITES = str(Path(__file__).parent / "demo" / "sites")
DEMO_SOURCES = str(Path(__file__).parent / "demo" / "sources")

os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
QUERY_SYNTAX = "\b\nQuery syntax:\n" + "\n".join(line for line in QUERY_HELP.splitlines() if line.startswith("    "))


def project_settings(db: str | None, sources_dir: str | None, /, **overrides: Any) -> Any:
    """Scrapy settings of the project, with the CLI's options on top."""
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    if db:
        settings.set("NEWSCRAWL_DB", db, priority="cmdline")
    if sources_dir:
        settings.set("NEWSCRAWL_SOURCES_DIR", sources_dir, priority="cmdline")
    for name, value in overrides.items():
        settings.set(name, value, priority="cmdline")
    try:
        check_settings(settings)
    except SettingError as exc:
        raise click.exceptions.Exit(_error(str(exc), 2)) from None
    return settings


def parse_sets(sets: tuple[str, ...]) -> dict[str, str]:
    """The `--set NAME=VALUE` options as a dict; one without `=` ends the command with one line and status 2, a
    name neither Scrapy nor newscrawl knows gets a warning line (an extension may still read it)."""
    overrides = {}
    for item in sets:
        name, equals, value = item.partition("=")
        if not equals or not name.strip():
            raise click.exceptions.Exit(_error(f"--set {item!r}: expected NAME=VALUE", 2))
        if not is_known_setting(name.strip()):
            click.echo(f"newscrawl: warning: --set {name.strip()}: not a setting of Scrapy or newscrawl", err=True)
        overrides[name.strip()] = value
    return overrides


def configured_sources(settings: Any, names: tuple[str, ...] = ()) -> dict[str, Source]:
    """The sources of NEWSCRAWL_SOURCES_DIR; a bad file, or a name in `names` that is not one of them, ends the
    command with one line and status 2."""
    try:
        sources = load_sources(settings.get("NEWSCRAWL_SOURCES_DIR"))
    except SourceError as exc:
        raise click.exceptions.Exit(_error(str(exc), 2)) from None
    unknown = [n for n in names if n not in sources]
    if unknown:
        raise click.exceptions.Exit(_error(f"unknown source {unknown[0]!r} (configured: {', '.join(sources)})", 2))
    return sources


def say(text: str, err: bool = False) -> None:
    """Print a line of output: text from pages, records or files in it is shown, never obeyed by the terminal
    (control characters written as escapes, see crawler.web.terminal)."""
    click.echo(printable(text), err=err)


def _error(message: str, status: int) -> int:
    say(f"newscrawl: error: {message}", err=True)
    return status


def check_database(path: str, existing: bool = False) -> None:
    """Open (creating, unless `existing`) the database once before running; a path that cannot be used, or no
    database when one must exist, is one line and status 2."""
    if existing and not Path(path).is_file():
        raise click.exceptions.Exit(_error(f"{path}: no database (run `newscrawl crawl` first)", 2))
    try:
        open_db(path).close()
    except (sqlite3.Error, OSError) as exc:
        full = isinstance(exc, sqlite3.Error) and write_failure(exc, path)[0] == "disk_full"
        problem = f"disk full ({exc})" if full else str(exc)
        raise click.exceptions.Exit(_error(f"{path}: cannot use as the database: {problem}", 2)) from None


def run_crawl(settings: Any, spiders: list[Any], in_turn: bool = False, **spider_args: Any) -> int:
    """Run the spiders (source names or spider classes) in one process, in parallel (`in_turn`: one after the
    other, so article ids come out the same every time); 0 when every run is ok, else 1.

    The full log goes to a rotating file; stderr gets warnings, a live progress line on a terminal, and one
    summary line per source at the end."""
    from scrapy.crawler import CrawlerProcess

    log_file = configure_logging(settings)
    settings.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")
    process = CrawlerProcess(settings)
    no_debug_records(settings)
    crawlers = [process.create_crawler(spider) for spider in spiders]
    if in_turn:
        chain = process.crawl(crawlers[0], **spider_args)
        for crawler in crawlers[1:]:  # started as the previous one ends, before the process sees nothing running
            chain.addBoth(lambda _, crawler=crawler: process.crawl(crawler, **spider_args))
    else:
        for crawler in crawlers:
            process.crawl(crawler, **spider_args)
    progress = Progress(crawlers)
    progress.start()
    process.start()
    progress.stop()
    for crawler in crawlers:
        say(f"newscrawl: {summary(crawler)}", err=True)
    failed = [c.spider.name for c in crawlers if RunState.of(c).status != "ok"]
    for name in failed:
        say(f"newscrawl: source {name} failed (see the runs table and {log_file})", err=True)
    if unresolved := unresolved_line(crawlers, log_file):
        say(f"newscrawl: {unresolved}", err=True)
    return 1 if failed else 0


db_option = click.option("--db", help=f"SQLite database (default: the NEWSCRAWL_DB setting, {defaults.NEWSCRAWL_DB}).")
sources_option = click.option(
    "--sources-dir", help="Folder of source TOML files (default: the NEWSCRAWL_SOURCES_DIR setting)."
)
wait_option = click.option(
    "--wait",
    type=click.FloatRange(min=0),
    help="Seconds to wait for a crawl holding the database's lock, then fail"
    f" (default: NEWSCRAWL_LOCK_WAIT, {defaults.NEWSCRAWL_LOCK_WAIT:g}).",
)


def lock_wait(wait: float | None) -> dict[str, float]:
    """The settings override of a --wait option (none when not given)."""
    return {} if wait is None else {"NEWSCRAWL_LOCK_WAIT": wait}


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="newscrawl", prog_name="newscrawl")
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
    overrides = parse_sets(sets)
    settings = project_settings(db, sources_dir, **overrides)
    sources = configured_sources(settings, names)
    check_database(settings.get("NEWSCRAWL_DB"))
    sys.exit(locked(settings, lambda: run_crawl(settings, list(names) or list(sources))))


@main.command()
@click.argument("names", nargs=-1)
@db_option
@sources_option
@click.option("-s", "--set", "sets", multiple=True, metavar="NAME=VALUE", help="Override a Scrapy setting.")
@wait_option
def reextract(
    names: tuple[str, ...], db: str | None, sources_dir: str | None, sets: tuple[str, ...], wait: float | None
) -> None:
    """Run extraction again over the kept pages of the named sources (default: all) and update their records,
    with no HTTP request: after an extractor upgrade or a selector change, no recrawl is needed.

    Changed records keep their previous text in article_versions; the run is a `runs` row of kind reextract.
    A crawl holding the database's lock is waited for (--wait), then the command fails with status 1."""
    from crawler.crawl.spiders.kept import ReextractSpider

    settings = project_settings(db, sources_dir, **parse_sets(sets), **lock_wait(wait))
    sources = configured_sources(settings, names)
    path = settings.get("NEWSCRAWL_DB")
    check_database(path, existing=True)
    spiders = [ReextractSpider.for_source(sources[name]) for name in names or sources]
    sys.exit(locked(settings, lambda: run_crawl(settings, spiders), "nothing re-extracted"))


@main.command("import")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@db_option
@click.option(
    "--min-words",
    default=1,
    show_default=True,
    help=f"Reject records whose body has fewer words (crawls: {defaults.NEWSCRAWL_MIN_WORDS}).",
)
@wait_option
def import_(file: str, db: str | None, min_words: int, wait: float | None) -> None:
    """Import records from JSON lines or CSV (FILE, or - for standard input), as `newscrawl export` writes them:
    url, title and body at least. They go through the same pipelines as crawled articles; the same
    file imported twice adds nothing. A bad line stops the import before anything is stored. A crawl holding the
    database's lock is waited for (--wait), then the import fails with status 1, nothing stored."""
    from crawler.crawl.spiders.imported import ImportSpider
    from crawler.storage.importer import RecordError, read_records

    settings = project_settings(db, None, NEWSCRAWL_MIN_WORDS=min_words, NEWSCRAWL_KEEP_PAGES=False, **lock_wait(wait))
    name = "standard input" if file == "-" else file
    with tempfile.TemporaryDirectory(prefix="newscrawl-import-") as tmp:
        if file == "-":  # read twice (checked, then imported): keep standard input in a file
            file = str(Path(tmp) / "stdin.jsonl")
            Path(file).write_bytes(sys.stdin.buffer.read())
        try:
            for _ in read_records(file):  # every line checked before anything is stored
                pass
        except (RecordError, OSError, UnicodeDecodeError) as exc:
            raise click.exceptions.Exit(_error(str(exc).splitlines()[0], 2)) from None
        check_database(settings.get("NEWSCRAWL_DB"))
        undone = f"nothing imported from {name}"
        status = locked(settings, lambda: run_crawl(settings, [ImportSpider], path=file), undone)
    sys.exit(status)


@main.command()
@click.argument("names", nargs=-1)
@db_option
@sources_option
@click.option("--seed", is_flag=True, help="Start a new crawl: push the sources' discovery requests (run on one).")
@click.option(
    "--idle",
    type=float,
    help="Exit once the shared queue has stayed empty this long"
    f" (seconds, default {defaults.NEWSCRAWL_WORKER_IDLE:g}).",
)
@click.option("-s", "--set", "sets", multiple=True, metavar="NAME=VALUE", help="Override a Scrapy setting.")
def worker(
    names: tuple[str, ...],
    db: str | None,
    sources_dir: str | None,
    seed: bool,
    idle: float | None,
    sets: tuple[str, ...],
) -> None:
    """Crawl the named sources (default: all) as one of many workers sharing a request queue in Redis (REDIS_URL);
    records go to a Redis queue that `newscrawl ingest` stores. Nothing is written to the database (read, when
    there is one here, to skip known URLs).

    One worker of a crawl runs with --seed; workers exit once the queue has stayed empty for --idle seconds."""
    from crawler.crawl.distributed import RedisUnavailable, configure_worker

    overrides = parse_sets(sets)
    if idle is not None:
        overrides["NEWSCRAWL_WORKER_IDLE"] = idle
    settings = project_settings(db, sources_dir, **overrides)
    sources = configured_sources(settings, names)
    try:
        configure_worker(settings, seed=seed)
    except RedisUnavailable as exc:
        raise click.exceptions.Exit(_error(str(exc), 2)) from None
    sys.exit(run_crawl(settings, list(names) or list(sources)))


@main.command()
@db_option
@click.option("--until-idle", is_flag=True, help="Exit as soon as the item queue is empty (after draining it).")
@click.option(
    "--idle",
    type=float,
    help=f"Exit once the item queue has stayed empty this long (seconds, default {defaults.NEWSCRAWL_INGEST_IDLE:g};"
    " 0: never).",
)
@wait_option
def ingest(db: str | None, until_idle: bool, idle: float | None, wait: float | None) -> None:
    """Store the records workers push to Redis (REDIS_URL) through validate, normalise, dedupe and store: the single
    writer of a scaled-out crawl, next to the database. Takes the database's crawl lock like `crawl`: a crawl
    holding it is waited for (--wait), then the command fails with status 1, the records left in Redis."""
    from crawler.crawl.distributed import RedisUnavailable, connect
    from crawler.crawl.spiders.ingest import IngestSpider

    overrides = {"NEWSCRAWL_INGEST_IDLE": idle} if idle is not None else {}
    settings = project_settings(db, None, **overrides, **lock_wait(wait))
    try:
        connect(settings).close()
    except RedisUnavailable as exc:
        raise click.exceptions.Exit(_error(str(exc), 2)) from None
    check_database(settings.get("NEWSCRAWL_DB"))
    undone = "nothing ingested (the records stay in Redis)"
    sys.exit(locked(settings, lambda: run_crawl(settings, [IngestSpider], until_idle=until_idle), undone))


@main.command()
@db_option
@wait_option
def reindex(db: str | None, wait: float | None) -> None:
    """Rebuild the full-text index from the stored articles with this version's analyser (also done by itself
    when a newer newscrawl opens a database indexed by an older analyser). A crawl holding the database's lock is
    waited for (--wait), then the command fails with status 1."""
    settings = project_settings(db, None, **lock_wait(wait))
    path = settings.get("NEWSCRAWL_DB")
    check_database(path, existing=True)

    def rebuild() -> int:
        with Archive.open(path) as archive:
            count = archive.articles.reindex()
        click.echo(f"newscrawl: reindexed {count} articles in {path} (analyser version {ANALYSER_VERSION})", err=True)
        return 0

    sys.exit(locked(settings, rebuild, "index not rebuilt"))


def locked(settings: Any, job: Any, undone: str | None = None) -> int:
    """Run `job` holding the database's crawl lock. A crawl (no `undone`) that finds it busy is a skipped run,
    status 0; any other command waits up to NEWSCRAWL_LOCK_WAIT seconds for it, then says in one line what was
    not done (`undone`), status 1."""
    wait = 0 if undone is None else settings.getfloat("NEWSCRAWL_LOCK_WAIT")
    path = settings.get("NEWSCRAWL_DB")

    def waiting(holder: str) -> None:
        if sys.stderr.isatty():  # someone is watching: say why nothing happens yet
            click.echo(f"newscrawl: waiting up to {wait:g} s for another crawl (pid {holder}) on {path}", err=True)

    try:
        with CrawlLock(path, wait=wait, on_wait=waiting):
            return job()
    except Busy as exc:
        if undone is None:  # a cron tick that finds the previous run still going is not a failure
            say(f"newscrawl: skipped: {exc}", err=True)
            return 0
        held = f"still held by another crawl (pid {exc.holder}) after waiting {wait:g} s"
        return _error(f"{exc.path}: {held}; {undone}", 1)


@main.command()
@db_option
@sources_option
def sources(db: str | None, sources_dir: str | None) -> None:
    """List the configured sources, the articles each has in the database, and their discovery endpoints; then the
    sources the database holds that are not configured."""
    settings = project_settings(db, sources_dir)
    path = settings.get("NEWSCRAWL_DB")
    counts: dict[str, int] = {}
    stored: dict[str, str | None] = {}
    if Path(path).exists():  # no database yet: no articles
        try:
            with Archive.open_for_reading(path) as archive:
                counts, stored = archive.reports.articles_per_source(), archive.reports.stored_sources()
        except NoDatabase as exc:
            raise click.exceptions.Exit(_error(str(exc), 2)) from None
    configured = configured_sources(settings)
    for source in configured.values():
        say(f"{source.key}\t{source.name}\t{source.homepage}\t{counts.get(source.key, 0)} articles")
        for kind in ("sitemaps", "feeds", "sections"):
            for url in getattr(source, kind):
                say(f"  {kind[:-1]}\t{url}")
        say(f"  articles\t{source.article_url}")
    for key, name in stored.items():
        if key not in configured:
            say(f"{key}\t{name or key}\t(not in the sources folder)\t{counts.get(key, 0)} articles")


@main.command()
@db_option
@sources_option
def status(db: str | None, sources_dir: str | None) -> None:
    """One line per source: last run, result, articles, newest; flags (exit status 1) for stale sources,
    failed runs and field coverage that fell against recent runs."""
    settings = project_settings(db, sources_dir)
    try:
        report = source_health(settings.get("NEWSCRAWL_DB"), configured_sources(settings))
    except NoDatabase as exc:
        raise click.exceptions.Exit(_error(str(exc), 2)) from None
    except sqlite3.DatabaseError as exc:
        raise click.exceptions.Exit(_error(f"{settings.get('NEWSCRAWL_DB')}: {exc}", 2)) from None
    for line in report:
        say(line.line())
    sys.exit(1 if any(line.flags for line in report) else 0)


@main.command()
@click.argument("page")
@click.option("--url", help="The page's URL (for relative links and the canonical URL); needed with a FILE or -.")
@click.option("--source", "source_key", help="Use this source's language, timezone and selectors.")
@sources_option
def extract(page: str, url: str | None, source_key: str | None, sources_dir: str | None) -> None:
    """Print the record of a page as JSON (how to debug a new source). PAGE is a saved file (.gz too), - for
    standard input, or an http(s) URL to fetch as a crawl would: robots.txt obeyed, the project's User-Agent,
    DOWNLOAD_MAXSIZE, private addresses refused unless in NEWSCRAWL_ALLOW_HOSTS (or the --source's own).

    Exit status 1 when the page is not an article (the JSON then says why) or cannot be fetched."""
    from crawler.crawl.fetch import Fetcher, FetchError
    from crawler.crawl.guard import source_origins
    from crawler.extraction import extract as extract_page

    settings = project_settings(None, sources_dir)
    source = configured_sources(settings, (source_key,))[source_key] if source_key else None
    fetched_at, encoding = None, None
    if page.startswith(("http://", "https://")):
        try:
            fetched = Fetcher(settings, own=source_origins(source)).fetch(page)
        except FetchError as exc:
            raise click.exceptions.Exit(_error(str(exc), 1)) from None
        data, url, encoding = fetched.body, url or fetched.url, fetched.encoding
        fetched_at = datetime.now(timezone.utc)
    elif url is None:
        raise click.exceptions.Exit(_error(f"{page}: --url is needed with a file or - (the page's address)", 2))
    elif page == "-":
        data = sys.stdin.buffer.read()
    else:
        try:
            data = Path(page).read_bytes()
        except OSError as exc:
            raise click.exceptions.Exit(_error(f"{page}: {exc.strerror}", 2)) from None
    try:
        data = gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data
    except (OSError, EOFError) as exc:
        raise click.exceptions.Exit(_error(f"{page}: not a readable gzip file ({exc})", 2)) from None
    result = extract_page(data, url, source, fetched_at, encoding)
    click.echo(json_text(result.to_dict(), indent=2))
    if isinstance(result, NotArticle):
        sys.exit(1)


def filter_options(command: Any) -> Any:
    """The options that narrow search and export to some articles."""
    options = [
        click.option("--source", help="Only this source (its key)."),
        click.option("--lang", help="Only this language (ISO 639-1, e.g. ar)."),
        click.option("--section", help="Only this section."),
        click.option("--since", help="Published (or first seen) at or after: YYYY-MM-DD or ISO 8601 time."),
        click.option("--until", help="Published (or first seen) before the end of this day, or before this time."),
        click.option("--include-duplicates", is_flag=True, help="Also copies linked to an earlier story."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def make_filters(options: dict[str, Any]) -> search_db.Filters:
    return search_db.Filters(
        source=options["source"],
        language=options["lang"],
        section=options["section"],
        since=options["since"],
        until=options["until"],
        include_duplicates=options["include_duplicates"],
    )


def database_path(db: str | None) -> str:
    return project_settings(db, None).get("NEWSCRAWL_DB")


@main.command(epilog=QUERY_SYNTAX, context_settings={"ignore_unknown_options": True})
@click.argument("query", nargs=-1, required=True)
@db_option
@filter_options
@click.option("--limit", default=20, show_default=True, help="At most this many results.")
@click.option("--newest", is_flag=True, help="Newest first instead of best match first.")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json", "jsonl", "csv"]), default="table", show_default=True
)
def search(query: tuple[str, ...], db: str | None, limit: int, newest: bool, fmt: str, **options: Any) -> None:
    """Full-text search of title, body and caption, best match first (bm25), with snippets. The words of QUERY
    may be given as one argument or several (`newscrawl search oil -gas`).

    Exit status 0 with results, 1 with none, 2 for a query that cannot be read."""
    try:
        rows = search_db.search(database_path(db), " ".join(query), make_filters(options), limit=limit, newest=newest)
    except (search_db.QueryError, NoDatabase) as exc:
        raise click.exceptions.Exit(_error(str(exc), 2)) from None
    if fmt != "table":
        write_rows(rows, fmt, sys.stdout)
    else:
        bold = ("\x1b[1m", "\x1b[0m") if sys.stdout.isatty() else ("[", "]")
        for row in rows:
            date = (row["published_at"] or "")[:10] or "-"
            copy = f" (copy of {row['duplicate_of']})" if row["duplicate_of"] else ""
            say(f"{row['id']}\t{row['source']}\t{date}\t{row['title']}{copy}\n\t{row['url']}")
            click.echo("\t" + printable(row["snippet"]).replace("<mark>", bold[0]).replace("</mark>", bold[1]))
        click.echo(f"{len(rows)} result(s)", err=True)
    sys.exit(0 if rows else 1)


@main.command()
@click.argument("article")
@db_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def show(article: str, db: str | None, fmt: str) -> None:
    """Print one stored article in full: ARTICLE is its id or URL. Exit status 1 when there is none."""
    try:
        with Archive.open_for_reading(database_path(db)) as archive:
            record = archive.records.article(article)
    except NoDatabase as exc:
        raise click.exceptions.Exit(_error(str(exc), 2)) from None
    if record is None:
        raise click.exceptions.Exit(_error(f"no article {article!r}", 1))
    if fmt == "json":
        click.echo(json_text(record, indent=2))
    else:
        say(format_record(record))


@main.command()
@db_option
@filter_options
@click.option("--query", help="Only articles matching this search query.")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write here instead of standard output.")
def export(db: str | None, query: str | None, fmt: str, output: str | None, **options: Any) -> None:
    """Export stored articles (oldest first) as JSON lines or CSV, streaming: any size in constant memory.

    Both read back with `newscrawl import`."""
    path = database_path(db)
    if output and is_database_file(output, path):
        raise click.exceptions.Exit(_error(f"{output}: refusing to overwrite the database", 2))
    try:
        with Archive.open_for_reading(path) as archive:
            rows = (export_record(row) for row in search_db.select_articles(archive, make_filters(options), query))
            if output:
                with open(output, "w", encoding="utf-8", newline="") as out:
                    count = write_rows(rows, fmt, out)
            else:
                count = write_rows(rows, fmt, sys.stdout)
    except (search_db.QueryError, NoDatabase, OSError) as exc:
        raise click.exceptions.Exit(_error(str(exc), 2)) from None
    click.echo(f"newscrawl: exported {count} articles" + (f" to {output}" if output else ""), err=True)


@main.command()
@click.option("--db", default="output/demo.db", show_default=True, help="Database to crawl the demo into.")
@click.option(
    "--sites",
    default=DEMO_SITES,
    show_default="the bundled crawler/demo/sites",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Recorded sites to replay.",
)
@click.option(
    "--sources-dir",
    "extra_sources",
    default=DEMO_SOURCES,
    show_default="the bundled crawler/demo/sources",
    help="Source files of the recorded sites that crawler/sources/ does not configure.",
)
def demo(db: str, sites: Path, extra_sources: str) -> None:
    """Crawl the bundled replay of sample pages into a demo database: the recorded sites are served on 127.0.0.1
    and crawled under their real URLs, with their configured sources (only the listings that were recorded)."""
    from crawler.crawl.spiders.source import SourceSpider
    from crawler.demo.replay import ReplayServer, Site

    Path(db).unlink(missing_ok=True)  # a demo starts from an empty database, every time
    for suffix in ("-wal", "-shm"):
        Path(db + suffix).unlink(missing_ok=True)
    settings = project_settings(db, None)
    check_database(db)
    try:
        configured = {**load_sources(extra_sources), **configured_sources(settings)}  # the project's come first
    except SourceError as exc:
        raise click.exceptions.Exit(_error(str(exc), 2)) from None
    servers, spiders = [], []
    for site_dir in sorted(p for p in sites.iterdir() if (p / "site.toml").exists()):
        site = Site.load(site_dir)
        if site_dir.name in configured:
            servers.append(ReplayServer(site, public_url=site.origin).start())  # pages keep their real links
            spiders.append(SourceSpider.for_source(site.source(configured[site_dir.name])))
    replays = {server.site.origin: server.base_url for server in servers}
    handler = "crawler.demo.replay.ReplayDownloadHandler"
    settings.set("NEWSCRAWL_REPLAY", replays, priority="cmdline")
    settings.set("DOWNLOAD_HANDLERS", {"http": handler, "https": handler}, priority="cmdline")
    settings.set("NEWSCRAWL_NOW", max(s.site.recorded_at for s in servers), priority="cmdline")
    settings.set("AUTOTHROTTLE_ENABLED", False, priority="cmdline")
    settings.set("DOWNLOAD_DELAY", 0, priority="cmdline")
    status = run_crawl(settings, spiders, in_turn=True)
    for server in servers:
        server.stop()
    names = [spider.name for spider in spiders]
    with Archive.open_for_reading(db) as archive:  # check_database made it
        total = archive.reports.count_articles()
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
    from crawler.web import serve as serving

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
    from crawler.web import stats as daily

    path = project_settings(db, sources_dir).get("NEWSCRAWL_DB")
    try:
        counts = daily.daily_counts(path, source=source_key, days=days)
        say(daily.format_table(counts))
        if plot:
            daily.plot(counts, plot)
            click.echo(f"plot written to {plot}", err=True)
    except daily.StatsError as exc:
        raise click.exceptions.Exit(_error(str(exc), 2)) from None
