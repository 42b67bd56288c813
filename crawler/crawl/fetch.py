"""One page fetched politely, outside a crawl (the Python API, `newscrawl extract URL`): robots.txt obeyed, the
project's User-Agent, DOWNLOAD_TIMEOUT and DOWNLOAD_MAXSIZE, and every URL (redirect targets and robots.txt too)
through the address guard of crawls (crawler/crawl/guard.py), so private addresses are refused unless allowed."""

from __future__ import annotations

import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from scrapy.utils.misc import load_object
from w3lib.encoding import http_content_type_encoding

from crawler.crawl.guard import AddressPolicy, allow_list

REDIRECTS = (301, 302, 303, 307, 308)


class FetchError(Exception):
    """A page that could not be fetched; the message is one line naming the URL and why."""


@dataclass
class Fetched:
    """A page as fetched: the URL it came from (after redirects), its bytes and the charset the server declared."""

    url: str
    body: bytes
    encoding: str | None = None


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Redirects are followed by `Fetcher`, each target checked first."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class Fetcher:
    """Fetches single pages with the crawl's manners, by the project's settings (or `settings`); `allow`: more
    hosts for the guard to let through, `own`: (host, port) origins always allowed (a source's own)."""

    def __init__(
        self, settings: Any = None, allow: list[str] | None = None, own: set[tuple[str, int]] | None = None
    ) -> None:
        if settings is None:
            from scrapy.utils.project import get_project_settings

            settings = get_project_settings()
        self.settings = settings
        self.user_agent = settings.get("USER_AGENT")
        self.max_size = settings.getint("DOWNLOAD_MAXSIZE")
        self.timeout = settings.getfloat("DOWNLOAD_TIMEOUT")
        self.max_redirects = settings.getint("REDIRECT_MAX_TIMES")
        self.policy: AddressPolicy | None = None
        if settings.getbool("NEWSCRAWL_GUARD"):
            self.policy = AddressPolicy([*allow_list(settings), *(allow or [])], own)
        self.robots: dict[str, Any] = {}  # robots.txt parser by origin (None: everything allowed)
        self.opener = urllib.request.build_opener(_NoRedirects)

    def fetch(self, url: str) -> Fetched:
        """The page at `url`, redirects followed; FetchError when it may not or cannot be fetched."""
        status, page = self.follow(url, robots=self.settings.getbool("ROBOTSTXT_OBEY"))
        if not 200 <= status < 300:
            raise FetchError(f"{url}: HTTP {status}")
        return page

    def follow(self, url: str, robots: bool) -> tuple[int, Fetched]:
        """The last status and page of `url`'s redirect chain, each URL checked first (by robots.txt too when
        `robots`)."""
        chain = [url]
        while True:
            current = chain[-1]
            via = "" if current == url else f" (redirected from {url})"
            if self.policy is not None and (why := self.policy.refusal_now(current)):
                raise FetchError(f"refused {current}{via}: {why[1]}")
            if robots and not self.robots_allow(current):
                raise FetchError(f"{current}{via}: disallowed by robots.txt, not fetched")
            status, headers, body = self.get(current)
            location = headers.get("Location") if status in REDIRECTS else None
            if location is None:
                return status, Fetched(current, body, http_content_type_encoding(headers.get("Content-Type", "")))
            target = urljoin(current, location)
            if target in chain or len(chain) > self.max_redirects:
                raise FetchError(f"{url}: a redirect loop, or more than {self.max_redirects} redirects")
            chain.append(target)

    def robots_allow(self, url: str) -> bool:
        """True when the robots.txt of the URL's origin lets the project's User-Agent fetch it (a robots.txt that
        is missing, an error page or out of reach allows everything, as in crawls)."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self.robots:
            try:
                status, page = self.follow(f"{origin}/robots.txt", robots=False)
            except FetchError:
                status = 0
            parser = load_object(self.settings.get("ROBOTSTXT_PARSER"))
            self.robots[origin] = parser.from_crawler(None, page.body) if 200 <= status < 300 else None
        parser = self.robots[origin]
        agent = self.settings.get("ROBOTSTXT_USER_AGENT") or self.user_agent
        return parser is None or parser.allowed(url, agent)

    def get(self, url: str) -> tuple[int, Any, bytes]:
        """Status, headers and body (at most DOWNLOAD_MAXSIZE bytes) of one GET, no redirect followed."""
        request = urllib.request.Request(url, headers={"User-Agent": self.user_agent, "Accept-Encoding": "identity"})
        try:
            response = self.opener.open(request, timeout=self.timeout)
        except urllib.error.HTTPError as exc:  # an error status, or a redirect left to `follow`
            return exc.code, exc.headers, b""
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            if isinstance(reason, socket.gaierror):
                reason = f"cannot resolve host {urlsplit(url).hostname} ({reason.strerror})"
            raise FetchError(f"{url}: {reason}") from None
        with response:
            length = response.headers.get("Content-Length") or ""
            if length.isdigit() and int(length) > self.max_size:
                raise FetchError(f"{url}: larger than DOWNLOAD_MAXSIZE ({self.max_size} bytes)")
            try:
                body = response.read(self.max_size + 1)
            except OSError as exc:
                raise FetchError(f"{url}: {exc}") from None
            if len(body) > self.max_size:
                raise FetchError(f"{url}: larger than DOWNLOAD_MAXSIZE ({self.max_size} bytes)")
            return response.status, response.headers, body
