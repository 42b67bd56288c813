"""Extraction quality on ../shared/benchmarks: newscrawl's extract() beside plain trafilatura, scored in place.

For every dataset folder with a truth.jsonl, runs both extractors over its pages (with their original URLs),
writes predictions to output/bench/<dataset>-{newscrawl,trafilatura}.jsonl, runs the product owner's
evaluate.py on each, and prints the two tables side by side with the issue's goals.

Cost: both extractors are timed page by page in the same run, interleaved (each page by one then the other, the
order alternating from page to page, so that load on a shared machine falls on both alike), after a warm-up over
a few pages of each dataset (lazy imports and caches are not a per-page cost), over ROUNDS rounds; a page's cost
is its fastest round. The last line gives the median and the 95th percentile of the per-page costs over the
benchmarks' real pages, for each extractor, and the ratio of each.

Held-out folds: the pages are split by publisher (fundus-dev's `publisher`, else the registered domain of the
URL) into FOLDS folds, and every field is scored on each fold alone. The extraction rules have no fitted
parameters, so a fold's score is what the rules do on publishers of the other folds too: the table shows each
fold and the minimum across folds beside the full set, for newscrawl and trafilatura. A rule whose gain shows on
one fold only fits the publishers it was found on (benchmarks/ablation.py measures each rule per fold). The
recorded fixture sites (crawler/demo/sites, the reviewed records of expected.json) are scored the same way,
one fold per site, on the fields they record.
Usage: python benchmarks/quality.py [--shared ../shared] [--out output/bench] [--folds 3] [--rounds 3]
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import math
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import tldextract
import trafilatura

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler.crawl.discovery import parse_date  # noqa: E402
from crawler.demo.replay import Site, find_source_file  # noqa: E402
from crawler.extraction import extract  # noqa: E402
from crawler.items import Article  # noqa: E402
from crawler.sources import load_source  # noqa: E402

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
FIXTURE_FIELDS = {"found", "title", "date_day", "date_exact", "authors", "caption_recall", "caption_precision", "pages"}
ANNOTATED = {"zyte-dev": {"found", "body_p", "body_r", "body_f1", "pages"}, "fixtures": FIXTURE_FIELDS}
FOLDS = 3
COST_GOAL = 0.6  # newscrawl's per-page cost over plain trafilatura's, at the median and at p95
ROUNDS = 3  # timing rounds: a page's cost is its fastest
WARM_UP_PAGES = 5
FIXTURE_SITES = ROOT / "crawler" / "demo" / "sites"
SOURCE_FOLDERS = [ROOT / "crawler" / "sources", ROOT / "crawler" / "demo" / "sources"]
DOMAINS = tldextract.TLDExtract(suffix_list_urls=())  # the list it ships: no download


def ours(html: bytes, record: dict) -> dict:
    fetched = _crawl_date(record)
    result = extract(html, record["url"], record.get("_source"), fetched)
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


def fixture_pages(sites: Path = FIXTURE_SITES) -> list[tuple[bytes, dict]]:
    """(html, truth record) for every article page of the recorded fixture sites, from their reviewed records
    (title, date, authors, lead caption), read with the site's source config as a crawl reads them."""
    pages = []
    for expected in sorted(sites.glob("*/expected.json")):
        site = Site.load(expected.parent)
        source = load_source(find_source_file(expected.parent.name, SOURCE_FOLDERS))
        for record in json.loads(expected.read_text(encoding="utf-8")):
            if not record["is_article"]:
                continue
            path, _, query = record["path"].partition("?")
            truth = {
                "id": f"{expected.parent.name}:{record['path']}",
                "url": record["url"],
                "publisher": expected.parent.name,
                "crawl_date": parse_date(site.recorded_at).isoformat(),
                "title": record["title"],
                "published": record["published_at"],
                "authors": record["authors"],
                "captions": [{"caption": record["caption"]}] if record["caption"] else [],
                "_source": source,
            }
            pages.append((site.find(path, query).read_bytes(), truth))
    return pages


def publisher(record: dict) -> str:
    """The publisher of a page: the dataset's own field, else the registered domain of its URL."""
    if record.get("publisher"):
        return record["publisher"]
    parts = DOMAINS(record["url"])
    return parts.top_domain_under_public_suffix or parts.domain or record["url"]


def fold_of(record: dict, folds: int) -> int:
    """The fold of a page: a stable hash of its publisher, so that a publisher's pages are never split."""
    return zlib.crc32(publisher(record).encode("utf-8")) % folds


