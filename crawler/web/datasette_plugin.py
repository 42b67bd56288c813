"""Datasette plugin of newscrawl (entry point `newscrawl` in group `datasette`, and registered by `newscrawl serve`).

Every connection Datasette opens gets newscrawl's SQL functions (crawler.search.sqlfunctions), so canned queries and
the SQL editor can call `newscrawl_day(published_at)`. A database whose metadata has
`plugins: {newscrawl: {read_only: true}}` is also made query-only (crawler.storage.served.refuse_writes), which
refuses every write, even on the connection Datasette keeps for writing. Every statement run here comes from
crawler.storage (served, searches).

Routes: `/DB/-/search` (query box, filters, paging; crawler.web.browse) and `/DB/-/articles/ID` (an article to read),
for every database with newscrawl's full-text index. Templates are in crawler/web/templates; `newscrawl serve` also
uses that folder's index.html as the front page.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.utils import tilde_decode
from datasette.utils.asgi import NotFound, Response
from jinja2 import ChoiceLoader, FileSystemLoader
from markupsafe import Markup

from crawler.search import sqlfunctions
from crawler.search.query import parse
from crawler.storage import served
from crawler.storage.searches import search_page as search_page_sql
from crawler.web import browse

PLUGIN_NAME = "newscrawl"
TEMPLATES = browse.TEMPLATES
LATEST_ON_FRONT_PAGE = 8


@hookimpl
def prepare_connection(conn: sqlite3.Connection, database: str, datasette: Any) -> None:
    """Register newscrawl's SQL functions; make the connection query-only where the metadata asks for it."""
    sqlfunctions.register(conn)
    config = datasette.plugin_config(PLUGIN_NAME, database=database, fallback=False) or {}
    if config.get("read_only"):
        served.refuse_writes(conn)


@hookimpl
def prepare_jinja2_environment(env: Any, datasette: Any) -> None:
    """Make newscrawl's page templates findable (after the others, so a template_dir can override them)."""
    if isinstance(env.loader, ChoiceLoader):
        env.loader.loaders.append(FileSystemLoader(str(browse.TEMPLATES)))


@hookimpl
def register_routes(datasette: Any) -> list[tuple[str, Any]]:
    return [
        (r"^/(?P<database>[^/]+)/-/search$", search_page),
        (r"^/(?P<database>[^/]+)/-/articles/(?P<id>[0-9]{1,18})$", article_page),
    ]


@hookimpl
def extra_template_vars(template: str, database: str | None, request: Any, datasette: Any) -> Any:
    """The front page's search box and latest articles; the one-line reason of a bad query on the canned
    search query's page (instead of SQLite's "user-defined function raised exception")."""
    if template == "index.html":
        return _front_page_vars(datasette, request)
    if template.startswith("query") and database and request is not None and request.args.get("q"):
        return _canned_query_error(datasette, database, request)
    return None


@hookimpl
def render_cell(row: Any, value: Any, column: str, table: str | None, database: str, datasette: Any) -> Any:
    """In newscrawl's articles table: titles link to the article page and read in their own direction; authors
    are names, not JSON."""
    if table != "articles" or not is_newscrawl(datasette, database) or not isinstance(value, str):
        return None
    if column == "title":
        try:
            url = article_url(datasette, database, row["id"])
        except (IndexError, KeyError):
            return None
        return Markup('<a href="{}" dir="auto">{}</a>').format(url, value)
    if column == "authors":
        return Markup('<span dir="auto">{}</span>').format(", ".join(browse.authors(value)))
    return None


def is_newscrawl(datasette: Any, database: str) -> bool:
    """A database `newscrawl serve` serves (its metadata has the plugin's settings)."""
    return datasette.plugin_config(PLUGIN_NAME, database=database, fallback=False) is not None


def search_url(datasette: Any, database: str) -> str:
    return f"{datasette.urls.database(database)}/-/search"


def article_url(datasette: Any, database: str, article_id: int) -> str:
    return f"{datasette.urls.database(database)}/-/articles/{article_id}"


async def _articles_database(datasette: Any, request: Any) -> Any:
    """The database the URL names, if it holds newscrawl's articles and index; else NotFound."""
    route = tilde_decode(request.url_vars["database"])
    try:
        db = datasette.get_database(route=route)
    except KeyError:
        raise NotFound(f"no database {route}") from None
    if not await db.table_exists("articles_fts"):
        raise NotFound(f"{db.name} has no newscrawl articles index")
    return db


async def filter_options(db: Any, form: browse.SearchForm) -> dict[str, list[tuple[str, str]]]:
    """(value, label) of every source and language stored, for the filters (only the form's own if listing them
    takes too long)."""
    options: dict[str, list[tuple[str, str]]] = {}
    for name, query in served.FILTER_OPTIONS.items():
        try:
            rows = (await db.execute(query, custom_time_limit=browse.OPTIONS_TIME_LIMIT_MS)).rows
        except (QueryInterrupted, sqlite3.DatabaseError):
            rows = []
        if name == "languages":
            options[name] = [(row[0], browse.language_name(row[0])) for row in rows]
        else:
            options[name] = [(row[0], row[1]) for row in rows]
    for name, chosen in (("sources", form.source), ("languages", form.language)):
        if chosen and chosen not in {value for value, _ in options[name]}:
            options[name].append((chosen, chosen))
    return options


