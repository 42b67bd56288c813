"""Property tests: extraction and source loading take hostile input without raising (hypothesis, derandomized)."""

from __future__ import annotations

import json
import re
import string
from datetime import datetime, timezone
from html import escape
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from lxml import etree as lxml_etree

from conftest import NEWSCRAWL, run
from crawler.extraction import body, extract
from crawler.extraction.page import parse_page
from crawler.items import Article, NotArticle
from crawler.sources import Source, SourceError, load_source
from crawler.words import CJK, WORD, count_words, has_words

# deterministic (the same examples every run) and quick: the whole file runs in well under a minute
FAST = settings(derandomize=True, deadline=None, max_examples=60, suppress_health_check=list(HealthCheck))
FETCHED_AT = datetime(2024, 8, 12, 9, 0, tzinfo=timezone.utc)
URL = "https://www.example.com/article/1"
SOURCE = Source(
    key="example",
    name="Example",
    homepage="https://www.example.com/",
    allowed_domains=("example.com",),
    article_url=r"/article/\d+",
    feeds=("https://www.example.com/feed",),
    language="ar",
    timezone="Asia/Kuwait",
)

ARABIC = "".join(chr(c) for c in range(0x0621, 0x064B)) + "\u064b\u064e\u0650\u0651\u0640٠١٢٣٤٥٦٧٨٩،؛؟"
CONTROL = "".join(chr(c) for c in range(0, 32)) + "\x7f\u0085\u200b\u200e\u200f\u202a\u202e\u2028\u2029\ufeff\ufffd"
TEXT = st.text(alphabet=ARABIC + CONTROL + string.ascii_letters + " <>&\"'=/;{}", max_size=80)
WORDS = st.lists(st.text(alphabet=ARABIC, min_size=2, max_size=8), min_size=1, max_size=30).map(" ".join)
TAG_NAMES = (
    "html head body title meta link script style noscript article main section header footer nav aside div span p "
    "h1 h2 h3 a img figure figcaption picture source time table tr td ul li br hr iframe svg math template "
    "object embed form input select textarea button blockquote pre code b i em strong font center marquee x-foo "
    "a:b 1x ـعربي"
)
ATTRIBUTE_NAMES_TEXT = (
    "class id name property content itemprop itemtype datetime src srcset href lang dir rel type charset "
    "http-equiv data-src style onload alt title"
)
TAGS = st.sampled_from(TAG_NAMES.split())
ATTRIBUTE_NAMES = st.sampled_from(ATTRIBUTE_NAMES_TEXT.split())
ATTRIBUTE_VALUES = st.one_of(
    TEXT,
    st.sampled_from(
        [
            "og:title",
            "og:type",
            "article",
            "article:published_time",
            "article:author",
            "author",
            "canonical",
            "application/ld+json",
            "NewsArticle",
            "2024-08-12T09:30:00+03:00",
            "١٢ أغسطس ٢٠٢٤",
            "9999-99-99",
            "javascript:alert(1)",
            "data:text/html,x",
            "//",
            "http://[::1",
            "utf-16",
            "x-unknown-charset",
        ]
    ),
)
JSONLD = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), TEXT),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.one_of(st.sampled_from(["@type", "headline", "datePublished", "author", "image", "@graph"]), TEXT),
            inner,
            max_size=4,
        ),
    ),
    max_leaves=12,
)


@st.composite
def elements(draw: st.DrawFn, depth: int = 0) -> str:
    """One element with random attributes, text and (to a few levels) children, as HTML text."""
    tag = draw(TAGS)
    attributes = draw(st.dictionaries(ATTRIBUTE_NAMES, ATTRIBUTE_VALUES, max_size=4))
    quoted = "".join(f' {name}="{escape(value)}"' for name, value in attributes.items())
    if tag == "script" and draw(st.booleans()):
        return f'<script type="application/ld+json">{json.dumps(draw(JSONLD), ensure_ascii=False)}</script>'
    parts = draw(
        st.lists(st.one_of(TEXT, WORDS) if depth >= 3 else st.one_of(TEXT, WORDS, elements(depth + 1)), max_size=5)
    )
    closing = draw(st.sampled_from([f"</{tag}>", f"</{tag}>", "", "</p>"]))  # unclosed and misnested too
    return f"<{tag}{quoted}>{''.join(parts)}{closing}"


