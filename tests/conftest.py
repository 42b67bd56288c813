"""Fixtures: recorded sites served on 127.0.0.1, source configs pointed at them, real crawl subprocesses."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from crawler.demo.replay import ReplayServer, find_source_file, local_source

ROOT = Path(__file__).resolve().parents[1]
SITES = ROOT / "crawler" / "demo" / "sites"
SOURCE_FOLDERS = [ROOT / "crawler" / "sources", ROOT / "crawler" / "demo" / "sources"]
SHARED = ROOT.parent / "shared"
FAST = {"AUTOTHROTTLE_ENABLED": "0", "DOWNLOAD_DELAY": "0"}
PROXY_VARIABLES = {"http_proxy", "https_proxy", "all_proxy", "no_proxy"}  # tests set their own
NEWSCRAWL = Path(sys.executable).with_name("newscrawl")
SOURCE_COMMANDS = {"crawl", "sources", "status", "reextract"}


def benchmark_pages(limit: int) -> list[str]:
    """The first `limit` pages of ../shared/benchmarks/fundus-dev, as text ([] when the benchmarks are absent)."""
    truth = SHARED / "benchmarks" / "fundus-dev" / "truth.jsonl"
    if not truth.exists():
        return []
    records = [json.loads(line) for line in truth.read_text(encoding="utf-8").splitlines() if line][:limit]
    return [gzip.decompress((truth.parent / r["file"]).read_bytes()).decode("utf-8", "replace") for r in records]


def run(args: list[str], env: dict[str, str] | None = None, timeout: int = 180) -> subprocess.CompletedProcess:
    """Run a command from the project root, capturing text output."""
    inherited = {k: v for k, v in os.environ.items() if k.lower() not in PROXY_VARIABLES}
    full_env = {**inherited, "PYTHONUNBUFFERED": "1", **(env or {})}
    return subprocess.run(args, cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=timeout)


class CrawlEnv:
    """A temporary sources folder and database, with recorded sites served for it."""

    def __init__(self, tmp_path: Path) -> None:
        self.sources_dir = tmp_path / "sources"
        self.sources_dir.mkdir()
        self.db = tmp_path / "news.db"
        self.sites = tmp_path / "sites"
        self.servers: dict[str, ReplayServer] = {}

    def copy_site(self, name: str) -> Path:
        """A copy of recorded site `name` that a test may change between crawls; `serve` then serves it."""
        return Path(shutil.copytree(SITES / name, self.sites / name))

    def serve(self, name: str, edit: dict[str, str] | None = None) -> ReplayServer:
        """Serve site `name` (the test's copy if it made one) and write its source config pointed at the server
        (`edit` replaces text in it)."""
        folder = self.sites / name if (self.sites / name).exists() else SITES / name
        server = ReplayServer.for_folder(folder).start()
        self.servers[name] = server
        text = find_source_file(name, SOURCE_FOLDERS).read_text(encoding="utf-8")
        for old, new in (edit or {}).items():
            assert old in text, f"{name}.toml has no {old!r} to edit"
            text = text.replace(old, new)
        text = local_source(text, server.site.origin, server.base_url)
        (self.sources_dir / f"{name}.toml").write_text(text, encoding="utf-8")
        return server

    def scrapy(self, *args: str, **settings: str) -> subprocess.CompletedProcess:
        """`scrapy ARGS` with this env's database and sources (and fast, local settings)."""
        options = {
            "NEWSCRAWL_DB": str(self.db),
            "NEWSCRAWL_SOURCES_DIR": str(self.sources_dir),
            **self.fast,
            **settings,
        }
        sets = [item for name, value in options.items() for item in ("-s", f"{name}={value}")]
        return run([sys.executable, "-m", "scrapy", *args, *sets])

    def newscrawl(self, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        """`newscrawl ARGS --db ...` (and `--sources-dir ...` for the commands that read sources; crawl also gets
        the fast settings)."""
        extra = ["--db", str(self.db)]
        if args and args[0] in SOURCE_COMMANDS:
            extra += ["--sources-dir", str(self.sources_dir)]
        if args and args[0] == "crawl":
            extra += [item for name, value in self.fast.items() for item in ("--set", f"{name}={value}")]
        return run([str(NEWSCRAWL), *args, *extra], env=env)

    @property
    def fast(self) -> dict[str, str]:
        """Settings for quick local crawls "as of" the time the served sites were recorded."""
        recorded = max((s.site.recorded_at for s in self.servers.values()), default="")
        return {**FAST, "NEWSCRAWL_NOW": recorded}

    def rows(self, sql: str, *params: Any) -> list[dict[str, Any]]:
        """Rows of a query on the crawled database (a change is committed)."""
        with closing(sqlite3.connect(self.db)) as conn, conn:
            conn.row_factory = sqlite3.Row
            return [dict(row) for row in conn.execute(sql, params)]

    def articles(self) -> dict[str, dict[str, Any]]:
        """Stored articles by URL path, JSON columns decoded."""
        found = {}
        for row in self.rows("SELECT * FROM articles"):
            row["authors"], row["tags"] = json.loads(row["authors"]), json.loads(row["tags"])
            found[row["url"].split("://", 1)[1].split("/", 1)[1]] = row
        return found

    def close(self) -> None:
        for server in self.servers.values():
            server.stop()


@pytest.fixture
def env(tmp_path: Path) -> Iterator[CrawlEnv]:
    crawl_env = CrawlEnv(tmp_path)
    yield crawl_env
    crawl_env.close()


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CrawlEnv]:
    """Every recorded site crawled by `newscrawl crawl` into one database, once per test module, one source after
    the other: Al Jarida first, so the mirror's copies of one of its stories are stored linked to it."""
    crawl_env = CrawlEnv(tmp_path_factory.mktemp("crawled"))
    try:
        for site in ("aljarida", "aggregator", "mirror"):
            crawl_env.serve(site)
        for site in ("aljarida", "aggregator", "mirror"):
            result = crawl_env.newscrawl("crawl", site)
            assert result.returncode == 0, result.stderr[-3000:]
        yield crawl_env
    finally:
        crawl_env.close()
