"""Publication and modification times, timezone-aware, as ISO 8601 with the page's own offset (a bare date stays a
date): the day is the one the page printed; the store pipeline keeps them in UTC."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone, tzinfo
from typing import Any
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

import dateparser
from htmldate import find_date

from crawler.extraction.marked import marked, tagged, with_itemprop
from crawler.extraction.page import Page, text_of

PUBLISHED_META = (
    "article:published_time",
    "article:published:time",
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
MODIFIED_META = (
    "article:modified_time",
    "article:modified:time",
    "og:updated_time",
    "datemodified",
    "last-modified",
    "dcterms.modified",
)
# elements that print a date: time, itemprop=datePublished, a class named `published` or holding "date" or "time"
# (`date`, `post-date`, `entry-date`...)
CLASS_SPACE = re.compile(r"[ \t\n\r]+")  # how HTML separates class names
MAX_VISIBLE_DATES = 40
MAX_PRINTED = 80  # characters: a longer text is a paragraph that happens to hold a date
DATED_ITEMPROPS = ("datePublished", "dateModified")
EASTERN_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
# a time of day followed by ص / م (AM / PM) or their long forms, Persian ق.ظ / ب.ظ; not "2026م" (the Gregorian era)
ARABIC_MERIDIEM = re.compile(
    r"(?<![\d.:])(\d{1,2}[:.]\d{2}(?::\d{2})?)(?!\d)\s*(صباحاً|صباحا|صباح|مساءً|مساءا|مساء|ص|م|ق\.\s?ظ|ب\.\s?ظ)(?!\w)"
)
AM_MARKS = ("ص", "ق")
# the era after a year: "2026م" (Gregorian), and a Hijri date beside the Gregorian one ("20 جمادى الأولى 1448 هـ"),
# which is left out (dateparser does not read it; the Gregorian date beside it says the same day)
GREGORIAN_ERA = re.compile(r"(?<=\d{4})\s*(?:م|ميلادي|ميلادية|مـ)(?!\w)")
HIJRI_MONTHS = (
    "محرم|صفر|ربيع الأول|ربيع الاول|ربيع الآخر|ربيع الاخر|ربيع الثاني|جمادى الأولى|جمادى الاولى|جمادى الأول|"
    "جمادى الآخرة|جمادى الاخرة|جمادى الثانية|جمادى الآخر|رجب|شعبان|رمضان|شوال|ذو القعدة|ذي القعدة|ذو الحجة|ذي الحجة"
)
HIJRI_DATE = re.compile(
    rf"(?:\d{{1,2}}\s*)?(?:{HIJRI_MONTHS})\s*(?:\d{{4}})?\s*(?:هـ|ه|للهجرة|هجري|هجرية)?(?!\w)|\d{{4}}\s*(?:هـ|ه)(?!\w)"
)
# Persian (solar Hijri) months: "۴ آذر ۱۴۰۵" is 25 November 2026
JALALI_MONTHS = ("فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور", "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند")
JALALI_DATE = re.compile(rf"(?<!\d)(\d{{1,2}})\s*({'|'.join(JALALI_MONTHS)})\s*(1[34]\d\d)(?!\d)")
# the date itself inside a longer text: day, month (name or number), year, and a time of day after it
DATE_CORE = re.compile(
    r"(?:\d{1,2}\.?\s*[^\W\d_]{3,}\.?,?\s*\d{4}|\d{1,2}[/.-]\d{1,2}[/.-]\d{4}|\d{4}[/.-]\d{1,2}[/.-]\d{1,2})"
    r"(?:[^\d]{0,12}?\d{1,2}[:.]\d{2}(?::\d{2})?(?:\s*[AP]M)?)?"
)
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_WEEK = re.compile(r"^\d{4}-?W\d")
ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})$")
# Levantine (Syriac) and Maghrebi month names, which dateparser does not know, as the Egyptian/Gulf names it does;
# a name followed by its other form ("كانون الثاني/يناير", "شباط (فبراير)") becomes one name
ARABIC_MONTHS = {
    "كانون الثاني": "يناير",
    "شباط": "فبراير",
    "آذار|اذار|أذار": "مارس",
    "نيسان": "أبريل",
    "أيار|ايار": "مايو",
    "حزيران": "يونيو",
    "تموز": "يوليو",
    "آب|اب": "أغسطس",
    "أيلول|ايلول": "سبتمبر",
    "تشرين الأول|تشرين الاول": "أكتوبر",
    "تشرين الثاني": "نوفمبر",
    "كانون الأول|كانون الاول": "ديسمبر",
    "جانفي": "يناير",
    "فيفري": "فبراير",
    "أفريل|افريل": "أبريل",
    "ماي": "مايو",
    "جوان": "يونيو",
    "جويلية|جويلة": "يوليو",
    "أوت": "أغسطس",
}
MONTH_OF = {name: gulf for names, gulf in ARABIC_MONTHS.items() for name in names.split("|")}
ARABIC_MONTH = re.compile(
    r"(?<!\w)(" + "|".join(sorted(MONTH_OF, key=len, reverse=True)) + r")(?!\w)(?:\s*[/(]\s*[\u0621-\u064a]+\)?)?"
)
# "منذ ساعتين", "قبل 3 أيام": the unit word (singular, dual, plural) → (count it implies, English unit)
ARABIC_UNITS = {
    "ثانية|ثانيه": (1, "second"),
    "ثانيتين|ثانيتان": (2, "second"),
    "ثوان|ثواني|ثوانٍ": (None, "second"),
    "دقيقة|دقيقه": (1, "minute"),
    "دقيقتين|دقيقتان": (2, "minute"),
    "دقائق": (None, "minute"),
    "ساعة|ساعه": (1, "hour"),
    "ساعتين|ساعتان": (2, "hour"),
    "ساعات": (None, "hour"),
    "يوم": (1, "day"),
    "يومين|يومان": (2, "day"),
    "أيام|ايام": (None, "day"),
    "أسبوع|اسبوع": (1, "week"),
    "أسبوعين|اسبوعين|أسبوعان|اسبوعان": (2, "week"),
    "أسابيع|اسابيع": (None, "week"),
    "شهر": (1, "month"),
    "شهرين|شهران": (2, "month"),
    "أشهر|اشهر|شهور": (None, "month"),
    "سنة|سنه|عام": (1, "year"),
    "سنتين|سنتان|عامين|عامان": (2, "year"),
    "سنوات|أعوام|اعوام": (None, "year"),
}
UNIT_OF = {word: unit for words, unit in ARABIC_UNITS.items() for word in words.split("|")}
ARABIC_RELATIVE = re.compile(
    r"(?:منذ|قبل)\s*(\d+)?\s*(" + "|".join(sorted(UNIT_OF, key=len, reverse=True)) + r")(?!\w)"
)
ARABIC_SCRIPT = re.compile(r"[\u0600-\u06ff]")
HEBREW_SCRIPT = re.compile(r"[\u0590-\u05ff]")
RELATIVE = re.compile(r"\bago\b|\byesterday\b", re.I)
# a time of day ("20:44", "9.30", "14h30"), not the day and month of "30.04.2024"
TIME_OF_DAY = re.compile(r"(?<![\d.])\d{1,2}(?::\d{2}|h\d{2}|\.\d{2}(?![.\d]))|\bago\b", re.I)
# a date in the URL: /2024/08/12/, 2024-08-12, /20240812/
URL_DATE = re.compile(r"(?<!\d)(20\d{2}|19\d{2})([/_-]?)(0[1-9]|1[0-2])\2(0[1-9]|[12]\d|3[01])(?!\d)")
SEPARATOR = re.compile(r"\s+[-–—|]\s+")
NO_FETCH_TIME = datetime(1900, 1, 1)
MIN_YEAR = 1990
# a visible date node that says it holds the modification time (class, itemprop), never the publication
MODIFIED_NODE = re.compile(r"modif|updat|aktualisiert|edited|g[üu]ncelle", re.I)
CHROME = {"header", "nav", "footer", "aside"}
CONTENT = {"article", "main"}

Stamp = datetime | date


def to_iso(value: Stamp | None) -> str | None:
    """ISO 8601: aware datetimes with their offset, to the second; dates as YYYY-MM-DD."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.replace(microsecond=0).isoformat()
    return value.isoformat()


