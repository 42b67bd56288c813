"""Image captions and photo credits: caption elements tied to a picture (figcaption, caption-like classes,
data-caption), teasers and author boxes left out, the credit split off the caption text."""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import Any
from urllib.parse import urlsplit

from lxml import etree

from crawler.extraction.brackets import trim
from crawler.extraction.marked import marked
from crawler.extraction.page import Page, text_of
from crawler.extraction.pictures import picture_url
from crawler.items import Image

CREDIT_LABEL = (
    r"(?:(?:photo|image|picture|bild|foto)\s*credits?|photo(?:graph)?s?|image|picture|pic|credits?|courtesy|source|"
    r"foto|bild|bildquelle|bildrechte|quelle|fotoğraf|fuente|fonte|crédito|credito|kuva|ảnh|isithombe|фото|источник|"
    r"تصوير|صورة|الصورة|عدسة|المصدر)"
)
CREDIT_TEXT = r"(?:[^()]|\([^()]*\))"  # a credit's characters: brackets only in pairs ("Kuwait News Agency (KUNA)")
_LABELLED = re.compile(
    rf"^(?P<caption>.*)[\s,;|/–—-]*\(?\s*(?<!\w){CREDIT_LABEL}\s*(?:by|von|:|：)\s*(?P<credit>{CREDIT_TEXT}+?)\)?\s*$",
    re.I,
)
_PARENS = re.compile(r"^(?P<caption>.+?)\s*[(（\[](?P<credit>[^()（）\[\]]{2,60})[)）\]]\s*\.?$")
_COPYRIGHT = re.compile(r"^(?P<caption>.*?)\s*(?:©|[(（][cＣｃ][)）]|copyright)\s*(?P<credit>.+)$", re.I)
_CREDIT_ONLY = re.compile(rf"^\(?\s*{CREDIT_LABEL}\s*(?:by|von|:|：)\s*(?P<credit>{CREDIT_TEXT}+?)\)?$", re.I)
_PIPE = re.compile(r"^(?P<caption>.{8,}?)\s+\|\s+(?P<credit>[^|]{2,60})$")
_DASH = re.compile(r"^(?P<caption>.{8,}?)\s+[-–—|/]\s+(?P<credit>[^-–—|/]{2,40})$")
NOT_CREDITS = re.compile(
    r"^(?:أرشيفية|أرشيف|ارشيفية|archive|archives|archivbild|symbolbild|symbolfoto|file|file photo|illustration|"
    r"left|right|centre|center|l|r|m|video|audio|تعبيرية|صورة تعبيرية|\d+:\d+(?: min\.?)?)$",
    re.I,
)
ARCHIVE_LABEL = re.compile(r"^\(?(?:صورة|الصورة|صور)\s+(?:أرشيفية|ارشيفية|تعبيرية|من الأرشيف)\)?$")
DATE_OR_DURATION = re.compile(r"^[\d\s.:/|,-]*(?:min|sec|s|h)?\.?$", re.I)
# a label some pages print before the caption text ("Legende: ...")
CAPTION_LABEL = re.compile(r"^(?:caption|legende|bildunterschrift|leyenda|légende)\s*:\s*", re.I)

