"""The article text: trafilatura on the page without figures and embedded chrome, one paragraph or heading a line."""

from __future__ import annotations

import copy
from typing import Any

import trafilatura

from crawler.extraction.page import Page, text_of

# embedded blocks that sit inside article bodies but are not the article's text
# embedded blocks that sit inside article bodies but are not the article's text (each measured on fundus-dev:
# none of these lowers body F1; broader rules such as [class*=share] or <form> do, as whole pages sit in them)
EMBEDS = (
    "figure, figcaption, blockquote.twitter-tweet, blockquote.instagram-media, blockquote.tiktok-embed, "
    "[class*=related], [class*=newsletter], [class*=social], [class*=share-buttons], [class*=search-overlay], "
    "[class*=search-form], [class*=advert], [class*=-ad-], [class*=author-bio], [class*=author-box]"
)
BLOCKS = "p, h2, h3, h4, h5, li, blockquote"


def _pruned(page: Page, remove: str | None) -> Any:
    tree = copy.deepcopy(page.tree)
    for selector in (EMBEDS, remove):
        if selector:
            for node in tree.cssselect(selector):
                if node.getparent() is not None and node.tag != "html" and node.tag != "body":
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
