"""Authors: JSON-LD author, meta author tags, visible bylines; names kept as the page writes them.

Order of trust: the article's JSON-LD people (with any agency credited beside them); author meta tags (one naming
the outlet is no byline); the visible byline (byline/author elements, a "By ..." label, a signature closing the
text); trafilatura's own heuristics last. JSON-LD naming only organisations is kept unless a meta tag names someone
else, or, when the organisation is just the publisher (CMS boilerplate), unless the reader sees a named byline.
"""

from __future__ import annotations

import copy
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from lxml import etree
from trafilatura import xpaths
from trafilatura.htmlprocessing import prune_unwanted_nodes
from trafilatura.json_metadata import normalize_authors
from trafilatura.utils import trim

from crawler.extraction.dates import EASTERN_DIGITS
from crawler.extraction.marked import marked, tagged
from crawler.extraction.page import Page, ld_types, text_of
from crawler.extraction.regexpaths import REGEXP_NAMESPACES, guarded, guarded_xpaths

META_AUTHORS = (
    "author",
    "article:author",
    "articleauthor",
    "og:author",
    "dc.creator",
    "sailthru.author",
    "parsely-author",
    "cxenseparse:author",
    "twitter:misc:written by",  # Yoast's reading-time card: "Written by" -> name
)
WRITTEN_BY_LABEL = re.compile(r"^(?:written by|author|autor|auteur|autore|yazar|kirjoittaja)$", re.I)
BYLINE_CLASS_TOKENS = {"author-name", "byline", "article-author"}  # and `author` inside a `byline`
CLASS_SPACE = re.compile(r"[ \t\n\r]+")  # how HTML separates class names
ITEMPROP_NAME = etree.XPath("descendant-or-self::*[@itemprop='name']")
MICRODATA = ("author", "name")  # schema.org microdata marks the author wherever it stands
# a class token naming a byline: `author`, `article__author`, `byline-name`, `c-byline__authors`
BYLINE_CLASS = re.compile(
    r"^(?:[\w-]*(?:__|[-_]))?(?:authors?|byline|bylines)(?:(?:__|[-_])(?:name|names|link|text|list))?$", re.I
)
NOT_BYLINE_CLASS = re.compile(r"comment|quote|avatar|image|img|photo|label|bio|date|time|social|follow|more", re.I)
NOT_BYLINE_PLACE = (
    "ancestor-or-self::*[contains(@class, 'comment') or self::figure or self::figcaption or self::nav"
    " or self::footer or self::aside]"
)
# an author's photo and byline often sit in a figure; comments, menus and side lists credit other people
NOT_AUTHOR_LINK_PLACE = "ancestor-or-self::*[contains(@class, 'comment') or self::nav or self::footer or self::aside]"
BYLINE_TAGS = ("p", "div", "span", "li", "address", "h4", "h5", "h6")
BYLINE_LABEL = re.compile(  # the label, then a colon, a capital (not "Author of the article") or the element's end
    r"^\s*(?:by|von|par|por|door|av|af|autor|autorin|author|auteur|yazan|автор|بقلم|كتب|كتبت|إعداد|اعداد)"
    r"(?:\s*[:：]|\s+[-–—]\s|\s+(?-i:(?=[^\W\d_a-z]))|\s*$)",
    re.I,
)
MAX_BYLINE_CHARS = 100
SIGNATURE = re.compile(r"^(?:[^\W\d_][^\s\d]*)(?:\s[^\W\d_][^\s\d]*){0,3}$")
# a link to an author's page: /author/jane-doe, /autoren/, /redakteur/, /people/
AUTHOR_HREF = re.compile(
    r"/(?:authors?|autor(?:en|es|in)?|auteurs?|autori?|journalists?|redakteur\w*|reporters?|writers?|columnists?|"
    r"people|profiles?|staff|yazar(?:lar)?|toimittaja)(?:/|\.|$)",
    re.I,
)
AUTHOR_HREF_PARTS = ("uthor", "utor", "uteur", "journalist", "redakteur", "reporter", "writer", "columnist")
AUTHOR_HREF_PARTS += ("people", "profile", "staff", "yazar", "toimittaja")
PREFIX = re.compile(
    r"^\s*(?:by|written by|reported by|words by|von|geschrieben von|par|écrit par|por|escrito por|door|di|scritto da|"
    r"a cura di|av|af|skrevet af|skrevet av|skrivet av|napisał|napisała|kirjoittanut|γράφει|autor|autorin|author|"
    r"auteur|text|texte|tekst|yazan|автор|بقلم|كتب|كتبت|إعداد|اعداد)(?:\s*[:：]\s*|\s+[-–—]\s+|\s+|$)",
    re.I,
)
ROLE_SUFFIX = re.compile(r"\s*(?:기자|특파원|記者|特派員|记者)$")  # "신현주 기자" (reporter) -> "신현주"
SPLIT = re.compile(r"\s*(?:[,;、]|\s(?:and|und|et|y|e|i|en|og|och|ja|és|ve|и|&)\s|\s+و\s+)\s*")
# Arabic writes "and" joined to the next word: "محمد علي وسارة أحمد" is two people, "محمد وليد" one (names of one
# word on either side are not split: وليد, وائل, وفاء begin with the letter)
ARABIC_AND = re.compile(r"\s+و(?=[\u0621-\u064a])")
MIN_SPLIT_NAME_WORDS = 2
# a byline as the article text's first line: "كتب محمد الجاسم:", "بقلم: ريم الحمد", "By Jane Doe"
LEADING_BYLINE = re.compile(
    r"^(?:by|von|par|por|بقلم|كتب|كتبت|إعداد|اعداد)(?:\s*[:：]\s*|\s+[-–—]\s+|\s+)(?P<names>[^.،؟!?:：]{3,80}?)\s*[:：]?$",
    re.I,
)
MAX_LEADING_BYLINE_WORDS = 8
NOT_PEOPLE = re.compile(
    r"^(?:the )?(?:editorial|news|web|digital|online|sports?|business)? ?(?:desk|team|staff|board|room)$|"
    r"^(?:newsdesk|staff writer|editor|editorial|admin|administrator|reporter|correspondent|agencies|wire|"
    r"redaktion|news|nachrichten|noticias|notizie|nieuws|actualités|haberler|новости|"
    r"رئيس التحرير|المحرر|محرر|فريق التحرير|هيئة التحرير|أخبار)$|"
    # "News" (and the newsroom, the editors, the site's staff) in the page's language
    r"^(?:noticias|notícias|nouvelles|infos?|aktuell|nyheter|nyheder|uutiset|wiadomości|zprávy|hírek|știri|tin tức|"
    r"haber|haberler|haber merkezi|ニュース|新闻|新聞|뉴스|समाचार|ข่าว|"
    r"(?:ال)?(?:أخبار|اخبار|إخبار|خبر)|نيوز|نیوز|خبریں|(?:ال)?وكالات|(?:ال)?تحرير|(?:ال)?محرر(?: الموقع)?|"
    r"(?:إدارة|ادارة) (?:ال)?موقع|(?:ال)?إدارة|(?:ال)?ادارة|خبرگزاری|تحریریه|سردبیر|"
    r"(?:ویب|نیوز) ڈیسک|اسٹاف رپورٹر|חדשות|מערכת|מערכת האתר)$",
    re.I,
)
# a byline piece that is a job title, not a name: "Travel News Reporter", "Corresponsal en Atenas"
ROLE = re.compile(
    r"(?:^|\s)(?:reporter|writer|editor|correspondent|journalist|columnist|contributor|photographer|"
    r"redakteur(?:in)?|korrespondent(?:in)?|reporter(?:in)?|journaliste|rédact(?:eur|rice)|correspondant(?:e)?|"
    r"periodista|corresponsal|redactor(?:a)?|giornalista|inviat[oa]|muhabir)(?:\s|$)",
    re.I,
)
# joining words left alone between names, "with" as in "By Jane Doe with agencies"
CONJUNCTIONS = {"and", "und", "et", "y", "e", "i", "en", "og", "och", "ja", "és", "ve", "и", "&", "و"}
CONJUNCTIONS |= {"with", "mit", "avec", "con"}
DATE_OR_TIME = re.compile(r"\d{3}|\d[:.]\d|(?:^|\s)\d+(?:\s|$)")
DOMAIN = re.compile(r"\w\.[a-z]{2,}\b", re.I)
SLUG = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)+$")
WORD = re.compile(r"\w+")
OUTLET_TYPES = {"organization", "newsmediaorganization", "website"}
MAX_LOGOS = 5
MAX_LOGO_IMAGES = 20
LOGO_LEVELS = 3  # how far above a logo's image its logo class or home link may be
# what the footer says of the site's makers: "Developed by", "Powered by", "تصميم وتطوير"
SITE_CREDIT = re.compile(
    r"\b(?:developed|designed|powered|hosted|programmed|built|made|maintained) by\b|تصميم|تطوير|برمجة|طراحی|توسعه",
    re.I,
)
SITE_CHROME_TAGS = {"footer", "nav", "aside"}
SITE_CHROME_NAMES = ("footer", "copyright", "credits")
MAX_TRAFILATURA_AUTHOR = 120  # characters, as trafilatura's extract_author takes them
ARTICLES = {"the", "der", "die", "das", "le", "la", "les", "el", "il", "de", "www", "com", "co", "net", "org"}


