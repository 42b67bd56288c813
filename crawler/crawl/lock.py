"""One crawl at a time per database: an advisory lock file next to it, released by the OS if the holder dies."""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

POLL_SECONDS = 0.2  # how often a waiting command tries the lock again

_held: set[Path] = set()  # the lock files this process holds


class Busy(RuntimeError):
    """Another live process holds the lock; the message names it."""

    def __init__(self, path: Path, holder: str) -> None:
        super().__init__(f"another crawl (pid {holder}) is running on {str(path)[:-5]}")
        self.path = path
        self.holder = holder


class CrawlLock:
    """`<db>.lock`, held with flock for the whole run. A lock left by a killed run is free again (the kernel drops
    flock locks with their process), so a stale file is simply taken over. `wait`: seconds to wait for a busy lock
    before giving up with Busy (0: give up at once); `on_wait` is told the holder's pid when the wait begins."""

    def __init__(self, db_path: str | Path, wait: float = 0, on_wait: Callable[[str], None] | None = None) -> None:
        self.path = Path(f"{db_path}.lock")
        self.wait = wait
        self.on_wait = on_wait
        self.handle: int | None = None

    def __enter__(self) -> CrawlLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + self.wait
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = os.pread(handle, 64, 0).decode(errors="replace").strip() or "?"
                left = deadline - time.monotonic()
                if left <= 0:
                    os.close(handle)
                    raise Busy(self.path, holder) from None
                if self.on_wait is not None:
                    self.on_wait(holder)
                    self.on_wait = None
                time.sleep(min(POLL_SECONDS, left))
        os.ftruncate(handle, 0)
        os.pwrite(handle, f"{os.getpid()}\n".encode(), 0)
        self.handle = handle
        _held.add(self.path.absolute())
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        if self.handle is not None:
            _held.discard(self.path.absolute())
            os.ftruncate(self.handle, 0)
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            os.close(self.handle)
            self.handle = None


def held_elsewhere(db_path: str | Path) -> bool:
    """Whether another process holds the crawl lock of the database (a lock this process holds is not "elsewhere"),
    probed with a shared lock taken and dropped at once; a lock file that cannot be opened counts as held."""
    path = Path(f"{db_path}.lock")
    if path.absolute() in _held:
        return False
    try:
        handle = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return False
    except OSError:  # cannot tell: not free
        return True
    try:
        fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(handle)  # closing drops the probe's lock
    return False
