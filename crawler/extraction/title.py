"""The headline as displayed: h1 confirmed by metadata, else metadata without the site-name suffix."""

from __future__ import annotations

import html
import re
import unicodedata

from crawler.extraction.page import Page, text_of

SEPARATORS = re.compile(r"\s+[|\-–—:·•»/]\s+|\s+::\s+")
# "Kicker: Headline", "Kicker - Headline": where a kicker (dachzeile) is joined to the headline
KICKER_SEPARATOR = re.compile(r":\s+|\s+[|\-–—]\s+")
MIN_HEADLINE_CHARS = 15  # what is left after a kicker must still read as a headline
QUOTES = "\"'“”„«»‘’‚‹›"
MIN_CONSENSUS = 3
SEPARATOR_CHARS = re.compile(r"[\s|\-–—:·•»/]+")

GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"[\W_]+", " ", text).strip()


def _squashed(text: str) -> str:
    """Letters and digits only, umlauts spelt out: "Börsen-Zeitung" and boersen-zeitung.de meet."""
    return re.sub(r"[\W_]+", "", _norm(text).translate(GERMAN))


def strip_site_name(title: str, site_name: str | None, host: str) -> str:
    """`Headline | Site` -> `Headline` (also `Site - Headline`), when a part names the site."""
    parts = SEPARATORS.split(title)
    if len(parts) < 2:
        return title.strip()
    names = {_norm(site_name)} if site_name else set()
    host_word = _squashed(host.removeprefix("www.").split(".")[0])

    def is_site(part: str) -> bool:
        norm, squashed = _norm(part), _squashed(part)
        on_host = bool(host_word) and (squashed == host_word or (len(host_word) >= 5 and host_word in squashed))
        return bool(norm) and (norm in names or on_host or any(n and n in norm for n in names))

    kept = [p for p in parts if not is_site(p)]
    if len(kept) < len(parts) and kept:
        # re-join from the original text so inner separators survive
        start, end = title.find(kept[0]), title.rfind(kept[-1]) + len(kept[-1])
        return title[start:end].strip()
    return title.strip()


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
    return h1 != meta and SEPARATOR_CHARS.sub("", h1) == SEPARATOR_CHARS.sub("", meta)


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
    host = page.url.split("://", 1)[-1].split("/", 1)[0]
    site = page.site_name
    headline = page.article_ld.get("headline")
    candidates = (
        headline if isinstance(headline, str) else None,
        page.first_meta("og:title"),
        page.first_meta("twitter:title"),
    )
    # CMSs often escape entities twice
    meta_titles = [" ".join(html.unescape(t).split()) for t in candidates if t]
    h1s = [t for t in (text_of(n) for n in page.tree.iter("h1")) if t and not (site and _norm(t) == _norm(site))]
    cleaned = [strip_site_name(t, site, host) for t in meta_titles]
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
    return strip_site_name(" ".join(title.split()), site, host) if title and title.strip() else None
