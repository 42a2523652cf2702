"""Fetching over real HTTP on 127.0.0.1, and reading URLs through the sources layer."""
from __future__ import annotations

import gzip
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from monitor.ingest.fetch import Fetcher, fetch, fetch_many
from monitor.ingest.fetch_types import MB, Fetched, FetchError, FetchSettings
from monitor.ingest.sources import RawArticle, Skipped, read_file, read_paths
from monitor.ingest.sources.web import WebInput, is_feed, read_url
from tests.conftest import shared_data
from tests.loopback import (
    ALLOW_LOOPBACK,
    LEDGER,
    STORIES,
    Server,
    courier_site,
    free_port,
    ledger_site,
    page,
    rss,
    static,
)

# Every test here fetches from loopback servers, which the network policy refuses by default: allowed on purpose
# (the settings built at import name it; those built in a test read MONITOR_ALLOW_HOSTS from the fixture).
pytestmark = pytest.mark.usefixtures("allow_loopback")
QUICK = FetchSettings(backoff=0.01, read_timeout=5.0, allow_hosts=ALLOW_LOOPBACK)


@dataclass
class CountingServer:
    """A keep-alive loopback server that answers every path with the path, counting connections by client port."""

    port: int = 0
    requests: int = 0
    connections: set[int] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str) -> str:
        """Return the loopback URL of a path."""
        return f"http://127.0.0.1:{self.port}{path}"


@pytest.fixture
def counting_server() -> Iterator[CountingServer]:
    """Yield a running CountingServer; it is shut at the end."""
    state = CountingServer()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # why: keep-alive, so a client may reuse its connection

        def do_GET(self) -> None:
            with state.lock:
                state.requests += 1
                state.connections.add(self.client_address[1])
            body = self.path.encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    state.port = httpd.server_address[1]
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield state
    httpd.shutdown()
    httpd.server_close()


def slow(server: Server, seconds: float):
    """A route that answers only after ``seconds`` (or when the test ends)."""
    return lambda request, hit: (server.release.wait(seconds), (200, {"Content-Type": "text/plain"}, b"late"))[1]


# --------------------------------------------------------------------------- fetch

def test_fetch_returns_content_type_validators_and_sends_a_user_agent(server: Server) -> None:
    server.routes["/a"] = static("<p>hello</p>", ETag='"v1"', **{"Last-Modified": "Tue, 13 Aug 2024 15:00:00 GMT"})
    got = fetch(server.url("/a"))
    assert (got.status, got.content, got.not_modified) == (200, b"<p>hello</p>", False)
    assert got.content_type == "text/html; charset=utf-8" and got.url == server.url("/a")
    assert (got.etag, got.last_modified) == ('"v1"', "Tue, 13 Aug 2024 15:00:00 GMT")
    assert server.requests[0].headers["user-agent"] == "media-monitor/0.1 (offline news monitor)"


def _conditional(request, hit):
    """Answer 304 when the client sends the validators of the one version there is."""
    headers = {"Content-Type": "application/rss+xml", "ETag": '"v1"', "Last-Modified": "Tue, 13 Aug 2024 15:00:00 GMT"}
    fresh = request.headers.get("if-none-match") == '"v1"' or \
        request.headers.get("if-modified-since") == headers["Last-Modified"]
    return (304, headers, b"") if fresh else (200, headers, b"<rss/>")


def test_conditional_request_is_not_modified(server: Server) -> None:
    server.routes["/feed"] = _conditional
    first = fetch(server.url("/feed"))
    again = fetch(server.url("/feed"), etag=first.etag, last_modified=first.last_modified)
    assert first.status == 200 and not first.not_modified
    assert again.not_modified and again.status == 304 and again.content == b"" and again.etag == '"v1"'
    sent = server.requests[1].headers
    assert sent["if-none-match"] == '"v1"' and sent["if-modified-since"] == "Tue, 13 Aug 2024 15:00:00 GMT"
    only_date = fetch(server.url("/feed"), last_modified=first.last_modified)
    assert only_date.not_modified and "if-none-match" not in server.requests[2].headers