def clean_name(raw: str) -> str | None:
    """`By Jane Doe - Kuwait` -> `Jane Doe`; None for what is not a person's name."""
    name = PREFIX.sub("", " ".join(raw.split()))
    name = re.split(r"\s+[-–—|]\s+", name)[0].strip(" .,:;|")  # "name - city" (a dateline), "name | role"
    name = re.split(r"\s+for\s+", ROLE_SUFFIX.sub("", name), flags=re.I)[0]  # "Jane Doe for Example News"
    name = re.sub(r"\s*\([^()]*\)$", "", name)  # "Jane Doe (special envoy)"
    words = name.split()
    while words and words[-1].casefold() in CONJUNCTIONS:  # "Ann Lee and" before a name in its own element
        words.pop()
    name = " ".join(words)
    if not name or len(name) > 60 or "http" in name or "@" in name or NOT_PEOPLE.match(name):
        return None
    if name.startswith("(") or SLUG.match(name):  # "(Image: Getty)" credits, "jane-doe" URL slugs
        return None
    if DATE_OR_TIME.search(name.translate(EASTERN_DIGITS)):  # a date or time caught in the byline
        return None
    return name


def _words(text: str) -> set[str]:
    return {w for w in WORD.findall(text.casefold()) if w not in ARTICLES}


