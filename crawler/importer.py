"""Records from JSON lines (as `newscrawl export --format jsonl` writes them), read and checked line by line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from crawler.items import Article, Image

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


class RecordError(ValueError):
    """A line that is not a usable record; the message names the file and line."""


def read_records(path: str | Path) -> Iterator[tuple[int, Article]]:
    """(line number, record) for every non-blank line; the first bad line raises RecordError."""
    with open(path, encoding="utf-8-sig") as lines:  # a byte-order mark is not part of line 1
        for number, line in enumerate(lines, 1):
            if line.strip():
                try:
                    yield number, to_article(json.loads(line))
                except (ValueError, TypeError) as exc:
                    raise RecordError(f"{path}:{number}: {exc}") from None


def to_article(data: Any) -> Article:
    """The Article of one exported record; other fields of the export (id, word_count, ...) are recomputed."""
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    for name in REQUIRED:
        if not isinstance(data.get(name), str) or not data[name].strip():
            raise ValueError(f"{name!r} missing or not a non-empty string")
    texts = {}
    for name in TEXT_FIELDS:
        value = data.get(name)
        if value is not None and not isinstance(value, str):
            raise ValueError(f"{name!r} is not a string")
        texts[name] = value
    return Article(
        url=data["url"],
        title=data["title"],
        body=data["body"],
        authors=_strings(data, "authors"),
        tags=_strings(data, "tags"),
        images=[Image(i.get("url"), i.get("caption"), i.get("credit")) for i in _objects(data, "images")],
        fetched_url=data["url"],
        **texts,
    )


def _strings(data: dict[str, Any], name: str) -> list[str]:
    value = data.get(name) or []
    if isinstance(value, str):  # a JSON list kept as text (the database's columns)
        value = json.loads(value)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{name!r} is not a list of strings")
    return value


def _objects(data: dict[str, Any], name: str) -> list[dict[str, Any]]:
    value = data.get(name) or []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ValueError(f"{name!r} is not a list of objects")
    return value
