"""HTTP(S) fetching for the ingest: timeouts, retries, a size cap, redirects, conditional requests.

Only ``http`` and ``https`` URLs are fetched. Each :class:`Fetcher` keeps one ``requests``
Session, so connections are kept alive and reused (a pool of ``FetchSettings.workers``
connections per host, shared by :meth:`Fetcher.fetch_many`'s threads). Retries are
urllib3's ``Retry`` mounted on the Session: connection errors, 5xx and 429 are retried a
bounded number of times with exponential backoff, honouring ``Retry-After``. Every download
is streamed and stopped past ``FetchSettings.max_bytes`` or the whole-download deadline;
redirects are followed by hand (bounded, and every hop is checked again, so a redirect
cannot lead to ``file://`` or to a host that is not allowed). :meth:`Fetcher.fetch_many`
fetches many URLs a few at a time on daemon threads (:mod:`monitor.ingest.threads`), so
Ctrl-C never waits for a slow server.
"""
from __future__ import annotations

import contextlib
import ipaddress
import re
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from http.cookiejar import DefaultCookiePolicy
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, cast
from urllib.parse import urljoin, urlsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter
from requests.cookies import RequestsCookieJar
from urllib3.util.retry import Retry

from monitor.ingest.threads import run_in_threads

if TYPE_CHECKING:
    from urllib3.connectionpool import ConnectionPool
    from urllib3.response import BaseHTTPResponse

USER_AGENT = "media-monitor/0.1 (offline news monitor)"
ACCEPT = ("application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, application/xml;q=0.9, "
          "text/xml;q=0.9, text/html;q=0.8, */*;q=0.5")
MB = 1024 * 1024
_RETRY_STATUSES = frozenset({429}) | frozenset(range(500, 600))
_POOL_PREFIX = re.compile(r"^(<[^>]*>|HTTPS?Connection\([^)]*\)): ")
_LONGEST_RETRY_AFTER = 30  # seconds; why: a server asking for an hour would stall the whole ingest


@dataclass(frozen=True)
class FetchSettings:
    """How to fetch: timeouts in seconds, retries, size cap, redirects, workers, allowed hosts."""

    connect_timeout: float = 10.0
    read_timeout: float = 20.0          # longest wait for the next bytes
    total_timeout: float = 120.0        # longest whole download (a server trickling bytes)
    retries: int = 2                    # extra attempts after connection errors, 5xx and 429
    backoff: float = 1.0                # first pause between attempts; doubles each time
    max_bytes: int = 10 * MB
    max_redirects: int = 5
    workers: int = 4                    # concurrent downloads in fetch_many (and pooled connections per host)
    user_agent: str = USER_AGENT
    allowed_hosts: frozenset[str] | None = None  # None: any host


DEFAULT_SETTINGS = FetchSettings()


@dataclass(frozen=True)
class Fetched:
    """A successful fetch: the final URL, the status and the body (empty when not modified)."""

    url: str                       # after redirects
    status: int
    content: bytes
    content_type: str | None
    etag: str | None
    last_modified: str | None
    not_modified: bool = False     # a 304 answer to a conditional request


