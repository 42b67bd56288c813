"""The record and its one serialiser: an Article becomes a plain dict and comes back the same, through an export's
JSON lines and CSV (read back by import) and through the Redis item queue; how the page was fetched travels beside
the record (`Fetch`), never in it."""

from __future__ import annotations

import io
import json
from dataclasses import fields

import pytest
from scrapy.exporters import CsvItemExporter, JsonItemExporter, JsonLinesItemExporter
from scrapy.utils.misc import load_object

from crawler import settings
from crawler.crawl.distributed import decode_item, encode_item
from crawler.items import Article, Fetch, Image, NotArticle
from crawler.storage.importer import read_records
from crawler.web.formats import write_rows

ENVELOPE = {"fetched_url", "response_url", "fetched_at", "kept_page", "declared_article", "queue_payload", "fetch"}


def article() -> Article:
    """A record with every kind of field: text that CSV quotes or a spreadsheet would run, lists, images."""
    return Article(
        url="https://news.example/ar/1",
        title='=HYPERLINK("x") "quoted", with commas',
        body='موجة حر تضرب الكويت\nSecond line, with a comma and a "quote"\n+ a line a spreadsheet would run',
        caption="Dawn over the harbour",
        caption_credit="AFP",
        images=[
            Image("https://news.example/i/1.jpg", "Dawn over the harbour", "AFP"),
            Image("https://news.example/i/2.jpg", None, None),
            Image("https://news.example/i/3.jpg", "@night", "-unn"),
        ],
        attribution="KUNA",
        authors=["Jane Roe", "جون دو"],
        published_at="2024-08-12T06:30:00+00:00",
        modified_at="2024-08-12",
        language="ar",
        section="Local",
        tags=["heat", "طقس"],
        image_url="https://news.example/i/1.jpg",
        description="A heatwave.",
        source="example",
        source_name="Example News",
        canonical_url="https://news.example/ar/1",
        content_hash="0f1e2d",
    )


def through_export(record: Article, fmt: str, tmp_path) -> Article:
    """The record written as `newscrawl export --format FMT` writes it, then read back as `newscrawl import` does."""
    out = io.StringIO()
    write_rows([record.to_dict()], fmt, out)
    path = tmp_path / f"records.{fmt}"
    path.write_text(out.getvalue(), encoding="utf-8")
    ((line, back),) = read_records(path)
    assert line == 2 if fmt == "csv" else line == 1
    return back


def test_an_article_becomes_a_dict_and_comes_back_the_same():
    record = article()
    data = record.to_dict()
    assert not ENVELOPE & set(data)
    assert data["images"][2] == {"url": "https://news.example/i/3.jpg", "caption": "@night", "credit": "-unn"}
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data  # JSON-ready
    assert Article.from_dict(data) == record
    assert Article.from_dict(data, in_flight=True) == record


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_an_article_comes_back_from_an_export_with_its_images(fmt, tmp_path):
    record = article()
    back = through_export(record, fmt, tmp_path)
    assert back.to_dict() == {**record.to_dict(), "canonical_url": None, "content_hash": None}  # never read
    assert back.images == record.images and back.authors == record.authors and back.tags == record.tags
    assert back.fetch == Fetch(fetched_url=record.url)  # an imported record was "fetched" at its URL


def test_an_article_comes_back_from_the_redis_item_queue_with_how_it_was_fetched():
    record = article()
    record.fetch = Fetch(
        fetched_url="https://news.example/ar/1?ref=feed",
        response_url="https://news.example/ar/1",
        fetched_at="2024-08-12T07:00:00+00:00",
        kept_page=b"x\x9c\x00compressed",
        declared_article=True,
    )
    payload = encode_item(record, "example", "Example News")
    assert set(json.loads(payload)) == set(record.to_dict()) | (ENVELOPE - {"fetch", "queue_payload"}) | {"kind"}
    back = decode_item(payload)
    assert isinstance(back, Article) and back.to_dict() == record.to_dict()
    assert back.fetch == Fetch(**{**_fields(record.fetch), "source": "example"})


def test_a_not_article_travels_the_queue_with_its_source():
    page = NotArticle("https://news.example/section", "too little text", fetch=Fetch(fetched_url="https://x.example/s"))
    back = decode_item(encode_item(page, "example", "Example News"))
    assert isinstance(back, NotArticle) and back.to_dict() == page.to_dict()
    assert (back.fetch.fetched_url, back.fetch.source) == ("https://x.example/s", "example")


def test_an_item_gains_no_attribute_on_the_fly():
    record, page = article(), NotArticle("https://news.example/s", "section")
    for item in (record, page):
        with pytest.raises(AttributeError):
            item.queue_payload = "x"  # type: ignore[union-attr]
    with pytest.raises(AttributeError):
        record.fetch.page = b""  # type: ignore[attr-defined]
    assert not (ENVELOPE - {"fetch"}) & {f.name for f in fields(Article)}


def test_a_record_in_flight_is_checked_for_types_only():
    untitled = {**article().to_dict(), "title": "", "url": "https://news.example/1", "published_at": "Monday"}
    assert Article.from_dict(untitled, in_flight=True).title == ""  # validation rejects it later, counted
    with pytest.raises(ValueError, match="'title' missing or not a non-empty string"):
        Article.from_dict(untitled)
    with pytest.raises(ValueError, match=r"'images'\[0\].credit is not a string"):
        Article.from_dict({**untitled, "images": [{"credit": 1}]}, in_flight=True)
    with pytest.raises(ValueError, match="'authors' is not a list of strings"):
        Article.from_dict({**untitled, "authors": [None]}, in_flight=True)


def _fields(value) -> dict:
    return {f.name: getattr(value, f.name) for f in fields(value)}


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv"])
def test_a_feed_export_writes_the_record_and_nothing_of_the_fetch(fmt):
    """`scrapy crawl -O out.FMT`'s exporter: the FEED_EXPORT_FIELDS of `to_dict`, as Scrapy's own exporter writes
    them of the item (CSV: lists as JSON text)."""
    record = article()
    record.fetch = Fetch(fetched_url="https://news.example/ar/1?x", kept_page=b"page", declared_article=True)
    ours, stock = io.BytesIO(), io.BytesIO()
    options = {"fields_to_export": settings.FEED_EXPORT_FIELDS, "encoding": "utf-8"}
    exporter = load_object(settings.FEED_EXPORTERS[fmt])(ours, **options)
    plain = {"json": JsonItemExporter, "jsonl": JsonLinesItemExporter, "csv": CsvItemExporter}[fmt](stock, **options)
    for writer, item in ((exporter, record), (plain, _stock_item(record, fmt))):
        writer.start_exporting()
        writer.export_item(item)
        writer.finish_exporting()
    assert ours.getvalue() == stock.getvalue()
    assert b"page" not in ours.getvalue() and b"?x" not in ours.getvalue()


def _stock_item(record: Article, fmt: str) -> dict:
    data = record.to_dict()
    if fmt == "csv":  # what the record's CSV cells hold: lists as JSON text
        data.update({name: json.dumps(data[name], ensure_ascii=False) for name in ("authors", "tags", "images")})
    return data
