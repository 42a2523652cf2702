"""Watching feeds over real HTTP on 127.0.0.1: rounds, conditional requests, the CLI, Ctrl-C and SIGTERM."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from monitor.ingest.feeds_file import DEFAULT_FEEDS, Feed, FeedsError, load_feeds, parse_every, read_feeds_file
from monitor.ingest.fetch import Fetcher
from monitor.ingest.fetch_types import FetchSettings
from monitor.ingest.watch import watch
from monitor.ingest.watchlist import Watchlist
from monitor.store import Store
from tests.conftest import ROOT
from tests.loopback import ALLOW_LOOPBACK, Server, courier_site, ledger_site

# Backoff short (retries are counted, not timed); the read timeout only a guard, the routes answer at once or
# hold until the test ends. Loopback allowed explicitly: the fetcher refuses internal hosts by default.
QUICK = FetchSettings(backoff=0.01, read_timeout=60.0, allow_hosts=ALLOW_LOOPBACK)
HANG_GUARD_SECONDS = 90  # only against a hung test: every wait below ends on an event long before
COURIER_DATES = {datetime(2024, 8, 13, 15), datetime(2024, 8, 14, 7, 30), datetime(2024, 8, 15, 7)}
LEDGER_DATES = {datetime(2024, 8, 16, 18, 15), datetime(2024, 8, 17, 10)}


def with_validators(route, etag: str, last_modified: str):
    """Wrap a route: answer 304 to a request carrying its ETag or Last-Modified."""
    def answer(request, hit):
        if request.headers.get("if-none-match") == etag or request.headers.get("if-modified-since") == last_modified:
            return 304, {"ETag": etag, "Last-Modified": last_modified}, b""
        status, headers, body = route(request, hit)
        return status, {**headers, "ETag": etag, "Last-Modified": last_modified}, body
    return answer


# --------------------------------------------------------------------------- settings

@pytest.mark.parametrize("text, seconds", [("30s", 30), ("15m", 900), ("1h", 3600), ("90", 90), (" 2M ", 120),
                                           ("0.5s", 0.5)])
def test_parse_every(text: str, seconds: float) -> None:
    assert parse_every(text) == seconds


@pytest.mark.parametrize("text", ["", "15x", "0s", "-1m", "m", "1h30m"])
def test_parse_every_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="30s, 15m or 1h"):
        parse_every(text)


def test_load_feeds(tmp_path: Path) -> None:
    good = tmp_path / "feeds.toml"
    good.write_text('[[feed]]\nurl = "https://courier.example/rss#top"\nname = "Courier"\n'
                    '[[feed]]\nurl = "http://ledger.example/feed.xml"\n'
                    '[[feed]]\nurl = "https://courier.example/rss"\nname = "again"\n')
    assert load_feeds(good) == [Feed("https://courier.example/rss", "Courier"),
                                Feed("http://ledger.example/feed.xml", "ledger.example/feed.xml")]
    assert load_feeds(DEFAULT_FEEDS) == []  # the shipped file lists no real feed
    bad = tmp_path / "bad.toml"
    for text, problem in [('[[feed]]\nname = "x"\n', "feed 1 has no url"),
                          ('allow_hosts = "intranet.example"\n', "'allow_hosts' must be a list"),
                          ("[[feed]\n", "invalid TOML"),
                          ('feed = "x"\n', "must be a list")]:
        bad.write_text(text)
        with pytest.raises(FeedsError, match=problem):
            load_feeds(bad)
    with pytest.raises(FeedsError, match="cannot read the feeds file"):
        load_feeds(tmp_path / "none.toml")


def test_feeds_that_cannot_be_fetched_are_reported_at_load_and_left_out(tmp_path: Path) -> None:
    """A malformed or unfetchable feed URL costs that feed, not the watch (it used to end it: ValueError/FeedsError)."""
    path = tmp_path / "feeds.toml"
    path.write_text('allow_hosts = ["Intranet.example", "10.1.0.0/16"]\n'
                    '[[feed]]\nurl = "http://[oops/"\n'
                    '[[feed]]\nurl = "file:///etc/passwd"\n'
                    '[[feed]]\nurl = "https://courier.example/rss"\nname = "Courier"\n'
                    '[[feed]]\nurl = "http://ledger.example:99999/feed.xml"\n'
                    '[[feed]]\nurl = "https:///no-host"\n')
    found = read_feeds_file(path)
    assert found.feeds == [Feed("https://courier.example/rss", "Courier")]
    assert found.allow_hosts == frozenset({"intranet.example", "10.1.0.0/16"})
    assert [p.split(": ", 2)[1] for p in found.problems] == ["feed 1", "feed 2", "feed 4", "feed 5"]
    assert "http://[oops/: malformed URL" in found.problems[0] and found.problems[0].endswith("left out")
    assert "file:///etc/passwd: only http and https" in found.problems[1]
    assert "malformed URL: Port out of range" in found.problems[2]
    assert "names no host" in found.problems[3]
    assert load_feeds(path) == found.feeds


# --------------------------------------------------------------------------- rounds

def test_two_rounds_conditional_requests_and_errors(server: Server, tmp_path: Path) -> None:
    courier = courier_site(server)
    server.routes["/courier/feed.xml"] = with_validators(server.routes["/courier/feed.xml"], '"c1"',
                                                         "Thu, 15 Aug 2024 07:00:00 GMT")
    ledger = ledger_site(server)   # no validators: answered in full every round
    feeds = [Feed(courier, "Courier"), Feed(ledger, "Ledger"), Feed(server.url("/gone.xml"), "Gone")]
    store, lines = Store(tmp_path / "w.duckdb"), []
    summary = watch(store, feeds, every=0.05, rounds=2, fetcher=Fetcher(QUICK), watchlist=Watchlist(),
                    log=lines.append)
    assert (summary.rounds, summary.new, summary.not_modified, summary.errors) == (2, 5, 1, 2)
    first, second, final = lines
    assert "round 1: 5 new, 0 not modified, 1 errors" in first and "  Courier: 3 new" in first
    assert "  Ledger: 2 new" in first and "  Gone: error: HTTP 404 Not Found" in first
    assert "round 2: 0 new, 1 not modified, 1 errors" in second and "  Courier: not modified" in second
    assert "  Ledger: 0 new" in second and final == "watch stopped after 2 rounds: 5 new articles, " \
        "1 not modified, 2 errors"
    polls = server.hits("/courier/feed.xml")
    assert "if-none-match" not in polls[0].headers
    assert polls[1].headers["if-none-match"] == '"c1"'
    assert polls[1].headers["if-modified-since"] == "Thu, 15 Aug 2024 07:00:00 GMT"
    assert store.meta(f"feed:{courier}:etag") == '"c1"' and store.meta(f"feed:{ledger}:etag") == ""
    # Round 2 read the ledger again but fetched none of its item pages a second time.
    assert len(server.hits("/ledger/ferry.html")) == 1 and len(server.hits("/courier/tram.html")) == 1
    stored = store.query("SELECT source, date, title, url, path, text_origin FROM articles")
    assert len(stored) == 5 and set(stored["date"]) == COURIER_DATES | LEDGER_DATES
    origins = stored.groupby("source")["text_origin"].agg(set).to_dict()
    assert origins == {"The Northbridge Courier": {"full"}, "Lakeside Ledger": {"summary"}}
    assert f"{courier}#1" in set(stored["path"])


@pytest.fixture
def ctrl_c_raises() -> Iterator[None]:
    """SIGINT raises KeyboardInterrupt during the test, as in a terminal.

    A non-interactive shell starts background jobs with SIGINT ignored, and Python then keeps it ignored:
    a suite run that way (CI, `make test &`) would never see the simulated Ctrl-C and the watch would poll on.
    """
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@pytest.mark.usefixtures("ctrl_c_raises")
def test_interrupt_during_a_round_stops_cleanly(server: Server, tmp_path: Path) -> None:
    def ctrl_c_while_fetching(request, hit):
        """Ctrl-C once the feed's request is in; answer only when the test ends (or after a minute)."""
        _interrupt_main()
        server.release.wait(60)
        return 200, {}, b""

    server.routes["/slow.xml"] = ctrl_c_while_fetching
    lines: list[str] = []
    # One round at most: were the Ctrl-C lost, the test would fail after the feed's minute, not poll for ever.
    summary = watch(Store(tmp_path / "w.duckdb"), [Feed(server.url("/slow.xml"), "Slow")], every=60, rounds=1,
                    fetcher=Fetcher(QUICK), log=lines.append)
    assert summary.interrupted and summary.rounds == 0
    assert not server.answered, "the watch waited for the feed's answer instead of stopping"
    assert lines == ["watch stopped after 0 rounds (interrupted): 0 new articles, 0 not modified, 0 errors"]


