"""The extraction pool's worker side, imported once in the pool's forkserver: every worker forked from it starts at
once and shares these pages with it copy-on-write (PSS divides them), instead of loading its own copy.

On import it loads extraction and the data extraction loads on first use (langdetect's language profiles,
justext's stoplists and the set justext makes of them: 16 MB a worker would otherwise build for itself on its first
page that needs justext), runs one extraction, then freezes the garbage collector's view of everything loaded so
far: a collection in a worker does not touch (and so copy) those objects. The collector stays off while all that
loads (and is switched on again in each worker): a collection in the forkserver would free objects here and there
and leave holes in its memory pages, which a worker's first allocations would fill, copying those pages (the
recipe of the gc.freeze documentation).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import os
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

gc.disable()  # before extraction loads: see above

from crawler.extraction import extract  # noqa: E402

WARM_UP_PAGE = (
    b"<html lang='en'><head><title>Warm-up</title></head><body><article><h1>Warm-up</h1>"
    + b"<p>This paragraph of a sample page is read once, before any worker starts, so that what extraction loads on"
    b" its first page is loaded in the forkserver and shared by every worker forked from it.</p>"
    * 6
    + b"</article></body></html>"
)


def warm_up() -> None:
    """Load what extraction loads lazily, then keep the garbage collector off it."""
    from justext.core import define_stoplist
    from langdetect import detector_factory
    from trafilatura import external

    detector_factory.init_factory()
    if external.JT_STOPLIST is None:
        external.jt_stoplist_init()
    define_stoplist(external.JT_STOPLIST)  # justext's set of it, cached
    extract(WARM_UP_PAGE, "https://example.org/2024/01/01/warm-up")
    gc.freeze()


def _malloc_trim() -> Callable[[], object]:
    """glibc's malloc_trim(0): hand the heap's free pages back to the system. A page's parse tree (lxml, justext's
    per-page stoplist) is freed when the task ends, but glibc keeps most of it for the process; without this a
    worker holds on to its largest page's worth of memory. A no-op without glibc."""
    try:
        trim = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return lambda: None
    trim.argtypes = [ctypes.c_size_t]
    return lambda: trim(0)


release_free_memory = _malloc_trim()


def exit_with(crawl_pid: int) -> None:
    """In each worker: exit as soon as the crawl process is gone (killed with SIGKILL, its pool never said stop),
    even in the middle of a task."""

    def watch() -> None:
        while True:
            time.sleep(1)
            try:
                state = Path(f"/proc/{crawl_pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            except (OSError, IndexError):
                os._exit(0)
            if state in ("Z", "X"):  # dead, not yet reaped by whoever started it
                os._exit(0)

    threading.Thread(target=watch, daemon=True, name="exit-with-crawl").start()


def serve(conn: Connection, crawl_pid: int) -> None:
    """A worker's life: run each `(function, args)` that comes down the pipe and send back `(True, result)` or
    `(False, exception)`, until the pipe closes."""
    gc.enable()  # off in the forkserver only (see above); what it loaded stays frozen
    exit_with(crawl_pid)
    while True:
        try:
            function, args = conn.recv()
        except EOFError:
            return
        try:
            answer: tuple[bool, Any] = (True, function(*args))
        except Exception as exc:
            answer = (False, exc)
        try:
            conn.send(answer)
        except Exception as exc:  # an answer that cannot be pickled
            conn.send((False, RuntimeError(f"{type(exc).__name__}: {exc}")))
        del function, args, answer
        release_free_memory()


warm_up()
