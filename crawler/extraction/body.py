"""The article text: trafilatura on the page without figures and embedded chrome, one paragraph or heading a line.

The page's tree is shared with the other fields, so it is never edited: the blocks to leave out are found on it
and handed to trafilatura as one XPath of positional paths, which trafilatura prunes from the copy it makes anyway.
"""

from __future__ import annotations

import copy
import functools
import operator
import re
from collections.abc import Callable
from typing import Any

import trafilatura
from lxml import etree
from lxml.cssselect import CSSSelector
from trafilatura import xpaths
from trafilatura.baseline import baseline
from trafilatura.core import _forum_thread_page
from trafilatura.external import compare_extraction
from trafilatura.htmlprocessing import convert_tags, prune_unwanted_nodes, tree_cleaning
from trafilatura.main_extractor import extract_content
from trafilatura.settings import Extractor, use_config
from trafilatura.xml import xmltotxt

from crawler.extraction.page import HTML_PARSER, Page, text_of
from crawler.extraction.regexpaths import guarded_xpaths
from crawler.words import has_words

# Blocks that sit inside article bodies but are not the article's text. Class rules look at whole class tokens
# by their start ("related-posts", "most-read"), not substrings: WordPress puts tag and category slugs
# ("tag-advertising") in the classes of the element that wraps the whole post. Only fact/info boxes and polls are
# found inside compound names ("metro-factbox", "Article_elementPoll__x"). Measured on fundus-dev and zyte-dev:
# none of these lowers body F1; broader rules such as [class*=share] or <form> do. Measured per publisher fold
# (benchmarks/ablation.py), the class rules for newsletter boxes, author bios, read-more, latest-news, print-only
# blocks, hover cards and hidden dialogs each helped the publishers of one fold only: they are not kept.
EMBED_TAGS = ("figure", "figcaption")
EMBED_BLOCKQUOTES = ("twitter-tweet", "instagram-media", "tiktok-embed")
EMBED_CLASS = re.compile(
    r"(?:^|\s)(?:related|social|share-?buttons|sharing|search-overlay|search-form|advert|ads?(?:[-_\s]|$)|most-read)|"
    r"(?:fact|info)-?box|poll(?:[-_]|$)",
    re.I,
)
BOX_CLASS = re.compile(r"(?:fact|info)-?box", re.I)  # side boxes, also in compound names ("metro-factbox", data-testid)
CANDIDATE = "*[@class or @role or @data-testid or self::figure or self::figcaption]"
EMBED_CANDIDATES = etree.XPath(f"//body/descendant::{CANDIDATE}")
WITHIN_CANDIDATES = etree.XPath(f"descendant::{CANDIDATE}")
# A line that only points to another story: a "read more" label alone, or followed by a separator and a headline
READ_MORE = re.compile(
    r"^[\W_]{0,3}(?:read (?:more|also|next)|also read|related(?: posts?| stories| articles?| news)?|see also|"
    r"don'?t miss|more|lesen sie (?:auch|mehr)|mehr zum thema|auch interessant|weiterlesen|"
    r"l[eæä]s (?:også|också|mer|ook|meer)|lees (?:ook|meer)|(?:à )?lire aussi|à lire (?:aussi|également)|voir aussi|"
    r"leggi anche|lee también|leer más|noticia relacionada|te puede interesar|leia (?:também|mais)|veja também|"
    r"baca juga|ayrıca (?:okuyun|bakınız)|ilgili haber|اقرأ أيضا|اقرأ أيضاً|اقرأ المزيد)"
    r"\s*(?:$|[:|»›>\-–—]\s*(?P<headline>.*))",
    re.I,
)
# A rights notice ("Copyright © 2019 Dow Jones", "Alle Rechte vorbehalten"): the page's small print, not the story
# (the word with the sign or a year: a story about a copyright dispute is not a notice)
RIGHTS_NOTICE = re.compile(
    r"copyright\W*(?:©|ⓒ|\(c\)|\d{4})|(?:©|ⓒ|\(c\))\s*(?:copyright|\d{4})|copyright\s+(?:\S+\s+){1,4}\d{4}|"
    r"all rights reserved|"
    r"alle rechte vorbehalten|tous droits réservés|todos los derechos reservados|tutti i diritti riservati|"
    r"todos os direitos reservados|tüm hakları saklıdır|جميع الحقوق محفوظة",
    re.I,
)
# A newsletter prompt ("Sign up for our free daily newsletter"): an invitation to subscribe, not the story
# (the verbs of the invitation, not the nouns: "the newsletter has 10,000 subscribers / abonnés" is a story's)
NEWSLETTER_PROMPT = re.compile(
    r"(?=.*\bnewsletters?\b)(?=.*(?:\bsign(?:ing)?[- ]up\b|\bsubscribe\b|\binbox\b|postfach|abonnez|abonnier|"
    r"anmeld|inscrivez|suscr[ií]b|iscriviti|assine))",
    re.I,
)
# (lines of story links tagged "[VIDEO]" and tag lines "Tags: ..." helped one publisher fold only: not kept)
# An affiliate disclosure ("we may earn a commission", "Affiliate-Links"): the page's small print, not the story
# (the site's own commission: "agents earn a commission on each sale" is a story's)
AFFILIATE_NOTICE = re.compile(
    r"affiliate[- ](?:links?|commission)|share of the sale|"
    r"\b(?:we|us|our)\b.{0,40}\bearn (?:an? )?(?:small )?commission",
    re.I,
)
MAX_NOTICE_WORDS = 40
# A word each of the notices above holds, in every case the expressions ignore (lower case, after the few letters
# that Python's case-blind matching equates with an ASCII one are made that letter): the expressions are tried only
# on a line that has one
NOTICE_WORDS = (
    *("copyright", "©", "ⓒ", "(c)", "reserved", "vorbehalten", "droits", "derechos", "diritti", "direitos"),
    *("haklari", "الحقوق", "affiliate", "commission", "share of the sale", "newsletter"),
)
ASCII_FOLD = str.maketrans({"ı": "i", "İ": "i", "ſ": "s", "\u212a": "k"})
MAX_HEADLINE = 160  # characters: longer text after a label is a paragraph that happens to start with it
MIN_STANDFIRST_WORDS = 6
WORD = re.compile(r"\w+")
TEXT_CONTAINING = etree.XPath("//body/descendant::text()[contains(., $start)][not(parent::script or parent::style)]")
# When trafilatura keeps less than this share of the paragraph text of the page's article container (the article
# split in chunks between ads, and it took one chunk), the container's long paragraphs it missed are put back
# trafilatura replaces an extraction shorter than MIN_EXTRACTED_SIZE characters (250 by default) with a dump of the
# page's text: a news flash of two sentences came back with the breadcrumbs, byline and tags around it. Only an
# extraction shorter than the shortest article (NEWSCRAWL_MIN_DECLARED_WORDS words) is taken for a failure.
TRAFILATURA_CONFIG = use_config()
TRAFILATURA_CONFIG.set("DEFAULT", "MIN_EXTRACTED_SIZE", "50")
TRAFILATURA_OPTIONS = {
    fast: Extractor(
        config=TRAFILATURA_CONFIG,
        output_format="python",
        fast=fast,
        comments=False,
        tables=True,
        images=False,
        formatting=False,
        dedup=False,
        with_metadata=False,
    )
    for fast in (True, False)
}
MIN_KEPT_SHARE = 0.6
# trafilatura reads the article's container alone when the page has one, found from the block holding the most
# paragraph text outside links: the nearest element around it holding ARTICLE_SHARE of the page's paragraph text,
# and its parent (sub-headings, lists and the lead often sit in the blocks next to the paragraphs'), or the
# <article> holding them (trafilatura reads an article element's sub-headings it drops from a part). Half of
# trafilatura's cost is the page around the article. Its reading of the container is taken when it holds
# MIN_CONTAINER_SHARE of the container's paragraph text and MIN_FAST_WORDS words; else the whole page is read.
ARTICLE_SHARE = 0.8
MIN_CONTAINER_SHARE = 0.5
# trafilatura's fallbacks (readability, jusText: a third of its cost) matter where its main extractor found a few
# dozen words of a story of hundreds (the article in <div>s or a list of its own); on a longer extraction they
# seldom change a word. Measured on fundus-dev and zyte-dev: below this many words they run.
MIN_FAST_WORDS = 150
MIN_MISSED_CHARS = 120  # shorter paragraphs inside the container are as likely to be chrome as text
CONTAINERS = etree.XPath('//body/descendant::*[@itemprop="articleBody"][not(ancestor::*[@itemprop="articleBody"])]')
ARTICLES = etree.XPath("//body/descendant::article[not(ancestor::article)]")
CONTAINER_BLOCKS = etree.XPath(".//p | .//h2 | .//h3 | .//h4 | .//li")
BLOCKS = "p, h2, h3, h4, h5, li, blockquote"  # text blocks inside a configured body container
MAX_SHARE = 0.25  # an embed holding more of the page's text than this wraps the article: keep it
MIN_STORY_CHARS = 60  # characters of the shortest story (NEWSCRAWL_MIN_DECLARED_WORDS words): a smaller one holds none
MAX_BOX_SHARE = 0.5  # a box named a fact or info box is a side box up to half the page
NOT_VISIBLE = ("script", "style")
# HTML comments hide text from trafilatura (the text after a comment inside a paragraph is lost): pruned first.
# Scripts and styles too: trafilatura deletes them itself, after copying them a few times over a whole page; it
# reads only the JSON-LD ones (an articleBody), which stay.
NOT_CONTENT = (
    "//comment() | //processing-instruction() | //style | "
    "//script[not(contains(translate(@type, 'LDJSON', 'ldjson'), 'ld+json'))]"
)
CONTENT_HIDERS = etree.XPath(".//comment() | .//processing-instruction()")
# trafilatura's prunings of a page before its reading (see regexpaths)
RAW_TREE_PRUNE_XPATH = guarded_xpaths(xpaths.RAW_TREE_PRUNE_XPATH)
REMOVE_COMMENTS_AND_LISTS_XPATH = guarded_xpaths(xpaths.REMOVE_COMMENTS_AND_LISTS_XPATH)


