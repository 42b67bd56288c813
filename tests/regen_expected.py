"""Rewrite crawler/demo/sites/*/expected.json from the current extraction, for review with `git diff`.

Run after a deliberate extraction change: `.venv/bin/python tests/regen_expected.py`. Notes are kept.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from test_fixture_records import FIELDS, page_file  # noqa: E402

from conftest import SITES, SOURCE_FOLDERS  # noqa: E402
from crawler.crawl.discovery import parse_date  # noqa: E402
from crawler.demo.replay import Site, find_source_file  # noqa: E402
from crawler.extraction import extract  # noqa: E402
from crawler.items import Article  # noqa: E402
from crawler.sources import load_source  # noqa: E402


def regenerate(expected_file: Path) -> int:
    site = Site.load(expected_file.parent)
    source = load_source(find_source_file(site.name, SOURCE_FOLDERS))
    records = json.loads(expected_file.read_text(encoding="utf-8"))
    for record in records:
        result = extract(
            page_file(site, record["path"]).read_bytes(), record["url"], source, parse_date(site.recorded_at)
        )
        record["is_article"] = isinstance(result, Article)
        if isinstance(result, Article):
            record.update({name: getattr(result, name) for name in FIELDS})
            lines = result.body.split("\n")
            record["first_line"], record["last_line"] = lines[0], lines[-1]
    expected_file.write_text(json.dumps(records, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return len(records)


if __name__ == "__main__":
    for path in sorted(SITES.glob("*/expected.json")):
        print(f"{path.relative_to(ROOT)}: {regenerate(path)} records")
