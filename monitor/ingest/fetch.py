"""HTTP(S) fetching for the ingest: a network policy, one deadline per fetch, retries, a size cap, redirects.

Only ``http`` and ``https`` URLs are fetched, and by default only public addresses: the policy
(:mod:`monitor.ingest.network`) refuses internal hosts by their spelling and again after name
resolution on every connection, at every redirect hop; ``FetchSettings.allow_hosts``
(``--allow-host``, ``MONITOR_ALLOW_HOSTS``) opens named ones. A malformed URL or redirect
target is a FetchError with its reason, never another exception. Each :class:`Fetcher` keeps
one ``requests`` Session, so connections are kept alive and reused (a pool of
``FetchSettings.workers`` connections per host). Retries are urllib3's ``Retry`` mounted on the
Session: connection errors, 5xx and 429 are retried a bounded number of times with exponential
backoff, honouring ``Retry-After``. Every fetch has one total deadline (``total_timeout``) over
name resolution, connections, redirects, retries, headers and body, enforced by a watchdog that
shuts the sockets down, so a server trickling bytes cannot stretch it; every download is
streamed and stopped past ``max_bytes``. :meth:`Fetcher.fetch_many` and
:meth:`Fetcher.fetch_each` fetch many URLs a few at a time on daemon threads, so Ctrl-C never
waits for a slow server.
"""
from __future__ import annotations

import contextlib
import queue
import re
import threading
from collections import deque
from collections.abc import Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from http.cookiejar import DefaultCookiePolicy
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, cast
from urllib.parse import SplitResult, urljoin, urlsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter
from requests.cookies import RequestsCookieJar
from requests.utils import get_environ_proxies, select_proxy
from urllib3.util.retry import Retry

from monitor.ingest.network import (
    Deadline,
    DeadlineExpired,
    Policy,
    Refused,
    allow_hosts_from_env,
    current,
    literal_address,
    parse_allow_hosts,
    pool_classes,
)
from monitor.ingest.threads import run_in_threads

if TYPE_CHECKING:
    from urllib3.connectionpool import ConnectionPool
    from urllib3.poolmanager import PoolManager
    from urllib3.response import BaseHTTPResponse

USER_AGENT = "media-monitor/0.1 (offline news monitor)"
ACCEPT = ("application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, application/xml;q=0.9, "
          "text/xml;q=0.9, text/html;q=0.8, */*;q=0.5")
MB = 1024 * 1024
MAX_URL_LENGTH = 4096  # why: real article URLs stay far below; a longer one is a feed's garbage or an attack
_RETRY_STATUSES = frozenset({429}) | frozenset(range(500, 600))
_POOL_PREFIX = re.compile(r"^(<[^>]*>|HTTPS?Connection\([^)]*\)): ")
_LONGEST_RETRY_AFTER = 30  # seconds; why: a server asking for an hour would stall the whole ingest
_HOST_CHARS = re.compile(r"^[a-z0-9_.-]+$")


