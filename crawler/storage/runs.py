"""Runs: the `runs` table, a row per crawl (or re-extraction, or import) of a source, opened as it starts and filled
in as it ends; a run left `running` by a process that is gone is recorded as killed."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any, NamedTuple

import sqlite_utils

from crawler.storage.part import Part

# a new run's id is one no stored article names yet: the id of a deleted run is not used again
FRESH_ID = "(SELECT max(coalesce((SELECT max(id) FROM runs), 0), coalesce((SELECT max(run_id) FROM articles), 0)) + 1)"
RECORD_KILLED = (
    "UPDATE runs SET status = 'killed', finish_reason = 'killed', articles_new = (SELECT count(*) FROM articles"
    " WHERE run_id = runs.id AND first_seen_at >= runs.started_at AND duplicate_of IS NULL)"
    " WHERE id = ? AND status = 'running'"
)


class RunningRun(NamedTuple):
    """A run still marked `running`, with the process (pid on host) that recorded it."""

    id: int
    pid: int | None
    host: str | None
    started_at: str


class Runs(Part):
    """The `runs` rows of one database connection."""

    def insert(self, row: dict[str, Any]) -> int:
        """Insert a run; its id is one no stored article names yet (an article's run_id is always the run that
        last stored it, and the store tells a URL the run already stored)."""
        names = ", ".join(row)
        sql = f"INSERT INTO runs (id, {names}) VALUES ({FRESH_ID}, {', '.join('?' * len(row))})"
        with self.db.conn:
            return self.db.conn.execute(sql, list(row.values())).lastrowid

    def update(self, run_id: int, row: dict[str, Any]) -> None:
        """Set the columns of `row` on run `run_id` (sqlite-utils' NotFoundError when there is none)."""
        self.db["runs"].update(run_id, row)

    def running(self) -> list[RunningRun]:
        """The runs still marked `running`: going, or left so by a process that was killed."""
        rows = self.db.conn.execute("SELECT id, pid, host, started_at FROM runs WHERE status = 'running'")
        return [RunningRun(*row) for row in rows.fetchall()]

    def record_killed(self, ids: list[int]) -> None:
        """Mark the runs killed (status and finish reason), with the articles they stored first as their new ones."""
        with self.db.conn:
            self.db.conn.executemany(RECORD_KILLED, [(run_id,) for run_id in ids])


def try_record_killed(path: str | Path, ids: list[int]) -> None:
    """`Runs.record_killed` on a connection of its own, when the database can be written (a reader may not write
    it); nothing else is done to the database (no schema created, no migration)."""
    try:
        with closing(sqlite3.connect(path, timeout=5)) as conn:
            Runs(sqlite_utils.Database(conn)).record_killed(ids)
    except sqlite3.Error:
        pass
