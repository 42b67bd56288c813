"""Find article URLs in sitemaps (indexes, gzip, Google News), RSS/Atom feeds, robots.txt and section pages."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import TypeVar
from urllib.parse import urljoin

from lxml import etree

MAX_XML_BYTES = 50 * 1024 * 1024  # the sitemap protocol's own limit for one file, uncompressed
T = TypeVar("T")
UNDATED = datetime.min.replace(tzinfo=timezone.utc)  # sorts after every date, newest first


@dataclass(frozen=True, slots=True)  # slots: a listing of 200,000 links holds 20 MB less
class Link:
    """A discovered URL, with the date its listing gives (publication or lastmod) when there is one."""

    url: str
    date: datetime | None = None
    is_sitemap: bool = False  # a child sitemap of a sitemap index


def consumed(items: list[T]) -> Iterator[T]:
    """`items` in order, each taken out of the list as it is handed out (the list is emptied)."""
    items.reverse()
    while items:
        yield items.pop()


def newest_first(links: list[Link]) -> list[Link]:
    """The dated links newest first, then the undated ones in their listed order."""
    return sorted(links, key=lambda link: link.date or UNDATED, reverse=True)


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def parse_date(text: str | None) -> datetime | None:
    """A W3C/ISO 8601 or RFC 822 date as an aware datetime (UTC when no offset is given), else None."""
    if not text or not text.strip():
        return None
    text = text.strip()
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            value = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def maybe_gunzip(body: bytes) -> bytes:
    """The body, decompressed when it is gzip (sitemap.xml.gz), cut at MAX_XML_BYTES."""
    if body[:2] != b"\x1f\x8b":
        return body
    try:
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(body, MAX_XML_BYTES)
    except (zlib.error, gzip.BadGzipFile, EOFError):
        return b""


def _xml_root(body: bytes) -> etree._Element | None:
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)
    try:
        return etree.fromstring(maybe_gunzip(body), parser=parser)
    except (etree.XMLSyntaxError, ValueError):
        return None


def parse_sitemap(body: bytes, base_url: str) -> Iterator[Link]:
    """Entries of a sitemap or sitemap index; news:publication_date preferred over lastmod. A well-formed sitemap is
    read without building a tree (a tree of 200,000 URLs holds 90 MB): lxml's parser hands each node to a
    _SitemapEntries. A malformed one is read as a tree, as the recovering parser repairs it, and so is one that
    declares entities (none should), its entities left unexpanded."""
    xml = maybe_gunzip(body)
    if b"<!ENTITY" in xml:
        yield from _tree_sitemap(body, base_url)
        return
    entries = _SitemapEntries()
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, target=entries)
    try:
        etree.fromstring(xml, parser=parser)
    except (etree.XMLSyntaxError, ValueError):
        yield from _tree_sitemap(body, base_url)
        return
    del xml  # the decompressed sitemap, tens of MB for 200,000 URLs: not kept while its links are used
    is_index = _local(entries.root) == "sitemapindex"
    # each entry let go as its link is made: the entries and the links are not all held at once
    for loc, lastmod, published in consumed(entries.found):
        yield Link(urljoin(base_url, loc), parse_date(published) or parse_date(lastmod), is_index)


def _tree_sitemap(body: bytes, base_url: str) -> Iterator[Link]:
    root = _xml_root(body)
    if root is None:
        return
    is_index = _local(root.tag) == "sitemapindex"
    for entry in root:
        if _local(entry.tag) not in ("url", "sitemap"):
            continue
        loc, lastmod, published = None, None, None
        for node in entry.iter():
            name = _local(node.tag)
            if name == "loc" and loc is None and node.text:
                loc = node.text.strip()
            elif name == "lastmod":
                lastmod = node.text
            elif name == "publication_date":
                published = node.text
        if loc:
            yield Link(urljoin(base_url, loc), parse_date(published) or parse_date(lastmod), is_index)


class _SitemapEntries:
    """A parser target that keeps, for each <url> (or <sitemap>) child of the root, its first non-empty <loc> and its
    last <lastmod> and <publication_date>, each element's text as a tree gives it (the text before its first child
    node), as _tree_sitemap reads them."""

    def __init__(self) -> None:
        self.root: str | None = None
        self.found: list[tuple[str, str | None, str | None]] = []
        self.depth = 0
        self.entry: list[str | None] | None = None  # [loc, lastmod, publication_date] of the entry being read
        self.field: str | None = None  # local name of the element whose text is being read
        self.text: list[str] = []

    def start(self, tag: object, attrib: object) -> None:
        self.finish_text()
        self.depth += 1
        if self.depth == 1:
            self.root = tag if isinstance(tag, str) else None
        elif self.depth == 2:
            self.entry = [None, None, None] if _local(tag) in ("url", "sitemap") else None
        if self.entry is not None:
            self.field = _local(tag)

    def data(self, text: str) -> None:
        if self.field is not None:
            self.text.append(text)

    def comment(self, text: str) -> None:
        self.finish_text()

    def pi(self, target: str, data: str | None = None) -> None:
        self.finish_text()

    def end(self, tag: object) -> None:
        self.finish_text()
        self.depth -= 1
        if self.depth == 1 and self.entry is not None:
            loc, lastmod, published = self.entry
            if loc:
                self.found.append((loc, lastmod, published))
            self.entry = None

    def finish_text(self) -> None:
        """The text of the element being read ends here (at a child, a comment or its end)."""
        if self.field is not None and self.entry is not None:
            text = "".join(self.text) or None
            if self.field == "loc" and self.entry[0] is None and text:
                self.entry[0] = text.strip()
            elif self.field == "lastmod":
                self.entry[1] = text
            elif self.field == "publication_date":
                self.entry[2] = text
        self.field, self.text = None, []

    def close(self) -> None:
        return None


def parse_feed(body: bytes, base_url: str) -> Iterator[Link]:
    """Item links of an RSS 2.0, RSS 1.0 (RDF) or Atom feed with their dates."""
    root = _xml_root(body)
    if root is None:
        return
    for entry in root.iter():
        if _local(entry.tag) not in ("item", "entry"):
            continue
        url, date = None, None
        for node in entry:
            name = _local(node.tag)
            if name == "link" and url is None:
                href = node.get("href")
                if href and node.get("rel", "alternate") == "alternate":
                    url = href
                elif node.text and node.text.strip():
                    url = node.text.strip()
            elif name == "guid" and url is None and node.get("isPermaLink", "true") == "true" and node.text:
                url = node.text.strip() if node.text.strip().startswith("http") else None
            elif name in ("pubdate", "published", "date") or (name == "updated" and date is None):
                date = parse_date(node.text) or date
        if url:
            yield Link(urljoin(base_url, url), date)


def sitemaps_from_robots(body: bytes, base_url: str) -> Iterator[Link]:
    """`Sitemap:` lines of a robots.txt."""
    for line in body.decode("utf-8", "replace").splitlines():
        name, _, value = line.partition(":")
        if name.strip().lower() == "sitemap" and value.strip():
            yield Link(urljoin(base_url, value.strip()), is_sitemap=True)
