"""`newscrawl stats`: articles per source per day, as a table and, optionally, a chart."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from crawler.storage.archive import Archive
from crawler.storage.db import NoDatabase

BASIS = "UTC day of published_at (first_seen_at for articles without one)"
PLOT_HINT = "pip install 'newscrawl[plot]'"


class StatsError(Exception):
    """The counts cannot be made or drawn; the message is one line."""


@dataclass
class DailyCounts:
    """Articles per day and source. `days` run oldest to newest; `undated` of the counted articles had no
    published_at and are counted on the day they were first seen."""

    days: list[str]
    sources: list[str]
    counts: dict[str, dict[str, int]] = field(default_factory=dict)  # day -> source -> articles
    undated: int = 0

    def count(self, day: str, source: str) -> int:
        return self.counts.get(day, {}).get(source, 0)

    def day_total(self, day: str) -> int:
        return sum(self.counts.get(day, {}).values())

    def source_total(self, source: str) -> int:
        return sum(self.count(day, source) for day in self.days)


def daily_counts(
    db_path: str | Path, source: str | None = None, days: int | None = None, today: date | None = None
) -> DailyCounts:
    """Count articles per UTC day and source. With `days`, exactly the `days` days up to `today` (default: the
    current UTC date), empty ones included; without, every day that has an article."""
    path = Path(db_path)
    if not path.is_file():
        raise StatsError(f"{path}: no database (run `newscrawl crawl` first)")
    end = today or datetime.now(timezone.utc).date()
    start, stop = ((end - timedelta(days=days - 1)).isoformat(), end.isoformat()) if days else ("", "9999")
    try:
        with Archive.open_for_reading(path) as archive:
            rows = archive.reports.daily_counts(source, start, stop)
    except NoDatabase as exc:
        raise StatsError(str(exc)) from None
    except sqlite3.DatabaseError as exc:
        raise StatsError(f"{path}: {exc}") from None
    result = DailyCounts(days=[], sources=sorted({row[1] for row in rows}))
    for day, src, n, undated in rows:
        result.counts.setdefault(day, {})[src] = n
        result.undated += undated
    if days:
        result.days = [(end - timedelta(days=back)).isoformat() for back in range(days - 1, -1, -1)]
    else:
        result.days = sorted(result.counts)
    return result


def format_table(counts: DailyCounts) -> str:
    """Rows = days (newest last), columns = sources, with totals; a first line says which time is counted."""
    note = f"articles per day by source; day = {BASIS}"
    if counts.undated:
        note += f"; {counts.undated} article(s) dated by first_seen_at"
    if not counts.days:
        return note + "\nno articles"
    header = ["day", *counts.sources, "total"]
    rows = [
        [day, *(str(counts.count(day, s)) for s in counts.sources), str(counts.day_total(day))] for day in counts.days
    ]
    grand = sum(counts.day_total(day) for day in counts.days)
    rows.append(["total", *(str(counts.source_total(s)) for s in counts.sources), str(grand)])
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join([row[0].ljust(widths[0]), *(cell.rjust(w) for cell, w in zip(row[1:], widths[1:], strict=True))])
        for row in [header, *rows]
    ]
    return "\n".join([note, *lines])


def plot(counts: DailyCounts, png: str | Path) -> None:
    """Draw the counts as bars stacked by source per day into a PNG (matplotlib, Agg; no display needed)."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
        from matplotlib.figure import Figure
        from matplotlib.ticker import MaxNLocator
    except ImportError:
        raise StatsError(f"matplotlib is not installed: {PLOT_HINT}") from None
    days = [date.fromisoformat(day) for day in counts.days]
    span = (days[-1] - days[0]).days + 1 if days else 1
    figure = Figure(figsize=(min(16.0, max(8.0, 0.25 * span)), 5), layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    bottom = [0] * len(days)
    for source in counts.sources:
        heights = [counts.count(day, source) for day in counts.days]
        axes.bar(days, heights, bottom=bottom, width=0.8, label=source)
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    if days:  # the whole period, even where it has no bar
        first, last = (datetime.combine(day, datetime.min.time()) for day in (days[0], days[-1]))
        axes.set_xlim(first - timedelta(hours=12), last + timedelta(hours=12))
    axes.set_ylim(0, max([1, *bottom]) * 1.1)
    if not any(bottom):
        axes.text(0.5, 0.5, "no articles", transform=axes.transAxes, ha="center", va="center", fontsize=14)
    locator = AutoDateLocator(minticks=3, maxticks=12)
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel("day (UTC; publication time, else first seen)")
    axes.set_ylabel("articles")
    axes.set_title("Articles per day by source")
    axes.grid(axis="y", alpha=0.3)
    if counts.sources:
        axes.legend(title="source", loc="upper left", bbox_to_anchor=(1.01, 1))
    try:
        figure.savefig(png, dpi=100)
    except OSError as exc:
        raise StatsError(f"{png}: cannot write the plot: {exc}") from None
