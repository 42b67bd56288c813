"""A page parsed once: decoded text, lxml tree, JSON-LD objects and meta tags, shared by every field's extractor."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

from lxml import html as lxml_html
from lxml.etree import ParserError
from w3lib.encoding import html_to_unicode

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
# characters XML (and so lxml's text setters) refuses: a page that has them stray in its text still parses, but
# editing the tree (drop_tree joins texts) would fail, so they are taken out first
NOT_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
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


def decode(data: str | bytes) -> str:
    """Unicode text of a page (meta charset / BOM honoured, UTF-8 by default); NotHtml for binary data."""
    if isinstance(data, str):
        return data
    head = data[:1024].lstrip()
    if head.startswith(BINARY_MAGIC) or head.count(b"\x00") > 8:
        raise NotHtml("binary content, not HTML")
    try:  # valid UTF-8 is almost never an accident, and pages often declare a charset they do not use
        return data.decode("utf-8")
    except UnicodeDecodeError:
        _, text = html_to_unicode(None, data)  # the declared charset (BOM, meta), else a guess
        return text


def parse_page(data: str | bytes, url: str) -> Page:
    """Parse a page once; NotHtml when there is nothing to parse."""
    text = NOT_XML_CHARS.sub("", decode(data))
    if not text.strip() or "<" not in text:
        raise NotHtml("empty page" if not text.strip() else "no HTML markup")
    try:
        tree = lxml_html.document_fromstring(_strip_xml_declaration(text))
    except (ParserError, ValueError) as exc:
        raise NotHtml(f"unparsable HTML ({exc})") from None
    return Page(url=url, text=text, tree=tree, jsonld=_jsonld(tree), meta=_meta(tree))


def _strip_xml_declaration(text: str) -> str:
    return re.sub(r"^\s*<\?xml[^>]*\?>", "", text, count=1)


def _meta(tree: Any) -> dict[str, list[str]]:
    meta: dict[str, list[str]] = {}
    for node in tree.iter("meta"):
        name = node.get("property") or node.get("name") or node.get("itemprop") or node.get("http-equiv")
        content = node.get("content")
        if name and content is not None:
            meta.setdefault(name.strip().lower(), []).append(content)
    return meta


def _jsonld(tree: Any) -> list[dict[str, Any]]:
    """Every JSON-LD object of the page, @graph and lists flattened."""
    found: list[dict[str, Any]] = []
    for script in tree.xpath('//script[contains(translate(@type, "LDJSON", "ldjson"), "ld+json")]'):
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


def text_of(node: Any) -> str:
    """Visible text of an element, whitespace collapsed."""
    return " ".join("".join(node.itertext()).split())
