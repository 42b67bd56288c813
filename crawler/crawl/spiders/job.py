"""JobSpider: what every newscrawl spider shares (its run kind, the time it runs "as of", its run state, and the loop
of the spiders that yield their items from start())."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from typing import Any, ClassVar, TypeVar

from scrapy import Spider

from crawler.crawl.runstate import CRAWL, RunState
from crawler.sources import Source

T = TypeVar("T")


class JobSpider(Spider):
    """A spider of one run of a given kind: `crawl` (fetching a source's pages), or `reextract`, `import`, `ingest`,
    which fetch nothing and yield their items from start(). Built `from_crawler`, it tells the run state its kind and
    source, so every component of the crawler reads them from there."""

    run_kind: ClassVar[str] = CRAWL
    source: Source | None = None  # the configured source the spider works on, if any (a class attribute)
    fixed_now: datetime | None = None  # NEWSCRAWL_NOW, for the spiders that crawl "as of" it

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> Any:
        spider = super().from_crawler(crawler, *args, **kwargs)
        state = RunState.of(crawler)
        state.kind, state.source = cls.run_kind, cls.source
        return spider

    @property
    def run_state(self) -> RunState:
        """The run state this spider's crawler shares with its components."""
        return RunState.of(self.crawler)

    def now(self) -> datetime:
        """The time the run works "as of": `fixed_now` when set, else the current time."""
        return self.fixed_now or datetime.now(timezone.utc)

    def until_stopped(self, items: Iterable[T]) -> Iterator[T]:
        """`items`, one by one, until a component stops the run (the database cannot take more). A spider yielding
        its items from start() must end by itself: Scrapy would wait for its items forever if closed (see
        crawler.crawl.runs.stop_run)."""
        for item in items:
            if self.run_state.stopped:
                return
            yield item
