"""RunState: what the components of one run share (its kind, source, `runs` row id, stop reason, extraction pool,
known URLs, ...), one object per crawler, reached from `from_crawler` with `RunState.of(crawler)`.

Stats stay counts shown to the user; the run state is what components read to decide what to do."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar
from weakref import WeakKeyDictionary

if TYPE_CHECKING:
    from crawler.crawl.pool import ExtractionPool
    from crawler.sources import Source
    from crawler.storage.known import KnownUrls

CRAWL = "crawl"  # the run kind that fetches pages; the others (reextract, import, ingest) yield items from start()


@dataclass
class RunState:
    """The state of one crawler's run. `kind`: crawl, reextract, import or ingest (the spider's); `source`: the
    configured source it crawls, if any; `run_id`: its `runs` row (None: not recorded); `stop_reason`: why a
    component stopped it early (disk_full), None while it goes on; `status`: "ok" or "failed" once it ended;
    `extraction_pool`: where its pages are extracted (None: inline); `known`: URLs its source stored before
    (None: NEWSCRAWL_SKIP_KNOWN off); `containers`: robots.txt and sitemap indexes it read (their validators are
    not kept)."""

    kind: str = CRAWL
    source: Source | None = None
    run_id: int | None = None
    stop_reason: str | None = None
    status: str | None = None
    extraction_pool: ExtractionPool | None = None
    known: KnownUrls | None = None
    containers: set[str] = field(default_factory=set)

    _of: ClassVar[WeakKeyDictionary[Any, RunState]] = WeakKeyDictionary()

    @classmethod
    def of(cls, crawler: Any) -> RunState:
        """The run state of `crawler`: the same object for every component built from it."""
        state = cls._of.get(crawler)
        if state is None:
            state = cls._of[crawler] = cls()
        return state

    @property
    def fetches(self) -> bool:
        """Whether the run fetches pages (a crawl), rather than yielding its items from the spider's start()."""
        return self.kind == CRAWL

    @property
    def stopped(self) -> bool:
        """Whether a component stopped the run early (the database cannot take more)."""
        return self.stop_reason is not None
