"""A real HTTP server on 127.0.0.1 for the fetch and watch tests, and a guard that keeps traffic on loopback.

Loaded as a pytest plugin (``pytest_plugins`` in tests/conftest.py): the ``server`` fixture is
there for any test that asks for it, and ``loopback_only`` guards every test. Helpers (``Server``,
``static``, the fictional sites) are imported by name.

The fetcher refuses loopback by default (its network policy): a test that fetches from these
servers says so explicitly, with ``ALLOW_LOOPBACK`` in its FetchSettings (``Server.settings``)
or the ``allow_loopback`` fixture (``MONITOR_ALLOW_HOSTS=127.0.0.1`` for default fetchers and CLI runs).

Routes map a path to a function ``(request, hit) -> (status, headers, body)``; ``hit`` counts
the requests to that path from 1. Every request's path and headers are recorded on arrival, and
again in ``answered`` once its route has returned, before a byte of the answer is sent.

Concurrency is counted around the route alone (up on arrival, down before the answer is
written), never after the body went out: a client holding its answer may open its next
connection at once, and that request must not be counted beside one already answered.
"""
from __future__ import annotations

import socket
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from monitor.ingest.fetch_types import FetchSettings
from monitor.ingest.network import ALLOW_ENV

Answer = tuple[int, dict[str, str], bytes]
Route = Callable[["Request", int], Answer]
LOOPBACK = ("127.0.0.1", "localhost", "::1")
ALLOW_LOOPBACK = frozenset({"127.0.0.1"})  # the allow-list entry that opens these servers to the fetcher


@dataclass(frozen=True)
class Request:
    """One request the server received."""

    path: str
    headers: dict[str, str]   # lower-case names


@dataclass
class Server:
    """The routes, what was requested, and the server's address."""

    port: int = 0
    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)
    answered: list[Request] = field(default_factory=list)  # their route returned: the answer is being sent
    errors: list[str] = field(default_factory=list)         # tracebacks of routes or of the server itself
    active: int = 0       # requests inside a route right now
    most_active: int = 0
    release: threading.Event = field(default_factory=threading.Event)  # set at teardown: slow routes end
    lock: threading.Lock = field(default_factory=threading.Lock)
    changed: threading.Condition = field(init=False)  # notified when ``active`` changes or at teardown

    def __post_init__(self) -> None:
        self.changed = threading.Condition(self.lock)

    def url(self, path: str) -> str:
        """Return the loopback URL of a path."""
        return f"http://127.0.0.1:{self.port}{path}"

    @staticmethod
    def settings(**kwargs: object) -> FetchSettings:
        """Return FetchSettings (``kwargs`` as given) that allow loopback, so the fetcher may reach this server."""
        return FetchSettings(allow_hosts=ALLOW_LOOPBACK, **kwargs)  # type: ignore[arg-type]

    def hits(self, path: str) -> list[Request]:
        """Return the requests made to one path."""
        return [r for r in self.requests if r.path == path]

    def wait_active(self, count: int, timeout: float = 60) -> bool:
        """Wait until ``count`` requests are inside routes at once (or the test ends); return whether they were.

        For a route that holds its request until the client has opened its other connections:
        then how many run at once depends on the client, not on how fast this machine is.
        """
        with self.changed:
            return self.changed.wait_for(lambda: self.active >= count or self.release.is_set(), timeout)

    def _enter(self, request: Request) -> int:
        """Record a request as it arrives; return its hit number on its path."""
        with self.changed:
            self.requests.append(request)
            self.active += 1
            self.most_active = max(self.most_active, self.active)
            self.changed.notify_all()
            return len(self.hits(request.path))

    def _leave(self, request: Request | None) -> None:
        """The route returned (``request``) or raised (None): no longer active; nothing was sent yet."""
        with self.changed:
            self.active -= 1
            if request is not None:
                self.answered.append(request)
            self.changed.notify_all()


