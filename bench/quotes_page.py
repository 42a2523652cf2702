"""Time who said what at scale: the quotes reads, and the Quotes page's reruns on the server.

    python bench/quotes_page.py --store PATH [--runs N] [--dry-run]

The store is e.g. one made by bench/build_store.py (100,000 articles) and migrated to schema 5
(`python -m monitor migrate --store PATH` fills its `quotes`). Measures, median over N runs:

(a) each read of monitor/read/quotes.py alone, straight on the store, no cache (the view's default filters:
    each syndicated story once), for anyone and for the most quoted speaker;
(b) the Quotes page in Streamlit's AppTest (`?page=Quotes`): the first draw with cold caches, a rerun
    hitting them, then a filter change (an outlet; the page's reads and the sidebar's miss the cache), a
    date-range change and a speaker chosen; the same rerun of the Overview (the dashboard's reference
    "filter-change rerun", README) beside it; and the Profile page of the most quoted (its "Quoted"
    section included): cold and a filter change.

Writes the "quotes_page" section of bench/RESULTS.md. A benchmark, not a test: it asserts nothing about speed.
"""
from __future__ import annotations

import argparse
import os
import shlex
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.results import write_section  # noqa: E402

THINK_SECONDS = 0.5  # between two reruns, as a user would (and so the machine's other work is not batched)


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def reads(path: str, runs: int) -> tuple[str, dict[str, list[float]]]:
    """Return the most quoted speaker and the seconds of each quotes read, uncached, per run."""
    import pandas as pd

    from monitor.read import quotes
    from monitor.read.attached import AttachedStore
    from monitor.read.filters import Filters

    store, f = AttachedStore(path), Filters(unique_stories=True)
    top = str(quotes.most_quoted(store, f, 1)["name"].iloc[0])
    month = store.query("SELECT date_trunc('month', max(date)) AS m FROM articles")["m"].iloc[0]
    steps: dict[str, Callable[[], object]] = {
        "attribution_counts (the caption)": lambda: quotes.attribution_counts(store, f),
        "most_quoted, 25 speakers": lambda: quotes.most_quoted(store, f, 25),
        "quotes_frame, anyone, newest 50": lambda: quotes.quotes_frame(store, f, None, None, None, 50),
        "quotes_count, anyone": lambda: quotes.quotes_count(store, f),
        "speaker_summary, the most quoted (Profile)": lambda: quotes.speaker_summary(store, f, top),
        "quotes_frame, the most quoted, newest 50": lambda: quotes.quotes_frame(store, f, top, None, None, 50),
        "quotes_frame, the most quoted, last month (drill-down)": lambda: quotes.quotes_frame(
            store, f, top, pd.Timestamp(month), pd.Timestamp(month) + pd.offsets.MonthBegin(1), 50),
        "quotes_frame, every quotation (the CSV)": lambda: quotes.quotes_frame(store, f),
    }
    out: dict[str, list[float]] = {label: [] for label in steps}
    for _ in range(runs):
        for label, step in steps.items():
            out[label].append(timed(step))
    return top, out


def page_reruns(path: str, params: dict[str, str], changes: bool, speaker: str) -> dict[str, float]:
    """Return the seconds of one round of reruns of the page opened at `params`, caches cleared first."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    os.environ["MONITOR_STORE"] = path
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=300)
    at.query_params.update(params)
    out = {"first draw, cold caches": timed(at.run)}
    out["rerun hitting the caches"] = timed(at.run)
    sb = at.sidebar
    outlets = sb.multiselect(key="source").options
    first, last = sb.date_input(key="dates").value
    span = last - first
    actions: list[tuple[str, Callable[[], object]]] = [
        ("filter change: an outlet", lambda: sb.multiselect(key="source").set_value(outlets[:1]).run()),
        ("filter change: the dates", lambda: sb.date_input(key="dates").set_value(
            (first + span / 4, last - span / 4)).run())]
    if changes:
        actions.append(("a speaker chosen", lambda: at.selectbox(key="quote_speaker").set_value(speaker).run()))
    for label, action in actions:
        time.sleep(THINK_SECONDS)
        out[label] = timed(action)
        assert not at.exception, at.exception
    return out


def median_ms(seconds: list[float]) -> str:
    return f"{statistics.median(seconds) * 1000:.0f}" if seconds else "–"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--dry-run", action="store_true", help="print the section, do not write RESULTS.md")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    top, alone = reads(args.store, args.runs)
    lines = ["| read (straight on the store, no cache) | median ms | min–max |", "|---|---|---|"]
    lines += [f"| {label} | {median_ms(v)} | {min(v) * 1000:.0f}–{max(v) * 1000:.0f} |" for label, v in alone.items()]
    print("\n".join(lines), flush=True)
    pages = {"Quotes": ({"page": "Quotes"}, True), "Overview (reference)": ({}, False),
             f"Profile of {top}": ({"page": "Profile", "profile": top}, False)}
    lines += ["", "| page (AppTest, sidebar included) | rerun | median ms | min–max |", "|---|---|---|---|"]
    for name, (params, changes) in pages.items():
        rounds = [page_reruns(args.store, params, changes, top) for _ in range(args.runs)]
        for label in rounds[0]:
            v = [r[label] for r in rounds]
            lines.append(f"| {name} | {label} | {median_ms(v)} | {min(v) * 1000:.0f}–{max(v) * 1000:.0f} |")
            print(lines[-1], flush=True)
    command = "python bench/quotes_page.py " + shlex.join(sys.argv[1:])
    section = (f"## Quotes page (issue 15)\n\nWho said what on `{Path(args.store).name}`: "
               f"{quote_total(args.store):,} quotations; the most quoted: {top}. Server side, median of "
               f"{args.runs} runs; load average {load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end, on "
               f"{os.cpu_count()} cores (a shared machine: compare rows of one run, not runs).\n\n"
               + "\n".join(lines) + f"\n\nCommand: `{command}`")
    print(section)
    if not args.dry_run:
        print(f"wrote {write_section('quotes_page', section)}")


def quote_total(path: str) -> int:
    from monitor.store import Store

    return int(Store(path, read_only=True).query("SELECT count(*) AS n FROM quotes")["n"].iloc[0])


if __name__ == "__main__":
    main()
