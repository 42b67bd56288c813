"""Feed exports of records (`scrapy crawl SOURCE -O out.csv`): CSV with nested values as JSON text."""

from __future__ import annotations

from typing import Any

from itemadapter import is_item
from scrapy.exporters import CsvItemExporter
from scrapy.utils.serialize import ScrapyJSONEncoder


class RecordCsvItemExporter(CsvItemExporter):
    """CSV as `newscrawl export --format csv` writes it: lists and nested records (authors, tags, images with
    their captions and credits) are JSON text in their cell, so they read back whole."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.json = ScrapyJSONEncoder(ensure_ascii=False)

    def serialize_field(self, field: Any, name: str, value: Any) -> Any:
        if isinstance(value, (list, tuple)) or is_item(value):
            return self.json.encode(value)
        return super().serialize_field(field, name, value)