def _is_embed(node: Any) -> bool:
    """A figure, an embedded post or a block whose class names it chrome."""
    if node.tag in EMBED_TAGS or node.get("role") == "complementary":
        return True
    testid = node.get("data-testid")
    if testid and BOX_CLASS.search(testid):
        return True
    classes = node.get("class")
    if not classes:
        return False
    if node.tag == "blockquote" and any(c in EMBED_BLOCKQUOTES for c in classes.split()):
        return True
    return _chrome_class(classes)


@functools.lru_cache(maxsize=4096)
def _chrome_class(classes: str) -> bool:
    """True when a class attribute names a block chrome (pages repeat the same few class attributes)."""
    return bool(EMBED_CLASS.search(classes))


def _visible_length(node: Any) -> int:
    """The characters of `node`'s text outside scripts, styles and comments, without surrounding white space (the
    text nodes of ".//text()[not(parent::script or parent::style)]", read in one walk of the tree)."""
    total = 0
    for element in node.iter():
        if isinstance(element.tag, str) and element.tag not in NOT_VISIBLE and element.text:
            total += len(element.text.strip())
        if element.tail and element is not node:
            total += len(element.tail.strip())
    return total


def _page_visible_chars(page: Page) -> int:
    """The characters of the visible text of the page's body (at least 1), counted once a page."""
    if "visible_chars" not in page.derived:
        body = page.tree.find("body")
        page.derived["visible_chars"] = _visible_length(body if body is not None else page.tree) or 1
    return page.derived["visible_chars"]


