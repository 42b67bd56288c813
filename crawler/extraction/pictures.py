"""The address of a picture as the reader's browser loads it: lazy-loading pages put a placeholder (a `data:` URL,
a blank gif) in `src` and the real address in a data attribute, a srcset, a <picture>'s sources or a <noscript>
copy of the image. A `data:` URL is never a picture's address."""

from __future__ import annotations

import re
from typing import Any

from crawler.extraction.page import Page

# the attributes a lazy-loading script copies into src and srcset: one address, or a srcset ("url 640w, url 1280w")
URL_ATTRIBUTES = ("data-src", "data-lazy-src", "data-original", "data-lazy", "data-url", "data-flickity-lazyload")
SRCSET_ATTRIBUTES = ("data-srcset", "data-lazy-srcset", "data-flickity-lazyload-srcset")
# the file name of a stand-in picture a page shows until the real one loads
PLACEHOLDER = re.compile(r"(?:blank|placeholder|spacer|pixel|transparent|lazy|loading|1x1|empty)[^/]*$", re.I)
# srcset candidates are separated by a comma and a space, or by a comma before the next address (CDN addresses
# hold commas of their own: ".../c_fill,f_auto,w_320/x.png 320w, ...")
SRCSET_SPLIT = re.compile(r",\s+|,(?=(?:https?:)?//|/)")
IMAGE_TAGS = ("img", "amp-img")
DESCRIPTOR = re.compile(r"^(\d+(?:\.\d+)?)[wx]$")


def picture_url(page: Page, block: Any) -> str | None:
    """The absolute address of the first picture in `block` (an img, or an element holding one): its own lazy
    attributes, srcset and src, then the sources of its <picture>, then a <noscript> copy; None when only
    placeholders are found."""
    img = block if block.tag in IMAGE_TAGS else next(block.iter(*IMAGE_TAGS), None)
    if img is None:  # a lazy-loaded background: an element with a data-src
        lazy = next((n for n in block.iter() if n.get("data-src") or n.get("data-srcset")), None)
        return page.absolute(image_url(lazy)) if lazy is not None else None
    found = image_url(img)
    if found is None:
        picture = next(img.iterancestors("picture"), None)
        sources = picture.iter("source") if picture is not None else ()
        found = next((url for url in (_srcset_url(s, (*SRCSET_ATTRIBUTES, "srcset")) for s in sources) if url), None)
    if found is None:
        copies = (copy for noscript in block.iter("noscript") for copy in noscript.iter("img"))
        found = next((url for url in map(image_url, copies) if url), None)
    return page.absolute(found)


def image_url(img: Any) -> str | None:
    """The real address an img element names, or None: its lazy-loading attributes, then its src unless that is a
    stand-in, then its srcset."""
    for name in URL_ATTRIBUTES:
        value = _real(img.get(name))
        if value:
            return value
    lazy = _srcset_url(img, SRCSET_ATTRIBUTES)
    if lazy:
        return lazy
    src = _real(img.get("src"))
    if src and not PLACEHOLDER.search(src.split("?")[0]):
        return src
    return _srcset_url(img, ("srcset",)) or src


def real_url(url: str | None) -> str | None:
    """`url`, or None for an empty or `data:` one."""
    return _real(url)


def _srcset_url(element: Any, names: tuple[str, ...]) -> str | None:
    """The largest candidate of the first of the element's srcset attributes `names` that has one."""
    for name in names:
        value = element.get(name)
        if value and value.strip():
            best = _largest(value)
            if best:
                return best
    return None


def _largest(srcset: str) -> str | None:
    """The candidate of a srcset with the largest width or density descriptor (the first on a tie)."""
    best, best_size = None, -1.0
    for part in SRCSET_SPLIT.split(srcset.strip()):
        words = part.split()
        if not words or not _real(words[0]):
            continue
        size = 1.0
        if len(words) > 1:
            match = DESCRIPTOR.match(words[1])
            size = float(match[1]) if match else 1.0
        if size > best_size:
            best, best_size = words[0], size
    return best


def _real(url: str | None) -> str | None:
    url = (url or "").strip()
    if not url or url.lower().startswith(("data:", "about:", "javascript:")) or url == "#":
        return None
    return url
