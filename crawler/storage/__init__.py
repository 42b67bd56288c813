"""The storage library: every SQL statement of newscrawl, reached through an Archive (archive.py) and its parts."""

import sys

# sqlite-utils imports numpy when it is installed (the 'plot' extra brings it) only to map numpy's scalar types to
# column types, which newscrawl never stores: 12 MB more in every process that opens the database, the crawl's
# included. It is imported here, before any part of the library, with numpy out of its sight; whoever needs numpy
# (the plots) still imports it.
if "numpy" not in sys.modules and "sqlite_utils" not in sys.modules:
    sys.modules["numpy"] = None  # type: ignore[assignment]  # an import of numpy fails while this stands
    try:
        import sqlite_utils  # noqa: F401
    finally:
        del sys.modules["numpy"]