def run(dataset: Path, out: Path, name: str, extractor) -> tuple[Path, float]:
    """Predictions of one extractor over one dataset; returns the file and pages/s."""
    return run_pages(load_pages(dataset), out / f"{dataset.name}-{name}.jsonl", extractor)


def run_pages(pages: list[tuple[bytes, dict]], path: Path, extractor) -> tuple[Path, float]:
    """Predictions of one extractor over `pages`, written to `path`; returns the file and pages/s."""
    extractor(*pages[0])  # warm-up: lazy imports and caches are not a per-page cost
    started = time.perf_counter()
    predictions = [extractor(html, record) for html, record in pages]
    rate = len(pages) / (time.perf_counter() - started)
    _write(path, predictions)
    return path, rate


def run_interleaved(
    pages: list[tuple[bytes, dict]], paths: tuple[Path, Path], extractors: tuple, rounds: int = ROUNDS
) -> tuple[list[float], list[float]]:
    """Predictions of two extractors over `pages`, written to `paths`, and each one's per-page cost in seconds
    (its fastest of `rounds`), both timed in the same run (interleaved_costs)."""
    (ours, theirs), predictions = interleaved_costs(pages, extractors, rounds)
    for path, found in zip(paths, predictions, strict=True):
        _write(path, found)
    return ours, theirs


def interleaved_costs(
    pages: list[tuple], extractors: tuple, rounds: int = ROUNDS, clock: Callable[[], float] = time.perf_counter
) -> tuple[list[list[float]], list[list[Any]]]:
    """Each extractor's cost on each page (`extractor(*page)`), in seconds of `clock`, and what it returned in the
    first round: after a warm-up (lazy imports and caches are not a per-page cost), page by page, the one going
    first alternating (a busy moment of the machine falls on all alike), over `rounds` rounds, a page's cost its
    fastest."""
    for page in pages[:WARM_UP_PAGES]:
        for extractor in extractors:
            extractor(*page)
    costs = [[float("inf")] * len(pages) for _ in extractors]
    outputs: list[list[Any]] = [[] for _ in extractors]
    for round_ in range(rounds):
        for index, page in enumerate(pages):
            order = range(len(extractors)) if (index + round_) % 2 == 0 else reversed(range(len(extractors)))
            for which in order:
                started = clock()
                output = extractors[which](*page)
                costs[which][index] = min(costs[which][index], clock() - started)
                if round_ == 0:
                    outputs[which].append(output)
    return costs, outputs


def _write(path: Path, predictions: list[dict]) -> None:
    path.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in predictions), encoding="utf-8")


def percentile(values: list[float], share: float) -> float:
    """The `share` percentile of `values` (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def write_truth(pages: list[tuple[bytes, dict]], path: Path) -> Path:
    """A truth.jsonl of `pages` (what evaluate.py reads)."""
    records = [{k: v for k, v in record.items() if not k.startswith("_")} for _, record in pages]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def fold_scores(evaluate: Path, truth: Path, predictions: Path, folds: int, work: Path) -> list[dict]:
    """evaluate.py's scores on each publisher fold of a dataset (the truth and predictions cut to the fold)."""
    records = [json.loads(line) for line in truth.read_text(encoding="utf-8").splitlines() if line]
    predicted = {p["id"]: p for p in map(json.loads, predictions.read_text(encoding="utf-8").splitlines())}
    publishers = sorted({publisher(r) for r in records})
    if len(publishers) <= folds:  # few publishers (the fixture sites): one fold each
        groups = [[r for r in records if publisher(r) == name] for name in publishers]
    else:
        groups = [[r for r in records if fold_of(r, folds) == fold] for fold in range(folds)]
    scores = []
    for fold, members in enumerate(groups):
        if not members:
            continue
        fold_truth, fold_predictions = work / f"truth-{fold}.jsonl", work / f"pred-{fold}.jsonl"
        fold_truth.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in members), encoding="utf-8")
        lines = [json.dumps(predicted.get(r["id"], {"id": r["id"]}), ensure_ascii=False) + "\n" for r in members]
        fold_predictions.write_text("".join(lines), encoding="utf-8")
        scores.append(score(evaluate, fold_truth, fold_predictions))
    return scores


