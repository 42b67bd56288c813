"""No command reports work it did not do: commands that find a crawl running wait for it or fail in one line, an
import's counts add up to what the database holds, and a crawl killed with SIGKILL shows as killed."""

from __future__ import annotations

import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time
from typing import Any

from conftest import NEWSCRAWL, ROOT, CrawlEnv

COUNTS = re.compile(r"(\d+) (new|updated|unchanged|duplicates|repeated|rejected)\b")
WORDS = [f"{a}{b}{c}" for a in "bcdfghklmnprst" for b in "aeiou" for c in "lmnrst"]


def record(number: int, **fields: Any) -> dict[str, Any]:
    """A record of the `gen` source with a body of its own (random words: no two are near copies)."""
    body = " ".join(random.Random(number).choices(WORDS, k=60))
    return {
        "url": f"https://gen.example/a/{number}",
        "source": "gen",
        "title": f"Title {number}",
        "body": body,
        **fields,
    }


def jsonl(records: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(r) + "\n" for r in records)


def newscrawl(env: CrawlEnv, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    """`newscrawl ARGS --db ...`, with standard input."""
    command = [str(NEWSCRAWL), *args, "--db", str(env.db)]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, input=stdin, timeout=300)


def spawn_crawl(env: CrawlEnv, *names: str) -> subprocess.Popen:
    """`newscrawl crawl NAMES` in the background."""
    sets = [item for name, value in env.fast.items() for item in ("--set", f"{name}={value}")]
    command = [str(NEWSCRAWL), "crawl", *names, "--db", str(env.db), "--sources-dir", str(env.sources_dir), *sets]
    process_env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        command, cwd=ROOT, env=process_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )


def wait_for_running_run(env: CrawlEnv, run_id: int, process: subprocess.Popen) -> None:
    """Until run `run_id` is recorded as running (the crawl holds the lock by then)."""
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if env.db.exists() and env.rows("SELECT id FROM runs WHERE id = ? AND status = 'running'", run_id):
                return
        except sqlite3.OperationalError:  # the schema is not there yet
            pass
        time.sleep(0.05)
    raise AssertionError(f"run {run_id} never seen running: {process.poll()}")


