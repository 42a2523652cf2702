"""Hostile servers on 127.0.0.1 (tests/hostile.py): every fetch ends, by its total deadline if need be, with a reason.

Each fetch runs on a thread watched from outside with a generous limit (``OUTER``): code that
would hang (the old deadline was only checked between 64 KB chunks) fails here instead of
hanging the suite. No test bounds the elapsed time from above: it checks the fetch ENDED, and why.
"""
from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.ingest.fetch import Fetcher
from monitor.ingest.fetch_types import MB, Fetched, FetchError, FetchSettings
from monitor.ingest.sources import RawArticle, Skipped, read_paths
from monitor.ingest.sources.web import read_url
from tests.hostile import (
    Hostile,
    answer,
    gzip_bomb,
    raw,
    redirect,
    running_hostile,
    short_body,
    silence,
    trickle_body,
    trickle_headers,
)
from tests.loopback import ALLOW_LOOPBACK, STORIES, page, rss

OUTER = 60.0  # seconds: only against a hang; a fetch under a 2 s deadline ends long before
DEADLINE = FetchSettings(total_timeout=2.0, read_timeout=60.0, connect_timeout=60.0, retries=0,
                         allow_hosts=ALLOW_LOOPBACK)
WHOLE = "timed out after 2 s (whole fetch)"


@pytest.fixture
def hostile() -> Iterator[Hostile]:
    """Yield a running hostile server."""
    with running_hostile() as state:
        yield state


def ended(work: Callable[[], object]) -> object:
    """Return what ``work`` returned or raised, run on a thread; fail if it has not ended after OUTER seconds."""
    box: list[object] = []

    def run() -> None:
        try:
            box.append(work())
        except BaseException as exc:  # why: handed back to the test
            box.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(OUTER)
    if thread.is_alive():
        pytest.fail(f"still running after {OUTER:g} s: the total deadline never fired")
    return box[0]


def reason_of(hostile: Hostile, path: str, fetch_settings: FetchSettings = DEADLINE) -> str:
    """Return the FetchError reason of fetching ``path`` (fails when it succeeds or raises anything else)."""
    outcome = ended(lambda: Fetcher(fetch_settings).fetch(hostile.url(path)))
    assert isinstance(outcome, FetchError), outcome
    return outcome.reason


# --------------------------------------------------------------------------- the total deadline

TRICKLES = {
    "headers, a byte every 0.2 s": trickle_headers(0.2),
    "body, a byte every 0.2 s": trickle_body(0.2),
    "body, a byte every 1 s": trickle_body(1.0),
    "body, 64 KB then a byte every 0.5 s": trickle_body(0.5, first=64 * 1024),
    "body, bursts of 10 KB every 0.3 s (endless)": trickle_body(0.3, burst=10 * 1024),
    "headers then silence": silence,
}


@pytest.mark.parametrize("name", list(TRICKLES))
def test_a_trickling_server_is_cut_off_by_the_total_deadline(hostile: Hostile, name: str) -> None:
    hostile.behaviours["/t"] = TRICKLES[name]
    assert reason_of(hostile, "/t") == WHOLE
    assert hostile.hits("/t") == 1  # a deadline is not retried


def test_the_deadline_covers_the_redirects_and_the_retries(hostile: Hostile) -> None:
    hostile.behaviours["/hop"] = redirect(b"/slow")
    hostile.behaviours["/slow"] = trickle_body(0.3)
    assert reason_of(hostile, "/hop") == WHOLE
    # 503 again and again with a Retry-After of 30 s: the attempt after the pause could not end in time
    hostile.behaviours["/busy"] = answer(503, b"busy", "Service Unavailable", Retry_After="30")
    assert reason_of(hostile, "/busy", FetchSettings(total_timeout=2.0, retries=5, allow_hosts=ALLOW_LOOPBACK)) \
        == WHOLE
    assert hostile.hits("/busy") == 1


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(every=st.sampled_from([0.05, 0.2, 0.7]), burst=st.integers(1, 40_000), first=st.integers(0, 200_000))
def test_any_trickle_pattern_ends_by_the_deadline(hostile: Hostile, every: float, burst: int, first: int) -> None:
    hostile.behaviours["/any"] = trickle_body(every, burst=burst, first=first)
    big = FetchSettings(total_timeout=1.0, read_timeout=60.0, retries=0, max_bytes=1024 * MB,
                        allow_hosts=ALLOW_LOOPBACK)
    assert reason_of(hostile, "/any", big) == "timed out after 1 s (whole fetch)"


