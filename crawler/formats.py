"""Writing rows as JSON, JSON lines or CSV, one row at a time (constant memory for any number of rows)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import Any, TextIO


def write_rows(rows: Iterable[dict[str, Any]], fmt: str, out: TextIO) -> int:
    """Write `rows` to `out` as json (one array), jsonl or csv (header from the first row); the count written."""
    count = 0
    writer: csv.DictWriter | None = None
    if fmt == "json":
        out.write("[")
    for row in rows:
        if fmt == "csv":
            if writer is None:
                writer = csv.DictWriter(out, fieldnames=list(row), extrasaction="ignore")
                writer.writeheader()
            writer.writerow({k: _csv_value(v) for k, v in row.items()})
        else:
            text = json.dumps(row, ensure_ascii=False)
            out.write(("," if count else "") + "\n" + text if fmt == "json" else text + "\n")
        count += 1
    if fmt == "json":
        out.write("\n]\n" if count else "]\n")
    return count


def _csv_value(value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, (list, dict)) else value
