"""Time the dashboard at scale: server-side reruns, first chart in a real browser, server memory.

    python bench/dashboard.py [--store PATH] [--runs N] [--browser-runs N] [--warm-runs N] [--no-browser]
                              [--baseline DIR]

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
(d) where one filter change's rerun spends its time (pyinstrument);
(e) the first chart after navigation on a WARM server (the target: one that has served a session,
    so its imports and the default view's reads are done), each a new session in a new page, median
    of --warm-runs; with where that time goes: the CPU seconds chromium and the server spent until
    the chart was drawn (robust to other programs on the machine, unlike the wall clock), when the
    server's first and last messages arrived, when the browser asked for plotly.js's code, and the
    same for a page of one small chart (the floor). `--baseline DIR` (e.g. a checkout made by
    `git archive HEAD | tar -x -C DIR`) serves that code too, one navigation each in turn: before
    and after in one run, under the same load.

Writes the "dashboard" section of bench/RESULTS.md. A benchmark, not a test: it asserts nothing
about speed.
"""
from __future__ import annotations

import argparse
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
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


# ---- (e) a warm server: where the first chart's time goes -----------------------------------
@dataclass
class Load:
    """One navigation to the first chart drawn (seconds after navigation, CPU seconds until then)."""

    seconds: float
    browser_cpu: float   # every chromium process (page, GPU, network) until the chart was drawn
    server_cpu: float    # the streamlit server until then
    first_message: float  # the server's first websocket message arrived
    last_message: float   # its last one before the chart was drawn
    plotly_asked: float   # the browser asked for plotly.js's code (the first chart's element arrived)
    messages: int
    kilobytes: float


def cpu_seconds(processes: list) -> float:
    """Return the user + system CPU seconds the processes have used so far."""
    import psutil

    total = 0.0
    for process in processes:
        try:
            times = process.cpu_times()
            total += times.user + times.system
        except psutil.Error:
            pass
    return total


def chromium_processes() -> list:
    """Return this benchmark's chromium processes (children of Playwright's driver)."""
    import psutil

    found = []
    for process in psutil.Process().children(recursive=True):
        try:  # a child may end between the listing and the look at its name
            if "chrom" in process.name():
                found.append(process)
        except psutil.Error:
            pass
    return found


def timed_load(browser, url: str, server_pid: int) -> Load:
    """Open `url` in a new page (a new session); return the time to its first chart and where it went."""
    import psutil

    server = psutil.Process(server_pid)
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    messages: list[tuple[float, int]] = []
    asked: list[float] = []
    start = time.perf_counter()
    page.on("websocket", lambda ws: ws.on(
        "framereceived", lambda data: messages.append((time.perf_counter() - start, len(data)))))
    page.on("request", lambda r: asked.append(time.perf_counter() - start) if "/PlotlyChart." in r.url else None)
    cpu = cpu_seconds(chromium_processes()), cpu_seconds([server, *server.children(recursive=True)])
    page.goto(url)
    page.locator(CHART).first.wait_for(state="visible", timeout=120_000)
    seconds = time.perf_counter() - start
    browser_cpu = cpu_seconds(chromium_processes()) - cpu[0]
    server_cpu = cpu_seconds([server, *server.children(recursive=True)]) - cpu[1]
    page.close()
    before = [m for m in messages if m[0] <= seconds] or [(float("nan"), 0)]
    return Load(seconds, browser_cpu, server_cpu, before[0][0], before[-1][0], asked[0] if asked else float("nan"),
                len(before), sum(size for _, size in before) / 1000)


def warm_runs(store: str, scripts: dict[str, Path], runs: int) -> dict[str, list[Load]]:
    """Return `runs` first-chart loads per script, each served warm (one session served first); the
    servers run side by side and are visited in turn, so all see the same load from other programs."""
    from playwright.sync_api import sync_playwright

    loads: dict[str, list[Load]] = {label: [] for label in scripts}
    with sync_playwright() as pw, ExitStack() as stack:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        servers = {label: stack.enter_context(server(store, script)) for label, script in scripts.items()}
        for url, proc in servers.values():
            timed_load(browser, url, proc.pid)  # the session that warms the server: not counted
        for _ in range(runs):
            for label, (url, proc) in servers.items():
                loads[label].append(timed_load(browser, url, proc.pid))
        browser.close()
    return loads


