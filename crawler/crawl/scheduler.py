"""DiskScheduler: the run's pending requests wait on disk, so a listing of 200,000 URLs costs disk, not memory."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from scrapy import Request
from scrapy.core.scheduler import Scheduler

from crawler.crawl.runstate import RunState

logger = logging.getLogger(__name__)


def queue_dir(settings: Any) -> Path:
    """NEWSCRAWL_QUEUE_DIR, or `queue/` next to the database (not /tmp, often a RAM disk)."""
    return Path(settings.get("NEWSCRAWL_QUEUE_DIR") or Path(settings.get("NEWSCRAWL_DB")).parent / "queue")


def alive(pid: int) -> bool:
    """True while process `pid` exists."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def remove_orphans(parent: Path) -> None:
    """Remove the queue folders of runs whose process is gone (killed before they could remove their own)."""
    for folder in parent.iterdir():
        pid = folder.name.split("-", 1)[0]
        if folder.is_dir() and pid.isdigit() and not alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


class DiskScheduler(Scheduler):
    """Scrapy's scheduler with every pending request in Scrapy's disk queues (pickled, SCHEDULER_DISK_QUEUE), in a
    folder of the run's own (`<pid>-<spider>-...` under NEWSCRAWL_QUEUE_DIR) that is removed when the run closes.

    Nothing is ever resumed from it: the next run reads its listings again and skips what is stored. A JOBDIR set by
    hand is Scrapy's persistent job folder, used as is and kept. A disk that cannot take the queue (no folder, a full
    disk) leaves the requests waiting in memory, and says so in one line."""

    def __init__(self, dupefilter: Any, jobdir: str | None = None, **kwargs: Any) -> None:
        self.folder: Path | None = None
        self.disk_full = False  # a push to the disk queue failed: the rest wait in memory
        crawler = kwargs.get("crawler")
        fetches = crawler is not None and RunState.of(crawler).fetches
        if not jobdir and fetches:  # not for reextract / import / ingest, which request nothing
            self.folder = self.make_folder(crawler)
            jobdir = str(self.folder) if self.folder else None
        super().__init__(dupefilter, jobdir, **kwargs)

    @staticmethod
    def make_folder(crawler: Any) -> Path | None:
        parent = queue_dir(crawler.settings)
        try:
            parent.mkdir(parents=True, exist_ok=True)
            remove_orphans(parent)
            folder = Path(tempfile.mkdtemp(prefix=f"{os.getpid()}-{crawler.spidercls.name}-", dir=parent))
            (folder / "requests.queue").mkdir()
            return folder
        except OSError as exc:
            logger.warning("%s: cannot keep the request queue there (%s); requests wait in memory", parent, exc)
            return None

    def _dqpush(self, request: Any) -> bool:
        if self.disk_full:
            return False
        try:
            return super()._dqpush(request)
        except OSError as exc:
            self.disk_full = True
            logger.warning("%s: cannot add to the request queue (%s); requests wait in memory", self.dqdir, exc)
            return False

    def close(self, reason: str) -> Any:
        if self.folder is None:
            return super().close(reason)
        try:  # nothing to save for a resume that never comes
            if self.dqs is not None:
                self.dqs.close()
        except OSError:
            pass
        shutil.rmtree(self.folder, ignore_errors=True)
        return self.df.close(reason)


def own_method(spider: Any, method: Any) -> bool:
    """True when `method` is a method of `spider`, found under its own name."""
    function = getattr(method, "__func__", None)
    return function is not None and getattr(getattr(spider, method.__name__, None), "__func__", None) is function


class SpiderRequest(Request):
    """A request whose callback and errback are methods of the spider, named by their own names when a disk queue
    stores it. Scrapy's `to_dict` finds each name by inspecting every member of the spider, for every request: half
    the cost of queueing one. The dict is the same as Scrapy's (`Request.attributes`, `_class`)."""

    def to_dict(self, *, spider: Any = None) -> dict[str, Any]:
        methods = {"callback": self.callback, "errback": self.errback}
        if spider is None or not all(m is None or own_method(spider, m) for m in methods.values()):
            return super().to_dict(spider=spider)  # Scrapy's way, and its error for a callback it cannot name
        stored = {"url": self.url, "headers": dict(self.headers)}
        stored |= {key: method.__name__ if method else None for key, method in methods.items()}
        for name in self.attributes:
            stored.setdefault(name, getattr(self, name))
        stored["_class"] = f"{type(self).__module__}.{type(self).__name__}"
        return stored
