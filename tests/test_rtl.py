"""Right-to-left news pages: the date, byline and caption conventions of Arabic (and Persian, Urdu, Hebrew) news,
on synthetic pages modelled on the real CMS page in ../shared/benchmarks/aljarida-cms/ (breadcrumbs, share links,
the headline in a div, a picture with its caption (in a caption-named element: the real page's is in an img
attribute the benchmark truth does not annotate), the byline as "name - city", the date printed in Eastern
Arabic digits beside a <time>, the text as <br>-separated lines with sub-headings). The class names are the
CMS's own kind, not any site's: extraction must hold without them."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from crawler.extraction import extract
from crawler.extraction.dates import jalali_to_gregorian, parse_machine, parse_visible
from crawler.items import Article
from crawler.sources import Source

URL = "https://www.gulfpaper.example/articles/6291787/القارات-السبع/طهران-تدفن-زادة"
FETCHED = datetime(2026, 11, 25, 6, 0, tzinfo=timezone.utc)
KUWAIT = Source(
    key="gulfpaper",
    name="Gulf Paper",
    homepage="https://www.gulfpaper.example/",
    allowed_domains=("gulfpaper.example",),
    article_url="/articles/",
    feeds=("https://www.gulfpaper.example/rss",),
    language="ar",
    timezone="Asia/Kuwait",
)
HEADLINE = "الحكومة تقر حزمة دعم جديدة للمشاريع الصغيرة"
LINES = [
    "أعلنت وزارة المالية اليوم عن إطلاق حزمة جديدة من الإجراءات الهادفة إلى دعم المشاريع الصغيرة والمتوسطة في البلاد.",
    "وقال الوزير في مؤتمر صحافي إن الحزمة تشمل تسهيلات تمويلية وإعفاءات مؤقتة من بعض الرسوم لمدة عامين.",
    "تسهيلات التمويل",
    "وأضاف أن الوزارة ستتابع تنفيذ الإجراءات بالتنسيق مع الجهات المعنية وسترفع تقارير دورية إلى مجلس الوزراء.",
    "وأشار إلى أن عدد المستفيدين المتوقع يتجاوز عشرة آلاف مشروع في مختلف المحافظات خلال العام المقبل.",
]


def cms_page(
    *,
    dateline: str = "",
    byline: str = '<a class="aksa-byline">سارة أحمد - الكويت</a>',
    caption: str = "",
    lines: list[str] = LINES,
    after: str = "",
    before: str = "",
    head: str = "",
    ld: dict | None = None,
    lang: str = "ar",
) -> str:
    """An article page of the hosted Arabic news CMS (see the module docstring); `before` and `after` are put in
    the page around the article (tickers, related stories, the footer)."""
    ld_script = f'<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>' if ld else ""
    figure = (
        '<div class="img-o1"><div class="img"><a class="ratio"><img src="/uploads/images/2026/11/24/937359.jpg"'
        f' alt="{HEADLINE}"></a></div><div class="img-caption">{caption}</div></div>'
        if caption
        else ""
    )
    text = "<br><br>".join(lines)
    return f"""<!DOCTYPE html><html lang="{lang}" dir="rtl"><head><meta charset="utf-8">
