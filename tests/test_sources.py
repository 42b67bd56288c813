"""Source files: the shipped ones load, and each kind of mistake gives one clear line naming the file."""

from pathlib import Path

import pytest

from crawler.sources import DEFAULT_SOURCES_DIR, SourceError, load_source, load_sources

GOOD = """
name = "Example"
homepage = "https://www.example.com/"
allowed_domains = ["example.com"]
feeds = ["https://www.example.com/feed"]
article_url = '/news/\\d+'
language = "en"
timezone = "Europe/London"
[selectors]
title = "h1.headline"
"""


def write(tmp_path: Path, text: str, name: str = "example.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_sources_load_and_aljarida_is_configured():
    sources = load_sources(DEFAULT_SOURCES_DIR)
    aljarida = sources["aljarida"]
    assert aljarida.language == "ar" and aljarida.timezone == "Asia/Kuwait"
    assert aljarida.is_article_url("https://www.aljarida.com/article/129142")
    assert aljarida.is_article_url("https://www.aljarida.com/articles/1526486221951299700/")
    assert not aljarida.is_article_url("https://www.aljarida.com/article/129142/amp")
    assert not aljarida.is_article_url("https://www.aljarida.com/tags?query=x&pgno=2")
    assert aljarida.sitemaps or aljarida.feeds or aljarida.sections


def test_a_good_file_loads_with_defaults(tmp_path):
    source = load_source(write(tmp_path, GOOD))
    assert source.key == "example"
    assert source.feeds == ("https://www.example.com/feed",)
    assert source.selectors == {"title": "h1.headline"}
    assert source.max_articles == 0 and source.stale_after_hours == 24
    assert source.is_article_url("https://www.example.com/news/12")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ('colour = "red"\n' + GOOD, "unknown key 'colour'"),
        (GOOD.replace("'/news/\\d+'", "'/news/(\\d+'"), "bad regex in 'article_url'"),
        (GOOD.replace('feeds = ["https://www.example.com/feed"]', ""), "no discovery method"),
        (GOOD.replace('name = "Example"', 'name = "Example'), "invalid TOML"),
        (GOOD.replace('homepage = "https://www.example.com/"', ""), "missing required key 'homepage'"),
        (GOOD.replace('"Europe/London"', '"Mars/Olympus"'), "unknown timezone"),
        (GOOD.replace('allowed_domains = ["example.com"]', 'allowed_domains = "example.com"'), "list of"),
        ("max_articles = -1\n" + GOOD, "'max_articles' must be a whole number"),
        (GOOD.replace('title = "h1.headline"', 'headline = "h1"'), "unknown selector 'headline'"),
    ],
)
def test_each_mistake_is_one_line_naming_the_file(tmp_path, change, message):
    path = write(tmp_path, change)
    with pytest.raises(SourceError) as error:
        load_source(path)
    text = str(error.value)
    assert text.startswith(str(path) + ": ")
    assert message in text
    assert "\n" not in text


def test_missing_folder_is_an_error(tmp_path):
    with pytest.raises(SourceError, match="sources folder not found"):
        load_sources(tmp_path / "nope")