def test_redirects_are_followed_bounded_and_checked(server: Server) -> None:
    server.routes["/old"] = static("", status=301, Location="/middle")
    server.routes["/middle"] = static("", status=302, Location=server.url("/new"))
    server.routes["/new"] = static("arrived", "text/plain")
    got = fetch(server.url("/old"))
    assert got.url == server.url("/new") and got.content == b"arrived"
    server.routes["/loop"] = static("", status=302, Location="/loop")
    with pytest.raises(FetchError, match="more than 3 redirects"):
        Fetcher(FetchSettings(max_redirects=3)).fetch(server.url("/loop"))
    assert len(server.hits("/loop")) == 4
    server.routes["/to-file"] = static("", status=302, Location="file:///etc/passwd")
    with pytest.raises(FetchError, match="redirected to file:///etc/passwd: only http and https"):
        fetch(server.url("/to-file"))


def test_cookies_last_one_redirect_chain_only(server: Server) -> None:
    server.routes["/login"] = static("", status=302, Location="/home", **{"Set-Cookie": "seen=1; Path=/"})
    server.routes["/home"] = lambda request, hit: (200, {}, request.headers.get("cookie", "none").encode())
    with Fetcher(QUICK) as fetcher:
        assert fetcher.fetch(server.url("/login")).content == b"seen=1"  # the next hop of the same fetch has it
        assert fetcher.fetch(server.url("/home")).content == b"none"     # a later fetch does not


def test_404_is_an_error_and_not_retried(server: Server) -> None:
    with pytest.raises(FetchError) as error:
        Fetcher(QUICK).fetch(server.url("/missing"))
    assert error.value.reason == "HTTP 404 Not Found" and error.value.url == server.url("/missing")
    assert str(error.value) == f"{server.url('/missing')}: HTTP 404 Not Found"
    assert len(server.hits("/missing")) == 1


def test_500_then_200_is_retried_and_persistent_5xx_gives_up(server: Server) -> None:
    server.routes["/flaky"] = lambda request, hit: (500, {}, b"oops") if hit == 1 else (200, {}, b"ok")
    assert Fetcher(QUICK).fetch(server.url("/flaky")).content == b"ok"
    assert len(server.hits("/flaky")) == 2
    server.routes["/busy"] = static("slow down", status=429, **{"Retry-After": "0"})
    with pytest.raises(FetchError, match=r"HTTP 429 Too Many Requests \(after 3 attempts\)"):
        Fetcher(QUICK).fetch(server.url("/busy"))
    server.routes["/down"] = static("down", status=503)
    with pytest.raises(FetchError, match="HTTP 503"):
        Fetcher(FetchSettings(retries=0)).fetch(server.url("/down"))
    assert len(server.hits("/busy")) == 3 and len(server.hits("/down")) == 1


def test_retry_after_is_honoured(server: Server) -> None:
    server.routes["/limited"] = lambda request, hit: (
        (429, {"Retry-After": "1"}, b"slow down") if hit == 1 else (200, {"Content-Type": "text/plain"}, b"ok"))
    started = time.monotonic()
    got = Fetcher(QUICK).fetch(server.url("/limited"))  # its own backoff is 0.01 s: the wait is the server's
    assert got.content == b"ok" and len(server.hits("/limited")) == 2
    assert time.monotonic() - started >= 0.9


def test_cancel_ends_the_wait_between_attempts(server: Server) -> None:
    server.routes["/down"] = static("down", status=503)
    fetcher = Fetcher(FetchSettings(backoff=600.0))
    results: list[list[Fetched | FetchError]] = []
    waiting = threading.Thread(target=lambda: results.append(fetcher.fetch_many([server.url("/down")])), daemon=True)
    waiting.start()
    for _ in range(600):
        if server.hits("/down"):
            break
        time.sleep(0.05)
    fetcher.cancel()
    waiting.join(60)  # why: a generous guard so a regression fails here instead of hanging the suite
    assert results and isinstance(results[0][0], FetchError) and results[0][0].reason == "cancelled"
    assert len(server.hits("/down")) == 1


def test_connections_are_reused_and_pooled_to_the_concurrency(counting_server: CountingServer) -> None:
    with Fetcher(FetchSettings(workers=3, retries=0)) as fetcher:
        for n in range(4):
            assert fetcher.fetch(counting_server.url(f"/s{n}")).content == f"/s{n}".encode()
        assert len(counting_server.connections) == 1, counting_server.connections
        for _ in range(2):
            results = fetcher.fetch_many([counting_server.url(f"/m{n}") for n in range(9)])
            assert [r.content for r in results] == [f"/m{n}".encode() for n in range(9)]
    assert counting_server.requests == 4 + 18
    assert 1 <= len(counting_server.connections) <= 3, counting_server.connections


