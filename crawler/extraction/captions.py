"""Image captions and photo credits: figure/figcaption and caption classes, credit split off the caption text."""

from __future__ import annotations

import re

from crawler.extraction.page import Page, text_of
from crawler.items import Image

CREDIT_LABEL = (
    r"(?:photo(?:graph)?s?|image|picture|pic|credit|courtesy|source|foto|bild|photo credit|"
    r"تصوير|صورة|الصورة|عدسة|المصدر)"
)
_LABELLED = re.compile(
    rf"^(?P<caption>.*)[\s,;|/–—-]*\(?\s*(?<!\w){CREDIT_LABEL}\s*(?:by|von|:|：)\s*(?P<credit>[^()]+?)\)?\s*$", re.I
)
_PARENS = re.compile(r"^(?P<caption>.+?)\s*[(（\[](?P<credit>[^()（）\[\]]{2,60})[)）\]]\s*\.?$")
_COPYRIGHT = re.compile(r"^(?P<caption>.*?)\s*(?:©|\(c\)|copyright)\s*(?P<credit>.+)$", re.I)
_DASH = re.compile(r"^(?P<caption>.{8,}?)\s+[-–—|/]\s+(?P<credit>[^-–—|/]{2,40})$")
NOT_CREDITS = re.compile(
    r"^(?:أرشيفية|أرشيف|ارشيفية|archive|archives|file|file photo|illustration|تعبيرية|صورة تعبيرية)$", re.I
)
CREDIT_NODES = "[class*=credit], [class*=copyright], [class*=photographer], [class*=source]"


def split_credit(text: str) -> tuple[str, str | None]:
    """`Caption. Photo: AFP` -> (`Caption.`, `AFP`); a caption without a credit comes back whole."""
    text = " ".join(text.split())
    for pattern in (_LABELLED, _COPYRIGHT):
        match = pattern.match(text)
        if match and match["credit"].strip():
            return match["caption"].strip(" -–—|,;(["), match["credit"].strip(" .")
    match = _PARENS.match(text)
    if match:
        inner = match["credit"].strip()
        if NOT_CREDITS.match(inner):
            return match["caption"].strip(), None
        if len(inner.split()) <= 6:
            labelled = _LABELLED.match(f"x {inner}")
            return match["caption"].strip(), (labelled["credit"] if labelled else inner).strip(" .")
    match = _DASH.match(text)
    if match and len(match["credit"].split()) <= 3:
        return match["caption"].strip(), match["credit"].strip(" .")
    return text, None


def _figure_image(page: Page, node: object) -> Image | None:
    img = next(iter(node.iter("img")), None)  # type: ignore[attr-defined]
    url = None
    if img is not None:
        url = img.get("src") or img.get("data-src") or img.get("data-lazy-src")
    caption_node = next(iter(node.iter("figcaption")), None)  # type: ignore[attr-defined]
    if caption_node is None:
        found = node.cssselect("[class*=caption]")  # type: ignore[attr-defined]
        caption_node = found[0] if found else None
    if caption_node is None:
        return None
    credit = " ".join(text_of(n) for n in caption_node.cssselect(CREDIT_NODES)) or None
    text = text_of(caption_node)
    caption, split = split_credit(text.replace(credit, "").strip() if credit else text)
    if credit:
        credit = split_credit(f"x {credit}")[1] or credit  # "Photo: AFP" in a credit span -> "AFP"
    if not caption and not credit:
        return None
    return Image(url=page.absolute(url), caption=caption or None, credit=credit or split)


def extract_images(page: Page, selector: str | None = None) -> list[Image]:
    """Captioned pictures in reading order (configured selector first, else figures and caption blocks)."""
    tree = page.tree
    nodes = tree.cssselect(selector) if selector else tree.xpath("//figure | //*[contains(@class, 'wp-caption')]")
    images: list[Image] = []
    seen: set[str] = set()
    for node in nodes:
        if node.getparent() is not None and any(a.tag == "figure" for a in node.iterancestors()):
            continue  # a nested figure is part of the outer one
        image = _figure_image(page, node)
        if image and (image.caption or "") + (image.credit or "") not in seen:
            seen.add((image.caption or "") + (image.credit or ""))
            images.append(image)
    return images
