"""The watch's settings: its feeds file (``data/feeds.toml``: the feeds, the internal hosts they may fetch)
and ``--every``."""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

from monitor.ingest.network import parse_allow_hosts
from monitor.settings import default_file, settings_path

DEFAULT_FEEDS = default_file("feeds")
_EVERY = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smh]?)\s*$", re.IGNORECASE)
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600}


class FeedsError(ValueError):
    """The feeds file cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class Feed:
    """One feed to watch: its URL and the name the log shows."""

    url: str
    name: str


@dataclass(frozen=True)
class FeedsFile:
    """What a feeds file says: the feeds to watch, the internal hosts they may fetch, and its entries left out."""

    feeds: list[Feed]
    allow_hosts: frozenset[str] = frozenset()   # top-level ``allow_hosts = [...]``: fetched though internal
    problems: list[str] = field(default_factory=list)  # "feeds.toml: feed 3: <url>: why", one per entry left out


def read_feeds_file(path: str | Path | None = None) -> FeedsFile:
    """Return the feeds (``[[feed]]`` tables with ``url`` and optional ``name``) and ``allow_hosts`` of a TOML file.

    An entry whose URL cannot be fetched (malformed, not http(s), no host) is left out and named in
    ``problems``. Raises FeedsError for a missing or invalid file, or an entry with no url.
    """
    path = settings_path("feeds", path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise FeedsError(f"{path}: cannot read the feeds file: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise FeedsError(f"{path}: invalid TOML: {exc}") from None
    entries = data.get("feed", [])
    if not isinstance(entries, list):
        raise FeedsError(f"{path}: 'feed' must be a list of [[feed]] tables")
    feeds: dict[str, Feed] = {}
    problems: list[str] = []
    for number, entry in enumerate(entries, start=1):
        url = entry.get("url") if isinstance(entry, dict) else None
        if not isinstance(url, str):
            raise FeedsError(f"{path}: feed {number} has no url")
        url = url.strip()
        problem = url_problem(url)
        if problem:
            problems.append(f"{path}: feed {number}: {url}: {problem}; left out")
            continue
        url = urldefrag(url).url
        name = entry.get("name")
        feeds.setdefault(url, Feed(url, name.strip() if isinstance(name, str) and name.strip() else short_name(url)))
    return FeedsFile(list(feeds.values()), _allow_hosts(data, path), problems)


def load_feeds(path: str | Path | None = None) -> list[Feed]:
    """Return the feeds listed in a TOML file (see :func:`read_feeds_file`; entries that cannot be fetched left out)."""
    return read_feeds_file(path).feeds


def url_problem(url: str) -> str | None:
    """Return why a feed URL cannot be fetched ("only http and https URLs ...", "malformed URL: ..."), or None.

    Its form only: whether its host may be fetched is the fetcher's network policy, asked at each fetch.
    """
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - why: reading it is what checks it ("http://host:99999/" raises here)
    except ValueError as exc:
        return f"malformed URL: {exc}"
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        return f"only http and https URLs can be fetched, not {scheme + '://' if scheme else 'a URL without a scheme'}"
    if not parts.hostname:
        return "the URL names no host"
    return None


def _allow_hosts(data: dict, path: Path) -> frozenset[str]:
    """Return the file's top-level ``allow_hosts`` (host names, IPs or CIDRs); FeedsError if not a list of strings."""
    hosts = data.get("allow_hosts", [])
    if not isinstance(hosts, list) or not all(isinstance(h, str) for h in hosts):
        raise FeedsError(f"{path}: 'allow_hosts' must be a list of host names, IP addresses or CIDRs (strings)")
    try:
        return parse_allow_hosts(hosts)  # the same spelling as --allow-host and $MONITOR_ALLOW_HOSTS
    except ValueError as exc:
        raise FeedsError(f"{path}: allow_hosts: {exc}") from None


def parse_every(text: str) -> float:
    """Return the seconds in "30s", "15m", "1h" (a bare number is seconds); raise ValueError otherwise."""
    found = _EVERY.match(text or "")
    if not found or float(found.group(1)) <= 0:
        raise ValueError(f"expected a time like 30s, 15m or 1h, got {text!r}")
    return float(found.group(1)) * _UNITS[found.group(2).lower()]


def short_name(url: str) -> str:
    """Return a feed's default name: its host and path."""
    parts = urlsplit(url)
    return f"{parts.hostname}{parts.path}"