# class names of caption elements besides figcaption: "caption", "legend", or a picture word joined to a text word
CAPTION_CLASS = re.compile(  # matched against lowercased class names (much faster than re.I)
    r"caption|legend|bildunterschrift|description|"
    r"(?:img|image|media|photo|picture|bild|foto)[-_]?(?:info|text|desc|subtitle)"
)
# a word every match of CAPTION_CLASS holds
CAPTION_WORDS = ("caption", "legend", "bildunterschrift", "description", "info", "text", "desc", "subtitle")
CLASS_VALUES_SEPARATOR = "\x00"  # never in a parsed page's attributes (page.py takes it out)
SEPARATOR = re.compile(CLASS_VALUES_SEPARATOR)
# "description" alone names many texts (a teaser's, a brand's, an ad's): it is a caption in a picture's context
PICTURE_CONTEXT = re.compile(r"gallery|galerie|lightbox|carousel|slide|media|image|img|photo|picture|bild|foto", re.I)
CREDIT_CLASS = re.compile(r"credit|copyright|photographer|author|source|rights|quelle", re.I)
PICTURE_TAGS = ("img", "picture", "video", "amp-img", "iframe")
# a caption of a player (video, audio, podcast) titles the clip; the picture is only its poster
PLAYER_CLASS = re.compile(r"video|audio|player|podcast", re.I)
INLINE_TAGS = {"a", "b", "i", "em", "strong", "span", "small", "time", "sup", "sub", "abbr", "cite", "q", "u", "mark"}
ARTICLE_ID = re.compile(r"\d{5,}")  # a long number in a URL path: an article's id
PICTURE_FILES = (".jpg", ".jpeg", ".png", ".webp", ".gif", ".avif")
SKIPPED_TAGS = {"script", "style", "button", "svg", "template"}
HEADLINE_LINKS = etree.XPath(".//*[self::h1 or self::h2 or self::h3 or self::h4 or self::h5 or self::h6]//a[@href]")
MAX_PICTURE_DISTANCE = 4  # ancestors climbed from a caption element to the picture it describes
MIN_ONE_WORD_CAPTION = 20  # characters: shorter one-word texts are labels
UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\u0e00-\u0e7f]")  # scripts written without spaces
MAX_CREDIT_WORDS = 6  # a credit element names an agency or a photographer or two
MAX_EXTRA_TEXT = 200  # characters a picture block may hold besides its caption (credit, counters, buttons)


def split_credit(text: str) -> tuple[str, str | None]:
    """`Caption. Photo: AFP` -> (`Caption.`, `AFP`); a caption without a credit comes back whole."""
    text = " ".join(text.split()).rstrip(" -–—|/")
    if NOT_CREDITS.match(text.strip("()[] ")) or ARCHIVE_LABEL.match(text):  # "صورة أرشيفية": a label, no caption
        return "", None
    match = _CREDIT_ONLY.match(text)
    if match:
        return "", trim(match["credit"])
    for pattern in (_LABELLED, _COPYRIGHT):
        match = pattern.match(text)
        if match and match["credit"].strip():
            return match["caption"].strip(" -–—|,;(["), trim(match["credit"])
    match = _PIPE.match(text)
    if match and len(match["credit"].split()) <= MAX_CREDIT_WORDS:  # "Caption | Kuwait News Agency (KUNA)"
        return match["caption"].strip(), trim(match["credit"])
    match = _PARENS.match(text)
    if match:
        inner = match["credit"].strip()
        if NOT_CREDITS.match(inner):
            return match["caption"].strip(), None
        if len(inner.split()) <= 6:
            labelled = _LABELLED.match(f"x {inner}")
            return match["caption"].strip(), trim(labelled["credit"] if labelled else inner)
    match = _DASH.match(text)
    if match and len(match["credit"].split()) <= 3:
        return match["caption"].strip(), trim(match["credit"])
    return text, None


def clean_credit(text: str) -> str | None:
    """`(Image: AFP)`, `Photo: AFP`, `© AFP` -> `AFP`."""
    text = trim(" ".join(text.split()))
    if not text:
        return None
    labelled = _LABELLED.match(f"x {text}") or _COPYRIGHT.match(text)
    credit = trim(labelled["credit"] if labelled else text)
    return None if not credit or NOT_CREDITS.match(credit) or DATE_OR_DURATION.match(credit) else credit


def _classes(node: Any) -> str:
    return node.get("class") or ""


def _is_credit(node: Any) -> bool:
    return bool(CREDIT_CLASS.search(_classes(node)))


def _has_picture(node: Any) -> bool:
    """True when the element holds a picture: an img-like element, or any element with a lazy-loading source."""
    return next(node.iter(*PICTURE_TAGS), None) is not None or bool(node.xpath(".//*[@data-src or @data-srcset]"))


def _caption_class(classes: str) -> bool:
    """True for the class names of a caption element (not a credit's, nor the text of a teaser of another
    article)."""
    lowered = classes.lower()
    return bool(CAPTION_CLASS.search(lowered)) and not CREDIT_CLASS.search(lowered) and "teaser" not in lowered


