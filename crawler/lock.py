"""One crawl at a time per database: an advisory lock file next to it, released by the OS if the holder dies."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType


class Busy(RuntimeError):
    """Another live process holds the lock; the message names it."""


class CrawlLock:
    """`<db>.lock`, held with flock for the whole run. A lock left by a killed run is free again (the kernel drops
    flock locks with their process), so a stale file is simply taken over."""

    def __init__(self, db_path: str | Path) -> None:
        self.path = Path(f"{db_path}.lock")
        self.handle: int | None = None

    def __enter__(self) -> CrawlLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(handle, 64, 0).decode(errors="replace").strip() or "?"
            os.close(handle)
            raise Busy(f"another crawl (pid {holder}) is running on {str(self.path)[:-5]}") from None
        os.ftruncate(handle, 0)
        os.pwrite(handle, f"{os.getpid()}\n".encode(), 0)
        self.handle = handle
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        if self.handle is not None:
            os.ftruncate(self.handle, 0)
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            os.close(self.handle)
            self.handle = None
