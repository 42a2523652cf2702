"""The fetcher's guarded HTTP session: urllib3's retries with this project's policy, pooled connections that keep
to the network policy and the running fetch's deadline, no redirects followed and no cookies kept.

Retries are urllib3's ``Retry`` mounted on the Session: connection errors, 5xx and 429 are
retried a bounded number of times with exponential backoff, honouring ``Retry-After``. Each
:class:`~monitor.ingest.fetch.Fetcher` keeps one such Session, so connections are kept alive
and reused (a pool of ``FetchSettings.workers`` connections per host).
"""
from __future__ import annotations

import contextlib
import threading
from collections.abc import Generator
from http.cookiejar import DefaultCookiePolicy
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, cast

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from monitor.ingest.fetch_types import FetchSettings
from monitor.ingest.network import DeadlineExpired, Policy, current, pool_classes

if TYPE_CHECKING:
    from urllib3.connectionpool import ConnectionPool
    from urllib3.poolmanager import PoolManager
    from urllib3.response import BaseHTTPResponse

ACCEPT = ("application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, application/xml;q=0.9, "
          "text/xml;q=0.9, text/html;q=0.8, */*;q=0.5")
RETRY_STATUSES = frozenset({429}) | frozenset(range(500, 600))
_LONGEST_RETRY_AFTER = 30  # seconds; why: a server asking for an hour would stall the whole ingest


class Cancelled(Exception):
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
        """Wait before the next attempt; raise Cancelled or DeadlineExpired when either comes first."""
        pause = self.backoff_factor * 2 ** max(len(self.history) - 1, 0)
        if response is not None:
            with contextlib.suppress(urllib3.exceptions.InvalidHeader):  # why: an unreadable one leaves the backoff
                pause = max(pause, self.get_retry_after(response) or 0.0)
        deadline = current()
        if deadline is not None and pause >= deadline.remaining():
            # why: the attempt after the pause could not finish in time; fail now with the deadline's reason
            self.cancelled.wait(deadline.remaining())
            raise Cancelled if self.cancelled.is_set() else DeadlineExpired
        if self.cancelled.wait(pause):
            raise Cancelled


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

        The proxy itself is not vetted (the user named it); the target was vetted before (see ``Fetcher._proxies``).
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


def guarded_session(settings: FetchSettings, policy: Policy, cancelled: threading.Event) -> requests.Session:
    """Return a Session that retries by ``settings``, keeps to ``policy``, pools ``workers`` connections per host
    and keeps no cookies."""
    retries = _Retries(total=settings.retries, status_forcelist=RETRY_STATUSES, backoff_factor=settings.backoff,
                       retry_after_max=_LONGEST_RETRY_AFTER, raise_on_status=False, cancelled=cancelled)
    adapter = _GuardedAdapter(policy, pool_maxsize=max(settings.workers, 1), max_retries=retries)
    session = _Session()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers.update({"User-Agent": settings.user_agent, "Accept": ACCEPT})
    # why: kept cookies would follow a reader from fetch to fetch on a site (a watch runs for days).
    session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
    return session