def _squashed(text: str) -> str:
    """Letters and digits only, accents dropped: "Al-Arabiya", "Al Arabiya" and alarabiya.net meet."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[\W_]+", "", folded.casefold())


@dataclass
class Outlet:
    """What names the outlet: the word sets of its names, those names squashed, the labels of its host."""

    names: list[set[str]] = field(default_factory=list)
    squashed: set[str] = field(default_factory=set)
    labels: set[str] = field(default_factory=set)

    def named(self, name: str) -> bool:
        """True when `name` is one of the outlet's names or part of one, in its words or squashed ("Al Arabiya"
        for alarabiya.net, "Sputnik" for sputniknews.com)."""
        words = _words(name)
        if not words:
            return False
        if any(words <= outlet for outlet in self.names):
            return True
        squashed = _squashed(name)
        if squashed in self.squashed or squashed in self.labels:
            return True
        return len(squashed) >= MIN_SQUASHED and any(label.startswith(squashed) for label in self.labels)


MIN_SQUASHED = 5  # a shorter name may begin a host's label by chance


def _outlet(page: Page) -> Outlet:
    """The outlet's names: og:site_name and application-name, the publisher's and every organisation's or
    website's names in JSON-LD, the Twitter handle, the alt text of its logo, the host's labels."""
    names: list[Any] = [page.site_name, *page.all_meta("og:site_name", "application-name")]
    names += [handle.lstrip("@") for handle in page.all_meta("twitter:site")]
    publisher = page.article_ld.get("publisher")
    for obj in [publisher, *page.jsonld]:
        if isinstance(obj, dict) and (obj is publisher or ld_types(obj) & OUTLET_TYPES):
            names += [obj.get("name"), obj.get("alternateName")]
    names += _logo_alts(page)
    strings = [n for n in names if isinstance(n, str) and n.strip() and _headline_free(page, n)]
    host = (urlsplit(page.url).hostname or "").removeprefix("www.")
    return Outlet(
        names=[w for w in (_words(n) for n in strings) if w] + [w for w in [_words(host.replace(".", " "))] if w],
        squashed={_squashed(n) for n in strings} - {""},
        labels={label for label in host.split(".") if len(label) > 3},
    )


def _logo_alts(page: Page) -> list[str]:
    """The alt texts of the site's logo among the page's first images (the logo heads the page): an image whose
    class or id says logo, or that sits (a few levels down) in an element named a logo or a link to the home
    page."""
    found: list[str] = []
    for index, img in enumerate(tagged(page, "img")):
        if index == MAX_LOGO_IMAGES:
            break
        alt = img.get("alt")
        if alt and alt.strip() and _is_logo(img):
            found.append(alt)
            if len(found) == MAX_LOGOS:
                break
    return found


def _is_logo(img: Any) -> bool:
    if "logo" in f"{img.get('class', '')} {img.get('id', '')}".lower():
        return True
    for level, ancestor in enumerate(img.iterancestors()):
        if level == LOGO_LEVELS:
            return False
        if "logo" in (ancestor.get("class") or "").lower() or (ancestor.tag == "a" and ancestor.get("href") == "/"):
            return True
    return False


def _headline_free(page: Page, name: str) -> bool:
    """False for a "site name" that is the headline (some CMSs fill application-name with it)."""
    headline = page.article_ld.get("headline")
    return not (isinstance(headline, str) and _words(headline) == _words(name))


def is_outlet(name: str, outlet: Outlet) -> bool:
    """True when `name` is the outlet itself ("ndr.de", "LBCI" for "LBCI Lebanon") or one of its desks, written as
    its acronym or domain ("MDR THÜRINGEN" for "MDR", "Redaktion example.com"); "Fritz Stern" is not "Stern"."""
    if outlet.named(name):
        return True
    words = _words(name)
    marks = _words(" ".join(t for t in name.split() if (t.isupper() and len(t) > 1) or DOMAIN.search(t)))
    return any(names <= words and names & marks for names in outlet.names)


def is_publisher(name: str, outlet: Outlet) -> bool:
    """True when `name` is the outlet's name or part of it ("kicker", "NTV" for "NTV.com.tr"), not a desk of it."""
    return outlet.named(name)


