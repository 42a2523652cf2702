"""The network policy of the fetcher: which addresses may be fetched, and a deadline no server can stretch.

**Policy.** By default only public addresses are fetched. Loopback, private, link-local,
multicast, unspecified, reserved and shared (100.64/10) addresses are refused, and so are the
IPv6 forms that carry one of those (IPv4-mapped, IPv4-compatible, 6to4, NAT64). A host is
checked twice: by its spelling before anything is sent (``127.1``, ``0x7f.1``, ``2130706433``,
``[::ffff:127.0.0.1]``, ``localhost.``, ``foo.localhost``), and after name resolution on every
connection: the name is resolved once, every address is vetted, and the socket connects to the
vetted address itself, so a DNS answer that changes between the check and the connection
(rebinding) cannot lead elsewhere. The Host header and TLS (SNI, certificate) keep the name.
:class:`Policy` holds the user's allow-list (``--allow-host`` / ``MONITOR_ALLOW_HOSTS``): a host
name, an address or a network opened on purpose.

**Deadline.** A :class:`Deadline` is the whole-fetch clock (redirects, retries, name resolution,
headers and body). A watchdog timer shuts down the sockets of its connections when it
expires, so a server trickling one byte at a time (each read well inside the read timeout)
is cut off all the same; name resolution is waited for at most until the deadline.
"""
from __future__ import annotations

import contextlib
import ipaddress
import re
import socket
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.util.connection import _set_socket_options, allowed_gai_family

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
ALLOW_ENV = "MONITOR_ALLOW_HOSTS"
_SHARED = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_COMPAT = ipaddress.ip_network("::/96")
_NOT_PUBLIC_EXTRA = (ipaddress.ip_network("192.0.0.0/24"), ipaddress.ip_network("64:ff9b:1::/48"))
_NAME = re.compile(r"^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$")
_NUMERIC = re.compile(r"^[0-9a-fx.]+$")


class Refused(Exception):
    """A host or address the policy does not let the fetcher reach; ``reason`` says which and why.

    Not an OSError on purpose: urllib3 retries OSErrors, and a refusal must never be retried.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class DeadlineExpired(Exception):
    """The whole-fetch deadline passed (raised where waiting would go past it)."""


# --------------------------------------------------------------------------- addresses

def not_public(address: Address) -> str | None:
    """Return what kind of non-public address this is ("a loopback address", ...), or None for a public one."""
    embedded = _embedded_ipv4(address)
    if embedded is not None:
        kind = not_public(embedded)
        if kind is not None:
            return f"{kind.removeprefix('a ').removeprefix('an ')} address in IPv6 form ({embedded})"
        if address in _COMPAT:
            return "a deprecated IPv4-compatible IPv6 address"
        return None
    for test, kind in ((address.is_unspecified, "an unspecified"), (address.is_loopback, "a loopback"),
                       (address.is_link_local, "a link-local"), (address.is_multicast, "a multicast"),
                       (address in _SHARED, "a shared (carrier-grade NAT)"), (address.is_private, "a private"),
                       (address.is_reserved, "a reserved"),
                       (isinstance(address, ipaddress.IPv6Address) and address.is_site_local, "a site-local"),
                       (any(address in net for net in _NOT_PUBLIC_EXTRA) or not address.is_global,
                        "a non-public")):
        if test:
            return f"{kind} address"
    return None


def _embedded_ipv4(address: Address) -> ipaddress.IPv4Address | None:
    """Return the IPv4 address an IPv6 one carries (mapped, compatible, 6to4, NAT64), or None."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64 or (address in _COMPAT and int(address) > 1):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def literal_address(host: str) -> Address | None:
    """Return the address a host spells, in any form a resolver accepts (``127.1``, ``0x7f.1``), or None for a name."""
    host = host.strip("[]").rstrip(".")
    with contextlib.suppress(ValueError):
        return ipaddress.ip_address(host.split("%", 1)[0])
    if _NUMERIC.match(host.lower()):
        # why: inet_aton is what the C resolver applies to a numeric host: 127.1, 0177.0.0.1, 0x7f.1, 2130706433.
        with contextlib.suppress(OSError):
            return ipaddress.IPv4Address(socket.inet_aton(host))
    return None


# --------------------------------------------------------------------------- the allow-list

def parse_allow_entry(entry: str) -> str:
    """Return an allow-list entry normalised (a lower-case host name, an address or a network); ValueError if none."""
    text = entry.strip().lower().rstrip(".")
    bare = text.strip("[]")
    with contextlib.suppress(ValueError):
        return str(ipaddress.ip_network(bare, strict=False))
    try:
        ascii_name = text.encode("idna").decode("ascii")
    except UnicodeError:
        ascii_name = ""
    if not ascii_name or not _NAME.match(ascii_name):
        raise ValueError(f"{entry.strip()!r} is not a host name, an IP address or a network (CIDR)")
    return ascii_name


