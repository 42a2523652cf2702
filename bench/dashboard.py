"""Time the dashboard's server-side rerun after a filter change (Streamlit AppTest, no browser).

    python bench/dashboard.py [--store PATH] [--runs N]

Builds a store from seeds/ when none is given. Prints the median and spread of the first
load and of reruns after a person / topic / granularity change (cached loaders warm).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def seed_store() -> str:
    """Return the path of a fresh store holding the seed corpus."""
    from monitor.ingest import ingest
    from monitor.store import Store

    path = Path(tempfile.mkdtemp()) / "seed.duckdb"
    ingest(Store(path), [ROOT / "seeds"])
    return str(path)


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    os.environ["MONITOR_STORE"] = args.store or seed_store()
    from streamlit.testing.v1 import AppTest

    first, changes = [], []
    for _ in range(args.runs):
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=300)
        first.append(timed(at.run))
        people = at.sidebar.multiselect(key="entities").options
        changes.append(timed(lambda: at.sidebar.multiselect(key="entities").set_value(people[:1]).run()))
        changes.append(timed(lambda: at.sidebar.selectbox(key="freq").set_value("W").run()))
        changes.append(timed(lambda: at.sidebar.multiselect(key="entities").set_value(people[1:3]).run()))
        assert not at.exception, at.exception
    print(f"store {os.environ['MONITOR_STORE']}")
    print(f"first load, cold caches: {first[0] * 1000:.0f} ms; warm: median "
          f"{statistics.median(first[1:] or first) * 1000:.0f} ms over {len(first) - 1} runs")
    print(f"filter change rerun: median {statistics.median(changes) * 1000:.0f} ms, "
          f"min {min(changes) * 1000:.0f}, max {max(changes) * 1000:.0f} over {len(changes)} changes")


if __name__ == "__main__":
    main()
