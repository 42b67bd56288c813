"""Feed exports of records (`scrapy crawl SOURCE -O out.jsonl`, `.json` or `.csv`): each item exported as its
record (`to_dict`, never with how its page was fetched), CSV with nested values as JSON text."""

from __future__ import annotations

from typing import Any

from itemadapter import is_item
from scrapy.exporters import CsvItemExporter, JsonItemExporter, JsonLinesItemExporter
from scrapy.utils.serialize import ScrapyJSONEncoder

from crawler.items import Article, NotArticle


class RecordFields:
    """Exporter mixin: an Article (or NotArticle) is exported as the plain record its `to_dict` gives."""

    def export_item(self, item: Any) -> Any:
        record = item.to_dict() if isinstance(item, (Article, NotArticle)) else item
        return super().export_item(record)  # type: ignore[misc]


class RecordJsonLinesItemExporter(RecordFields, JsonLinesItemExporter):
    """JSON lines as `newscrawl export` writes them (in FEED_EXPORT_FIELDS order)."""


class RecordJsonItemExporter(RecordFields, JsonItemExporter):
    """One JSON array of records."""


class RecordCsvItemExporter(RecordFields, CsvItemExporter):
    """CSV as `newscrawl export --format csv` writes it: lists and nested records (authors, tags, images with
    their captions and credits) are JSON text in their cell, so they read back whole."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.json = ScrapyJSONEncoder(ensure_ascii=False)

    def serialize_field(self, field: Any, name: str, value: Any) -> Any:
        if isinstance(value, (list, tuple)) or is_item(value):
            return self.json.encode(value)
        return super().serialize_field(field, name, value)