def _is_caption_node(node: Any, named_caption: bool) -> bool:
    """figcaption, img with data-caption, or an element whose class names it a caption (`named_caption`)."""
    if node.tag == "img":
        return bool(node.get("data-caption"))
    if node.tag != "figcaption" and not named_caption:
        return False
    return not _has_picture(node)  # a wrapper named after its caption ("wp-caption") holds the picture too


def _caption_candidates(page: Page) -> list[Any]:
    """Caption elements of the page in document order."""
    marks = marked(page)
    named = _caption_classes({classes for _, _, classes, _ in marks if classes})
    candidates = []
    for node, tag, classes, _ in marks:
        is_named = classes in named
        possible = is_named or tag == "figcaption" or (tag == "img" and node.get("data-caption") is not None)
        if possible and _is_caption_node(node, is_named):
            candidates.append(node)
    return candidates


def _caption_classes(values: set[str]) -> set[str]:
    """The class attribute values among `values` that name a caption element. A page has a few hundred, and
    CAPTION_CLASS matches only those holding one of CAPTION_WORDS: the values joined and lowercased are searched for
    those words at once (str.find), and only the values holding one are tested."""
    ordered = list(values)
    lowered = CLASS_VALUES_SEPARATOR.join(ordered).lower()
    if lowered.count(CLASS_VALUES_SEPARATOR) != len(ordered) - 1:  # a value holds the separator: one by one
        return {value for value in ordered if _caption_class(value)}
    holding: set[int] = set()
    separators: list[int] | None = None  # where each value ends, found at the first hit
    for word in CAPTION_WORDS:
        found = lowered.find(word)
        while found >= 0:
            if separators is None:
                separators = [match.start() for match in SEPARATOR.finditer(lowered)]
            index = bisect_right(separators, found)  # the index of the value it is in
            holding.add(index)
            found = lowered.find(word, separators[index]) if index < len(separators) else -1
    return {ordered[index] for index in holding if _caption_class(ordered[index])}


def _picture_block(node: Any) -> Any | None:
    """The nearest ancestor, a few levels up, that holds a picture: what the caption describes."""
    for level, ancestor in enumerate(node.iterancestors()):
        if level >= MAX_PICTURE_DISTANCE or ancestor.tag in ("body", "article", "main"):
            return None
        if _has_picture(ancestor):
            return ancestor
    return None


def _page_link(node: Any, page_ids: set[str]) -> str | None:
    """The href of a link element to another page, else None: not to a picture file, nor to a page that carries
    one of `page_ids` (the numbers of this article's URL: its own picture viewer)."""
    href = (node.get("href") or "").strip()
    if node.tag != "a" or not href or href.startswith(("#", "javascript:")):
        return None
    path = href.split("?")[0]
    if path.lower().endswith(PICTURE_FILES) or page_ids & set(ARTICLE_ID.findall(path)):
        return None
    return href


def _in_teaser_link(node: Any, page_ids: set[str]) -> bool:
    """True inside a link to another page: a teaser's picture and headline, not a caption."""
    return any(_page_link(a, page_ids) for a in (node, *node.iterancestors("a")))


def _is_link_text(node: Any, text: str, page_ids: set[str]) -> bool:
    """True when the caption text is mostly the text of links to other pages (a teaser headline)."""
    linked = sum(len(text_of(a)) for a in node.iter("a") if _page_link(a, page_ids))
    return linked > 0.8 * len(text)


def _is_teaser_card(page: Page, block: Any, page_ids: set[str]) -> bool:
    """True when the picture links to a page that a headline next to it links to as well: a teaser card."""
    targets = {_page_link(a, page_ids) for a in (*block.iter("a"), *block.iterancestors("a"))}
    targets.discard(None)
    card = block.getparent()
    card = card.getparent() if card is not None and card.getparent() is not None else card
    if not targets or card is None:
        return False
    return bool(targets & _headline_links(page, card))


def _headline_links(page: Page, card: Any) -> set[str]:
    """The targets of the links in the headlines inside `card`, found once a page for each (the pictures of a list
    of teasers share the same few cards, at times the page's whole body)."""
    found = page.derived.setdefault("headline_links", {})
    if card not in found:
        found[card] = {a.get("href") for a in HEADLINE_LINKS(card)}
    return found[card]


