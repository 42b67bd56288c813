"""`scrapy shell URL`: Scrapy's shell, with the URL's source spider when one source's domains hold it; fetching a
page there records no run."""

from __future__ import annotations

from typing import Any

from scrapy.commands import shell

from crawler.crawl.commands.parse import LOOK_ONLY


class Command(shell.Command):
    def process_options(self, args: list[str], opts: Any) -> None:
        assert self.settings is not None
        self.settings.setdict(LOOK_ONLY, priority="cmdline")  # before -s NAME=VALUE, which may change them
        # one page at a time, asked for by hand: Scrapy's own scheduler (the shell's requests never reach a disk queue)
        self.settings.set("SCHEDULER", "scrapy.core.scheduler.Scheduler", priority="cmdline")
        super().process_options(args, opts)
