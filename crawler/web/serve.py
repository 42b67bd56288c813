"""`newscrawl serve`: the database, read-only, in Datasette, with newscrawl's metadata, canned queries and plugin."""

from __future__ import annotations

import asyncio
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import quote

from crawler.storage import served
from crawler.storage.archive import Archive
from crawler.storage.db import NoDatabase

INSTALL_HINT = "pip install 'newscrawl[web]'"
FTS_SHADOW_TABLES = ["articles_fts", *(f"articles_fts_{part}" for part in ("data", "idx", "docsize", "config"))]
INTERNAL_TABLES = ["article_signatures", "lsh_bands"]  # the near-duplicate index

QUERIES: dict[str, dict[str, str]] = {
    "search": {
        "title": "Search articles",
        "description": "Full-text search as `newscrawl search` does it: the same Arabic-aware analyser and query"
        ' syntax (words all match, "exact phrase", OR, -word, prefix*), best match first, copies of an earlier'
        " story left out. Matched words are in [brackets].",
        "sql": served.CANNED_QUERIES["search"],
    },
    "latest_per_source": {
        "title": "Latest articles per source",
        "description": "The newest articles of every source (by publication time, else first seen), newest first.",
        "sql": served.CANNED_QUERIES["latest_per_source"],
    },
    "duplicates": {
        "title": "Duplicates of a story",
        "description": "For an article id: the original it duplicates (following duplicate_of to its end) and every"
        " article stored as a duplicate of that original.",
        "sql": served.CANNED_QUERIES["duplicates"],
    },
    "articles_per_day": {
        "title": "Articles per day, per source",
        "description": "Articles by UTC day of publication (of first sighting when the publication time is"
        " missing) and source, newest day first.",
        "sql": served.CANNED_QUERIES["articles_per_day"],
    },
}


class ServeError(Exception):
    """`newscrawl serve` cannot start; the message is one line."""


def database_name(db_path: str | Path) -> str:
    """The name Datasette gives the database (and its URL path): the file name without its suffix."""
    return Path(db_path).stem


def search_query_description(search_page: str) -> str:
    """The canned search query's description, pointing at the search page."""
    description = escape(QUERIES["search"]["description"])
    return f'{description} <a href="{escape(search_page)}">The search page</a> has filters, pages and articles to read.'


def build_metadata(db_path: str | Path) -> dict[str, Any]:
    """Datasette metadata for a newscrawl database: titles, descriptions, facets, search, canned queries."""
    name = database_name(db_path)
    search_page = f"/{quote(name)}/-/search"
    articles = {
        "title": "Articles",
        "description": "One row per stored article: clean text, caption and credit, authors, UTC publication time."
        f" To search title, body and caption: the search page, {search_page} (Arabic-aware, like `newscrawl"
        " search`); a title opens its article to read.",
        "facets": ["source", "language", "section"],
        "sort_desc": "published_at",
        "sortable_columns": [
            "id",
            "source",
            "title",
            "published_at",
            "modified_at",
            "language",
            "section",
            "word_count",
            "first_seen_at",
            "last_seen_at",
        ],
        "label_column": "title",
        "columns": {
            "published_at": "publication time, ISO 8601 UTC",
            "duplicate_of": "id of the first stored copy of the same story (another outlet's, or a republication)",
            "similarity": "share of this text found in that copy",
            "first_seen_at": "when the crawler first stored it (UTC)",
            "authors": "JSON list",
            "tags": "JSON list",
        },
    }
    tables: dict[str, dict[str, Any]] = {
        "articles": articles,
        "images": {"description": "Every picture of an article, with its caption and credit.", "label_column": "url"},
        "article_versions": {"description": "The text an article had before an update replaced it."},
        "pages": {"description": "Every article-candidate URL fetched, with its outcome."},
        "listings": {"description": "Validators of sitemaps, feeds and section pages, for conditional requests."},
        "runs": {"description": "One row per crawl of a source: counts, errors, field coverage.", "sort_desc": "id"},
        "raw_pages": {"description": "Each article page as fetched (zlib-compressed), for `newscrawl reextract`."},
        "meta": {"description": "Schema and analyser versions."},
        **{table: {"hidden": True} for table in FTS_SHADOW_TABLES + INTERNAL_TABLES},
    }
    return {
        "title": "newscrawl",
        "description": "News articles crawled from the configured outlets (read-only).",
        "databases": {
            name: {
                "title": "News articles",
                "description_html": f'<a href="{escape(search_page)}">Search the articles</a>,'
                " or browse them, their pictures and versions, and the crawler's bookkeeping.",
                "tables": tables,
                "queries": {
                    **QUERIES,
                    "search": {**QUERIES["search"], "description_html": search_query_description(search_page)},
                },
                "plugins": {"newscrawl": {"read_only": True}},
            }
        },
    }


def make_datasette(db_path: str | Path, immutable: bool = False) -> Any:
    """A Datasette instance on `db_path`, read-only (immutable: a snapshot no crawl will change), with the plugin."""
    path = Path(db_path)
    try:
        Archive.upgrade(path)  # a database an older newscrawl wrote is brought up to date, then served read-only
    except NoDatabase as exc:
        raise ServeError(str(exc)) from None
    try:
        from datasette.app import Datasette
        from datasette.plugins import pm
    except ImportError:
        raise ServeError(f"datasette is not installed: {INSTALL_HINT}") from None
    from crawler.web import datasette_plugin

    if not pm.is_registered(datasette_plugin):  # registered already when installed with its entry point
        pm.register(datasette_plugin, name=datasette_plugin.PLUGIN_NAME)
    files = {"immutables": [str(path)]} if immutable else {"files": [str(path)]}
    return Datasette(
        **files,
        metadata=build_metadata(path),
        template_dir=str(datasette_plugin.TEMPLATES),  # its index.html: the front page leads with the search
        settings={"sql_time_limit_ms": 3000},
    )


def run(datasette: Any, host: str, port: int) -> None:
    """Serve a Datasette instance (from make_datasette) over HTTP until interrupted."""
    import uvicorn

    asyncio.run(datasette.invoke_startup())
    uvicorn.run(datasette.app(), host=host, port=port, log_level="warning", lifespan="on")
