"""extract(html, url, source) -> Article | NotArticle: a pure function, no I/O, safe on any input."""

from __future__ import annotations

import logging
import re
import unicodedata
from datetime import datetime
from zoneinfo import ZoneInfo

from crawler.extraction.attribution import split_attribution
from crawler.extraction.authors import extract_authors, split_leading_byline
from crawler.extraction.body import extract_body_lines
from crawler.extraction.captions import extract_images
from crawler.extraction.dates import extract_dates
from crawler.extraction.hydrated import hydrated_page
from crawler.extraction.language import detect_language
from crawler.extraction.marked import tagged
from crawler.extraction.metadata import extract_description, extract_image_url, extract_section, extract_tags
from crawler.extraction.page import ARTICLE_TYPES, NotHtml, Page, ld_types, parse_page, text_of
from crawler.extraction.pictures import real_url
from crawler.extraction.title import extract_title
from crawler.items import Article, Fetch, NotArticle
from crawler.settings import NEWSCRAWL_MIN_DECLARED_WORDS, NEWSCRAWL_MIN_WORDS
from crawler.sources import Source
from crawler.urls import same_origin
from crawler.words import count_words

__all__ = ["extract"]

# A page under NEWSCRAWL_MIN_WORDS words is not an article, unless it declares itself one (JSON-LD, og:type, the
# source's article URLs): a news flash, down to NEWSCRAWL_MIN_DECLARED_WORDS (the settings' defaults: extraction
# runs outside Scrapy, in pool workers).
MIN_SENTENCE_WORDS = 8  # a short declared article still holds a sentence, not only labels and links
NON_ARTICLE_OG_TYPES = ("video", "website", "profile", "music", "book")
NON_WORD_RUNS = re.compile(r"[\W_]+")

logging.getLogger("trafilatura").setLevel(logging.ERROR)


def extract(
    html: str | bytes,
    url: str,
    source: Source | None = None,
    fetched_at: datetime | None = None,
    encoding: str | None = None,
) -> Article | NotArticle:
    """The clean record of an article page, or why the page is not one (`encoding`: the charset the server
    declared for the bytes, a hint that a wrong one does not spoil). Never raises."""
    try:
        page = parse_page(html, url, encoding)
        return _extract(page, source, fetched_at)
    except NotHtml as exc:
        return NotArticle(url, str(exc))
    except Exception as exc:
        return NotArticle(url, f"extraction failed: {type(exc).__name__}: {exc}")


def _extract(
    page: Page, source: Source | None, fetched_at: datetime | None, rendered: bool = False
) -> Article | NotArticle:
    """The record of a parsed page; a page with too little text in its markup is read again with the article its
    scripts carry (`rendered`: this is that second reading)."""
    selectors = source.selectors if source else {}
    tz = ZoneInfo(source.timezone if source else "UTC")
    title = extract_title(page, selectors.get("title"))
    images = extract_images(page, selectors.get("caption"))
    lines = extract_body_lines(page, selectors.get("body"), selectors.get("remove"))
    lines = _without(lines, page, title, images)
    lines, byline = split_leading_byline(lines)
    lines, attribution = split_attribution(lines)
    body = "\n".join(lines)
    words = count_words(body)
    declared = _declared_article(page, source)
    reason = _not_article_reason(page, lines, words, declared)
    if reason and words < NEWSCRAWL_MIN_WORDS and not rendered:
        hydrated = hydrated_page(page)
        if hydrated is not None:
            return _extract(hydrated, source, fetched_at, rendered=True)
    if reason:
        return NotArticle(page.url, reason)
    language = detect_language(body, page.html_lang, source.language if source else None)
    published, modified = extract_dates(page, tz, language, fetched_at, selectors.get("published"))
    lead = images[0] if images else None
    return Article(
        url=page.url,
        title=title or "",
        body=body,
        canonical_url=_canonical(page, source),
        caption=lead.caption if lead else None,
        caption_credit=lead.credit if lead else None,
        images=images,
        attribution=attribution,
        authors=extract_authors(page, selectors.get("authors"), byline),
        published_at=published,
        modified_at=modified,
        language=language,
        section=extract_section(page, selectors.get("section")),
        tags=extract_tags(page, selectors.get("tags")),
        image_url=page.absolute(real_url(extract_image_url(page))) or (lead.url if lead else None),
        description=extract_description(page),
        fetch=Fetch(declared_article=declared),
    )


def _declared_article(page: Page, source: Source | None) -> bool:
    """True when the page says it is one article: a single article object in its JSON-LD (several are a listing),
    og:type article, or a URL of the source's article pages."""
    articles = sum(1 for obj in page.jsonld if ld_types(obj) & ARTICLE_TYPES)
    og_type = (page.first_meta("og:type") or "").lower()
    return articles == 1 or og_type == "article" or bool(source and source.is_article_url(page.url))


def _not_article_reason(page: Page, lines: list[str], words: int, declared: bool) -> str | None:
    og_type = (page.first_meta("og:type") or "").lower()
    if words < (NEWSCRAWL_MIN_DECLARED_WORDS if declared else NEWSCRAWL_MIN_WORDS):
        return f"too little text: {words} words"
    if words < NEWSCRAWL_MIN_WORDS and (
        max(count_words(line) for line in lines) < MIN_SENTENCE_WORDS or _mostly_links(page, lines)
    ):
        return f"too little text: {words} words, no sentence of its own"
    declared_ld = bool(page.article_ld) or og_type == "article"
    if not declared_ld and len(lines) >= 5 and _mostly_links(page, lines):
        return "listing page: the text is mostly links"
    if not page.article_ld and og_type.startswith(NON_ARTICLE_OG_TYPES) and words < 150:
        kinds = ", ".join(sorted(set().union(*(ld_types(o) for o in page.jsonld)))) or og_type
        return f"not an article page ({kinds})"
    return None


def _mostly_links(page: Page, lines: list[str]) -> bool:
    """True when at least half the lines are the texts of links."""
    link_texts = {text_of(a) for a in page.tree.iter("a")}
    return sum(line in link_texts for line in lines) >= len(lines) / 2


def _key(text: str) -> str:
    """Words only, case-folded: a headline line matches whatever its punctuation."""
    return " ".join(NON_WORD_RUNS.sub(" ", unicodedata.normalize("NFKC", text).casefold()).split())


def _without(lines: list[str], page: Page, title: str | None, images: list) -> list[str]:
    """Body lines without the headline (as chosen, or as an h1 shows it) and the image captions that extraction
    may have kept."""
    headlines = [title or "", *(text_of(h1) for h1 in tagged(page, "h1"))]
    drop = {_key(h) for h in headlines if h}
    for image in images:
        for part in (image.caption, f"{image.caption} {image.credit}"):
            if part:
                drop.add(_key(part))
    return [line for line in lines if _key(line) not in drop]


def _canonical(page: Page, source: Source | None) -> str | None:
    """The URL the page declares for itself (rel=canonical, else og:url) when it may stand for the page: an
    http(s) URL on the page's own origin that is one of the source's article URLs. A declaration naming the home
    page, another site, another source's story or a javascript:/file:/ftp: address is not honoured (None)."""
    links = [link.get("href") for link in tagged(page, "link") if (link.get("rel") or "").lower() == "canonical"]
    for declared in (*links, page.first_meta("og:url")):
        url = page.absolute(declared)
        if url and same_origin(url, page.url) and (source is None or source.is_article_url(url)):
            return url
    return None
