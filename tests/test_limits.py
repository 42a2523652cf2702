"""Limits: the dashboard listens on loopback only, uploads are capped, and the caps are documented."""
from __future__ import annotations

import ast
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from monitor.ingest.sources import DEFAULT_MAX_BYTES
from tests.conftest import ROOT
from tests.servers import streamlit_server

README = (ROOT / "README.md").read_text(encoding="utf-8")


def streamlit_option(name: str) -> str:
    """Return a Streamlit option as Streamlit itself reads it from the project's .streamlit/config.toml."""
    code = ("from streamlit import config; config.get_config_options(force_reparse=True); "
            f"print(config.get_option({name!r}))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "HOME": str(ROOT / ".no-home")})  # no user-level config
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def dashboard_constant(name: str, module: str = "dashboard_upload.py") -> object:
    """Return a module-level constant of the dashboard's code (a file beside dashboard.py) without running the app."""
    tree = ast.parse((ROOT / module).read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError(f"{module} has no {name}")


def test_config_binds_to_loopback_and_caps_uploads():
    assert streamlit_option("server.address") == "127.0.0.1"
    # Streamlit's browser refuses an upload over maxUploadSize x 10**6 bytes: the cap a user meets, the CLI's too.
    assert int(streamlit_option("server.maxUploadSize")) * 1000 * 1000 == DEFAULT_MAX_BYTES


def test_make_run_binds_to_loopback():
    run = re.search(r"^run:.*?(?=^\S)", (ROOT / "Makefile").read_text(), re.MULTILINE | re.DOTALL)
    assert run and "--server.address 127.0.0.1" in run[0]


def listening_addresses(port: int) -> set[str]:
    """Return the local addresses with a TCP socket listening on ``port`` (Linux /proc/net)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                raw = bytes.fromhex(address)
                if len(raw) == 4:
                    found.add(socket.inet_ntop(socket.AF_INET, raw[::-1]))
                else:
                    words = b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4))
                    found.add(socket.inet_ntop(socket.AF_INET6, words))
    return found


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads Linux's /proc/net/tcp")
def test_streamlit_run_without_flags_listens_on_loopback_only(tmp_path):
    # Only the port is given: the address must come from .streamlit/config.toml.
    with streamlit_server(str(tmp_path / "none.duckdb"), flags=[]) as (_, port):
        assert listening_addresses(port) == {"127.0.0.1"}


def test_limits_and_exit_statuses_are_documented():
    section = README.split("## Reliability and limits", 1)[1].split("\n## ", 1)[0]
    assert f"{DEFAULT_MAX_BYTES:,} bytes per file, the same in `ingest` and in the dashboard" in section
    assert f"{dashboard_constant('MAX_UPLOAD_FILES')} files" in section
    assert "127.0.0.1" in section and "maxUploadSize" in section
    for status in ("`0`", "`1`", "`2`", "`3`"):
        assert status in section
    assert "formula" in section