def test_connection_refused_is_retried_then_reported() -> None:
    url = f"http://127.0.0.1:{free_port()}/feed"
    with pytest.raises(FetchError, match=r"connection failed: .*refused.* \(after 2 attempts\)"):
        Fetcher(FetchSettings(retries=1, backoff=0.01)).fetch(url)


def test_slow_server_times_out(server: Server) -> None:
    # The route holds its answer for a minute: only the client's deadline can end the fetch, and a read
    # timeout is never retried, so a slow server is not hammered (one request, never answered).
    server.routes["/slow"] = slow(server, 60)
    with pytest.raises(FetchError) as error:
        Fetcher(FetchSettings(read_timeout=0.5, retries=2, backoff=0.01)).fetch(server.url("/slow"))
    assert error.value.reason == "timed out after 0.5 s"
    assert len(server.hits("/slow")) == 1 and not server.answered


def test_size_cap_with_and_without_content_length(server: Server) -> None:
    server.routes["/declared"] = static(b"x" * 5000, "text/plain")
    with pytest.raises(FetchError, match="larger than the 1,000 byte cap"):
        Fetcher(FetchSettings(max_bytes=1000)).fetch(server.url("/declared"))
    # No Content-Length: the body ends when the server closes; the download stops at the cap.
    server.routes["/endless"] = static(b"y" * (11 * MB), "text/plain", Connection="close")
    with pytest.raises(FetchError) as error:
        fetch(server.url("/endless"))
    assert error.value.reason == "larger than the 10 MB cap"
    assert Fetcher(FetchSettings(max_bytes=5000)).fetch(server.url("/declared")).content == b"x" * 5000


@pytest.mark.parametrize("url, reason", [
    ("file:///etc/passwd", "only http and https URLs can be fetched, not file://"),
    ("ftp://127.0.0.1/feed.xml", "only http and https URLs can be fetched, not ftp://"),
    ("http:///feed.xml", "the URL names no host"),
])
def test_only_http_and_https(url: str, reason: str) -> None:
    with pytest.raises(FetchError) as error:
        fetch(url)
    assert error.value.reason == reason
    assert list(read_paths([url])) == [Skipped(url, reason)]


def test_allowed_hosts(server: Server) -> None:
    fetcher = Fetcher(FetchSettings(allowed_hosts=frozenset({"localhost"})))
    with pytest.raises(FetchError, match=r"host 127\.0\.0\.1 is not in the allowed hosts"):
        fetcher.fetch(server.url("/x"))
    assert not server.requests


def test_fetch_many_keeps_order_and_limits_concurrency(server: Server) -> None:
    # Each request is held until four are inside routes at once (the server counts them there, before
    # any answer is sent), then for a moment more, in which a fifth worker would show up.
    def held(n: int):
        return lambda request, hit: (server.wait_active(4), server.release.wait(0.3), (200, {}, str(n).encode()))[2]

    for n in range(8):
        server.routes[f"/p{n}"] = held(n)
    urls = [server.url(f"/p{n}") for n in range(8)] + [server.url("/none")]
    results = fetch_many(urls, settings=FetchSettings(workers=4, retries=0))
    assert [r.content for r in results[:8]] == [str(n).encode() for n in range(8)]
    assert isinstance(results[8], FetchError) and results[8].reason == "HTTP 404 Not Found"
    assert server.most_active == 4, server.most_active


# --------------------------------------------------------------------------- reading URLs

def test_feed_of_summaries_gets_full_text_from_pages_with_the_feed_dates(server: Server) -> None:
    url = courier_site(server)
    tram, harbour, schools = list(read_paths([url]))
    for item, slug in ((tram, "tram"), (harbour, "harbour")):
        title, _, paragraphs = STORIES[slug]
        assert isinstance(item, RawArticle) and item.text == "\n\n".join(paragraphs)
        assert (item.title, item.source, item.text_origin) == (title, "The Northbridge Courier", "full")
        assert item.url == server.url(f"/courier/{slug}.html") and item.date_origin == "metadata"
    assert (tram.path, schools.path) == (f"{url}#1", f"{url}#3")
    assert tram.date == datetime(2024, 8, 13, 15) and harbour.date == datetime(2024, 8, 14, 7, 30)
    assert schools.text_origin == "full" and schools.text.startswith("Pupils across Northbridge")
    assert not server.hits("/courier/schools.html")  # its feed item is already the full text


