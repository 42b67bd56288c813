"""A page parsed once: decoded text, lxml tree, JSON-LD objects and meta tags, shared by every field's extractor."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

import charset_normalizer
from lxml import html as lxml_html
from lxml.etree import ElementDefaultClassLookup, ParserError
from w3lib.encoding import html_body_declared_encoding, html_to_unicode, read_bom, resolve_encoding

ARTICLE_TYPES = {
    "article",
    "newsarticle",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "backgroundnewsarticle",
    "reviewnewsarticle",
    "blogposting",
    "liveblogposting",
    "socialmediaposting",
    "scholarlyarticle",
    "report",
}
MAX_DETECT_BYTES = 256 * 1024  # charset detection reads this much of a page
# a Latin-1 letter next to an Arabic or Cyrillic one inside a word: a page read in the wrong legacy charset
MIXED_SCRIPT = re.compile(r"[\u00c0-\u00ff][\u0600-\u06ff\u0400-\u04ff]|[\u0600-\u06ff\u0400-\u04ff][\u00c0-\u00ff]")
# characters XML (and so lxml's text setters) refuses: a page that has them stray in its text still parses, but
# editing the tree (drop_tree joins texts) would fail, so they are taken out first
NOT_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
# ...and the character references that name one (`&#27;`, `&#x7`), which the parser would turn into it
NOT_XML_REFERENCES = re.compile(
    r"&#(?:0*(?:[0-8]|1[124-9]|2[0-9]|3[01])(?![0-9])|[xX]0*(?:[0-8bBcCeEfF]|1[0-9a-fA-F])(?![0-9a-fA-F]));?"
)
# lxml.html's parser asks a Python callback for the class of every element it hands out (to give forms and inputs
# their own classes, which extraction never uses): a lookup done in C, to HtmlElement always, makes every walk over
# the tree (trafilatura's included) cheaper
# The page is handed to the parser as UTF-8 bytes, which libxml2 reads as they are (a str it converts first).
# No table of the elements' ids is built: nothing looks an element up by id() (XPaths read @id).
HTML_PARSER = lxml_html.HTMLParser(encoding="utf-8", collect_ids=False)
HTML_PARSER.set_element_class_lookup(
    ElementDefaultClassLookup(
        element=lxml_html.HtmlElement,
        comment=lxml_html.HtmlComment,
        pi=lxml_html.HtmlProcessingInstruction,
        entity=lxml_html.HtmlEntity,
    )
)
NOT_XML_REFERENCES_BYTES = re.compile(NOT_XML_REFERENCES.pattern.encode("ascii"))
XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
NOT_XML_BYTES = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])  # the control characters among them
BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"PK\x03\x04", b"\x1f\x8b", b"RIFF", b"ID3")


class NotHtml(ValueError):
    """The bytes are not an HTML page."""


@dataclass
class Page:
    """What every extractor reads: the tree, the URL, JSON-LD objects and meta tags."""

    url: str
    text: str
    tree: Any
    jsonld: list[dict[str, Any]] = field(default_factory=list)
    meta: dict[str, list[str]] = field(default_factory=dict)
    derived: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)  # computed once from the tree

    def first_meta(self, *names: str) -> str | None:
        """The first non-empty content among meta tags named (name= or property=) `names`."""
        for name in names:
            for value in self.meta.get(name.lower(), []):
                if value.strip():
                    return value.strip()
        return None

    def all_meta(self, *names: str) -> list[str]:
        return [v.strip() for name in names for v in self.meta.get(name.lower(), []) if v.strip()]

    @property
    def article_ld(self) -> dict[str, Any]:
        """The JSON-LD object describing the article (empty when there is none)."""
        for obj in self.jsonld:
            if ld_types(obj) & ARTICLE_TYPES:
                return obj
        return {}

    @property
    def html_lang(self) -> str | None:
        lang = self.tree.get("lang") or self.first_meta("og:locale", "content-language", "language")
        return lang.replace("_", "-").split("-")[0].lower() if lang else None

    @property
    def site_name(self) -> str | None:
        publisher = self.article_ld.get("publisher")
        name = publisher.get("name") if isinstance(publisher, dict) else None
        return self.first_meta("og:site_name", "application-name") or (name if isinstance(name, str) else None)

    def absolute(self, url: str | None) -> str | None:
        return urljoin(self.url, url.strip()) if url and url.strip() else None


def ld_types(obj: dict[str, Any]) -> set[str]:
    kind = obj.get("@type", [])
    kinds = kind if isinstance(kind, list) else [kind]
    return {k.lower() for k in kinds if isinstance(k, str)}


def decode(data: str | bytes, declared: str | None = None) -> str:
    """Unicode text of a page; NotHtml for binary data (see _decoded)."""
    return _decoded_page(data, declared)[0]


def _decoded_page(data: str | bytes, declared: str | None = None) -> tuple[str, bool]:
    """Unicode text of a page, and whether `data` are its UTF-8 bytes; NotHtml for binary data.

    Valid UTF-8 is taken as such (it is almost never an accident). Otherwise the first charset that reads the
    bytes cleanly wins, in this order: a BOM, `declared` (the HTTP Content-Type charset), the page's meta charset,
    then charset_normalizer's guess from the bytes. "Cleanly" means no undecodable byte and no mojibake (letters
    of Latin-1 glued to Arabic or Cyrillic ones, as when ISO-8859-6 bytes are read as windows-1256): servers often
    send no charset or a wrong one, and legacy Arabic encodings map the same bytes to different letters."""
    if isinstance(data, str):
        return data, False
    head = data[:1024].lstrip()
    if head.startswith(BINARY_MAGIC) or head.count(b"\x00") > 8:
        raise NotHtml("binary content, not HTML")
    try:
        return data.decode("utf-8"), True
    except UnicodeDecodeError:
        pass
    bom = read_bom(data)[0]
    for encoding in (bom, declared, html_body_declared_encoding(data), _detected(data)):
        text = _decoded(data, encoding)
        if text is not None and not _mojibake(text):
            return text, False
    _, text = html_to_unicode(f"text/html; charset={declared}" if declared else None, data)
    return text, False


def _decoded(data: bytes, encoding: str | None) -> str | None:
    """`data` read as `encoding` (WHATWG labels and aliases), or None when it cannot be."""
    codec = resolve_encoding(encoding) if encoding else None
    if not codec:
        return None
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _detected(data: bytes) -> str | None:
    """charset_normalizer's best guess for a page that is not UTF-8."""
    best = charset_normalizer.from_bytes(data[:MAX_DETECT_BYTES]).best()
    return best.encoding if best else None


