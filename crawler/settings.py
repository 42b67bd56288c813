"""Scrapy settings for newscrawl. Every default a user may change is a setting (override with `-s NAME=VALUE`)."""

from pathlib import Path

BOT_NAME = "newscrawl"

# --- newscrawl's own settings -------------------------------------------------------------------------------
NEWSCRAWL_SOURCES_DIR = str(Path(__file__).parent / "sources")  # one <key>.toml per outlet
NEWSCRAWL_DB = "output/news.db"  # SQLite database, created on first use
NEWSCRAWL_MIN_WORDS = 40  # articles with fewer body words are rejected ("too_short")
NEWSCRAWL_MIN_DECLARED_WORDS = 12  # ... the floor for pages that declare themselves articles (news flashes)
NEWSCRAWL_MAX_TITLE_CHARS = 500  # a longer title is cut to this many characters (ending in "…"); 0: no limit
NEWSCRAWL_BATCH_SIZE = 50  # articles written per transaction
NEWSCRAWL_NOW = ""  # ISO 8601 time to crawl "as of" (replays of recorded sites); empty: the real time
NEWSCRAWL_SKIP_KNOWN = True  # incremental: no download of known URLs, no listing entries older than the last run
NEWSCRAWL_LOG_DIR = ""  # `newscrawl crawl` logs here; empty: logs/ next to the database (output/logs)
NEWSCRAWL_LOG_MAX_BYTES = 10 * 1024 * 1024  # the log file is rotated at this size...
NEWSCRAWL_LOG_BACKUPS = 5  # ...keeping this many old files
NEWSCRAWL_OVERLAP_HOURS = 6  # listing entries dated before the last successful run, less this, are skipped
NEWSCRAWL_EXTRACT_WORKERS = 0  # extraction processes: 0 = one per core (never inline: see crawler/crawl/pool.py)
NEWSCRAWL_EXTRACT_TIMEOUT = 30.0  # seconds one page may take to extract; then its worker is killed (0: no limit)
NEWSCRAWL_WORKER_MAX_PAGES = 500  # an extraction process is replaced by a fresh one after this many pages (0: never)
NEWSCRAWL_MAX_ELEMENTS = 50_000  # a page with more tags is not extracted ("too_complex"); 0: no limit
NEWSCRAWL_RETRY_AFTER_MAX = 60  # a 429/503 Retry-After up to this many seconds is waited; a longer one: no retry
NEWSCRAWL_KEEP_PAGES = True  # keep each fetched article page (compressed) for `newscrawl reextract`
NEWSCRAWL_NEAR_DUPLICATE_THRESHOLD = 0.8  # share of a story's word 3-grams found in a stored one: a republication
NEWSCRAWL_GUARD = True  # refuse non-http(s) URLs and private/loopback/link-local/... addresses (crawler/crawl/guard.py)
NEWSCRAWL_ALLOW_HOSTS: list[str] = []  # hosts or networks the guard lets through anyway (besides each source's own)
# `newscrawl demo`: real origin -> local replay serving it (crawler/demo/replay.py)
NEWSCRAWL_REPLAY: dict[str, str] = {}
NEWSCRAWL_RECORD_RUNS = True  # a `runs` row per crawl; `scrapy parse` and `scrapy shell` only look at pages
NEWSCRAWL_LOCK_WAIT = 300  # import, reextract, reindex, ingest wait this long (s) for a crawl holding the lock
NEWSCRAWL_MAX_CHILD_SITEMAPS = 1000  # sitemaps fetched per source and run from sitemap indexes and robots.txt
# (newest lastmod first); those over the limit are left out, counted in the run's `limits`; 0 = no limit
NEWSCRAWL_MAX_SCHEDULED = 50_000  # article URLs requested per source and run (newest listed first), besides the
# source's own max_articles; those over the limit are left out, counted in the run's `limits`; 0 = no limit
NEWSCRAWL_QUEUE_DIR = ""  # each run's pending requests wait on disk here; empty: queue/ next to the database

# --- Scrapy wiring --------------------------------------------------------------------------------------------
SPIDER_LOADER_CLASS = "crawler.crawl.spiderloader.SourceSpiderLoader"
# scrapy crawl / parse / shell as newscrawl needs them (crawler/crawl/commands/)
COMMANDS_MODULE = "crawler.crawl.commands"
SPIDER_MODULES: list[str] = []
NEWSPIDER_MODULE = ""