@st.composite
def documents(draw: st.DrawFn) -> str:
    """A random page: sometimes article-shaped (a headline and many paragraphs) so both outcomes occur."""
    noise = "".join(draw(st.lists(elements(), max_size=6)))
    if draw(st.booleans()):
        paragraphs = "".join(f"<p>{words}</p>" for words in draw(st.lists(WORDS, min_size=3, max_size=12)))
        noise = f"<h1>{draw(WORDS)}</h1>{noise}<article>{paragraphs}</article>"
    doctype = draw(st.sampled_from(["<!DOCTYPE html>", "", '<?xml version="1.0"?>', "\ufeff"]))
    return f'{doctype}<html lang="{draw(st.sampled_from(["ar", "en", "", "xx-YY"]))}"><body>{noise}</body></html>'


def check_result(result: object) -> None:
    """Either a record with a body, or a non-article with a non-empty reason; never a caught crash."""
    assert isinstance(result, (Article, NotArticle)), type(result)
    if isinstance(result, NotArticle):
        assert isinstance(result.reason, str) and result.reason.strip()
        assert not result.reason.startswith("extraction failed"), result.reason  # a bug hidden by the safety net
    else:
        assert isinstance(result.title, str) and result.body.strip()  # an empty title is the validator's to reject
        json.dumps(result.to_dict(), ensure_ascii=False)  # storable as a record


@FAST
@given(st.binary(max_size=4096))
def test_extract_takes_arbitrary_bytes(data: bytes) -> None:
    check_result(extract(data, URL, SOURCE, FETCHED_AT))


@FAST
@given(st.binary(max_size=512), st.sampled_from([b"<html><body><p>", b"\xef\xbb\xbf<html>", b"<?xml?><html>"]))
def test_extract_takes_html_with_binary_inside(data: bytes, head: bytes) -> None:
    check_result(extract(head + data, URL, None, None))


@settings(FAST, max_examples=150)
@given(documents(), st.sampled_from([None, SOURCE]), st.sampled_from(["utf-8", "utf-16", "cp1256", "latin-1"]))
def test_extract_takes_arbitrary_html_trees(html: str, source: Source | None, encoding: str) -> None:
    data = html.encode(encoding, errors="replace")
    check_result(extract(data, URL, source, FETCHED_AT))


@FAST
@given(
    documents(),
    st.dictionaries(st.sampled_from(["title", "body", "caption", "published", "remove"]), TEXT, min_size=1, max_size=3),
)
def test_extract_takes_hostile_selectors(html: str, selectors: dict[str, str]) -> None:
    source = Source(**{**SOURCE.__dict__, "selectors": selectors})
    result = extract(html.encode(), URL, source, FETCHED_AT)
    assert isinstance(result, (Article, NotArticle))  # a bad selector of a source may fail; it never raises
    assert isinstance(result, Article) or result.reason.strip()


# markup that is no element: comments, processing instructions, entities, CDATA, conditional comments, doctypes
NOT_ELEMENTS = st.sampled_from(
    [
        "<!-- c -->",
        "<!---->",
        "<!--[if lt IE 9]><p>old</p><![endif]-->",
        "<?php echo 1; ?>",
        "<?xml-stylesheet href='x.css'?>",
        "&amp;",
        "&nbsp;",
        "&#1575;",
        "&#x0;",
        "&bogus;",
        "<![CDATA[x]]>",
        "<!DOCTYPE html>",
    ]
)


