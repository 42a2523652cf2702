"""Why a fetch failed, in words for a person: the reason a FetchError carries ("HTTP 404 Not Found",
"timed out after 10 s", "connection failed: ... (after 3 attempts)").

Text from a server or a URL is made printable (control characters escaped, cut at a length)
before it is put into a reason, so a hostile server cannot write to the terminal or the log.
"""
from __future__ import annotations

import re

import requests
import urllib3

from monitor.ingest.fetch_types import MB, FetchSettings
from monitor.ingest.http_session import Cancelled
from monitor.ingest.network import Deadline, DeadlineExpired

_POOL_PREFIX = re.compile(r"^(<[^>]*>|HTTPS?Connection\([^)]*\)): ")


def fetch_reason(exc: Exception, deadline: Deadline, settings: FetchSettings, cancelled: bool) -> str:
    """Return the reason, in words, of a fetch that raised ``exc`` (``cancelled``: the fetcher was cancelled)."""
    if cancelled or isinstance(exc, Cancelled):
        return "cancelled"
    if deadline.passed() or isinstance(exc, DeadlineExpired):
        return f"timed out after {_secs(settings.total_timeout)} (whole fetch)"
    if isinstance(exc, requests.exceptions.InvalidURL | ValueError | UnicodeError):
        return f"malformed URL: {printable(_root_cause(exc))}"
    if isinstance(exc, requests.exceptions.RequestException):
        return _failure(exc, settings)
    return f"{type(exc).__name__}: {printable(str(exc))}"


def _failure(exc: requests.exceptions.RequestException, settings: FetchSettings) -> str:
    """Return the reason, in words, of a request that failed (after urllib3's retries)."""
    if isinstance(exc, requests.exceptions.ReadTimeout) or _is_read_timeout(exc):
        return f"timed out after {_secs(settings.read_timeout)}"
    # why: urllib3 gives up (MaxRetryError) only once the total is spent, and every attempt counts against it.
    gave_up = bool(exc.args) and isinstance(exc.args[0], urllib3.exceptions.MaxRetryError)
    tries = attempts(settings.retries + 1 if gave_up else 1)
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return f"connection timed out after {_secs(settings.connect_timeout)}{tries}"
    if isinstance(exc, (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError)):
        return f"connection failed: {printable(_root_cause(exc))}{tries}"
    return f"{type(exc).__name__}: {printable(_root_cause(exc))}"


def _is_read_timeout(exc: BaseException) -> bool:
    """Return True when requests wrapped a read timeout met while streaming the body."""
    return any(isinstance(arg, urllib3.exceptions.ReadTimeoutError) for arg in exc.args)


def _root_cause(exc: BaseException) -> str:
    """Return the innermost reason of a requests/urllib3 error, without the pool's prefix."""
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    text = str(reason or (exc.args[0] if exc.args else exc))
    # "HTTPConnection(host=..., port=...): Failed to ..." -> "Failed to ..."
    return _POOL_PREFIX.sub("", text)


def http_reason(response: requests.Response) -> str:
    """Return "HTTP 404 Not Found"-style words for an error status (the server's phrase made printable)."""
    return f"HTTP {response.status_code} {printable(response.reason or '')}".rstrip()


def printable(text: str, limit: int = 300) -> str:
    """Return text from a server or a URL with control characters escaped (``\\x1b``) and cut at ``limit``."""
    shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text[:limit])
    return shown + ("..." if len(text) > limit else "")


def attempts(n: int) -> str:
    """Return " (after 3 attempts)", or "" for a single attempt."""
    return f" (after {n} attempts)" if n > 1 else ""


def _secs(seconds: float) -> str:
    """Return "10 s" / "0.5 s"."""
    return f"{seconds:g} s"


def size(n: int) -> str:
    """Return a cap in words: "10 MB", "64 KB" or "1,000 byte"."""
    if n >= MB and n % MB == 0:
        return f"{n // MB} MB"
    if n >= 1024 and n % 1024 == 0:
        return f"{n // 1024} KB"
    return f"{n:,} byte"
