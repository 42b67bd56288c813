"""`scrapy parse --spider SOURCE URL`: the record (or the links) one page gives, printed; no run recorded, the page
not kept."""

from __future__ import annotations

from typing import Any

from scrapy.commands import parse

LOOK_ONLY = {"NEWSCRAWL_RECORD_RUNS": False, "NEWSCRAWL_KEEP_PAGES": False}


class Command(parse.Command):
    def process_options(self, args: list[str], opts: Any) -> None:
        assert self.settings is not None
        self.settings.setdict(LOOK_ONLY, priority="cmdline")  # before -s NAME=VALUE, which may change them
        super().process_options(args, opts)
