"""Meta-refresh redirects (crawler/crawl/middlewares.py MetaRefreshHead): Scrapy's rule, the refresh tag within a
page's first 4,096 characters, kept while only the page's first 16 KB are read."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from faultserver import REFRESH_TARGET, FaultServer, article_page, refreshing
from scrapy import Request
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from conftest import CrawlEnv
from crawler.crawl.middlewares import HEAD_BYTES, MetaRefreshHead


@pytest.fixture
def site(env: CrawlEnv) -> Iterator[FaultServer]:
    with FaultServer(lifetime=120) as server:
        toml = server.source_toml("hostile", feeds=["/feed/refresh.xml"])
        (env.sources_dir / "hostile.toml").write_text(toml, encoding="utf-8")
        yield server


def test_a_refresh_within_4096_characters_is_followed_past_4096_bytes_and_one_further_on_is_not(env, site):
    result = env.newscrawl("crawl", "hostile", "--set", "NEWSCRAWL_KEEP_PAGES=0")
    assert result.returncode == 0, result.stderr[-3000:]
    stored = {row["url"].removeprefix(site.base_url) for row in env.rows("SELECT url FROM articles")}
    # the near refresh (byte 6,091, character 3,091) led to its target, stored; the far one (character 5,090)
    # is past what Scrapy reads, so that page is an article of its own
    assert stored == {REFRESH_TARGET[0], "/a/refresh/far"}
    assert site.hits[REFRESH_TARGET[0]] == 1


def test_the_page_is_not_decoded_to_look_for_a_refresh():
    page = article_page("74480", "http://127.0.0.1:1", "/a/plain").replace("</body>", "<p>خبر</p>" * 1000 + "</body>")
    request = Request("http://127.0.0.1:1/a/plain")
    response = HtmlResponse(request.url, body=page.encode(), headers={"Content-Type": "text/html"}, request=request)
    middleware = MetaRefreshHead.from_crawler(get_crawler())
    assert middleware.process_response(request, response) is response
    assert response._cached_ubody is None  # Scrapy's MetaRefreshMiddleware leaves the whole page's text here
    refreshed = refreshing(page, 3000, "http://127.0.0.1:1/a/elsewhere").encode()
    answer = middleware.process_response(request, response.replace(body=refreshed))
    assert isinstance(answer, Request) and answer.url == "http://127.0.0.1:1/a/elsewhere"


def test_a_page_declaring_no_encoding_is_not_kept_decoded():
    page = "<html><head><title>Sans charset</title></head><body>" + "<p>خبر ü — x</p>" * 3000 + "</body></html>"
    request = Request("http://127.0.0.1:1/a/plain")
    response = HtmlResponse(request.url, body=page.encode(), headers={"Content-Type": "text/html"}, request=request)
    assert MetaRefreshHead.from_crawler(get_crawler()).process_response(request, response) is response
    assert response._cached_ubody is None  # inferring the encoding decoded it whole: that text is let go
    assert response.encoding == "utf-8" and response.text == page  # and decoded again when asked for


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-32", "gb18030", "shift_jis", "windows-1256", "utf-7"])
@pytest.mark.parametrize("header", [True, False])
@pytest.mark.parametrize("at", [3000, 4060, 5000])
def test_the_head_alone_gives_scrapy_s_answer_in_any_encoding(encoding: str, header: bool, at: int):
    text = "<html><head><title>عنوان 标题 ǅ</title></head><body>" + "<p>نص عربي 中文テキスト ü — x</p>" * 2000
    body = refreshing(text, at, "http://127.0.0.1:1/a/elsewhere").encode(encoding, errors="ignore")
    assert len(body) > HEAD_BYTES
    request = Request("http://127.0.0.1:1/a/page")
    content_type = f"text/html; charset={encoding}" if header else "text/html"
    ours, scrapys = (
        middleware.from_crawler(get_crawler()).process_response(
            request, HtmlResponse(request.url, body=body, headers={"Content-Type": content_type}, request=request)
        )
        for middleware in (MetaRefreshHead, MetaRefreshMiddleware)
    )
    assert type(ours) is type(scrapys) and getattr(ours, "url", None) == getattr(scrapys, "url", None)
