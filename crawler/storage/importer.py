"""Records from JSON lines (as `newscrawl export --format jsonl` writes them) or from the CSV of
`newscrawl export --format csv`, read and checked record by record."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from crawler.items import REQUIRED, Article, lists_from_text
from crawler.web.formats import restore_cell

NOT_READ = ("canonical_url", "content_hash")  # not in an export, or recomputed
SNIFF_BYTES = 8192


class RecordError(ValueError):
    """A line that is not a usable record; the message names the file and line."""


def read_records(path: str | Path) -> Iterator[tuple[int, Article]]:
    """(line number, record) for every record: one per non-blank line of JSON lines, or one per row of an export's
    CSV (told apart by the first line: a CSV header naming url, title and body); the first bad record raises
    RecordError naming the file, the line and the field."""
    with open(path, "rb") as raw:
        if b"\x00" in raw.read(SNIFF_BYTES):
            raise RecordError(f"{path}: a binary file, not UTF-8 JSON lines or CSV")
    try:
        reader = _csv_records if _is_csv(path) else _json_records
        for line, data in reader(path):
            try:
                yield line, to_article(data)
            except (ValueError, TypeError) as exc:
                raise RecordError(f"{path}:{line}: {exc}") from None
    except UnicodeDecodeError:
        raise RecordError(f"{path}:{_undecodable_line(path)}: not UTF-8 text") from None


def _undecodable_line(path: str | Path) -> int:
    """The number of the first line that is not UTF-8 (a newline byte is never inside a UTF-8 character)."""
    with open(path, "rb") as lines:
        for number, line in enumerate(lines, 1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                return number
    return 1


def _is_csv(path: str | Path) -> bool:
    """True when the first non-blank line is a CSV header with url, title and body columns (not a JSON object)."""
    with open(path, encoding="utf-8-sig", newline="") as text:
        first = next((line for line in text if line.strip()), "")
    if first.lstrip().startswith("{"):
        return False
    try:
        header = next(csv.reader([first]), [])
    except csv.Error:
        return False
    return set(REQUIRED) <= {name.strip() for name in header}


def _json_records(path: str | Path) -> Iterator[tuple[int, Any]]:
    with open(path, encoding="utf-8-sig") as lines:  # a byte-order mark is not part of line 1
        for number, line in enumerate(lines, 1):
            if line.strip():
                try:
                    data = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise RecordError(f"{path}:{number}: not JSON: {exc.msg} at column {exc.colno}") from None
                except (ValueError, RecursionError):  # a number too long to read, or nested too deeply
                    raise RecordError(f"{path}:{number}: not JSON lines as `newscrawl export` writes them") from None
                yield number, data


def _csv_records(path: str | Path) -> Iterator[tuple[int, Any]]:
    """Rows of an export's CSV as records: empty cells are missing values, list columns are JSON text, and a cell
    that export neutralised as a spreadsheet formula gets its text back (`restore_cell`)."""
    csv.field_size_limit(2**31 - 1)  # an article body is longer than the module's 128 KiB default
    with open(path, encoding="utf-8-sig", newline="") as text:
        rows = csv.DictReader(text)
        rows.fieldnames  # noqa: B018 (reads the header)
        start = rows.line_num + 1  # where the next row starts (a row may span lines: bodies have newlines)
        while True:
            try:
                row = next(rows)
            except StopIteration:
                return
            except csv.Error as exc:
                raise RecordError(f"{path}:{start}: not CSV as `newscrawl export` writes it: {exc}") from None
            line, start = start, rows.line_num + 1
            if None in row:
                raise RecordError(f"{path}:{line}: more cells than the header has columns")
            data: dict[str, Any] = {name: restore_cell(value) if value else None for name, value in row.items()}
            try:
                data = lists_from_text(data)
            except ValueError as exc:
                raise RecordError(f"{path}:{line}: {exc}") from None
            yield line, data


def to_article(data: Any) -> Article:
    """The Article of one exported record, fetched at its URL; other fields of the export (id, word_count,
    content_hash, ...) are recomputed."""
    if isinstance(data, dict):
        data = {name: value for name, value in data.items() if name not in NOT_READ}
    article = Article.from_dict(data)
    article.fetch.fetched_url = article.url
    return article
