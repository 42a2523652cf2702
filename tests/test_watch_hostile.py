"""The watch against hostile feeds, a busy store and a broken one, over real HTTP on 127.0.0.1.

One slow or broken feed must never hold up another's items: every feed is read on its own thread and
stored as soon as it is read. A store another process holds is tried again next round; a damaged one
ends the watch. The hostile-feed generator (hypothesis) picks the mix and the order of the feeds of a
round: a good feed's items are always stored in the round, whatever else the round holds.
"""
from __future__ import annotations

import socketserver
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor import locking
from monitor.ingest import watch as watch_module
from monitor.ingest.fetch import Fetcher
from monitor.ingest.fetch_types import FetchError, FetchSettings
from monitor.ingest.watch import Feed, _Read, _read_feed, _store, watch
from monitor.ingest.watchlist import Watchlist
from monitor.store import Store, StoreBusy, StoreError
from tests.loopback import ALLOW_LOOPBACK, STORIES, Server, courier_site, rss, running, static

GUARD_SECONDS = 90  # only against a hung test: every wait below ends on its condition long before
# Hostile feeds end on their deadlines; good ones answer at once. Loopback allowed explicitly.
SHORT = FetchSettings(backoff=0.01, retries=0, read_timeout=1.0, total_timeout=2.0, allow_hosts=ALLOW_LOOPBACK)
OUTLETS = ["Harbour Gazette", "Riverside Post", "Eastbank Herald", "Millbrook Times"]
PEOPLE = ["Mara Velloso", "Tomas Brandt", "Ines Okafor", "Oskar Lindqvist"]


