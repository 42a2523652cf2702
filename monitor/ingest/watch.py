"""Watching feeds: poll a list of feeds every so often and ingest what is new.

Each round fetches every feed conditionally (the ETag / Last-Modified of the last
answer are kept in the store's ``meta`` table, keys ``feed:<url>:etag`` and
``feed:<url>:last_modified``), so an unchanged feed costs one 304. Every feed is read on
its own thread (its fetch, its items, their pages: ``monitor.ingest.sources.web``), and
what a feed brings is stored as soon as it is read, by this thread alone (one writer),
through the normal ingest (:func:`monitor.ingest.pipeline.ingest`): a slow, hanging or
broken feed never holds up another's items. Item pages already stored are not fetched again.
Whatever one feed's reading raises is that feed's error in the round's log. A store held by
another process past the store's wait skips the rest of the round, which is tried again at
the next; any other store error ends the watch. Ctrl-C or SIGTERM stops between or during
rounds; what a finished batch stored stays stored.
"""
from __future__ import annotations

import queue
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from monitor.ingest.feeds_file import Feed  # the feeds file itself is read by monitor.ingest.feeds_file
from monitor.ingest.fetch import Fetcher
from monitor.ingest.fetch_types import Fetched, FetchError
from monitor.ingest.pipeline import IngestReport, ingest
from monitor.ingest.sources import Item, RawArticle
from monitor.ingest.sources.web import read_fetched
from monitor.ingest.terminal import printable, printable_lines
from monitor.ingest.topics import Taxonomy
from monitor.ingest.watchlist import Watchlist
from monitor.store import Store, StoreBusy, StoreError

# Feeds read at once in a round, each on its own thread. Why a bound: each also fetches its item pages
# a few at a time (FetchSettings.workers); why this many: up to FEEDS_AT_ONCE - 1 feeds hanging until
# their deadline still leave a thread for the others.
FEEDS_AT_ONCE = 16
# A feed's items are handed to the ingest in parts of at most this many items or characters, and its
# thread reads on only once the part before is stored. Why: memory stays bounded by the feeds read at
# once, not by how long a feed is (up to FetchSettings.max_pages pages of up to max_bytes each).
# A real feed (tens of items) is one part: each part is an ingest, and an ingest's corpus-wide rebuilds
# cost ~1.1 s on a store of 1,832 articles (bench: 4 feeds stored one by one 6.1 s, together 1.7 s).
PART_ITEMS = 200
PART_CHARS = 5_000_000


@dataclass
class FeedOutcome:
    """What one round did with one feed."""

    feed: Feed
    new: int = 0
    not_modified: bool = False
    error: str | None = None
    skipped: list[str] = field(default_factory=list)   # items that could not be read, with reasons
    retry: bool = False   # reading or storing it failed: its validators are not kept, next round reads it in full

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
    busy: int = 0            # rounds cut short by a store another process held past the wait
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
        busy = f", {self.busy} round{'s' * (self.busy != 1)} with the store busy" if self.busy else ""
        return (f"watch stopped after {self.rounds} round{'s' * (self.rounds != 1)}{how}: {self.new} new "
                f"articles, {self.not_modified} not modified, {self.errors} errors{busy}")


@dataclass
class _Read:
    """A part of one feed as its thread read it: the feed's outcome (shared by its parts) and items to store.

    A feed's items come in parts of at most PART_ITEMS items or PART_CHARS characters, the last with
    ``last`` set; the feed's thread reads on only once the part before is stored (``stored``).
    """

    outcome: FeedOutcome
    fetched: Fetched | None = None   # a changed feed's answer, remembered once all its items are stored
    items: list[Item] = field(default_factory=list)
    last: bool = True
    stored: threading.Event = field(default_factory=threading.Event)