def parse_machine(text: str | None, tz: tzinfo) -> Stamp | None:
    """An ISO-like machine date; naive times are in `tz`; a date without time stays a date."""
    if not text or not isinstance(text, str):
        return None
    text = text.strip().translate(EASTERN_DIGITS)
    if ISO_DAY.match(text):
        try:
            day = date.fromisoformat(text)
        except ValueError:  # "2016-11-00", "0000-00-00": a CMS's empty date
            return None
        return day if day.year >= MIN_YEAR else None
    if ISO_WEEK.match(text):  # "2016-W47" names no day
        return None
    candidate = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", text.replace("Z", "+00:00").replace(" ", "T", 1))
    try:
        value = datetime.fromisoformat(candidate)
    except ValueError:
        return parse_visible(text, None, tz, None)
    if value.year < MIN_YEAR:
        return None
    return value if value.tzinfo else value.replace(tzinfo=tz)


def normalise_printed(text: str) -> str:
    """A printed date made readable for dateparser: Western digits, AM/PM for ص/م, Gulf month names for Levantine
    and Maghrebi ones, "N units ago" for Arabic relative dates."""
    text = " ".join(text.translate(EASTERN_DIGITS).split())
    text = ARABIC_MERIDIEM.sub(lambda m: f"{m[1]} {'AM' if m[2].startswith(AM_MARKS) else 'PM'}", text)
    text = GREGORIAN_ERA.sub("", HIJRI_DATE.sub(" ", text))
    text = JALALI_DATE.sub(_jalali_in_gregorian, text)
    text = ARABIC_MONTH.sub(lambda m: MONTH_OF[m[1]], text)
    return " ".join(ARABIC_RELATIVE.sub(_relative_in_english, text).split())


