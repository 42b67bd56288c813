"""Extraction quality on ../shared/benchmarks: newscrawl's extract() beside plain trafilatura, scored in place.

For every dataset folder with a truth.jsonl, runs both extractors over its pages (with their original URLs),
writes predictions to output/bench/<dataset>-{newscrawl,trafilatura}.jsonl, runs the product owner's
evaluate.py on each, and prints the two tables side by side with the issue's goals, plus pages/s for each
extractor (timed after a warm-up page, so one-off loading is not counted) and the per-page cost ratio.
Usage: python benchmarks/quality.py [--shared ../shared] [--out output/bench]
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import trafilatura

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler.extraction import extract  # noqa: E402
from crawler.items import Article  # noqa: E402

logging.getLogger("trafilatura").setLevel(logging.CRITICAL)

# the goals of the extraction-quality issue, per dataset and metric (zyte-dev annotates the body only)
GOALS = {
    "fundus-dev": {
        "title": 0.92,
        "body_f1": 0.970,
        "date_day": 0.99,
        "date_exact": 0.90,
        "authors": 0.92,
        "caption_recall": 0.85,
        "caption_precision": 0.85,
    },
    "zyte-dev": {"body_f1": 0.975},
}
# datasets that annotate only some fields: their other scores mean nothing and are not printed
ANNOTATED = {"zyte-dev": {"found", "body_p", "body_r", "body_f1", "pages"}}


def ours(html: bytes, record: dict) -> dict:
    fetched = _crawl_date(record)
    result = extract(html, record["url"], None, fetched)
    if not isinstance(result, Article):
        return {"id": record["id"]}
    return {
        "id": record["id"],
        "title": result.title,
        "body": result.body,
        "authors": result.authors,
        "published": result.published_at,
        "captions": [image.caption for image in result.images if image.caption],
        "attribution": result.attribution,
        "language": result.language,
    }


def plain_trafilatura(html: bytes, record: dict) -> dict:
    doc = trafilatura.bare_extraction(html.decode("utf-8", "replace"), url=record["url"], with_metadata=True)
    if doc is None:
        return {"id": record["id"]}
    return {
        "id": record["id"],
        "title": doc.title,
        "body": doc.text,
        "authors": [a.strip() for a in (doc.author or "").split(";") if a.strip()],
        "published": doc.date,
        "language": doc.language,
    }


def _crawl_date(record: dict) -> datetime | None:
    try:
        return datetime.fromisoformat(record.get("crawl_date", "")).astimezone()
    except ValueError:
        return None


def load_pages(dataset: Path) -> list[tuple[bytes, dict]]:
    """(html, truth record) for every page of a dataset."""
    records = [json.loads(line) for line in (dataset / "truth.jsonl").read_text(encoding="utf-8").splitlines() if line]
    return [(gzip.decompress((dataset / r["file"]).read_bytes()), r) for r in records]


def run(dataset: Path, out: Path, name: str, extractor) -> tuple[Path, float]:
    """Predictions of one extractor over one dataset; returns the file and pages/s."""
    pages = load_pages(dataset)
    extractor(*pages[0])  # warm-up: lazy imports and caches are not a per-page cost
    started = time.perf_counter()
    predictions = [extractor(html, record) for html, record in pages]
    rate = len(pages) / (time.perf_counter() - started)
    path = out / f"{dataset.name}-{name}.jsonl"
    path.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in predictions), encoding="utf-8")
    return path, rate


def score(evaluate: Path, truth: Path, predictions: Path) -> dict:
    command = [sys.executable, str(evaluate), str(truth), str(predictions), "--json"]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--out", type=Path, default=ROOT / "output" / "bench")
    args = parser.parse_args()
    benchmarks = args.shared / "benchmarks"
    evaluate = benchmarks / "evaluate.py"
    if not evaluate.exists():
        sys.exit(f"bench-quality: {evaluate} not found (the benchmarks live in ../shared/benchmarks)")
    args.out.mkdir(parents=True, exist_ok=True)
    timing = {"newscrawl": 0.0, "trafilatura": 0.0, "pages": 0}
    for dataset in sorted(p for p in benchmarks.iterdir() if (p / "truth.jsonl").exists() and (p / "html").exists()):
        ours_file, ours_rate = run(dataset, args.out, "newscrawl", ours)
        traf_file, traf_rate = run(dataset, args.out, "trafilatura", plain_trafilatura)
        ours_scores = score(evaluate, dataset / "truth.jsonl", ours_file)
        traf_scores = score(evaluate, dataset / "truth.jsonl", traf_file)
        pages = ours_scores.get("pages", 0)
        timing["pages"] += pages
        timing["newscrawl"] += pages / ours_rate
        timing["trafilatura"] += pages / traf_rate
        goals = GOALS.get(dataset.name, {})
        print(f"\n{dataset.name} ({pages} pages)")
        print(f"{'metric':<20}{'newscrawl':>12}{'trafilatura':>14}{'goal':>8}")
        for metric in [m for m in ours_scores if m in ANNOTATED.get(dataset.name, ours_scores)]:
            a, b, goal = ours_scores[metric], traf_scores.get(metric), goals.get(metric)
            verdict = ("" if goal is None else f"{goal:>8.3f}  " + ("met" if a >= goal else "NOT met"))
            print(f"{metric:<20}{_fmt(a):>12}{_fmt(b):>14}{verdict}")
        print(f"{'pages/s (1 core)':<20}{ours_rate:>12.1f}{traf_rate:>14.1f}   cost ratio {traf_rate / ours_rate:.2f}x")
    ours_ms, traf_ms = (1000 * timing[k] / timing["pages"] for k in ("newscrawl", "trafilatura"))
    print(
        f"\nper-page cost over all {timing['pages']} pages: newscrawl {ours_ms:.1f} ms ({1000 / ours_ms:.1f} pages/s), "
        f"trafilatura.bare_extraction {traf_ms:.1f} ms ({1000 / traf_ms:.1f} pages/s): ratio {ours_ms / traf_ms:.2f}x"
        " (goal <= 1.2x)"
    )


def _fmt(value: object) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)


if __name__ == "__main__":
    main()