def _embeds(page: Page, within: Any = None) -> list[Any]:
    """The outermost embeds of the page's tree (inside `within` when given) that hold less than MAX_SHARE of its
    visible text and do not hold the article's text (a short story on a page of long menus is less than a quarter
    of its text, and a class name such as "latest-news-details" or "read-more-content" says nothing of a block that
    holds the story)."""
    # the page's visible text, counted only when a block is big beside what it is known to exceed: the text of
    # `within` (a part of the page), counted first
    total = page.derived.get("visible_chars") or (_visible_length(within) if within is not None else 0)
    dropped: set[Any] = set()
    found = []
    story: set[Any] | None = None  # the element holding the article's paragraphs and its ancestors, when needed
    for node in EMBED_CANDIDATES(page.tree) if within is None else WITHIN_CANDIDATES(within):
        if not _is_embed(node) or any(a in dropped for a in node.iterancestors()):
            continue
        # text_content() counts scripts too, so it bounds the visible length: the slow count only for big blocks
        box = bool(BOX_CLASS.search(node.get("class") or ""))
        share = MAX_BOX_SHARE if box else MAX_SHARE
        length = len(node.text_content())
        if length >= share * total:
            total = _page_visible_chars(page)
        limit = share * total
        if length >= limit and _visible_length(node) >= limit:
            continue
        # a fact box may hold more text than a short story; a few words (share buttons) hold none
        if not box and node.tag not in EMBED_TAGS and length >= MIN_STORY_CHARS:
            story = _story_holders(page) if story is None else story
            if node in story:
                continue
        dropped.add(node)
        found.append(node)
    return found


