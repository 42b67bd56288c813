"""Why a fetch failed: the kind counted in the runs row (`newscrawl/errors/<kind>`) and a one-line reason."""

from __future__ import annotations

from scrapy.exceptions import DownloadCancelledError, DownloadFailedError, IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

ROBOTS_FORBIDDEN = "Forbidden by robots.txt"  # the message of Scrapy's RobotsTxtMiddleware
TOO_LARGE = "too_large"
ROBOTS_DISALLOWED = "robots_disallowed"
# a page fetched but not extracted (crawler/crawl/bounds.py): its `pages` row has the kind as status
EXTRACT_TIMEOUT = "extract_timeout"  # extraction ran past NEWSCRAWL_EXTRACT_TIMEOUT; its worker was replaced
TOO_COMPLEX = "too_complex"  # more tags than NEWSCRAWL_MAX_ELEMENTS; not extracted
EXTRACTION_CRASHED = "extraction_crashed"  # the worker process extracting it died
NOT_EXTRACTED = (EXTRACT_TIMEOUT, TOO_COMPLEX, EXTRACTION_CRASHED)


class RedirectLoop(IgnoreRequest):
    """A redirect back to a URL already in the request's redirect chain."""


class TooManyRedirects(IgnoreRequest):
    """A redirect chain longer than REDIRECT_MAX_TIMES."""


def describe(failure: Failure, max_size: int) -> tuple[str, str]:
    """The kind of a failed fetch (http_503, DownloadTimeoutError, too_large, ...) and why, in a few words.

    Exception class names are the kinds, except: an HTTP error is `http_<status>`; a download cut at
    DOWNLOAD_MAXSIZE (Scrapy cancels it, or refuses to inflate it further) is `too_large`; a URL robots.txt
    forbids is `robots_disallowed`; a connection that failed is named by its Twisted reason (`ConnectionLost`,
    `ConnectionRefusedError`, ...)."""
    value = failure.value
    message = str(value)
    if isinstance(value, HttpError):
        status = value.response.status
        return f"http_{status}", f"HTTP {status}"
    # the only cancelled downloads of a crawl are the ones over the size cap (nothing here raises StopDownload)
    if isinstance(value, DownloadCancelledError) or (isinstance(value, IgnoreRequest) and "MAXSIZE" in message):
        return TOO_LARGE, f"larger than DOWNLOAD_MAXSIZE ({max_size} bytes), download cut"
    if isinstance(value, IgnoreRequest) and message == ROBOTS_FORBIDDEN:
        return ROBOTS_DISALLOWED, "disallowed by robots.txt, not fetched"
    reasons = getattr(value.__cause__, "reasons", None)  # twisted's ResponseFailed / ResponseNeverReceived
    if isinstance(value, DownloadFailedError) and reasons:
        reason = reasons[0]
        return reason.type.__name__, reason.getErrorMessage()
    return type(value).__name__, message or type(value).__name__
