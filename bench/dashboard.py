"""Time the dashboard at scale: server-side reruns, first chart in a real browser, server memory.

    python bench/dashboard.py [--store PATH] [--runs N] [--browser-runs N] [--no-browser]

With `--store` (e.g. one made by bench/build_store.py) it needs nothing from ../shared. Without
it, a store is built from Reuters-21578 in ../shared/data (skipped with a message when absent).
Measures, in one run:

(a) server-side reruns in Streamlit's AppTest (no browser): the first load with cold caches,
    again with warm caches, then filter changes (people, topic, granularity, date range, outlet),
    each one a cache miss, THINK_SECONDS apart; caches are cleared before each round;
(b) the time from navigation to the first plotly chart drawn in Debian's chromium (Playwright)
    against a fresh `streamlit run dashboard.py` (cold server and caches), median over servers,
    and the same for a page of one small chart (what any Streamlit page costs on this machine);
(c) the peak RSS of the server's process tree (psutil, polled every 50 ms) during those page
    loads and a burst of filter changes (views opened by URL in the same browser);
(d) where one filter change's rerun spends its time (pyinstrument).

Writes the "dashboard" section of bench/RESULTS.md. A benchmark, not a test: it asserts nothing
about speed.
"""
from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.results import ms, reuters_jsonl, write_section  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]
HEADLESS = ["--server.headless", "true", "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
            "--server.fileWatcherType", "none"]
CHART = "[data-testid='stPlotlyChart'] .main-svg"  # a plotly chart that plotly.js has drawn
# A pause before each filter change (not timed), as a person makes: reruns back to back for
# seconds would also be timed with the store's turns for writers (monitor/read/attached.py).
THINK_SECONDS = 0.5


def default_store() -> str:
    """Return a store of 3,000 Reuters articles (ingested once into the temp folder); exit when no data."""
    from monitor.ingest.pipeline import ingest
    from monitor.store import Store

    folder = Path(tempfile.gettempdir()) / "monitor-bench"
    folder.mkdir(exist_ok=True)
    path = folder / "reuters-3000.duckdb"
    if not path.exists():
        ingest(Store(path), [reuters_jsonl(folder / "reuters-3000.jsonl", limit=3000)])
    return str(path)


def store_size(path: str) -> dict[str, int]:
    """Return the store's article and mention counts."""
    from monitor.store import Store

    row = Store(path, read_only=True).query(
        "SELECT (SELECT count(*) FROM articles) AS articles, (SELECT count(*) FROM mentions) AS mentions").iloc[0]
    return {"articles": int(row["articles"]), "mentions": int(row["mentions"])}


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


# ---- (a) server-side reruns ---------------------------------------------------------------
def filter_changes(at) -> list[tuple[str, Callable[[], object]]]:
    """Return (label, action) for the filter changes of one round, each a rerun with new filters."""
    sb = at.sidebar
    people = sb.multiselect(key="entities").options
    topics = sb.multiselect(key="topic").options
    first, last = sb.date_input(key="dates").value
    span = last - first
    outlets = sb.multiselect(key="source").options
    return [
        ("people", lambda: sb.multiselect(key="entities").set_value(people[:1]).run()),
        ("topic", lambda: sb.multiselect(key="topic").set_value(topics[:1]).run()),
        ("granularity", lambda: sb.selectbox(key="freq").set_value("W").run()),
        ("date range", lambda: sb.date_input(key="dates").set_value((first + span / 4, last - span / 4)).run()),
        ("outlet", lambda: sb.multiselect(key="source").set_value(outlets[:1]).run()),
        ("people (two others)", lambda: sb.multiselect(key="entities").set_value(people[1:3]).run()),
        ("topic cleared", lambda: sb.multiselect(key="topic").set_value([]).run()),
    ]


def apptest_reruns(rounds: int) -> dict[str, list[float]]:
    """Return durations (s) of cold and warm first loads and of filter-change reruns, per kind."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    out: dict[str, list[float]] = {"cold": [], "warm": [], "change": []}
    for _ in range(rounds):
        st.cache_data.clear()
        st.cache_resource.clear()
        out["cold"].append(timed(AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=300).run))
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=300)
        out["warm"].append(timed(at.run))
        for label, action in filter_changes(at):
            time.sleep(THINK_SECONDS)
            out.setdefault(label, []).append(timed(action))
            out["change"].append(out[label][-1])
            assert not at.exception, at.exception
    return out


@contextmanager
def profiled_script() -> Iterator[dict]:
    """Profile (pyinstrument) each script run AppTest starts meanwhile; yields {'profiler': last one}."""
    from pyinstrument import Profiler
    from streamlit.testing.v1.local_script_runner import LocalScriptRunner

    found: dict = {}
    original = LocalScriptRunner._run_script_thread

    def run(self) -> None:  # the script runs in this thread, not the caller's
        profiler = Profiler(interval=0.001)
        profiler.start()
        try:
            original(self)
        finally:
            profiler.stop()
            found["profiler"] = profiler

    LocalScriptRunner._run_script_thread = run
    try:
        yield found
    finally:
        LocalScriptRunner._run_script_thread = original


def profile_rerun() -> tuple[float, list[tuple[str, float]]]:
    """Profile one filter change (the date range: every query misses the cache) after a first load;
    return its total and top costs (s)."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    st.cache_data.clear()
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=300)
    at.run()
    first, last = at.sidebar.date_input(key="dates").value
    with profiled_script() as found:
        at.sidebar.date_input(key="dates").set_value((first + (last - first) / 3, last)).run()
    root = found["profiler"].last_session.root_frame()
    return root.time, top_costs(root)