def parse_allow_hosts(entries: Iterable[str]) -> frozenset[str]:
    """Return the normalised allow-list of ``entries`` (empty ones ignored); ValueError naming a bad entry."""
    return frozenset(parse_allow_entry(e) for e in entries if e.strip())


def allow_hosts_from_env() -> frozenset[str]:
    """Return the allow-list in ``MONITOR_ALLOW_HOSTS`` (comma-separated); ValueError naming a bad entry."""
    import os

    try:
        return parse_allow_hosts(os.environ.get(ALLOW_ENV, "").split(","))
    except ValueError as error:
        raise ValueError(f"{ALLOW_ENV}: {error}") from None


@dataclass(frozen=True)
class Policy:
    """Which hosts may be reached: public addresses, plus the allow-list's names, addresses and networks."""

    allow: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        networks = tuple(ipaddress.ip_network(e) for e in self.allow if _is_network(e))
        object.__setattr__(self, "_networks", networks)
        object.__setattr__(self, "_names", frozenset(e for e in self.allow if not _is_network(e)))

    def name_allowed(self, host: str) -> bool:
        """Return True when the host name itself is on the allow-list (then any address it resolves to is)."""
        return host.lower().rstrip(".") in self._names  # type: ignore[attr-defined]

    def address_allowed(self, address: Address) -> bool:
        """Return True when the address (or the IPv4 address it carries) is in an allowed network."""
        candidates = [address, _embedded_ipv4(address)]
        return any(a is not None and a.version == n.version and a in n
                   for a in candidates for n in self._networks)  # type: ignore[attr-defined]

    def check_host(self, host: str) -> None:
        """Raise Refused when a host is refused by its spelling alone (an internal address or a localhost name)."""
        name = host.lower().strip("[]").rstrip(".")
        if self.name_allowed(name):
            return
        address = literal_address(name)
        if address is not None:
            self.check_address(host, address)
        elif name == "localhost" or name.endswith(".localhost"):
            raise Refused(f"{name} is a loopback name (use --allow-host {name} to allow it)")

    def check_address(self, host: str, address: Address) -> None:
        """Raise Refused when ``host`` (as written) leads to an address that is not public and not allowed."""
        kind = not_public(address)
        if kind is None or self.address_allowed(address) or self.name_allowed(host):
            return
        bare = host.strip("[]").rstrip(".")
        if literal_address(bare) == address:
            raise Refused(f"{bare} is {kind} (use --allow-host {address} to allow it)")
        raise Refused(f"{bare} resolves to {address}, {kind} (use --allow-host {bare} to allow it)")

    def resolve(self, host: str, port: int, seconds: float | None) -> list[tuple[int, Any]]:
        """Return the vetted (family, socket address) pairs of a host, resolving a name within ``seconds``.

        Raises Refused when any address is refused: a name with one internal address among
        public ones is not fetched (its other address may be chosen on the next connection).
        """
        self.check_host(host)
        bare = host.strip("[]")
        infos = _getaddrinfo(bare, port, seconds)
        if not infos:
            raise socket.gaierror(socket.EAI_NONAME, f"{bare} has no address")
        for _family, _type, _proto, _name, sockaddr in infos:
            self.check_address(host, ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0]))
        return [(family, sockaddr) for family, _type, _proto, _name, sockaddr in infos]


def _is_network(entry: str) -> bool:
    """Return True for an allow-list entry that is an address or a network."""
    try:
        ipaddress.ip_network(entry)
    except ValueError:
        return False
    return True


def _getaddrinfo(host: str, port: int, seconds: float | None) -> list[Any]:
    """Return getaddrinfo's answer for a host, waiting at most ``seconds`` for a name; TimeoutError past them.

    getaddrinfo cannot be interrupted: it runs on a daemon thread, abandoned when too slow.
    """
    family = allowed_gai_family()
    if literal_address(host) is not None or seconds is None:
        return socket.getaddrinfo(host, port, family, socket.SOCK_STREAM)
    box: list[Any] = []
    done = threading.Event()

    def lookup() -> None:
        try:
            box.append(socket.getaddrinfo(host, port, family, socket.SOCK_STREAM))
        except BaseException as exc:  # why: handed over to the waiting thread
            box.append(exc)
        finally:
            done.set()

    threading.Thread(target=lookup, name="monitor-resolve", daemon=True).start()
    if not done.wait(max(seconds, 0.0)):
        raise TimeoutError(f"name resolution of {host} took longer than {seconds:g} s")
    if isinstance(box[0], BaseException):
        raise box[0]
    return list(box[0])


# --------------------------------------------------------------------------- the deadline

