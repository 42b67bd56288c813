"""Every field of the record on real-looking HTML, English and Arabic; extract() never raises."""

from __future__ import annotations

import gzip
import json
from datetime import datetime, timezone

import pytest

from conftest import SHARED
from crawler.extraction import extract
from crawler.extraction.attribution import split_attribution
from crawler.extraction.authors import clean_name
from crawler.extraction.body import _with_missed_paragraphs
from crawler.extraction.captions import split_credit
from crawler.extraction.page import parse_page
from crawler.extraction.title import strip_site_name
from crawler.items import Article, NotArticle
from crawler.sources import Source

KUWAIT = Source(
    key="kw",
    name="KW",
    homepage="https://kw.example/",
    allowed_domains=("kw.example",),
    article_url="/article/",
    feeds=("https://kw.example/rss",),
    language="ar",
    timezone="Asia/Kuwait",
)
ARABIC_PARAS = [
    "أعلنت وزارة المالية اليوم عن إطلاق حزمة جديدة من الإجراءات الهادفة إلى دعم المشاريع الصغيرة والمتوسطة في البلاد.",
    "وقال الوزير في مؤتمر صحافي إن الحزمة تشمل تسهيلات تمويلية وإعفاءات مؤقتة من بعض الرسوم لمدة عامين.",
    "وأضاف أن الوزارة ستتابع تنفيذ الإجراءات بالتنسيق مع الجهات المعنية وسترفع تقارير دورية إلى مجلس الوزراء.",
]
ENGLISH_PARAS = [
    "The city council voted on Tuesday to extend the late-night bus service to every district from next month.",
    "Officials said the extension would cost about two million dollars a year and would be paid from parking fees.",
    "Residents of the outer districts had campaigned for the change for more than three years, the council said.",
]


def page(body: str, head: str = "", lang: str = "en", dir_: str = "ltr") -> str:
    return f"""<!DOCTYPE html><html lang="{lang}" dir="{dir_}"><head><meta charset="utf-8"/>{head}</head>
<body><header class="site-header"><nav><a href="/">Home</a> <a href="/world">World</a></nav>
<span class="today-date">Monday 12 August 2024</span></header>
<main><article>{body}</article></main>
<aside class="sidebar"><h2>Most read</h2><ul><li><a href="/a/1">Another story entirely</a></li></ul></aside>
<footer><p>© 2024 Example News. All rights reserved.</p></footer></body></html>"""


def paras(items: list[str]) -> str:
    return "".join(f"<p>{p}</p>" for p in items)


def extract_body_lines_from(html: str, kept: list[str]) -> list[str]:
    """What the body keeps of `html` when trafilatura returned only `kept`."""
    return _with_missed_paragraphs(parse_page(html, "https://news.example/article/1"), kept, set())


def article(html: str, url: str = "https://news.example/article/1", source: Source | None = None, now=None) -> Article:
    result = extract(html, url, source, now)
    assert isinstance(result, Article), result
    return result


# --- title -------------------------------------------------------------------------------------------------------


def test_title_is_the_h1_when_metadata_agrees_without_site_suffix():
    head = '<title>Night buses for every district | Example News</title><meta property="og:title" content="Night buses for every district | Example News"/><meta property="og:site_name" content="Example News"/>'
    result = article(page("<h1>Night buses for every district</h1>" + paras(ENGLISH_PARAS), head))
    assert result.title == "Night buses for every district"


def test_title_from_metadata_when_the_h1_is_the_logo():
    head = '<meta property="og:title" content="Council extends night buses - Example News"/><meta property="og:site_name" content="Example News"/>'
    body = "<h1>Example News</h1>" + paras(ENGLISH_PARAS)
    assert article(page(body, head)).title == "Council extends night buses"


