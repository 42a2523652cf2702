"""The network policy: internal addresses are refused in every spelling, after DNS, at every hop, through a proxy.

These tests run WITHOUT the loopback allowance (except where a test opens one host on purpose):
a fetch of the loopback server must be refused with its reason, and the server must see nothing.
Name resolution is faked by replacing ``socket.getaddrinfo`` (the loopback guard's own, so
nothing leaves the machine): a public-looking name can then lead to 127.0.0.1.
"""
from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor import cli
from monitor.ingest.fetch import Fetcher
from monitor.ingest.fetch_types import FetchError, FetchSettings
from monitor.ingest.network import ALLOW_ENV, Policy, literal_address, not_public, parse_allow_hosts
from monitor.ingest.sources import RawArticle, Skipped, read_paths
from monitor.ingest.sources.web import read_url
from monitor.store import Store
from tests.loopback import ALLOW_LOOPBACK, STORIES, Server, page, rss, static

PUBLIC = "93.184.216.34"   # a public address: the loopback guard refuses any connection to it
NO_RETRY = FetchSettings(retries=0, allow_hosts=frozenset())


@pytest.fixture(autouse=True)
def nothing_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    """No allow-list from the environment, and no proxy, unless a test sets one."""
    monkeypatch.delenv(ALLOW_ENV, raising=False)
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


def resolver(monkeypatch: pytest.MonkeyPatch, names: dict[str, list[str] | Callable[[], list[str]]]) -> list[str]:
    """Make ``names`` resolve to the given addresses (others as before); return the log of names looked up."""
    real = socket.getaddrinfo
    looked_up: list[str] = []

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        name = host.decode() if isinstance(host, bytes) else host
        if name in names:
            looked_up.append(name)
            spec = names[name]
            addresses = spec() if callable(spec) else spec
            return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "",
                     (a, int(port), 0, 0) if ":" in a else (a, int(port))) for a in addresses]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return looked_up


def refusal(url: str, fetch_settings: FetchSettings = NO_RETRY) -> str:
    """Return the reason a fetch of ``url`` failed (fails the test if it did not)."""
    with pytest.raises(FetchError) as error:
        Fetcher(fetch_settings).fetch(url)
    return error.value.reason


# --------------------------------------------------------------------------- the named cases

def test_loopback_is_refused_by_default_with_the_way_to_allow_it(server: Server) -> None:
    server.routes["/secret"] = static("internal page")
    assert refusal(server.url("/secret")) == \
        "refused: 127.0.0.1 is a loopback address (use --allow-host 127.0.0.1 to allow it)"
    assert refusal("http://10.0.0.5/x") == \
        "refused: 10.0.0.5 is a private address (use --allow-host 10.0.0.5 to allow it)"
    assert not server.requests
    allowed = Fetcher(FetchSettings(allow_hosts=ALLOW_LOOPBACK)).fetch(server.url("/secret"))
    assert allowed.content == b"internal page"


@pytest.mark.parametrize("host", ["2130706433", "0x7f.1", "127.1", "0177.0.0.1", "0x7f000001", "[::ffff:127.0.0.1]",
                                  "[::ffff:7f00:1]", "[::127.0.0.1]", "0.0.0.0", "0", "localhost", "localhost.",
                                  "LocalHost", "foo.localhost", "a.b.localhost.", "[::1]", "127.0.0.1.",
                                  "[64:ff9b::127.0.0.1]", "[2002:7f00:1::]", "[fe80::1]", "169.254.169.254",
                                  "100.64.0.1", "[fc00::1]", "224.0.0.1", "255.255.255.255", "192.168.1.1"])
def test_odd_spellings_of_internal_addresses_are_refused(server: Server, host: str) -> None:
    server.routes["/secret"] = static("internal page")
    reason = refusal(f"http://{host}:{server.port}/secret")
    assert reason.startswith("refused: ") and "use --allow-host" in reason, reason
    assert not server.requests