<title>{HEADLINE} | صحيفة الخليج</title><meta property="og:title" content="{HEADLINE}">
<meta property="og:site_name" content="صحيفة الخليج">{head}{ld_script}</head>
<body><header class="site-header"><a href="/"><img class="logo" src="/logo.png" alt="صحيفة الخليج"></a>
<div class="today">الثلاثاء ٢٥ نوفمبر ٢٠٢٦</div></header>{before}
<div class="padd10px"><div class="aksa-o1"><div class="aksa-to"><div class="article-section-info">
<a href="/">الرئيسية</a> <a href="/القارات-السبع">القارات السبع</a></div>
<div class="aksa-to2"><a class="socialItem twitter" title="twitter">x</a></div></div>
<div class="aksa-to1 font-26"><h1>{HEADLINE}</h1></div>{figure}
<div class="aksa-info">{byline}{dateline}</div>
<article class="aksa-o2"><div class="aksa-articleBody">{text}</div></article></div></div>{after}
<footer><p>جميع الحقوق محفوظة © 2016 صحيفة الخليج</p></footer></body></html>"""


def article(html: str, source: Source | None = KUWAIT, url: str = URL) -> Article:
    result = extract(html, url, source, FETCHED)
    assert isinstance(result, Article), result
    return result


# --- dates -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dateline", "published"),
    [
        # ص / م: AM / PM, with the day and the time in one element or in two
        ('<div class="aksa-date">الثلاثاء 24 نوفمبر 2026 - 09:40 ص</div>', "2026-11-24T09:40:00+03:00"),
        ('<div class="aksa-date">الثلاثاء 24 نوفمبر 2026 - 09:40 م</div>', "2026-11-24T21:40:00+03:00"),
        ('<div class="aksa-date"><time> ٠٩:٤٠ </time>الثلاثاء ٢٤ / ١١ / ٢٠٢٦</div>', "2026-11-24T09:40:00+03:00"),
        ('<span class="date">٢٤ نوفمبر ٢٠٢٦</span> - <span>٠٩:٤٠ م</span>', "2026-11-24T21:40:00+03:00"),
        ('<div class="post-date">الثلاثاء، 24 نوفمبر 2026 09:40 صباحاً</div>', "2026-11-24T09:40:00+03:00"),
        ('<div class="post-date">نشر بتاريخ 24/11/2026 الساعة 9:40 مساءً</div>', "2026-11-24T21:40:00+03:00"),
        # the Hijri date beside the Gregorian one, and the Gregorian era after the year
        ('<div class="date">20 جمادى الأولى 1448 هـ الموافق 24 نوفمبر 2026م</div>', "2026-11-24"),
        ('<div class="date">الثلاثاء 24 نوفمبر 2026 م - 20 جمادى الأولى 1448 هـ</div>', "2026-11-24"),
        # Levantine month names with both names, Eastern Arabic digits and the time first
        ('<div class="date">٠٩:٤٠ ص ٢٤ تشرين الثاني/نوفمبر ٢٠٢٦</div>', "2026-11-24T09:40:00+03:00"),
    ],
)
def test_arabic_printed_dates_give_the_day_and_the_time(dateline, published):
    assert article(cms_page(dateline=dateline)).published_at == published


@pytest.mark.parametrize("language", ["fa", "ur", "he", None])
def test_arabic_printed_date_is_read_whatever_language_the_page_declares(language):
    """Arabic, Persian and Urdu share a script: a page declared (or detected) as one of them, or as none, still
    prints dates in another's words."""
    value = parse_visible("الثلاثاء 24 نوفمبر 2026 - 09:40 ص", language, ZoneInfo("Asia/Kuwait"), None)
    assert value is not None and value.isoformat() == "2026-11-24T09:40:00+03:00"


@pytest.mark.parametrize(
    ("printed", "language", "expected"),
    [
        ("سه‌شنبه ۴ آذر ۱۴۰۵ - ۰۹:۴۰", "fa", "2026-11-25T09:40:00+03:00"),  # Persian solar calendar
        ("۲۴ آبان ۱۴۰۵", "fa", "2026-11-15T00:00:00+03:00"),
        ("۲۴ نوامبر ۲۰۲۶ ساعت ۰۹:۴۰", "fa", "2026-11-24T09:40:00+03:00"),
        ("منگل 24 نومبر 2026", "ur", "2026-11-24T00:00:00+03:00"),  # Urdu month names
        ("יום שלישי, 24 בנובמבר 2026, 09:40", "he", "2026-11-24T09:40:00+03:00"),
        ("24 نوفمبر 2026 الموافق", "ar", "2026-11-24T00:00:00+03:00"),
    ],
)
def test_printed_dates_of_persian_urdu_and_hebrew_pages(printed, language, expected):
    value = parse_visible(printed, language, ZoneInfo("Asia/Kuwait"), None)
    assert value is not None and value.isoformat() == expected


def test_jalali_days_convert_to_gregorian():
    assert jalali_to_gregorian(1403, 1, 1).isoformat() == "2024-03-20"  # Nowruz
    assert jalali_to_gregorian(1404, 1, 1).isoformat() == "2025-03-21"
    assert jalali_to_gregorian(1399, 12, 30).isoformat() == "2021-03-20"  # the last day of a leap year