@dataclass(frozen=True)
class FetchSettings:
    """How to fetch: timeouts in seconds, retries, size cap, redirects, workers, allowed hosts, the allow-list."""

    connect_timeout: float = 10.0
    read_timeout: float = 20.0          # longest wait for the next bytes
    total_timeout: float = 120.0        # longest whole fetch: resolution, redirects, retries, headers and body
    retries: int = 2                    # extra attempts after connection errors, 5xx and 429
    backoff: float = 1.0                # first pause between attempts; doubles each time
    max_bytes: int = 10 * MB
    max_redirects: int = 5
    workers: int = 4                    # concurrent downloads in fetch_many (and pooled connections per host)
    user_agent: str = USER_AGENT
    allowed_hosts: frozenset[str] | None = None  # None: any host; else only these host names
    # internal hosts, addresses or networks (CIDR) that may be fetched all the same (by default none)
    allow_hosts: frozenset[str] = field(default_factory=allow_hosts_from_env)
    max_pages: int = 500                # item pages fetched per feed; later summary-only items keep their summary


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
    asked again), nothing is retried past the fetch's deadline, the pause is ``backoff_factor``
    doubling from the first retry or the server's Retry-After when longer, and the pause ends
    at once when the fetcher is cancelled or the deadline comes.
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
        deadline = current()
        if deadline is not None and deadline.expired.is_set():
            raise DeadlineExpired
        return super().increment(method, url, response, error, _pool, _stacktrace)

    def sleep(self, response: BaseHTTPResponse | None = None) -> None:
        """Wait before the next attempt; raise _Cancelled or DeadlineExpired when either comes first."""
        pause = self.backoff_factor * 2 ** max(len(self.history) - 1, 0)
        if response is not None:
            with contextlib.suppress(urllib3.exceptions.InvalidHeader):  # why: an unreadable one leaves the backoff
                pause = max(pause, self.get_retry_after(response) or 0.0)
        deadline = current()
        if deadline is not None and pause >= deadline.remaining():
            # why: the attempt after the pause could not finish in time; fail now with the deadline's reason
            self.cancelled.wait(deadline.remaining())
            raise _Cancelled if self.cancelled.is_set() else DeadlineExpired
        if self.cancelled.wait(pause):
            raise _Cancelled


