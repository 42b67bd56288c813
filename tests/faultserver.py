"""A hostile news site on 127.0.0.1: good article pages plus one URL per fault, for end-to-end fault tests.

Good pages are recorded Al Jarida articles (crawler/demo/sites/aljarida/article/*.html) with their links
rewritten to this server, as crawler/demo/replay.py does, and their own URL (canonical, og:url, JSON-LD) rewritten to
the URL they are served under, so each is stored where the crawler found it. Every fault lives under `/a/`
(the test source's article pattern); listings are `/feed/<name>.xml` (RSS naming a group of fault URLs),
`/sitemap-*.xml`, `/archive` (a section page with an endless calendar) and `/robots.txt`. Generated listings for
discovery limits: `/sitemap-index-<N>.xml` (N child sitemaps `/sitemap-child-<i>.xml`, each listing the story
`/a/story/<i>`) and `/sitemap-stories-<N>.xml[.gz]` (N stories); a story is a generated article of its own text.

The server is bounded whatever a test does: it listens on 127.0.0.1 only, every thread is a daemon, a response
never sends more than MAX_RESPONSE_BYTES, all responses together never more than MAX_TOTAL_BYTES, a stalled
answer waits at most STALL_SECONDS, and the server stops by itself after `lifetime` seconds.
"""

from __future__ import annotations

import gzip
import json
import random
import re
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

ARTICLES = Path(__file__).resolve().parents[1] / "crawler" / "demo" / "sites" / "aljarida" / "article"
ORIGIN = "https://www.aljarida.com"
MAX_RESPONSE_BYTES = 64 * 1024 * 1024
MAX_TOTAL_BYTES = 512 * 1024 * 1024
STALL_SECONDS = 20.0  # a "no answer" fault holds its connection at most this long
CHUNK = 64 * 1024
HUGE_BYTES = 50 * 1024 * 1024  # the oversized page
BOMB_BYTES = 200 * 1024 * 1024  # what the gzip bomb inflates to
GIANT_SITEMAP_BYTES = 15 * 1024 * 1024  # a sitemap over the 10 MB download cap
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n" + b"0" * 4000 + b"\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + bytes(range(256)) * 16 + b"\xff\xd9"
HTML = "text/html; charset=utf-8"
PARAGRAPHS = 1_000_000  # <p>a</p> paragraphs of the "many paragraphs" page: 8 MB, under the download cap
NESTING = 1_500_000  # unclosed nested <div>s of the "deeply nested" page: 7.5 MB

# The article each page is made from (a stored article's text must differ from every other one of its crawl).
ENCODINGS = {"windows-1256": "iso-8859-6", "iso-8859-6": "windows-1256"}  # each one's wrong header: the other
ENCODED_ARTICLES = dict(
    zip(
        [(enc, header) for enc in ENCODINGS for header in ("missing", "right", "wrong")],
        ["74480", "74471", "74466", "74458", "74452", "74188"],
        strict=True,
    )
)


@dataclass(frozen=True)
class Fault:
    """One injected fault: the URL path, what the server does there, and the article it serves, if any."""

    path: str
    injected: str
    article: str | None = None  # the recorded article served when the fault lets a page through