def _interrupt_main() -> None:
    import _thread

    _thread.interrupt_main()


# --------------------------------------------------------------------------- the command line

def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "monitor", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env=_env())


def _env() -> dict[str, str]:
    """The environment without proxies: the children talk to 127.0.0.1 only, which they are allowed to fetch."""
    return {**{k: v for k, v in os.environ.items() if "proxy" not in k.lower()}, "MONITOR_ALLOW_HOSTS": "127.0.0.1"}


@pytest.mark.heavy
@pytest.mark.usefixtures("allow_loopback")
def test_cli_ingest_urls_stores_every_item_with_its_date(server: Server, tmp_path: Path) -> None:
    store = tmp_path / "cli.duckdb"
    courier, ledger = courier_site(server), ledger_site(server)
    result = run_cli("ingest", courier, ledger, "--quiet", "--store", str(store))
    assert result.returncode == 0, result.stderr
    assert f"  {courier}: added 3, unchanged 0" in result.stderr and f"  {ledger}: added 2" in result.stderr
    stored = Store(store, read_only=True).query("SELECT date, title, url FROM articles")
    assert len(stored) == 5 and set(stored["date"]) == COURIER_DATES | LEDGER_DATES
    assert "Tram line opens" in set(stored["title"])
    missing = run_cli("ingest", server.url("/gone.xml"), "--quiet", "--store", str(store))
    assert missing.returncode == 1 and f"skipped {server.url('/gone.xml')}: HTTP 404 Not Found" in missing.stderr