@pytest.mark.parametrize(
    "printed", ["2016", "نوفمبر 2026", "تشرين الثاني 2026", "© 2016", "السبت 12 رمضان 1447 هـ", "20/05/1448"]
)
def test_a_year_or_a_month_or_a_hijri_day_alone_is_no_date(printed):
    assert parse_visible(printed, "ar", ZoneInfo("Asia/Kuwait"), None) is None


@pytest.mark.parametrize("machine", ["2016", "2016-11", "2016-W47", "2016-11-00", "0000-00-00", "0000-00-00 00:00:00"])
def test_a_machine_date_without_a_day_is_no_date_and_never_breaks_extraction(machine):
    assert parse_machine(machine, ZoneInfo("UTC")) is None
    head = f'<meta property="article:published_time" content="{machine}">'
    assert article(cms_page(head=head, byline="")).published_at is None


def test_a_page_without_a_date_gets_none_not_the_copyright_year_or_a_bare_year():
    """The footer's "© 2016" and a date element printing only a year are no publication date (htmldate makes 1
    January of them)."""
    assert article(cms_page(dateline='<span class="date">2016</span>')).published_at is None
    assert article(cms_page(dateline='<span class="date">نوفمبر 2026</span>')).published_at is None


def test_a_related_story_date_does_not_beat_the_article_own():
    own = '<div class="aksa-date">الثلاثاء ٢٤ نوفمبر ٢٠٢٦</div>'
    ticker = (
        '<div class="breaking"><a href="/articles/6291700/x"><span class="date">23 نوفمبر 2026 - 08:15 م</span>'
        " عاجل: خبر آخر</a></div>"
    )
    related = (
        '<div class="more"><h3>أخبار ذات صلة</h3><div class="item"><span class="date">الأحد 22 نوفمبر 2026'
        ' - 10:00 ص</span><a href="/articles/6291650/y">خبر ذو صلة</a></div></div>'
    )
    result = article(cms_page(dateline=own, before=ticker, after=related))
    assert result.published_at == "2026-11-24"


# --- bylines -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("byline", "authors"),
    [
        ('<a class="aksa-byline">سارة أحمد - الكويت</a>', ["سارة أحمد"]),  # name - city, as the CMS prints it
        ("<p>كتب: محمد علي</p>", ["محمد علي"]),
        ("<p>كتبت: سارة أحمد</p>", ["سارة أحمد"]),
        ("<div>كتب - محمد علي</div>", ["محمد علي"]),
        ("<span>بقلم: ريم الحمد</span>", ["ريم الحمد"]),
        ("<p>بقلم ريم الحمد</p>", ["ريم الحمد"]),
        ("<p>إعداد: فاطمة حسن</p>", ["فاطمة حسن"]),
        # "and" joined to the next name; a name of one word beginning with the letter stays whole
        ('<div class="writer">كتب محمد علي وسارة أحمد</div>', ["محمد علي", "سارة أحمد"]),
        ('<div class="writer">كتب: محمد وليد</div>', ["محمد وليد"]),
    ],
)
def test_arabic_bylines(byline, authors):
    assert article(cms_page(byline=byline)).authors == authors


@pytest.mark.parametrize("first", ["كتب محمد الجاسم:", "كتب: محمد الجاسم", "بقلم - محمد الجاسم"])
def test_a_byline_opening_the_text_is_the_author_and_not_the_body(first):
    """Gulf papers open the text with "كتب فلان:" on its own line."""
    result = article(cms_page(byline="", lines=[first, *LINES]))
    assert result.authors == ["محمد الجاسم"]
    assert result.body.split("\n")[0] == LINES[0]


def test_a_first_line_that_is_a_sentence_about_writing_stays_in_the_body():
    first = "كتب الرئيس رسالة مطولة إلى البرلمان يشرح فيها أسباب القرار."
    result = article(cms_page(byline="", lines=[first, *LINES]))
    assert result.body.split("\n")[0] == first and result.authors == []