MAIN_FAULTS = [
    Fault("/a/good", "a plain good article", "74480"),
    Fault("/a/http-500-transient", "500 then 200", "74471"),
    Fault("/a/http-502-transient", "502 then 200", "74466"),
    Fault("/a/http-503-transient", "503 with Retry-After: 1, then 200", "74458"),
    Fault("/a/http-503-permanent", "503 with Retry-After: 1, every time"),
    Fault("/a/timeout", "no answer at all (connection held open)"),
    Fault("/a/slow-drip", "200 with one byte every 0.5 s"),
    Fault("/a/reset", "connection reset (RST) before any answer"),
    Fault("/a/http-404", "404 Not Found"),
    Fault("/a/http-410", "410 Gone"),
    Fault("/a/redirect-loop", "redirect loop A -> B -> A"),
    Fault("/a/redirect-long/0", "an endless redirect chain /0 -> /1 -> /2 ... (over REDIRECT_MAX_TIMES)"),
    Fault("/a/redirect-short/0", "2 redirects ending at a good article", "74452"),
    Fault("/a/huge", "50 MB page with Content-Length"),
    Fault("/a/huge-stream", "50 MB page without Content-Length"),
    Fault("/a/gzip-bomb", "gzip bomb: 200 KB compressed, 200 MB inflated"),
    Fault("/a/pdf", "a PDF served as text/html"),
    Fault("/a/jpeg", "a JPEG served as text/html"),
    Fault("/a/empty", "an empty 200"),
    Fault("/a/malformed", "malformed HTML (no </p>, stray and unclosed tags, a broken attribute)", "74188"),
    Fault("/a/truncated", "HTML cut at 70% of its bytes (mid-article)", "74149"),
    Fault("/a/truncated-early", "HTML cut at 5% of its bytes (before any text)", "73010"),
]
ENCODING_FAULTS = [
    Fault(f"/a/enc/{enc}/{header}", f"Arabic page in {enc}, charset header {header}", article)
    for (enc, header), article in ENCODED_ARTICLES.items()
]
ROBOTS_FAULTS = [
    Fault("/a/open", "an article robots.txt allows", "74480"),
    Fault("/a/private/1", "an article robots.txt disallows", "74471"),
    Fault("/a/private/2", "another article robots.txt disallows", "74466"),
]
ROBOTS_TXT = b"User-agent: *\nDisallow: /a/private/\n"
EXTRACTION_FAULTS = [
    Fault("/a/paragraphs", f"{PARAGRAPHS:,} <p>a</p> paragraphs (8 MB)"),
    Fault("/a/nested", f"{NESTING:,} nested <div>s (7.5 MB)"),
    Fault("/a/fine/1", "a plain good article", "74480"),
    Fault("/a/fine/2", "a plain good article", "74471"),
    Fault("/a/fine/3", "a plain good article", "74466"),
]
REFRESH_FAULTS = [
    Fault("/a/refresh/near", "a meta refresh to /a/refresh/end after 6 KB of Arabic (within 4,096 characters)"),
    Fault("/a/refresh/far", "a meta refresh after 5,000 characters of Arabic (not followed)", "74466"),
]
REFRESH_TARGET = ("/a/refresh/end", "74471")  # where the near refresh leads
FEEDS = {
    "main": MAIN_FAULTS,
    "encodings": ENCODING_FAULTS,
    "robots": ROBOTS_FAULTS,
    "extraction": EXTRACTION_FAULTS,
    "refresh": REFRESH_FAULTS,
}
TRAP_ARTICLES = {"/a/trap/1": "74480", "/a/trap/2": "74471"}  # listed on the archive's first two pages
LISTING_ARTICLES = {"/a/listed/1": "74466", "/a/listed/2": "74458", "/a/listed/3": "74452"}
MAX_LISTED = 300_000  # the most entries a generated sitemap or sitemap index may have
LISTED_FROM = datetime(2024, 1, 1, tzinfo=timezone.utc)  # lastmod of entry 0; entry i is i minutes newer
STORY_WORDS = (  # what generated stories are made of
    "river lantern copper meadow signal harbour orchard quartz violet ember canyon falcon marble thistle cobalt"
    " willow granite saffron tundra beacon juniper pebble summit glacier orchid ravine meteor prairie walnut cedar"
)


class Stop(Exception):
    """The server is stopping, or a byte cap was reached: abandon the response."""


class QuietServer(ThreadingHTTPServer):
    """Daemon handler threads; a client that hangs up (the crawler cutting a download) is not an error here."""

    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """Quiet: resets and broken pipes are what this server is for."""


class FaultServer:
    """A threaded HTTP server on 127.0.0.1 serving the hostile site; counts the requests of each path."""

    def __init__(self, lifetime: float = 120.0) -> None:
        self.hits: Counter[str] = Counter()
        self.times: dict[str, list[float]] = {}  # when each request of a path came (time.monotonic)
        self.maintenance = False  # when set, every request gets a 503 maintenance page
        self.sent = 0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd = QuietServer(("127.0.0.1", 0), _handler_for(self))
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._timer = threading.Timer(lifetime, self.stop)
        self._timer.daemon = True
        gzip_bomb()  # built before serving (a second of CPU), not while other requests wait

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def start(self) -> FaultServer:
        self._thread.start()
        self._timer.start()
        return self

    def stop(self) -> None:
        if self._stopping.is_set():
            return
        self._stopping.set()
        self._timer.cancel()
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> FaultServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def source_toml(self, key: str, **lists: list[str]) -> str:
        """A source file for this server: `feeds`, `sitemaps` and `sections` as paths on it."""
        lines = [f'name = "Hostile {key}"', f'homepage = "{self.base_url}/"', 'allowed_domains = ["127.0.0.1"]']
        for name in ("sitemaps", "feeds", "sections"):
            lines.append(f"{name} = {json.dumps([self.url(p) for p in lists.get(name, [])])}")
        lines += ["article_url = '/a/'", 'language = "ar"', 'timezone = "Asia/Kuwait"']
        return "\n".join(lines) + "\n"

    # --- what the handler calls ---------------------------------------------------------------------------------

    def hit(self, path: str) -> int:
        """Count a request of `path`; how many there have been, this one included."""
        with self._lock:
            self.hits[path] += 1
            self.times.setdefault(path, []).append(time.monotonic())
            return self.hits[path]

    def charge(self, size: int, so_far: int) -> None:
        """Account for `size` more bytes of a response that has sent `so_far`; Stop past a cap or when stopping."""
        with self._lock:
            if self._stopping.is_set() or so_far + size > MAX_RESPONSE_BYTES or self.sent + size > MAX_TOTAL_BYTES:
                raise Stop
            self.sent += size

    def wait(self, seconds: float) -> None:
        """Sleep, but Stop at once when the server stops."""
        if self._stopping.wait(seconds):
            raise Stop