def _mojibake(text: str) -> bool:
    """True when more than 1% of the words mix Latin-1 letters with Arabic or Cyrillic ones."""
    words = text.split()
    mixed = sum(1 for word in words if MIXED_SCRIPT.search(word))
    return mixed > max(2, len(words) // 100)


def parse_page(data: str | bytes, url: str, encoding: str | None = None) -> Page:
    """Parse a page once (`encoding`: the charset the server declared, if any); NotHtml when there is nothing to
    parse."""
    text, utf8 = _decoded_page(data, encoding)
    # the page's own bytes are parsed when they are UTF-8 that needs no cleaning (most pages: no second encoding)
    as_is = utf8 and _parsable_as_is(data, text)  # type: ignore[arg-type]
    if not as_is:
        text = _xml_safe(text)
    if not text.strip() or "<" not in text:
        raise NotHtml("empty page" if not text.strip() else "no HTML markup")
    try:
        markup = data if as_is else _strip_xml_declaration(text).encode("utf-8")
        tree = lxml_html.document_fromstring(markup, parser=HTML_PARSER)
    except (ParserError, ValueError) as exc:
        raise NotHtml(f"unparsable HTML ({exc})") from None
    meta, jsonld = _meta_and_jsonld(tree)
    return Page(url=url, text=text, tree=tree, jsonld=jsonld, meta=meta)


def _xml_safe(text: str) -> str:
    """`text` without the characters XML refuses; most pages have none, which C loops (encoding, bytes.translate,
    `in`) show faster than the regular expression would."""
    if "&#" in text:
        text = NOT_XML_REFERENCES.sub("", text)
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return NOT_XML_CHARS.sub("", text)
    if len(data.translate(None, NOT_XML_BYTES)) == len(data) and "\ufffe" not in text and "\uffff" not in text:
        return text
    return NOT_XML_CHARS.sub("", text)


def _parsable_as_is(data: bytes, text: str) -> bool:
    """True when `data`, the UTF-8 of `text`, hold nothing _xml_safe and _strip_xml_declaration would take out (a
    scan of the bytes each: faster than encoding the text again)."""
    return (
        not NOT_XML_REFERENCES_BYTES.search(data)
        and len(data.translate(None, NOT_XML_BYTES)) == len(data)
        and "\ufffe" not in text
        and "\uffff" not in text
        and not XML_DECLARATION.match(text)
    )


def _strip_xml_declaration(text: str) -> str:
    return XML_DECLARATION.sub("", text, count=1)


def _meta_and_jsonld(tree: Any) -> tuple[dict[str, list[str]], list[dict[str, Any]]]:
    """The page's meta tags by name and its JSON-LD objects (see _jsonld), read in one walk of the tree."""
    meta: dict[str, list[str]] = {}
    scripts = []
    for node in tree.iter("meta", "script"):
        if node.tag == "script":
            if "ld+json" in (node.get("type") or "").lower():
                scripts.append(node)
            continue
        name = node.get("property") or node.get("name") or node.get("itemprop") or node.get("http-equiv")
        content = node.get("content")
        if name and content is not None:
            meta.setdefault(name.strip().lower(), []).append(content)
    return meta, _jsonld(scripts)


def _jsonld(scripts: list[Any]) -> list[dict[str, Any]]:
    """Every JSON-LD object of the JSON-LD `scripts`, @graph, lists and a page's article (mainEntity) flattened."""
    found: list[dict[str, Any]] = []
    for script in scripts:
        raw = (script.text or "").strip()
        if not raw:
            continue
        try:
            data = json.loads(raw, strict=False)
        except ValueError:
            try:  # trailing commas and control characters are common in CMS output
                data = json.loads(re.sub(r",\s*([}\]])", r"\1", raw), strict=False)
            except ValueError:
                continue
        _flatten(data, found)
    return found


def _flatten(data: Any, found: list[dict[str, Any]]) -> None:
    if isinstance(data, list):
        for item in data:
            _flatten(item, found)
    elif isinstance(data, dict):
        if "@graph" in data:
            _flatten(data["@graph"], found)
        if "@type" in data:
            found.append(data)
        nested = data.get("mainEntity")  # a WebPage describing the article it holds
        if isinstance(nested, dict) and ld_types(nested) & ARTICLE_TYPES:
            found.append(nested)


def text_of(node: Any) -> str:
    """Visible text of an element, whitespace collapsed."""
    return " ".join("".join(node.itertext()).split())
