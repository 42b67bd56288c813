"""AddressGuard: hostile pages cannot make the crawler fetch from the machine's own network (request forgery).

A page, a feed or a redirect may point anywhere: at the cloud metadata service (169.254.169.254), at a database on
10.0.0.1, at another port of localhost, at file:///etc/passwd. The guard, a downloader middleware, sees every
request before it leaves (redirect targets and robots.txt too: they pass through the middlewares again) and refuses

- any scheme but http and https (file:, ftp:, data:, s3:, gopher:, ...);
- a host that is, or resolves to, a loopback, private, link-local, multicast, reserved, unspecified or otherwise
  non-global address, IPv4 or IPv6, however written (127.1, 0x7f000001, 2130706433, [::ffff:127.0.0.1], NAT64
  and 6to4 forms of an IPv4 address): the name is resolved as the downloader will resolve it;

except the source's own origins (host and port of its homepage, sitemaps, feeds and sections: a source configured
on a private host may crawl that host) and the hosts or networks in NEWSCRAWL_ALLOW_HOSTS. A refused request is
logged in one line with its URL and why, and counted as `newscrawl/errors/refused_scheme` or `refused_address`
(the runs row's errors by kind). A host that does not resolve is let through: its fetch fails as it would anyway.
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import socket
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.exceptions import IgnoreRequest, NotConfigured

from crawler.crawl.runstate import RunState

SCHEMES = ("http", "https")
DEFAULT_PORTS = {"http": 80, "https": 443}
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class Refused(IgnoreRequest):
    """A request the guard refused (already logged and counted)."""


def origin(url: str) -> tuple[str, int] | None:
    """(host, port) of an http(s) URL, the port made explicit; None for another scheme or no host."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in SCHEMES or not parts.hostname:
        return None
    return parts.hostname.lower(), port or DEFAULT_PORTS[parts.scheme]


NAT64 = ipaddress.ip_network("64:ff9b::/96")


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for: mapped (::ffff:a.b.c.d), NAT64 (64:ff9b::a.b.c.d), 6to4."""
    if address.ipv4_mapped:
        return address.ipv4_mapped
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address.sixtofour


def forbidden(address: IPAddress) -> str | None:
    """Why a request may not go to `address` (None: a global unicast address, fine)."""
    if isinstance(address, ipaddress.IPv6Address) and (inner := embedded_ipv4(address)) is not None:
        address = inner  # ::ffff:127.0.0.1 is 127.0.0.1
    for kind in ("loopback", "link_local", "multicast", "reserved", "unspecified", "private"):
        if getattr(address, f"is_{kind}"):
            return kind.replace("_", "-")
    return None if address.is_global else "not global"


def literal_address(host: str) -> IPAddress | None:
    """The address a host name is written as (plain dotted or colon notation), else None."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def source_origins(source: Any) -> set[tuple[str, int]]:
    """(host, port) of a source's homepage, sitemaps, feeds and sections: always allowed to it (none for None)."""
    urls = (source.homepage, *source.sitemaps, *source.feeds, *source.sections) if source else ()
    return {found for found in map(origin, urls) if found}


def allow_list(settings: Any) -> list[str]:
    """NEWSCRAWL_ALLOW_HOSTS: the setting's entries and the environment variable's (comma-separated)."""
    from_env = os.environ.get("NEWSCRAWL_ALLOW_HOSTS", "").split(",")
    return [entry.strip() for entry in [*settings.getlist("NEWSCRAWL_ALLOW_HOSTS"), *from_env] if entry.strip()]


def _addresses(infos: list[tuple]) -> list[IPAddress]:
    addresses = []
    for info in infos:
        try:
            addresses.append(ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]))
        except ValueError:
            continue
    return addresses


async def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address `host` resolves to, as the downloader would resolve it (getaddrinfo also reads 127.1,
    0x7f000001 and 2130706433 as 127.0.0.1); empty when it does not resolve."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return resolve_now(host, port)
    try:
        return _addresses(await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM))
    except (OSError, UnicodeError):
        return []


