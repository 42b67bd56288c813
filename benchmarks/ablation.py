"""Each extraction rule switched off in turn, scored on every publisher fold: which folds a rule helps.

A rule found on some pages and helping only the publishers of the fold it was found on fits those publishers,
not news pages: it is to be dropped. For every rule below, extraction runs over fundus-dev and zyte-dev without it
and evaluate.py scores each publisher fold (benchmarks/quality.py's split); the table shows, per fold, what the
rule adds to the field it serves (full score minus the score without the rule), and on how many folds it helps.
Usage: python benchmarks/ablation.py [--shared ../shared] [--folds 3] [--only NAME ...]
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from quality import FOLDS, ROOT, fold_scores, load_pages, ours, run_pages

from crawler.extraction import attribution, authors, body, dates

HELPS = 0.0005  # a fold's score moves by more than this: the rule matters there


def _without_embed_part(part: str) -> Callable[[], Any]:
    """A patch of body.EMBED_CLASS without one of its alternatives (`part`: one or more whole alternatives, which
    become one that matches nothing)."""
    pattern = body.EMBED_CLASS.pattern
    assert part in pattern, part
    return lambda: _patched(body, "EMBED_CLASS", re.compile(pattern.replace(part, "(?!x)x"), re.I))


def _never(module: Any, name: str) -> Callable[[], Any]:
    """A patch of a regex constant that matches nothing."""
    return lambda: _patched(module, name, re.compile(r"(?!x)x"))


def _returning(module: Any, name: str, value: Any) -> Callable[[], Any]:
    """A patch of a function that always returns `value`."""
    return lambda: _patched(module, name, lambda *args, **kwargs: value)


@contextmanager
def _patched(module: Any, name: str, value: Any) -> Iterator[None]:
    old = getattr(module, name)
    setattr(module, name, value)
    try:
        yield
    finally:
        setattr(module, name, old)


# rule name -> (field it serves, patch that switches it off)
RULES: dict[str, tuple[str, Callable[[], Any]]] = {
    **{
        f"body: {label} blocks": ("body_f1", _without_embed_part(part))
        for label, part in [
            ("related", "related"),
            ("social/share", "social|share-?buttons|sharing"),
            ("search", "search-overlay|search-form"),
            ("advert", r"advert|ads?(?:[-_\s]|$)"),
            ("most-read", "most-read"),
            ("fact/info box", "(?:fact|info)-?box"),
            ("poll", "poll(?:[-_]|$)"),
        ]
    },
    "body: read-more lines": ("body_f1", _never(body, "READ_MORE")),
    "body: rights notices": ("body_f1", _never(body, "RIGHTS_NOTICE")),
    "body: newsletter prompts": ("body_f1", _never(body, "NEWSLETTER_PROMPT")),
    "body: affiliate notices": ("body_f1", _never(body, "AFFILIATE_NOTICE")),
    "body: shown standfirst": ("body_f1", _returning(body, "_shown_standfirst", None)),
    "body: missed paragraphs put back": ("body_f1", lambda: _patched(body, "_with_missed_paragraphs", _lines)),
    "body: story block kept": ("body_f1", _returning(body, "_story_holders", set())),
    "authors: footer/credit filter": ("authors", _returning(authors, "_site_chrome", False)),
    "authors: logo alt as outlet": ("authors", _returning(authors, "_logo_alts", [])),
    "dates: teaser dates skipped": ("date_day", _returning(dates, "_in_teaser", False)),
    "attribution: Arabic datelines": ("body_f1", _never(attribution, "ARABIC_DATELINE")),
}


def _lines(page: Any, lines: list[str], excluded: Any) -> list[str]:
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--folds", type=int, default=FOLDS)
    parser.add_argument("--only", nargs="*", default=None, help="rule names (substrings) to measure")
    args = parser.parse_args()
    benchmarks = args.shared / "benchmarks"
    evaluate = benchmarks / "evaluate.py"
    datasets = [benchmarks / "fundus-dev", benchmarks / "zyte-dev"]
    pages = {d.name: load_pages(d) for d in datasets}
    with tempfile.TemporaryDirectory(prefix="ablation-") as tmp:
        work = Path(tmp)

        def per_fold() -> list[dict]:
            found = []
            for dataset in datasets:
                predictions, _ = run_pages(pages[dataset.name], work / f"{dataset.name}.jsonl", ours)
                found += fold_scores(evaluate, dataset / "truth.jsonl", predictions, args.folds, work)
            return found

        full = per_fold()
        names = [f"{d.name[:6]} {i + 1}" for d in datasets for i in range(args.folds)]
        print(f"{'rule (switched off)':<36}{'field':<10}" + "".join(f"{n:>10}" for n in names) + "   helps on")
        for rule, (field, patch) in RULES.items():
            if args.only and not any(word in rule for word in args.only):
                continue
            with patch():
                without = per_fold()
            gains = [f.get(field, 0.0) - w.get(field, 0.0) for f, w in zip(full, without, strict=True)]
            # zyte-dev annotates the body only
            gains = [
                g if field == "body_f1" or not n.startswith("zyte") else 0.0 for g, n in zip(gains, names, strict=True)
            ]
            helped = [n for n, g in zip(names, gains, strict=True) if g > HELPS]
            hurt = [n for n, g in zip(names, gains, strict=True) if g < -HELPS]
            verdict = f"{len(helped)} fold(s)" + (f", hurts {len(hurt)}" if hurt else "")
            print(f"{rule:<36}{field:<10}" + "".join(f"{g:>+10.4f}" for g in gains) + f"   {verdict}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