def top_costs(root, limit: int = 12) -> list[tuple[str, float]]:
    """Return the costliest project calls (the first frame of monitor/ or a st.* call on each path)."""
    costs: dict[str, float] = {}

    def walk(frame, in_script: bool) -> None:
        path = frame.file_path or ""
        name = f"{Path(path).stem}.{frame.function}"
        if in_script and (f"{os.sep}monitor{os.sep}" in path or "streamlit/runtime/metrics_util" in path):
            label = name if "monitor" in path else "streamlit element calls (st.*)"
            costs[label] = costs.get(label, 0.0) + frame.time
            return
        for child in frame.children:
            walk(child, in_script or path.endswith("dashboard.py"))

    walk(root, False)
    return sorted(costs.items(), key=lambda kv: -kv[1])[:limit]


# ---- (b, c) a real browser against a real server --------------------------------------------
def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# The machine's floor for (b): a page with a title and one small chart, nothing else.
FLOOR_APP = """import plotly.graph_objects as go
import streamlit as st
st.title("Media monitor")
st.plotly_chart(go.Figure(go.Scatter(y=[1, 3, 2])))
"""


@contextmanager
def server(store: str, script: Path = ROOT / "dashboard.py") -> Iterator[tuple[str, subprocess.Popen]]:
    """Yield (url, process) of a fresh `streamlit run` of the dashboard on `store`, once it answers."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
                             *HEADLESS], cwd=ROOT, env={**os.environ, "MONITOR_STORE": store},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.1)
        else:
            sys.exit("streamlit did not start")
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


class PeakRss:
    """Poll the RSS of a process and its children in a thread; `.peak` is the largest sum seen (bytes)."""

    def __init__(self, pid: int) -> None:
        import psutil

        self.proc, self.peak, self._stop = psutil.Process(pid), 0, threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def _poll(self) -> None:
        import psutil

        while not self._stop.is_set():
            try:
                tree = [self.proc, *self.proc.children(recursive=True)]
                self.peak = max(self.peak, sum(p.memory_info().rss for p in tree))
            except psutil.Error:
                pass
            self._stop.wait(0.05)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def burst_urls(url: str, store: str) -> list[str]:
    """Return dashboard URLs with different filters (people, topic, granularity, dates, outlet)."""
    from monitor.read import aggregations as agg
    from monitor.read.filters import Filters
    from monitor.store import Store

    s = Store(store, read_only=True)
    people = agg.top_entities(s, Filters(unique_stories=True), "person", None, 6)["name"].tolist()
    topics = agg.topic_options(s, Filters(unique_stories=True))["name"].head(3).tolist()
    first, last = agg.date_bounds(s)
    mid = first + (last - first) / 2
    views = [{"entity": people[:1]}, {"entity": people[1:4], "freq": "Week"}, {"topic": topics[:1]},
             {"topic": topics[1:3], "freq": "Day", "from": f"{mid:%Y-%m-%d}"}, {"source": agg.source_options(s)[:1]},
             {"to": f"{mid:%Y-%m-%d}", "norm": "false"}, {"entity": people[4:6], "topic": topics[:1], "smooth": "3"},
             {"copies": "true", "kind": "Organisations"}]
    return [f"{url}/?{urllib.parse.urlencode(v, doseq=True)}" for v in views]


def first_chart(browser, url: str) -> tuple[object, float]:
    """Open a page on `url`; return it and the seconds until plotly has drawn its first chart."""
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    start = time.perf_counter()
    page.goto(url)
    page.locator(CHART).first.wait_for(state="visible", timeout=120_000)
    return page, time.perf_counter() - start


def floor_runs(browser, runs: int) -> list[float]:
    """Return seconds to the first chart of FLOOR_APP on fresh servers: what any Streamlit page costs here."""
    times = []
    with tempfile.TemporaryDirectory() as folder:
        app = Path(folder) / "floor.py"
        app.write_text(FLOOR_APP)
        for _ in range(runs):
            with server("", app) as (url, _):
                page, seconds = first_chart(browser, url)
                times.append(seconds)
                page.close()
    return times


def browser_runs(store: str, runs: int) -> tuple[list[float], list[float], int, list[float]]:
    """Return seconds to the first chart per fresh server, per burst view, the peak server RSS (bytes),
    and the floor (seconds to the first chart of a one-chart page)."""
    from playwright.sync_api import sync_playwright

    first, burst, peak = [], [], 0
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        floor = floor_runs(browser, runs)
        for i in range(runs):
            with server(store) as (url, proc), PeakRss(proc.pid) as rss:
                page, seconds = first_chart(browser, url)
                first.append(seconds)
                if i == runs - 1:  # a burst of filter changes on the last server, each its own view
                    for view in burst_urls(url, store):
                        start = time.perf_counter()
                        page.goto(view)
                        page.locator(CHART).first.wait_for(state="visible", timeout=120_000)
                        page.get_by_test_id("stPlotlyChart").nth(5).wait_for(timeout=120_000)
                        burst.append(time.perf_counter() - start)
                page.close()
            peak = max(peak, rss.peak)
        browser.close()
    return first, burst, peak, floor


# ---- the report ----------------------------------------------------------------------------
def report(args, size: dict[str, int], reruns: dict[str, list[float]], profile: tuple[float, list],
           browser: tuple[list[float], list[float], int, list[float]] | None) -> str:
    """Return the Markdown section for bench/RESULTS.md."""
    command = "python bench/dashboard.py " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    lines = ["## Dashboard at scale", "", f"`{command}`", "",
             f"Store: {size['articles']:,} articles, {size['mentions']:,} rows in `mentions` "
             f"(`{Path(args.store).name}`).", "",
             "| measure | result |", "|---|---|",
             f"| first load, cold caches (AppTest, server-side) | {ms(reruns['cold'])} |",
             f"| first load, warm caches | {ms(reruns['warm'])} |",
             f"| **filter-change rerun, all changes** ({THINK_SECONDS} s apart) | **{ms(reruns['change'])}** |"]
    lines += [f"| rerun after: {label} | {ms(values)} |" for label, values in reruns.items()
              if label not in ("cold", "warm", "change")]
    if browser:
        first, burst, peak, floor = browser
        lines += [f"| **first chart in chromium after navigation, fresh server** | **{ms(first)}** |",
                  f"| the same for a page of one small chart (this machine's floor) | {ms(floor)} |",
                  f"| all charts of a new view by URL, warm server (burst of {len(burst)}) | {ms(burst)} |",
                  f"| **peak RSS of the Streamlit server** (during the page loads and the burst) | "
                  f"**{peak / 2**20:.0f} MB** |"]
    total, costs = profile
    lines += ["", f"Where the time goes: one filter change (the date range), profiled with pyinstrument "
                  f"({total * 1000:.0f} ms with the profiler on; inclusive times of the first project call "
                  "on each path):", "", "| call | ms |", "|---|---|"]
    lines += [f"| `{name}` | {seconds * 1000:.0f} |" for name, seconds in costs]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", help="the store to read (default: 3,000 Reuters articles from ../shared)")
    parser.add_argument("--runs", type=int, default=3, help="AppTest rounds (caches cleared before each)")
    parser.add_argument("--browser-runs", type=int, default=3, help="fresh servers for the browser timing")
    parser.add_argument("--no-browser", action="store_true", help="skip (b) and (c)")
    parser.add_argument("--dry-run", action="store_true", help="print the section, do not write RESULTS.md")
    args = parser.parse_args()
    args.store = str(Path(args.store or default_store()).resolve())
    os.environ["MONITOR_STORE"] = args.store
    size = store_size(args.store)
    print(f"store {args.store}: {size}", flush=True)
    reruns = apptest_reruns(args.runs)
    print(f"reruns: cold {ms(reruns['cold'])}; warm {ms(reruns['warm'])}; changes {ms(reruns['change'])}", flush=True)
    profile = profile_rerun()
    print("profile: " + "; ".join(f"{n} {s * 1000:.0f} ms" for n, s in profile[1]), flush=True)
    browser = None
    if not args.no_browser and Path(CHROMIUM).exists():
        browser = browser_runs(args.store, args.browser_runs)
        print(f"browser first chart {ms(browser[0])}; burst {ms(browser[1])}; "
              f"peak RSS {browser[2] / 2**20:.0f} MB; floor {ms(browser[3])}", flush=True)
    section = report(args, size, reruns, profile, browser)
    print(section if args.dry_run else f"wrote {write_section('dashboard', section)}")


if __name__ == "__main__":
    main()
