"""Shared fixtures: the project's paths, the seed, real data when present, a seeded store."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SEED = SEEDS / "000_6d1e4ffdbc2045c2.txt"
SHARED_DATA = ROOT.parent / "shared" / "data"

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Fixtures kept in their own modules, loaded as plugins (never imported by name into a test module):
# tests.loopback: the `server` fixture (a loopback HTTP server) and the autouse `loopback_only` guard.
pytest_plugins = ["tests.loopback"]


def shared_data(*parts: str) -> Path:
    """Return a path under ../shared/data, skipping the test when it is not there."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} not present: real-data tests need ../shared/data beside the project")
    return path


@pytest.fixture(scope="session")
def seed_store(tmp_path_factory):
    """A store file with the seed article ingested (built once per test session)."""
    from monitor.ingest.pipeline import ingest
    from monitor.store import Store

    path = tmp_path_factory.mktemp("store") / "seed.duckdb"
    store = Store(path)
    report = ingest(store, [SEEDS])
    assert report.total("added") == 1, report
    return Store(path, read_only=True)


@pytest.fixture(scope="session")
def seed_frames():
    """The seed's frames, analysed in memory through the public API."""
    import monitor

    return monitor.load(SEEDS)


FICTION = [
    ("2021-03-01", "The Northbridge Courier", "Mara Velloso opens tram line",
     "Mayor Mara Velloso opened the new tram line on Monday. Velloso said the line would help the economy "
     "and bring jobs. Critics led by Tomas Brandt called it a reckless waste of taxpayers' money."),
    ("2021-03-03", "Lakeside Ledger", "Brandt attacks tram budget",
     "Tomas Brandt attacked the tram budget again. Brandt said the mayor had ignored voters before the "
     "election. Mara Velloso replied that the project was a great success."),
    ("2021-03-10", "The Northbridge Courier", "Harbour plan unveiled",
     "Ines Okafor unveiled a harbour plan that would create jobs. Mara Velloso praised the wonderful plan."),
    ("2021-03-17", "Lakeside Ledger", "Election campaign heats up",
     "Tomas Brandt launched his election campaign with a promise to cut taxes. Velloso warned that the "
     "cuts would hurt schools. Voters in Northbridge face a clear choice."),
    ("2021-03-24", "Lakeside Ledger", "Flood damage in Northbridge",
     "Heavy floods damaged the harbour. Mara Velloso visited the area and promised help. "
     "Tomas Brandt blamed the council for poor flood defences."),
]


def store_of(folder, name: str, articles: list[tuple[str, str, str, str]]):
    """Write `articles` ((day, outlet, title, body) each) as text files in `folder`, ingest them into
    `folder/<name>.duckdb` and return that store, read-only; every article must be added."""
    from monitor.ingest.pipeline import ingest
    from monitor.store import Store

    for n, (day, source, title, body) in enumerate(articles):
        (folder / f"{n}.txt").write_text(f"date {day}\ntitle: {title}\nsource: {source}\n{body}\n")
    path = folder / f"{name}.duckdb"
    report = ingest(Store(path), [folder])
    assert report.total("added") == len(articles), report
    return Store(path, read_only=True)


@pytest.fixture(scope="session")
def fiction_store(tmp_path_factory):
    """A store of five fictional articles over four weeks from two outlets."""
    return store_of(tmp_path_factory.mktemp("fiction"), "fiction", FICTION)


CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def fiction_server(fiction_store):
    """`streamlit run dashboard.py` on the fiction store, on a free loopback port, one per test module; stopped
    afterwards. Its URL."""
    from tests.servers import streamlit_server

    with streamlit_server(fiction_store.path) as (url, _):
        yield url


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Drive Debian's chromium (never a downloaded browser), headless, with no background traffic."""
    import shutil

    if not shutil.which("chromium"):
        pytest.skip("chromium not installed (apt-get install chromium): browser tests skipped")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]}


@pytest.fixture
def app(monkeypatch):
    """Return make(store_path, params=None): the dashboard run once by AppTest on that store, with those URL params."""
    from streamlit.testing.v1 import AppTest

    def make(store_path, params: dict | None = None) -> AppTest:
        monkeypatch.setenv("MONITOR_STORE", str(store_path))
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
        for key, value in (params or {}).items():
            at.query_params[key] = value
        return at.run()
    return make
