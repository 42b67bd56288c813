"""The record contract: what extraction returns and what the pipelines store."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

# how the page was fetched and read: not part of the record
TRANSIENT = ("kept_page", "response_url", "fetched_at", "declared_article")


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
    fetched_url: str | None = None  # set by the spider: the URL as requested, before redirects
    content_hash: str | None = None  # set by the dedupe pipeline: fingerprint of the body's words
    source: str | None = None  # source key, when not the crawling spider's (imported records)
    source_name: str | None = None
    kept_page: bytes | None = field(default=None, repr=False)  # the page as fetched, zlib-compressed, to keep
    response_url: str | None = None  # set by the spider: the URL the page came from, after redirects
    fetched_at: str | None = None  # when the page was fetched, if not now (re-extraction of kept pages)
    declared_article: bool = False  # the page says it is an article (JSON-LD, og:type, the source's article URLs)

    def to_dict(self) -> dict:
        """The record as a plain dict (JSON-ready), images as dicts, without how the page was fetched."""
        return {k: v for k, v in asdict(self).items() if k not in TRANSIENT}


@dataclass
class NotArticle:
    """Why a page yielded no article (a section front, a tag list, too little text, ...)."""

    url: str
    reason: str
    fetched_url: str | None = None  # set by the spider: the URL as requested, before redirects
    kept_page: bytes | None = field(default=None, repr=False)
    response_url: str | None = None
    fetched_at: str | None = None
    failure: str | None = None  # kind of a failed extraction (extract_timeout, too_complex): an error, not a rejection

    def to_dict(self) -> dict:
        """Why the page is not an article, as a plain dict."""
        return {k: v for k, v in asdict(self).items() if k not in TRANSIENT}
