"""Time the Profile page at scale: its reads, and its first draw and cached rerun on the server.

    python bench/profile_page.py --store PATH [--runs N] [--dry-run]

The store is e.g. one made by bench/build_store.py (100,000 articles). Subjects: the most mentioned
person, organisation and place, and the topic with most hits. Measures, median over N runs:

(a) the profile's reads alone (monitor/read/profile.py plus its two series), straight on the store, no cache;
(b) the whole page in Streamlit's AppTest opened at `?page=Profile&profile=<name>&profile_kind=<kind>`:
    the first draw with cold caches (the sidebar's own reads included), then a rerun that hits the caches.

Writes the "profile" section of bench/RESULTS.md. A benchmark, not a test: it asserts nothing about speed.
"""
from __future__ import annotations

import argparse
import os
import shlex
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.results import write_section  # noqa: E402


def subjects(path: str) -> list[tuple[str, str]]:
    """Return (name, kind) of the most mentioned person, organisation and place, and the top topic."""
    from monitor.store import Store

    store = Store(path, read_only=True)
    found = [(str(r.entity), kind) for kind in ("person", "org", "place") for r in store.query(
        "SELECT entity FROM mentions WHERE entity_type = ? GROUP BY entity ORDER BY count(*) DESC LIMIT 1",
        [kind]).itertuples()]
    topic = store.query("SELECT topic FROM topic_mentions GROUP BY topic ORDER BY count(*) DESC LIMIT 1")
    return found + [(str(t), "topic") for t in topic["topic"]]


def reads(path: str, name: str, kind: str) -> float:
    """Return the seconds every read of one profile takes, uncached (the page's own, the sidebar's aside)."""
    from monitor.read import aggregations as agg
    from monitor.read import profile
    from monitor.read.attached import AttachedStore
    from monitor.read.filters import Filters

    store, f = AttachedStore(path), Filters(unique_stories=True)
    start = time.perf_counter()
    profile.resolve_subject(store, name, kind)
    profile.summary(store, f, name, kind)
    totals = agg.period_totals(store, f, "M")
    (agg.topic_series if kind == "topic" else agg.entity_series)(store, f, "M", [name], totals)
    profile.strongest(store, f, name, kind, 5)
    profile.companions(store, f, name, kind, "entity", 25)
    profile.companions(store, f, name, kind, "topic", 25)
    profile.outlet_coverage(store, f, name, kind)
    profile.variants(store, f, name, kind)
    profile.namesakes(store, name, kind)
    return time.perf_counter() - start


def page_runs(path: str, name: str, kind: str) -> tuple[float, float]:
    """Return (first draw with cold caches, rerun hitting the caches) of the profile page, in seconds.

    An empty `name`: the page without a subject (its search box), i.e. what every page costs (the sidebar, the
    headline figures) plus the box's one query: the baseline the profile's own time is over.
    """
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    os.environ["MONITOR_STORE"] = path
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=300)
    at.query_params.update({"page": "Profile", "profile": name, "profile_kind": kind})
    start = time.perf_counter()
    at.run()
    cold = time.perf_counter() - start
    assert not at.exception, at.exception
    assert not name or any(name in h.value for h in at.header), [h.value for h in at.header]
    start = time.perf_counter()
    at.run()
    return cold, time.perf_counter() - start


def typos(name: str, rng) -> list[str]:
    """Return four misspellings of `name`: a letter dropped, doubled, changed, two letters swapped (never the first)."""
    i = rng.randrange(1, len(name) - 1)
    return [name[:i] + name[i + 1:], name[:i] + name[i] + name[i:], name[:i] + rng.choice("aeiou") + name[i + 1:],
            name[:i] + name[i + 1] + name[i] + name[i + 2:]]


def closest_names(path: str, count: int = 300) -> tuple[float, float, int]:
    """Return (share of typos whose name is in the top 3 of find_subjects, the same when names are only
    matched by containing the typed text, the typos tried) over the `count` most mentioned entities."""
    import random

    from monitor.read import profile
    from monitor.store import Store

    store, rng = Store(path, read_only=True), random.Random(14)
    names = store.query("SELECT entity FROM mentions GROUP BY entity HAVING length(entity) >= 4 "
                        "ORDER BY count(*) DESC, entity LIMIT ?", [count])["entity"].tolist()
    found = contained = tried = 0
    for name in names:
        for typed in typos(name, rng):
            if typed.casefold() == name.casefold():
                continue
            tried += 1
            found += name in profile.find_subjects(store, typed, 3)["name"].tolist()
            contained += typed.casefold() in name.casefold()  # all a substring search finds
    return found / tried, contained / tried, tried


def median_ms(seconds: list[float]) -> str:
    """Return the median in milliseconds, or a dash for no runs."""
    return f"{statistics.median(seconds) * 1000:.0f} ms" if seconds else "–"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--dry-run", action="store_true", help="print the section, do not write RESULTS.md")
    args = parser.parse_args()
    rows = ["| subject | kind | reads alone | page, first draw, cold caches | page, cached rerun |",
            "|---|---|---|---|---|"]
    load = os.getloadavg()[0]
    for name, kind in [("(none: the search box)", ""), *subjects(args.store)]:
        alone = [reads(args.store, name, kind) for _ in range(args.runs)] if kind else []
        pages = [page_runs(args.store, name if kind else "", kind) for _ in range(args.runs)]
        cold, warm = [p[0] for p in pages], [p[1] for p in pages]
        rows.append(f"| {name} | {kind or '–'} | {median_ms(alone)} | {median_ms(cold)} | {median_ms(warm)} |")
        print(rows[-1], flush=True)
    found, contained, tried = closest_names(args.store)
    print(f"typos: {found:.1%} found in the top 3; {contained:.1%} by a substring search ({tried})", flush=True)
    command = "python bench/profile_page.py " + shlex.join(sys.argv[1:])
    section = ("## Profile page (issue 14)\n\nServer time of `?page=Profile&profile=…` (Streamlit's AppTest, no "
               f"browser), median of {args.runs} runs. The first draw includes what every page costs (the sidebar, "
               "the headline figures): the first row, the page without a subject, is that baseline. The machine "
               f"is shared: load average {load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end, on "
               f"{os.cpu_count()} cores.\n\n" + "\n".join(rows)
               + "\n\nAn unknown name offers the closest (profile.find_subjects: Jaro-Winkler of the name or one of "
               "its words, +0.1 when the name contains the text; offered from 0.8, or when containing it). "
               f"{tried:,} misspellings (a letter dropped, doubled, changed, or "
               "two swapped) of the store's 300 most mentioned names: the name is among the 3 offered for "
               f"**{found:.1%}** of them; a substring search (the baseline) would find {contained:.1%}.\n"
               f"\nCommand: `{command}`\n")
    print(section if args.dry_run else f"wrote {write_section('profile', section)}")


if __name__ == "__main__":
    main()
