"""newscrawl as a library, for notebooks and scripts.

    import newscrawl

    page = newscrawl.extract_url("https://www.aljarida.com/article/129142", source="aljarida")
    page.title, page.published_at, page.authors, page.body        # an Article (page.to_dict() for JSON)
    newscrawl.extract(html, "https://www.aljarida.com/article/129142")   # a page you already have

    db = newscrawl.open_database("output/news.db")
    db.search("أسعار النفط", source="aljarida", limit=5)      # best match first, each with a snippet
    for record in db.records(source="aljarida", since="2026-11-01", language="ar"):
        ...                                                    # as `newscrawl export` writes them, oldest first

`extract` and `extract_url` return an `Article`, or a `NotArticle` whose `reason` says why the page is not one.
`extract_url` fetches like a crawl: robots.txt obeyed, the project's User-Agent, DOWNLOAD_MAXSIZE, and private
addresses refused unless NEWSCRAWL_ALLOW_HOSTS (the environment variable, or `allow_hosts=`) lists them or they are
the source's own; it raises `FetchError` (one line: the URL and why) when the page cannot be had.
"""

from crawler.crawl.fetch import FetchError
from crawler.items import Article, Image, NotArticle
from crawler.search.query import QueryError
from crawler.sources import Source
from crawler.storage.db import NoDatabase
from newscrawl.api import Database, extract, extract_url, open_database, sources, version

__version__ = version()
__all__ = [
    "Article",
    "Database",
    "FetchError",
    "Image",
    "NoDatabase",
    "NotArticle",
    "QueryError",
    "Source",
    "__version__",
    "extract",
    "extract_url",
    "open_database",
    "sources",
]