def poll(store: Store, feeds: Sequence[Feed], fetcher: Fetcher,
         taxonomy: Taxonomy | None = None, watchlist: Watchlist | None = None) -> list[FeedOutcome]:
    """Run one round: read every feed on its own thread, store each changed feed's items as soon as they are read.

    Returns each feed's outcome, in the order of ``feeds``, once every feed is done (each fetch has
    its deadline). Only this thread writes the store; parts read meanwhile are stored together.
    Raises StoreBusy when the store stays held past its wait (feeds not yet stored are read again
    next round: their validators are kept only once all their items are stored), StoreError for
    any other store fault, KeyboardInterrupt (after cancelling the fetcher) on Ctrl-C.
    """
    known = _known_urls(store)
    # Loaded once for the round's ingests (ingest() would load the default files for each).
    taxonomy = taxonomy or Taxonomy.load()
    watchlist = watchlist if watchlist is not None else Watchlist.load()
    todo: queue.SimpleQueue[tuple[Feed, tuple[str | None, str | None]]] = queue.SimpleQueue()
    for feed in feeds:
        todo.put((feed, _validators(store, feed.url)))
    ready: queue.SimpleQueue[_Read] = queue.SimpleQueue()
    over = threading.Event()  # set when this round returns or raises: feed threads waiting on it give up
    for _ in range(min(FEEDS_AT_ONCE, len(feeds))):
        threading.Thread(target=_read_feeds, args=(todo, ready, fetcher, known, over), name="monitor-feed",
                         daemon=True).start()
    outcomes: dict[Feed, FeedOutcome] = {}
    done = 0
    try:
        while done < len(feeds):
            arrived = _arrived(ready)
            for read in arrived:
                outcomes[read.outcome.feed] = read.outcome
                done += read.last
            _store(store, [r for r in arrived if r.fetched is not None], taxonomy, watchlist)
    except KeyboardInterrupt:
        fetcher.cancel()
        raise
    finally:
        over.set()
    return [outcomes[feed] for feed in feeds]


def _read_feeds(todo: queue.SimpleQueue[tuple[Feed, tuple[str | None, str | None]]], ready: queue.SimpleQueue[_Read],
                fetcher: Fetcher, known: frozenset[str], over: threading.Event) -> None:
    """Read feeds from ``todo`` until none is left or the round is over, handing their parts to ``ready``."""
    def hand(read: _Read) -> bool:
        """Hand a part over; wait until it is stored unless it is the last; return False when the round is over."""
        ready.put(read)
        while not read.last and not read.stored.wait(0.1):
            if over.is_set():
                return False
        return True

    while not over.is_set():
        try:
            feed, (etag, last_modified) = todo.get_nowait()
        except queue.Empty:
            return
        _read_feed(feed, fetcher, etag, last_modified, known, hand)


def _read_feed(feed: Feed, fetcher: Fetcher, etag: str | None, last_modified: str | None,
               known: frozenset[str], hand: Callable[[_Read], bool]) -> None:
    """Fetch one feed conditionally and, when it changed, hand its items (their pages fetched) over in parts.

    Never raises: a FetchError is the feed's error; so is anything else its reading raised (a reader's
    bug, say), named by its type, and the feed is then read again in full next round. The other feeds go on.
    """
    outcome, fetched, part, chars = FeedOutcome(feed), None, [], 0
    try:
        fetched = fetcher.fetch(feed.url, etag, last_modified)
        outcome.not_modified = fetched.not_modified
        for item in () if fetched.not_modified else read_fetched(fetched, feed.url, fetcher, known):
            part.append(item)
            chars += len(item.text) if isinstance(item, RawArticle) else 0
            if len(part) >= PART_ITEMS or chars >= PART_CHARS:
                if not hand(_Read(outcome, fetched, part, last=False)):
                    return
                part, chars = [], 0
    except FetchError as error:
        outcome.error = error.reason
    except Exception as exc:  # why: one feed's failure, whatever it is, must not end the round
        outcome.error, outcome.retry = f"could not be read: {type(exc).__name__}: {exc}", True
    hand(_Read(outcome, None if fetched is None or fetched.not_modified else fetched, part))


def _arrived(ready: queue.SimpleQueue[_Read]) -> list[_Read]:
    """Return the parts read so far: wait for one, then take every other already waiting.

    Waits in short steps: the main thread then sees Ctrl-C at once even when the signal went to another thread.
    """
    while True:
        try:
            arrived = [ready.get(timeout=0.1)]
            break
        except queue.Empty:
            continue
    while True:
        try:
            arrived.append(ready.get_nowait())
        except queue.Empty:
            return arrived