def wait_for(condition: Callable[[], bool], seconds: float = GUARD_SECONDS) -> bool:
    """Poll ``condition`` until it holds (True) or ``seconds`` pass (False): a guard, not a timing."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)  # polling a condition, not a fixed wait
    return True


def stored_titles(store: Store) -> set[str]:
    """Return the titles of the stored articles."""
    return set(store.query("SELECT title FROM articles")["title"])


class WatchedStore(Store):
    """A real store that also notes, in memory, the titles of every batch it has committed.

    Why: the loopback routes ask "is the good feed stored yet?" from their own threads, and a second
    DuckDB connection of this process opened while the watch writes broke the write ("Table Function
    with name pandas_scan does not exist"): the routes look at this note instead.
    """

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.written: set[str] = set()
        self.changed = threading.Condition()

    def write_batch(self, tables: dict[str, pd.DataFrame]) -> set[str]:
        """Write the batch (Store.write_batch), then note its titles; return what Store.write_batch returns."""
        left_out = super().write_batch(tables)
        with self.changed:
            self.written |= set(tables["articles"]["title"])
            self.changed.notify_all()
        return left_out

    def has(self, titles: set[str]) -> bool:
        """Return whether every title in ``titles`` has been committed."""
        with self.changed:
            return titles <= self.written

    def wait_for(self, titles: set[str], seconds: float = GUARD_SECONDS) -> bool:
        """Wait until every title in ``titles`` is committed (True) or ``seconds`` pass (False): a guard."""
        with self.changed:
            return self.changed.wait_for(lambda: titles <= self.written, seconds)


def good_feed(server: Server, slug: str, number: int) -> tuple[str, set[str]]:
    """Serve a feed of two full-text items unique to ``number`` at /<slug>.xml; return its URL and item titles."""
    outlet, person = OUTLETS[number % len(OUTLETS)], PEOPLE[number % len(PEOPLE)]
    items, titles = [], set()
    for n in range(2):
        title = f"{outlet} report {number}-{n}"
        body = (f"{person} spoke to the {outlet} about the harbour plan number {number}-{n} on Tuesday. "
                + "The council will vote on the plan next month, and residents asked for a say in it. " * 8)
        items.append((title, server.url(f"/{slug}/{n}.html"), "Tue, 13 Aug 2024 15:00:00 GMT", body[:60], body))
        titles.add(title)
    server.routes[f"/{slug}.xml"] = static(rss(outlet, items), "application/rss+xml")
    return server.url(f"/{slug}.xml"), titles


# --------------------------------------------------------------------------- a feed that trickles

@contextmanager
def trickling(stop: Callable[[], bool]) -> Iterator[str]:
    """Yield the URL of a raw HTTP server that sends a valid-looking feed one byte at a time until ``stop()``.

    A byte every 50 ms: never idle long enough for a read timeout; then it hangs up mid-body.
    Each request's path is recorded in ``trickling.seen`` with whether ``stop()`` held when it hung up.
    """
    class Handler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            path = self.request.recv(65536).split(b" ", 2)[1].decode()
            body = rss("Trickle Tribune", []).encode() * 1000
            try:
                self.request.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n"
                                     + f"Content-Length: {len(body)}\r\n\r\n".encode())
                for byte in body:
                    if stop():
                        break
                    time.sleep(0.05)  # the trickle's pace (what it serves), not a wait for anything
                    self.request.sendall(bytes([byte]))
            except OSError:
                pass  # the client gave up: its deadline
            with lock:
                seen[path] = stop()

    class Threaded(socketserver.ThreadingTCPServer):
        daemon_threads = True
        allow_reuse_address = True

    lock, seen = threading.Lock(), {}
    trickling.seen = seen  # type: ignore[attr-defined]
    with Threaded(("127.0.0.1", 0), Handler) as httpd:
        threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        try:
            yield f"http://127.0.0.1:{httpd.server_address[1]}/trickle.xml"
        finally:
            httpd.shutdown()


# --------------------------------------------------------------------------- the named cases

def test_a_good_feed_is_stored_while_another_still_hangs(server: Server, tmp_path: Path) -> None:
    """The hanging feed answers only once the good feed's items are in the store (or after the guard).

    Before: every feed was fetched first and the changed ones ingested together, so the good
    feed's items waited for the hanging one (here: for the whole guard, and the check failed).
    """
    store = WatchedStore(tmp_path / "w.duckdb")
    good = courier_site(server)
    seen: dict[str, bool] = {}

    def hang_until_good_is_stored(request: object, hit: int) -> tuple[int, dict[str, str], bytes]:
        seen["stored while hanging"] = store.wait_for({title for title, _, _ in STORIES.values()})
        return 200, {"Content-Type": "application/rss+xml"}, rss("Late Ledger", []).encode()

    server.routes["/late.xml"] = hang_until_good_is_stored
    patient = FetchSettings(backoff=0.01, read_timeout=GUARD_SECONDS + 30, total_timeout=GUARD_SECONDS + 60,
                            allow_hosts=ALLOW_LOOPBACK)
    lines: list[str] = []
    summary = watch(store, [Feed(server.url("/late.xml"), "Late"), Feed(good, "Courier")], every=0, rounds=1,
                    fetcher=Fetcher(patient), watchlist=Watchlist(), log=lines.append)
    assert seen == {"stored while hanging": True}, "the good feed's items waited for the hanging feed"
    assert summary.new == 3 and "  Courier: 3 new" in lines[0] and "  Late: error: feed has no items" in lines[0]


def test_malformed_and_internal_urls_cost_their_feed_or_item_not_the_watch(server: Server, tmp_path: Path) -> None:
    """A malformed feed URL, a redirect to a malformed URL and malformed or internal item links.

    Before: ``http://[oops/`` raised ValueError out of the round and ended the watch.
    """
    good, titles = good_feed(server, "good", 0)
    links = ["http://[oops/story", "http://10.0.0.7/private", "http://169.254.169.254/latest/meta-data/"]
    items = [(f"Linked story {n}", link, "Wed, 14 Aug 2024 09:30:00 GMT", f"Summary of linked story {n}.", "")
             for n, link in enumerate(links)]
    server.routes["/links.xml"] = static(rss("Link Ledger", items), "application/rss+xml")
    server.routes["/moved.xml"] = static("", status=302, Location="http://[oops/feed.xml")
    feeds = [Feed("http://[oops/feed.xml", "Malformed"), Feed(server.url("/moved.xml"), "Moved"),
             Feed(server.url("/links.xml"), "Links"), Feed(good, "Good")]
    store, lines = Store(tmp_path / "w.duckdb"), []
    summary = watch(store, feeds, every=0, rounds=1, fetcher=Fetcher(SHORT), watchlist=Watchlist(),
                    log=lines.append)
    log = lines[0]
    assert "  Malformed: error: " in log and "  Moved: error: " in log, log
    assert "  Links: 3 new" in log and "  Good: 2 new" in log, log
    stored = store.query("SELECT title, text_origin FROM articles")
    assert titles <= set(stored["title"])
    # Each linked item kept its summary: its page was refused (malformed, internal), never fetched.
    assert set(stored[stored["title"].str.startswith("Linked")]["text_origin"]) == {"summary"}
    assert summary.errors == 2 and not summary.interrupted


def test_whatever_a_feeds_reading_raises_is_that_feeds_error(server: Server, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Fault injected: the feed reader raises on one feed (as urlsplit did on ``http://[oops/``). Before: the
    exception ended the watch; now it is that feed's error and the other feed is stored."""
    from monitor.ingest.sources import web

    real = web.read_feed

    def read_feed(content: bytes, path: str, mapping: object) -> object:
        if "/cursed.xml" in path:
            raise ValueError("Invalid IPv6 URL")
        return real(content, path, None)

    monkeypatch.setattr(web, "read_feed", read_feed)
    good, titles = good_feed(server, "good", 0)
    cursed, _ = good_feed(server, "cursed", 1)
    store, lines = Store(tmp_path / "w.duckdb"), []
    summary = watch(store, [Feed(cursed, "Cursed"), Feed(good, "Good")], every=0, rounds=2, fetcher=Fetcher(SHORT),
                    watchlist=Watchlist(), log=lines.append)
    assert "  Cursed: error: could not be read: ValueError: Invalid IPv6 URL" in lines[0]
    assert "  Good: 2 new" in lines[0]
    assert "  Cursed: error: could not be read" in lines[1] and summary.rounds == 2
    assert stored_titles(store) == titles


def test_a_long_feed_is_stored_in_parts_and_its_validators_kept_once_all_are(server: Server, tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Memory bounded by parts, not by the feed's length: five items in parts of two, each stored before the
    next is read; the feed counts all five and is asked conditionally next round."""
    monkeypatch.setattr(watch_module, "PART_ITEMS", 2)
    monkeypatch.setattr(watch_module, "ingest", counted := _Counted(watch_module.ingest))
    body = "The ferry crews of Lakeside returned to work on Friday after a strike over pay and hours. " * 10
    items = [(f"Ferry day {n}", server.url(f"/ferry/{n}.html"), "Fri, 16 Aug 2024 18:15:00 GMT", "Ferry.",
              f"Day {n}. {body}") for n in range(5)]
    server.routes["/long.xml"] = static(rss("Lakeside Ledger", items), "application/rss+xml", ETag='"v1"')
    store, lines = Store(tmp_path / "w.duckdb"), []
    watch(store, [Feed(server.url("/long.xml"), "Long")], every=0, rounds=1, fetcher=Fetcher(SHORT),
          watchlist=Watchlist(), log=lines.append)
    assert "  Long: 5 new" in lines[0] and counted.sizes == [2, 2, 1]
    assert stored_titles(store) == {f"Ferry day {n}" for n in range(5)} and store.meta(
        f"feed:{server.url('/long.xml')}:etag") == '"v1"'


class _Counted:
    """The real ingest, noting how many items each call was given."""

    def __init__(self, real: Callable[..., object]) -> None:
        self.real, self.sizes = real, []

    def __call__(self, *args: object, items: list, **kwargs: object) -> object:
        self.sizes.append(len(items))
        return self.real(*args, items=items, **kwargs)


HOLDER = """
import sys, duckdb
con = duckdb.connect(sys.argv[1])  # holds the file's lock until told to let go
print("held", flush=True)
sys.stdin.readline()
con.close()
"""


def let_go(holder: subprocess.Popen[str]) -> None:
    """Tell a HOLDER process to close the store, and wait until it has."""
    assert holder.stdin is not None
    holder.stdin.write("let go\n")
    holder.stdin.flush()
    holder.wait(GUARD_SECONDS)


def test_a_store_held_by_another_process_is_tried_again_next_round(server: Server, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Round 1 finds the store held past the wait and says it will try again; the holder lets go once it
    has said so; round 2 stores the feed. Before: StoreBusy ended the watch."""
    monkeypatch.setattr(locking, "LOCK_WAIT_SECONDS", 0.5)  # the wait before "busy": short, not a timing
    path = tmp_path / "held.duckdb"
    store = Store(path)
    good, titles = good_feed(server, "good", 1)
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    lines: list[str] = []

    def log(line: str) -> None:
        lines.append(line)
        if "store busy, trying again next round" in line and holder.poll() is None:
            let_go(holder)

    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        summary = watch(store, [Feed(good, "Good")], every=0, rounds=2, fetcher=Fetcher(SHORT),
                        watchlist=Watchlist(), log=log)
    finally:
        holder.kill()
        holder.wait()
    assert "round 1: store busy, trying again next round" in lines[0], lines
    assert "round 2: 2 new" in lines[1] and "  Good: 2 new" in lines[1], lines
    assert lines[2].endswith("1 round with the store busy") and summary.busy == 1 and summary.new == 2
    assert stored_titles(store) == titles


def test_a_store_held_when_the_watch_starts_is_waited_for(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    """`watch` opening a store another process holds says so and tries again a round later, instead of exiting 4."""
    from monitor.cli import store_when_free

    monkeypatch.setattr(locking, "LOCK_WAIT_SECONDS", 0.5)  # the wait before "busy": short, not a timing
    path = tmp_path / "held.duckdb"
    Store(path)
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    pauses: list[float] = []

    def pause(seconds: float) -> None:  # the round's wait: the holder lets go during it
        pauses.append(seconds)
        let_go(holder)

    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        store = store_when_free(str(path), 30.0, pause)
    finally:
        holder.kill()
        holder.wait()
    assert pauses == [30.0] and store.path == str(path)
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "held the store" in err[0] and err[0].endswith("trying again in 30 s"), err


def test_a_damaged_store_ends_the_watch_with_its_error(server: Server, tmp_path: Path) -> None:
    """A store fault that is not "busy" (the file overwritten between rounds) ends the watch: raised, summary logged."""
    path = tmp_path / "w.duckdb"
    store = Store(path)
    good, _ = good_feed(server, "good", 2)
    lines: list[str] = []

    def log(line: str) -> None:
        lines.append(line)
        if "round 1:" in line:
            path.write_bytes(b"this is no longer a DuckDB file" * 1000)
            Path(f"{path}.wal").unlink(missing_ok=True)

    with pytest.raises(StoreError) as raised:
        watch(store, [Feed(good, "Good")], every=0, rounds=3, fetcher=Fetcher(SHORT), watchlist=Watchlist(), log=log)
    assert not isinstance(raised.value, StoreBusy) and str(path) in str(raised.value)
    assert lines[-1].startswith("watch stopped after 1 round:"), lines


def test_one_feed_whose_articles_break_the_ingest_costs_only_that_feed(server: Server, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Feeds read at the same time are stored together; when that fails (not a store error), each is stored
    alone, so only the feed that caused it shows the error. Fault injected: the NLP fails on one outlet's text."""
    from monitor.ingest import batch

    real = batch.nlp.analyse

    def analyse(texts):  # fails on the cursed outlet's articles only, like a bug on one odd input
        texts = list(texts)
        if any("Riverside Post" in t for t in texts):
            raise RuntimeError("the model choked on an odd article")
        return real(texts)

    monkeypatch.setattr(batch.nlp, "analyse", analyse)
    store = Store(tmp_path / "w.duckdb")
    first, first_titles = good_feed(server, "first", 0)
    cursed, _ = good_feed(server, "cursed", 1)
    # Both read before either is stored, as when they arrive together in a round.
    reads: list[_Read] = []
    for url, name in [(first, "First"), (cursed, "Cursed")]:
        _read_feed(Feed(url, name), Fetcher(SHORT), None, None, frozenset(), lambda r: reads.append(r) or True)
    _store(store, reads, None, Watchlist())
    assert [r.outcome.describe() for r in reads] == [
        "2 new", "error: could not be stored: RuntimeError: the model choked on an odd article"]
    assert stored_titles(store) == first_titles
    # The cursed feed's validators are not kept: its items are read again next round.
    assert store.meta(f"feed:{first}:etag") == "" and store.meta(f"feed:{cursed}:etag") is None


# --------------------------------------------------------------------------- the generator

KINDS = ("good", "hang", "trickle", "malformed", "bad links", "garbage", "missing", "bad redirect")
# Long: the hostile feeds of the generator hang until the good feeds are stored (a condition), not a deadline.
PATIENT = FetchSettings(backoff=0.01, retries=0, read_timeout=GUARD_SECONDS, total_timeout=GUARD_SECONDS + 60,
                        allow_hosts=ALLOW_LOOPBACK)


@st.composite
def rounds_of_feeds(draw: st.DrawFn) -> list[str]:
    """A round's feeds: one to three good ones among up to five hostile ones, in any order."""
    good = ["good"] * draw(st.integers(1, 3))
    hostile = draw(st.lists(st.sampled_from(KINDS[1:]), min_size=1, max_size=5))
    return draw(st.permutations(good + hostile))


class Round:
    """The feeds of one generated round, served, and what the hanging ones saw."""

    def __init__(self, server: Server, trickle_url: str, good_stored: Callable[[], bool]) -> None:
        self.server, self.trickle_url, self.good_stored = server, trickle_url, good_stored
        self.wanted: set[str] = set()
        self.hung: dict[str, bool] = {}  # a hanging feed's path -> whether the good feeds were stored while it hung

    def serve(self, kind: str, number: int) -> Feed:
        """Return the feed of one kind, serving what it needs; what it must get stored goes into ``wanted``."""
        slug, name = f"f{number}", f"{kind} {number}"
        if kind == "good":
            url, titles = good_feed(self.server, slug, number)
            self.wanted |= titles
            return Feed(url, name)
        if kind == "malformed":
            return Feed(f"http://[oops{number}/feed.xml", name)
        if kind == "trickle":
            return Feed(f"{self.trickle_url}?{number}", name)
        self.server.routes[f"/{slug}.xml"] = self._route(kind, number)
        return Feed(self.server.url(f"/{slug}.xml"), name)

    def _route(self, kind: str, number: int) -> Callable[[object, int], tuple[int, dict[str, str], bytes]]:
        """Return the route of a hostile kind served by the loopback server."""
        if kind == "hang":
            def hang(request: object, hit: int) -> tuple[int, dict[str, str], bytes]:
                self.hung[f"/f{number}.xml"] = wait_for(self.good_stored)  # then an empty answer: an error
                return 200, {}, b""
            return hang
        if kind == "bad links":
            links = ["http://[oops/", "http://10.1.2.3/", "file:///etc/passwd", "http://user@169.254.169.254/"]
            items = [(f"Odd link {number}-{n}", link, "Wed, 14 Aug 2024 09:30:00 GMT", f"Odd summary {number}-{n}.", "")
                     for n, link in enumerate(links)]
            self.wanted |= {t for t, *_ in items}
            return static(rss("Odd Observer", items), "application/rss+xml")
        if kind == "garbage":
            return static(bytes(range(256)) * 64, "application/rss+xml")
        if kind == "bad redirect":
            return static("", status=301, Location="http://[::1/")
        return static("gone", status=404)  # missing


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kinds=rounds_of_feeds())
def test_generated_hostile_rounds_store_every_good_feed(tmp_path: Path, kinds: list[str]) -> None:
    """Whatever the mix and order, the good feeds' items are stored while the hanging and trickling feeds still
    hang (they let go only once they are), the round ends, and each feed's outcome is on its line."""
    store = WatchedStore(tmp_path / f"w{time.monotonic_ns()}.duckdb")
    wanted: set[str] = set()

    def good_stored() -> bool:
        return store.has(wanted)

    with running(Server()) as server, trickling(good_stored) as trickle_url:
        round_ = Round(server, trickle_url, good_stored)
        feeds = [round_.serve(kind, number) for number, kind in enumerate(kinds)]
        wanted |= round_.wanted
        lines: list[str] = []
        summary = watch(store, feeds, every=0, rounds=1, fetcher=Fetcher(PATIENT), watchlist=Watchlist(),
                        log=lines.append)
        hung = {**round_.hung, **trickling.seen}  # type: ignore[attr-defined]
    assert summary.rounds == 1 and not summary.interrupted
    assert stored_titles(store) == wanted, lines
    assert all(hung.values()) and len(hung) == sum(k in ("hang", "trickle") for k in kinds), hung
    for feed, kind in zip(feeds, kinds, strict=True):
        line = next(x for x in lines[0].splitlines() if x.startswith(f"  {feed.name}: "))
        assert ("error: " in line) == (kind not in ("good", "bad links")), line


def test_the_trickling_server_trickles_until_the_deadline() -> None:
    """A trickling feed never idle long enough for the read timeout: only the fetch's total deadline stops it."""
    with trickling(lambda: False) as url, pytest.raises(FetchError, match="whole fetch"):
        Fetcher(SHORT).fetch(url)
