"""HTTP(S) fetching for the ingest: a network policy, one deadline per fetch, retries, a size cap, redirects.

Only ``http`` and ``https`` URLs are fetched (:mod:`monitor.ingest.url_checks`), and by default
only public addresses: the policy (:mod:`monitor.ingest.network`) refuses internal hosts by
their spelling and again after name resolution on every connection, at every redirect hop;
``FetchSettings.allow_hosts`` (``--allow-host``, ``MONITOR_ALLOW_HOSTS``) opens named ones. A
malformed URL or redirect target is a FetchError with its reason (:mod:`monitor.ingest.fetch_reasons`),
never another exception. Each :class:`Fetcher` keeps one guarded ``requests`` Session
(:mod:`monitor.ingest.http_session`: pooled connections, urllib3's retries). Every fetch has
one total deadline (``total_timeout``) over name resolution, connections, redirects, retries,
headers and body, enforced by a watchdog that shuts the sockets down, so a server trickling
bytes cannot stretch it; every download is streamed and stopped past ``max_bytes``.
:meth:`Fetcher.fetch_many` and :meth:`Fetcher.fetch_each` fetch many URLs a few at a time on
daemon threads, so Ctrl-C never waits for a slow server.
"""
from __future__ import annotations

import contextlib
import queue
import threading
from collections import deque
from collections.abc import Generator, Iterable, Iterator, Mapping, Sequence
from functools import partial
from typing import Self, cast
from urllib.parse import urljoin, urlsplit

import requests
from requests.cookies import RequestsCookieJar
from requests.utils import get_environ_proxies, select_proxy

from monitor.ingest.fetch_reasons import attempts, fetch_reason, http_reason, printable, size
from monitor.ingest.fetch_types import Fetched, FetchError, FetchSettings
from monitor.ingest.http_session import RETRY_STATUSES, guarded_session
from monitor.ingest.network import (
    Deadline,
    DeadlineExpired,
    Policy,
    Refused,
    current,
    literal_address,
    parse_allow_hosts,
)
from monitor.ingest.threads import run_in_threads
from monitor.ingest.url_checks import split_url


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
        self._session = guarded_session(self.settings, self.policy, self._cancelled)

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
        parts = split_url(url)
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
                raise FetchError(url, fetch_reason(exc, deadline, self.settings, self._cancelled.is_set())) from None

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
            shown = "" if hop == url else f"redirected to {printable(hop)}: "
            raise FetchError(url, f"{shown}refused: {refused.reason}") from None

    def _next_hop(self, url: str, hop: str, location: str) -> str:
        """Return where a redirect leads, checked; raise FetchError naming the target when it may not be fetched."""
        try:
            target = urljoin(hop, location)
        except ValueError:
            raise FetchError(url, f"redirected to a malformed URL: {printable(location)}") from None
        try:
            return self.check(target)
        except FetchError as error:
            raise FetchError(url, f"redirected to {printable(target)}: {error.reason}") from None

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
            why = printable(str(exc))
            raise Refused(f"{host} cannot be checked here ({why}), so it is not sent to the proxy") from None
        return None

    def _result(self, response: requests.Response, url: str, final: str,
                etag: str | None, last_modified: str | None) -> Fetched:
        """Return the Fetched of a final response, or raise for an error status."""
        status = response.status_code
        if status in RETRY_STATUSES:
            # urllib3 retried it as long as it could: its last Retry holds the attempts before this one.
            history = getattr(getattr(response.raw, "retries", None), "history", ())
            raise FetchError(url, http_reason(response) + attempts(len(history) + 1))
        if status == 304:
            return Fetched(final, status, b"", response.headers.get("content-type"),
                           response.headers.get("etag", etag), response.headers.get("last-modified", last_modified),
                           not_modified=True)
        if not 200 <= status < 300:
            raise FetchError(url, http_reason(response))
        content = self._read(response, url)
        return Fetched(final, status, content, response.headers.get("content-type"),
                       response.headers.get("etag"), response.headers.get("last-modified"))

    def _read(self, response: requests.Response, url: str) -> bytes:
        """Return the (decompressed) body, stopping past the size cap; DeadlineExpired past the deadline."""
        cap = self.settings.max_bytes
        too_big = FetchError(url, f"larger than the {size(cap)} cap")
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
