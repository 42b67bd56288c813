"""Publication and modification times, timezone-aware, as ISO 8601 with the page's own offset (a bare date stays a
date): the day is the one the page printed; the store pipeline keeps them in UTC."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import dateparser

from crawler.extraction.page import Page, text_of

PUBLISHED_META = (
    "article:published_time",
    "og:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "publication_date",
    "date",
    "dc.date",
    "dc.date.issued",
    "dcterms.created",
    "sailthru.date",
    "parsely-pub-date",
    "article.published",
    "cxenseparse:recs:publishtime",
)
MODIFIED_META = ("article:modified_time", "og:updated_time", "datemodified", "last-modified", "dcterms.modified")
VISIBLE_DATE_NODES = (
    "[itemprop=datePublished], time, .date, .published, .post-date, .entry-date, .article-date, .publish-date, "
    "[class*=date], [class*=time]"
)
EASTERN_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
ARABIC_MERIDIEM = re.compile(r"(\d{1,2}[:.]\d{2})\s*(ص|صباحا|صباحاً|م|مساء|مساءً)(?=\s|$|[^\w])")
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")

Stamp = datetime | date


def to_iso(value: Stamp | None) -> str | None:
    """ISO 8601: aware datetimes with their offset, to the second; dates as YYYY-MM-DD."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.replace(microsecond=0).isoformat()
    return value.isoformat()


def parse_machine(text: str | None, tz: ZoneInfo) -> Stamp | None:
    """An ISO-like machine date; naive times are in `tz`; a date without time stays a date."""
    if not text or not isinstance(text, str):
        return None
    text = text.strip().translate(EASTERN_DIGITS)
    if ISO_DAY.match(text):
        return date.fromisoformat(text)
    candidate = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", text.replace("Z", "+00:00").replace(" ", "T", 1))
    try:
        value = datetime.fromisoformat(candidate)
    except ValueError:
        return parse_visible(text, None, tz, None)
    return value if value.tzinfo else value.replace(tzinfo=tz)


def parse_visible(text: str, language: str | None, tz: ZoneInfo, now: datetime | None) -> datetime | None:
    """A printed date ("١٢ أغسطس ٢٠٢٤ - ٠٩:٣٠ م", "Aug 12, 2024 9:30 AM", "منذ ساعتين") in `tz`."""
    text = " ".join(text.translate(EASTERN_DIGITS).split())
    if not re.search(r"\d", text) and "منذ" not in text and "ago" not in text.lower():
        return None
    text = ARABIC_MERIDIEM.sub(lambda m: f"{m[1]} {'AM' if m[2].startswith('ص') else 'PM'}", text)
    text = re.sub(r"\s+[-–—|]\s+", " ", text)
    settings = {
        "TIMEZONE": str(tz),
        "RETURN_AS_TIMEZONE_AWARE": True,
        "PREFER_DATES_FROM": "past",
        "REQUIRE_PARTS": ["day", "month", "year"] if not re.search(r"منذ|ago|قبل", text) else [],
    }
    if now is not None:
        settings["RELATIVE_BASE"] = now.astimezone(tz).replace(tzinfo=None)
    languages = [language, "en"] if language and language != "en" else ["en"]
    try:
        return dateparser.parse(text[:80], languages=languages, settings=settings)
    except (ValueError, OverflowError, TypeError, AttributeError):
        return None


def _ld_value(page: Page, key: str) -> str | None:
    value = page.article_ld.get(key)
    if isinstance(value, str):
        return value
    for obj in page.jsonld:
        if isinstance(obj.get(key), str):
            return obj[key]
    return None


def _machine_candidates(page: Page, ld_key: str, meta_names: tuple[str, ...], itemprop: str) -> list[str]:
    found = [v for v in (_ld_value(page, ld_key),) if v]
    found += page.all_meta(*meta_names)
    for node in page.tree.xpath(f"//*[@itemprop='{itemprop}']"):
        found += [v for v in (node.get("datetime"), node.get("content")) if v]
    return found


def extract_dates(
    page: Page, tz: ZoneInfo, language: str | None, now: datetime | None, selector: str | None = None
) -> tuple[str | None, str | None]:
    """(published_at, modified_at) as ISO 8601 strings with the page's offset."""
    published = _selected_date(page, selector, tz, language, now) if selector else None
    if published is None:
        parsed = [
            v
            for v in (
                parse_machine(t, tz)
                for t in _machine_candidates(page, "datePublished", PUBLISHED_META, "datePublished")
            )
            if v
        ]
        published = next((v for v in parsed if isinstance(v, datetime)), None) or next(iter(parsed), None)
    if not isinstance(published, datetime):
        published = _visible_date(page, tz, language, now, published) or published
    modified_texts = _machine_candidates(page, "dateModified", MODIFIED_META, "dateModified")
    modified = next((v for v in (parse_machine(t, tz) for t in modified_texts) if v), None)
    return to_iso(published), to_iso(modified)


def _selected_date(page: Page, selector: str, tz: ZoneInfo, language: str | None, now: datetime | None) -> Stamp | None:
    nodes = page.tree.cssselect(selector)
    if not nodes:
        return None
    machine = parse_machine(nodes[0].get("datetime") or nodes[0].get("content"), tz)
    return machine or parse_visible(text_of(nodes[0]), language, tz, now)


CHROME = {"header", "nav", "footer", "aside"}
TIME_OF_DAY = re.compile(r"\d{1,2}[:.]\d{2}|منذ|ago|قبل", re.I)


def _visible_date(
    page: Page, tz: ZoneInfo, language: str | None, now: datetime | None, day: Stamp | None
) -> Stamp | None:
    """The first printed date outside page chrome (a `time` element's datetime first); one with a time of day
    wins over a bare date, and on `day` when the metadata gave only a day."""
    bare: date | None = None
    for node in page.tree.cssselect(VISIBLE_DATE_NODES)[:40]:
        if any(a.tag in CHROME for a in node.iterancestors()):
            continue
        value = parse_machine(node.get("datetime"), tz) if node.get("datetime") else None
        text = text_of(node)
        if not isinstance(value, datetime) and 4 <= len(text) <= 80:
            value = parse_visible(text, language, tz, now)
            if value is not None and not TIME_OF_DAY.search(text.translate(EASTERN_DIGITS)):
                value = value.date()
        if isinstance(value, datetime) and (day is None or value.astimezone(tz).date() == day):
            return value
        if isinstance(value, date) and not isinstance(value, datetime):
            bare = bare or value
    return bare