def test_feed_whose_pages_404_keeps_the_summaries_marked(server: Server) -> None:
    url = ledger_site(server)
    items = list(read_paths([url]))
    assert [i.text for i in items] == [summary for _, _, summary in LEDGER.values()]
    assert {i.text_origin for i in items} == {"summary"} and [i.path for i in items] == [f"{url}#1", f"{url}#2"]
    assert items[0].date == datetime(2024, 8, 16, 18, 15) and items[1].title == "Library reopens"
    assert len(server.hits("/ledger/ferry.html")) == 1  # a 404 is not retried


def test_known_item_pages_are_not_fetched_again(server: Server) -> None:
    url = courier_site(server)
    known = frozenset({server.url("/courier/tram.html")})
    items = list(read_url(WebInput(url, known_urls=known)))
    assert [i.title for i in items] == ["Harbour plan unveiled", "Schools start the new term"]
    assert not server.hits("/courier/tram.html")


def test_page_url_and_a_bad_url_among_files(server: Server, tmp_path: Path) -> None:
    title, _, paragraphs = STORIES["harbour"]
    server.routes["/story"] = static("", status=302, Location="/courier/harbour-2024.html")
    server.routes["/courier/harbour-2024.html"] = static(page(title, paragraphs))
    local = tmp_path / "note.txt"
    local.write_text("date 2024-08-20\nMara Velloso visited the harbour works.\n")
    story, missing, note = read_paths([server.url("/story#top"), server.url("/gone"), local])
    assert isinstance(story, RawArticle) and story.path == server.url("/story")
    assert story.url == server.url("/courier/harbour-2024.html") and story.title == title
    assert story.text == "\n\n".join(paragraphs) and story.date is None
    assert missing == Skipped(server.url("/gone"), "HTTP 404 Not Found")
    assert isinstance(note, RawArticle) and note.path == str(local)


def test_gzip_file_served_as_is_and_sniffing(server: Server) -> None:
    ledger_site(server)
    feed_bytes = server.routes["/ledger/feed.xml"](None, 1)[2]
    server.routes["/ledger.xml.gz"] = static(gzip.compress(feed_bytes), "application/gzip")
    items = list(read_paths([server.url("/ledger.xml.gz")], fetcher=Fetcher(QUICK)))
    assert [i.title for i in items] == ["Ferry strike ends", "Library reopens"]
    assert is_feed(b"<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'/>")
    assert is_feed(b"anything", "application/atom+xml; charset=utf-8")
    assert not is_feed(b"<rss/>", "text/html") and not is_feed(b"<html><body>x</body></html>")


def test_feed_items_are_streamed_with_a_bounded_look_ahead(server: Server) -> None:
    """Pages are fetched a few ahead of the item being read, never all before the first (150 items of 9 MB
    pages once held 1.7 GB): after reading n items, at most n + ahead pages were ever asked for."""
    title, date, paragraphs = STORIES["harbour"]
    items = [(f"{title} {n}", server.url(f"/p/{n}.html"), date, "A teaser.", "") for n in range(40)]
    for n in range(40):
        server.routes[f"/p/{n}.html"] = static(page(f"{title} {n}", paragraphs))
    server.routes["/big.xml"] = static(rss("Courier", items), "application/rss+xml")
    fetcher = Fetcher(FetchSettings(workers=2, allow_hosts=ALLOW_LOOPBACK))
    ahead = 2 * 2
    reader = read_url(server.url("/big.xml"), fetcher)
    for n, item in enumerate(reader, start=1):
        assert isinstance(item, RawArticle) and item.title == f"{title} {n - 1}" and item.text_origin == "full"
        pages = [r for r in server.requests if r.path.startswith("/p/")]
        assert len(pages) <= n + ahead, (n, len(pages))
    assert n == 40 and len(server.hits("/p/39.html")) == 1


def test_fetch_each_keeps_order_repeats_and_the_page_cap(server: Server) -> None:
    server.routes["/p"] = static(page("Repeated", STORIES["tram"][2]))
    date = STORIES["tram"][1]
    links = [server.url("/p"), server.url("/missing"), server.url("/p"), "http://[oops/", server.url("/p")]
    server.routes["/f.xml"] = static(rss("Courier", [(f"t{n}", link, date, "A teaser.", "")
                                                     for n, link in enumerate(links)]), "application/rss+xml")
    got = list(read_url(server.url("/f.xml"), Fetcher(QUICK)))
    assert [i.text_origin for i in got] == ["full", "summary", "full", "summary", "full"]
    assert len(server.hits("/p")) == 1  # a link repeated in a feed is fetched once
    capped = list(read_url(server.url("/f.xml"), Fetcher(FetchSettings(max_pages=1, allow_hosts=ALLOW_LOOPBACK))))
    assert [i.text_origin for i in capped] == ["full", "summary", "full", "summary", "full"]
    assert len(server.hits("/p")) == 2 and len(server.hits("/missing")) == 1  # past the cap: not fetched
    with Fetcher(QUICK) as fetcher:
        results = list(fetcher.fetch_each([server.url("/p"), server.url("/missing")] * 5, ahead=3))
    assert [type(r).__name__ for _, r in results] == ["Fetched", "FetchError"] * 5