def hold_lock(env: CrawlEnv) -> subprocess.Popen:
    """A process holding the database's crawl lock until its standard input closes."""
    code = (
        "import sys; from crawler.crawl.lock import CrawlLock\n"
        f"with CrawlLock({str(env.db)!r}):\n    print('held', flush=True); sys.stdin.read()"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", code], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout.readline().strip() == "held"
    return holder


def test_an_import_waits_for_a_running_crawl_then_imports_its_piped_input(env):
    env.serve("aggregator").delay = 3.0  # a slow site: the crawl holds the lock for a while
    crawl = spawn_crawl(env, "aggregator")
    wait_for_running_run(env, 1, crawl)
    records = [record(n) for n in range(5)]
    imported = newscrawl(env, "import", "-", stdin=jsonl(records))  # the default wait: NEWSCRAWL_LOCK_WAIT
    assert crawl.wait(timeout=300) == 0, crawl.stderr.read()[-3000:]
    crawl.stderr.close()
    assert imported.returncode == 0, imported.stderr
    assert "skipped" not in imported.stderr and "import: ok" in imported.stderr, imported.stderr
    stored = {row["url"] for row in env.rows("SELECT url FROM articles WHERE source = 'gen'")}
    assert stored == {r["url"] for r in records}
    crawled, imported_run = env.rows("SELECT kind, status, started_at, finished_at FROM runs ORDER BY id")
    assert (crawled["kind"], crawled["status"], imported_run["kind"]) == ("crawl", "ok", "import")
    assert imported_run["started_at"] >= crawled["finished_at"]  # it ran after the crawl, not beside it


def test_commands_that_cannot_get_the_lock_in_time_fail_in_one_line_and_do_nothing(env):
    first = newscrawl(env, "import", "-", stdin=jsonl([record(0)]))
    assert first.returncode == 0, first.stderr
    holder = hold_lock(env)
    try:
        records = [record(n) for n in range(1, 4)]
        results = {
            "nothing imported from standard input": newscrawl(env, "import", "-", "--wait", "1", stdin=jsonl(records)),
            "index not rebuilt": newscrawl(env, "reindex", "--wait", "0"),
            "nothing re-extracted": env.newscrawl("reextract", "--wait", "0.5"),
        }
        for undone, result in results.items():
            assert result.returncode == 1, result.stderr
            lines = result.stderr.strip().splitlines()
            assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
            assert lines[0].startswith(f"newscrawl: error: {env.db}.lock: still held by another crawl (pid ")
            assert lines[0].endswith(undone), lines[0]
        assert env.rows("SELECT count(*) AS n FROM articles") == [{"n": 1}]
        assert env.rows("SELECT kind FROM runs") == [{"kind": "import"}]
    finally:
        holder.stdin.close()
        holder.wait(timeout=60)
    again = newscrawl(env, "import", "-", "--wait", "1", stdin=jsonl(records))  # the lock is free: done now
    assert again.returncode == 0, again.stderr
    assert env.rows("SELECT count(*) AS n FROM articles") == [{"n": 4}]


def test_the_import_counts_add_up_to_what_the_database_holds(env):
    existing = [record(n) for n in range(5)]
    assert newscrawl(env, "import", "-", stdin=jsonl(existing)).returncode == 0
    before = {row["url"]: row for row in env.rows("SELECT url, title, body FROM articles")}
    lines = [
        record(10),  # new
        record(10),  # the same line again: repeated
        record(11),  # new...
        record(11, body=record(11)["body"] + " with a correction"),  # ...then changed later in the input: repeated
        record(0, body=existing[0]["body"] + " updated"),  # an existing row changed: updated
        existing[1],  # an existing row as it is: unchanged
        record(12, url="https://gen.example/a/12?utm_source=feed"),  # new (its canonical URL drops utm_source)
        record(13, url="https://gen.example/a/12#top"),  # the same canonical URL, another text: repeated
        record(2, url="https://gen.example/copy/2"),  # the source's own text under another URL: a duplicate
        record(3, url="https://other.example/copy/3", source="other"),  # another source's copy: stored, linked
        {"url": "https://gen.example/a/14", "source": "gen", "title": "Short", "body": "too short"},  # rejected
        existing[1],  # the unchanged row once more...
        record(1, body=existing[1]["body"] + " edited"),  # ...and changed by a later line: updated after all
    ]
    result = newscrawl(env, "import", "-", "--min-words", "5", stdin=jsonl(lines))
    assert result.returncode == 0, result.stderr
    summary = [line for line in result.stderr.splitlines() if "import: ok" in line]
    assert len(summary) == 1, result.stderr
    counts = {name: int(number) for number, name in COUNTS.findall(summary[0])}
    stored_copies = int(re.search(r"duplicates \((\d+) stored", summary[0]).group(1))

    (run_row,) = env.rows("SELECT * FROM runs WHERE id = 2")
    after = {row["url"]: row for row in env.rows("SELECT url, title, body, duplicate_of, run_id FROM articles")}
    added = [after[url] for url in after.keys() - before.keys()]
    changed = [
        url
        for url in before
        if (after[url]["title"], after[url]["body"]) != (before[url]["title"], before[url]["body"])
    ]
    touched = [url for url in before if after[url]["run_id"] == run_row["id"]]
    assert len(added) == counts["new"] + stored_copies
    assert stored_copies == len([row for row in added if row["duplicate_of"] is not None])
    assert counts["updated"] == len(changed) and counts["unchanged"] == len(touched) - len(changed)
    assert counts["rejected"] == len(env.rows("SELECT url FROM pages WHERE status = 'too_short'"))
    assert sum(counts.values()) == len(lines)
    assert {k: run_row[f"articles_{k}"] for k in ("new", "updated", "unchanged")} == {
        k: counts[k] for k in ("new", "updated", "unchanged")
    }
    assert (run_row["duplicates"], run_row["rejected"]) == (counts["duplicates"], counts["rejected"])
    assert counts == {"new": 3, "updated": 2, "unchanged": 0, "duplicates": 2, "repeated": 5, "rejected": 1}
    assert stored_copies == 1
    assert after["https://gen.example/a/11"]["body"] == lines[3]["body"]  # the last line of a URL wins
    assert after["https://gen.example/a/12"]["body"] == lines[7]["body"]


def test_a_deleted_run_s_id_is_not_used_again(env):
    """Articles name the run that last stored them: after the runs table is emptied, a new run gets an id no article
    names, and the same file imported again is found unchanged (not taken for lines the new run already stored)."""
    records = jsonl([record(n) for n in range(4)])
    assert newscrawl(env, "import", "-", stdin=records).returncode == 0
    env.rows("DELETE FROM runs")
    again = newscrawl(env, "import", "-", stdin=records)
    assert again.returncode == 0 and "0 new, 0 updated, 4 unchanged, 0 duplicates, 0 rejected" in again.stderr
    assert env.rows("SELECT id FROM runs") == [{"id": 2}]
    assert env.rows("SELECT DISTINCT run_id FROM articles") == [{"run_id": 2}]


def test_a_crawl_killed_mid_run_is_shown_killed_and_status_fails(env):
    server = env.serve("aggregator")
    assert env.newscrawl("crawl").returncode == 0
    assert env.newscrawl("status").returncode == 0
    server.delay = 10.0  # the next crawl is still waiting for pages when it is killed
    crawl = spawn_crawl(env, "aggregator")
    wait_for_running_run(env, 2, crawl)
    during = env.newscrawl("status")  # a run that is going is not killed
    assert during.returncode == 0 and "killed" not in during.stdout, during.stdout + during.stderr
    crawl.send_signal(signal.SIGKILL)
    crawl.wait(timeout=60)
    crawl.stderr.close()
    assert env.rows("SELECT status FROM runs WHERE id = 2") == [{"status": "running"}]

    result = env.newscrawl("status")
    assert result.returncode == 1, result.stdout + result.stderr
    (line,) = result.stdout.splitlines()
    assert line.startswith("aggregator\tlast run ") and " killed\t" in line and "!! run 2 killed" in line, line
    assert env.rows("SELECT status, finish_reason FROM runs WHERE id = 2") == [
        {"status": "killed", "finish_reason": "killed"}
    ]


def test_the_next_run_records_a_killed_one_and_a_lockless_crawl_is_not_taken_for_killed(env):
    """`scrapy crawl` takes no lock: its run is told from a killed one by its process, not by the lock."""
    env.serve("aggregator").delay = 10.0
    settings = {**env.fast, "NEWSCRAWL_DB": str(env.db), "NEWSCRAWL_SOURCES_DIR": str(env.sources_dir)}
    sets = [item for name, value in settings.items() for item in ("-s", f"{name}={value}")]
    process_env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    scrapy = subprocess.Popen(
        [sys.executable, "-m", "scrapy", "crawl", "aggregator", *sets],
        cwd=ROOT,
        env=process_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_for_running_run(env, 1, scrapy)
    during = env.newscrawl("status")
    assert "killed" not in during.stdout, during.stdout
    assert env.rows("SELECT status FROM runs WHERE id = 1") == [{"status": "running"}]
    scrapy.send_signal(signal.SIGKILL)
    scrapy.wait(timeout=60)
    scrapy.stderr.close()

    env.servers["aggregator"].delay = 0.0
    result = env.newscrawl("crawl")
    assert result.returncode == 0, result.stderr
    assert env.rows("SELECT id, status FROM runs ORDER BY id") == [
        {"id": 1, "status": "killed"},
        {"id": 2, "status": "ok"},
    ]
    assert env.newscrawl("status").returncode == 0  # the last run is the one that finished
