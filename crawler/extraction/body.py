"""The article text: trafilatura on the page without figures and embedded chrome, one paragraph or heading a line."""

from __future__ import annotations

import copy
import re
from typing import Any

import trafilatura

from crawler.extraction.page import Page, text_of

# Blocks that sit inside article bodies but are not the article's text. Class rules look at whole class tokens
# by their start ("related-posts", "newsletter-box"), never substrings: WordPress puts tag and category slugs
# ("tag-advertising") in the classes of the element that wraps the whole post. Measured on fundus-dev and
# zyte-dev: none of these lowers body F1; broader rules such as [class*=share] or <form> do.
EMBED_TAGS = ("figure", "figcaption")
EMBED_BLOCKQUOTES = ("twitter-tweet", "instagram-media", "tiktok-embed")
EMBED_CLASS = re.compile(
    r"^(?:related|newsletter|social|share-?buttons|sharing|search-overlay|search-form|advert|ads?(?:[-_]|$)|"
    r"author-bio|author-box|read-?more|most-read)",
    re.I,
)
BLOCKS = "p, h2, h3, h4, h5, li, blockquote"  # text blocks inside a configured body container
MAX_SHARE = 0.25  # an embed holding more of the page's text than this wraps the article: keep it


def _is_embed(node: Any) -> bool:
    if node.tag in EMBED_TAGS:
        return True
    classes = (node.get("class") or "").split()
    if node.tag == "blockquote" and any(c in EMBED_BLOCKQUOTES for c in classes):
        return True
    return any(EMBED_CLASS.match(c) for c in classes)


def _visible_length(node: Any) -> int:
    return sum(len(t.strip()) for t in node.xpath(".//text()[not(ancestor::script or ancestor::style)]"))


def _pruned(page: Page, remove: str | None) -> Any:
    tree = copy.deepcopy(page.tree)
    body = tree.find("body")
    total = _visible_length(body if body is not None else tree) or 1
    embeds = [n for n in tree.iter() if isinstance(n.tag, str) and n.tag not in ("html", "body") and _is_embed(n)]
    for node in embeds:
        if node.getparent() is not None and _visible_length(node) < MAX_SHARE * total:
            node.drop_tree()
    for node in tree.cssselect(remove) if remove else []:  # the source's own rules are obeyed as written
        if node.getparent() is not None:
            node.drop_tree()
    return tree


def extract_body_lines(page: Page, selector: str | None = None, remove: str | None = None) -> list[str]:
    """Paragraphs and sub-headings of the article, in order, one per line."""
    tree = _pruned(page, remove)
    if selector:
        containers = tree.cssselect(selector)
        if containers:
            blocks = [text_of(b) for c in containers for b in (c.cssselect(BLOCKS) or [c])]
            return [b for b in blocks if b]
    result = trafilatura.bare_extraction(
        tree,
        url=page.url,
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_formatting=False,
        with_metadata=False,
        deduplicate=False,
    )
    text = getattr(result, "text", None) or ""
    return [line.strip() for line in text.split("\n") if line.strip()]
