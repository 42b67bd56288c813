"""Writing rows as JSON, JSON lines or CSV, one row at a time (constant memory for any number of rows)."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Any, TextIO

from crawler.web.terminal import json_text, printable

# a cell a spreadsheet would read as a formula (OWASP, CSV injection), after any quotes already in front of it
FORMULA_START = re.compile(r"'*[=+\-@\t\r]")


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
            text = json_text(row)
            out.write(("," if count else "") + "\n" + text if fmt == "json" else text + "\n")
        count += 1
    if fmt == "json":
        out.write("\n]\n" if count else "]\n")
    return count


def neutralise_cell(text: str) -> str:
    """A text cell a spreadsheet will not run: one quote put in front of a cell that starts with = + - @ tab or
    CR, after any quotes it starts with (so that `restore_cell` can tell an added quote from a stored one)."""
    return "'" + text if FORMULA_START.match(text) else text


def restore_cell(text: str) -> str:
    """The stored text of a CSV cell `neutralise_cell` wrote: one leading quote taken off a cell that starts with
    quotes followed by = + - @ tab or CR; any other cell unchanged."""
    return text[1:] if text.startswith("'") and FORMULA_START.match(text) else text


def _csv_value(value: Any) -> Any:
    """A cell: lists and objects as JSON, text with control characters escaped (\\x1b) and formulas neutralised."""
    if isinstance(value, (list, dict)):
        value = json_text(value)
    return neutralise_cell(printable(value)) if isinstance(value, str) else value