async def run_search(datasette: Any, db: Any, form: browse.SearchForm) -> tuple[list[dict[str, Any]], int, str | None]:
    """One page of results of a (checked) form, how many there are in all, and the problem if the search failed."""
    query = parse(form.q) if form.q.strip() else None
    match = query.expression if query is not None else None
    rows_sql, count_sql, params = search_page_sql(form.filters(), match, form.sort == "best", browse.SNIPPET_CHARS)
    try:
        total = (await db.execute(count_sql, params)).rows[0][0]
        page = {"limit": form.size, "offset": (form.page - 1) * form.size}
        rows = (await db.execute(rows_sql, {**params, **page})).rows
    except QueryInterrupted:
        return [], 0, "the search took too long: add words or filters to narrow it"
    except sqlite3.DatabaseError as exc:
        return [], 0, f"the search failed: {exc}"
    results = [browse.result(row, query, article_url(datasette, db.name, row["id"])) for row in rows]
    return results, total, None


async def search_page(datasette: Any, request: Any) -> Response:
    """The search page: a query box and filters, one page of results, links to the other pages."""
    db = await _articles_database(datasette, request)
    form, problem = browse.SearchForm.from_args(request.args)
    results: list[dict[str, Any]] = []
    total = 0
    if problem is None:
        results, total, problem = await run_search(datasette, db, form)
    base = search_url(datasette, db.name)
    last_page = max(1, -(-total // form.size))
    context = {
        "database": db.name,
        "form": form,
        "action": base,
        "options": await filter_options(db, form),
        "sorts": browse.SORTS,
        "problem": problem,
        "results": results,
        "total": total,
        "first": (form.page - 1) * form.size + 1,
        "last_page": last_page,
        "previous_url": form.url(base, page=form.page - 1) if form.page > 1 else None,
        "next_url": form.url(base, page=form.page + 1) if form.page < last_page else None,
        "table_url": datasette.urls.table(db.name, "articles"),
    }
    html = await datasette.render_template("newscrawl_search.html", context, request=request)
    return Response.html(html, status=400 if problem else 200)


async def article_page(datasette: Any, request: Any) -> Response:
    """One article to read: title, dates, authors, source, a link to the original, the body as paragraphs."""
    db = await _articles_database(datasette, request)
    article_id = int(request.url_vars["id"])
    row = (await db.execute(served.ARTICLE, {"id": article_id})).first()
    if row is None:
        raise NotFound(f"no article {article_id} in {db.name}")
    copies = await db.execute(served.COPIES, {"id": article_id})
    base = search_url(datasette, db.name)
    context = {
        "database": db.name,
        "article": browse.article(row),
        "copies": [
            {"url": article_url(datasette, db.name, c["id"]), "source": c["source_name"] or c["source"]}
            for c in copies.rows
        ],
        "original_url": article_url(datasette, db.name, row["duplicate_of"]) if row["duplicate_of"] else None,
        "search_url": base,
        "source_url": browse.SearchForm(source=row["source"]).url(base),
        "row_url": datasette.urls.row(db.name, "articles", article_id),
    }
    html = await datasette.render_template("newscrawl_article.html", context, request=request)
    return Response.html(html)


def _front_page_vars(datasette: Any, request: Any) -> Any:
    async def front_page() -> dict[str, Any]:
        sites = []
        for name, db in datasette.databases.items():
            if not is_newscrawl(datasette, name) or not await db.table_exists("articles_fts"):
                continue
            latest, total, _ = await run_search(datasette, db, browse.SearchForm(size=LATEST_ON_FRONT_PAGE))
            tables = set(await db.table_names()) - set(await db.hidden_table_names())
            queries = await datasette.get_canned_queries(name, request.actor if request else None)
            sites.append(
                {
                    "name": name,
                    "title": (datasette.metadata("title", database=name) or name),
                    "search_url": search_url(datasette, name),
                    "options": await filter_options(db, browse.SearchForm()),
                    "latest": latest,
                    "total": total,
                    "article_tables": [t for t in browse.ARTICLE_TABLES if t in tables],
                    "bookkeeping_tables": sorted(tables - set(browse.ARTICLE_TABLES)),
                    "queries": [(key, query.get("title") or key) for key, query in queries.items()],
                }
            )
        return {"newscrawl_sites": sites, "form": browse.SearchForm(), "sorts": browse.SORTS}

    return front_page


def _canned_query_error(datasette: Any, database: str, request: Any) -> Any:
    async def error() -> dict[str, Any]:
        name = request.url_vars.get("table")
        query = await datasette.get_canned_query(database, name, request.actor) if name else None
        if not query or "newscrawl_match(:q)" not in query.get("sql", ""):
            return {}
        problem = sqlfunctions.query_problem(request.args.get("q"))
        return {"error": problem} if problem else {}

    return error
