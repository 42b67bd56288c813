"""The SQL that Datasette runs for `newscrawl serve`: the canned queries, the statements of newscrawl's own pages
(the search page's: crawler.storage.searches.search_page), and the pragma that keeps a served connection from
writing. crawler/web asks for them; Datasette runs them on its own connections."""

from __future__ import annotations

import sqlite3

from crawler.storage.searches import BM25_WEIGHTS

DAY = "newscrawl_day(coalesce(published_at, first_seen_at))"  # articles without a publication time: first seen

CANNED_QUERIES = {
    "search": f"""
select a.id, a.title, a.source, a.published_at, newscrawl_snippet(a.body, :q) as snippet, a.url
from articles_fts join articles a on a.id = articles_fts.rowid
where articles_fts match newscrawl_match(:q) and a.duplicate_of is null
order by bm25(articles_fts, {BM25_WEIGHTS}), a.id desc
limit 100""",
    "latest_per_source": """
select source, id, coalesce(published_at, first_seen_at) as published, title, section, url
from (
  select *, row_number() over (
    partition by source order by coalesce(published_at, first_seen_at) desc, id desc
  ) as rank
  from articles
)
where rank <= coalesce(cast(nullif(:per_source, '') as integer), 10)
order by source, rank""",
    "duplicates": """
with recursive chain(id, duplicate_of, depth) as (
  select id, duplicate_of, 0 from articles where id = cast(:id as integer)
  union
  select a.id, a.duplicate_of, chain.depth + 1 from articles a join chain on a.id = chain.duplicate_of
  where chain.depth < 100
),
original as (select id from chain where duplicate_of is null order by depth desc limit 1)
select case when a.id = original.id then 'original' else 'duplicate' end as role,
  a.id, a.duplicate_of, a.source, a.published_at, a.first_seen_at, a.title, a.url
from articles a, original
where a.id = original.id or a.duplicate_of = original.id
order by a.id != original.id, a.first_seen_at, a.id""",
    "articles_per_day": f"""
select {DAY} as day, source, count(*) as articles, sum(published_at is null) as dated_by_first_seen
from articles
where coalesce(nullif(:source, ''), source) = source
group by day, source
order by day desc, source""",
}

FILTER_OPTIONS = {  # every source (key, name) and language stored, for the search page's filters
    "sources": "SELECT source, coalesce(max(source_name), source) FROM articles GROUP BY source ORDER BY 2",
    "languages": "SELECT DISTINCT language FROM articles WHERE coalesce(language, '') != '' ORDER BY 1",
}
ARTICLE = "SELECT * FROM articles WHERE id = :id"
COPIES = (  # the articles stored as copies of article :id, oldest first
    "SELECT id, source, source_name, title FROM articles WHERE duplicate_of = :id ORDER BY first_seen_at, id LIMIT 100"
)


def refuse_writes(conn: sqlite3.Connection) -> None:
    """Make a connection refuse every write (SQLite's query_only), even one Datasette keeps for writing."""
    conn.execute("PRAGMA query_only = 1")