@st.composite
def pages_with_markup_anywhere(draw: st.DrawFn) -> str:
    """An article page (description shown as its standfirst, byline, date, captioned picture, paragraphs) with
    comments, processing instructions and entities in every position: before and after the root, as the first
    and last child of each element, between elements and inside texts."""

    def slot() -> str:
        return "".join(draw(st.lists(NOT_ELEMENTS, max_size=2)))

    def inside(text: str) -> str:
        cut = draw(st.integers(0, len(text)))
        return text[:cut] + slot() + text[cut:]

    standfirst, *paragraphs = draw(st.lists(WORDS, min_size=4, max_size=10))
    byline = draw(st.sampled_from(["By Jane Doe", "بقلم: سارة أحمد", "كتب: محمد علي"]))
    body = "".join(f"{slot()}<p>{slot()}{inside(p)}{slot()}</p>" for p in paragraphs)
    return (
        f"{slot()}<html lang='ar'>{slot()}<head>{slot()}<meta name='description' content='{standfirst}'>{slot()}"
        f"<title>{slot()}{inside('عنوان الخبر')}</title>{slot()}</head>{slot()}<body>{slot()}"
        f"<h1>{slot()}{inside('عنوان الخبر')}{slot()}</h1>{slot()}<article>{slot()}"
        f"<div class='standfirst'>{slot()}{standfirst}{slot()}</div>"
        f"<div class='byline'>{slot()}{inside(byline)}{slot()}</div>{slot()}"
        f"<time datetime='2024-08-12T09:30:00+03:00'>{slot()}{inside('١٢ أغسطس ٢٠٢٤')}</time>{slot()}"
        f"<figure>{slot()}<img src='/a.jpg'>{slot()}<figcaption>{slot()}{inside('صورة الحدث (تصوير: أحمد)')}"
        f"{slot()}</figcaption></figure>{body}{slot()}</article>{slot()}</body>{slot()}</html>{slot()}"
    )


@settings(FAST, max_examples=150)
@given(pages_with_markup_anywhere(), st.sampled_from([None, SOURCE]))
def test_extract_takes_comments_instructions_and_entities_anywhere(html: str, source: Source | None) -> None:
    check_result(extract(html.encode(), URL, source, FETCHED_AT))


def test_a_comment_before_the_shown_standfirst_does_not_break_extraction():
    """Found on a real page: the description's text was the tail of a comment, and reading the block that holds it
    asked the comment for its text (lxml: "Input object is not an XML element: HtmlComment")."""
    standfirst = "وافق مجلس الوزراء اليوم على مشروع قانون جديد لتنظيم سوق العمل"
    body = "".join(f"<p>الفقرة رقم {n} {' '.join(['كلمة'] * 20)}</p>" for n in range(3))
    for mark in ("<!-- standfirst -->", "<?php echo 1; ?>"):
        html = (
            f"<html><head><meta name='description' content='{standfirst}'></head><body><h1>عنوان</h1><article>"
            f"<div class='standfirst'>{mark}{standfirst}</div>{body}</article></body></html>"
        )
        result = extract(html.encode(), URL, SOURCE, FETCHED_AT)
        assert isinstance(result, Article), result
        assert result.body.splitlines()[0] == standfirst


# --- source files ----------------------------------------------------------------------------------------------

VALID_DATA = {
    "name": "Example",
    "homepage": "https://www.example.com/",
    "allowed_domains": ["example.com"],
    "feeds": ["https://www.example.com/feed"],
    "article_url": "/news/\\d+",
    "timezone": "Asia/Kuwait",
}
VALID = """name = "Example"
homepage = "https://www.example.com/"
allowed_domains = ["example.com"]
feeds = ["https://www.example.com/feed"]
sitemaps = ["https://www.example.com/sitemap.xml"]
article_url = '/news/\\d+'
language = "ar"
timezone = "Asia/Kuwait"
max_articles = 10
follow_sections = true
[selectors]
title = "h1"
"""
KEYS = [
    "name",
    "homepage",
    "allowed_domains",
    "article_url",
    "sitemaps",
    "feeds",
    "sections",
    "language",
    "timezone",
    "max_articles",
    "max_age_days",
    "revisit_hours",
    "stale_after_hours",
    "follow_sections",
    "selectors",
    "bogus",
]
TOML_SCALARS = st.one_of(
    st.text(max_size=30),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.booleans(),
    st.floats(allow_nan=True),
    st.sampled_from(["UTC", "../../etc/passwd", "Asia/Kuwait/", "/etc/hostname", "https://x/", "(", "a" * 300, "\x00"]),
)
TOML_VALUES = st.recursive(
    TOML_SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)),
    max_leaves=6,
)


