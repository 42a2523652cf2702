"""A hostile HTTP server on 127.0.0.1: it writes raw bytes, so it can misbehave in ways http.server will not.

Each path maps to a behaviour ``(conn, hostile) -> None`` that writes whatever it likes on the
raw socket: headers trickled a byte at a time, a body trickled, in bursts then stalls, or
endless, headers then silence, garbage Location headers, lying Content-Lengths, a gzip bomb,
reason phrases with terminal escapes. Every behaviour that waits does so on ``release`` (set
at teardown), so nothing outlives the test. Requests are recorded (path and headers) on arrival.

Used by tests/test_hostile.py; the behaviours are the variant generator of the network tests.
"""
from __future__ import annotations

import gzip
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

Behaviour = Callable[[socket.socket, "Hostile"], None]


@dataclass
class Hostile:
    """The behaviours by path, what was requested, and the port."""

    port: int = 0
    behaviours: dict[str, Behaviour] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)

    def url(self, path: str) -> str:
        """Return the loopback URL of a path."""
        return f"http://127.0.0.1:{self.port}{path}"

    def hits(self, path: str) -> int:
        """Return how many requests asked for ``path``."""
        return sum(p == path for p, _ in self.requests)


def _read_head(conn: socket.socket) -> tuple[str, dict[str, str]] | None:
    """Return the request's path and headers (lower-case names), or None when the client sent none."""
    data = b""
    while b"\r\n\r\n" not in data and len(data) < 65536:
        chunk = conn.recv(4096)
        if not chunk:
            return None
        data += chunk
    lines = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return (parts[1] if len(parts) > 1 else "", headers)


def _serve_one(conn: socket.socket, hostile: Hostile) -> None:
    """Answer one connection with the behaviour of its path (404 when none); close it at the end."""
    with conn:
        try:
            head = _read_head(conn)
            if head is None:
                return
            hostile.requests.append(head)
            behaviour = hostile.behaviours.get(head[0].split("?", 1)[0], answer(404, b"not found"))
            behaviour(conn, hostile)
        except OSError:
            pass  # the client gave up (a deadline, a cap): expected


@contextmanager
def running_hostile() -> Iterator[Hostile]:
    """Serve a Hostile on a free loopback port while inside; then release every waiting behaviour."""
    hostile = Hostile()
    listener = socket.create_server(("127.0.0.1", 0))
    hostile.port = listener.getsockname()[1]
    listener.settimeout(0.1)

    def accept() -> None:
        while not hostile.release.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=_serve_one, args=(conn, hostile), daemon=True).start()

    thread = threading.Thread(target=accept, name=f"hostile-{hostile.port}", daemon=True)
    thread.start()
    try:
        yield hostile
    finally:
        hostile.release.set()
        thread.join(30)
        listener.close()


# --------------------------------------------------------------------------- behaviours

def answer(status: int, body: bytes, reason: str = "OK", **headers: str) -> Behaviour:
    """Return a behaviour that answers at once with a Content-Length and closes."""
    def run(conn: socket.socket, hostile: Hostile) -> None:
        extra = "".join(f"{k.replace('_', '-')}: {v}\r\n" for k, v in headers.items())
        conn.sendall(f"HTTP/1.1 {status} {reason}\r\n{extra}Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
                     .encode("latin-1") + body)
    return run


def raw(data: bytes) -> Behaviour:
    """Return a behaviour that writes ``data`` as is and closes (any status line, any header bytes)."""
    return lambda conn, hostile: conn.sendall(data)


def trickle_headers(every: float) -> Behaviour:
    """Return a behaviour that sends a status line, then header bytes one at a time, ``every`` seconds, for ever."""
    def run(conn: socket.socket, hostile: Hostile) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\n")
        while not hostile.release.wait(every):
            conn.sendall(b"X")
    return run


def trickle_body(every: float, burst: int = 1, first: int = 0) -> Behaviour:
    """Return a behaviour: headers (no Content-Length, not chunked), ``first`` bytes, then ``burst`` bytes every
    ``every`` seconds, for ever."""
    def run(conn: socket.socket, hostile: Hostile) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n" + b"<p>" * (first // 3))
        while not hostile.release.wait(every):
            conn.sendall(b"a" * burst)
    return run


def silence(conn: socket.socket, hostile: Hostile) -> None:
    """Send the headers of a body that never comes."""
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100\r\n\r\n")
    hostile.release.wait(600)


def redirect(location: bytes, status: int = 302) -> Behaviour:
    """Return a behaviour that redirects to ``location`` (raw bytes: any garbage)."""
    return raw(b"HTTP/1.1 %d Found\r\nLocation: " % status + location + b"\r\nContent-Length: 0\r\n"
               b"Connection: close\r\n\r\n")


def gzip_bomb(size: int) -> Behaviour:
    """Return a behaviour answering ``size`` zero bytes gzip-compressed (a few KB on the wire per MB)."""
    body = gzip.compress(b"\0" * size, 9)
    return answer(200, body, **{"Content-Type": "text/html", "Content_Encoding": "gzip"})


def short_body(declared: int, sent: bytes) -> Behaviour:
    """Return a behaviour whose Content-Length says ``declared`` but which sends ``sent`` and closes."""
    return raw(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
               % declared + sent)
