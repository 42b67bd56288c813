"""The headline as displayed: h1 confirmed by metadata, else metadata without the site-name suffix."""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from crawler.extraction.authors import ld_author_names
from crawler.extraction.marked import tagged
from crawler.extraction.page import Page, ld_types, text_of

# spaced ASCII separators; the full-width bar and colon and the Korean bar (ㅣ) need no spaces
SEPARATORS = re.compile(r"\s+[|\-–—:·•»/*]\s+|\s+::\s+|\s*[｜：ㅣ]\s*")
SITE_TYPES = {"website", "organization", "newsmediaorganization"}
# "Kicker: Headline", "Kicker - Headline": where a kicker (dachzeile) is joined to the headline
KICKER_SEPARATOR = re.compile(r":\s+|\s+[|\-–—]\s+")
MIN_HEADLINE_CHARS = 15  # what is left after a kicker must still read as a headline
QUOTES = "\"'“”„«»‘’‚‹›"
MIN_CONSENSUS = 3
SITE_EXTRA_WORDS = 2  # "Mail Online" names the site "Mail", "The Gateway Pundit by Ann Lee" does not
MAX_LABEL_WORDS = 3
SEPARATOR_CHARS = re.compile(r"[\s|\-–—:·•»/]+")
SEPARATOR_MARKS = re.compile(r"[|\-–—:·•»/]")

GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


@lru_cache(maxsize=1024)  # the same titles and names are compared again and again
def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"[\W_]+", " ", text).strip()


def _squashed(text: str) -> str:
    """Letters and digits only, umlauts spelt out: "Börsen-Zeitung" and boersen-zeitung.de meet."""
    return re.sub(r"[\W_]+", "", _norm(text).translate(GERMAN))


def strip_site_name(
    title: str, site_name: str | None, host: str, more_names: Iterable[str] = (), sections: Iterable[str] = ()
) -> str:
    """`Headline | Site` -> `Headline` (also `Site - Headline`, `Headline - Section | Site`), when a part at an
    end names the site (`site_name`, `more_names` or the host) or a declared section."""
    return _strip(title, _Chrome([site_name or "", *more_names], host, sections))


def _strip(title: str, chrome: _Chrome) -> str:
    """`title` without the run of site chrome at either end."""
    parts = [p for p in SEPARATORS.split(title) if p.strip()]
    if len(parts) < 2:
        return title.strip()
    last = len(parts) - _chrome_end(parts[::-1], chrome)  # a site suffix first: it is the common case
    first = _chrome_end(parts[:last], chrome)
    if (first, last) == (0, len(parts)):
        return title.strip()
    # re-join from the original text so inner separators survive
    start = title.find(parts[first])
    end = title.rfind(parts[last - 1]) + len(parts[last - 1])
    return title[start:end].strip()


class _Chrome:
    """Tells the parts of a <title> that name the site or its section from the headline's."""

    def __init__(self, names: Iterable[str], host: str, sections: Iterable[str]) -> None:
        self.names = {_norm(n) for n in names} - {""}
        self.host_word = _squashed(host.removeprefix("www.").split(".")[0])
        self.sections = {_norm(s) for s in sections}

    def is_site(self, part: str) -> bool:
        """A part naming the site: "Example News", "example.com", "Example News Online", "REX" of "Radio (REX)"."""
        norm, squashed = _norm(part), _squashed(part)
        if not norm:
            return False
        host = self.host_word
        if host and (squashed == host or (len(host) >= 5 and host in squashed)):
            return True
        words = len(norm.split())
        return any(
            norm == n
            or (_within(n, norm) and words <= len(n.split()) + SITE_EXTRA_WORDS)
            or (len(norm) >= 3 and _within(norm, n))
            for n in self.names
        )

    def is_section(self, part: str) -> bool:
        return _norm(part) in self.sections

    @staticmethod
    def is_label(part: str) -> bool:
        """A short capitalised label ("National", "World News", "Sport"): a section the page does not declare."""
        words = part.split()
        return len(words) <= MAX_LABEL_WORDS and all(w[:1].isupper() or w[:1].isdigit() for w in words)


def _within(needle: str, text: str) -> bool:
    """True when normalised `needle` is in normalised `text` as whole words."""
    return f" {needle} " in f" {text} "


def _chrome_end(parts: list[str], chrome: _Chrome) -> int:
    """How many leading `parts` are site chrome: a run of site names, sections and labels with a site name or a
    declared section in it; never all of them."""
    run, named = 0, False
    for part in parts[:-1]:
        if chrome.is_site(part) or chrome.is_section(part):
            named = True
        elif not chrome.is_label(part):
            break
        run += 1
    return run if named else 0


def _site_names(page: Page) -> list[str]:
    """Every name the page gives itself: og:site_name, application-name, JSON-LD publisher and website names."""
    names = page.all_meta("og:site_name", "application-name")
    publisher = page.article_ld.get("publisher")
    for obj in [publisher] if isinstance(publisher, dict) else []:
        names.append(obj.get("name"))
    names += [obj.get("name") for obj in page.jsonld if ld_types(obj) & SITE_TYPES]
    # some CMSs fill application-name with the headline
    headline = page.article_ld.get("headline")
    titles = (page.first_meta("og:title"), page.first_meta("twitter:title"), headline)
    headlines = {_norm(html.unescape(t)) for t in titles if isinstance(t, str)}
    return [name for name in names if isinstance(name, str) and _norm(name) not in headlines]


