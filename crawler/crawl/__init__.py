"""The crawl machinery: spiders, discovery, downloader middlewares, extensions, the Redis frontier."""
