"""Client-rendered pages: the article a page carries in its scripts rather than in its markup.

Sites built on JavaScript frameworks (Next.js, React Query, Nuxt...) often ship an almost empty body and the
article as a JSON string of HTML in an inline script, for the browser to render. When the markup holds too
little text, the page is read again with that article in it. (A JSON-LD `articleBody` trafilatura reads itself.)
"""

from __future__ import annotations

import copy
import json
import re

from lxml import html as lxml_html
from lxml.etree import ParserError

from crawler.extraction.page import Page

JSON_STRING = re.compile(r'"((?:[^"\\]|\\.){300,})"')  # a long JSON string literal
PARAGRAPHS = re.compile(r"<p[\s>]", re.I)
MIN_PARAGRAPHS = 3


def hydrated_page(page: Page) -> Page | None:
    """The page with its script-carried article put where its own article is (else in its body), or None when it
    carries none."""
    fragment = _script_html(page)
    if fragment is None:
        return None
    try:
        nodes = lxml_html.fragments_fromstring(fragment)
    except (ParserError, ValueError):
        return None
    tree = copy.deepcopy(page.tree)
    body = tree.find("body")
    if body is None:
        return None
    holder = next(iter(body.iter("article", "main")), body)  # where the page's own (near empty) article is
    article = lxml_html.Element("div")
    for node in nodes:
        if isinstance(node, str):
            paragraph = lxml_html.Element("p")
            paragraph.text = node
            article.append(paragraph)
        else:
            article.append(node)
    holder.append(article)
    return Page(url=page.url, text=page.text, tree=tree, jsonld=page.jsonld, meta=page.meta)


def _script_html(page: Page) -> str | None:
    """The longest HTML string with several paragraphs in the page's inline scripts (JSON-LD aside)."""
    best: str | None = None
    for script in page.tree.iter("script"):
        if script.get("src") or "ld+json" in (script.get("type") or "").lower() or not script.text:
            continue
        for match in JSON_STRING.finditer(script.text):
            value = _json_string(match[1])
            if value and len(PARAGRAPHS.findall(value)) >= MIN_PARAGRAPHS and len(value) > len(best or ""):
                best = value
    return best


def _json_string(escaped: str) -> str | None:
    try:
        value = json.loads(f'"{escaped}"')
    except ValueError:
        return None
    return value if isinstance(value, str) else None