def _sections(page: Page) -> list[str]:
    """The sections the page declares (article:section, JSON-LD articleSection)."""
    declared = page.article_ld.get("articleSection")
    found = declared if isinstance(declared, list) else [declared]
    return page.all_meta("article:section") + [s for s in found if isinstance(s, str)]


def _page_chrome(page: Page, site_names: list[str]) -> _Chrome:
    """What surrounds the headline in this page's titles: its site names, host, sections and authors (some sites end
    their <title> with "| by Author")."""
    host = page.url.split("://", 1)[-1].split("/", 1)[0]
    return _Chrome(site_names + ld_author_names(page), host, _sections(page))


def _agrees(h1: str, meta: str) -> bool:
    """The h1 is the metadata title, contains it, or is the main part of it ("Kicker: Headline" vs "Headline")."""
    a, b = _norm(h1), _norm(meta)
    return bool(a and b) and (a == b or b in a or (a in b and len(a) >= 0.4 * len(b)))


def _split_kicker(title: str) -> tuple[str, str] | None:
    """("Kicker", "Headline") for "Kicker: Headline", None when there is no kicker."""
    match = KICKER_SEPARATOR.search(title)
    if not match:
        return None
    kicker, rest = title[: match.start()].strip(), title[match.end() :].strip()
    if kicker[:1] in QUOTES and not any(c in QUOTES for c in kicker[1:]):
        return None  # the separator is inside a quotation: "'I sell holidays - book early'"
    return (kicker, rest) if len(rest) >= MIN_HEADLINE_CHARS else None


def _different_kickers(one: str, other: str) -> bool:
    """Two kickers, not one sentence edited ("Joburg has failed" vs "Johannesburg has failed")."""
    a, b = set(_norm(one).split()), set(_norm(other).split())
    return len(a & b) < 0.5 * min(len(a), len(b))


def _headline_without_kicker(h1: str, meta: str) -> str | None:
    """The headline an h1 and a metadata title share when they differ only by a leading kicker.

    Newsrooms put the kicker (dachzeile) above the headline and often in only one of h1 / og:title / JSON-LD,
    or a different one in each: the part both carry is the headline itself."""
    if _norm(h1) == _norm(meta):
        return None
    shown, declared = _split_kicker(h1), _split_kicker(meta)
    if shown and _norm(shown[1]) == _norm(meta):
        return shown[1]
    if declared and _norm(declared[1]) == _norm(h1):
        return h1
    if shown and declared and _norm(shown[1]) == _norm(declared[1]) and _different_kickers(shown[0], declared[0]):
        return shown[1]
    return None


def _punctuated(h1: str, meta: str) -> bool:
    """True when the metadata title is the h1 with the separators the page's layout shows instead (a kicker in
    its own line reads "Kicker Headline" as text, the metadata says "Kicker: Headline")."""
    same_words = SEPARATOR_CHARS.sub("", h1) == SEPARATOR_CHARS.sub("", meta)
    return same_words and len(SEPARATOR_MARKS.findall(meta)) > len(SEPARATOR_MARKS.findall(h1))


def _consensus(titles: list[str]) -> str | None:
    """The title JSON-LD, og:title and twitter:title all give (og and twitter are often one field copied, so
    two alone are not a consensus)."""
    if len(titles) >= MIN_CONSENSUS and all(_norm(t) == _norm(titles[0]) for t in titles):
        return titles[0]
    return None


def _visible_title(h1: str, meta_titles: list[str], consensus: str | None) -> str | None:
    """The headline for an h1 when some metadata title confirms it, else None."""
    for meta in meta_titles:
        if _punctuated(h1, meta):
            return meta
    for meta in meta_titles:
        shared = _headline_without_kicker(h1, meta)
        if shared:
            return shared
    if any(_agrees(h1, t) for t in meta_titles):
        # the h1 with a word more or less than what every metadata source says: the sources are the edited text
        return consensus if consensus and _norm(consensus) != _norm(h1) else h1
    return None


def _shares_a_word(h1: str, titles: list[str]) -> bool:
    """True when the h1 has a word (4 letters or more) of a metadata title: a headline, not a section label."""
    words = {w for w in _norm(h1).split() if len(w) >= 4}
    return any(words & set(_norm(t).split()) for t in titles)


def extract_title(page: Page, selector: str | None = None) -> str | None:
    """The headline: a configured selector, else the h1 metadata confirms (without a kicker only one side
    carries), else the h1 when the metadata disagree among themselves, else cleaned metadata, else the h1."""
    if selector:
        found = [text_of(n) for n in page.tree.cssselect(selector)]
        if found and found[0]:
            return found[0]
    headline = page.article_ld.get("headline")
    candidates = (
        headline if isinstance(headline, str) else None,
        page.first_meta("og:title"),
        page.first_meta("twitter:title"),
    )
    # CMSs often escape entities twice
    meta_titles = [" ".join(html.unescape(t).split()) for t in candidates if t]
    site_names = _site_names(page)
    chrome = _page_chrome(page, site_names)
    h1s = [t for t in (text_of(n) for n in tagged(page, "h1")) if t and _norm(t) not in chrome.names]
    cleaned = [_strip(t, chrome) for t in meta_titles]
    for h1 in h1s:
        title = _visible_title(h1, cleaned + meta_titles, _consensus(cleaned))
        if title:
            return title
    if h1s and len({_norm(t) for t in cleaned}) > 1 and _shares_a_word(h1s[0], cleaned):
        return h1s[0]  # the metadata disagree among themselves: the headline the page shows decides
    if cleaned:
        return cleaned[0]
    if h1s:
        return h1s[0]
    title = page.tree.findtext(".//title")
    return _strip(" ".join(title.split()), chrome) if title and title.strip() else None