def test_a_name_that_resolves_to_an_internal_address_is_refused_after_dns(server: Server,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    server.routes["/secret"] = static("internal page")
    resolver(monkeypatch, {"intranet.example": ["127.0.0.1"], "mixed.example": [PUBLIC, "127.0.0.1"]})
    assert refusal(f"http://intranet.example:{server.port}/secret") == (
        "refused: intranet.example resolves to 127.0.0.1, a loopback address "
        "(use --allow-host intranet.example to allow it)")
    # one internal address among public ones: refused (the connection could pick either)
    assert refusal(f"http://mixed.example:{server.port}/secret").startswith("refused: mixed.example resolves to")
    assert not server.requests
    # opened by name: fetched from the vetted address, the Host header still the name
    opened = Fetcher(FetchSettings(allow_hosts=frozenset({"intranet.example"})))
    assert opened.fetch(f"http://intranet.example:{server.port}/secret").content == b"internal page"
    assert server.requests[0].headers["host"] == f"intranet.example:{server.port}"


def test_the_address_checked_is_the_address_connected_to(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    """DNS rebinding: the first answer is public, later ones loopback; the one connection uses the first."""
    answers = iter([[PUBLIC]])
    looked_up = resolver(monkeypatch, {"rebind.example": lambda: next(answers, ["127.0.0.1"])})
    server.routes["/secret"] = static("internal page")
    reason = refusal(f"http://rebind.example:{server.port}/secret")
    assert reason.startswith("connection failed:") and "test guard: no connection to '93.184.216.34'" in reason
    assert looked_up == ["rebind.example"] and not server.requests


@pytest.mark.parametrize("hop", [1, 2, 3])
@pytest.mark.parametrize("target", ["http://127.0.0.1:{port}/secret", "http://0x7f.1:{port}/secret",
                                    "http://localhost.:{port}/secret", "http://[::ffff:127.0.0.1]:{port}/secret",
                                    "http://inside.example:{port}/secret"])
def test_a_redirect_to_an_internal_address_is_refused_at_every_hop(server: Server, monkeypatch: pytest.MonkeyPatch,
                                                                   hop: int, target: str) -> None:
    # The site is opened by name (it lives on loopback here); the redirect's target is not.
    resolver(monkeypatch, {"site.example": ["127.0.0.1"], "inside.example": ["127.0.0.1"]})
    site = f"http://site.example:{server.port}"
    for n in range(hop - 1):
        server.routes[f"/hop{n}"] = static("", status=302, Location=f"{site}/hop{n + 1}")
    server.routes[f"/hop{hop - 1}"] = static("", status=302, Location=target.format(port=server.port))
    server.routes["/secret"] = static("internal page")
    reason = refusal(f"{site}/hop0", FetchSettings(retries=0, allow_hosts=frozenset({"site.example"})))
    assert reason.startswith(f"redirected to {target.format(port=server.port)}: refused: "), reason
    assert not server.hits("/secret") and len(server.requests) == hop


def test_a_proxy_never_carries_a_request_for_an_internal_host(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    """The proxy resolves names itself: the fetcher vets the target before handing it over."""
    proxy = server  # a loopback server standing in for a proxy: it records what it is asked to fetch
    proxy.routes["http://news.example/story"] = static("via the proxy")
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy.port}")
    resolver(monkeypatch, {"news.example": [PUBLIC], "intranet.example": ["10.0.0.5"]})
    assert refusal("http://intranet.example/secret").startswith("refused: intranet.example resolves to 10.0.0.5")
    assert refusal("http://10.0.0.5/secret").startswith("refused: 10.0.0.5 is a private address")
    assert refusal("http://unknown.example/secret").startswith("refused: unknown.example cannot be checked here")
    assert not proxy.requests
    assert Fetcher(NO_RETRY).fetch("http://news.example/story").content == b"via the proxy"
    assert [r.path for r in proxy.requests] == ["http://news.example/story"]


def test_a_feed_linking_to_internal_pages_keeps_the_summaries(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    resolver(monkeypatch, {"herald.example": ["127.0.0.1"]})
    title, date, _ = STORIES["tram"]
    server.routes["/admin"] = static(page("Internal admin", ["Secret " * 200]))
    links = [server.url("/admin"), f"http://localhost:{server.port}/admin", f"http://2130706433:{server.port}/admin"]
    server.routes["/feed.xml"] = static(rss("Herald", [(f"{title} {n}", link, date, "A teaser.", "")
                                                       for n, link in enumerate(links)]), "application/rss+xml")
    fetcher = Fetcher(FetchSettings(retries=0, allow_hosts=frozenset({"herald.example"})))
    items = list(read_url(f"http://herald.example:{server.port}/feed.xml", fetcher))
    assert [i.text_origin for i in items if isinstance(i, RawArticle)] == ["summary"] * 3
    assert not server.hits("/admin")


# --------------------------------------------------------------------------- the command line and the setting

def test_cli_ingest_refuses_loopback_unless_allowed(server: Server, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    server.routes["/story"] = static(page(STORIES["harbour"][0], STORIES["harbour"][2]))
    store = str(tmp_path / "s.duckdb")
    assert cli.main(["ingest", server.url("/story"), "--store", store, "--quiet", "--workers", "1"]) == 1
    assert "refused: 127.0.0.1 is a loopback address (use --allow-host 127.0.0.1" in capsys.readouterr().err
    assert not server.requests
    assert cli.main(["ingest", server.url("/story"), "--store", store, "--quiet", "--workers", "1",
                     "--allow-host", "127.0.0.0/8"]) == 0
    assert len(server.requests) == 1
    monkeypatch.setenv(ALLOW_ENV, "intranet.example, 127.0.0.1")
    assert cli.main(["ingest", server.url("/story"), "--store", store, "--quiet", "--workers", "1"]) == 0
    assert len(Store(store, read_only=True).query("SELECT * FROM articles")) == 1
    with pytest.raises(SystemExit) as usage:
        cli.main(["ingest", server.url("/story"), "--allow-host", "not a host"])
    assert usage.value.code == 2 and "'not a host' is not a host name" in capsys.readouterr().err


def test_ingest_of_several_urls_goes_on_after_malformed_ones(server: Server, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    """It used to end with exit 3 and nothing stored at the first malformed URL."""
    server.routes["/story"] = static(page(STORIES["harbour"][0], STORIES["harbour"][2]))
    store = str(tmp_path / "s.duckdb")
    bad = ["http://[oops/", "http://127.0.0.1:99999/", "http://exa mple.com/"]
    status = cli.main(["ingest", *bad, server.url("/story"), "--store", store, "--quiet", "--workers", "1",
                       "--allow-host", "127.0.0.1"])
    err = capsys.readouterr().err
    assert status == 1 and all(f"skipped {url}: malformed URL" in err for url in bad), err
    assert len(Store(store, read_only=True).query("SELECT * FROM articles")) == 1


def test_the_setting_is_read_by_default_fetchers(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    server.routes["/a"] = static(page(STORIES["tram"][0], STORIES["tram"][2]))
    monkeypatch.setenv(ALLOW_ENV, "127.0.0.1")
    assert Fetcher().fetch(server.url("/a")).content.startswith(b"<!DOCTYPE html>")
    assert [type(i) for i in read_paths([server.url("/a")])] == [RawArticle]
    monkeypatch.setenv(ALLOW_ENV, "127.0.0.1, what is this")
    with pytest.raises(ValueError, match="MONITOR_ALLOW_HOSTS: 'what is this' is not a host name"):
        Fetcher()
    monkeypatch.delenv(ALLOW_ENV)
    [refused] = read_paths([server.url("/a")])
    assert isinstance(refused, Skipped) and refused.reason.startswith("refused: 127.0.0.1 is a loopback address")


# --------------------------------------------------------------------------- variant generators

_INTERNAL = ["127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "100.64.0.0/10",
             "0.0.0.0/8", "224.0.0.0/4", "240.0.0.0/4", "198.18.0.0/15", "192.0.0.0/24"]
_PUBLIC = ["8.8.8.0/24", "93.184.0.0/16", "151.101.0.0/16", "1.1.1.0/24"]


def _addresses(networks: list[str]) -> st.SearchStrategy[ipaddress.IPv4Address]:
    """Return a strategy of IPv4 addresses inside ``networks``."""
    nets = [ipaddress.IPv4Network(n) for n in networks]
    return st.sampled_from(nets).flatmap(lambda net: st.integers(int(net.network_address), int(net.broadcast_address))
                                         .map(ipaddress.IPv4Address))


def _spellings(address: ipaddress.IPv4Address) -> st.SearchStrategy[str]:
    """Return a strategy of the ways a URL host can spell ``address`` (the resolver reads them all alike)."""
    n, (a, b, c, d) = int(address), address.packed
    forms = [str(address), str(n), hex(n), f"0{n:o}", f"{a}.{b}.{c * 256 + d}", f"{a}.{b * 65536 + c * 256 + d}",
             f"{hex(a)}.{hex(b)}.{hex(c)}.{hex(d)}", f"0{a:o}.0{b:o}.0{c:o}.0{d:o}", f"{address}.",
             f"[::ffff:{address}]", f"[::ffff:{a * 256 + b:x}:{c * 256 + d:x}]", f"[64:ff9b::{address}]",
             f"[2002:{a * 256 + b:x}:{c * 256 + d:x}::1]", f"[::{address}]", f"[0:0:0:0:0:FFFF:{address}]"]
    return st.sampled_from(forms)


@settings(max_examples=50, deadline=None)
@given(host=_addresses(_INTERNAL).flatmap(_spellings))
def test_every_spelling_of_an_internal_address_is_refused(host: str) -> None:
    with pytest.raises(FetchError, match=r": refused: "):
        Fetcher(NO_RETRY).check(f"http://{host}/x")


@settings(max_examples=50, deadline=None)
@given(host=_addresses(_PUBLIC).flatmap(_spellings).filter(lambda h: not h.startswith("[::1") and "[::" not in h))
def test_no_spelling_of_a_public_address_is_refused(host: str) -> None:
    """The other direction: the policy must not refuse the public web (IPv4-compatible ::a.b.c.d is deprecated)."""
    assert Fetcher(NO_RETRY).check(f"http://{host}/x")


@settings(max_examples=50, deadline=None)
@given(address=_addresses(_INTERNAL))
def test_an_allowed_network_opens_every_spelling_of_its_addresses(address: ipaddress.IPv4Address) -> None:
    policy = Policy(parse_allow_hosts([f"{address}/32"]))
    for form in (str(address), str(int(address)), f"::ffff:{address}"):
        policy.check_host(form)
    assert literal_address(str(int(address))) == address and not_public(address) is not None


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(url=st.one_of(
    st.text(min_size=0, max_size=40).map(lambda t: "http://" + t),
    st.builds(lambda h, p, t: f"https://{h}:{p}/{t}", st.text(max_size=12), st.integers(-10, 200_000),
              st.text(max_size=10)),
    st.sampled_from(["http://[oops/", "http://[::1", "http://]/", "http://%00/", "http://a@b@c/", "http://:80/",
                     "http://a..b/", "http://-/", "http://\\\\evil/", "http://\u2028/", "http://xn--/"])))
def test_any_url_is_fetched_or_refused_with_a_reason_never_an_exception(server: Server, url: str) -> None:
    items = list(read_paths([url], fetcher=Fetcher(NO_RETRY)))
    assert items and all(isinstance(i, Skipped) and i.reason for i in items), items
    assert not server.requests