def _story_holders(page: Page) -> set[Any]:
    """The block holding the most text outside links, in paragraphs or in lines between <br>s (the article's text:
    teasers and menus are links), and its ancestors."""
    scores = _paragraph_scores(page)
    if not scores:
        return set()
    holder = max(scores, key=scores.__getitem__)
    return {holder, *holder.iterancestors()}


def _paragraph_scores(page: Page) -> dict[Any, int]:
    """The characters outside links each block holds in its paragraphs and in its lines between <br>s (computed
    once a page)."""
    if "paragraph_scores" not in page.derived:
        page.derived["paragraph_scores"], page.derived["paragraph_chars"] = _scores_of(page.tree)
    return page.derived["paragraph_scores"]


def _paragraph_chars(page: Page) -> int:
    """The characters of the page's paragraphs, links and scripts included (their text_content())."""
    _paragraph_scores(page)
    return page.derived["paragraph_chars"]


def _scores_of(tree: Any) -> tuple[dict[Any, int], int]:
    """The scores of _paragraph_scores, and the characters of all paragraphs (read in the same walk)."""
    scores: dict[Any, int] = {}
    paragraph_chars = 0
    for node in tree.iter("p", "br"):
        parent = node.getparent()
        if parent is None:
            continue
        if node.tag == "p":
            chars = len(node.text_content())
            paragraph_chars += chars
            own = chars - sum(len(link.text_content()) for link in node.iter("a"))
        else:  # the line after a <br>, and the block's first line once
            own = len((node.tail or "").strip()) + (0 if parent in scores else len((parent.text or "").strip()))
        scores[parent] = scores.get(parent, 0) + own
    return scores, paragraph_chars


def _article_root(page: Page) -> tuple[Any, int]:
    """The article's container (see ARTICLE_SHARE) and the paragraph text it holds; (None, 0) when that is the
    page's body."""
    scores = _paragraph_scores(page)
    total = sum(scores.values())
    if not total:
        return None, 0
    covered: dict[Any, int] = {}
    for block, score in scores.items():
        for node in (block, *block.iterancestors()):
            covered[node] = covered.get(node, 0) + score
    holder = max(scores, key=scores.__getitem__)
    for node in (holder, *holder.iterancestors()):
        if covered[node] >= ARTICLE_SHARE * total:
            root = node.getparent()
            root = next(root.iterancestors("article"), root) if root is not None else None
            if root is None or root.tag in ("body", "html") or node.tag in ("body", "html"):
                return None, 0
            return root, covered[root]
    return None, 0


def _path(node: Any) -> str:
    """A positional XPath to `node` that holds in any copy of its tree ("/*/*[2]/*[5]")."""
    steps = []
    parent = node.getparent()
    while parent is not None:
        steps.append(f"*[{1 + sum(1 for _ in node.itersiblings(etree.Element, preceding=True))}]")
        node, parent = parent, parent.getparent()
    return "/*/" + "/".join(reversed(steps)) if steps else "/*"


