"""Serve recorded sites on 127.0.0.1, for tests and `newscrawl demo`.

A site folder mirrors URL paths: `/article/1` is served from `article/1`, `article/1.html`, `article/1.xml` or
`article/1/index.html` (first found); a query string becomes part of the name after `@`
(`/tags?query=x&pgno=2` -> `tags@query=x&pgno=2.html`). `site.toml` in the folder gives the real `origin`
(e.g. "https://www.aljarida.com"), rewritten in served text to the server's own address so recorded pages keep
their real links, and `recorded_at`, the time replays crawl "as of". One server serves one site, so its
robots.txt sits at the root. Responses carry an ETag, and a matching If-None-Match gets a 304, as on real
servers. It also answers proxy requests (`GET http://host/path`), so a crawler with `http_proxy` set reaches it
under real host names.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import re
import sys
import threading
import time
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from scrapy.core.downloader.handlers.base import BaseDownloadHandler
from scrapy.utils.misc import build_from_crawler, load_object

from crawler.sources import Source

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

TEXT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".rss": "application/rss+xml; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".json": "application/json",
}


@dataclass
class Site:
    """One recorded site: its folder and the real origin its pages link to."""

    name: str
    root: Path
    origin: str = ""
    recorded_at: str = ""  # ISO 8601: when the pages were recorded; replays crawl "as of" then

    @classmethod
    def load(cls, root: Path) -> Site:
        meta = root / "site.toml"
        data = tomllib.loads(meta.read_text(encoding="utf-8")) if meta.exists() else {}
        return cls(root.name, root, data.get("origin", "").rstrip("/"), data.get("recorded_at", ""))

    def find(self, path: str, query: str) -> Path | None:
        """The file recorded for `path?query`, or None."""
        rel = unquote(path).lstrip("/")
        if query:
            rel = f"{rel}@{unquote(query)}"
        base = (self.root / rel).resolve()
        if not base.is_relative_to(self.root.resolve()):
            return None
        for candidate in (base, Path(f"{base}.html"), Path(f"{base}.xml"), base / "index.html"):
            if candidate.is_file() and candidate.name != "site.toml":
                return candidate
        return None

    def has(self, url: str) -> bool:
        """True when `url` is on the site's origin and recorded."""
        parts = urlsplit(url)
        return url.startswith(self.origin + "/") and self.find(parts.path, parts.query) is not None

    def source(self, source: Source) -> Source:
        """`source` with only the sitemaps, feeds and sections the site has recorded (a replay answers the others
        404, which would only be noise)."""
        kept = {kind: tuple(filter(self.has, getattr(source, kind))) for kind in ("sitemaps", "feeds", "sections")}
        return replace(source, **kept)


@dataclass
class ReplayServer:
    """A threaded HTTP server on 127.0.0.1 serving one site; records every request path it answers."""

    site: Site
    port: int = 0
    public_url: str | None = None  # what the origin is rewritten to; default: this server's own address
    delay: float = 0.0  # seconds to wait before answering (a slow site, for tests that interrupt a crawl)
    requests: list[str] = field(default_factory=list)
    not_modified: list[str] = field(default_factory=list)  # requests answered 304 (their ETag matched)

    def __post_init__(self) -> None:
        self._httpd = ThreadingHTTPServer(("127.0.0.1", self.port), _handler_for(self))
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @classmethod
    def for_folder(cls, folder: Path, port: int = 0, public_url: str | None = None) -> ReplayServer:
        """Serve the recorded site in `folder`."""
        return cls(Site.load(folder), port, public_url)

    @property
    def base_url(self) -> str:
        """The address that stands for the site's origin."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ReplayServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> ReplayServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def respond(self, raw_path: str) -> tuple[int, str, bytes]:
        """Status, content type and body for a request path."""
        self.requests.append(raw_path)
        parts = urlsplit(raw_path)
        found = self.site.find(parts.path, parts.query)
        if found is None:
            return 404, "text/html; charset=utf-8", b"<html><body><h1>Not found</h1></body></html>"
        body = found.read_bytes()
        if found.suffix == ".gz":
            return 200, "application/gzip", gzip.compress(self.rewrite(gzip.decompress(body)), mtime=0)
        suffix = found.suffix if found.suffix else ".html"
        ctype = TEXT_TYPES.get(suffix) or mimetypes.guess_type(found.name)[0] or "application/octet-stream"
        return 200, ctype, self.rewrite(body) if ctype in TEXT_TYPES.values() else body

    def rewrite(self, body: bytes) -> bytes:
        """Recorded links to the real origin, pointed at this server (or `public_url`)."""
        if not self.site.origin:
            return body
        return body.replace(self.site.origin.encode(), (self.public_url or self.base_url).encode())


def _handler_for(server: ReplayServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            time.sleep(server.delay)
            status, ctype, body = server.respond(self.path)
            etag = f'"{hashlib.sha1(body).hexdigest()[:16]}"'
            if status == 200 and self.headers.get("If-None-Match") == etag:
                server.not_modified.append(self.path)
                status, body = 304, b""
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            if status in (200, 304):
                self.send_header("ETag", etag)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: requests are kept in `server.requests`."""

    return Handler


def local_source(text: str, origin: str, base_url: str) -> str:
    """A source file's text pointed at a local replay: `origin` becomes `base_url`, domains 127.0.0.1."""
    text = text.replace(origin, base_url)
    return re.sub(r"(?m)^allowed_domains\s*=.*$", 'allowed_domains = ["127.0.0.1"]', text)


def find_source_file(name: str, folders: list[Path]) -> Path | None:
    """`<name>.toml` from the first folder that has it."""
    return next((f / f"{name}.toml" for f in folders if (f / f"{name}.toml").exists()), None)


class ReplayDownloadHandler(BaseDownloadHandler):
    """DOWNLOAD_HANDLERS for http and https in replays: a request to an origin in NEWSCRAWL_REPLAY
    ({"https://www.aljarida.com": "http://127.0.0.1:8765"}) is fetched from that local server, directly, and
    answered under its real URL; other requests go to Scrapy's own handler of the scheme."""

    lazy = False

    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        replays = crawler.settings.getdict("NEWSCRAWL_REPLAY")
        self.replays = {origin.rstrip("/"): local.rstrip("/") for origin, local in replays.items()}
        self.inner: dict[str, Any] = {}  # Scrapy's handler by scheme, made on first use

    def handler(self, scheme: str) -> Any:
        if scheme not in self.inner:
            handler_class = load_object(self.crawler.settings.getdict("DOWNLOAD_HANDLERS_BASE")[scheme])
            self.inner[scheme] = build_from_crawler(handler_class, self.crawler)
        return self.inner[scheme]

    async def download_request(self, request: Any) -> Any:
        parts = urlsplit(request.url)
        local = self.replays.get(f"{parts.scheme}://{parts.netloc}")
        if local is None:
            return await self.handler(parts.scheme).download_request(request)
        path = request.url.split(parts.netloc, 1)[1]
        replayed = request.replace(url=local + path, meta={**request.meta, "proxy": None})  # straight to 127.0.0.1
        response = await self.handler(urlsplit(local).scheme).download_request(replayed)
        return response.replace(url=request.url)

    async def close(self) -> None:
        for handler in self.inner.values():
            await handler.close()