def looks_like_a_name(name: str) -> bool:
    """False for lower-case initials ("amw") that a desk signs with; scripts without case always pass."""
    return any(ch.isalpha() and not ch.islower() for ch in name)


def _ld_names(value: Any, by_id: dict[str, dict[str, Any]]) -> list[tuple[str, bool]]:
    """(name, is_organisation) for a JSON-LD author value: strings, Person/Organization objects, lists, @id refs."""
    if isinstance(value, str):
        return [(value, False)]
    if isinstance(value, list):
        return [n for item in value for n in _ld_names(item, by_id)]
    if not isinstance(value, dict):
        return []
    if "name" not in value and isinstance(value.get("@id"), str) and value["@id"] in by_id:
        value = by_id[value["@id"]]
    name = value.get("name")
    if isinstance(name, list):
        name = next((n for n in name if isinstance(n, str)), None)
    if not isinstance(name, str):
        return []
    return [(name, any("organization" in kind for kind in ld_types(value)))]


def _ld_authors(page: Page) -> list[tuple[str, bool]]:
    """The article's JSON-LD authors as (name, is_organisation)."""
    by_id = {o["@id"]: o for o in page.jsonld if isinstance(o.get("@id"), str)}
    return _ld_names(page.article_ld.get("author"), by_id)


def ld_author_names(page: Page) -> list[str]:
    """The names of the article's JSON-LD authors, as written there."""
    return [name for name, _ in _ld_authors(page)]