@pytest.mark.parametrize(
    ("raw", "site", "expected"),
    [
        ("Headline here | Example News", "Example News", "Headline here"),
        ("Example News - Headline here", "Example News", "Headline here"),
        ("Minister: talks - not over | Example", None, "Minister: talks - not over"),
        ("عنوان الخبر هنا - جريدة الجريدة الكويتية", "جريدة الجريدة الكويتية", "عنوان الخبر هنا"),
        ("No suffix at all", "Example News", "No suffix at all"),
    ],
)
def test_strip_site_name(raw, site, expected):
    assert strip_site_name(raw, site, "www.example.com") == expected


# --- body ------------------------------------------------------------------------------------------------------


def test_body_is_paragraphs_and_subheadings_one_per_line_without_chrome():
    body = (
        "<h1>Night buses</h1><div class='share-buttons'><a href='#'>Share on X</a></div>"
        + paras(ENGLISH_PARAS[:2])
        + "<h2>What changes</h2>"
        + paras(ENGLISH_PARAS[2:])
        + "<div class='related-posts'><h3>Related</h3><p>Read also: a different story about trams in the city.</p></div>"
    )
    result = article(page(body))
    assert result.body.split("\n") == [*ENGLISH_PARAS[:2], "What changes", ENGLISH_PARAS[2]]


def test_body_arabic_rtl_text_is_untouched():
    result = article(page("<h1>حزمة دعم</h1>" + paras(ARABIC_PARAS), lang="ar", dir_="rtl"), source=KUWAIT)
    assert result.body.split("\n") == ARABIC_PARAS


def test_body_keeps_the_text_after_an_html_comment():
    body = (
        "<h1>Night buses</h1><p>The city council voted on Tuesday <!-- ad slot --> to extend the late-night bus service to every district.</p>"
        + paras(ENGLISH_PARAS[1:])
    )
    assert "to extend the late-night bus service" in article(page(body)).body


def test_body_without_side_boxes():
    box = "<div class='article-factbox'><h3>Fact file</h3><p>Night buses first ran in the city in 1998, on four routes.</p></div>"
    aside = (
        "<div role='complementary'><p>Help line: call the transit office on weekdays between nine and five.</p></div>"
    )
    poll = "<div class='Article_elementPoll__x1'><p>Should night buses run every fifteen minutes?</p></div>"
    follow = "<div data-testid='InfoBox'><h3>Follow us</h3><p>Get the morning briefing in your messenger app.</p></div>"
    chrome = box + aside + poll + follow
    result = article(page("<h1>Night buses</h1>" + paras(ENGLISH_PARAS[:2]) + chrome + paras(ENGLISH_PARAS[2:])))
    assert result.body.split("\n") == ENGLISH_PARAS


@pytest.mark.parametrize(
    "line",
    [
        "<p><strong>Read more:</strong> <a href='/a/2'>Trams return to the old town</a></p>",
        "<p>ALSO READ: <a href='/a/3'>Council approves parking fees</a></p>",
        "<p>اقرأ أيضاً: <a href='/a/4'>افتتاح خط جديد للحافلات</a></p>",
        "<p>Copyright © 2024 Example News. All rights reserved.</p>",
    ],
)
def test_body_without_read_more_and_rights_lines(line):
    result = article(page("<h1>Night buses</h1>" + paras(ENGLISH_PARAS[:2]) + line + paras(ENGLISH_PARAS[2:])))
    assert result.body.split("\n") == ENGLISH_PARAS


def test_body_leads_with_the_standfirst_the_page_shows():
    standfirst = "Every district gets a night bus from next month, after a three-year campaign by residents."
    head = f'<meta property="og:description" content="{standfirst}"/>'
    html = page(paras(ENGLISH_PARAS), head).replace(
        "<main>", f"<main><h1>Night buses</h1><p class='teaser'>{standfirst}</p>"
    )
    assert article(html).body.split("\n")[0] == standfirst


def test_body_puts_back_the_paragraphs_of_its_container_trafilatura_missed():
    chunks = [p + " " + p for p in ENGLISH_PARAS]
    html = page("<h1>Night buses</h1>" + paras(chunks))
    lines = extract_body_lines_from(html, kept=[chunks[0]])
    assert lines == chunks


