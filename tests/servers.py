"""A real `streamlit run dashboard.py` on a free loopback port, for the browser and limits tests,
and the browser tests' waits.

The server's output goes to a log file (a pipe nobody reads would fill and stall a chatty server).
A server that exits fails the test at once with the end of that log: while it starts (the health
poll checks the process), and in every wait below, which looks at the process between short waits.

Waits end on a condition, never after a fixed time: ``wait_for_idle`` waits for Streamlit's own
"script not running" state, which its frontend writes on the app's root element
(``data-test-script-state`` on ``stApp``: "initial" before the first run, then "running",
"rerunRequested", "stopRequested", "compilationError" or "notRunning").
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT

HEADLESS = ["--server.headless", "true", "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
            "--server.fileWatcherType", "none"]
START_SECONDS = 120          # only against a hung start: a server is healthy in ~1 s here, and a dead one fails at once
WAIT_MS = 180_000            # the browser tests' waits: generous (a loaded 2-core machine took over 60 s for one
                             # download), each ends as soon as its condition holds
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def free_port() -> int:
    """Return a port free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Served:
    """A running `streamlit run`: its address, its process and its log."""

    url: str
    port: int
    proc: subprocess.Popen
    log: Path

    def tail(self, chars: int = 4000) -> str:
        """Return the end of the server's output."""
        try:
            return self.log.read_text(encoding="utf-8", errors="replace")[-chars:]
        except OSError as exc:
            return f"(no log: {exc})"

    def check(self) -> None:
        """Fail the test at once, with the server's log, if the server has exited."""
        status = self.proc.poll()
        if status is not None:
            pytest.fail(f"the streamlit server at {self.url} exited with status {status}; its log ends:\n"
                        f"{self.tail()}", pytrace=False)


_RUNNING: dict[str, Served] = {}   # url -> server, for the waits to find the server behind a page


def wait_healthy(served: Served, seconds: float = START_SECONDS) -> None:
    """Poll Streamlit's health endpoint until it answers ok; fail at once with the log if the server exits."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        served.check()
        try:
            with urllib.request.urlopen(f"{served.url}/_stcore/health", timeout=5) as answer:
                if answer.read() == b"ok":
                    return
        except OSError:
            pass
        time.sleep(0.1)  # polling: the loop ends on the answer or on the process's exit
    served.proc.kill()
    pytest.fail(f"streamlit did not answer its health check in {seconds} s; its log ends:\n{served.tail()}",
                pytrace=False)


@contextmanager
def streamlit_server(store: str, flags: list[str] | None = None) -> Iterator[tuple[str, int]]:
    """Yield (url, port) of the dashboard on `store`; `flags` replace the headless defaults."""
    port = free_port()
    fd, log_name = tempfile.mkstemp(prefix="streamlit-", suffix=".log")
    log = Path(log_name)
    with os.fdopen(fd, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", str(port),
                                 *(HEADLESS if flags is None else flags)],
                                cwd=ROOT, env={**os.environ, "MONITOR_STORE": str(store)},
                                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
    served = Served(f"http://127.0.0.1:{port}", port, proc, log)
    _RUNNING[served.url] = served
    try:
        wait_healthy(served)
        yield served.url, port
    finally:
        del _RUNNING[served.url]
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.unlink(missing_ok=True)


# --------------------------------------------------------------------------- waits in the browser

def check_server_of(page: Any) -> None:
    """Fail at once, with its log, if the streamlit server this page shows has exited."""
    for url, served in list(_RUNNING.items()):
        if page.url.startswith(url):
            served.check()


def wait_until(page: Any, attempt: Callable[[float], object], what: str, timeout: float = WAIT_MS) -> None:
    """Retry ``attempt(ms)`` (a Playwright wait) in short steps until it succeeds, checking the server between.

    A dead server fails the test at once with its log; a live one that never gets there fails
    after ``timeout`` ms with ``what`` and the last Playwright error.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    deadline = time.monotonic() + timeout / 1000
    while True:
        check_server_of(page)
        left_ms = (deadline - time.monotonic()) * 1000
        try:
            attempt(max(1.0, min(left_ms, 2000.0)))
            return
        except PlaywrightTimeoutError as exc:
            if time.monotonic() >= deadline:
                check_server_of(page)
                pytest.fail(f"{what}: not within {timeout / 1000:.0f} s ({exc})", pytrace=False)


@dataclass(frozen=True)
class Downloaded:
    """The file a click made the browser download (`value`, as Playwright's `expect_download` gives it)."""

    value: Any


def expect_download(page: Any, click: Callable[[], object], what: str = "the download",
                    timeout: float = WAIT_MS) -> Downloaded:
    """Click (``click()``) until the browser downloads a file, and return it.

    A download button whose bytes are made on click asks the server for them; a click that lands while the
    page is rerunning can start nothing (the button is drawn anew), which a loaded machine makes likely. So
    the click is repeated every 20 s until a file comes (a second copy of the same file is harmless); a live
    server that never sends one fails after ``timeout`` ms, a dead one at once with its log.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    deadline = time.monotonic() + timeout / 1000
    while True:
        check_server_of(page)
        left_ms = (deadline - time.monotonic()) * 1000
        try:
            with page.expect_download(timeout=max(1.0, min(left_ms, 20_000.0))) as info:
                click()
            return Downloaded(info.value)
        except PlaywrightTimeoutError as exc:
            if time.monotonic() >= deadline:
                check_server_of(page)
                pytest.fail(f"{what}: no file within {timeout / 1000:.0f} s ({exc})", pytrace=False)


def wait_for_idle(page: Any, timeout: float = WAIT_MS) -> None:
    """Wait until Streamlit's script is not running (and has run at least once since the page loaded).

    Use it after a navigation, or once something shows that a rerun has started (a URL change,
    a new element): right after a click the previous run's "notRunning" may still be showing.
    """
    wait_until(page, lambda ms: page.locator(IDLE).wait_for(state="attached", timeout=ms),
               "the app did not finish its run", timeout)


def wait_visible(page: Any, locator: Any, what: str, timeout: float = WAIT_MS) -> None:
    """Wait until ``locator`` is visible, failing at once if the server has died."""
    wait_until(page, lambda ms: locator.wait_for(state="visible", timeout=ms), what, timeout)


def open_dashboard(page: Any, url: str) -> None:
    """Go to ``url``, wait for the first chart to be drawn and then for the run to end.

    The chart's element comes before plotly has drawn into it (its ``.main-svg``); a test reading the chart's
    text at once would read ``''`` on a loaded machine, so the wait is for the drawing.
    """
    page.goto(url)
    drawn = page.get_by_test_id("stPlotlyChart").first.locator(".main-svg").first
    wait_visible(page, drawn, "no chart drawn on the page")
    wait_for_idle(page)