def score(evaluate: Path, truth: Path, predictions: Path) -> dict:
    command = [sys.executable, str(evaluate), str(truth), str(predictions), "--json"]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--out", type=Path, default=ROOT / "output" / "bench")
    parser.add_argument("--folds", type=int, default=FOLDS, help="publisher folds (held-out figures)")
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="timing rounds (a page's cost: its fastest)")
    args = parser.parse_args()
    benchmarks = args.shared / "benchmarks"
    evaluate = benchmarks / "evaluate.py"
    if not evaluate.exists():
        sys.exit(f"bench-quality: {evaluate} not found (the benchmarks live in ../shared/benchmarks)")
    args.out.mkdir(parents=True, exist_ok=True)
    costs: dict[str, list[float]] = {"newscrawl": [], "trafilatura": []}
    datasets = sorted(p for p in benchmarks.iterdir() if (p / "truth.jsonl").exists() and (p / "html").exists())
    for name, truth, pages in [(d.name, d / "truth.jsonl", load_pages(d)) for d in datasets] + _fixtures(args.out):
        ours_file, traf_file = args.out / f"{name}-newscrawl.jsonl", args.out / f"{name}-trafilatura.jsonl"
        ours_costs, traf_costs = run_interleaved(pages, (ours_file, traf_file), (ours, plain_trafilatura), args.rounds)
        ours_scores = score(evaluate, truth, ours_file)
        traf_scores = score(evaluate, truth, traf_file)
        with tempfile.TemporaryDirectory(prefix="bench-folds-") as work:
            ours_folds = fold_scores(evaluate, truth, ours_file, args.folds, Path(work))
            traf_folds = fold_scores(evaluate, truth, traf_file, args.folds, Path(work))
        if name != "fixtures":  # the cost is measured on the benchmarks' real pages
            costs["newscrawl"] += ours_costs
            costs["trafilatura"] += traf_costs
        _print_table(name, ours_scores, traf_scores, ours_folds, traf_folds)
        ours_ms, traf_ms = 1000 * statistics.median(ours_costs), 1000 * statistics.median(traf_costs)
        print(f"{'median ms/page':<20}{ours_ms:>10.1f}{traf_ms:>{13 + 8 * (len(ours_folds) + 1)}.1f}")
    count = len(costs["newscrawl"])
    print(f"\nper-page cost over all {count} pages, 1 core, interleaved, fastest of {args.rounds} rounds:")
    for label, share in (("median", 0.5), ("p95", 0.95)):
        ours_ms, traf_ms = (1000 * percentile(costs[k], share) for k in ("newscrawl", "trafilatura"))
        print(
            f"  {label:<7} newscrawl {ours_ms:6.1f} ms   trafilatura.bare_extraction {traf_ms:6.1f} ms   "
            f"ratio {ours_ms / traf_ms:.2f}x (goal <= {COST_GOAL}x)"
        )


def _fixtures(out: Path) -> list[tuple[str, Path, list[tuple[bytes, dict]]]]:
    """The recorded fixture sites as one more dataset, when the project's tests are present."""
    pages = fixture_pages() if FIXTURE_SITES.exists() else []
    return [("fixtures", write_truth(pages, out / "fixtures-truth.jsonl"), pages)] if pages else []


def _print_table(name: str, ours: dict, traf: dict, ours_folds: list[dict], traf_folds: list[dict]) -> None:
    """The full-set scores and each held-out fold's, with the minimum across folds, for both extractors."""
    goals = GOALS.get(name, {})
    sizes = "/".join(str(f.get("pages", 0)) for f in ours_folds)
    print(f"\n{name} ({ours.get('pages', 0)} pages; publisher folds of {sizes} pages)")
    folds = "".join(f"{'fold ' + str(i + 1):>8}" for i in range(len(ours_folds)))
    print(f"{'metric':<20}{'newscrawl':>10}{folds}{'min':>8}{'trafilatura':>13}{'min':>8}{'goal':>8}")
    for metric in [m for m in ours if m in ANNOTATED.get(name, ours) and m != "pages"]:
        per_fold = [f.get(metric) for f in ours_folds]
        traf_min = min((f.get(metric) for f in traf_folds if isinstance(f.get(metric), float)), default=None)
        row = f"{metric:<20}{_fmt(ours[metric]):>10}" + "".join(f"{_fmt(v):>8}" for v in per_fold)
        row += f"{_fmt(min((v for v in per_fold if isinstance(v, float)), default=None)):>8}"
        row += f"{_fmt(traf.get(metric)):>13}{_fmt(traf_min):>8}"
        goal = goals.get(metric)
        if goal is not None:
            row += f"{goal:>8.3f}  " + ("met" if ours[metric] >= goal else "NOT met")
        print(row)


def _fmt(value: object) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)


if __name__ == "__main__":
    main()
