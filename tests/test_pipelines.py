"""Validate, normalise and dedupe on records, without a crawl."""

import pytest

from crawler.items import Article, NotArticle
from crawler.urls import canonical_url
from crawler.words import content_hash
from pipelines.normalise import NormalisePipeline, clean_text
from pipelines.validate import Rejected, ValidatePipeline

BODY = " ".join(["word"] * 50)


def test_validate_rejects_with_reasons():
    validate = ValidatePipeline(min_words=40)
    with pytest.raises(Rejected) as err:
        validate.process_item(NotArticle("https://x/a", "listing page"))
    assert err.value.reason == "not_article"
    with pytest.raises(Rejected) as err:
        validate.process_item(Article("https://x/a", "  ", BODY))
    assert err.value.reason == "no_title"
    with pytest.raises(Rejected) as err:
        validate.process_item(Article("https://x/a", "Title", "too short"))
    assert err.value.reason == "too_short"
    article = Article("https://x/a", "Title", BODY)
    assert validate.process_item(article) is article


def test_canonical_url_drops_tracking_and_fragment():
    url = "https://www.example.com/news/1?utm_source=tw&b=2&fbclid=XYZ&a=1&gclid=9#comments"
    assert canonical_url(url) == "https://www.example.com/news/1?a=1&b=2"
    assert canonical_url("https://www.example.com/article/1") == "https://www.example.com/article/1"


def test_clean_text_nfc_and_whitespace():
    assert clean_text("  Cafe\u0301\u00a0 au   lait \u200b") == "Café au lait"
    assert clean_text("a  b\n\n  c\t d \n", multiline=True) == "a b\nc d"
    assert clean_text("الكويت\u200f  اليوم") == "الكويت\u200f اليوم"  # directional marks are kept


def test_normalise_uses_same_origin_canonical_and_unique_lists():
    article = Article(
        "https://www.example.com/news/1?utm_medium=x",
        " Title\n here ",
        "line one  \n\n line two",
        canonical_url="https://www.example.com/news/1#top",
        authors=["Ann Lee", "ann lee", " Bo  Chen "],
        tags=["Oil", "oil"],
    )
    out = NormalisePipeline().process_item(article)
    assert out.url == "https://www.example.com/news/1"
    assert out.title == "Title here" and out.body == "line one\nline two"
    assert out.authors == ["Ann Lee", "Bo Chen"] and out.tags == ["Oil"]
    for foreign in (
        "https://other.org/x",
        "https://example.com/x",
        "http://www.example.com/x",
        "ftp://www.example.com/x",
    ):
        other = Article("https://www.example.com/news/2", "T", BODY, canonical_url=foreign)
        assert NormalisePipeline().process_item(other).url == "https://www.example.com/news/2"


def test_normalise_stores_times_in_utc_and_leaves_dates_alone():
    article = Article("https://example.com/n/1", "T", BODY, published_at="2024-08-12T09:30:00+03:00")
    article.modified_at = "2024-08-12"
    out = NormalisePipeline().process_item(article)
    assert (out.published_at, out.modified_at) == ("2024-08-12T06:30:00+00:00", "2024-08-12")
    naive = Article("https://example.com/n/2", "T", BODY, published_at="2024-08-12T09:30:00")
    assert NormalisePipeline().process_item(naive).published_at == "2024-08-12T09:30:00"


def test_content_hash_ignores_case_spacing_and_punctuation():
    assert content_hash("Hello, World!\nSecond line.") == content_hash("hello world  second line")
    assert content_hash("Hello world") != content_hash("Hello there world")