def _store(store: Store, reads: Sequence[_Read], taxonomy: Taxonomy | None, watchlist: Watchlist | None) -> None:
    """Store the items of changed feeds in one ingest; keep a feed's validators once all its parts are stored.

    One ingest for all of them: the ingest's per-call work (the corpus-wide story and name rebuilds)
    is then paid once for the feeds read meanwhile, not once each. When it fails with anything but a
    store error, each part is stored alone, so only the feed that caused it shows the error.
    """
    if not reads:
        return
    try:
        report = ingest(store, [], items=[item for r in reads for item in r.items], taxonomy=taxonomy,
                        watchlist=watchlist)
    except (StoreError, KeyboardInterrupt):
        raise
    except Exception as exc:  # why: one feed's articles must not cost the others theirs
        if len(reads) > 1:
            for read in reads:
                _store(store, [read], taxonomy, watchlist)
            return
        reads[0].outcome.error = f"could not be stored: {type(exc).__name__}: {exc}"
        reads[0].outcome.retry = True
        reads[0].stored.set()
        return
    for read in reads:
        _count(read.outcome, report)
        if read.last and not read.outcome.retry:
            assert read.fetched is not None  # only changed feeds come here
            _remember(store, read.outcome.feed.url, read.fetched)
        read.stored.set()


def _count(outcome: FeedOutcome, report: IngestReport) -> None:
    """Add a part of a changed feed to its outcome (its new articles, its skipped items) from the ingest's report."""
    counts = report.files.get(outcome.feed.url)
    if counts is None:
        return
    outcome.new += counts.added
    outcome.skipped += counts.skipped
    # The feed itself unreadable ("feed has no items"), not one of its items.
    whole = [s for s in counts.skipped if s.startswith(outcome.feed.url + ": ")]
    if whole:
        outcome.error = whole[0][len(outcome.feed.url) + 2:]


def watch(store: Store, feeds: Sequence[Feed], *, every: float, rounds: int | None = None,
          fetcher: Fetcher | None = None, taxonomy: Taxonomy | None = None,
          watchlist: Watchlist | None = None, log: Callable[[str], None] | None = None,
          after_round: Callable[[], None] | None = None) -> WatchSummary:
    """Poll ``feeds`` every ``every`` seconds until ``rounds`` rounds or Ctrl-C; return the totals.

    ``after_round`` runs after each round that reached the store (the CLI's spike alerts: the ingest stage
    may not import the read side, so the caller hands it in); it must not raise.

    A KeyboardInterrupt (Ctrl-C, or SIGTERM inside :func:`interrupt_on_signals`) ends the
    watch cleanly; the final summary is logged either way. A round that finds the store held
    by another process (StoreBusy) is logged as such and counted; the next round tries again.
    Any other StoreError ends the watch: it is raised, after the summary is logged.
    """
    log = log or _to_stderr
    fetcher = fetcher or Fetcher()
    summary = WatchSummary()
    try:
        while rounds is None or summary.rounds < rounds:
            started = time.monotonic()
            if _one_round(store, feeds, fetcher, taxonomy, watchlist, summary, log, started) and after_round:
                after_round()
            if rounds is not None and summary.rounds >= rounds:
                break
            # The next round starts `every` after this one started, at once if it ran long.
            time.sleep(max(0.0, every - (time.monotonic() - started)))
    except KeyboardInterrupt:
        summary.interrupted = True
        fetcher.cancel()
    finally:
        log(summary.describe())
    return summary


def _one_round(store: Store, feeds: Sequence[Feed], fetcher: Fetcher, taxonomy: Taxonomy | None,
               watchlist: Watchlist | None, summary: WatchSummary, log: Callable[[str], None],
               started: float) -> bool:
    """Poll once and log the round; a busy store is logged as a round to try again, not raised.

    Returns whether the round reached the store (False: it was busy)."""
    try:
        outcomes = poll(store, feeds, fetcher, taxonomy, watchlist)
    except StoreBusy as exc:
        summary.busy += 1
        summary.rounds += 1
        log(_busy_log(summary.rounds, exc, time.monotonic() - started))
        return False
    summary.add(outcomes)
    log(_round_log(summary.rounds, outcomes, time.monotonic() - started))
    return True


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
    # Feed names and error texts (HTTP reason phrases) come from outside: one escaped line per feed.
    lines += [f"  {printable(o.feed.name)}: {printable(o.describe())}" for o in outcomes]
    return "\n".join(lines)


def _busy_log(number: int, error: StoreBusy, seconds: float) -> str:
    """Return the log of a round cut short by a busy store: what happened, and that the next round tries again."""
    stamp = datetime.now().astimezone().isoformat(timespec="seconds")
    return (f"[{stamp}] round {number}: store busy, trying again next round (feeds not stored yet are read "
            f"again then): {printable(error)} ({seconds:.1f} s)")


def _to_stderr(text: str) -> None:
    print(printable_lines(text), file=sys.stderr, flush=True)