def _removed(page: Page, remove: str | None, within: Any = None) -> list[Any]:
    """Nodes of the page's tree (inside `within` when given) the body leaves out: embeds, then the source's own
    rules as written."""
    nodes = _embeds(page, within)
    if remove:
        nodes += CSSSelector(remove, translator="html")(page.tree if within is None else within)
    return nodes


def _prune_xpath(nodes: list[Any]) -> str:
    """One XPath to the page's comments and `nodes`, that holds in any copy of the page's tree."""
    return " | ".join([NOT_CONTENT, *(_path(n) for n in nodes)])


def _pruned_copy(page: Page, nodes: list[Any]) -> Any:
    """A copy of the page's tree without `nodes` (for a configured body container)."""
    tree = copy.deepcopy(page.tree)
    for node in tree.xpath(_prune_xpath(nodes)):
        if node.getparent() is not None:
            node.drop_tree()  # the tail text stays
    return tree


def _configured_lines(page: Page, selector: str, nodes: list[Any]) -> list[str]:
    """Text blocks of the source's configured body container, or [] when the page has none."""
    if not page.tree.cssselect(selector):
        return []
    tree = _pruned_copy(page, nodes)
    blocks = [text_of(b) for c in tree.cssselect(selector) for b in (c.cssselect(BLOCKS) or [c])]
    return [b for b in blocks if b]


def extract_body_lines(page: Page, selector: str | None = None, remove: str | None = None) -> list[str]:
    """Paragraphs and sub-headings of the article, in order, one per line."""
    if selector:
        lines = _configured_lines(page, selector, _removed(page, remove))
        if lines:
            return lines
    text, nodes = _container_text(page, remove)
    if text is None or not has_words(text, MIN_FAST_WORDS):
        # the whole page; with the fallbacks at once when the container's reading was short (a short story: the
        # container's reading found it whole, so no recall retry)
        nodes = _removed(page, remove)
        prune = _prune_xpath(nodes)
        def whole_page() -> Any:
            return copy.copy(page.tree)

        if text is not None:
            text = _trafilatura_text(whole_page, page.url, prune, fallbacks=True)
        else:
            text = _trafilatura_text(whole_page, page.url, prune)
            if not has_words(text, MIN_FAST_WORDS):
                text = _trafilatura_text(whole_page, page.url, prune, fallbacks=True, retry=True)
    lines = [line for line in (raw.strip() for raw in text.split("\n")) if line and not _is_chrome_line(line)]
    lines = _with_missed_paragraphs(page, lines, set(nodes))
    standfirst = _shown_standfirst(page, lines, nodes)
    return [standfirst, *lines] if standfirst and lines else lines


def _container_text(page: Page, remove: str | None) -> tuple[str | None, list[Any]]:
    """trafilatura's text of the article's container alone (its main extractor's) and the nodes left out of it;
    (None, []) when the page has no container or trafilatura reads too little of its paragraphs."""
    root, paragraphs = _article_root(page)
    if root is None:
        return None, []
    nodes = _removed(page, remove, root)
    text = _trafilatura_text(lambda: _document_of(root, nodes), page.url, None)
    return (text, nodes) if len(text) >= MIN_CONTAINER_SHARE * paragraphs else (None, [])


def _document_of(root: Any, nodes: list[Any]) -> Any:
    """A new document whose body is a copy of `root` without `nodes` (elements inside it) and comments."""
    steps = [_child_steps(node, root) for node in nodes]
    article = copy.deepcopy(root)
    article.tail = None
    for node in [*(functools.reduce(operator.getitem, path, article) for path in steps), *CONTENT_HIDERS(article)]:
        if node.getparent() is not None:
            node.drop_tree()  # the tail text stays
    document = HTML_PARSER.makeelement("html")  # the parser's element classes, looked up in C
    etree.SubElement(document, "body").append(article)
    return document


