"""Search at scale: import rate, database size and query latency on a generated database, against stock FTS5.

Generates N Arabic articles (default 100,000) from the vocabulary of ../shared/benchmarks/arabic-search (each body
is 25 random ten-word stretches of its documents, so words keep their real neighbours), imports them with
`newscrawl import`, then prints:
  - the import rate (articles/s, the whole pipeline: validate, normalise, dedupe, near-duplicate index, store);
  - the index alone: build rate and size of newscrawl's analysed index against stock FTS5 (unicode61, external
    content, as sqlite-utils' enable_fts makes it) over the same articles table;
  - the database size with each index;
  - search latency p50/p95 (in process, `crawler.search.articles.search`) for one-word, two-word and phrase queries.
It prints figures; it asserts nothing. Usage: python benchmarks/search.py [--articles 100000]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler.search.articles import search  # noqa: E402
from crawler.storage import textindex  # noqa: E402

DOCS = ROOT.parent / "shared" / "benchmarks" / "arabic-search" / "docs.jsonl"
STOCK = [
    "CREATE VIRTUAL TABLE stock_fts USING fts5(title, body, caption, tokenize='unicode61 remove_diacritics 2',"
    " content='articles', content_rowid='id')",
    "INSERT INTO stock_fts (stock_fts) VALUES ('rebuild')",
]


def corpus_words() -> list[str]:
    words: list[str] = []
    for line in DOCS.read_text(encoding="utf-8").splitlines():
        doc = json.loads(line)
        words += f"{doc['title']} {doc['body']}".split()
    return words


def write_articles(path: Path, count: int, words: list[str], rng: random.Random) -> None:
    with path.open("w", encoding="utf-8") as out:
        for i in range(count):
            stretches = []
            for _ in range(25):
                start = rng.randrange(len(words) - 10)
                stretches.append(" ".join(words[start : start + 10]))
            title = " ".join(rng.choice(words) for _ in range(7))
            record = {"url": f"https://bench.test/a/{i}", "title": title, "body": "\n".join(stretches)}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


def timed(conn: sqlite3.Connection, statements: list[str]) -> float:
    start = time.perf_counter()
    with conn:
        for statement in statements:
            conn.execute(statement)
    return time.perf_counter() - start


def vacuumed_size(db: Path, drop: str) -> int:
    """Size of a copy of the database without the `drop` table, vacuumed."""
    copy = db.with_name(f"without-{drop}.db")
    shutil.copy(db, copy)
    with closing(sqlite3.connect(copy)) as conn:
        conn.execute(f"DROP TABLE {drop}")
        conn.execute("VACUUM")
    size = copy.stat().st_size
    copy.unlink()
    return size


def latency(db: Path, queries: list[str]) -> tuple[float, float]:
    times = []
    for query in queries:
        start = time.perf_counter()
        search(db, query, limit=20)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    if not DOCS.exists():
        sys.exit(f"bench-search: {DOCS} not found (../shared/benchmarks next to the project)")
    rng = random.Random(7)
    words = corpus_words()
    with tempfile.TemporaryDirectory(prefix="newscrawl-bench-search-") as tmp:
        source, db = Path(tmp) / "articles.jsonl", Path(tmp) / "news.db"
        write_articles(source, args.articles, words, rng)
        start = time.perf_counter()
        subprocess.run(
            [str(Path(sys.executable).with_name("newscrawl")), "import", str(source), "--db", str(db)], check=True
        )
        imported = time.perf_counter() - start
        with closing(sqlite3.connect(db)) as conn:
            stored = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
            analysed = _rebuild(conn)
            stock = timed(conn, STOCK)
        size_analysed = vacuumed_size(db, "stock_fts")
        size_stock = vacuumed_size(db, "articles_fts")
        one = [rng.choice(words) for _ in range(args.queries)]
        two = [f"{rng.choice(words)} {rng.choice(words)}" for _ in range(args.queries)]
        phrases = []
        for _ in range(args.queries):
            start_word = rng.randrange(len(words) - 2)
            phrases.append('"' + " ".join(words[start_word : start_word + 2]) + '"')
        latency(db, one[:20])  # warm the lexicon, the analyser's cache and the page cache
        print(f"newscrawl import: {stored:,} articles in {imported:.1f} s = {stored / imported:,.0f} articles/s")
        with_stock = imported - analysed + stock  # the same import with the stock index in place of the analysed one
        print(
            f"import rate against the same import with stock FTS5 (its index time in place of ours):"
            f" {with_stock / imported:.2f}"
        )
        print(
            f"index build over the same articles: analysed {stored / analysed:,.0f} articles/s ({analysed:.1f} s),"
            f" stock FTS5 {stored / stock:,.0f} articles/s ({stock:.1f} s): rate ratio {stock / analysed:.2f}"
        )
        print(
            f"database size: with the analysed index {size_analysed / 1e6:,.1f} MB, with stock FTS5"
            f" {size_stock / 1e6:,.1f} MB: ratio {size_analysed / size_stock:.2f}"
        )
        for name, queries in (("one word", one), ("two words", two), ("phrase", phrases)):
            p50, p95 = latency(db, queries)
            print(f"search latency, {name}: p50 {p50:.1f} ms, p95 {p95:.1f} ms ({len(queries)} queries)")


def _rebuild(conn: sqlite3.Connection) -> float:
    start = time.perf_counter()
    textindex.rebuild(conn)
    conn.commit()
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
