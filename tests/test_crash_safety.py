"""Crash safety: a writer killed mid-transaction, a full disk, two writers at once. Real processes, real SQLite."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from conftest import NEWSCRAWL, ROOT, SITES, run

ALJARIDA_ARTICLES = {
    page["path"].lstrip("/")
    for page in json.loads((SITES / "aljarida" / "expected.json").read_text(encoding="utf-8"))
    if page["is_article"]
}
VOCABULARY = [f"{a}{b}{c}" for a in "بتثجحخدذرزسشصضطظعغفقكلمنهوي" for b in "ابتثجحخدذرزس" for c in "شصضطظعغف"]


def token(number: int) -> str:
    """A word of Latin letters that only record `number` has in its title (the analyser keeps it as it is)."""
    letters = ""
    for _ in range(4):
        number, digit = divmod(number, 26)
        letters += "abcdefghijklmnopqrstuvwxyz"[digit]
    return "zq" + letters


def generated_records(count: int, seed: int = 7) -> list[dict[str, Any]]:
    """`count` distinct Arabic records with one to three images each (random words: no two are near copies)."""
    rng = random.Random(seed)
    records = []
    for number in range(count):
        words = rng.choices(VOCABULARY, k=rng.randint(60, 160))
        body = "\n".join(" ".join(words[i : i + 20]) for i in range(0, len(words), 20))
        records.append(
            {
                "url": f"https://gen.example/article/{number}",
                "source": "gen",
                "title": f"{' '.join(rng.choices(VOCABULARY, k=5))} {token(number)}",
                "body": body,
                "published_at": f"2026-11-{1 + number % 28:02d}T08:00:00+00:00",
                "images": [
                    {"url": f"https://gen.example/img/{number}-{i}.jpg", "caption": rng.choice(VOCABULARY)}
                    for i in range(rng.randint(1, 3))
                ],
            }
        )
    return records


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def rows(db: Path, sql: str, *params: Any) -> list[tuple]:
    with closing(sqlite3.connect(db, timeout=30)) as conn:
        return conn.execute(sql, params).fetchall()


def count(db: Path, sql: str = "SELECT count(*) FROM articles") -> int:
    try:
        return rows(db, sql)[0][0] if db.exists() else 0
    except sqlite3.OperationalError:  # the schema is not there yet
        return 0


def assert_consistent(db: Path, records: list[dict[str, Any]], complete: bool) -> None:
    """Integrity ok; every stored article whole (its images, its index entry); no URL twice; with `complete`,
    every record stored exactly as given."""
    assert rows(db, "PRAGMA integrity_check") == [("ok",)]
    stored = dict(rows(db, "SELECT url, id FROM articles"))
    assert len(stored) == count(db)  # url is unique: no duplicates
    assert count(db, "SELECT count(*) FROM articles_fts_docsize") == len(stored)  # the index in step
    assert rows(db, "SELECT count(*) FROM articles_fts_docsize WHERE id NOT IN (SELECT id FROM articles)") == [(0,)]
    images = dict(
        rows(db, "SELECT a.url, count(i.id) FROM articles a LEFT JOIN images i ON i.article_id = a.id GROUP BY a.id")
    )
    expected = {r["url"]: len(r["images"]) for r in records}
    assert {url: images[url] for url in stored} == {url: expected[url] for url in stored}  # no partial record
    pages = dict(rows(db, "SELECT url, article_id FROM pages WHERE status = 'article'"))
    assert all(pages.get(url) == article_id for url, article_id in stored.items())
    if complete:
        assert set(stored) == set(expected)


def assert_found_by_title_words(db: Path, records: list[dict[str, Any]], sample: int = 15) -> None:
    """A search for the title word only this record has finds it (and only it)."""
    for record in random.Random(3).sample(records, sample):
        result = run([str(NEWSCRAWL), "search", "--db", str(db), "--format", "jsonl", record["title"].split()[-1]])
        assert result.returncode == 0, result.stderr
        assert [json.loads(line)["url"] for line in result.stdout.splitlines()] == [record["url"]]


def spawn(args: list[str]) -> subprocess.Popen:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def test_an_import_killed_repeatedly_mid_write_then_completed_stores_every_record_once(tmp_path):
    records = generated_records(3000)
    source = write_jsonl(tmp_path / "records.jsonl", records)
    db = tmp_path / "news.db"
    command = [str(NEWSCRAWL), "import", str(source), "--db", str(db)]
    rng = random.Random(11)
    progress = []
    for target in (150, 700, 1300, 1900, 2500):  # kill once past this many stored, at a random moment after
        process = spawn([*command, "--min-words", "1"])
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None and count(db) < target:
            time.sleep(0.01)
        time.sleep(rng.uniform(0, 0.15))  # somewhere inside a batch's transaction, or between two
        assert process.poll() is None, f"the import ended before it could be killed: {process.stderr.read()[-2000:]}"
        process.send_signal(signal.SIGKILL)
        process.wait()
        process.stderr.close()
        progress.append(count(db))
        assert_consistent(db, records, complete=False)
    assert progress == sorted(progress) and progress[0] > 0 and progress[-1] < len(records), progress
    result = run(command)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr[-3000:]
    assert_consistent(db, records, complete=True)
    assert_found_by_title_words(db, records)
    again = run(command)  # nothing left to do: every record is there, unchanged
    assert again.returncode == 0 and "0 new" in again.stderr and count(db) == len(records), again.stderr[-2000:]


@pytest.fixture
def small_disk(tmp_path: Path):
    """A 3 MB tmpfs mounted for the test (needs root and mount), unmounted after."""
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a small tmpfs needs root")
    mountpoint = tmp_path / "small"
    mountpoint.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mountpoint)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield mountpoint
    finally:
        subprocess.run(["umount", "-l", str(mountpoint)], check=False)


def test_a_full_disk_stops_the_run_with_one_line_and_keeps_what_was_committed(tmp_path, small_disk):
    records = generated_records(2400, seed=8)
    first, rest = records[:200], records[200:]
    db = small_disk / "news.db"
    result = run([str(NEWSCRAWL), "import", str(write_jsonl(tmp_path / "first.jsonl", first)), "--db", str(db)])
    assert result.returncode == 0, result.stderr[-2000:]
    assert count(db) == len(first)

    result = run([str(NEWSCRAWL), "import", str(write_jsonl(tmp_path / "rest.jsonl", rest)), "--db", str(db)])
    assert result.returncode != 0, "the disk did not fill up: make the records bigger"
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    errors = [line for line in result.stderr.splitlines() if "disk full" in line]
    assert len(errors) == 1 and str(db) in errors[0], result.stderr[-3000:]
    stored = count(db)
    assert len(first) <= stored < len(records)
    assert_consistent(db, records, complete=False)
    assert {r["url"] for r in first} <= {url for (url,) in rows(db, "SELECT url FROM articles")}
    (run_row,) = rows(db, "SELECT status, finish_reason, errors_by_kind FROM runs ORDER BY id DESC LIMIT 1")
    if run_row[0] != "running":  # the runs row itself may not have found room
        assert run_row[0] == "failed" and run_row[1] == "disk_full", run_row
        assert json.loads(run_row[2]) == {"disk_full": 1}


def fill(folder: Path, leave: int) -> None:
    """Fill the file system of `folder` so that only about `leave` bytes are free."""
    stat = os.statvfs(folder)
    free = stat.f_bavail * stat.f_frsize
    with open(folder / "filler", "wb") as out:
        out.write(b"\0" * max(0, free - leave))


def test_however_full_the_disk_a_run_ends_in_one_line(tmp_path, small_disk):
    """From a disk too full to open the database to one that takes a few batches: no traceback, a non-zero exit,
    one line naming the database and "disk full" (whichever write failed: the database check, the runs row, the
    pipeline's connection or a batch), the committed records intact."""
    records = generated_records(400, seed=10)
    db = small_disk / "news.db"
    result = run([str(NEWSCRAWL), "import", str(write_jsonl(tmp_path / "first.jsonl", records[:100])), "--db", str(db)])
    assert result.returncode == 0, result.stderr[-2000:]
    rest = write_jsonl(tmp_path / "rest.jsonl", records[100:])
    for leave in range(0, 64 * 1024, 8 * 1024):
        (small_disk / "filler").unlink(missing_ok=True)
        fill(small_disk, leave)
        result = run([str(NEWSCRAWL), "import", str(rest), "--db", str(db)])
        assert result.returncode != 0 and "Traceback" not in result.stderr, (leave, result.stderr[-3000:])
        errors = [line for line in result.stderr.splitlines() if " ERROR: " in line or " error: " in line]
        assert len(errors) == 1 and "disk full" in errors[0] and str(db) in errors[0], (leave, result.stderr)
        (small_disk / "filler").unlink()
        assert_consistent(db, records, complete=False)
        assert count(db) == 100


@pytest.mark.parametrize("batch", ["1", "50"], ids=["mid-crawl", "at-the-end"])
def test_a_full_disk_during_a_crawl_stops_it_cleanly_and_the_next_run_stores_the_rest(env, small_disk, batch):
    """Batches of 1: the disk fills while pages are still being fetched, and the pipeline closes the spider; of 50:
    the last flush, as the spider closes, is the one that fails. Either way the listings' validators are not saved,
    so the next run, with room again, fetches and stores every article."""
    env.serve("aggregator")
    env.serve("aljarida", edit={"sections = [": 'sections = [\n  "https://www.aljarida.com/tags?query=النفط",'})
    env.db = small_disk / "news.db"
    assert env.newscrawl("crawl", "aggregator").returncode == 0
    before = env.rows("SELECT url FROM articles ORDER BY url")
    assert before
    fill(small_disk, 96 * 1024)
    result = env.newscrawl("crawl", "aljarida", "--set", f"NEWSCRAWL_BATCH_SIZE={batch}")
    assert result.returncode == 1, result.stderr[-3000:]
    assert "Traceback" not in result.stderr and "Logging error" not in result.stderr, result.stderr[-3000:]
    errors = [line for line in result.stderr.splitlines() if "disk full" in line]
    assert len(errors) == 1 and str(env.db) in errors[0], result.stderr[-3000:]
    assert env.rows("PRAGMA integrity_check") == [{"integrity_check": "ok"}]
    assert env.rows("SELECT url FROM articles WHERE source = 'aggregator' ORDER BY url") == before
    stored = env.rows("SELECT count(*) AS n FROM articles")[0]["n"]
    assert env.rows("SELECT count(*) AS n FROM articles_fts_docsize")[0]["n"] == stored
    assert stored < len(before) + len(ALJARIDA_ARTICLES)
    run_row = env.rows("SELECT status, finish_reason FROM runs WHERE source = 'aljarida'")
    assert run_row in (
        [{"status": "failed", "finish_reason": "disk_full"}],
        [{"status": "running", "finish_reason": None}],
    )
    assert env.rows("SELECT * FROM listings WHERE source = 'aljarida'") == []

    (small_disk / "filler").unlink()  # room again
    result = env.newscrawl("crawl", "aljarida")
    assert result.returncode == 0, result.stderr[-3000:]
    paths = {row["url"].split("/", 3)[3] for row in env.rows("SELECT url FROM articles WHERE source = 'aljarida'")}
    assert paths == ALJARIDA_ARTICLES


def test_two_crawls_writing_one_database_at_once_both_succeed(env):
    """`scrapy crawl` takes no lock: two sources crawled into one database at the same time wait for each other's
    transactions (busy_timeout) instead of failing with "database is locked"."""
    for site in ("aljarida", "aggregator"):
        env.serve(site).delay = 0.02
    settings = {
        **env.fast,
        "NEWSCRAWL_DB": str(env.db),
        "NEWSCRAWL_SOURCES_DIR": str(env.sources_dir),
        "NEWSCRAWL_BATCH_SIZE": "1",
    }
    sets = [item for name, value in settings.items() for item in ("-s", f"{name}={value}")]
    processes = [spawn([sys.executable, "-m", "scrapy", "crawl", site, *sets]) for site in ("aljarida", "aggregator")]
    outputs = [p.communicate(timeout=180)[1] for p in processes]
    for process, stderr in zip(processes, outputs, strict=True):
        assert process.returncode == 0, stderr[-3000:]
        assert "database is locked" not in stderr and "Traceback" not in stderr, stderr[-3000:]
    runs = env.rows("SELECT source, status, articles_new, started_at, finished_at FROM runs ORDER BY source")
    assert [(r["source"], r["status"]) for r in runs] == [("aggregator", "ok"), ("aljarida", "ok")]
    first, second = runs
    assert first["started_at"] <= second["finished_at"] and second["started_at"] <= first["finished_at"]  # at once
    by_source = {r["source"]: r["n"] for r in env.rows("SELECT source, count(*) AS n FROM articles GROUP BY source")}
    assert by_source == {r["source"]: r["articles_new"] for r in runs} and all(by_source.values())
    assert env.rows("PRAGMA integrity_check") == [{"integrity_check": "ok"}]
    assert env.rows("SELECT count(*) AS n FROM articles_fts_docsize")[0]["n"] == sum(by_source.values())


def test_two_imports_into_one_database_at_once_both_complete(tmp_path):
    """`newscrawl import` holds the crawl lock: a second one meanwhile waits its turn (NEWSCRAWL_LOCK_WAIT), then
    stores its records; nothing fails with "database is locked"."""
    records = generated_records(1200, seed=9)
    halves = [write_jsonl(tmp_path / f"{i}.jsonl", part) for i, part in enumerate((records[:600], records[600:]))]
    db = tmp_path / "news.db"
    processes = [spawn([str(NEWSCRAWL), "import", str(path), "--db", str(db)]) for path in halves]
    outputs = [p.communicate(timeout=180)[1] for p in processes]
    for process, stderr in zip(processes, outputs, strict=True):
        assert process.returncode == 0 and "database is locked" not in stderr, stderr[-3000:]
        assert "skipped" not in stderr and "import: ok" in stderr, stderr[-3000:]
    assert_consistent(db, records, complete=True)
