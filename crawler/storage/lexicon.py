"""The word-frequency lexicon the Arabic analyser reads: a small SQLite file in the cache folder, not the news
database. Written whole under another name, then renamed, so a reader never sees half a file."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable
from contextlib import closing
from pathlib import Path


def write_lexicon(cache_file: Path, frequencies: Iterable[tuple[str, float]]) -> None:
    """Write (word, frequency) pairs as the lexicon file `cache_file`."""
    cache_file.parent.mkdir(parents=True, exist_ok=True)
    partial = cache_file.with_suffix(f".{os.getpid()}.tmp")
    partial.unlink(missing_ok=True)
    with closing(sqlite3.connect(partial)) as conn, conn:
        conn.execute("CREATE TABLE lexicon (word TEXT PRIMARY KEY, frequency REAL) WITHOUT ROWID")
        conn.executemany("INSERT INTO lexicon VALUES (?, ?)", frequencies)
    partial.replace(cache_file)


class Lexicon:
    """Lookups in a lexicon file, on disk: a process holds none of its words in memory."""

    def __init__(self, cache_file: Path) -> None:
        self.conn = sqlite3.connect(f"file:{cache_file}?mode=ro", uri=True, check_same_thread=False)

    def frequency(self, word: str) -> float | None:
        """The word's frequency (share of all words), None when the lexicon does not know it."""
        row = self.conn.execute("SELECT frequency FROM lexicon WHERE word = ?", (word,)).fetchone()
        return row[0] if row else None