class _GuardedAdapter(HTTPAdapter):
    """An HTTPAdapter whose connections keep to the network policy and to the running fetch's deadline."""

    def __init__(self, policy: Policy, **kwargs: Any) -> None:
        self.policy = policy
        super().__init__(**kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        """Make the pool manager, its pools connecting only to vetted addresses."""
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = pool_classes(self.policy)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> PoolManager:
        """Return the proxy's pool manager; its connections (to the proxy) keep to the deadline.

        The proxy itself is not vetted (the user named it); the target was vetted before (see ``_proxies``).
        """
        manager = cast("PoolManager", super().proxy_manager_for(proxy, **proxy_kwargs))
        if not proxy.lower().startswith("socks"):
            manager.pool_classes_by_scheme = pool_classes(None)
        return manager


class _Session(requests.Session):
    """A Session that never looks at a redirect's target itself: redirects are followed (and checked) by hand.

    why: with ``allow_redirects=False`` requests still parses the Location to offer ``response.next``,
    and a garbage Location would raise there, before this module could name it.
    """

    def resolve_redirects(self, *args: Any, **kwargs: Any) -> Generator[requests.Response, None, None]:
        """Yield no further requests."""
        yield from ()


class Fetcher:
    """Fetches URLs with one set of :class:`FetchSettings` over one pool of connections.

    :meth:`cancel` stops it for good; :meth:`close` (or ``with Fetcher() as f:``) closes the
    pooled connections. One Fetcher may be used from several threads at once.
    """

    def __init__(self, settings: FetchSettings | None = None) -> None:
        self.settings = settings or FetchSettings()
        self.policy = Policy(parse_allow_hosts(self.settings.allow_hosts))
        self._cancelled = threading.Event()
        self._running: set[Deadline] = set()
        self._lock = threading.Lock()
        self._session = _session(self.settings, self.policy, self._cancelled)

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
        """Make running downloads stop at once (their sockets are shut down) and later fetches fail at once."""
        self._cancelled.set()
        with self._lock:
            running = list(self._running)
        for deadline in running:
            deadline.fire()

    def check(self, url: str) -> str:
        """Return ``url`` if it may be fetched; raise FetchError saying why not (malformed, not http, refused)."""
        parts = _split(url)
        host = (parts.hostname or "").lower()
        allowed = self.settings.allowed_hosts
        if allowed is not None and host not in allowed:
            raise FetchError(url, f"host {host} is not in the allowed hosts")
        try:
            self.policy.check_host(host)
        except Refused as refused:
            raise FetchError(url, f"refused: {refused.reason}") from None
        return url

    def fetch(self, url: str, etag: str | None = None, last_modified: str | None = None) -> Fetched:
        """Return the fetched URL; with an ETag or Last-Modified, a 304 comes back as not modified.

        Raises FetchError with the URL and the reason ("HTTP 404", "timed out after 10 s",
        "refused: ...", "malformed URL: ...") and nothing else, whatever the URL or the server.
        """
        self.check(url)
        if self._cancelled.is_set():
            raise FetchError(url, "cancelled")
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        with self._deadline() as deadline:
            try:
                response, final = self._follow(url, headers)
                with response:
                    return self._result(response, url, final, etag, last_modified)
            except FetchError:
                raise
            except Exception as exc:  # why: a hostile server or URL must end as this URL's reason, never the run
                raise FetchError(url, self._reason(exc, deadline)) from None

    def fetch_many(self, urls: Sequence[str],
                   validators: Mapping[str, tuple[str | None, str | None]] | None = None,
                   ) -> list[Fetched | FetchError]:
        """Return each URL's Fetched or FetchError, in order, ``settings.workers`` at a time.

        ``validators`` maps a URL to its previous (ETag, Last-Modified).
        """
        validators = validators or {}
        jobs = [partial(self._fetch_or_error, url, *validators.get(url, (None, None))) for url in urls]
        return run_in_threads(jobs, self.settings.workers, self.cancel, name="monitor-fetch")

    def fetch_each(self, urls: Iterable[str], ahead: int | None = None,
                   ) -> Generator[tuple[str, Fetched | FetchError], None, None]:
        """Yield (URL, Fetched or FetchError) in the URLs' order, as they come, ``settings.workers`` at a time.

        At most ``ahead`` (default twice the workers) results are fetched beyond the one the
        caller waits for, so the memory held is bounded by ``ahead`` x ``max_bytes``, however
        many URLs there are. Ctrl-C cancels the fetcher; stopping the iteration leaves the
        URLs not yet started unfetched.
        """
        workers = max(self.settings.workers, 1)
        ahead = max(ahead or 2 * workers, 1)
        slots, stopped = threading.Semaphore(workers), threading.Event()
        window: deque[tuple[str, _Job]] = deque()
        source = iter(urls)
        try:
            while True:
                for url in source:
                    window.append((url, _Job(partial(self._fetch_or_error, url, None, None), slots, stopped)))
                    if len(window) >= ahead:
                        break
                if not window:
                    return
                url, job = window.popleft()
                yield url, job.wait()
        except KeyboardInterrupt:
            self.cancel()
            raise
        finally:
            stopped.set()

    def _fetch_or_error(self, url: str, etag: str | None, last_modified: str | None) -> Fetched | FetchError:
        """Return the Fetched, or the FetchError instead of raising it."""
        try:
            return self.fetch(url, etag, last_modified)
        except FetchError as error:
            return error

    @contextlib.contextmanager
    def _deadline(self) -> Iterator[Deadline]:
        """Run one fetch under its total deadline (fired at once by :meth:`cancel`)."""
        deadline = Deadline(self.settings.total_timeout)
        with self._lock:
            self._running.add(deadline)
        try:
            with deadline:
                if self._cancelled.is_set():  # why: cancelled between the check in fetch() and now
                    deadline.fire()
                yield deadline
        finally:
            with self._lock:
                self._running.discard(deadline)

    def _reason(self, exc: Exception, deadline: Deadline) -> str:
        """Return the reason, in words, of a fetch that raised ``exc``."""
        if self._cancelled.is_set() or isinstance(exc, _Cancelled):
            return "cancelled"
        if deadline.passed() or isinstance(exc, DeadlineExpired):
            return f"timed out after {_secs(self.settings.total_timeout)} (whole fetch)"
        if isinstance(exc, requests.exceptions.InvalidURL | ValueError | UnicodeError):
            return f"malformed URL: {_printable(_root_cause(exc))}"
        if isinstance(exc, requests.exceptions.RequestException):
            return self._failure(exc)
        return f"{type(exc).__name__}: {_printable(str(exc))}"

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
            return f"connection failed: {_printable(_root_cause(exc))}{tries}"
        return f"{type(exc).__name__}: {_printable(_root_cause(exc))}"

    def _follow(self, url: str, headers: dict[str, str]) -> tuple[requests.Response, str]:
        """Return the first non-redirect response and its URL, checking every hop.

        Cookies set along the way are sent to the next hops of this fetch only.
        """
        cookies = RequestsCookieJar()
        hop = url
        for _ in range(self.settings.max_redirects + 1):
            response = self._get(url, hop, headers, cookies)
            if not response.is_redirect:
                return response, hop
            cookies.update(response.cookies)
            location = response.headers.get("location", "")
            response.close()
            hop = self._next_hop(url, hop, location)
        raise FetchError(url, f"more than {self.settings.max_redirects} redirects")

    def _get(self, url: str, hop: str, headers: dict[str, str], cookies: RequestsCookieJar) -> requests.Response:
        """Return the response of one hop (not following redirects); a refusal is a FetchError naming the hop."""
        try:
            return self._session.get(hop, headers=headers, cookies=cookies, stream=True, allow_redirects=False,
                                     timeout=(self.settings.connect_timeout, self.settings.read_timeout),
                                     proxies=self._proxies(hop))
        except Refused as refused:
            shown = "" if hop == url else f"redirected to {_printable(hop)}: "
            raise FetchError(url, f"{shown}refused: {refused.reason}") from None

    def _next_hop(self, url: str, hop: str, location: str) -> str:
        """Return where a redirect leads, checked; raise FetchError naming the target when it may not be fetched."""
        try:
            target = urljoin(hop, location)
        except ValueError:
            raise FetchError(url, f"redirected to a malformed URL: {_printable(location)}") from None
        try:
            return self.check(target)
        except FetchError as error:
            raise FetchError(url, f"redirected to {_printable(target)}: {error.reason}") from None

    def _proxies(self, url: str) -> dict[str, str] | None:
        """Return this hop's proxies: the environment's (None) for a public host, vetted here; none for others.

        A proxy resolves the name itself, past this fetcher's connection check: so the name is
        resolved and vetted here first, and hosts opened by the allow-list (or loopback) are
        reached directly, never through a proxy.
        """
        none = cast("dict[str, str]", dict.fromkeys(("http", "https", "all")))  # a None drops the env's proxy
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        address = literal_address(host)
        if self.policy.name_allowed(host) or (address is not None and (address.is_loopback or
                                                                      self.policy.address_allowed(address))):
            return none
        if not self._session.trust_env or select_proxy(url, get_environ_proxies(url)) is None:
            return None
        deadline = current()
        seconds = min(self.settings.connect_timeout, deadline.remaining() if deadline else float("inf"))
        try:
            self.policy.resolve(host, parts.port or (443 if parts.scheme == "https" else 80), seconds)
        except (OSError, UnicodeError) as exc:
            why = _printable(str(exc))
            raise Refused(f"{host} cannot be checked here ({why}), so it is not sent to the proxy") from None
        return None

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
        """Return the (decompressed) body, stopping past the size cap; DeadlineExpired past the deadline."""
        cap = self.settings.max_bytes
        too_big = FetchError(url, f"larger than the {_size(cap)} cap")
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            raise too_big
        deadline = current()
        chunks, total = [], 0
        for chunk in response.iter_content(64 * 1024):
            total += len(chunk)
            if total > cap:
                raise too_big
            if self._cancelled.is_set():
                raise FetchError(url, "cancelled")
            if deadline is not None and deadline.expired.is_set():
                raise DeadlineExpired
            chunks.append(chunk)
        if deadline is not None and deadline.expired.is_set():
            raise DeadlineExpired  # why: the watchdog's shutdown ends a body of unknown length like a normal end
        return b"".join(chunks)


class _Job:
    """One fetch on a daemon thread, started at once, run when one of ``slots`` is free (unless ``stopped``)."""

    def __init__(self, work: partial[Fetched | FetchError], slots: threading.Semaphore,
                 stopped: threading.Event) -> None:
        self._result: queue.SimpleQueue[Fetched | FetchError] = queue.SimpleQueue()
        self._work, self._slots, self._stopped = work, slots, stopped
        threading.Thread(target=self._run, name="monitor-fetch", daemon=True).start()

    def _run(self) -> None:
        with self._slots:
            if self._stopped.is_set():
                return
            self._result.put(self._work())

    def wait(self) -> Fetched | FetchError:
        """Return the job's result once it has one."""
        while True:
            # A short wait, again and again: the main thread then sees Ctrl-C at once.
            with contextlib.suppress(queue.Empty):
                return self._result.get(timeout=0.1)


def fetch(url: str, *, etag: str | None = None, last_modified: str | None = None,
          settings: FetchSettings | None = None) -> Fetched:
    """Return one fetched URL (see :meth:`Fetcher.fetch`); raises FetchError."""
    with Fetcher(settings) as fetcher:
        return fetcher.fetch(url, etag, last_modified)


def fetch_many(urls: Sequence[str], *, settings: FetchSettings | None = None,
               validators: Mapping[str, tuple[str | None, str | None]] | None = None) -> list[Fetched | FetchError]:
    """Return each URL's Fetched or FetchError, in order (see :meth:`Fetcher.fetch_many`)."""
    with Fetcher(settings) as fetcher:
        return fetcher.fetch_many(urls, validators)


def _session(settings: FetchSettings, policy: Policy, cancelled: threading.Event) -> requests.Session:
    """Return a Session that retries by ``settings``, keeps to ``policy``, pools ``workers`` connections per host
    and keeps no cookies."""
    retries = _Retries(total=settings.retries, status_forcelist=_RETRY_STATUSES, backoff_factor=settings.backoff,
                       retry_after_max=_LONGEST_RETRY_AFTER, raise_on_status=False, cancelled=cancelled)
    adapter = _GuardedAdapter(policy, pool_maxsize=max(settings.workers, 1), max_retries=retries)
    session = _Session()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers.update({"User-Agent": settings.user_agent, "Accept": ACCEPT})
    # why: kept cookies would follow a reader from fetch to fetch on a site (a watch runs for days).
    session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
    return session


def _split(url: str) -> SplitResult:
    """Return the parts of a URL that can be fetched; raise FetchError saying what is wrong with it."""
    if len(url) > MAX_URL_LENGTH:
        raise FetchError(url, f"malformed URL: longer than {MAX_URL_LENGTH:,} characters")
    odd = next((c for c in url if c.isspace() or not c.isprintable()), None)
    if odd is not None:
        raise FetchError(url, f"malformed URL: contains {'a space' if odd == ' ' else repr(odd)}")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  why: reading it checks it (a port out of range raises here)
    except ValueError as exc:
        raise FetchError(url, f"malformed URL: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        shown = f"{scheme}://" if scheme else "a URL without a scheme"
        raise FetchError(url, f"only http and https URLs can be fetched, not {shown}")
    host = (parts.hostname or "").lower()
    if not host:
        raise FetchError(url, "the URL names no host")
    if "\\" in parts.netloc or (literal_address(host) is None and not _valid_name(host)):
        raise FetchError(url, f"malformed URL: {host!r} is not a valid host name")
    return parts


def _valid_name(host: str) -> bool:
    """Return True for a host name that can be looked up (IDNA-encodable, letters, digits, hyphens, dots)."""
    try:
        ascii_name = host.rstrip(".").encode("idna").decode("ascii")
        for label in ascii_name.split("."):
            if label.startswith("xn--"):  # why: the idna codec lets any ASCII label through; decode it to check
                label[4:].encode("ascii").decode("punycode").encode("idna")
    except UnicodeError:
        return False
    return bool(_HOST_CHARS.match(ascii_name)) and len(ascii_name) <= 253 and ".." not in ascii_name


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
    """Return "HTTP 404 Not Found"-style words for an error status (the server's phrase made printable)."""
    return f"HTTP {response.status_code} {_printable(response.reason or '')}".rstrip()


def _printable(text: str, limit: int = 300) -> str:
    """Return text from a server or a URL with control characters escaped (``\\x1b``) and cut at ``limit``."""
    shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text[:limit])
    return shown + ("..." if len(text) > limit else "")


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
