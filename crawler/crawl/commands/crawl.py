"""`scrapy crawl SOURCE`: Scrapy's command, ending like `newscrawl crawl` with the run's summary line, and with
exit status 1 when the run failed, so a cron job on `scrapy crawl` notices."""

from __future__ import annotations

import sys
from typing import Any

from scrapy.commands import crawl

from crawler.crawl.runlog import summary
from crawler.crawl.runstate import RunState


class Command(crawl.Command):
    def __init__(self) -> None:
        super().__init__()
        self.crawlers: list[Any] = []

    def _create_crawler(self, spidercls: Any) -> Any:
        crawler = super()._create_crawler(spidercls)
        self.crawlers.append(crawler)
        return crawler

    def run(self, args: list[str], opts: Any) -> None:
        super().run(args, opts)
        for crawler in self.crawlers:
            status = RunState.of(crawler).status
            if crawler.spider is None or status is None:  # not started, or no run recorded (NEWSCRAWL_RECORD_RUNS)
                continue
            print(f"newscrawl: {summary(crawler)}", file=sys.stderr)
            if status != "ok":
                db = crawler.settings.get("NEWSCRAWL_DB")
                print(f"newscrawl: source {crawler.spider.name} failed (see the runs table of {db})", file=sys.stderr)
                self.exitcode = 1
