"""Scrapy settings for newscrawl. Every default a user may change is a setting (override with `-s NAME=VALUE`)."""

from pathlib import Path

BOT_NAME = "newscrawl"

# --- newscrawl's own settings -------------------------------------------------------------------------------
NEWSCRAWL_SOURCES_DIR = str(Path(__file__).parent / "sources")  # one <key>.toml per outlet
NEWSCRAWL_DB = "output/news.db"  # SQLite database, created on first use
NEWSCRAWL_MIN_WORDS = 40  # articles with fewer body words are rejected ("too_short")
NEWSCRAWL_MIN_DECLARED_WORDS = 12  # ... the floor for pages that declare themselves articles (news flashes)
NEWSCRAWL_BATCH_SIZE = 50  # articles written per transaction
NEWSCRAWL_NOW = ""  # ISO 8601 time to crawl "as of" (replays of recorded sites); empty: the real time
NEWSCRAWL_SKIP_KNOWN = True  # incremental: no download of known URLs, no listing entries older than the last run
NEWSCRAWL_LOG_DIR = ""  # `newscrawl crawl` logs here; empty: logs/ next to the database (output/logs)
NEWSCRAWL_LOG_MAX_BYTES = 10 * 1024 * 1024  # the log file is rotated at this size...
NEWSCRAWL_LOG_BACKUPS = 5  # ...keeping this many old files
NEWSCRAWL_OVERLAP_HOURS = 6  # listing entries dated before the last successful run, less this, are skipped
NEWSCRAWL_EXTRACT_WORKERS = 0  # extraction processes: 0 = one per core, 1 = inline in the crawl process
NEWSCRAWL_RETRY_AFTER_MAX = 60  # a 429/503 Retry-After up to this many seconds is waited; a longer one: no retry
NEWSCRAWL_KEEP_PAGES = True  # keep each fetched article page (compressed) for `newscrawl reextract`
NEWSCRAWL_NEAR_DUPLICATE_THRESHOLD = 0.8  # share of a story's word 3-grams found in a stored one: a republication
NEWSCRAWL_GUARD = True  # refuse non-http(s) URLs and private/loopback/link-local/... addresses (crawler/guard.py)
NEWSCRAWL_ALLOW_HOSTS: list[str] = []  # hosts or networks the guard lets through anyway (besides each source's own)

# --- Scrapy wiring --------------------------------------------------------------------------------------------
SPIDER_LOADER_CLASS = "crawler.spiderloader.SourceSpiderLoader"
SPIDER_MODULES: list[str] = []
NEWSPIDER_MODULE = ""

ITEM_PIPELINES = {
    "pipelines.validate.ValidatePipeline": 100,
    "pipelines.normalise.NormalisePipeline": 200,
    "pipelines.dedupe.DedupePipeline": 300,
    "pipelines.store.StorePipeline": 400,
}
DOWNLOADER_MIDDLEWARES = {
    "crawler.guard.AddressGuard": 50,  # before robots.txt: a refused host is not even asked for its robots.txt
    "crawler.middlewares.ConditionalListings": 560,
    "crawler.middlewares.RedirectGuard": 610,  # before RedirectMiddleware (600) sees a response
    "crawler.retryafter.RetryAfter": 555,  # before RetryMiddleware (550) sees a response
}
EXTENSIONS = {
    "crawler.runs.RunRecorder": 500,
    "crawler.pool.ExtractionPool": 510,
    "crawler.runlog.QuietNetworkErrors": 520,
}

# --- Politeness -----------------------------------------------------------------------------------------------
USER_AGENT = "newscrawl/0.1 (+https://github.com/newscrawl/newscrawl; news archiving crawler)"
ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
CONCURRENT_REQUESTS = 32
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
HTTPPROXY_ENABLED = True  # plain HTTP proxies from the environment (http_proxy / https_proxy)

DEPTH_LIMIT = 3  # section pages -> pagination -> articles; stops calendar traps
SITEMAP_ALTERNATE_LINKS = False

LOG_LEVEL = "INFO"
LOG_FORMATTER = "crawler.logformatter.NewsLogFormatter"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
FEED_EXPORT_ENCODING = "utf-8"

# --- Scale-out on Redis: `newscrawl worker` / `newscrawl ingest` (crawler/distributed.py) -----------------------
REDIS_URL = ""  # redis://host:6379/0 shared by workers and the writer; empty: the REDIS_URL environment variable
NEWSCRAWL_REDIS_PREFIX = "newscrawl"  # every key newscrawl keeps in Redis starts with this
NEWSCRAWL_WORKER_IDLE = 30.0  # a worker exits once the shared request queue has stayed empty this long (seconds)
NEWSCRAWL_INGEST_IDLE = 60.0  # `ingest` exits once the item queue has stayed empty this long; 0: never