def toml_value(value: object) -> str:
    """TOML text of a value (strings as JSON strings, which are valid TOML basic strings)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return {"nan": "nan", "inf": "inf", "-inf": "-inf"}.get(repr(value), repr(value))
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return "{" + ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items()) + "}"


@st.composite
def fuzzed_sources(draw: st.DrawFn) -> bytes:
    """A source file: random keys and values, a valid file cut short or edited, or random bytes."""
    kind = draw(st.sampled_from(["keys", "truncated", "mutated", "bytes"]))
    if kind == "keys":  # a valid file with some keys given random values, some dropped, some added
        data = {k: v for k, v in VALID_DATA.items() if draw(st.integers(0, 9))}
        data |= draw(st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=10)), TOML_VALUES, max_size=4))
        return "\n".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in data.items()).encode("utf-8", "replace")
    valid = VALID.encode()
    if kind == "truncated":
        return valid[: draw(st.integers(0, len(valid)))]
    if kind == "mutated":
        at = draw(st.integers(0, len(valid)))
        return valid[:at] + draw(st.binary(max_size=12)) + valid[at + draw(st.integers(0, 12)) :]
    return draw(st.binary(max_size=300))


def check_source_file(path: Path) -> None:
    """Loading `path` gives a Source, or a SourceError of one line naming the file; nothing else."""
    try:
        source = load_source(path)
    except SourceError as exc:
        message = str(exc)
        assert message.startswith(f"{path}: ") and message.strip(), message
        assert len(message.splitlines()) == 1, message
    else:
        assert isinstance(source, Source)


@settings(FAST, max_examples=200)
@given(fuzzed_sources())
def test_a_fuzzed_source_file_is_a_source_or_one_line_error(tmp_path_factory: pytest.TempPathFactory, data: bytes):
    path = tmp_path_factory.mktemp("fuzz") / "fuzzed.toml"
    path.write_bytes(data)
    check_source_file(path)


def test_deeply_nested_or_huge_source_files_are_one_line_errors(tmp_path):
    for name, text in {
        "nested": "name = " + "[" * 5000 + "]" * 5000,
        "table": "[" + ".".join(["a"] * 3000) + "]\n",
        "inline": "x = " + "{a = " * 3000 + "1" + "}" * 3000,
        "long": 'name = "' + "ع" * 1_000_000 + '"\n',
    }.items():
        path = tmp_path / f"{name}.toml"
        path.write_text(text, encoding="utf-8")
        check_source_file(path)


@pytest.mark.parametrize(
    "data",
    [
        VALID.encode()[:57],
        b"\xff\xfe\x00n\x00a\x00m\x00e",
        VALID.replace("Asia/Kuwait", "../../etc/passwd").encode(),
        VALID.encode() + b'\nallowed_domains = "x"\n',
    ],
    ids=["truncated", "utf16", "timezone-path", "duplicate-key"],
)
def test_newscrawl_sources_on_a_fuzzed_file_prints_one_line_and_exits_2(tmp_path, data):
    folder = tmp_path / "sources"
    folder.mkdir()
    (folder / "fuzzed.toml").write_bytes(data)
    result = run([str(NEWSCRAWL), "sources", "--sources-dir", str(folder), "--db", str(tmp_path / "news.db")])
    assert result.returncode == 2, (result.returncode, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(folder / "fuzzed.toml") in lines[0] and "Traceback" not in result.stderr, lines


def test_control_characters_in_a_page_do_not_break_extraction():
    """Found by the tree test: a stray control character next to an element extraction removes made lxml refuse
    to join the texts, and the whole page failed."""
    body = " ".join(["كلمة"] * 60)
    html = f"<html><body><h1>عنوان\x01</h1><article><p>{body}\x04</p><nav>x</nav>\x0e\x1fتابع</article></body></html>"
    result = extract(html.encode(), URL, SOURCE, FETCHED_AT)
    assert isinstance(result, Article), result
    assert "\x04" not in result.body and result.title == "عنوان"


@settings(FAST, max_examples=3)
@given(fuzzed_sources())
def test_newscrawl_sources_on_generated_broken_files(tmp_path_factory: pytest.TempPathFactory, data: bytes):
    folder = tmp_path_factory.mktemp("sources")
    path = folder / "fuzzed.toml"
    path.write_bytes(data)
    try:
        load_source(path)
    except SourceError:
        pass
    else:
        assume(False)  # a file that happens to be valid says nothing here
    result = run([str(NEWSCRAWL), "sources", "--sources-dir", str(folder), "--db", str(folder / "news.db")])
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1 and str(path) in lines[0], (result.returncode, result.stderr)


# The cheaper extraction's shortcuts (issue 17) give what the plain computations give.
CJK_AND_LATIN = "日本語のテキスト漢字한국어ひらがなカタカナ" + string.ascii_letters + string.digits + " ,.-'\n\u3000"
NOTICE_PIECES = [
    *("Copyright", "COPYRIGHT", "©", "ⓒ", "Ⓒ", "(c)", "(C)", "2019", "All rights reserved", "ALL RIGHTS RESERVED"),
    *("Alle Rechte vorbehalten", "tous droits réservés", "Tüm hakları saklıdır", "TÜM HAKLARI SAKLIDIR", "İ", "ı"),
    *("جميع الحقوق محفوظة", "affiliate links", "AFFİLİATE COMMİSSİON", "ſhare of the ſale", "we", "earn a commission"),
    *("Sign up", "newsletter", "NEWSLETTERS", "subscribe", "inbox", "Dow Jones", "the", "\u212aelvin", ":"),
]


@FAST
@given(st.text(alphabet=CJK_AND_LATIN, max_size=400), st.integers(min_value=-1, max_value=200))
def test_has_words_is_a_word_count_read_only_as_far_as_needed(text: str, count: int) -> None:
    assert has_words(text, count) == (count_words(text) >= count)


@FAST
@given(st.lists(st.sampled_from(NOTICE_PIECES), max_size=12).map(" ".join))
def test_a_line_is_taken_for_a_notice_as_the_notice_expressions_alone_take_it(line: str) -> None:
    plain = len(line.split()) <= body.MAX_NOTICE_WORDS and bool(
        body.RIGHTS_NOTICE.search(line) or body.AFFILIATE_NOTICE.search(line) or body.NEWSLETTER_PROMPT.match(line)
    )
    assert body._is_chrome_line(line) == (plain or body._points_elsewhere(line))


@FAST
@given(documents())
def test_a_page_parsed_from_its_utf8_bytes_is_the_page_parsed_from_its_text(html: str) -> None:
    assume(html.strip() and "<" in html)
    try:
        data = html.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: not UTF-8 bytes
        return
    from_text, from_bytes = parse_page(html, URL), parse_page(data, URL)
    assert from_bytes.text == from_text.text
    assert lxml_etree.tostring(from_bytes.tree) == lxml_etree.tostring(from_text.tree)
    assert (from_bytes.meta, from_bytes.jsonld) == (from_text.meta, from_text.jsonld)


MIXED_SCRIPTS = string.ascii_letters + " .,-'\n" + ARABIC + "日本語の漢字カナ한국어中文\uf900" + CONTROL


@FAST
@given(st.text(alphabet=MIXED_SCRIPTS, max_size=200))
def test_word_count_counts_each_cjk_character_as_half_a_word(text: str) -> None:
    """count_words: the tokens of WORD, a CJK character's token counting half."""
    tokens = WORD.findall(text)
    cjk = sum(1 for t in tokens if len(t) == 1 and re.fullmatch(f"[{CJK}]", t))
    assert count_words(text) == len(tokens) - cjk + cjk // 2
