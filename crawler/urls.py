"""URL canonicalisation: one form per article, so the same story under tracking links is one record."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from w3lib.url import canonicalize_url

TRACKING_PARAMS = re.compile(r"^(utm_[a-z_]+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|_ga|ref_src)$", re.I)


def canonical_url(url: str) -> str:
    """The URL without fragment and tracking parameters, in w3lib's canonical form (sorted query)."""
    parts = urlsplit(url.strip())
    kept = [p for p in parts.query.split("&") if p and not TRACKING_PARAMS.match(p.split("=", 1)[0])]
    return canonicalize_url(parts._replace(query="&".join(kept), fragment="").geturl())


def is_web_url(url: str) -> bool:
    """True for an absolute http(s) URL with a host."""
    try:
        parts = urlsplit(url)
        return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
    except ValueError:  # e.g. a malformed IPv6 address
        return False


def same_site(a: str, b: str) -> bool:
    """True when both URLs are on the same host, ignoring a leading www."""
    return _host(a) == _host(b)


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").removeprefix("www.")