# --------------------------------------------------------------------------- real data over loopback

LOOPBACK_ONLY = FetchSettings(allowed_hosts=frozenset({"127.0.0.1"}), retries=0, allow_hosts=ALLOW_LOOPBACK)


@pytest.mark.slow
def test_real_feeds_read_the_same_by_url_as_by_file(server: Server) -> None:
    folder = shared_data("feeds")
    # The real items link to the real sites: the fetcher may only reach this server, so
    # those pages fail at once (no traffic leaves the machine) and the summaries stay.
    fetcher = Fetcher(LOOPBACK_ONLY)
    files = sorted(p for p in folder.iterdir() if p.suffix in (".xml", ".rss", ".atom"))
    total = summaries = 0
    for path in files:
        server.routes[f"/feeds/{path.name}"] = static(path.read_bytes(), "application/xml")
        by_url = list(read_paths([server.url(f"/feeds/{path.name}")], fetcher=fetcher))
        by_file = list(read_file(path))
        assert len(by_url) == len(by_file) > 0, path.name
        for web, local in zip(by_url, by_file, strict=False):
            assert (web.title, web.date, web.source, web.url) == (local.title, local.date, local.source, local.url)
        total += len(by_url)
        summaries += sum(i.text_origin == "summary" for i in by_url)
    assert {r.path.split("/")[1] for r in server.requests} == {"feeds"}
    print(f"\nreal feeds over loopback: {len(files)} feeds, {total} items, same titles and dates; "
          f"{summaries} summaries kept (pages not reachable)")
    assert len(files) >= 9 and total >= 150


@pytest.mark.slow
def test_real_pages_read_the_same_by_url_as_by_file_and_complete_a_feed(server: Server) -> None:
    folder = shared_data("html", "fundus_us")
    expected = json.loads((folder / "EXPECTED.json").read_text(encoding="utf-8"))
    entries = list(expected.values())
    items, titles, dates = [], 0, 0
    for n, entry in enumerate(entries):
        raw = gzip.decompress((folder / entry["html"][0]).read_bytes())
        server.routes[f"/us/{n}.html"] = static(raw, "text/html")
        [web] = read_paths([server.url(f"/us/{n}.html")])
        [local] = read_file(folder / entry["html"][0])
        assert (web.title, web.date, web.text) == (local.title, local.date, local.text), entry["html"]
        titles += web.title is not None and _loose(web.title) == _loose(entry["title"])
        dates += bool(entry["publishing_date"]) and web.date is not None and \
            web.date.date() == datetime.fromisoformat(entry["publishing_date"]).date()
        title = entry["title"].replace("&", "&amp;").replace("<", "&lt;")
        items.append((title, server.url(f"/us/{n}.html"), _rfc822(local.date), "A short teaser.", ""))
    server.routes["/us/feed.xml"] = static(rss("US pages", items), "application/rss+xml")
    feed_items = list(read_paths([server.url("/us/feed.xml")], fetcher=Fetcher(LOOPBACK_ONLY)))
    full = [i for i in feed_items if i.text_origin == "full"]
    print(f"\nfundus pages over loopback: {len(entries)} pages read the same as from files "
          f"(titles as expected {titles}/{len(entries)}, UTC dates {dates}/{len(entries)}); "
          f"as a feed of teasers: {len(full)}/{len(feed_items)} completed with the page text")
    assert len(full) == len(entries)
    for item, entry in zip(feed_items, entries, strict=False):
        [local] = read_file(folder / entry["html"][0])
        assert item.text == local.text


def _rfc822(date: datetime | None) -> str:
    """Return a feed date (or "" for none)."""
    return date.strftime("%a, %d %b %Y %H:%M:%S GMT") if date else ""


def _loose(title: str) -> str:
    """Return a title with spaces collapsed and typographic quotes made straight."""
    straight = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})
    return " ".join(title.split()).translate(straight)