ITEM_PIPELINES = {
    "pipelines.validate.ValidatePipeline": 100,
    "pipelines.normalise.NormalisePipeline": 200,
    "pipelines.dedupe.DedupePipeline": 300,
    "pipelines.store.StorePipeline": 400,
}
DOWNLOADER_MIDDLEWARES = {
    "crawler.crawl.guard.AddressGuard": 50,  # before robots.txt: a refused host is not even asked for its robots.txt
    "crawler.crawl.middlewares.ConditionalListings": 560,
    "crawler.crawl.middlewares.RedirectGuard": 610,  # before RedirectMiddleware (600) sees a response
    "crawler.crawl.retryafter.RetryAfter": 555,  # before RetryMiddleware (550) sees a response
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "crawler.crawl.middlewares.MetaRefreshHead": 580,  # in its place: it decodes only the page's head
}
EXTENSIONS = {
    "crawler.crawl.runs.RunRecorder": 500,
    "crawler.crawl.pool.ExtractionPool": 510,
    "crawler.crawl.runlog.QuietNetworkErrors": 520,
}

# Pending requests on disk, first in first out within a priority (request priorities: crawler/crawl/spiders/source.py)
SCHEDULER = "crawler.crawl.scheduler.DiskScheduler"
SCHEDULER_DISK_QUEUE = "scrapy.squeues.PickleFifoDiskQueue"
SCHEDULER_MEMORY_QUEUE = "scrapy.squeues.FifoMemoryQueue"

# --- Politeness -----------------------------------------------------------------------------------------------
USER_AGENT = "newscrawl/0.1 (+https://github.com/newscrawl/newscrawl; news archiving crawler)"
ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
CONCURRENT_REQUESTS = 32
CONCURRENT_ITEMS = 4  # Scrapy starts this many tasks for each response's output (its default, 100, costs the crawl
# process more CPU than the rest of a page's handling): an article page yields one record, a listing requests
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.25
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024  # a news page over 10 MB is not a news page
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
REDIRECT_MAX_TIMES = 5
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False  # Scrapy's HTTP server that runs the Python code sent to it: nothing listens
HTTPPROXY_ENABLED = True  # plain HTTP proxies from the environment (http_proxy / https_proxy)

DEPTH_LIMIT = 3  # section pages -> pagination -> articles; stops calendar traps
SITEMAP_ALTERNATE_LINKS = False

LOG_LEVEL = "INFO"
LOG_FORMATTER = "crawler.crawl.logformatter.NewsLogFormatter"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
FEED_EXPORT_ENCODING = "utf-8"
# `scrapy crawl SOURCE -O out.jsonl` (or .csv): the record's stored fields in `newscrawl export`'s order, without
# how the page was fetched (the item's `fetch`); CSV cells of lists and images hold JSON text
FEED_EXPORT_FIELDS = [
    "url", "source", "source_name", "title", "body", "caption", "caption_credit", "attribution", "authors",
    "published_at", "modified_at", "language", "section", "tags", "image_url", "description", "content_hash", "images",
]  # fmt: skip
FEED_EXPORTERS = {
    "csv": "crawler.crawl.feeds.RecordCsvItemExporter",
    "json": "crawler.crawl.feeds.RecordJsonItemExporter",
    **dict.fromkeys(("jsonlines", "jsonl", "jl"), "crawler.crawl.feeds.RecordJsonLinesItemExporter"),
}

# --- Scale-out on Redis: `newscrawl worker` / `newscrawl ingest` (crawler/crawl/distributed.py) -----------------
REDIS_URL = ""  # redis://host:6379/0 shared by workers and the writer; empty: the REDIS_URL environment variable
NEWSCRAWL_REDIS_PREFIX = "newscrawl"  # every key newscrawl keeps in Redis starts with this
NEWSCRAWL_WORKER_IDLE = 30.0  # a worker exits once the shared request queue has stayed empty this long (seconds)
NEWSCRAWL_INGEST_IDLE = 60.0  # `ingest` exits once the item queue has stayed empty this long; 0: never
