"""newscrawl: configured news outlets -> Scrapy -> clean article records -> SQLite."""