def _jalali_in_gregorian(match: re.Match[str]) -> str:
    """A Persian solar date ("۴ آذر ۱۴۰۵") as the ISO Gregorian day ("2026-11-25")."""
    day, month, year = int(match[1]), JALALI_MONTHS.index(match[2]) + 1, int(match[3])
    if not 1 <= day <= (31 if month <= 6 else 30):
        return match[0]
    return jalali_to_gregorian(year, month, day).isoformat()


def jalali_to_gregorian(year: int, month: int, day: int) -> date:
    """The Gregorian day of a Persian solar (Jalali) date: days since 1 Farvardin 1 AP, counted on the 33-year
    cycle of leap years that the calendar follows between 1800 and 2100."""
    year -= 979
    days = 365 * year + (year // 33) * 8 + ((year % 33) + 3) // 4 + (month - 1) * 31 - max(0, month - 7) + day - 1
    return date(1600, 3, 20) + timedelta(days=days)


def _relative_in_english(match: re.Match[str]) -> str:
    implied, unit = UNIT_OF[match[2]]
    count = int(match[1]) if match[1] else implied or 1
    return f"{count} {unit}s ago"


def parse_visible(text: str, language: str | None, tz: tzinfo, now: datetime | None) -> datetime | None:
    """A printed date ("١٢ أغسطس ٢٠٢٤ - ٠٩:٣٠ م", "12 كانون الثاني 2024", "Aug 12, 2024 9:30 AM", "منذ ساعتين") in
    `tz`; a relative one only against `now` (the fetch time), so that the result never depends on the clock."""
    text = normalise_printed(text)
    relative = bool(RELATIVE.search(text))
    if (relative and now is None) or not (relative or re.search(r"\d", text)):
        return None
    settings: dict[str, Any] = {
        "TIMEZONE": str(tz),
        "RETURN_AS_TIMEZONE_AWARE": True,
        "PREFER_DATES_FROM": "past",
        "REQUIRE_PARTS": [] if relative else ["day", "month", "year"],
        # dateparser reads relative dates in many languages ("vor 1 Std."): without a fetch time they resolve
        # against a base far in the past and are dropped below
        "RELATIVE_BASE": now.astimezone(tz).replace(tzinfo=None) if now else NO_FETCH_TIME,
    }
    if language and language != "en":
        settings["DATE_ORDER"] = "DMY"  # English is the fallback language, but its month-first order is not theirs
    languages = list(dict.fromkeys([*([language] if language else []), *_script_languages(text), "en"]))
    for candidate in _printed_variants(text):
        try:
            value = dateparser.parse(candidate[:80], languages=languages, settings=settings)
        except (ValueError, OverflowError, TypeError, AttributeError):
            value = None
        if value is not None:
            # a year before the web's news is a calendar misread (a Hijri "20/05/1448"), or a relative date
            # without a fetch time resolved against its far-past base
            return value if value.year >= MIN_YEAR else None
    return None


def _script_languages(text: str) -> list[str]:
    """The languages whose dates a text in Arabic or Hebrew script may print (the page's own language may be
    missing or detected as a neighbour's: Arabic, Persian and Urdu share their script)."""
    if ARABIC_SCRIPT.search(text):
        return ["ar", "fa", "ur"]
    if HEBREW_SCRIPT.search(text):
        return ["he"]
    return []


def _printed_variants(text: str) -> Iterator[str]:
    """The text without separators ("١٢ أغسطس ٢٠٢٤ - ٠٩:٣٠ م"), then without a leading label ("Erschienen am
    30.04.2024", "erstellt: 01. April 2025"): from the word before the first number (a month name), then from the
    number; last, the first part that has a number ("05.04.2025 - Güncelleme: 05.04.2025")."""
    joined = SEPARATOR.sub(" ", text)
    yield joined
    core = DATE_CORE.search(joined)
    if core and core[0] != joined:
        yield core[0]
    first = re.search(r"\d", joined)
    if first and first.start() > 0:
        words = joined[: first.start()].split()
        if len(words) > 1:
            yield " ".join([words[-1], joined[first.start() :]])
        yield joined[first.start() :]
    parts = SEPARATOR.split(text)
    numbered = next((part for part in parts if re.search(r"\d", part)), None)
    if len(parts) > 1 and numbered:
        yield numbered


def _ld_objects(page: Page) -> Iterator[dict[str, Any]]:
    """JSON-LD objects, the article first (page.py flattens one nested as a page's mainEntity)."""
    article = page.article_ld
    if article:
        yield article
    yield from page.jsonld


def _ld_value(page: Page, key: str) -> str | None:
    for obj in _ld_objects(page):
        if isinstance(obj.get(key), str):
            return obj[key]
    return None


def _machine_candidates(page: Page, key: str, meta_names: tuple[str, ...], dated: list[Any]) -> list[str]:
    """Machine dates of kind `key` (datePublished, dateModified): JSON-LD's, the meta tags', then those of the
    elements among `dated` whose itemprop is `key`."""
    found = [v for v in (_ld_value(page, key),) if v]
    found += page.all_meta(*meta_names)
    for node in dated:
        if node.get("itemprop") == key:
            found += [v for v in (node.get("datetime"), node.get("content")) if v]
    return found


def page_offset(texts: list[str]) -> tzinfo | None:
    """The UTC offset most of the page's ISO machine dates carry, if any carries one."""
    offsets = Counter(_offset(m[1]) for m in (ISO_WITH_OFFSET.match(t.strip()) for t in texts) if m)
    return timezone(offsets.most_common(1)[0][0]) if offsets else None


def _offset(text: str) -> timedelta:
    if text == "Z":
        return timedelta(0)
    digits = text[1:].replace(":", "")
    sign = -1 if text[0] == "-" else 1
    return sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))


