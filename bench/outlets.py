"""Time the Outlets page at scale: its first draw (cold caches), a rerun that hits the cache, a change of
grouping, and the Overview page under the sidebar's outlet-group filter beside the same page without it.

    python bench/outlets.py --store PATH [--runs N]

PATH is a store the bench may change (a copy: e.g. of one made by bench/build_store.py, migrated). A store of
one outlet (build_store.py's Reuters) is first spread over OUTLETS fictional outlets ("Outlet 07", by a hash of
the article id) and each outlet given a political_bias label (five values, by outlet), written into
`article_labels`, so the page has groups to compare; the derived tables are rebuilt. An outlets file of one
more grouping (reach) is written to a temporary folder. Median of `--runs` in Streamlit's AppTest (no
browser), Streamlit's caches cleared before each cold run (the OS's file cache stays warm). Writes the
"outlets" section of bench/RESULTS.md. A benchmark, not a test: it asserts nothing about speed.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.results import ms, write_section  # noqa: E402

OUTLETS = 60
BIASES = ("Left", "Left-center", "Center", "Right-center", "Right")


def spread_outlets(path: str) -> str:
    """Give a one-outlet store OUTLETS outlets and political_bias labels; return what was done."""
    import duckdb

    from monitor.derived import derive

    with duckdb.connect(path) as con:
        outlets, labels = con.execute("SELECT count(DISTINCT source), (SELECT count(*) FROM article_labels) "
                                      "FROM articles").fetchone() or (0, 0)
        if outlets >= 10 and labels:
            return (f"{outlets} outlets and {labels:,} labels as stored; a one-outlet store is first spread over "
                    f"{OUTLETS} fictional outlets labelled political_bias by this script")
        con.execute("BEGIN")
        con.execute(f"UPDATE articles SET source = printf('Outlet %02d', hash(article_id) % {OUTLETS})")
        con.execute("DELETE FROM article_labels")
        cases = " ".join(f"WHEN {n} THEN '{bias}'" for n, bias in enumerate(BIASES))
        con.execute("INSERT INTO article_labels SELECT article_id, 'political_bias', "
                    f"CASE CAST(right(source, 2) AS INTEGER) % {len(BIASES)} {cases} END FROM articles")
        derive(con)
        con.execute("UPDATE meta SET value = CAST(CAST(value AS BIGINT) + 1 AS VARCHAR) WHERE key = 'version'")
        con.execute("COMMIT")
    return f"spread over {OUTLETS} fictional outlets, each labelled political_bias (5 values)"


def outlets_file(folder: Path) -> Path:
    """Write an outlets.toml of one grouping of the spread outlets (reach: 30 national, 20 local, 10 in none)."""
    names = [f"Outlet {n:02d}" for n in range(OUTLETS)]
    path = folder / "outlets.toml"
    path.write_text("[groupings.reach]\n"
                    f"national = {names[:30]!r}\nlocal = {names[30:50]!r}\n".replace("'", '"'), encoding="utf-8")
    return path


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def page_runs(runs: int) -> dict[str, list[float]]:
    """Return durations (s) of the page's cold first draw, a warm rerun, a grouping change and a filtered view."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    out: dict[str, list[float]] = {"cold": [], "warm": [], "grouping": [], "filter": [], "unfiltered": []}
    for _ in range(runs):
        st.cache_data.clear()
        st.cache_resource.clear()
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=600)
        at.query_params["page"] = "Outlets"
        out["cold"].append(timed(at.run))
        assert not at.exception, at.exception
        out["warm"].append(timed(at.run))
        options = at.selectbox(key="grouping").options
        if len(options) > 1:
            out["grouping"].append(timed(at.selectbox(key="grouping").set_value(options[-1]).run))
        assert not at.exception, at.exception
        for label, params in (("unfiltered", {}), ("filter", {"group": "political_bias:Left"})):
            st.cache_data.clear()
            at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=600)
            for key, value in params.items():
                at.query_params[key] = value
            out[label].append(timed(at.run))
            assert not at.exception, at.exception
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--store", required=True, help="a store the bench may change (a copy)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    done = spread_outlets(args.store)
    os.environ["MONITOR_STORE"] = args.store
    # the page opens on the file's grouping (reach), then switches to the records' label (political_bias)
    os.environ["MONITOR_OUTLETS"] = str(outlets_file(Path(tempfile.mkdtemp(prefix="bench-outlets-"))))
    times = page_runs(args.runs)
    import duckdb

    with duckdb.connect(args.store, read_only=True) as con:
        articles, outlets = con.execute("SELECT count(*), count(DISTINCT source) FROM articles").fetchone() or (0, 0)
    lines = [f"### Outlets page ({articles:,} articles, {outlets} outlets: {done})", "",
             "| step | server time |", "|---|---|",
             f"| first draw of the Outlets page, cold caches | {ms(times['cold'])} |",
             f"| the same page again, caches warm | {ms(times['warm'])} |"]
    if times["grouping"]:
        lines.append(f"| another grouping chosen | {ms(times['grouping'])} |")
    lines += [f"| Overview, no outlet-group filter (the baseline), cold | {ms(times['unfiltered'])} |",
              f"| Overview under the outlet-group filter (political_bias:Left), cold | {ms(times['filter'])} |",
              "", f"Command: `python bench/outlets.py --store {args.store} --runs {args.runs}`"]
    body = "\n".join(lines)
    write_section("outlets", body)
    print(body)


if __name__ == "__main__":
    main()