class FetchError(Exception):
    """A URL that could not be fetched, and why, in words for a person."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url, self.reason = url, reason


class _Cancelled(Exception):
    """The fetcher was cancelled while waiting to retry."""


class _Retries(Retry):
    """urllib3's Retry with this module's policy on top.

    urllib3 counts the attempts, tells what is worth another one (a connection error or a
    dropped connection, a status in ``status_forcelist``) and reads ``Retry-After`` (capped
    by ``retry_after_max``). On top: a read timeout is never retried (a slow server is not
    asked again), the pause is ``backoff_factor`` doubling from the first retry or the
    server's Retry-After when longer, and the pause ends at once when the fetcher is cancelled.
    """

    # why: urllib3 would also retry a 413 that has a Retry-After; only 5xx and 429 are retried here.
    RETRY_AFTER_STATUS_CODES = frozenset({429, 503})

    def __init__(self, *args: Any, cancelled: threading.Event | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cancelled = cancelled or threading.Event()

    def new(self, **kw: Any) -> Self:
        """Return the next Retry (urllib3 makes one per attempt), keeping the cancel event."""
        kw.setdefault("cancelled", self.cancelled)
        return super().new(**kw)

    def increment(self, method: str | None = None, url: str | None = None,
                  response: BaseHTTPResponse | None = None, error: Exception | None = None,
                  _pool: ConnectionPool | None = None, _stacktrace: TracebackType | None = None) -> Self:
        """Return the Retry for the next attempt; raise a read timeout as is, and MaxRetryError when out of retries."""
        if isinstance(error, urllib3.exceptions.ReadTimeoutError):
            raise error
        if response is not None:
            # why: urllib3 would read the whole error body to reuse the connection, past the size cap and deadline.
            response.close()
        return super().increment(method, url, response, error, _pool, _stacktrace)

    def sleep(self, response: BaseHTTPResponse | None = None) -> None:
        """Wait before the next attempt; raise _Cancelled when the fetcher is cancelled meanwhile."""
        pause = self.backoff_factor * 2 ** max(len(self.history) - 1, 0)
        if response is not None:
            with contextlib.suppress(urllib3.exceptions.InvalidHeader):  # why: an unreadable one leaves the backoff
                pause = max(pause, self.get_retry_after(response) or 0.0)
        if self.cancelled.wait(pause):
            raise _Cancelled


class Fetcher:
    """Fetches URLs with one set of :class:`FetchSettings` over one pool of connections.

    :meth:`cancel` stops it for good; :meth:`close` (or ``with Fetcher() as f:``) closes the
    pooled connections. One Fetcher may be used from several threads at once.
    """

    def __init__(self, settings: FetchSettings = DEFAULT_SETTINGS) -> None:
        self.settings = settings
        self._cancelled = threading.Event()
        self._session = _session(settings, self._cancelled)

    def __enter__(self) -> Self:
        """Return this fetcher; its connections are closed at the end of the block."""
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Close the pooled connections."""
        self.close()

    def close(self) -> None:
        """Close the pooled connections (a later fetch opens new ones)."""
        self._session.close()

    def cancel(self) -> None:
        """Make running downloads stop at their next chunk or retry and later fetches fail at once."""
        self._cancelled.set()

    def check(self, url: str) -> str:
        """Return ``url`` if it may be fetched; raise FetchError saying why not."""
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https"):
            shown = f"{scheme}://" if scheme else "a URL without a scheme"
            raise FetchError(url, f"only http and https URLs can be fetched, not {shown}")
        host = (parts.hostname or "").lower()
        if not host:
            raise FetchError(url, "the URL names no host")
        allowed = self.settings.allowed_hosts
        if allowed is not None and host not in allowed:
            raise FetchError(url, f"host {host} is not in the allowed hosts")
        return url

    def fetch(self, url: str, etag: str | None = None, last_modified: str | None = None) -> Fetched:
        """Return the fetched URL; with an ETag or Last-Modified, a 304 comes back as not modified.

        Raises FetchError with the URL and the reason ("HTTP 404", "timed out after 10 s", ...).
        """
        self.check(url)
        if self._cancelled.is_set():
            raise FetchError(url, "cancelled")
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        try:
            response, final = self._follow(url, headers)
            with response:
                return self._result(response, url, final, etag, last_modified)
        except _Cancelled:
            raise FetchError(url, "cancelled") from None
        except requests.exceptions.RequestException as exc:
            raise FetchError(url, self._failure(exc)) from None

    def fetch_many(self, urls: Sequence[str],
                   validators: Mapping[str, tuple[str | None, str | None]] | None = None,
                   ) -> list[Fetched | FetchError]:
        """Return each URL's Fetched or FetchError, in order, ``settings.workers`` at a time.

        ``validators`` maps a URL to its previous (ETag, Last-Modified).
        """
        validators = validators or {}
        jobs = [partial(self._fetch_or_error, url, *validators.get(url, (None, None))) for url in urls]
        return run_in_threads(jobs, self.settings.workers, self.cancel, name="monitor-fetch")

    def _fetch_or_error(self, url: str, etag: str | None, last_modified: str | None) -> Fetched | FetchError:
        """Return the Fetched, or the FetchError instead of raising it."""
        try:
            return self.fetch(url, etag, last_modified)
        except FetchError as error:
            return error

    def _failure(self, exc: requests.exceptions.RequestException) -> str:
        """Return the reason, in words, of a request that failed (after urllib3's retries)."""
        if isinstance(exc, requests.exceptions.ReadTimeout) or _is_read_timeout(exc):
            return f"timed out after {_secs(self.settings.read_timeout)}"
        # why: urllib3 gives up (MaxRetryError) only once the total is spent, and every attempt counts against it.
        gave_up = bool(exc.args) and isinstance(exc.args[0], urllib3.exceptions.MaxRetryError)
        tries = _attempts(self.settings.retries + 1 if gave_up else 1)
        if isinstance(exc, requests.exceptions.ConnectTimeout):
            return f"connection timed out after {_secs(self.settings.connect_timeout)}{tries}"
        if isinstance(exc, (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError)):
            return f"connection failed: {_root_cause(exc)}{tries}"
        return f"{type(exc).__name__}: {_root_cause(exc)}"

    def _follow(self, url: str, headers: dict[str, str]) -> tuple[requests.Response, str]:
        """Return the first non-redirect response and its URL, checking every hop.

        Cookies set along the way are sent to the next hops of this fetch only.
        """
        timeout = (self.settings.connect_timeout, self.settings.read_timeout)
        cookies = RequestsCookieJar()
        current = url
        for _ in range(self.settings.max_redirects + 1):
            response = self._session.get(current, headers=headers, cookies=cookies, timeout=timeout, stream=True,
                                         allow_redirects=False, proxies=_proxies(current))
            if not response.is_redirect:
                return response, current
            cookies.update(response.cookies)
            response.close()
            target = urljoin(current, response.headers["location"])
            try:
                current = self.check(target)
            except FetchError as error:
                raise FetchError(url, f"redirected to {target}: {error.reason}") from None
        raise FetchError(url, f"more than {self.settings.max_redirects} redirects")

    def _result(self, response: requests.Response, url: str, final: str,
                etag: str | None, last_modified: str | None) -> Fetched:
        """Return the Fetched of a final response, or raise for an error status."""
        status = response.status_code
        if status in _RETRY_STATUSES:
            # urllib3 retried it as long as it could: its last Retry holds the attempts before this one.
            history = getattr(getattr(response.raw, "retries", None), "history", ())
            raise FetchError(url, _http_reason(response) + _attempts(len(history) + 1))
        if status == 304:
            return Fetched(final, status, b"", response.headers.get("content-type"),
                           response.headers.get("etag", etag), response.headers.get("last-modified", last_modified),
                           not_modified=True)
        if not 200 <= status < 300:
            raise FetchError(url, _http_reason(response))
        content = self._read(response, url)
        return Fetched(final, status, content, response.headers.get("content-type"),
                       response.headers.get("etag"), response.headers.get("last-modified"))

    def _read(self, response: requests.Response, url: str) -> bytes:
        """Return the (decompressed) body, stopping past the size cap or the total timeout."""
        cap = self.settings.max_bytes
        too_big = FetchError(url, f"larger than the {_size(cap)} cap")
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            raise too_big
        deadline = time.monotonic() + self.settings.total_timeout
        chunks, total = [], 0
        for chunk in response.iter_content(64 * 1024):
            total += len(chunk)
            if total > cap:
                raise too_big
            if self._cancelled.is_set():
                raise FetchError(url, "cancelled")
            if time.monotonic() > deadline:
                raise FetchError(url, f"timed out after {_secs(self.settings.total_timeout)} (whole download)")
            chunks.append(chunk)
        return b"".join(chunks)