def test_a_name_lookup_that_never_answers_ends_by_the_deadline(hostile: Hostile,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    real = socket.getaddrinfo

    def stuck(host: object, *args: object, **kwargs: object) -> object:
        if host == "slow-dns.example":
            hostile.release.wait(600)  # a resolver that never answers (until the test ends)
        return real(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", stuck)
    fetcher = Fetcher(FetchSettings(total_timeout=2.0, connect_timeout=60.0, retries=3,
                                    allow_hosts=frozenset({"slow-dns.example"})))
    outcome = ended(lambda: fetcher.fetch(f"http://slow-dns.example:{hostile.port}/x"))
    assert isinstance(outcome, FetchError) and outcome.reason == WHOLE


def test_cancel_ends_a_trickling_download_at_once(hostile: Hostile) -> None:
    hostile.behaviours["/t"] = trickle_body(0.2)
    fetcher = Fetcher(FetchSettings(total_timeout=600.0, read_timeout=60.0, allow_hosts=ALLOW_LOOPBACK))
    outcome: list[object] = []
    thread = threading.Thread(target=lambda: outcome.append(fetcher.fetch_many([hostile.url("/t")])), daemon=True)
    thread.start()
    for _ in range(1200):
        if hostile.hits("/t"):
            break
        threading.Event().wait(0.05)
    fetcher.cancel()
    thread.join(OUTER)
    assert not thread.is_alive(), "cancel did not end the download"
    [[error]] = outcome  # type: ignore[misc]
    assert isinstance(error, FetchError) and error.reason == "cancelled"


# --------------------------------------------------------------------------- what a server says

@pytest.mark.parametrize("location, reason", [
    (b"http://[oops/", "redirected to a malformed URL: http://[oops/"),
    (b"http://127.0.0.1:99999/", "malformed URL: Port out of range 0-65535"),
    (b"http://exa mple.com/", "malformed URL: contains a space"),
    (b"http://" + b"a" * 5000 + b".example/", "malformed URL: longer than 4,096 characters"),
    (b"http://xn--zz.example/", "is not a valid host name"),
    (b"gopher://127.0.0.1/", "only http and https URLs can be fetched, not gopher://"),
])
def test_a_garbage_location_is_this_urls_reason(hostile: Hostile, location: bytes, reason: str) -> None:
    hostile.behaviours["/r"] = redirect(location)
    assert reason in reason_of(hostile, "/r")


def test_reason_phrases_and_locations_reach_the_reason_escaped(hostile: Hostile) -> None:
    hostile.behaviours["/e"] = raw(b"HTTP/1.1 418 \x1b[31mred\x1b]0;title\x07 \x9b2J\r\nContent-Length: 0\r\n"
                                   b"Connection: close\r\n\r\n")
    reason = reason_of(hostile, "/e")
    assert reason.startswith("HTTP 418 ") and "\\x1b[31mred" in reason and "\\x07" in reason
    assert not any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in reason), repr(reason)
    hostile.behaviours["/l"] = redirect(b"http://127.0.0.1:1/\x1b[2J")
    assert "\x1b" not in reason_of(hostile, "/l")


def test_content_length_lies_and_a_gzip_bomb(hostile: Hostile) -> None:
    hostile.behaviours["/short"] = short_body(1000, b"<p>only this</p>")
    assert reason_of(hostile, "/short").startswith("connection failed: ")
    hostile.behaviours["/long"] = short_body(5, b"<p>much more than five bytes</p>")
    got = ended(lambda: Fetcher(DEADLINE).fetch(hostile.url("/long")))
    assert isinstance(got, Fetched) and got.content == b"<p>mu"
    hostile.behaviours["/bomb"] = gzip_bomb(64 * MB)
    capped = FetchSettings(max_bytes=1 * MB, retries=0, allow_hosts=ALLOW_LOOPBACK)
    assert reason_of(hostile, "/bomb", capped) == "larger than the 1 MB cap"


# --------------------------------------------------------------------------- a hostile feed

def test_a_hostile_feed_ends_and_keeps_every_item(hostile: Hostile) -> None:
    """The watch's case: one feed whose item pages trickle, stall, redirect to garbage or to loopback names."""
    links = {"trickle": hostile.url("/p/trickle"), "silent": hostile.url("/p/silent"),
             "garbage": hostile.url("/p/garbage"), "good": hostile.url("/p/good"), "oops": "http://[oops/"}
    hostile.behaviours.update({"/p/trickle": trickle_body(0.2), "/p/silent": silence,
                               "/p/garbage": redirect(b"http://[::ffff:127.0.0.1/"),
                               "/p/good": answer(200, page(STORIES["tram"][0], STORIES["tram"][2]).encode(),
                                                 Content_Type="text/html")})
    items = [(slug.title(), link, "Tue, 13 Aug 2024 15:00:00 GMT", f"Teaser about {slug}.", "")
             for slug, link in links.items()]
    hostile.behaviours["/feed.xml"] = answer(200, rss("Hostile Herald", items).encode(),
                                             Content_Type="application/rss+xml")
    got = ended(lambda: list(read_url(hostile.url("/feed.xml"), Fetcher(DEADLINE))))
    assert isinstance(got, list) and [i.title for i in got] == [t for t, *_ in items]
    by_title = {i.title: i for i in got if isinstance(i, RawArticle)}
    assert by_title["Good"].text_origin == "full" and by_title["Good"].text.startswith("Mara Velloso")
    assert {t for t, i in by_title.items() if i.text_origin == "summary"} == {"Trickle", "Silent", "Garbage", "Oops"}


def test_ingest_urls_goes_on_after_bad_ones(hostile: Hostile, allow_loopback: None) -> None:
    hostile.behaviours["/good"] = answer(200, page(*STORIES["harbour"][::2]).encode(), Content_Type="text/html")
    bad = ["http://[oops/", "http://127.0.0.1:99999/", "http://exa mple.com/", "http://a\x1b[2J.example/",
           "http://" + "x" * 5000 + ".example/", "http://xn--zz.example/", "https://\u00ad/"]
    got = ended(lambda: list(read_paths([*bad, hostile.url("/good")])))
    assert isinstance(got, list) and len(got) == len(bad) + 1
    assert all(isinstance(i, Skipped) and i.reason.startswith("malformed URL") for i in got[:-1]), got
    assert isinstance(got[-1], RawArticle) and got[-1].title == "Harbour plan unveiled"
