"""Watching feeds: poll a list of feeds every so often and ingest what is new.

Each round fetches every feed conditionally (the ETag / Last-Modified of the last
answer are kept in the store's ``meta`` table, keys ``feed:<url>:etag`` and
``feed:<url>:last_modified``), so an unchanged feed costs one 304. Changed feeds go
through the normal ingest (:func:`monitor.ingest.pipeline.ingest`, which reads them with
``monitor.ingest.sources.web``); item pages already stored are not fetched again. Ctrl-C or
SIGTERM stops between or during rounds; what a finished batch stored stays stored.
"""
from __future__ import annotations

import re
import signal
import sys
import threading
import time
import tomllib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

from monitor.ingest.fetch import Fetched, Fetcher, FetchError
from monitor.ingest.pipeline import ingest
from monitor.ingest.sources.web import WebInput
from monitor.ingest.topics import Taxonomy
from monitor.ingest.watchlist import Watchlist
from monitor.settings import default_file, settings_path
from monitor.store import Store

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


@dataclass
class FeedOutcome:
    """What one round did with one feed."""

    feed: Feed
    new: int = 0
    not_modified: bool = False
    error: str | None = None
    skipped: list[str] = field(default_factory=list)   # items that could not be read, with reasons

    def describe(self) -> str:
        """Return the outcome in words: "3 new", "not modified", "error: HTTP 404 Not Found"."""
        if self.error:
            return f"error: {self.error}"
        if self.not_modified:
            return "not modified"
        return f"{self.new} new" + (f", {len(self.skipped)} items skipped" if self.skipped else "")


@dataclass
class WatchSummary:
    """Totals over all rounds of a watch."""

    rounds: int = 0
    new: int = 0
    not_modified: int = 0
    errors: int = 0
    interrupted: bool = False

    def add(self, outcomes: Sequence[FeedOutcome]) -> None:
        """Count one finished round."""
        self.rounds += 1
        self.new += sum(o.new for o in outcomes)
        self.not_modified += sum(o.not_modified for o in outcomes)
        self.errors += sum(o.error is not None for o in outcomes)

    def describe(self) -> str:
        """Return the final summary line."""
        how = " (interrupted)" if self.interrupted else ""
        return (f"watch stopped after {self.rounds} round{'s' * (self.rounds != 1)}{how}: {self.new} new "
                f"articles, {self.not_modified} not modified, {self.errors} errors")


def load_feeds(path: str | Path | None = None) -> list[Feed]:
    """Return the feeds listed in a TOML file (``[[feed]]`` tables with ``url`` and optional ``name``).

    Raises FeedsError for a missing or invalid file or entry.
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
    for number, entry in enumerate(entries, start=1):
        url = entry.get("url") if isinstance(entry, dict) else None
        if not isinstance(url, str):
            raise FeedsError(f"{path}: feed {number} has no url")
        url = urldefrag(url.strip()).url
        try:
            Fetcher().check(url)
        except FetchError as error:
            raise FeedsError(f"{path}: feed {number}: {error}") from None
        name = entry.get("name")
        feeds.setdefault(url, Feed(url, name.strip() if isinstance(name, str) and name.strip() else _short(url)))
    return list(feeds.values())


def parse_every(text: str) -> float:
    """Return the seconds in "30s", "15m", "1h" (a bare number is seconds); raise ValueError otherwise."""
    found = _EVERY.match(text or "")
    if not found or float(found.group(1)) <= 0:
        raise ValueError(f"expected a time like 30s, 15m or 1h, got {text!r}")
    return float(found.group(1)) * _UNITS[found.group(2).lower()]


def poll(store: Store, feeds: Sequence[Feed], fetcher: Fetcher,
         taxonomy: Taxonomy | None = None, watchlist: Watchlist | None = None) -> list[FeedOutcome]:
    """Run one round: fetch every feed conditionally, ingest the changed ones; return each feed's outcome."""
    results = fetcher.fetch_many([f.url for f in feeds], {f.url: _validators(store, f.url) for f in feeds})
    known = _known_urls(store)
    outcomes = [FeedOutcome(feed) for feed in feeds]
    changed: list[tuple[FeedOutcome, Fetched]] = []
    for outcome, result in zip(outcomes, results, strict=False):
        if isinstance(result, FetchError):
            outcome.error = result.reason
        elif result.not_modified:
            outcome.not_modified = True
        else:
            changed.append((outcome, result))
    if not changed:
        return outcomes
    inputs = [WebInput(o.feed.url, fetched, fetcher, known) for o, fetched in changed]
    report = ingest(store, inputs, taxonomy=taxonomy, watchlist=watchlist)
    for outcome, fetched in changed:
        counts = report.files.get(outcome.feed.url)
        if counts is not None:
            outcome.new, outcome.skipped = counts.added, list(counts.skipped)
            # The feed itself unreadable ("feed has no items"), not one of its items.
            whole = [s for s in counts.skipped if s.startswith(outcome.feed.url + ": ")]
            outcome.error = whole[0][len(outcome.feed.url) + 2:] if whole else None
        _remember(store, outcome.feed.url, fetched)
    return outcomes


