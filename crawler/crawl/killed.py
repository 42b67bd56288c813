"""Runs left `running` by a process that is gone (SIGKILL, the OOM killer, a reboot): found, and recorded as killed."""

from __future__ import annotations

import os
import socket
from datetime import datetime
from pathlib import Path

from crawler.crawl.lock import held_elsewhere
from crawler.storage.runs import Runs

START_SLACK = 2.0  # seconds: a process started this long after its run did is another one that reuses the pid


def this_process() -> dict[str, int | str]:
    """The `runs` columns naming the process that runs it."""
    return {"pid": os.getpid(), "host": socket.gethostname()}


def process_alive(pid: int, since: str) -> bool:
    """Whether process `pid` is alive (not a zombie) and started no later than `since` (ISO 8601): a process that
    started after it is another one under a reused pid."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        pass
    try:  # Linux: its state and start time (clock ticks after boot)
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        boot = next(line for line in Path("/proc/stat").read_text().splitlines() if line.startswith("btime "))
        started = int(boot.split()[1]) + int(fields[19]) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError, StopIteration):
        return True  # no /proc: alive is all we know
    return fields[0] not in ("Z", "X") and started <= datetime.fromisoformat(since).timestamp() + START_SLACK


def is_killed(pid: int | None, host: str | None, started_at: str, db_path: str | Path) -> bool:
    """Whether a `running` run was killed: its process, recorded on this host, is gone; for a run recorded
    without one (an older newscrawl) or on another host, the database's crawl lock is free."""
    if pid and host == socket.gethostname():
        return not process_alive(pid, started_at)
    return not held_elsewhere(db_path)


def killed_runs(runs: Runs, db_path: str | Path) -> list[int]:
    """Ids of the runs (an Archive's `runs`) still marked `running` whose process is gone."""
    return [run.id for run in runs.running() if is_killed(run.pid, run.host, run.started_at, db_path)]
