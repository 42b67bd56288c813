"""The record contract: what extraction returns and what the pipelines store."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class Image:
    """One picture of an article with its caption and photo credit."""

    url: str | None = None
    caption: str | None = None
    credit: str | None = None


@dataclass
class Article:
    """A clean article record, as extracted from one page."""

    url: str
    title: str
    body: str
    canonical_url: str | None = None
    caption: str | None = None  # lead image caption, without the credit
    caption_credit: str | None = None  # photo credit of the lead image ("unn", "AFP")
    images: list[Image] = field(default_factory=list)
    attribution: str | None = None  # outlet credited by a closing "Source: X" line
    authors: list[str] = field(default_factory=list)
    published_at: str | None = None  # ISO 8601 in UTC, e.g. 2024-08-11T09:30:00+00:00
    modified_at: str | None = None
    language: str | None = None  # ISO 639-1
    section: str | None = None
    tags: list[str] = field(default_factory=list)
    image_url: str | None = None
    description: str | None = None
    fetched_url: str | None = None  # set by the spider: the URL as requested, before redirects
    content_hash: str | None = None  # set by the dedupe pipeline: fingerprint of the body's words

    def to_dict(self) -> dict:
        """A plain dict (JSON-ready), images as dicts."""
        return asdict(self)


@dataclass
class NotArticle:
    """Why a page yielded no article (a section front, a tag list, too little text, ...)."""

    url: str
    reason: str
    fetched_url: str | None = None  # set by the spider: the URL as requested, before redirects
