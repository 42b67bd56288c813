"""Meta refresh on long pages, as Scrapy follows it: a real `newscrawl crawl` against tests/faultserver.py, whose
refreshing pages are longer than the bytes crawler.crawl.middlewares.MetaRefreshHead decodes of them."""

from __future__ import annotations

import pytest
from faultserver import REFRESH_FAULTS, FaultServer, article_page
from scrapy.http import HtmlResponse

from conftest import CrawlEnv
from crawler.crawl.middlewares import HEAD_BYTES, HEAD_CHARS, text_head
from crawler.extraction import extract


def test_a_refresh_in_the_first_4096_characters_is_followed_in_any_encoding_and_one_after_them_is_not(env: CrawlEnv):
    with FaultServer(lifetime=300) as site:
        (env.sources_dir / "hostile.toml").write_text(site.source_toml("hostile", feeds=["/feed/refresh.xml"]))
        result = env.newscrawl("crawl", "hostile", "--set", "DOWNLOAD_TIMEOUT=5")
        hits = dict(site.hits)
    assert result.returncode == 0, result.stderr[-3000:]
    articles = {row["url"].removeprefix(site.base_url): row for row in env.rows("SELECT url, title FROM articles")}
    pages = {row["url"].removeprefix(site.base_url): row for row in env.rows("SELECT url, status FROM pages")}
    followed, late = REFRESH_FAULTS[:2], REFRESH_FAULTS[2]
    for fault in followed:  # stored under the URL the refresh led to, known under the URL listed
        target = fault.path + "/target"
        page = article_page(fault.article or "", site.base_url, target)
        assert articles[target]["title"] == extract(page.encode(), site.url(target)).title
        assert hits[target] == 1 and pages[fault.path]["status"] == "article"
    assert set(articles) == {fault.path + "/target" for fault in followed} | {late.path}
    assert late.path + "/target" not in hits


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-32", "gb18030", "shift_jis", "windows-1256", "utf-7"])
@pytest.mark.parametrize("header", [True, False])
def test_the_head_decoded_alone_is_the_start_of_the_whole_page_decoded(encoding: str, header: bool):
    text = "<html><head><title>عنوان 标题 ǅ</title></head><body>" + "<p>نص عربي 中文テキスト ü — x</p>" * 2000
    body = text.encode(encoding, errors="ignore")
    assert len(body) > HEAD_BYTES
    content_type = f"text/html; charset={encoding}" if header else "text/html"
    whole, head = (
        HtmlResponse("https://example.org/a", body=body, headers={"Content-Type": content_type}) for _ in "ab"
    )
    assert text_head(head) == whole.text[:HEAD_CHARS]
