"""The crawl-state parts of the Archive on a real temporary database, without a crawl: runs (opened, finished,
found killed and recorded so), what a source already knows (KnownUrls), and the listings' validators."""

from __future__ import annotations

import socket
import sqlite3
import subprocess
import sys
import threading
from datetime import datetime, timedelta, timezone

import pytest
import sqlite_utils
from sqlite_utils.db import NotFoundError

from crawler.crawl.killed import killed_runs, this_process
from crawler.crawl.lock import CrawlLock
from crawler.storage.archive import Archive
from crawler.storage.known import KnownUrls
from crawler.storage.listings import Listings
from crawler.storage.runs import try_record_killed

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)


def at(hours: float) -> str:
    return (T0 + timedelta(hours=hours)).isoformat()


def a_run(source: str = "aljarida", **columns: object) -> dict[str, object]:
    return {"source": source, "started_at": at(0), "as_of": at(0), "status": "running", "kind": "crawl", **columns}


def store_article(db: sqlite_utils.Database, url: str, source: str = "aljarida", **columns: object) -> int:
    row = {"url": url, "source": source, "title": "t", "body": "b", "first_seen_at": at(0), **columns}
    return db["articles"].insert(row).last_pk


def store_page(db: sqlite_utils.Database, url: str, status: str, source: str = "aljarida", **columns: object) -> None:
    row = {"url": url, "source": source, "status": status, "reason": "", "fetched_at": at(0), **columns}
    db["pages"].insert(row)