class Deadline:
    """The whole-fetch clock: past it (or on :meth:`fire`), the sockets of the fetch's connections are shut down.

    Used as a context manager around one fetch, on the fetching thread; connections made or
    used by that thread register themselves (:func:`current`).
    """

    _local = threading.local()

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expires = time.monotonic() + seconds
        self.expired = threading.Event()
        self._held: list[Any] = []
        self._lock = threading.Lock()
        self._over = False
        self._timer = threading.Timer(seconds, self.fire)
        self._timer.daemon = True

    def __enter__(self) -> Deadline:
        """Start the watchdog and make this the thread's current deadline; return it."""
        self._timer.start()
        Deadline._local.current = self
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Stop the watchdog and let go of the connections (a later fetch may reuse them)."""
        Deadline._local.current = None
        self._timer.cancel()
        with self._lock:
            self._over, self._held = True, []

    def passed(self) -> bool:
        """Return True once the deadline has fired or its time is up (the watchdog may be a moment late)."""
        return self.expired.is_set() or time.monotonic() >= self.expires

    def remaining(self) -> float:
        """Return the seconds left (0 when past)."""
        return 0.0 if self.expired.is_set() else max(self.expires - time.monotonic(), 0.0)

    def hold(self, item: Any) -> None:
        """Register a socket or a connection: shut down at the deadline (at once when it has passed)."""
        with self._lock:
            if self._over:
                return
            self._held.append(item)
            if self.expired.is_set():
                _shut(item)

    def fire(self) -> None:
        """Expire now (the watchdog, or a cancel): every registered socket is shut down, ending blocked reads."""
        with self._lock:
            if self._over:
                return
            self.expired.set()
            for item in self._held:
                _shut(item)


def current() -> Deadline | None:
    """Return the deadline of the fetch running on this thread, if any."""
    return getattr(Deadline._local, "current", None)


def _shut(item: Any) -> None:
    """Shut down a socket, or a connection's socket, so that a read blocked on it returns at once."""
    sock = item if isinstance(item, socket.socket) else getattr(item, "sock", None)
    if sock is None:
        return
    with contextlib.suppress(OSError, ValueError):
        # why: the base method on purpose: SSLSocket.shutdown also drops its TLS object under the reading thread.
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


# --------------------------------------------------------------------------- connections

class _Guarded:
    """Mixin for urllib3 connections: vetted addresses (when ``policy`` is set) and the fetch's deadline."""

    policy: ClassVar[Policy | None] = None   # None: a proxy's connection (the user named the proxy)
    host: str
    port: int
    timeout: Any
    socket_options: Any
    source_address: Any
    _dns_host: str

    def _new_conn(self) -> socket.socket:
        """Return a socket connected to a vetted address of the host, within the connect timeout and the deadline."""
        deadline = current()
        seconds = self.timeout if isinstance(self.timeout, (int, float)) else None
        if deadline is not None:
            seconds = min(seconds if seconds is not None else deadline.seconds, deadline.remaining())
        policy = self.policy or Policy(frozenset({self._dns_host.lower().rstrip(".")}))
        try:
            addresses = policy.resolve(self._dns_host, self.port, seconds)
        except socket.gaierror as exc:
            raise NameResolutionError(self.host, self, exc) from exc  # type: ignore[arg-type]
        except TimeoutError as exc:
            raise ConnectTimeoutError(self, f"Connection to {self.host} timed out: {exc}") from exc
        return self._connect_first(addresses, deadline)

    def _connect_first(self, addresses: list[tuple[int, Any]], deadline: Deadline | None) -> socket.socket:
        """Return a socket connected to the first of ``addresses`` that answers."""
        error: OSError | None = None
        for family, sockaddr in addresses:
            sock = socket.socket(family, socket.SOCK_STREAM)
            try:
                _set_socket_options(sock, self.socket_options)
                if isinstance(self.timeout, (int, float)):
                    sock.settimeout(self.timeout)
                if self.source_address:
                    sock.bind(self.source_address)
                if deadline is not None:
                    deadline.hold(sock)
                sock.connect(sockaddr)
                return sock
            except OSError as exc:
                error = exc
                sock.close()
        if isinstance(error, TimeoutError):
            raise ConnectTimeoutError(self, f"Connection to {self.host} timed out")
        raise NewConnectionError(self, f"Failed to establish a new connection: {error}")  # type: ignore[arg-type]

    def request(self, *args: Any, **kwargs: Any) -> None:
        """Send a request, this connection now held by the running fetch's deadline (headers and body)."""
        deadline = current()
        if deadline is not None:
            deadline.hold(self)
        super().request(*args, **kwargs)  # type: ignore[misc]


def pool_classes(policy: Policy | None) -> dict[str, type[HTTPConnectionPool]]:
    """Return http and https connection pool classes whose connections keep to ``policy`` and the deadline."""
    http_conn = type("GuardedHTTPConnection", (_Guarded, HTTPConnection), {"policy": policy})
    https_conn = type("GuardedHTTPSConnection", (_Guarded, HTTPSConnection), {"policy": policy})
    return {"http": type("GuardedHTTPPool", (HTTPConnectionPool,), {"ConnectionCls": http_conn}),
            "https": type("GuardedHTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": https_conn})}