def resolve_now(host: str, port: int) -> list[IPAddress]:
    """`resolve`, blocking (outside a crawl)."""
    try:
        return _addresses(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
    except (OSError, UnicodeError):
        return []


class AddressPolicy:
    """Which URLs may be fetched: http(s) ones whose host is a global address, an origin of `own_origins()` or in
    the allow list (NEWSCRAWL_ALLOW_HOSTS: host names, addresses or networks such as 10.1.0.0/16)."""

    def __init__(self, allow: list[str], own: set[tuple[str, int]] | None = None) -> None:
        self.allowed_hosts: set[str] = set()
        self.allowed_networks: list[Network] = []
        for entry in allow:
            try:
                self.allowed_networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
            except ValueError:
                self.allowed_hosts.add(entry.lower())
        self.own = own

    def own_origins(self) -> set[tuple[str, int]]:
        """(host, port) pairs always allowed."""
        return self.own or set()

    def lookup(self, url: str) -> tuple[str, int] | None:
        """The (host, port) whose addresses decide about `url`; None when the URL alone decides."""
        target = origin(url)
        if target is None or target in self.own_origins() or target[0] in self.allowed_hosts:
            return None
        return None if literal_address(target[0]) is not None else target

    def judge(self, url: str, resolved: list[IPAddress]) -> tuple[str, str] | None:
        """(kind, why) when `url` may not be fetched, else None; `resolved`: the addresses of `lookup(url)`."""
        scheme = urlsplit(url).scheme.lower()
        if scheme not in SCHEMES:
            return "scheme", f"{scheme or 'no'} scheme (only http and https are fetched)"
        target = origin(url)
        if target is None:
            return "address", "no host or a bad port"
        host = target[0]
        if target in self.own_origins() or host in self.allowed_hosts:
            return None
        literal = literal_address(host)
        for address in [literal] if literal is not None else resolved:
            if any(address in network for network in self.allowed_networks):
                continue
            problem = forbidden(address)
            if problem:
                shown = "" if str(address) == host else f" ({host} is {address})"
                return "address", f"{problem} address{shown}; NEWSCRAWL_ALLOW_HOSTS={host} would let it through"
        return None

    def refusal_now(self, url: str) -> tuple[str, str] | None:
        """`judge`, the host resolved here and now (blocking: outside a crawl)."""
        target = self.lookup(url)
        return self.judge(url, resolve_now(*target) if target else [])


class AddressGuard(AddressPolicy):
    """Refuses requests to non-http(s) schemes and to non-global addresses, except the source's own origins and
    NEWSCRAWL_ALLOW_HOSTS (the setting or the environment variable). Off with NEWSCRAWL_GUARD."""

    def __init__(self, crawler: Any, allow: list[str]) -> None:
        super().__init__(allow)
        self.crawler = crawler
        self.resolved: dict[tuple[str, int], list[IPAddress]] = {}

    @classmethod
    def from_crawler(cls, crawler: Any) -> AddressGuard:
        if not crawler.settings.getbool("NEWSCRAWL_GUARD"):
            raise NotConfigured("NEWSCRAWL_GUARD is off: requests to private addresses are not refused")
        return cls(crawler, allow_list(crawler.settings))

    def own_origins(self) -> set[tuple[str, int]]:
        """Origins of the crawling source's homepage, sitemaps, feeds and sections."""
        if self.own is None:
            self.own = source_origins(RunState.of(self.crawler).source)
        return self.own

    async def process_request(self, request: Request, spider: Any = None) -> None:
        why = await self.refusal(request.url)
        if why is None:
            return
        kind, detail = why
        self.crawler.stats.inc_value(f"newscrawl/errors/refused_{kind}")
        redirected = request.meta.get("redirect_urls")
        via = f" (redirected from {redirected[0]})" if redirected else ""
        self.crawler.spider.logger.warning("refused %s%s: %s", request.url, via, detail)
        raise Refused(f"refused {request.url}: {detail}")

    async def refusal(self, url: str) -> tuple[str, str] | None:
        """(kind, why) when `url` may not be fetched, else None (a host is resolved once per run)."""
        target = self.lookup(url)
        if target is not None and target not in self.resolved:
            self.resolved[target] = await resolve(*target)
        return self.judge(url, self.resolved[target] if target else [])
