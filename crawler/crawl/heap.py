"""Hand the heap's free pages back to the system (glibc's malloc_trim), in an extraction worker after each page and
in the crawl process now and then."""

from __future__ import annotations

import ctypes
import ctypes.util
from collections.abc import Callable


def _malloc_trim() -> Callable[[], object]:
    """glibc's malloc_trim(0): hand the heap's free pages back to the system. A freed page (a parse tree, a response
    body, a pickled answer) otherwise stays with the process, and each thread's heap keeps its own. A no-op
    without glibc."""
    try:
        trim = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return lambda: None
    trim.argtypes = [ctypes.c_size_t]
    return lambda: trim(0)


release_free_memory = _malloc_trim()
