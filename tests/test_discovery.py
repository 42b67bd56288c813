"""Sitemaps (index, gzip, Google News), feeds (RSS, Atom) and robots.txt give article links with dates."""

import gzip
import subprocess
import sys
from datetime import datetime, timezone

from crawler.crawl.discovery import Link, consumed, parse_date, parse_feed, parse_sitemap, sitemaps_from_robots

NEWS_SITEMAP = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url>
    <loc>https://www.example.com/article/2</loc>
    <lastmod>2024-08-12T10:00:00+03:00</lastmod>
    <news:news>
      <news:publication><news:name>Example</news:name><news:language>ar</news:language></news:publication>
      <news:publication_date>2024-08-12T09:30:00+03:00</news:publication_date>
      <news:title>عنوان</news:title>
    </news:news>
  </url>
  <url><loc>https://www.example.com/article/1</loc><lastmod>2024-08-01</lastmod></url>
</urlset>""".encode()

INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>https://www.example.com/sitemap-1.xml.gz</loc><lastmod>2024-08-12</lastmod></sitemap>
</sitemapindex>"""

RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>
<item><title>a</title><link>https://www.example.com/article/3</link>
<pubDate>Mon, 12 Aug 2024 09:30:00 +0300</pubDate></item>
<item><title>b</title><guid isPermaLink="true">https://www.example.com/article/4</guid></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>x</title>
<entry><title>a</title><link rel="alternate" href="/news/a"/><link rel="enclosure" href="/img.jpg"/>
<published>2024-08-11T06:15:00Z</published><updated>2024-08-11T08:00:00Z</updated></entry></feed>"""


def test_news_sitemap_prefers_publication_date():
    links = list(parse_sitemap(NEWS_SITEMAP, "https://www.example.com/sitemap-news.xml"))
    assert [link.url for link in links] == ["https://www.example.com/article/2", "https://www.example.com/article/1"]
    assert links[0].date == datetime(2024, 8, 12, 6, 30, tzinfo=timezone.utc)
    assert links[1].date == datetime(2024, 8, 1, tzinfo=timezone.utc)
    assert not any(link.is_sitemap for link in links)


def test_sitemap_index_and_gzip():
    links = list(parse_sitemap(gzip.compress(INDEX), "https://www.example.com/sitemap.xml.gz"))
    assert len(links) == 1 and links[0].is_sitemap
    assert links[0].url == "https://www.example.com/sitemap-1.xml.gz"


def test_malformed_or_binary_sitemaps_give_nothing():
    assert list(parse_sitemap(b"<urlset><url><loc>", "https://x/")) == []
    assert list(parse_sitemap(b"\x89PNG\r\n\x1a\n\x00\x00", "https://x/")) == []
    assert list(parse_sitemap(b"\x1f\x8b broken gzip", "https://x/")) == []


def test_a_cut_or_repaired_sitemap_gives_what_the_recovering_parser_makes_of_it():
    cut = NEWS_SITEMAP[: NEWS_SITEMAP.index(b"/article/1") + len(b"/article/1")]
    assert [link.url for link in parse_sitemap(cut, "https://x/")] == [
        "https://www.example.com/article/2",
        "https://www.example.com/article/1",
    ]
    stray = b"<urlset><url><loc>https://x/a/1</loc></bad></url><url><loc>https://x/a/2</loc></url></urlset>"
    assert [link.url for link in parse_sitemap(stray, "https://x/")] == ["https://x/a/1"]  # as lxml recovers it
    entity = b'<!DOCTYPE u [<!ENTITY e "https://x/a/e">]><urlset><url><loc>&e;</loc></url></urlset>'
    assert list(parse_sitemap(entity, "https://x/")) == []  # an entity is not expanded


def test_a_sitemap_of_200000_urls_is_read_without_a_tree_of_it():
    """The parse's peak memory (the process's high-water mark, in a fresh process): the links themselves take
    about 40 MB; a tree of the sitemap took 90 MB more."""
    probe = """
import gzip, sys
from crawler.crawl.discovery import parse_sitemap
def peak():
    return int(open("/proc/self/status").read().split("VmHWM:")[1].split()[0]) // 1024
urls = "".join(f"<url><loc>https://www.example.com/article/{n}</loc></url>" for n in range(200_000))
body = gzip.compress(f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'.encode(), 1)
del urls
before = peak()
links = list(parse_sitemap(body, "https://www.example.com/sitemap.xml.gz"))
print(len(links), peak() - before)
"""
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=300, check=True)
    count, grown = map(int, result.stdout.split())
    assert count == 200_000
    assert grown < 80, f"{grown} MB"


def test_rss_and_atom_feeds():
    rss = list(parse_feed(RSS, "https://www.example.com/rss"))
    assert [link.url for link in rss] == ["https://www.example.com/article/3", "https://www.example.com/article/4"]
    assert rss[0].date == datetime(2024, 8, 12, 6, 30, tzinfo=timezone.utc)
    atom = list(parse_feed(ATOM, "https://www.example.com/feed.xml"))
    assert [link.url for link in atom] == ["https://www.example.com/news/a"]
    assert atom[0].date == datetime(2024, 8, 11, 6, 15, tzinfo=timezone.utc)


def test_robots_sitemap_lines():
    robots = b"User-agent: *\nDisallow: /search\nSitemap: https://www.example.com/sitemap.xml\nsitemap: /news.xml\n"
    urls = [link.url for link in sitemaps_from_robots(robots, "https://www.example.com/robots.txt")]
    assert urls == ["https://www.example.com/sitemap.xml", "https://www.example.com/news.xml"]


def test_parse_date_forms():
    assert parse_date("2024-08-12T09:30:00+03:00") == datetime(2024, 8, 12, 6, 30, tzinfo=timezone.utc)
    assert parse_date("Mon, 12 Aug 2024 09:30:00 GMT") == datetime(2024, 8, 12, 9, 30, tzinfo=timezone.utc)
    assert parse_date("not a date") is None and parse_date("") is None


def test_a_listings_links_are_let_go_as_they_are_handed_out():
    # a listing of 200,000 links is not held whole while its requests are made: each leaves the list as it is taken
    links = [Link(f"https://news.example/a/{i}") for i in range(5)]
    held = []
    for link in consumed(links):
        held.append(len(links))
        assert link.url.endswith(str(len(held) - 1))
    assert held == [4, 3, 2, 1, 0] and links == []
    assert not hasattr(Link("https://news.example/a"), "__dict__")  # slots: a link holds no dict of its own
