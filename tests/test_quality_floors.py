"""Extraction quality floors: `extract` over the real pages of ../shared/benchmarks, scored by the product owner's
evaluate.py in place. Each floor is the level reached when it was set, less a small margin: a change that makes a
field worse on these pages fails here (extraction is deterministic, so this is a test, not a benchmark)."""

from __future__ import annotations

import sys

import pytest

from conftest import ROOT, SHARED

sys.path.insert(0, str(ROOT / "benchmarks"))
from quality import ours, run, score

BENCHMARKS = SHARED / "benchmarks"
MARGIN = 0.01
REACHED = {  # measured 2026-11-26 (`make bench-quality` prints the same figures)
    "fundus-dev": {
        "title": 0.852,
        "body_f1": 0.979,
        "date_day": 0.992,
        "date_exact": 0.945,
        "authors": 0.928,
        "caption_recall": 0.967,
        "caption_precision": 0.923,
    },
    "zyte-dev": {"body_f1": 0.977},
    "aljarida-cms": {
        "title": 1.0,
        "body_f1": 1.0,
        "date_day": 1.0,
        "date_exact": 1.0,
        "authors": 1.0,
        "caption_recall": 1.0,
        "caption_precision": 1.0,
    },
}


@pytest.mark.skipif(not (BENCHMARKS / "evaluate.py").exists(), reason="../shared/benchmarks not present")
@pytest.mark.parametrize("dataset", sorted(REACHED))
def test_extraction_stays_above_its_floor_on_real_pages(dataset, tmp_path):
    predictions, _ = run(BENCHMARKS / dataset, tmp_path, "newscrawl", ours)
    scores = score(BENCHMARKS / "evaluate.py", BENCHMARKS / dataset / "truth.jsonl", predictions)
    below = {
        metric: f"{scores[metric]:.3f} < {reached - MARGIN:.3f}"
        for metric, reached in REACHED[dataset].items()
        if scores[metric] < reached - MARGIN
    }
    assert not below, f"{dataset}: {below}"
