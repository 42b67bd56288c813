"""URL canonicalisation: one form per article, so the same story under tracking links is one record."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

from w3lib.url import canonicalize_url

DEFAULT_PORTS = {"http": 80, "https": 443}
TRACKING_PARAMS = re.compile(r"^(utm_[a-z_]+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|_ga|ref_src)$", re.I)


@lru_cache(maxsize=4096)  # a page's URL is canonicalised for its record, its `pages` row and its kept page
def canonical_url(url: str) -> str:
    """The URL without fragment and tracking parameters, in w3lib's canonical form (sorted query)."""
    parts = urlsplit(url.strip())
    kept = [p for p in parts.query.split("&") if p and not TRACKING_PARAMS.match(p.split("=", 1)[0])]
    return canonicalize_url(parts._replace(query="&".join(kept), fragment="").geturl())


def same_origin(a: str, b: str) -> bool:
    """True when both are http(s) URLs of one origin: the same scheme, host and port."""
    first, second = _origin(a), _origin(b)
    return first is not None and first == second


def is_web_url(url: str) -> bool:
    """True for an absolute http(s) URL with a host."""
    try:
        parts = urlsplit(url)
        return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
    except ValueError:  # e.g. a malformed IPv6 address
        return False



def _origin(url: str) -> tuple[str, str, int] | None:
    parts = urlsplit(url.strip())
    try:
        port = parts.port
    except ValueError:  # a port that is not a number
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    return scheme, parts.hostname.lower(), port or DEFAULT_PORTS[scheme]