def static(body: bytes | str, content_type: str = "text/html; charset=utf-8", status: int = 200,
           **headers: str) -> Route:
    """Return a route that always answers the same."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    return lambda request, hit: (status, {"Content-Type": content_type, **headers}, data)


def _handler_class(server: Server) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            request = Request(self.path, {k.lower(): v for k, v in self.headers.items()})
            hit = server._enter(request)
            try:
                route = server.routes.get(self.path.split("?", 1)[0])
                status, headers, body = route(request, hit) if route else (404, {"Content-Type": "text/plain"},
                                                                          b"not found")
            except Exception:
                # A broken route is the test's bug: answer 500 at once (no client waits for a timeout)
                # and fail the test at teardown with the traceback.
                server.errors.append(f"route {self.path} raised:\n{traceback.format_exc()}")
                server._leave(None)
                status, headers, body = 500, {"Content-Type": "text/plain"}, b"route raised"
            else:
                server._leave(request)  # counted down before the answer goes out: see the module docstring
            try:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                if "Content-Length" not in headers and "Connection" not in headers:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if body:
                    self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout or size-cap test): expected

        def log_message(self, *args: object) -> None:
            pass

    return Handler


class _HTTPServer(ThreadingHTTPServer):
    """Records an unexpected error in a request's thread for the test to fail on (socketserver would only print it)."""

    daemon_threads = True
    state: Server

    def handle_error(self, request: object, client_address: object) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError | TimeoutError):
            return  # a client that closed or reset its connection (a timeout, a size cap, a pooled connection)
        self.state.errors.append(f"the loopback server failed on a request from {client_address}:\n"
                                 f"{traceback.format_exc()}")


@contextmanager
def running(state: Server) -> Iterator[Server]:
    """Serve ``state`` on a free loopback port while inside; then release slow routes and shut the server.

    If the server's thread dies, its socket is closed at once (clients are refused instead of
    waiting for their timeouts) and the test fails with the traceback at the end; so does a route
    that raised (its client got a 500 at once).
    """
    httpd = _HTTPServer(("127.0.0.1", 0), _handler_class(state))
    httpd.state = state
    state.port = httpd.server_address[1]
    stopped = threading.Event()

    def serve() -> None:
        try:
            httpd.serve_forever(poll_interval=0.05)
        except BaseException:
            state.errors.append(f"the loopback server died:\n{traceback.format_exc()}")
            httpd.server_close()
        finally:
            stopped.set()

    threading.Thread(target=serve, name=f"loopback-{state.port}", daemon=True).start()
    try:
        yield state
    finally:
        with state.changed:
            state.release.set()
            state.changed.notify_all()
        if not stopped.is_set():
            httpd.shutdown()
        httpd.server_close()
    if state.errors:
        pytest.fail("\n".join(state.errors), pytrace=False)


