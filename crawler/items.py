"""The record contract: what extraction returns, what the pipelines store, and the one way a record becomes plain
data and back (export, import, the Redis item queue).

An item the pipelines carry is the record (`Article`, or `NotArticle`: why a page is none) plus its `Fetch`: how the
page was fetched and read, which the pipelines use and no export, import or record shows."""

from __future__ import annotations

import json
from dataclasses import KW_ONLY, asdict, dataclass, field, fields
from datetime import datetime
from typing import Any

from crawler.urls import is_web_url

REQUIRED = ("url", "title", "body")  # a record to store has these, non-empty
TEXT_FIELDS = (  # in the order an import checks them
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
    "canonical_url",
    "content_hash",
)
TIME_FIELDS = ("published_at", "modified_at")
LIST_FIELDS = ("authors", "tags", "images")  # JSON text in a CSV cell or a database column
IMAGE_FIELDS = ("url", "caption", "credit")


@dataclass(slots=True)
class Fetch:
    """How a page was fetched and read: travels with its item through the pipelines, never part of the record."""

    fetched_url: str | None = None  # set by the spider: the URL as requested, before redirects
    response_url: str | None = None  # set by the spider: the URL the page came from, after redirects
    fetched_at: str | None = None  # when the page was fetched, if not now (re-extraction of kept pages)
    kept_page: bytes | None = field(default=None, repr=False)  # the page as fetched, zlib-compressed, to keep
    declared_article: bool = False  # the page says it is an article (JSON-LD, og:type, the source's article URLs)
    source: str | None = None  # the source whose crawl fetched it, when not the running spider's (`ingest`)
    queue_payload: str | None = field(default=None, repr=False)  # the Redis item it came from (`ingest` acks it)


@dataclass(slots=True)
class Image:
    """One picture of an article with its caption and photo credit."""

    url: str | None = None
    caption: str | None = None
    credit: str | None = None


@dataclass(slots=True)
class Article:
    """A clean article record, as extracted from one page, with how the page was fetched (`fetch`)."""

    url: str
    title: str
    body: str
    canonical_url: str | None = None  # rel=canonical or og:url, when on the page's origin and an article URL
    caption: str | None = None  # lead image caption, without the credit
    caption_credit: str | None = None  # photo credit of the lead image ("unn", "AFP")
    images: list[Image] = field(default_factory=list)
    attribution: str | None = None  # outlet credited by a closing "Source: X" line
    authors: list[str] = field(default_factory=list)
    published_at: str | None = None  # ISO 8601; extraction gives the page's offset, the store keeps UTC
    modified_at: str | None = None
    language: str | None = None  # ISO 639-1
    section: str | None = None
    tags: list[str] = field(default_factory=list)
    image_url: str | None = None
    description: str | None = None
    content_hash: str | None = None  # set by the dedupe pipeline: fingerprint of the body's words
    source: str | None = None  # source key, when not the crawling spider's (imported records)
    source_name: str | None = None
    fetch: Fetch = field(default_factory=Fetch, repr=False)  # not part of the record

    def to_dict(self) -> dict[str, Any]:
        """The record as a plain dict (JSON-ready), images as dicts, without how the page was fetched."""
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self) if f.name != "fetch"}

    @classmethod
    def from_dict(cls, data: Any, in_flight: bool = False) -> Article:
        """The Article of a record dict (`to_dict`'s, an export's line, an export's CSV row with `lists_from_text`),
        every field checked: ValueError names the first bad field (`'authors' is not a list of strings`). A record
        to store (an import) also needs a non-empty url, title and body, an http(s) URL and ISO 8601 times; an
        item `in_flight` from a worker to the writer is only checked for types (validation judges it)."""
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        for name in REQUIRED:
            value = data.get(name)
            if not isinstance(value, str) or not (in_flight or value.strip()):
                raise ValueError(f"{name!r} missing or not a {'' if in_flight else 'non-empty '}string")
        if not in_flight and not is_web_url(data["url"]):
            raise ValueError(f"'url' {data['url']!r} is not an http(s) URL")
        texts = {}
        for name in TEXT_FIELDS:
            value = data.get(name)
            if value is not None and not isinstance(value, str):
                raise ValueError(f"{name!r} is not a string")
            texts[name] = value
        for name in TIME_FIELDS:
            if not in_flight and texts[name] is not None and not _is_time(texts[name]):
                raise ValueError(f"{name!r} {texts[name]!r} is not an ISO 8601 date or time")
        return cls(
            url=data["url"],
            title=data["title"],
            body=data["body"],
            authors=_strings(data, "authors"),
            tags=_strings(data, "tags"),
            images=[Image(**_image(image, n)) for n, image in enumerate(_objects(data, "images"))],
            **texts,
        )


@dataclass(slots=True)
class NotArticle:
    """Why a page yielded no article (a section front, a tag list, too little text, ...)."""

    url: str
    reason: str
    _: KW_ONLY
    failure: str | None = None  # kind of a failed extraction (extract_timeout, too_complex): an error, not a rejection
    fetch: Fetch = field(default_factory=Fetch, repr=False)  # not part of the record

    def to_dict(self) -> dict[str, Any]:
        """Why the page is not an article, as a plain dict."""
        return {"url": self.url, "reason": self.reason, "failure": self.failure}

    @classmethod
    def from_dict(cls, data: Any) -> NotArticle:
        """The NotArticle of `to_dict`'s dict; ValueError names a field that is not a string."""
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        for name in ("url", "reason", "failure"):
            if not isinstance(data.get(name), str) and not (name == "failure" and data.get(name) is None):
                raise ValueError(f"{name!r} is not a string")
        return cls(data["url"], data["reason"], failure=data.get("failure"))


def lists_from_text(data: dict[str, Any]) -> dict[str, Any]:
    """The record with its list fields (authors, tags, images) read where they are JSON text (a database row, a
    cell of an export's CSV); ValueError names a field that is not JSON."""
    for name in LIST_FIELDS:
        if isinstance(data.get(name), str):
            try:
                data[name] = json.loads(data[name])
            except (ValueError, RecursionError):
                raise ValueError(f"{name!r} is not a JSON list") from None
    return data


def _plain(value: Any) -> Any:
    if isinstance(value, list):
        return [asdict(v) if isinstance(v, Image) else v for v in value]
    return value


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