def _meta_authors(page: Page) -> list[str]:
    """Author meta tags, URLs left out; Yoast's `twitter:labelN` "Written by" / `twitter:dataN` pair included."""
    raw = [a for a in page.all_meta(*META_AUTHORS) if not a.startswith("http")]
    for index in range(1, 5):
        label = page.first_meta(f"twitter:label{index}")
        data = page.first_meta(f"twitter:data{index}")
        if label and data and WRITTEN_BY_LABEL.match(label):
            raw.append(data)
    return raw


def _node_text(node: Any) -> str:
    """Text of an element with its children's texts kept apart ("By<a>Ann</a><span>Writer</span>")."""
    if node.tag == "meta":
        return node.get("content") or ""
    return " ".join(" ".join(part.split()) for part in node.itertext() if part.strip())


def _byline_names(node: Any) -> list[str]:
    """Names in one byline element: its itemprop=name parts, else its links to author pages, else its text up to
    the first figure (the date and reading time that bylines often carry after the names)."""
    named = ITEMPROP_NAME(node) or [
        a for a in node.iter("a") if a.get("rel") == "author" or AUTHOR_HREF.search(a.get("href") or "")
    ]
    if named:
        return [_node_text(n) for n in named]
    if node.tag == "meta":
        return [_node_text(node)]
    pieces: list[str] = []
    for piece in node.itertext():
        if re.search(r"\d", piece.translate(EASTERN_DIGITS)):
            break
        if not ROLE.search(piece):
            pieces.append(" ".join(piece.split()))
    return ["; ".join(p for p in pieces if p)]


def _byline_nodes(page: Page) -> list[Any]:
    """Byline candidates in order of trust: itemprop=author (and the itemprop=name parts inside it), rel=author,
    byline/author class names (the established ones, then any class token naming a byline)."""
    candidates = [node for node, _, classes, itemprop in marked(page) if _byline_candidate(node, classes, itemprop)]
    found = [n for n in candidates if n.get("itemprop") == "author" or _microdata_name(n)]
    found += [n for n in candidates if n.get("rel") == "author"]
    found += [n for n in candidates if _byline_class(n)]
    for node in candidates:
        tokens = (node.get("class") or "").split()
        if any(BYLINE_CLASS.match(t) for t in tokens) and not any(NOT_BYLINE_CLASS.search(t) for t in tokens):
            found.append(node)
    return [n for n in found if not n.xpath(NOT_BYLINE_PLACE)]


def _byline_candidate(node: Any, classes: str | None, itemprop: str | None) -> bool:
    """An element marked as an author (itemprop, rel), a microdata name, or one whose class says author or byline."""
    classes = classes or ""
    return "uthor" in classes or "yline" in classes or itemprop in MICRODATA or node.get("rel") == "author"


def _microdata_name(node: Any) -> bool:
    """An itemprop=name element inside an itemprop=author one."""
    return node.get("itemprop") == "name" and any(a.get("itemprop") == "author" for a in node.iterancestors())


def _class_tokens(node: Any) -> set[str]:
    """The class names of an element, split as CSS's `.name` selector splits them."""
    return set(CLASS_SPACE.split((node.get("class") or "").strip(" \t\n\r")))


def _byline_class(node: Any) -> bool:
    """A class named `byline`, `author-name` or `article-author`, or `author` inside a `byline`."""
    tokens = _class_tokens(node)
    if tokens & BYLINE_CLASS_TOKENS:
        return True
    return "author" in tokens and any("byline" in _class_tokens(a) for a in node.iterancestors())