@pytest.fixture
def server() -> Iterator[Server]:
    """Yield a running loopback server (see ``running``)."""
    with running(Server()) as state:
        yield state


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refuse name lookups and connections to anything but loopback for the whole test (every test: autouse).

    A lookup of no host (None or "", for binding a listening socket) is let through: it sends nothing.
    """
    real_getaddrinfo, real_connect = socket.getaddrinfo, socket.socket.connect

    def getaddrinfo(host, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else host
        if name not in (*LOOPBACK, None, ""):
            raise socket.gaierror(socket.EAI_NONAME, f"test guard: no traffic to {name!r}, loopback only")
        return real_getaddrinfo(host, *args, **kwargs)

    def connect(sock, address):
        if isinstance(address, tuple) and address[0] not in LOOPBACK:
            raise ConnectionRefusedError(f"test guard: no connection to {address[0]!r}, loopback only")
        return real_connect(sock, address)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)


@pytest.fixture
def allow_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    """Allow the fetcher to reach 127.0.0.1 for this test: ``MONITOR_ALLOW_HOSTS=127.0.0.1`` (default fetchers, CLI)."""
    monkeypatch.setenv(ALLOW_ENV, ",".join(ALLOW_LOOPBACK))


def free_port() -> int:
    """Return a loopback port nobody listens on (bound, then closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --------------------------------------------------------------------------- fixtures: feeds and pages
# Fictional outlets, people and events only.

STORIES = {
    "tram": ("Tram line opens", "Tue, 13 Aug 2024 15:00:00 GMT", [
        "Mara Velloso, the mayor of Northbridge, opened the new tram line along the river on Tuesday morning. "
        "Hundreds of residents queued at the depot to ride the first car, and the council said twelve trams "
        "would run every ten minutes until midnight.",
        "Velloso told the crowd that the line would cut commuting times across the east of the city and bring "
        "new shops to the old warehouse district. Engineers finished the last section of track three weeks "
        "ahead of the schedule agreed with the transport board.",
        "Her rival Tomas Brandt criticised the cost of the project and asked the council to publish the full "
        "budget. Brandt said he would raise the question again at the next meeting of the finance committee."]),
    "harbour": ("Harbour plan unveiled", "Wed, 14 Aug 2024 09:30:00 +0200", [
        "Ines Okafor, the head of the Northbridge port authority, unveiled a plan on Wednesday to rebuild the "
        "north harbour wall and open a second ferry terminal. The plan would be paid for by the port and by a "
        "loan from the regional bank.",
        "Okafor said the work would create several hundred jobs over five years and protect the fishing fleet "
        "from winter storms. Fishermen welcomed the plan but asked for a say in where the terminal would stand.",
        "The council will vote on the plan next month. Mara Velloso said she supported the project and hoped "
        "that work could begin before the end of the year."]),
    "schools": ("Schools start the new term", "Thu, 15 Aug 2024 07:00:00 GMT", [
        "Pupils across Northbridge returned to their classrooms on Thursday after the summer break. The "
        "education office said three new primary schools had opened in the eastern districts, each with room "
        "for four hundred children, and that every school now had a trained nurse on site.",
        "Parents at the Riverside school praised the new playground, while teachers asked the council for "
        "smaller classes and more money for books. Mara Velloso promised to answer both requests in the "
        "autumn budget, which the council will debate in October."]),
}
LEDGER = {
    "ferry": ("Ferry strike ends", "Fri, 16 Aug 2024 18:15:00 GMT",
              "Ferry crews in Lakeside returned to work after a two-day strike over pay."),
    "library": ("Library reopens", "Sat, 17 Aug 2024 10:00:00 GMT",
                "The Lakeside library reopened after a year of repairs to its roof."),
}


def rss(title: str, items: list[tuple[str, str, str, str, str]]) -> str:
    """Return an RSS 2.0 feed; items are (title, link, pubDate, summary, full content or "")."""
    entries = "".join(
        f"<item><title>{t}</title><link>{link}</link><guid>{link}</guid><pubDate>{date}</pubDate>"
        f"<description>{summary}</description>"
        + (f"<content:encoded><![CDATA[{content}]]></content:encoded>" if content else "") + "</item>"
        for t, link, date, summary, content in items)
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
            f"<title>{title}</title><link>http://127.0.0.1/</link><description>news</description>"
            f"{entries}</channel></rss>")


def page(title: str, paragraphs: list[str], outlet: str = "The Northbridge Courier") -> str:
    """Return an article page without any date, so a date found must come from the feed."""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title} | {outlet}</title></head>"
            f"<body><nav><a href='/'>Home</a> <a href='/city'>City</a></nav>"
            f"<article><h1>{title}</h1>{body}</article><footer>Contact us</footer></body></html>")


def courier_site(server: Server) -> str:
    """Serve the Courier's feed (two summary-only items, one full item) and its pages; return the feed URL.

    The full item's page answers 500: the reader must never ask for it.
    """
    items = []
    for slug, (title, date, paragraphs) in STORIES.items():
        link = server.url(f"/courier/{slug}.html")
        if slug == "schools":
            items.append((title, link, date, paragraphs[0].split(". ")[0] + ".", " ".join(paragraphs)))
            server.routes[f"/courier/{slug}.html"] = static("broken", status=500)
        else:
            items.append((title, link, date, paragraphs[0].split(". ")[0] + ".", ""))
            server.routes[f"/courier/{slug}.html"] = static(page(title, paragraphs))
    server.routes["/courier/feed.xml"] = static(rss("The Northbridge Courier", items), "application/rss+xml")
    return server.url("/courier/feed.xml")


def ledger_site(server: Server) -> str:
    """Serve the Ledger's feed, whose item pages all 404; return the feed URL."""
    items = [(title, server.url(f"/ledger/{slug}.html"), date, summary, "")
             for slug, (title, date, summary) in LEDGER.items()]
    server.routes["/ledger/feed.xml"] = static(rss("Lakeside Ledger", items), "text/xml")
    return server.url("/ledger/feed.xml")