def _child_steps(node: Any, root: Any) -> list[int]:
    """The positions among their parents' children of `node` and its ancestors below `root`, from the top: the
    way to it in a copy of `root`."""
    steps = []
    while node is not root:
        parent = node.getparent()
        steps.append(parent.index(node))
        node = parent
    return steps[::-1]


def _trafilatura_text(
    tree: Callable[[], Any], url: str, prune: str | None, fallbacks: bool = False, retry: bool = False
) -> str:
    """trafilatura's text of a tree (`tree()` makes a copy of it to read) without the nodes `prune` finds: its main
    extractor's, or with `fallbacks` the better of that and readability's or jusText's, as its own comparison
    chooses; with `retry` its recall retry too.

    These are the steps of trafilatura's bare_extraction (the main extractor alone reads one copy of the tree where
    trafilatura makes three). Its recall retry, last, reads the page again in recall mode and with jusText when a
    reading is short beside the page's text (a third of its cost on such a page): the article may sit outside what
    its extractors found, unless the story is short, which a container's short reading says (see
    extract_body_lines)."""
    options = copy.copy(TRAFILATURA_OPTIONS[not fallbacks])  # built once: reading its configuration costs a ms
    options.url = options.source = url
    if retry:
        result = trafilatura.bare_extraction(tree(), prune_xpath=[prune] if prune else None, options=options)
        return getattr(result, "text", None) or ""
    try:
        return _trafilatura_steps(tree, prune, fallbacks, options)
    except (TypeError, ValueError):  # as bare_extraction: a reading trafilatura gives up on reads nothing
        return ""


def _trafilatura_steps(tree: Callable[[], Any], prune: str | None, fallbacks: bool, options: Extractor) -> str:
    """The steps of _trafilatura_text (the main extractor, trafilatura's comparison with its fallbacks, its rescue)."""
    url = options.url
    raw = _pruned_for_trafilatura(tree(), prune)
    cleaned = tree_cleaning(copy.copy(raw) if fallbacks else raw, options)
    backup = copy.copy(cleaned) if fallbacks else None  # jusText reads the cleaned tree before tag conversion
    body, text = extract_content(convert_tags(cleaned, options, url), options)
    if fallbacks:
        body, text = compare_extraction(backup, copy.copy(raw), body, text, options)
    if len(text) < options.min_extracted_size:  # its rescue: the baseline reading of the uncleaned tree
        rescue, rescued, length = baseline(raw if fallbacks else _pruned_for_trafilatura(tree(), prune))
        if length > len(text):
            body, text = rescue, rescued
    return xmltotxt(body, options.formatting) if len(text) >= options.min_output_size else ""


def _pruned_for_trafilatura(tree: Any, prune: str | None) -> Any:
    """`tree` without the nodes `prune` finds, and pruned as trafilatura prunes a page before reading it (without
    comment sections, unless the page is a forum thread, whose comments are its content)."""
    if prune:
        tree = prune_unwanted_nodes(tree, [etree.XPath(prune)])
    forum = _forum_thread_page(tree)
    tree = prune_unwanted_nodes(tree, RAW_TREE_PRUNE_XPATH)
    return tree if forum else prune_unwanted_nodes(tree, REMOVE_COMMENTS_AND_LISTS_XPATH)


def _containers(page: Page) -> list[Any]:
    """The article container: the outermost itemprop=articleBody elements, else the outermost <article> with the
    most paragraphs."""
    containers = CONTAINERS(page.tree) if "articleBody" in page.text else []  # the markup names it, or none has it
    if not containers:
        articles = ARTICLES(page.tree)
        containers = [max(articles, key=lambda a: len(a.findall(".//p")))] if articles else []
    return containers


def _with_missed_paragraphs(page: Page, lines: list[str], excluded: set[Any]) -> list[str]:
    """`lines`, with the container's long paragraphs put back in place when trafilatura kept too little of it."""
    kept = sum(len(line) for line in lines)
    # raw text_content() bounds the paragraphs' text from above, and the page's paragraphs the containers': the
    # containers are looked up, and their text counted exactly, only when a bound is crossed
    if kept >= MIN_KEPT_SHARE * _paragraph_chars(page):
        return lines
    containers = _containers(page)
    if kept >= MIN_KEPT_SHARE * sum(len(p.text_content()) for c in containers for p in c.iter("p")):
        return lines
    blocks = [
        block
        for container in containers
        for block in CONTAINER_BLOCKS(container)
        if block not in excluded and not any(a in excluded for a in block.iterancestors())
    ]
    tagged = [(b.tag, text_of(b)) for b in blocks]
    if kept >= MIN_KEPT_SHARE * sum(len(text) for tag, text in tagged if tag == "p"):
        return lines
    return _merged(lines, tagged)