def watch(store: Store, feeds: Sequence[Feed], *, every: float, rounds: int | None = None,
          fetcher: Fetcher | None = None, taxonomy: Taxonomy | None = None,
          watchlist: Watchlist | None = None, log: Callable[[str], None] | None = None) -> WatchSummary:
    """Poll ``feeds`` every ``every`` seconds until ``rounds`` rounds or Ctrl-C; return the totals.

    A KeyboardInterrupt (Ctrl-C, or SIGTERM inside :func:`interrupt_on_signals`) ends the
    watch cleanly; the final summary is logged either way.
    """
    log = log or _to_stderr
    fetcher = fetcher or Fetcher()
    summary = WatchSummary()
    try:
        while rounds is None or summary.rounds < rounds:
            started = time.monotonic()
            outcomes = poll(store, feeds, fetcher, taxonomy, watchlist)
            summary.add(outcomes)
            log(_round_log(summary.rounds, outcomes, time.monotonic() - started))
            if rounds is not None and summary.rounds >= rounds:
                break
            # The next round starts `every` after this one started, at once if it ran long.
            time.sleep(max(0.0, every - (time.monotonic() - started)))
    except KeyboardInterrupt:
        summary.interrupted = True
        fetcher.cancel()
    log(summary.describe())
    return summary


@contextmanager
def interrupt_on_signals() -> Iterator[None]:
    """Within: SIGINT and SIGTERM raise KeyboardInterrupt (in the main thread), like Ctrl-C."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    # SIGINT too: a shell starting us in the background may have set it to be ignored.
    previous = {sig: signal.signal(sig, interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _validators(store: Store, url: str) -> tuple[str | None, str | None]:
    """Return the feed's ETag and Last-Modified from the last round ("" stored means none)."""
    return store.meta(f"feed:{url}:etag") or None, store.meta(f"feed:{url}:last_modified") or None


def _remember(store: Store, url: str, fetched: Fetched) -> None:
    """Keep the answer's validators for the next conditional request (empty when it gave none)."""
    store.set_meta(f"feed:{url}:etag", fetched.etag or "")
    store.set_meta(f"feed:{url}:last_modified", fetched.last_modified or "")


def _known_urls(store: Store) -> frozenset[str]:
    """Return the URLs of the stored articles (their pages need no second fetch)."""
    frame = store.query("SELECT DISTINCT url FROM articles WHERE url IS NOT NULL")
    return frozenset(frame["url"])


def _round_log(number: int, outcomes: Sequence[FeedOutcome], seconds: float) -> str:
    """Return the log of one round: a headline with the time and totals, then one line per feed."""
    stamp = datetime.now().astimezone().isoformat(timespec="seconds")
    new = sum(o.new for o in outcomes)
    unchanged = sum(o.not_modified for o in outcomes)
    errors = sum(o.error is not None for o in outcomes)
    lines = [f"[{stamp}] round {number}: {new} new, {unchanged} not modified, {errors} errors ({seconds:.1f} s)"]
    lines += [f"  {o.feed.name}: {o.describe()}" for o in outcomes]
    return "\n".join(lines)


def _short(url: str) -> str:
    """Return a feed's default name: its host and path."""
    parts = urlsplit(url)
    return f"{parts.hostname}{parts.path}"


def _to_stderr(text: str) -> None:
    print(text, file=sys.stderr, flush=True)