def url_date(url: str) -> date | None:
    """The publication day many sites put in the article's URL (/2024/08/12/, 2024-08-12, /20240812/)."""
    match = URL_DATE.search(url)
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[3]), int(match[4]))
    except ValueError:
        return None


def extract_dates(
    page: Page, tz: ZoneInfo, language: str | None, now: datetime | None, selector: str | None = None
) -> tuple[str | None, str | None]:
    """(published_at, modified_at) as ISO 8601 strings with the page's offset."""
    dated = [node for node, itemprop in with_itemprop(page) if itemprop in DATED_ITEMPROPS]
    published_texts = _machine_candidates(page, "datePublished", PUBLISHED_META, dated)
    modified_texts = _machine_candidates(page, "dateModified", MODIFIED_META, dated)
    zone = _naive_zone(page, tz, published_texts + modified_texts)
    published = _selected_date(page, selector, zone, language, now) if selector else None
    if published is None:
        published = _first_machine_date(published_texts, zone)
    if not isinstance(published, datetime):
        day = published or url_date(page.url)
        published = _visible_date(page, zone, language, now, day) or published
    if published is None:
        published = url_date(page.url) or _htmldate(page, now)
    modified = next((v for v in (parse_machine(t, zone) for t in modified_texts) if v), None)
    return to_iso(published), to_iso(modified)


def _naive_zone(page: Page, tz: ZoneInfo, machine_texts: list[str]) -> tzinfo:
    """The zone of times the page prints without an offset: the source's configured zone; without one (UTC), the
    offset the page's other machine dates carry (a CMS writes its times in one zone)."""
    if tz.key != "UTC":
        return tz
    datetimes = (node.get("datetime") for node in tagged(page, "time"))
    texts = machine_texts + [v for v in datetimes if v is not None][:20]
    return page_offset(texts) or tz


def _first_machine_date(texts: list[str], zone: tzinfo) -> Stamp | None:
    """The first machine date; when it is a bare day, a later candidate's time on that same day."""
    parsed = [v for v in (parse_machine(t, zone) for t in texts) if v]
    if not parsed or isinstance(parsed[0], datetime):
        return next(iter(parsed), None)
    day = parsed[0]
    same_day = (v for v in parsed if isinstance(v, datetime) and v.date() == day)
    return next(same_day, day)