def warm_scripts(baseline: str | None) -> tuple[dict[str, Path], Path]:
    """Return the scripts to serve warm (this checkout's dashboard, the floor page, the baseline's
    dashboard when given) and the temporary folder holding the floor page (for the caller to remove)."""
    folder = Path(tempfile.mkdtemp(prefix="monitor-floor-"))
    (folder / "floor.py").write_text(FLOOR_APP)
    scripts = {"dashboard": ROOT / "dashboard.py", "floor": folder / "floor.py"}
    if baseline:
        scripts["baseline"] = Path(baseline).resolve() / "dashboard.py"
    return scripts, folder


def median_of(loads: list[Load], field_name: str) -> float:
    """Return the median of one field of the loads."""
    return statistics.median(getattr(load, field_name) for load in loads)


def warm_lines(loads: dict[str, list[Load]]) -> list[str]:
    """Return the Markdown table rows of (e): per script, the first chart and where its time went."""
    names = {"dashboard": "this dashboard", "baseline": "the baseline (`--baseline`)",
             "floor": "a page of one small chart (the floor)"}
    lines = []
    for label in ("baseline", "dashboard", "floor"):
        if label not in loads:
            continue
        got = loads[label]
        lines.append(f"| **first chart after navigation, warm server: {names[label]}** | "
                     f"**{ms([load.seconds for load in got])}** |")
        lines.append(f"| … where it went ({names[label]}; medians): CPU seconds chromium "
                     f"{median_of(got, 'browser_cpu'):.2f}, server {median_of(got, 'server_cpu'):.2f}; "
                     f"server's first message at {median_of(got, 'first_message'):.2f} s, last at "
                     f"{median_of(got, 'last_message'):.2f} s ({median_of(got, 'messages'):.0f} messages, "
                     f"{median_of(got, 'kilobytes'):.0f} kB); plotly.js asked for at "
                     f"{median_of(got, 'plotly_asked'):.2f} s | chart drawn at "
                     f"{median_of(got, 'seconds'):.2f} s |")
    return lines


# ---- the report ----------------------------------------------------------------------------
def report(args, size: dict[str, int], reruns: dict[str, list[float]], profile: tuple[float, list],
           browser: tuple[list[float], list[float], int, list[float]] | None,
           warm: dict[str, list[Load]] | None = None) -> str:
    """Return the Markdown section for bench/RESULTS.md."""
    command = "python bench/dashboard.py " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    lines = ["## Dashboard at scale", "", f"`{command}`", "",
             f"Store: {size['articles']:,} articles, {size['mentions']:,} rows in `mentions` "
             f"(`{Path(args.store).name}`).", "",
             "| measure | result |", "|---|---|", *warm_lines(warm or {}),
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
    parser.add_argument("--warm-runs", type=int, default=5, help="new sessions on a warm server, for (e)")
    parser.add_argument("--baseline", help="another checkout's folder, served warm beside this one in (e)")
    parser.add_argument("--no-browser", action="store_true", help="skip (b), (c) and (e)")
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
    browser, warm = None, None
    if not args.no_browser and Path(CHROMIUM).exists():
        scripts, floor_folder = warm_scripts(args.baseline)
        try:
            warm = warm_runs(args.store, scripts, args.warm_runs)
        finally:
            shutil.rmtree(floor_folder)
        print("warm server, first chart: " + "; ".join(f"{label} {ms([x.seconds for x in got])}"
                                                       for label, got in warm.items()), flush=True)
        browser = browser_runs(args.store, args.browser_runs)
        print(f"browser first chart {ms(browser[0])}; burst {ms(browser[1])}; "
              f"peak RSS {browser[2] / 2**20:.0f} MB; floor {ms(browser[3])}", flush=True)
    section = report(args, size, reruns, profile, browser, warm)
    print(section if args.dry_run else f"wrote {write_section('dashboard', section)}")


if __name__ == "__main__":
    main()