def _slug_words(text: str) -> list[str]:
    """Lower-case ASCII words of a text, as a URL slug writes them ("Luna González" -> ["luna", "gonzalez"])."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return WORD.findall(folded.casefold())


def _is_author_link(link: Any) -> bool:
    """A link to the author page of the person it names: /autoren/jane-doe/ reading "Jane Doe"."""
    match = AUTHOR_HREF.search(link.get("href") or "")
    if not match:
        return False
    text = _node_text(link)
    name = clean_name(text)
    slug = set(_slug_words(link.get("href", "")[match.end() - 1 :]))
    words = _slug_words(text)
    return bool(name and words and looks_like_a_name(name) and set(words) <= slug)


def _article_span(page: Page, container: Any | None) -> Callable[[Any], bool]:
    """Whether an element lies between the headline (h1) and the article text's last paragraph (in `container`),
    where a byline belongs (author lists before the headline or after the text credit other articles)."""
    h1 = next(iter(tagged(page, "h1")), None)
    paras = list(container.iterchildren("p")) if container is not None else []
    start = _document_position(h1) if h1 is not None else []
    end = _document_position(paras[-1]) if paras else None
    if end is not None and end <= start:
        end = None
    return lambda node: start <= _document_position(node) and (end is None or _document_position(node) <= end)


def _document_position(node: Any) -> list[int]:
    """The child indexes from the root down to `node`: lists that sort as their elements come in the document."""
    position: list[int] = []
    parent = node.getparent()
    while parent is not None:
        position.append(parent.index(node))
        node, parent = parent, parent.getparent()
    return position[::-1]


def _author_links(page: Page, inside: Callable[[Any], bool]) -> list[str]:
    """Names of the first links in the article to author pages that name their author, with the ones beside it."""
    links = [a for a in _author_page_links(page) if inside(a) and _is_author_link(a)]
    links = [a for a in links if not a.xpath(NOT_AUTHOR_LINK_PLACE)]
    return [_node_text(a) for a in links if a is links[0] or _same_byline(links[0], a)] if links else []


def _author_page_links(page: Page) -> list[Any]:
    """The links whose href holds a word of author pages (AUTHOR_HREF_PARTS), in document order."""
    found = []
    for link in page.tree.iter("a"):
        href = link.get("href")
        if href and any(part in href for part in AUTHOR_HREF_PARTS):
            found.append(link)
    return found


def _labelled_byline(page: Page, inside: Callable[[Any], bool]) -> list[str]:
    """Names from a short element in the article whose own text opens with a byline label ("Von: <a>Ann Lee</a>",
    "By Ann Lee")."""
    for node in page.tree.iter(*BYLINE_TAGS):
        if node.text and BYLINE_LABEL.match(node.text) and inside(node) and not node.xpath(NOT_BYLINE_PLACE):
            text = text_of(node)
            if len(text) <= MAX_BYLINE_CHARS:
                return _byline_names(node)
    return []


def _text_container(page: Page) -> Any | None:
    """The element holding the most paragraphs: the article's text."""
    counts: dict[Any, int] = {}
    for para in page.tree.iter("p"):
        parent = para.getparent()
        if parent is not None:
            counts[parent] = counts.get(parent, 0) + 1
    return max(counts, key=counts.__getitem__) if counts else None


def _signature(container: Any | None) -> list[str]:
    """The name an article is signed with at its end: a last paragraph that is only a bold or italic name
    ("<p><strong>Jane Doe</strong></p>"), each word capitalised, at most four words (`container`: the element
    holding the article's text)."""
    paras = [p for p in container.iterchildren("p") if text_of(p)] if container is not None else []
    if not paras or len(paras[-1]) != 1 or paras[-1][0].tag not in ("strong", "b", "em", "i"):
        return []
    last = paras[-1]
    text = text_of(last)
    if (last.text or "").strip() or (last[0].tail or "").strip() or not SIGNATURE.match(text):
        return []
    if any(word[0].islower() for word in text.split()):
        return []
    return [text]


def _same_byline(node: Any, other: Any) -> bool:
    """True when `other` sits beside `node` (same parent or grandparent) without containing or being inside it."""
    if other is node or node in other.iterancestors() or other in node.iterancestors():
        return False
    parent, other_parent = node.getparent(), other.getparent()
    return other_parent is parent or (
        parent is not None and other_parent is not None and other_parent.getparent() is parent.getparent()
    )


