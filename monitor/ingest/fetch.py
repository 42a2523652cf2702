"""HTTP(S) fetching for the ingest: timeouts, retries, a size cap, redirects, conditional requests.

Only ``http`` and ``https`` URLs are fetched. Every download is streamed and stopped past
``FetchSettings.max_bytes``; connection errors, 5xx and 429 are retried a bounded number
of times with exponential backoff; redirects are followed by hand (bounded, and every hop
is checked again, so a redirect cannot lead to ``file://`` or to a host that is not
allowed). :meth:`Fetcher.fetch_many` fetches many URLs a few at a time on daemon threads
(:mod:`monitor.ingest.threads`), so Ctrl-C never waits for a slow server.
"""
from __future__ import annotations

import ipaddress
import re
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from urllib.parse import urljoin, urlsplit

import requests
import urllib3

from monitor.ingest.threads import run_in_threads

USER_AGENT = "media-monitor/0.1 (offline news monitor)"
ACCEPT = ("application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, application/xml;q=0.9, "
          "text/xml;q=0.9, text/html;q=0.8, */*;q=0.5")
MB = 1024 * 1024
_RETRY_STATUSES = frozenset({429}) | frozenset(range(500, 600))
_POOL_PREFIX = re.compile(r"^(<[^>]*>|HTTPS?Connection\([^)]*\)): ")
_LONGEST_RETRY_AFTER = 30.0  # why: a server asking for an hour would stall the whole ingest


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
    workers: int = 4                    # concurrent downloads in fetch_many
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


class _Retry(Exception):
    """A failure worth another attempt (connection error, 5xx, 429)."""

    def __init__(self, reason: str, after: float | None = None) -> None:
        super().__init__(reason)
        self.reason, self.after = reason, after


class Fetcher:
    """Fetches URLs with one set of :class:`FetchSettings`; :meth:`cancel` stops it for good."""

    def __init__(self, settings: FetchSettings = DEFAULT_SETTINGS) -> None:
        self.settings = settings
        self._cancelled = threading.Event()

    def cancel(self) -> None:
        """Make running downloads stop at their next chunk and later fetches fail at once."""
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
        headers = {"User-Agent": self.settings.user_agent, "Accept": ACCEPT}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        for attempt in range(self.settings.retries + 1):
            if self._cancelled.is_set():
                raise FetchError(url, "cancelled")
            try:
                return self._attempt(url, headers, etag, last_modified)
            except _Retry as retry:
                if attempt == self.settings.retries:
                    tries = f" (after {attempt + 1} attempts)" if attempt else ""
                    raise FetchError(url, retry.reason + tries) from None
                self._cancelled.wait(self._pause(attempt, retry.after))
        raise AssertionError("unreachable")  # why: the loop always returns or raises

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

    def _pause(self, attempt: int, retry_after: float | None) -> float:
        """Return the seconds to wait before the next attempt (backoff, or the server's Retry-After)."""
        delay = self.settings.backoff * 2 ** attempt
        if retry_after is not None:
            delay = max(delay, min(retry_after, _LONGEST_RETRY_AFTER))
        return delay

    def _attempt(self, url: str, headers: dict[str, str], etag: str | None, last_modified: str | None) -> Fetched:
        """Return one attempt's result; raise _Retry for what is worth retrying, else FetchError."""
        with requests.Session() as session:
            # why: a proxy from the environment must never see loopback traffic.
            session.trust_env = not _is_loopback(url)
            try:
                response, final = self._follow(session, url, headers)
                with response:
                    return self._result(response, url, final, etag, last_modified)
            except requests.exceptions.ReadTimeout:
                raise FetchError(url, f"timed out after {_secs(self.settings.read_timeout)}") from None
            except requests.exceptions.ConnectTimeout:
                raise _Retry(f"connection timed out after {_secs(self.settings.connect_timeout)}") from None
            except (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
                if _is_read_timeout(exc):
                    raise FetchError(url, f"timed out after {_secs(self.settings.read_timeout)}") from None
                raise _Retry(f"connection failed: {_root_cause(exc)}") from None
            except requests.exceptions.RequestException as exc:
                raise FetchError(url, f"{type(exc).__name__}: {_root_cause(exc)}") from None

    def _follow(self, session: requests.Session, url: str,
                headers: dict[str, str]) -> tuple[requests.Response, str]:
        """Return the first non-redirect response and its URL, checking every hop."""
        timeout = (self.settings.connect_timeout, self.settings.read_timeout)
        current = url
        for _ in range(self.settings.max_redirects + 1):
            response = session.get(current, headers=headers, timeout=timeout, stream=True, allow_redirects=False)
            if not response.is_redirect:
                return response, current
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
            raise _Retry(_http_reason(response), _retry_after(response))
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
    return Fetcher(settings).fetch(url, etag, last_modified)


def fetch_many(urls: Sequence[str], *, settings: FetchSettings = DEFAULT_SETTINGS,
               validators: Mapping[str, tuple[str | None, str | None]] | None = None) -> list[Fetched | FetchError]:
    """Return each URL's Fetched or FetchError, in order (see :meth:`Fetcher.fetch_many`)."""
    return Fetcher(settings).fetch_many(urls, validators)


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


def _retry_after(response: requests.Response) -> float | None:
    """Return the Retry-After header in seconds when it is a number, else None."""
    value = response.headers.get("retry-after", "").strip()
    return float(value) if value.isdigit() else None


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
