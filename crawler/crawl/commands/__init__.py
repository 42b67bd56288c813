"""Scrapy commands as newscrawl needs them (COMMANDS_MODULE): `scrapy crawl` exits 1 when its run failed;
`scrapy parse` and `scrapy shell` look at pages without recording a run."""
