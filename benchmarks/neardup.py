"""Near-duplicate lookup cost as the database grows: 10,000 and 1,000,000 stored articles.

For each size, a fresh database gets the band keys of N stored articles: 1,000 real ones (generated Arabic
articles, indexed by `crawler.storage.neardup.index` with their text in `articles`) and N - 1,000 whose band keys are
random (written by SQL: what matters for the lookup is the size of the index it probes). Then it looks up, timing each:
an edited copy of each real article (headline changed, a paragraph cut, a credit line added) and as many unrelated
new texts. It prints the lookup time (mean, p95), how many copies were found, how many unrelated texts were
wrongly matched, and the index's size. It prints figures; it asserts nothing.
Usage: python benchmarks/neardup.py [--sizes 10000 1000000]
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler.storage import neardup  # noqa: E402
from crawler.storage.db import open_db  # noqa: E402

DOCS = ROOT.parent / "shared" / "benchmarks" / "arabic-search" / "docs.jsonl"
REAL = 1000
THRESHOLD = 0.8


def corpus_words() -> list[str]:
    words: list[str] = []
    for line in DOCS.read_text(encoding="utf-8").splitlines():
        doc = json.loads(line)
        words += doc["body"].split()
    return words


def article(words: list[str], rng: random.Random) -> list[str]:
    """Eight paragraphs of 30 words: three real ten-word stretches each."""
    paragraphs = []
    for _ in range(8):
        parts = []
        for _ in range(3):
            start = rng.randrange(len(words) - 10)
            parts.append(" ".join(words[start : start + 10]))
        paragraphs.append(" ".join(parts))
    return paragraphs


def edited(paragraphs: list[str], rng: random.Random) -> str:
    """The story as another outlet runs it: one paragraph cut, a credit line added."""
    kept = paragraphs[:]
    del kept[rng.randrange(len(kept))]
    return "\n".join([*kept, "المصدر: الجريدة"])


def build(db_path: Path, size: int, words: list[str], rng: random.Random) -> tuple[list[list[str]], float]:
    db = open_db(db_path)
    conn = db.conn
    stories = [article(words, rng) for _ in range(REAL)]
    start = time.perf_counter()
    with conn:
        for i, paragraphs in enumerate(stories, 1):
            body = "\n".join(paragraphs)
            conn.execute(
                "INSERT INTO articles (id, url, source, title, body) VALUES (?, ?, 'bench', ?, ?)",
                [i, f"https://bench.test/{i}", f"story {i}", body],
            )
            neardup.index(conn, i, neardup.shingles(body))
    index_ms = (time.perf_counter() - start) * 1000 / REAL
    bulk = size - REAL
    with conn:  # the other articles' band keys, random, written by SQLite itself
        conn.execute(
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?)"
            " INSERT OR IGNORE INTO lsh_bands (key, article_id) SELECT random(), ? + i / ? FROM n",
            [bulk * neardup.BANDS - 1, REAL + 1, neardup.BANDS],
        )
    db.close()
    return stories, index_ms


def lookups(conn: sqlite3.Connection, texts: list[str]) -> tuple[list[float], int]:
    times, found = [], 0
    for text in texts:
        start = time.perf_counter()
        match = neardup.find(conn, neardup.shingles(text), THRESHOLD)
        times.append((time.perf_counter() - start) * 1000)
        found += match is not None
    return times, found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 1_000_000])
    args = parser.parse_args()
    if not DOCS.exists():
        sys.exit(f"bench-neardup: {DOCS} not found (../shared/benchmarks next to the project)")
    words = corpus_words()
    for size in args.sizes:
        rng = random.Random(11)
        with tempfile.TemporaryDirectory(prefix="newscrawl-bench-neardup-") as tmp:
            db_path = Path(tmp) / "news.db"
            started = time.perf_counter()
            stories, index_ms = build(db_path, size, words, rng)
            built = time.perf_counter() - started
            conn = sqlite3.connect(db_path)
            copies = [edited(story, rng) for story in stories]
            unrelated = ["\n".join(article(words, rng)) for _ in range(REAL)]
            copy_times, copies_found = lookups(conn, copies)
            new_times, wrong = lookups(conn, unrelated)
            rows = conn.execute("SELECT count(*) FROM lsh_bands").fetchone()[0]
            conn.close()
            size_mb = db_path.stat().st_size / 1e6
        every = sorted(copy_times + new_times)
        print(
            f"{size:>9,} stored articles: lookup mean {statistics.mean(every):.2f} ms,"
            f" p95 {every[int(len(every) * 0.95) - 1]:.2f} ms;"
            f" edited copies found {copies_found}/{len(copies)}, unrelated texts matched {wrong}/{len(unrelated)};"
            f" indexing {index_ms:.2f} ms per article; {rows:,} band rows, database {size_mb:,.0f} MB"
            f" (built in {built:.0f} s)"
        )


if __name__ == "__main__":
    main()
