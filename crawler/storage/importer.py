"""Records from JSON lines (as `newscrawl export --format jsonl` writes them) or from the CSV of
`newscrawl export --format csv`, read and checked record by record."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from crawler.items import Article, Image
from crawler.urls import is_web_url
from crawler.web.formats import restore_cell

REQUIRED = ("url", "title", "body")
TEXT_FIELDS = (
    "source",
    "source_name",
    "caption",
    "caption_credit",
    "attribution",
    "published_at",
    "modified_at",
    "language",
    "section",
    "image_url",
    "description",
)
TIME_FIELDS = ("published_at", "modified_at")
LIST_FIELDS = ("authors", "tags", "images")  # JSON text in a CSV export's cells
IMAGE_FIELDS = ("url", "caption", "credit")
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
            for name in LIST_FIELDS:
                if isinstance(data.get(name), str):
                    try:
                        data[name] = json.loads(data[name])
                    except (ValueError, RecursionError):
                        raise RecordError(f"{path}:{line}: {name!r} is not a JSON list") from None
            yield line, data


def to_article(data: Any) -> Article:
    """The Article of one exported record; other fields of the export (id, word_count, ...) are recomputed."""
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    for name in REQUIRED:
        if not isinstance(data.get(name), str) or not data[name].strip():
            raise ValueError(f"{name!r} missing or not a non-empty string")
    if not is_web_url(data["url"]):
        raise ValueError(f"'url' {data['url']!r} is not an http(s) URL")
    texts = {}
    for name in TEXT_FIELDS:
        value = data.get(name)
        if value is not None and not isinstance(value, str):
            raise ValueError(f"{name!r} is not a string")
        texts[name] = value
    for name in TIME_FIELDS:
        if texts[name] is not None and not _is_time(texts[name]):
            raise ValueError(f"{name!r} {texts[name]!r} is not an ISO 8601 date or time")
    return Article(
        url=data["url"],
        title=data["title"],
        body=data["body"],
        authors=_strings(data, "authors"),
        tags=_strings(data, "tags"),
        images=[Image(**_image(image, n)) for n, image in enumerate(_objects(data, "images"))],
        fetched_url=data["url"],
        **texts,
    )


def _is_time(text: str) -> bool:
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


def _strings(data: dict[str, Any], name: str) -> list[str]:
    value = data.get(name) or []
    if isinstance(value, str):  # a JSON list kept as text (the database's columns)
        try:
            value = json.loads(value)
        except (ValueError, RecursionError):
            raise ValueError(f"{name!r} is not a list of strings") from None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{name!r} is not a list of strings")
    return value


def _objects(data: dict[str, Any], name: str) -> list[dict[str, Any]]:
    value = data.get(name) or []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ValueError(f"{name!r} is not a list of objects")
    return value


def _image(image: dict[str, Any], number: int) -> dict[str, str | None]:
    """An image object's url, caption and credit, each a string or null."""
    found = {name: image.get(name) for name in IMAGE_FIELDS}
    for name, value in found.items():
        if value is not None and not isinstance(value, str):
            raise ValueError(f"'images'[{number}].{name} is not a string")
    return found