def dead_pid() -> int:
    """The pid of a process that has exited (and been reaped)."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


@pytest.fixture
def path(tmp_path):
    return tmp_path / "news.db"


# --- runs ---------------------------------------------------------------------------------------------------------


def test_a_run_is_inserted_running_then_finished_with_its_counts(path):
    with Archive.open(path) as archive:
        first = archive.runs.insert(a_run())
        second = archive.runs.insert(a_run("aggregator"))
        archive.runs.update(first, {"status": "ok", "finish_reason": "finished", "articles_new": 3})
        assert archive.runs.running() == [(second, None, None, at(0))]
    with Archive.open_readonly(path) as archive:
        rows = [dict(row) for row in archive.conn.execute("SELECT id, source, status, articles_new FROM runs")]
    assert rows == [
        {"id": first, "source": "aljarida", "status": "ok", "articles_new": 3},
        {"id": second, "source": "aggregator", "status": "running", "articles_new": None},
    ]
    assert (first, second) == (1, 2)


def test_a_new_run_gets_an_id_no_stored_article_names_even_after_the_runs_were_deleted(path):
    with Archive.open(path) as archive:
        store_article(archive.db, "https://example.com/a/1", run_id=7)
        assert archive.runs.insert(a_run()) == 8
        archive.db.execute("DELETE FROM runs")
        archive.conn.commit()
        assert archive.runs.insert(a_run()) == 8  # run 8 stored nothing: its id is free again
        assert archive.runs.insert(a_run()) == 9


def test_finishing_a_run_that_is_not_there_says_so(path):
    with Archive.open(path) as archive, pytest.raises(NotFoundError):
        archive.runs.update(41, {"status": "ok"})


def test_a_run_whose_process_is_gone_is_killed_and_one_whose_process_lives_is_not(path):
    with Archive.open(path) as archive:
        gone = archive.runs.insert(a_run(pid=dead_pid(), host=socket.gethostname()))
        going = archive.runs.insert(a_run(**this_process(), started_at=datetime.now(timezone.utc).isoformat()))
        reused = archive.runs.insert(a_run(**this_process()))  # this pid, but a process started after the run
        elsewhere = archive.runs.insert(a_run(pid=1, host="another-host"))  # told by the crawl lock
        assert killed_runs(archive.runs, path) == [gone, reused, elsewhere]
        with CrawlLock(path):  # held by this process: not "elsewhere", so the lock is still free for the others
            assert killed_runs(archive.runs, path) == [gone, reused, elsewhere]
        holder = subprocess.Popen(
            [sys.executable, "-c", f"from crawler.crawl.lock import CrawlLock\nwith CrawlLock({str(path)!r}):\n"
             "    print('held', flush=True); input()"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            assert holder.stdout.readline() == "held\n"
            assert killed_runs(archive.runs, path) == [gone, reused]  # a lock held elsewhere: that run is going
        finally:
            holder.communicate("\n", timeout=60)
        assert going not in killed_runs(archive.runs, path)


def test_a_killed_run_is_recorded_with_the_articles_it_stored_first_as_its_new_ones(path):
    with Archive.open(path) as archive:
        killed = archive.runs.insert(a_run(pid=dead_pid(), host=socket.gethostname()))
        other = archive.runs.insert(a_run(status="ok"))
        store_article(archive.db, "https://example.com/a/1", run_id=killed, first_seen_at=at(1))  # new in the run
        store_article(archive.db, "https://example.com/a/2", run_id=killed, first_seen_at=at(-1))  # updated by it
        original = store_article(archive.db, "https://example.com/a/3", run_id=other, first_seen_at=at(1))
        store_article(archive.db, "https://example.com/a/4", run_id=killed, first_seen_at=at(1), duplicate_of=original)
        archive.conn.commit()
        archive.runs.record_killed([killed, other])  # a run no longer running is left as it is
        rows = list(archive.db.query("SELECT id, status, finish_reason, articles_new FROM runs"))
    assert rows == [
        {"id": killed, "status": "killed", "finish_reason": "killed", "articles_new": 1},
        {"id": other, "status": "ok", "finish_reason": None, "articles_new": None},
    ]


def test_a_reader_records_killed_runs_when_it_can_write_and_quietly_not_when_it_cannot(path, tmp_path):
    with Archive.open(path) as archive:
        killed = archive.runs.insert(a_run(pid=dead_pid(), host=socket.gethostname()))
    with Archive.open_readonly(path) as archive:
        ids = killed_runs(archive.runs, path)
        with pytest.raises(sqlite3.OperationalError):  # a read-only archive does not write
            archive.runs.record_killed(ids)
    try_record_killed(tmp_path / "no such folder" / "news.db", ids)  # cannot be opened: nothing said, nothing done
    try_record_killed(path, ids)
    with Archive.open_readonly(path) as archive:
        assert archive.runs.running() == []
        assert archive.conn.execute("SELECT status FROM runs WHERE id = ?", (killed,)).fetchone()[0] == "killed"


# --- known URLs -----------------------------------------------------------------------------------------------------


def test_a_source_knows_the_pages_it_fetched_and_not_another_sources(path):
    with Archive.open(path) as archive:
        article = store_article(archive.db, "https://example.com/a/1", published_at=at(-48))
        store_page(archive.db, "https://example.com/a/1", "article", article_id=article)
        store_page(archive.db, "https://example.com/about", "not_article")
        store_page(archive.db, "https://example.com/b/1", "article", source="aggregator")
        archive.conn.commit()
    known = KnownUrls(path, "aljarida")
    try:
        assert known.knows("https://example.com/a/1") and "https://example.com/about" in known
        assert known.knows("https://example.com/a/1#comments")  # the canonical URL is looked up
        assert not known.knows("https://example.com/a/2")
        assert not known.knows("https://example.com/b/1")  # another source's page
    finally:
        known.close()


def test_a_young_article_is_not_known_so_that_its_updates_are_fetched(path):
    with Archive.open(path) as archive:
        for n, born in enumerate([at(-48), at(-2)], start=1):
            url = f"https://example.com/a/{n}"
            store_page(archive.db, url, "article", article_id=store_article(archive.db, url, published_at=born))
        url = "https://example.com/a/3"  # no publication date: born when first seen
        store_page(archive.db, url, "article", article_id=store_article(archive.db, url, first_seen_at=at(-1)))
        store_page(archive.db, "https://example.com/about", "not_article", fetched_at=at(-1))
        archive.conn.commit()
    known = KnownUrls(path, "aljarida", revisit_after=T0 - timedelta(hours=24))
    try:
        assert known.knows("https://example.com/a/1")
        assert not known.knows("https://example.com/a/2") and not known.knows("https://example.com/a/3")
        assert known.knows("https://example.com/about")  # only articles are revisited
        assert sorted(known.young_articles("aljarida")) == ["https://example.com/a/2", "https://example.com/a/3"]
        assert known.young_articles("aggregator") == []
    finally:
        known.close()
    known = KnownUrls(path, "aljarida")  # no revisit_hours: every article is known, none is young
    try:
        assert known.knows("https://example.com/a/2") and known.young_articles("aljarida") == []
    finally:
        known.close()


def test_a_page_not_extracted_is_known_until_its_listing_dates_it_after_that_fetch(path):
    with Archive.open(path) as archive:
        for status in ("extract_timeout", "too_complex", "extraction_crashed", "not_article"):
            store_page(archive.db, f"https://example.com/{status}", status)
        archive.conn.commit()
    known = KnownUrls(path, "aljarida")
    try:
        for status in ("extract_timeout", "too_complex", "extraction_crashed"):
            url = f"https://example.com/{status}"
            assert known.knows(url) and known.knows(url, T0 - timedelta(hours=1)) and known.knows(url, T0)
            assert not known.knows(url, T0 + timedelta(hours=1)), status  # changed since: fetched again
        assert known.knows("https://example.com/not_article", T0 + timedelta(hours=1))
    finally:
        known.close()


def test_the_last_success_is_the_newest_complete_crawl(path):
    with Archive.open(path) as archive:
        archive.runs.insert(a_run(as_of=at(-48), status="ok"))
        archive.runs.insert(a_run(as_of=at(-24), status="ok"))
        archive.runs.insert(a_run(as_of=at(-12), status="ok", limits="{}"))
        archive.runs.insert(a_run(as_of=at(-6), status="ok", limits='{"max_scheduled": 4}'))  # left some out
        archive.runs.insert(a_run(as_of=at(-3), status="failed"))
        archive.runs.insert(a_run(as_of=at(-2), status="ok", kind="reextract"))
        archive.runs.insert(a_run(as_of=at(-1), status="ok", source="aggregator"))
        archive.runs.insert(a_run(as_of=at(0)))  # still running
    known = KnownUrls(path, "aljarida")
    try:
        assert known.last_success("aljarida") == T0 - timedelta(hours=12)
        assert known.last_success("mirror") is None
    finally:
        known.close()


def test_without_a_database_nothing_is_known_and_none_is_made(tmp_path):
    for path, content in ((tmp_path / "missing.db", None), (tmp_path / "empty.db", b""), (tmp_path / "x.db", b"x")):
        if content is not None:
            path.write_bytes(content)
        known = KnownUrls(path, "aljarida", revisit_after=T0)
        assert not known.knows("https://example.com/a/1") and known.young_articles("aljarida") == []
        assert known.last_success("aljarida") is None
        known.close()
        assert path.exists() == (content is not None)


def test_known_urls_answer_from_any_thread(path):
    with Archive.open(path) as archive:
        store_page(archive.db, "https://example.com/about", "not_article")
        archive.conn.commit()
    known = KnownUrls(path, "aljarida")
    answers: list[object] = []
    thread = threading.Thread(target=lambda: answers.append(known.knows("https://example.com/about")))
    thread.start()
    thread.join()
    known.close()
    assert answers == [True]


# --- listing validators ---------------------------------------------------------------------------------------------


def test_listing_validators_round_trip_per_source_and_the_newest_replace_the_old(path):
    def row(url: str, etag: str | None, modified: str | None, source: str = "aljarida") -> dict[str, object]:
        return {"url": url, "source": source, "etag": etag, "last_modified": modified, "checked_at": at(0)}

    feed, sitemap, other = "https://example.com/feed", "https://example.com/sitemap.xml", "https://b.example/feed"
    with Archive.open(path) as archive:
        assert archive.listings.validators("aljarida") == {}
        archive.listings.save([row(feed, '"v1"', None), row(sitemap, None, "Fri, 20 Nov 2026 08:00:00 GMT")])
        archive.listings.save([row(feed, '"v2"', "Fri, 20 Nov 2026 09:00:00 GMT"), row(other, '"b"', None, "b")])
    with Archive.open_readonly(path) as archive:
        assert archive.listings.validators("aljarida") == {
            feed: ('"v2"', "Fri, 20 Nov 2026 09:00:00 GMT"),
            sitemap: (None, "Fri, 20 Nov 2026 08:00:00 GMT"),
        }
        assert archive.listings.validators("b") == {other: ('"b"', None)}


def test_a_database_without_a_listings_table_has_no_validators():
    assert Listings(sqlite_utils.Database(memory=True)).validators("aljarida") == {}
