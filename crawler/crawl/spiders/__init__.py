"""Spiders: SourceSpider, one subclass per configured source (see crawler.crawl.spiderloader)."""