def _selected_date(page: Page, selector: str, tz: tzinfo, language: str | None, now: datetime | None) -> Stamp | None:
    nodes = page.tree.cssselect(selector)
    if not nodes:
        return None
    machine = parse_machine(nodes[0].get("datetime") or nodes[0].get("content"), tz)
    return machine or parse_visible(text_of(nodes[0]), language, tz, now)


def _in_chrome(node: Any) -> bool:
    """Inside the site's header, navigation, footer or a sidebar; an article's own header is not chrome."""
    ancestors = [a.tag for a in node.iterancestors()]
    for i, tag in enumerate(ancestors):
        if tag in CHROME and not (tag == "header" and CONTENT & set(ancestors[i + 1 :])):
            return True
    return False


def _date_nodes(page: Page) -> list[Any]:
    """The first elements of the page that may print a date, in document order."""
    found = []
    for node, tag, classes, itemprop in marked(page):
        classes = classes or ""
        if (
            tag == "time"
            or "date" in classes
            or "time" in classes
            or itemprop == "datePublished"
            or ("published" in classes and "published" in CLASS_SPACE.split(classes))
        ):
            found.append(node)
            if len(found) == MAX_VISIBLE_DATES:
                break
    return found


def _visible_date(page: Page, tz: tzinfo, language: str | None, now: datetime | None, day: date | None) -> Stamp | None:
    """The first printed date outside page chrome and teasers (a `time` element's datetime first), on `day` (the
    metadata's or the URL's) when there is one; a bare date takes its time of day from a later element of that same
    day, or from the text around it ("<span class=date>24 نوفمبر 2026</span> - 09:40 ص")."""
    bare: date | None = None
    for node in _date_nodes(page):
        if (
            _in_chrome(node)
            or _in_teaser(node, page.url)
            or MODIFIED_NODE.search(f"{node.get('class', '')} {node.get('itemprop', '')}")
        ):
            continue
        value = _printed_date(node, tz, language, now)
        if isinstance(value, datetime):
            if (bare or day) is None or value.date() == (bare or day):
                return value
        elif isinstance(value, date) and (day is None or value == day):
            bare = bare or value
            timed = _printed_date(node.getparent(), tz, language, now) if node.getparent() is not None else None
            if isinstance(timed, datetime) and timed.date() == bare:
                return timed
    return bare


def _printed_date(node: Any, tz: tzinfo, language: str | None, now: datetime | None) -> Stamp | None:
    """The date an element prints (its datetime attribute first): a datetime when a time of day is printed too."""
    value = parse_machine(node.get("datetime"), tz) if node.get("datetime") else None
    text = text_of(node)
    if not isinstance(value, datetime) and 4 <= len(text) <= MAX_PRINTED:
        value = parse_visible(text, language, tz, now) or value
        if isinstance(value, datetime) and not TIME_OF_DAY.search(normalise_printed(text)):
            value = value.date()
    return value


def _in_teaser(node: Any, url: str) -> bool:
    """Inside a link to another page: the date of the story a teaser points to."""
    for link in node.iterancestors("a"):
        href = (link.get("href") or "").strip()
        if href and not href.startswith(("#", "javascript:")) and urljoin(url, href).split("#")[0] != url:
            return True
    return False


def _htmldate(page: Page, now: datetime | None) -> date | None:
    """Last resort for a page with no date we can read: htmldate's reading of the markup (the day only), when the
    page prints that day. Its search of the free text is not used: it takes the site header's date of today or the
    footer's copyright year (as 1 January), and it completes a partial date ("2016-11") with today's day."""
    latest = (now or datetime.now()).date().isoformat()
    try:
        # the parsed page (htmldate prunes a copy of it), not the text it would parse again
        found = find_date(page.tree, url=None, extensive_search=False, original_date=True, max_date=latest)
    except (ValueError, TypeError):
        return None
    day = date.fromisoformat(found) if found else None
    return day if day and _prints_day(page.text, day) else None


def _prints_day(text: str, day: date) -> bool:
    """True when `text` prints the day of month next to the year ("29.01.2026", "January 29, 2026", "2026/01/29")."""
    number, year = rf"(?<!\d)0?{day.day}(?!\d)", str(day.year)
    return bool(
        re.search(
            rf"{number}\D{{0,3}}(?:\d{{1,2}}|[^\W\d_]+)\.?,?\D{{0,3}}{year}|{year}\D{{1,3}}\d{{1,2}}\D{{1,3}}{number}|"
            rf"[^\W\d_]+\.?\s{number},?\s{year}",
            text.translate(EASTERN_DIGITS),
        )
    )
