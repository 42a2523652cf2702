"""A real `streamlit run dashboard.py` on a free loopback port, for the browser and limits tests."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from tests.conftest import ROOT

HEADLESS = ["--server.headless", "true", "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
            "--server.fileWatcherType", "none"]


def free_port() -> int:
    """Return a port free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, proc: subprocess.Popen, seconds: float = 60) -> None:
    """Poll Streamlit's health endpoint until it answers ok; fail the test with its output otherwise."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                return
        except OSError:
            time.sleep(0.3)
    proc.kill()
    output = proc.stdout.read().decode(errors="replace")[-2000:] if proc.stdout else ""
    pytest.fail(f"streamlit did not start: {output}")


@contextmanager
def streamlit_server(store: str, flags: list[str] | None = None) -> Iterator[tuple[str, int]]:
    """Yield (url, port) of the dashboard on `store`; `flags` replace the headless defaults."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", str(port),
                             *(HEADLESS if flags is None else flags)],
                            cwd=ROOT, env={**os.environ, "MONITOR_STORE": str(store)},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc)
        yield url, port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
