"""What a fetch takes and gives back: its settings, a successful result, and the error naming why a URL failed.

The fetcher itself is :mod:`monitor.ingest.fetch`; these types live apart so the modules it is
built from (the guarded session, the URL checks, the reasons) can use them without importing it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from monitor.ingest.network import allow_hosts_from_env

USER_AGENT = "media-monitor/0.1 (offline news monitor)"
MB = 1024 * 1024


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