def fetch(url: str, *, etag: str | None = None, last_modified: str | None = None,
          settings: FetchSettings = DEFAULT_SETTINGS) -> Fetched:
    """Return one fetched URL (see :meth:`Fetcher.fetch`); raises FetchError."""
    with Fetcher(settings) as fetcher:
        return fetcher.fetch(url, etag, last_modified)


def fetch_many(urls: Sequence[str], *, settings: FetchSettings = DEFAULT_SETTINGS,
               validators: Mapping[str, tuple[str | None, str | None]] | None = None) -> list[Fetched | FetchError]:
    """Return each URL's Fetched or FetchError, in order (see :meth:`Fetcher.fetch_many`)."""
    with Fetcher(settings) as fetcher:
        return fetcher.fetch_many(urls, validators)


def _session(settings: FetchSettings, cancelled: threading.Event) -> requests.Session:
    """Return a Session that retries by ``settings``, pools ``workers`` connections per host and keeps no cookies."""
    retries = _Retries(total=settings.retries, status_forcelist=_RETRY_STATUSES, backoff_factor=settings.backoff,
                       retry_after_max=_LONGEST_RETRY_AFTER, raise_on_status=False, cancelled=cancelled)
    adapter = HTTPAdapter(pool_maxsize=max(settings.workers, 1), max_retries=retries)
    session = requests.Session()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers.update({"User-Agent": settings.user_agent, "Accept": ACCEPT})
    # why: kept cookies would follow a reader from fetch to fetch on a site (a watch runs for days).
    session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
    return session


def _proxies(url: str) -> dict[str, str] | None:
    """Return this request's proxies: None (the environment's) for most URLs, none at all for loopback."""
    # why: a proxy from the environment must never see loopback traffic. A None value drops the environment's
    # proxy for that scheme (requests' hints say str, but it removes None values when merging).
    return cast("dict[str, str]", dict.fromkeys(("http", "https", "all"))) if _is_loopback(url) else None


def _is_loopback(url: str) -> bool:
    """Return True when the URL's host is localhost or a loopback address."""
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _is_read_timeout(exc: BaseException) -> bool:
    """Return True when requests wrapped a read timeout met while streaming the body."""
    return any(isinstance(arg, urllib3.exceptions.ReadTimeoutError) for arg in exc.args)


def _root_cause(exc: BaseException) -> str:
    """Return the innermost reason of a requests/urllib3 error, without the pool's prefix."""
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    text = str(reason or (exc.args[0] if exc.args else exc))
    # "HTTPConnection(host=..., port=...): Failed to ..." -> "Failed to ..."
    return _POOL_PREFIX.sub("", text)


def _http_reason(response: requests.Response) -> str:
    """Return "HTTP 404 Not Found"-style words for an error status."""
    return f"HTTP {response.status_code} {response.reason or ''}".rstrip()


def _attempts(n: int) -> str:
    """Return " (after 3 attempts)", or "" for a single attempt."""
    return f" (after {n} attempts)" if n > 1 else ""


def _secs(seconds: float) -> str:
    """Return "10 s" / "0.5 s"."""
    return f"{seconds:g} s"


def _size(n: int) -> str:
    """Return a cap in words: "10 MB", "64 KB" or "1,000 byte"."""
    if n >= MB and n % MB == 0:
        return f"{n // MB} MB"
    if n >= 1024 and n % 1024 == 0:
        return f"{n // 1024} KB"
    return f"{n:,} byte"