def _merged(lines: list[str], blocks: list[tuple[str, str]]) -> list[str]:
    """`lines` with the long paragraphs among `blocks` (tag, text) that they lack, each after the last line that
    precedes it in `blocks`."""
    index = {_words(line): i for i, line in enumerate(lines)}
    missed: dict[int, list[str]] = {}  # line index -> paragraphs to put before it
    position = 0
    for tag, text in blocks:
        words = _words(text)
        if words in index:
            position = index[words] + 1
        elif tag == "p" and len(text) >= MIN_MISSED_CHARS:
            missed.setdefault(position, []).append(text)
    merged = [text for i, line in enumerate(lines) for text in (*missed.get(i, []), line)]
    return merged + missed.get(len(lines), [])


def _words(text: str) -> str:
    return " ".join(WORD.findall(text.casefold()))


def _block_reading(node: Any, words: str, length: int) -> Any:
    """`node` or one of its two nearest ancestors whose text is exactly `words` (the text may sit in an inline
    child of its block, as in <p><span>...</span></p>), or None; `length`: the characters of the text sought."""
    for _ in range(3):
        if node is None or len(node.text_content()) > 2 * length:  # a container of more than the text
            return None
        if _words(text_of(node)) == words:
            return node
        node = node.getparent()
    return None


def _holder(text: Any) -> Any:
    """The element whose content a text node is: its parent's for a tail (the tail of a comment or processing
    instruction too, which are no elements to read)."""
    parent = text.getparent()
    return parent.getparent() if text.is_tail and parent is not None else parent


def _shown_standfirst(page: Page, lines: list[str], removed: list[Any]) -> str | None:
    """The page's description when the page shows it as its own block (the standfirst, which trafilatura often
    leaves out as part of the header) and the body lacks it; None otherwise."""
    description = (page.first_meta("og:description", "description", "twitter:description") or "").strip()
    key = _words(description)
    if key.count(" ") + 1 < MIN_STANDFIRST_WORDS or _has_words(lines, key):  # the body has it already
        return None
    excluded = set(removed)
    for text in TEXT_CONTAINING(page.tree, start=description[:30]):
        block = _block_reading(_holder(text), key, len(description))
        if block is not None and not any(a in excluded or a.tag in EMBED_TAGS for a in block.iterancestors()):
            return text_of(block)
    return None


def _has_words(lines: list[str], key: str) -> bool:
    """True when `lines` hold the words `key` (see _words) in a row; the words are read only when the longest
    of them is somewhere in the text."""
    text = "\n".join(lines).casefold()
    return max(key.split(" "), key=len) in text and key in _words(text)


def _is_chrome_line(line: str) -> bool:
    """A line that points to another story, or is small print (rights, affiliate links, a newsletter prompt)."""
    if (
        len(line.split()) <= MAX_NOTICE_WORDS
        and _may_be_notice(line)
        and (RIGHTS_NOTICE.search(line) or AFFILIATE_NOTICE.search(line) or NEWSLETTER_PROMPT.match(line))
    ):
        return True
    return _points_elsewhere(line)


def _may_be_notice(line: str) -> bool:
    """False when `line` holds none of NOTICE_WORDS, so that no notice expression can match it."""
    folded = line.translate(ASCII_FOLD).lower()
    return any(word in folded for word in NOTICE_WORDS)


def _points_elsewhere(line: str) -> bool:
    """A "read more" line: a label that points to another story, alone or with its headline."""
    match = READ_MORE.match(line)
    return bool(match) and len(match["headline"] or "") <= MAX_HEADLINE