def test_cli_watch_without_feeds_says_so(tmp_path: Path) -> None:
    empty = tmp_path / "feeds.toml"
    empty.write_text("# nothing yet\n")
    result = run_cli("watch", "--feeds", str(empty), "--store", str(tmp_path / "s.duckdb"))
    assert result.returncode == 2 and f"no feeds listed in {empty}" in result.stderr
    assert run_cli("watch", "--every", "soon").returncode == 2


def test_cli_watch_warns_about_a_malformed_feed_url_and_leaves_it_out(tmp_path: Path) -> None:
    """Before: ``http://[oops/`` in the feeds file ended the watch at start (ValueError, exit 3)."""
    feeds = tmp_path / "feeds.toml"
    feeds.write_text('[[feed]]\nurl = "http://[oops/"\n')
    result = run_cli("watch", "--feeds", str(feeds), "--store", str(tmp_path / "s.duckdb"), "--rounds", "1")
    assert f"warning: {feeds}: feed 1: http://[oops/: malformed URL: Invalid IPv6 URL; left out" in result.stderr
    assert result.returncode == 2 and "no feeds listed" in result.stderr, result.stderr


@pytest.mark.heavy
def test_cli_watch_fetches_the_internal_hosts_its_feeds_file_allows(server: Server, tmp_path: Path) -> None:
    """The feeds file's ``allow_hosts`` reaches the watch's fetcher: loopback refused without it, fetched with it."""
    courier = courier_site(server)
    feeds = tmp_path / "feeds.toml"
    env = {k: v for k, v in _env().items() if k != "MONITOR_ALLOW_HOSTS"}  # only the file may allow loopback
    for allow, expected in [("", "Courier: error: refused: 127.0.0.1"), ('allow_hosts = ["127.0.0.1"]\n',
                                                                        "Courier: 3 new")]:
        feeds.write_text(f'{allow}[[feed]]\nurl = "{courier}"\nname = "Courier"\n')
        result = subprocess.run([sys.executable, "-m", "monitor", "watch", "--feeds", str(feeds), "--store",
                                 str(tmp_path / "s.duckdb"), "--rounds", "1"], cwd=ROOT, capture_output=True,
                                text=True, timeout=120, env=env)
        assert result.returncode == 0 and expected in result.stderr, result.stderr


