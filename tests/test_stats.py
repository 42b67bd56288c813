"""`newscrawl stats`: articles per source per day of a crawled database, as a table and as a PNG chart."""

from __future__ import annotations

import shutil
import sqlite3
import sys
from collections import Counter
from contextlib import closing
from datetime import date
from pathlib import Path

from conftest import NEWSCRAWL, run
from crawler.web import stats


def test_counts_per_day_and_source(crawled):
    rows = crawled.rows("SELECT source, published_at FROM articles")
    expected = Counter((row["published_at"][:10], row["source"]) for row in rows)  # stored as UTC
    counts = stats.daily_counts(crawled.db)
    assert counts.days == sorted({day for day, _ in expected})
    assert counts.sources == ["aggregator", "aljarida", "mirror"]
    assert {(d, s): counts.count(d, s) for d in counts.days for s in counts.sources if counts.count(d, s)} == expected
    assert counts.count("2024-08-11", "aggregator") == 2 and counts.undated == 0
    assert stats.daily_counts(crawled.db, source="mirror").sources == ["mirror"]


def test_last_days_include_empty_ones(crawled):
    counts = stats.daily_counts(crawled.db, days=3, today=date(2024, 8, 12))
    assert counts.days == ["2024-08-10", "2024-08-11", "2024-08-12"]
    assert counts.day_total("2024-08-10") == 0
    assert counts.day_total("2024-08-11") == len(
        crawled.rows("SELECT id FROM articles WHERE published_at LIKE '2024-08-11%'")
    )


def test_articles_without_publication_time_count_on_the_day_first_seen(crawled, tmp_path):
    copy = Path(shutil.copy(crawled.db, tmp_path / "copy.db"))
    with closing(sqlite3.connect(copy)) as conn, conn:
        conn.execute(
            "UPDATE articles SET published_at = NULL, first_seen_at = '2024-09-01T23:30:00-01:00' WHERE source = 'mirror'"
        )
    counts = stats.daily_counts(copy)
    mirrored = len(crawled.rows("SELECT id FROM articles WHERE source = 'mirror'"))
    assert counts.count("2024-09-02", "mirror") == mirrored and counts.undated == mirrored
    assert f"{mirrored} article(s) dated by first_seen_at" in stats.format_table(counts)


def test_cli_prints_the_table_and_draws_a_png(crawled, tmp_path):
    png = tmp_path / "stats.png"
    result = crawled.newscrawl("stats", "--plot", str(png))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("articles per day by source; day = UTC day of published_at")
    assert lines[1].split() == ["day", "aggregator", "aljarida", "mirror", "total"]
    assert lines[-1].split()[0] == "total" and int(lines[-1].split()[-1]) == len(
        crawled.rows("SELECT id FROM articles")
    )
    days = [line.split()[0] for line in lines[2:-1]]
    assert days == sorted(days)  # newest last
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
    from PIL import Image

    with Image.open(png) as image:
        assert image.size == (800, 500)


def test_cli_errors_are_one_line_and_exit_2(tmp_path, crawled):
    missing = tmp_path / "none.db"
    result = run([str(NEWSCRAWL), "stats", "--db", str(missing)])
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"newscrawl: error: {missing}: no database (run `newscrawl crawl` first)"
    ]
    hide = "import sys; sys.modules['matplotlib'] = None; from crawler.cli import main; main()"
    result = run([sys.executable, "-c", hide, "stats", "--db", str(crawled.db), "--plot", str(tmp_path / "x.png")])
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "newscrawl: error: matplotlib is not installed: pip install 'newscrawl[plot]'"
    ]