# --- captions ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "caption", "credit"),
    [
        ("Iranian leader Ali Khamenei. Photo: unn", "Iranian leader Ali Khamenei.", "unn"),
        ("Protesters in the square (AFP)", "Protesters in the square", "AFP"),
        ("The harbour at dawn. Photo by Jane Roe", "The harbour at dawn.", "Jane Roe"),
        ("Satellite image: the port at night. Credit: Maxar", "Satellite image: the port at night.", "Maxar"),
        ("The old market © Reuters", "The old market", "Reuters"),
        ("لاعبو الأزرق خلال المباراة (تصوير: أحمد علي)", "لاعبو الأزرق خلال المباراة", "أحمد علي"),
        ("أحد الشوارع خلال ساعات الظهيرة - كونا", "أحد الشوارع خلال ساعات الظهيرة", "كونا"),
        ("طلبة في أحد الفصول الدراسية (أرشيفية)", "طلبة في أحد الفصول الدراسية", None),
        ("A caption with no credit at all", "A caption with no credit at all", None),
    ],
)
def test_split_credit(text, caption, credit):
    assert split_credit(text) == (caption, credit)


def test_lead_caption_and_credit_element_and_not_in_body():
    figure = (
        '<figure><img src="/img/lead.jpg"/><figcaption>Buses at the depot on Monday.'
        ' <span class="credit">Photo: City Transit</span></figcaption></figure>'
    )
    result = article(page("<h1>Night buses</h1>" + figure + paras(ENGLISH_PARAS)))
    assert (result.caption, result.caption_credit) == ("Buses at the depot on Monday.", "City Transit")
    assert result.images[0].url == "https://news.example/img/lead.jpg"
    assert "depot" not in result.body


# --- attribution -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("last", "outlet"),
    [
        ("Source: aljarida", "aljarida"),
        ("المصدر: الجريدة", "الجريدة"),
        ("Quelle: dpa", "dpa"),
        ("(Source : AFP)", "AFP"),
    ],
)
def test_closing_source_line_is_attribution_not_body(last, outlet):
    lines, found = split_attribution([*ENGLISH_PARAS, last])
    assert (lines, found) == (ENGLISH_PARAS, outlet)


def test_wire_dateline_and_credit_line():
    lines = ["LONDON, Aug 12 (Reuters) - Oil prices rose on Monday.", "More text.", "(Reporting by A; Editing by B)"]
    assert split_attribution(lines) == (lines[:2], "Reuters")


def test_attribution_in_a_page():
    result = article(page("<h1>حزمة دعم</h1>" + paras([*ARABIC_PARAS, "المصدر: كونا"]), lang="ar"), source=KUWAIT)
    assert result.attribution == "كونا" and "المصدر" not in result.body


# --- authors -----------------------------------------------------------------------------------------------------


def test_authors_from_jsonld_people_not_the_organisation():
    ld = {
        "@type": "NewsArticle",
        "headline": "Night buses",
        "author": [
            {"@type": "Person", "name": "Ann Lee"},
            {"@type": "Person", "name": "Bo Chen"},
            {"@type": "Organization", "name": "Example News"},
        ],
    }
    head = f'<script type="application/ld+json">{json.dumps(ld)}</script>'
    assert article(page("<h1>Night buses</h1>" + paras(ENGLISH_PARAS), head)).authors == ["Ann Lee", "Bo Chen"]


def test_authors_from_byline_with_prefix_and_conjunction():
    body = '<h1>Night buses</h1><p class="byline">By Ann Lee and Bo Chen</p>' + paras(ENGLISH_PARAS)
    assert article(page(body)).authors == ["Ann Lee", "Bo Chen"]


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("حسين العبدالله - إسطنبول", "حسين العبدالله"),
        ("By Jane Doe", "Jane Doe"),
        ("Newsdesk", None),
        ("Editorial Team", None),
        ("https://facebook.com/x", None),
        ("بقلم: ريم الحمد", "ريم الحمد"),
    ],
)
def test_clean_name(raw, name):
    assert clean_name(raw) == name