def _visible_byline(page: Page, outlets: Outlet, inside: Callable[[Any], bool]) -> list[str]:
    """Names from the first byline element in the article (or marked itemprop=author anywhere) that holds a name
    other than the outlet's, with the elements of the same kind beside it (one link per author)."""
    nodes = [n for n in _byline_nodes(page) if n.get("itemprop") in MICRODATA or inside(n)]
    for node in nodes:
        raw = _byline_names(node)
        if _names(raw, outlets, drop_outlet=True):
            for other in nodes:
                if other.tag == node.tag and _same_byline(node, other):
                    raw += _byline_names(other)
            return raw
    return []


def _names(raw: list[str], outlets: Outlet, drop_outlet: bool) -> list[str]:
    """Cleaned, split, de-duplicated names; an entry naming the outlet first is left out when `drop_outlet`."""
    names: list[str] = []
    for entry in raw:
        pieces = SPLIT.split(PREFIX.sub("", " ".join(entry.split())))
        parts = [clean_name(part) for piece in pieces for part in _arabic_and_split(piece)]
        if drop_outlet and parts[0] and is_outlet(parts[0], outlets):
            continue  # "Example News, London": the outlet and its address
        # "Jane Doe, Example News": the outlet after a name is the author's affiliation
        parts = parts[:1] + [p for p in parts[1:] if p and not is_outlet(p, outlets)]
        for name in parts:
            if name and name.casefold() not in (n.casefold() for n in names):
                names.append(name)
    return names


def _arabic_and_split(text: str) -> list[str]:
    """ "محمد علي وسارة أحمد" -> ["محمد علي", "سارة أحمد"]: split at a joined "and" only between names of two words
    or more."""
    parts = ARABIC_AND.split(text)
    if len(parts) > 1 and all(len(part.split()) >= MIN_SPLIT_NAME_WORDS for part in parts):
        return parts
    return [text]


def split_leading_byline(lines: list[str]) -> tuple[list[str], str | None]:
    """The text's lines without a first line that is a byline ("كتب محمد الجاسم:"), and that byline."""
    if not lines:
        return lines, None
    match = LEADING_BYLINE.match(lines[0].strip())
    if not match or len(match["names"].split()) > MAX_LEADING_BYLINE_WORDS:
        return lines, None
    if not all(clean_name(name) for name in SPLIT.split(match["names"])):
        return lines, None
    return lines[1:], match["names"]


def _visible_authors(page: Page, outlets: Outlet, shown: str | None = None) -> list[str]:
    """Names the reader sees: a byline element, else a labelled byline, else the article's closing signature."""
    container = _text_container(page)
    inside = _article_span(page, container)
    names = _names(_visible_byline(page, outlets, inside), outlets, drop_outlet=True)
    names = names or _names([shown] if shown else [], outlets, drop_outlet=True)
    names = names or _names(_author_links(page, inside), outlets, drop_outlet=True)
    names = names or _names(_labelled_byline(page, inside), outlets, drop_outlet=True)
    return names or _names(_signature(container), outlets, drop_outlet=True)


# trafilatura's author pruning (AUTHOR_DISCARD_XPATHS: the descendants its first expression finds, then every
# time and figure), as a test of one element and a search within one
AUTHOR_XPATHS = guarded_xpaths(xpaths.AUTHOR_XPATHS)
AUTHOR_DISCARD_XPATHS = guarded_xpaths(xpaths.AUTHOR_DISCARD_XPATHS)
AUTHOR_DISCARD_TAGS = ("time", "figure")
AUTHOR_DISCARD_SELF = etree.XPath(
    guarded(xpaths.AUTHOR_DISCARD_XPATHS[0].path).replace(".//*", "self::*", 1), namespaces=REGEXP_NAMESPACES
)
AUTHOR_DISCARDS_WITHIN = etree.XPath(
    f"{AUTHOR_DISCARD_XPATHS[0].path} | .//time | .//figure", namespaces=REGEXP_NAMESPACES
)