def _in_player(node: Any, block: Any | None) -> bool:
    """True for the caption of a video or audio player: the picture block plays a video, or the class or id of the
    caption, of an element in it or of an ancestor up to the picture block says so."""
    if block is not None and next(block.iter("video", "iframe"), None) is not None:
        return True
    if any(_says_player(element) for element in node.iter() if isinstance(element.tag, str)):
        return True
    for ancestor in node.iterancestors():
        if ancestor.tag in ("body", "article", "main"):
            return False
        if _says_player(ancestor):
            return True
        if ancestor is block:
            return False
    return False


def _says_player(element: Any) -> bool:
    return bool(PLAYER_CLASS.search(f"{_classes(element)} {element.get('id') or ''}"))


def _in_page_furniture(node: Any) -> bool:
    """True inside a navigation, footer or aside (related stories), or in the site header: a header outside the
    article that does not hold the headline."""
    in_site_header = False
    for ancestor in node.iterancestors():
        if ancestor.tag in ("footer", "nav", "aside"):
            return True
        if ancestor.tag in ("article", "main"):
            return False
        if ancestor.tag == "header" and next(ancestor.iter("h1"), None) is None:
            in_site_header = True
    return in_site_header


def _is_label(caption: str) -> bool:
    """A single short word ("Menu", "Next", "Image") labels a control; no caption describes a picture so."""
    return 0 < len(caption) < MIN_ONE_WORD_CAPTION and len(caption.split()) == 1 and not UNSPACED.search(caption)


def _is_logo(node: Any) -> bool:
    """A figure drawn as an svg with no picture ("Powered by" and a logo)."""
    parent = node.getparent()
    return parent is not None and parent.tag == "figure" and next(parent.iter("{*}svg", "svg"), None) is not None


def _is_byline(node: Any) -> bool:
    """An author box (picture of the writer, name, date) dressed as a figure."""
    return bool(node.xpath(".//address | .//a[@rel='author']"))


def _is_quote(node: Any) -> bool:
    """A figcaption crediting a quotation (`<figure><blockquote>…</blockquote><figcaption>`)."""
    parent = node.getparent()
    return parent is not None and parent.tag == "figure" and next(parent.iter("blockquote"), None) is not None


def _visible_text(node: Any, skip: list[Any]) -> str:
    """Text of `node` without the `skip` subtrees (credits) and controls; block elements are word breaks."""
    parts: list[str] = []

    def walk(element: Any) -> None:
        if not isinstance(element.tag, str) or element in skip or element.tag in SKIPPED_TAGS:
            return
        gap = "" if element.tag in INLINE_TAGS else " "
        parts.append(gap + (element.text or ""))
        for child in element:
            walk(child)
            parts.append(child.tail or "")
        parts.append(gap)

    walk(node)
    return " ".join("".join(parts).split())


def _outermost(nodes: list[Any]) -> list[Any]:
    """`nodes` without those nested in another of them."""
    chosen = set(nodes)
    return [node for node in nodes if not any(a in chosen for a in node.iterancestors())]


def _credit_nodes(caption_node: Any, block: Any | None) -> list[Any]:
    """Credit elements inside the caption (by class, or a cite), else beside it in the picture block, else the
    caption's short last part."""
    inside = [n for n in caption_node.iterdescendants("*") if _is_credit(n) or n.tag == "cite"]
    if inside:
        return _outermost(inside)
    if block is not None:
        around = {caption_node, *caption_node.iterdescendants(), *caption_node.iterancestors()}
        beside = [n for n in block.iterdescendants() if isinstance(n.tag, str) and _is_credit(n) and n not in around]
        if beside:
            return _outermost(beside)[:1]
    return _trailing_credit(caption_node)


def _trailing_credit(caption_node: Any) -> list[Any]:
    """`<figcaption><span>A long caption.</span><span>Getty Images</span></figcaption>`: a last element of a few
    words, after a longer one, with no loose text around them, is the credit."""
    parts = [child for child in caption_node if isinstance(child.tag, str) and text_of(child)]
    if len(parts) < 2 or (caption_node.text or "").strip() or any((p.tail or "").strip() for p in parts):
        return []
    last = text_of(parts[-1])
    if len(last.split()) > MAX_CREDIT_WORDS or last.endswith((".", "!", "?")) or len(text_of(parts[-2])) <= len(last):
        return []
    return [parts[-1]]