# --- pages ---------------------------------------------------------------------------------------------------


@cache
def recorded(article: str) -> str:
    return (ARTICLES / f"{article}.html").read_text(encoding="utf-8")


def article_page(article: str, base_url: str, path: str) -> str:
    """A recorded article as served at `path`: its own URL is `path`, its other links point at this server."""
    text = recorded(article).replace(f"{ORIGIN}/article/{article}", base_url + path)
    return text.replace(ORIGIN, base_url)


def without_meta_charset(text: str) -> str:
    return re.sub(r"<meta[^>]*charset[^>]*>", "", text, flags=re.IGNORECASE)


def malformed(text: str) -> str:
    """Closing </p> and </li> dropped, stray and unclosed tags, stray end tags, a broken attribute."""
    text = re.sub(r"</(p|li)>", "", text)
    text = text.replace("<body", "<<<>>><div <span class=>></table></td><body", 1)
    text = text.replace("</head>", '<meta name="x" content="a"b"c"></head>', 1)
    return text.replace("</body>", "</table></td></b></i></span></body>", 1)


@cache
def refreshing(text: str, filler_chars: int, target: str) -> str:
    """`text` with a meta refresh to `target` right after `filler_chars` characters of Arabic at the top of its
    head (two bytes each in UTF-8)."""
    filler = f'<meta name="description" content="{"خبر" * (filler_chars // 3)}">'
    refresh = f'<meta http-equiv="refresh" content="0; url={target}">'
    head = text.index(">", text.index("<head")) + 1
    return text[:head] + filler + refresh + text[head:]


@cache
def gzip_bomb() -> bytes:
    return gzip.compress(b"<html><body>" + b" " * BOMB_BYTES, compresslevel=9, mtime=0)


@cache
def pathological(path: str) -> bytes:
    """A page that is cheap to send and costly to extract: a million paragraphs, or a million and a half levels of
    nesting."""
    head = b"<html><head><title>Pathological</title></head><body>"
    if path == "/a/paragraphs":
        return head + b"<p>a</p>" * PARAGRAPHS + b"</body></html>"
    return head + b"<div>" * NESTING + b"deep " * 100 + b"</body></html>"


def rss(base_url: str, paths: Iterable[str]) -> bytes:
    items = "".join(f"<item><title>{p}</title><link>{base_url}{p}</link></item>" for p in paths)
    return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>{items}</channel></rss>'.encode()


def sitemap(base_url: str, paths: Iterable[str]) -> bytes:
    urls = "".join(f"<url><loc>{base_url}{p}</loc></url>" for p in paths)
    return f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'.encode()


def lastmod(entry: int) -> str:
    """The lastmod of generated entry `entry`: newer as the number grows (listed oldest first)."""
    return (LISTED_FROM + timedelta(minutes=entry)).isoformat()


def sitemap_index(base_url: str, children: int) -> bytes:
    """A sitemap index of `children` child sitemaps with lastmod, oldest first."""
    maps = "".join(
        f"<sitemap><loc>{base_url}/sitemap-child-{i}.xml</loc><lastmod>{lastmod(i)}</lastmod></sitemap>"
        for i in range(children)
    )
    head = '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    return f"{head}{maps}</sitemapindex>".encode()


def story_sitemap(base_url: str, stories: Iterable[int]) -> bytes:
    """A sitemap of the generated stories numbered `stories`, with lastmod."""
    urls = "".join(f"<url><loc>{base_url}/a/story/{n}</loc><lastmod>{lastmod(n)}</lastmod></url>" for n in stories)
    return f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'.encode()


