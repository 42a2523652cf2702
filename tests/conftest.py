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


def shared_data(*parts: str) -> Path:
    """Return a path under ../shared/data, skipping the test when it is not there."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} not present: real-data tests need ../shared/data beside the project")
    return path


@pytest.fixture(scope="session")
def seed_store(tmp_path_factory):
    """A store file with the seed article ingested (built once per test session)."""
    from monitor.ingest import ingest
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
