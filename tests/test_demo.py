"""A first run that looks right: `newscrawl demo` under real URLs and without warnings, `status` / `sources` on its
database, a crawl without network, a source whose article_url matches nothing."""

from __future__ import annotations

import re
import sqlite3
from contextlib import closing
from pathlib import Path

from conftest import NEWSCRAWL, ROOT, SITES, run
from crawler.demo.replay import Site

README = (ROOT / "README.md").read_text(encoding="utf-8")
ORIGINS = {site.name: site.origin for site in map(Site.load, SITES.iterdir()) if site.origin}


def readme_block(first: str) -> list[str]:
    """The lines of the README's ``` block whose first line is `first`."""
    block = README[README.index(f"```\n{first}\n") + 4 :]
    return block[: block.index("```")].splitlines()


def query(db: Path, sql: str) -> list[tuple]:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute(sql).fetchall()


def test_the_demo_stores_real_urls_prints_what_the_readme_shows_and_lists_its_sources(tmp_path):
    db = tmp_path / "demo.db"
    result = run([str(NEWSCRAWL), "demo", "--db", str(db)])
    assert result.returncode == 0, result.stderr[-3000:]
    shown = readme_block("$ make demo")
    assert shown[1] == ".venv/bin/newscrawl demo"
    printed = [
        line.replace(str(db), "output/demo.db") for line in result.stderr.splitlines() + result.stdout.splitlines()
    ]
    assert printed == shown[2:], "the README's demo output drifted from what `newscrawl demo` prints"
    assert "WARNING" not in result.stderr and "ERROR" not in result.stderr

    urls = [row[0] for row in query(db, "SELECT url FROM articles")]
    assert len(urls) == int(result.stdout.split()[1]) > 0
    assert all(any(url.startswith(origin + "/") for origin in ORIGINS.values()) for url in urls), urls
    assert f"{ORIGINS['aljarida']}/article/74480" in urls and not any("127.0.0.1" in url for url in urls)

    stats = run([str(NEWSCRAWL), "stats", "--db", str(db)])
    assert (
        stats.stdout.splitlines()
        == readme_block("$ .venv/bin/newscrawl stats --db output/demo.db --plot output/stats.png")[1:-1]
    )

    status = run([str(NEWSCRAWL), "status", "--db", str(db)])
    lines = status.stdout.splitlines()
    assert [line.split("\t")[0] for line in lines] == ["aljarida", "aggregator", "mirror"], lines
    assert all("\tlast run " in line and " ok\t" in line and "!!" not in line for line in lines), lines
    assert status.returncode == 0, status.stdout
    listed = run([str(NEWSCRAWL), "sources", "--db", str(db)]).stdout
    for name, count in query(db, "SELECT source, count(*) FROM articles GROUP BY source"):
        assert re.search(rf"(?m)^{name}\t.*\t{count} articles$", listed), listed


def test_a_crawl_without_network_ends_with_one_line_saying_no_host_resolved(env):
    (env.sources_dir / "offline.toml").write_text(
        'name = "Offline"\nhomepage = "http://nonexistent.invalid/"\nallowed_domains = ["nonexistent.invalid"]\n'
        'feeds = ["http://nonexistent.invalid/feed.xml", "http://nonexistent.invalid/rss"]\n'
        'sections = ["http://www.nonexistent.invalid/news"]\narticle_url = "/news/[0-9]+$"\n',
        encoding="utf-8",
    )
    result = env.newscrawl("crawl", "--set", "RETRY_TIMES=0")
    assert result.returncode == 1
    log = env.db.parent / "logs" / "newscrawl.log"
    assert result.stderr.splitlines() == [
        "newscrawl: offline: failed, 0 pages, 0 new, 0 updated, 0 unchanged, 0 duplicates, 0 rejected, 3 errors"
        " (CannotResolveHostError 3)",
        f"newscrawl: source offline failed (see the runs table and {log})",
        f"newscrawl: no host could be resolved: is the network down? (3 fetches failed, see {log})",
    ]
    assert log.read_text(encoding="utf-8").count("fetch failed: http://") == 3  # the details stay in the log


def test_a_source_whose_article_url_matches_nothing_says_so_in_its_run_line_and_status(env):
    wrong, right = "article_url = '/story/[0-9]+$'", "article_url = '/news/[a-z0-9-]+$'"
    env.serve("aggregator", edit={right: wrong})
    result = env.newscrawl("crawl")
    assert result.returncode == 0, result.stderr  # the run itself went fine: nothing to store
    (run_row,) = env.rows("SELECT links_listed, links_matched, articles_new FROM runs")
    assert run_row["links_listed"] > 0 and run_row["links_matched"] == 0 and run_row["articles_new"] == 0
    said = f"article_url matched none of the {run_row['links_listed']} links listed"
    assert result.stderr.splitlines()[-1].endswith(f" 0 errors; {said}"), result.stderr
    status = env.newscrawl("status")
    assert status.returncode == 1 and f"!! last run: {said}" in status.stdout, status.stdout

    config = env.sources_dir / "aggregator.toml"  # article_url fixed: the next run matches again, nothing is said
    config.write_text(config.read_text(encoding="utf-8").replace(wrong, right), encoding="utf-8")
    fixed = env.newscrawl("crawl")
    assert fixed.returncode == 0 and "article_url" not in fixed.stderr, fixed.stderr
    assert "article_url" not in env.newscrawl("status").stdout