# --- dates -------------------------------------------------------------------------------------------------------


def test_jsonld_date_keeps_its_offset():
    ld = {
        "@type": "NewsArticle",
        "headline": "x",
        "datePublished": "2024-08-12T09:30:00+03:00",
        "dateModified": "2024-08-12T10:00:00+03:00",
    }
    head = f'<script type="application/ld+json">{json.dumps(ld)}</script>'
    result = article(page("<h1>Night buses</h1>" + paras(ENGLISH_PARAS), head), source=KUWAIT)
    assert (result.published_at, result.modified_at) == ("2024-08-12T09:30:00+03:00", "2024-08-12T10:00:00+03:00")


def test_naive_meta_time_is_in_the_source_timezone():
    head = '<meta property="article:published_time" content="2024-08-12 11:20:00"/>'
    result = article(page("<h1>x</h1>" + paras(ARABIC_PARAS), head, lang="ar"), source=KUWAIT)
    assert result.published_at == "2024-08-12T11:20:00+03:00"


def test_printed_arabic_date_with_eastern_digits():
    body = '<h1>حزمة دعم</h1><span class="article-date">١١ أغسطس ٢٠٢٤ - ٠٨:١٥ م</span>' + paras(ARABIC_PARAS)
    result = article(page(body, lang="ar", dir_="rtl"), source=KUWAIT)
    assert result.published_at == "2024-08-11T20:15:00+03:00"


def test_relative_arabic_date_against_fetch_time():
    body = '<h1>حزمة دعم</h1><span class="post-date">منذ ساعتين</span>' + paras(ARABIC_PARAS)
    now = datetime(2024, 8, 12, 9, 0, tzinfo=timezone.utc)
    result = article(page(body, lang="ar"), source=KUWAIT, now=now)
    assert result.published_at == "2024-08-12T10:00:00+03:00"


def test_time_element_in_the_article():
    body = '<h1>Night buses</h1><time datetime="2024-08-11T21:05:00Z">11 August</time>' + paras(ENGLISH_PARAS)
    assert article(page(body)).published_at == "2024-08-11T21:05:00+00:00"


def test_date_only_stays_a_date():
    head = '<meta property="article:published_time" content="2024-08-12"/>'
    assert article(page("<h1>Night buses</h1>" + paras(ENGLISH_PARAS), head)).published_at == "2024-08-12"


# --- language, section, tags, image, description, canonical ---------------------------------------------------------


def test_language_detected_from_body_and_falls_back_for_short_text():
    assert article(page("<h1>حزمة دعم</h1>" + paras(ARABIC_PARAS), lang="en"), source=KUWAIT).language == "ar"
    short = " ".join(str(n) for n in range(10, 55))  # 45 words, nothing to detect a language from
    assert article(page(f"<h1>x</h1><p>{short}</p>", lang="fr")).language == "fr"
    assert article(page(f"<h1>x</h1><p>{short}</p>", lang=""), source=KUWAIT).language == "ar"


def test_section_tags_image_description_canonical():
    ld = {
        "@type": "NewsArticle",
        "headline": "Night buses",
        "articleSection": "City",
        "keywords": "buses, transport,Buses",
        "image": {"@type": "ImageObject", "url": "https://cdn.example/lead.jpg"},
    }
    head = (
        f'<script type="application/ld+json">{json.dumps(ld)}</script>'
        '<meta name="description" content="Night buses will run everywhere."/>'
        '<link rel="canonical" href="/article/1-night-buses"/>'
    )
    result = article(page("<h1>Night buses</h1>" + paras(ENGLISH_PARAS), head))
    assert result.section == "City"
    assert result.tags == ["buses", "transport"]
    assert result.image_url == "https://cdn.example/lead.jpg"
    assert result.description == "Night buses will run everywhere."
    assert result.canonical_url == "https://news.example/article/1-night-buses"