# --- captions ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("caption", "text", "credit"),
    [
        ("الوزير خلال المؤتمر (تصوير: أحمد علي)", "الوزير خلال المؤتمر", "أحمد علي"),
        ("الوزير خلال المؤتمر - تصوير: أحمد علي", "الوزير خلال المؤتمر", "أحمد علي"),
        ("الوزير خلال المؤتمر عدسة: أحمد علي", "الوزير خلال المؤتمر", "أحمد علي"),
        ("الوزير خلال المؤتمر (المصدر: رويترز)", "الوزير خلال المؤتمر", "رويترز"),
        ("الوزير خلال المؤتمر (كونا)", "الوزير خلال المؤتمر", "كونا"),
        ("الوزير خلال المؤتمر - كونا", "الوزير خلال المؤتمر", "كونا"),
        ("الوزير خلال المؤتمر (أرشيفية)", "الوزير خلال المؤتمر", None),  # "archive": no credit
        (
            "الوزير خلال المؤتمر (تصوير: وكالة الأنباء الكويتية (كونا))",
            "الوزير خلال المؤتمر",
            "وكالة الأنباء الكويتية (كونا)",
        ),
    ],
)
def test_arabic_captions_and_photo_credits(caption, text, credit):
    result = article(cms_page(caption=caption))
    assert [(image.caption, image.credit) for image in result.images] == [(text, credit)]
    assert result.images[0].url == "https://www.gulfpaper.example/uploads/images/2026/11/24/937359.jpg"
    assert text not in result.body


def test_an_archive_label_alone_is_no_caption():
    assert article(cms_page(caption="صورة أرشيفية")).images == []


# --- attribution -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("last", "outlet"),
    [
        ("المصدر: كونا", "كونا"),
        ("المصدر: وكالة الأنباء الكويتية (كونا)", "وكالة الأنباء الكويتية (كونا)"),
        ("«المصدر: العربية نت»", "العربية نت"),
        ("المصدر - رويترز", "رويترز"),
        ("(كونا)", "كونا"),  # the agency alone in brackets closing the text
    ],
)
def test_arabic_closing_source_line_is_the_attribution(last, outlet):
    result = article(cms_page(lines=[*LINES, last]))
    assert result.attribution == outlet and result.body.split("\n")[-1] == LINES[-1]


@pytest.mark.parametrize(
    ("dateline", "agency"),
    [("الكويت - كونا:", "كونا"), ("القاهرة - (أ ف ب) -", "أ ف ب"), ("دبي - رويترز:", "رويترز")],
)
def test_arabic_wire_dateline_is_the_attribution_and_stays_in_the_text(dateline, agency):
    first = f"{dateline} {LINES[0]}"
    result = article(cms_page(lines=[first, *LINES[1:]]))
    assert result.attribution == agency and result.body.split("\n")[0] == first


def test_a_reporter_in_the_dateline_is_no_attribution():
    first = f"القاهرة - محمد علي: {LINES[0]}"
    assert article(cms_page(lines=[first, *LINES[1:]])).attribution is None


# --- body ----------------------------------------------------------------------------------------------------------

MENU = "<nav><ul>" + "".join(f"<li><a href='/s/{i}'>قسم الأخبار المحلية والدولية رقم {i}</a></li>" for i in range(60))
MENU += "</ul></nav>"


@pytest.mark.parametrize(
    "classes", ["latest-news-details", "read-more-content", "social-text", "related-article-body", "news-details hide"]
)
def test_a_short_story_in_a_block_named_like_page_furniture_keeps_its_text(classes):
    """On a page of long menus a short story is less than a quarter of the page's text, and a class name that
    begins like a related-stories box or a hidden dialog says nothing of the block holding the story: the body
    rules leave the story's block alone."""
    html = cms_page(before=MENU).replace('<div class="aksa-articleBody">', f'<div class="{classes}">')
    assert article(html).body.split("\n") == LINES


def test_page_furniture_beside_a_short_story_is_still_left_out():
    related = (
        '<div class="related-news"><p>خبر ذو صلة عن موضوع آخر تماما نشر أمس في الصحيفة نفسها</p>'
        "<p>وخبر آخر ذو صلة عن موضوع مختلف نشر قبل أسبوع في الصحيفة</p></div>"
    )
    html = cms_page(before=MENU).replace("</div></article>", f"</div>{related}</article>")
    assert article(html).body.split("\n") == LINES