def _picture_url(page: Page, block: Any | None) -> str | None:
    return picture_url(page, block) if block is not None else None


def _article_ids(page: Page) -> set[str]:
    return set(ARTICLE_ID.findall(urlsplit(page.url).path))


def _only_described(node: Any, block: Any | None) -> bool:
    """True for an element named only a "description" with no word of pictures in its class names or in those of
    its ancestors up to the picture block."""
    classes = _classes(node).lower()
    if node.tag == "figcaption" or CAPTION_CLASS.search(classes.replace("description", "")):
        return False
    for element in (node, *node.iterancestors()):
        if PICTURE_CONTEXT.search(_classes(element)):
            return False
        if element is block:
            break
    return True


def _caption_and_credit(text: str, credits: list[Any]) -> tuple[str, str | None]:
    """The caption text without its credit, and the credit: the credit elements' text, else the one in the text."""
    caption, inline_credit = split_credit(text)
    return caption, clean_credit(" ".join(text_of(n) for n in credits)) or inline_credit


def _caption_image(page: Page, node: Any, page_ids: set[str]) -> Image | None:
    """The Image a caption element describes, or None when it is no picture caption (`page_ids`: the numbers of
    the article's URL)."""
    if _in_teaser_link(node, page_ids) or _is_byline(node) or _in_page_furniture(node):
        return None
    block = _picture_block(node)
    if block is None and (node.tag != "figcaption" or _is_quote(node) or _is_logo(node)):
        return None
    if _only_described(node, block):
        return None
    if _in_player(node, block) or (block is not None and _is_teaser_card(page, block, page_ids)):
        return None
    credits = _credit_nodes(node, block)
    text = CAPTION_LABEL.sub("", _visible_text(node, credits))
    if _is_link_text(node, text, page_ids):
        return None
    if node.tag != "figcaption" and len(_visible_text(block, [])) > len(text) + MAX_EXTRA_TEXT:
        return None  # a section that happens to hold a picture, not a picture block
    caption, credit = _caption_and_credit(text, credits)
    if (not caption and not credit) or _is_label(caption):
        return None
    return Image(url=_picture_url(page, block), caption=caption or None, credit=credit)


def _data_caption_image(page: Page, img: Any, page_ids: set[str]) -> Image | None:
    """A picture whose caption is kept in data attributes of the img element."""
    caption = " ".join((img.get("data-caption") or "").split())
    credit = img.get("data-credit") or img.get("data-source") or img.get("data-copyright") or ""
    if not caption or _in_teaser_link(img, page_ids):
        return None
    url = picture_url(page, img)
    text, inline_credit = split_credit(caption)
    return Image(url=url, caption=text or None, credit=clean_credit(credit) or inline_credit)


def _configured_images(page: Page, selector: str) -> list[Image | None]:
    """Images of the elements a source's caption selector picks (figures or caption elements)."""
    images: list[Image | None] = []
    for node in page.tree.cssselect(selector):
        caption_node = next(node.iter("figcaption"), None)
        if caption_node is None:
            found = [n for n in node.iter("*") if _caption_class(_classes(n)) and not _has_picture(n)]
            caption_node = found[0] if found else node
        credits = _credit_nodes(caption_node, node)
        caption, credit = _caption_and_credit(_visible_text(caption_node, credits), credits)
        url = _picture_url(page, node if _has_picture(node) else None)
        images.append(Image(url=url, caption=caption or None, credit=credit) if caption or credit else None)
    return images


def extract_images(page: Page, selector: str | None = None) -> list[Image]:
    """Captioned pictures in reading order (configured selector first, else caption elements near pictures)."""
    if selector:
        found = _configured_images(page, selector)
    else:
        page_ids = _article_ids(page)
        found = [
            _data_caption_image(page, node, page_ids) if node.tag == "img" else _caption_image(page, node, page_ids)
            for node in _outermost(_caption_candidates(page))
        ]
    images: list[Image] = []
    seen: set[str] = set()
    for image in found:
        key = " ".join(((image.caption or "") + " " + (image.credit or "")).split()) if image else ""
        if image and key not in seen:
            seen.add(key)
            images.append(image)
    return images