def test_section_from_breadcrumb():
    body = '<div class="breadcrumb"><a href="/">الرئيسية</a><a href="/s">اقتصاد</a></div><h1>x</h1>' + paras(
        ARABIC_PARAS
    )
    assert article(page(body, lang="ar"), source=KUWAIT).section == "اقتصاد"


def test_source_selectors_override_generic_extraction():
    source = Source(
        key="s",
        name="S",
        homepage="https://news.example/",
        allowed_domains=("news.example",),
        article_url="/",
        feeds=("https://news.example/rss",),
        selectors={"title": ".headline", "authors": ".writer", "remove": ".promo"},
    )
    body = (
        '<h1>Generic h1</h1><div class="headline">The real headline</div><span class="writer">Ann Lee</span>'
        + paras(ENGLISH_PARAS)
        + '<p class="promo">Subscribe now for only one dollar a week, cancel any time you like.</p>'
    )
    result = article(page(body), source=source)
    assert result.title == "The real headline" and result.authors == ["Ann Lee"]
    assert "Subscribe" not in result.body


# --- not articles, bad input ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"   ",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3 binary",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00",
        "<html><body><h1>About us</h1><p>Contact.</p></body></html>",
        b"<html><body>" + b"<div><a href='/a/1'>Story one</a></div>" * 50 + b"</body></html>",
        "plain text, no markup",
    ],
)
def test_not_articles_give_a_reason(data):
    result = extract(data, "https://news.example/x")
    assert isinstance(result, NotArticle) and result.reason


def test_video_page_is_not_an_article():
    head = '<meta property="og:type" content="video.other"/>'
    body = "<h1>Video: the market after renovation</h1><div class='player'></div>" + paras(ENGLISH_PARAS[:2])
    assert isinstance(extract(page(body, head), "https://news.example/article/9"), NotArticle)


def test_windows_1256_page_is_decoded_by_its_meta_charset():
    html = page(
        "<h1>حزمة دعم</h1>" + paras(ARABIC_PARAS),
        '<meta http-equiv="Content-Type" content="text/html; charset=windows-1256"/>',
        lang="ar",
    )
    data = html.replace('<meta charset="utf-8"/>', "").encode("cp1256")
    assert article(data, source=KUWAIT).body.split("\n") == ARABIC_PARAS


# --- the real CMS page Al Jarida runs on -------------------------------------------------------------------------


@pytest.mark.skipif(not (SHARED / "benchmarks" / "aljarida-cms").exists(), reason="../shared/benchmarks not present")
def test_aljarida_cms_page_against_its_truth():
    folder = SHARED / "benchmarks" / "aljarida-cms"
    truth = json.loads((folder / "truth.jsonl").read_text(encoding="utf-8").splitlines()[0])
    html = gzip.decompress((folder / truth["file"]).read_bytes())
    result = article(html, truth["url"], source=KUWAIT)
    assert result.title == truth["title"]
    assert datetime.fromisoformat(result.published_at) == datetime.fromisoformat(truth["published"])
    assert result.authors == truth["authors"]
    assert result.language == truth["language"]


def test_title_h1_without_the_kicker_of_the_metadata_and_entities_unescaped():
    head = '<meta property="og:title" content="Iran attack: &quot;Restraint has a lot to do with the US&quot;"/>'
    result = article(page('<h1>"Restraint has a lot to do with the US"</h1>' + paras(ENGLISH_PARAS), head))
    assert result.title == '"Restraint has a lot to do with the US"'
    assert (
        strip_site_name("Steigende US-Zinsen setzen Dax zu | Börsen-Zeitung", None, "www.boersen-zeitung.de")
        == "Steigende US-Zinsen setzen Dax zu"
    )


def test_utf8_bytes_win_over_a_wrong_declared_charset():
    html = page(
        "<h1>La sanción</h1>" + paras(ENGLISH_PARAS),
        '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"/>',
    )
    assert article(html.encode("utf-8")).title == "La sanción"