def extract_authors(page: Page, selector: str | None = None, shown: str | None = None) -> list[str]:
    """Author names, in page order, without duplicates (`shown`: a byline the article text opens with)."""
    if selector:
        return _names([text_of(n) for n in page.tree.cssselect(selector)], Outlet(), drop_outlet=False)
    outlets = _outlet(page)
    ld = _ld_authors(page)
    people = [name for name, is_org in ld if not is_org]
    if _names([n for n in people if not is_publisher(n, outlets)], outlets, drop_outlet=False):
        # people, with any agency credited beside them, but not the outlet (as an organisation or a "person")
        credited = [n for n, is_org in ld if not (is_outlet(n, outlets) if is_org else is_publisher(n, outlets))]
        return _names(credited, outlets, drop_outlet=False)
    if people:  # the CMS filled the author field with the outlet: a byline that shows a name is the better credit
        visible = _visible_authors(page, outlets, shown)
        return [name for name in visible if looks_like_a_name(name)] or _names(people, outlets, drop_outlet=False)
    organisations = _names([n for n, _ in ld], outlets, drop_outlet=False)
    meta = _names(_meta_authors(page), outlets, drop_outlet=True)
    if organisations and not all(is_publisher(n, outlets) for n in organisations):  # an agency or a named desk
        return meta or organisations
    if meta:
        return meta
    visible = _visible_authors(page, outlets, shown)
    if organisations:  # the CMS named the publisher as author: a byline that shows a name is the better credit
        return [name for name in visible if looks_like_a_name(name)] or organisations
    if visible:
        return visible
    found = _trafilatura_author(page)
    return _names(found.split(";"), outlets, drop_outlet=True) if found else []


def _trafilatura_author(page: Page) -> str | None:
    """trafilatura's author heuristics (its `extract_author`), passing over what they find in the footer, menus and
    side boxes or in a credit of the site's makers ("Developed by ...", "تصميم وتطوير"): web designers and copyright
    holders. Read on the page itself: a find inside what trafilatura discards is skipped; one whose text (or its
    parent's) would lose a discarded part is read on the pruned copy trafilatura makes."""
    for expression in AUTHOR_XPATHS:
        for node in expression(page.tree):
            if _author_discarded(node):
                continue
            parent = node.getparent()
            if parent is None:
                return _trafilatura_author_on_copy(page)
            reading, parent_reading = node, parent
            if AUTHOR_DISCARDS_WITHIN(parent):  # read on a pruned copy of the parent, as in trafilatura's copy
                parent_reading = copy.deepcopy(parent)
                reading = parent_reading[parent.index(node)]  # kept: `node` is not discarded
                prune_unwanted_nodes(parent_reading, AUTHOR_DISCARD_XPATHS)
            found = trim(" ".join(reading.itertext()))
            if found and 2 < len(found) < MAX_TRAFILATURA_AUTHOR and not _site_chrome(node, found, parent_reading):
                return normalize_authors(None, found)
    return None


def _trafilatura_author_on_copy(page: Page) -> str | None:
    """`_trafilatura_author` on the copy of the page without what trafilatura discards (its own way)."""
    tree = prune_unwanted_nodes(copy.deepcopy(page.tree), AUTHOR_DISCARD_XPATHS)
    for expression in AUTHOR_XPATHS:
        for node in expression(tree):
            found = trim(" ".join(node.itertext()))
            if found and 2 < len(found) < MAX_TRAFILATURA_AUTHOR and not _site_chrome(node, found):
                return normalize_authors(None, found)
    return None


def _author_discarded(node: Any) -> bool:
    """`node` is in what trafilatura's author reading prunes (AUTHOR_DISCARD_XPATHS, from the root's
    descendants)."""
    for element in (node, *node.iterancestors()):
        if element.tag in AUTHOR_DISCARD_TAGS or (element.getparent() is not None and AUTHOR_DISCARD_SELF(element)):
            return True
    return False


def _site_chrome(node: Any, text: str, parent: Any = None) -> bool:
    """In the site's footer, menus or side boxes, or a credit of its makers (the element's text or its parent's;
    `parent`: the parent as read, when not the node's own)."""
    for element in (node, *node.iterancestors()):
        names = f"{element.get('class', '')} {element.get('id', '')}".lower()
        if element.tag in SITE_CHROME_TAGS or any(word in names for word in SITE_CHROME_NAMES):
            return True
    parent = node.getparent() if parent is None else parent
    return bool(SITE_CREDIT.search(text) or (parent is not None and SITE_CREDIT.search(text_of(parent)[:200])))