def story_page(n: int) -> bytes:
    """Generated story `n`: an article page whose text is its own (words drawn with `n` as the seed)."""
    rng, words = random.Random(n), STORY_WORDS.split()
    paragraphs = "".join(
        "<p>" + " ".join(rng.choice(words) for _ in range(30)).capitalize() + ".</p>" for _ in range(4)
    )
    return (
        f"<html><head><title>Story {n}</title></head><body><article><h1>Story number {n}</h1>"
        f"<time datetime='{lastmod(n)}'>{lastmod(n)[:10]}</time>{paragraphs}</article></body></html>"
    ).encode()


def archive_page(base_url: str, day: int) -> bytes:
    """Day `day` of an endless calendar: links to the day before and after (and an article on days 0 and 1)."""
    links = [f'<a href="{base_url}/archive?day={d}">day {d}</a>' for d in (day - 1, day + 1)]
    links += [f'<a href="{base_url}{p}">story</a>' for i, p in enumerate(TRAP_ARTICLES) if i == day]
    return f"<html><body><h1>Archive, day {day}</h1>{''.join(links)}</body></html>".encode()


# --- the handler -----------------------------------------------------------------------------------------------


def _handler_for(server: FaultServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            count = server.hit(path)
            try:
                if server.maintenance:
                    return self.send(503, b"<h1>Down for maintenance</h1>", headers={"Retry-After": "3600"})
                self.route(parts.path, parts.query, count)
            except (Stop, OSError):
                self.close_connection = True

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: requests are counted in `server.hits`."""

        # --- responses ------------------------------------------------------------------------------------

        def send(
            self, status: int, body: bytes = b"", ctype: str = HTML, headers: dict[str, str] | None = None
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.write(body)

        def write(self, data: bytes, so_far: int = 0) -> None:
            server.charge(len(data), so_far)
            self.wfile.write(data)

        def article(self, article: str, path: str) -> None:
            self.send(200, article_page(article, server.base_url, path).encode())

        def redirect(self, target: str, status: int = 302) -> None:
            self.send(status, b"", headers={"Location": target})

        def stream(self, total: int, ctype: str = HTML, length: bool = False, pause: float = 0.0) -> None:
            """`total` bytes of filler HTML, with or without Content-Length, `pause` seconds between chunks."""
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            if length:
                self.send_header("Content-Length", str(total))
            else:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            chunk = b"<p>filler</p>\n" * (CHUNK // 14) if not pause else b"<"
            sent = 0
            while sent < total:
                piece = chunk[: total - sent]
                self.write(piece, sent)
                self.wfile.flush()
                sent += len(piece)
                if pause:
                    server.wait(pause)

        def reset(self) -> None:
            """Close with an RST (SO_LINGER 0) before answering."""
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True

        # --- routes ---------------------------------------------------------------------------------------

        def route(self, path: str, query: str, count: int) -> None:
            base = server.base_url
            if path == "/robots.txt":
                return self.send(200, ROBOTS_TXT, "text/plain")
            if path.startswith("/feed/") and path.removeprefix("/feed/").removesuffix(".xml") in FEEDS:
                faults = FEEDS[path.removeprefix("/feed/").removesuffix(".xml")]
                return self.send(200, rss(base, (f.path for f in faults)), "application/rss+xml")
            if path == "/archive":
                day = int(query.removeprefix("day=") or 0) if re.fullmatch(r"(day=-?\d+)?", query) else 0
                return self.send(200, archive_page(base, day))
            if path.startswith("/sitemap-") or path == "/feed-garbage.xml":
                return self.listing(path)
            if path in TRAP_ARTICLES or path in LISTING_ARTICLES:
                return self.article({**TRAP_ARTICLES, **LISTING_ARTICLES}[path], path)
            if path.startswith("/a/enc/"):
                return self.encoded(path)
            if path.startswith("/a/refresh/"):
                return self.refresh(path)
            if re.fullmatch(r"/a/story/\d+", path):
                return self.send(200, story_page(int(path.rsplit("/", 1)[1])))
            return self.fault(path, count)

        def listing(self, path: str) -> None:
            base = server.base_url
            generated = re.fullmatch(r"/sitemap-(index|child|stories)-(\d+)\.xml(\.gz)?", path)
            if generated and int(generated.group(2)) <= MAX_LISTED:
                kind, number = generated.group(1), int(generated.group(2))
                if kind == "index":
                    body = sitemap_index(base, number)
                else:
                    body = story_sitemap(base, [number] if kind == "child" else range(number))
                if generated.group(3):
                    return self.send(200, gzip.compress(body, compresslevel=1, mtime=0), "application/gzip")
                return self.send(200, body, "text/xml")
            if path == "/sitemap-malformed.xml":  # cut mid-entry, an unescaped & and a stray tag before that
                good = sitemap(base, LISTING_ARTICLES).decode()
                return self.send(200, good.replace("</url>", "</url><junk>&</bad>", 1)[:-40].encode(), "text/xml")
            if path == "/feed-garbage.xml":
                return self.send(200, b"<html><body>Database error: too many connections</body></html>", "text/xml")
            if path == "/sitemap-giant.xml":
                head = b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                entry = f"<url><loc>{base}/a/listed/1</loc></url>\n".encode()
                return self.send(200, head + entry * (GIANT_SITEMAP_BYTES // len(entry)) + b"</urlset>", "text/xml")
            self.send(404, b"not found")

        def encoded(self, path: str) -> None:
            _, _, _, encoding, header = path.split("/")
            article = ENCODED_ARTICLES[(encoding, header)]
            text = without_meta_charset(article_page(article, server.base_url, path))
            charset = {"missing": "", "right": f"; charset={encoding}", "wrong": f"; charset={ENCODINGS[encoding]}"}
            body = text.encode(encoding, errors="xmlcharrefreplace")
            self.send(200, body, "text/html" + charset[header])

        def refresh(self, path: str) -> None:
            if path == REFRESH_TARGET[0]:
                return self.article(REFRESH_TARGET[1], path)
            if path == "/a/refresh/near":
                page = article_page("74480", server.base_url, path)
                return self.send(200, refreshing(page, 3000, server.url(REFRESH_TARGET[0])).encode())
            if path == "/a/refresh/far":
                page = article_page("74466", server.base_url, path)
                return self.send(200, refreshing(page, 5000, server.url(REFRESH_TARGET[0])).encode())
            self.send(404, b"<h1>no such page</h1>")

        def fault(self, path: str, count: int) -> None:
            faults = {f.path: f for f in (*MAIN_FAULTS, *ROBOTS_FAULTS, *EXTRACTION_FAULTS)}
            article = faults[path].article if path in faults else None
            transient = re.fullmatch(r"/a/http-(\d{3})-transient", path)
            if transient and count == 1:
                return self.send(int(transient.group(1)), b"<h1>try again</h1>", headers={"Retry-After": "1"})
            if path == "/a/redirect-short/end":
                return self.article(faults["/a/redirect-short/0"].article or "", path)
            if article and (
                transient
                or path.startswith("/a/fine/")
                or path in ("/a/good", "/a/open", "/a/private/1", "/a/private/2")
            ):
                return self.article(article, path)
            if path == "/a/http-503-permanent":
                return self.send(503, b"<h1>down</h1>", headers={"Retry-After": "1"})
            if path in ("/a/http-404", "/a/http-410"):
                return self.send(int(path[-3:]), b"<h1>gone</h1>")
            if path == "/a/timeout":
                return server.wait(STALL_SECONDS)
            if path == "/a/slow-drip":
                return self.stream(4096, pause=0.5)
            if path == "/a/reset":
                return self.reset()
            if path == "/a/redirect-loop":
                return self.redirect("/a/redirect-loop/b", 301)
            if path == "/a/redirect-loop/b":
                return self.redirect("/a/redirect-loop", 301)
            if path.startswith("/a/redirect-long/"):
                return self.redirect(f"/a/redirect-long/{int(path.rsplit('/', 1)[1]) + 1}")
            if path.startswith("/a/redirect-short/"):
                step = int(path.rsplit("/", 1)[1])
                return self.redirect("/a/redirect-short/1" if step == 0 else "/a/redirect-short/end")
            if path in ("/a/huge", "/a/huge-stream"):
                return self.stream(HUGE_BYTES, length=path == "/a/huge")
            if path == "/a/gzip-bomb":
                return self.send(200, gzip_bomb(), HTML, headers={"Content-Encoding": "gzip"})
            if path in ("/a/pdf", "/a/jpeg"):
                return self.send(200, PDF if path == "/a/pdf" else JPEG, "text/html")
            if path in ("/a/paragraphs", "/a/nested"):
                return self.send(200, pathological(path))
            if path == "/a/empty":
                return self.send(200, b"")
            if path == "/a/malformed":
                return self.send(200, malformed(article_page("74188", server.base_url, path)).encode())
            if path.startswith("/a/truncated"):
                page = article_page(faults[path].article or "", server.base_url, path).encode()
                return self.send(200, page[: len(page) * (5 if path.endswith("early") else 70) // 100])
            self.send(404, b"<h1>no such page</h1>")

    return Handler