@pytest.mark.parametrize("sig, when", [(signal.SIGINT, "between rounds"), (signal.SIGTERM, "during a round")])
@pytest.mark.usefixtures("allow_loopback")
def test_cli_watch_stops_on_signals_with_a_summary(server: Server, tmp_path: Path, sig: int, when: str) -> None:
    feeds = tmp_path / "feeds.toml"
    if when == "between rounds":
        feeds.write_text(f'[[feed]]\nurl = "{server.url("/gone.xml")}"\nname = "Gone"\n')
    else:  # the feed is answered only when the test ends: the watch must not wait for it
        server.routes["/slow.xml"] = lambda request, hit: (server.release.wait(300), (200, {}, b""))[1]
        feeds.write_text(f'[[feed]]\nurl = "{server.url("/slow.xml")}"\n')
    child = subprocess.Popen([sys.executable, "-m", "monitor", "watch", "--feeds", str(feeds), "--every", "1h",
                              "--store", str(tmp_path / "s.duckdb")], cwd=ROOT, env=_env(),
                             stderr=subprocess.PIPE, text=True)
    try:
        if when == "between rounds":
            assert _wait_for(child, "Gone: error: HTTP 404 Not Found", timeout=60), "round 1 not logged"
        else:
            deadline = time.monotonic() + 60
            while not server.hits("/slow.xml") and child.poll() is None and time.monotonic() < deadline:
                time.sleep(0.05)  # polling for the request, not a fixed wait
            assert child.poll() is None, f"the watch exited before its first request:\n{child.communicate()[1]}"
            assert server.hits("/slow.xml"), "the watch never requested its feed"
        child.send_signal(sig)
        try:  # the next round is an hour away and the feed never answers: only the signal ends it
            _, rest = child.communicate(timeout=HANG_GUARD_SECONDS)
        except subprocess.TimeoutExpired:
            pytest.fail(f"the watch did not stop on signal {sig} in {HANG_GUARD_SECONDS} s")
    finally:
        child.kill()
    rounds = "1 round (interrupted)" if when == "between rounds" else "0 rounds (interrupted)"
    assert child.returncode == 0 and f"watch stopped after {rounds}" in rest, rest
    assert "Traceback" not in rest
    assert not any(r.path == "/slow.xml" for r in server.answered), "the watch waited for the feed's answer"


def _wait_for(child: subprocess.Popen, text: str, timeout: float) -> bool:
    """Read the child's stderr until a line holds ``text``; return whether it came.

    A child that exits first fails the test at once with what it wrote; ``timeout`` only guards against a hang.
    """
    found, ended = threading.Event(), threading.Event()
    seen: list[str] = []

    def read() -> None:
        for line in child.stderr:
            seen.append(line)
            if text in line:
                found.set()
                return
        ended.set()

    threading.Thread(target=read, daemon=True).start()
    deadline = time.monotonic() + timeout
    while not found.wait(0.05) and time.monotonic() < deadline:  # polling two events, not a fixed wait
        if ended.is_set():
            child.wait()
            pytest.fail(f"the watch exited with status {child.returncode} before {text!r}:\n{''.join(seen)}")
    return found.is_set()
