"""Time the Compare queries page at scale: five saved queries' first draw, a rerun, one query edited.

    python bench/compare.py --store PATH [--runs N]

PATH is a store such as bench/build_store.py makes (100,000 articles; migrate it first with
`python -m monitor migrate --store PATH`, which builds its full-text index). Server side, in Streamlit's
AppTest (no browser): the whole script run of `?page=Compare+queries&cq=...` (five queries, the most mentioned
person chosen so the tone toward them is read too), median of N rounds with cold caches (st.cache_data and the
search cache cleared before each); then, in the same session, a rerun that hits the caches, one query's text
changed (that query read again) and the tone switched to "toward the chosen names". The Overview's first draw
of the same store is measured beside it as the baseline (the cost of the sidebar and headline figures that
every page pays). Writes the "compare" section of bench/RESULTS.md. Asserts nothing about speed.
"""
from __future__ import annotations

import argparse
import os
import shlex
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.results import ms, write_section  # noqa: E402

QUERIES = [("Oil", "oil OR crude"), ("Trade war", "trade AND tariff*"), ("The Fed", '"federal reserve" OR fed'),
           ("Metals", "gold OR silver OR copper"), ("OPEC prices", "opec NEAR/10 price*")]


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def params(store: str, page: str) -> dict[str, object]:
    from monitor.present.compare_state import SavedQuery, encode
    from monitor.read.attached import AttachedStore

    person = AttachedStore(store).query("SELECT entity FROM mentions WHERE entity_type = 'person' GROUP BY entity "
                                        "ORDER BY count(*) DESC LIMIT 1")["entity"].iloc[0]
    return {"page": page, "entity": [str(person)], "cq": [encode(SavedQuery(n, q)) for n, q in QUERIES]}


def cold() -> None:
    """Empty every cache a first draw would fill."""
    import streamlit as st

    from monitor.read import search

    st.cache_data.clear()
    st.cache_resource.clear()
    search._cache.clear()


def app(query: dict[str, object]):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=600)
    for key, value in query.items():
        at.query_params[key] = value
    return at


def page_timer(out: dict[str, list[float]]) -> None:
    """Time dashboard_compare.render itself on every run (the page's own share of a script run)."""
    import dashboard_compare

    render = dashboard_compare.render

    def timed_render(ctx) -> None:
        start = time.perf_counter()
        render(ctx)
        out.setdefault("_page", []).append(time.perf_counter() - start)

    dashboard_compare.render = timed_render


def rounds(store: str, runs: int) -> dict[str, list[float]]:
    """Return durations (s) per step over `runs` rounds; "… (page)": the Compare page's own part of it."""
    out: dict[str, list[float]] = {}
    page_timer(out)
    compare, overview = params(store, "Compare queries"), params(store, "Overview")
    for _ in range(runs):
        cold()
        out.setdefault("overview first draw", []).append(timed(app(overview).run))
        cold()
        at = app(compare)
        out.setdefault("compare first draw", []).append(timed(at.run))
        assert not at.exception and len(at.get("plotly_chart")) == 3, at.exception
        out.setdefault("compare first draw (page)", []).append(out["_page"][-1])
        out.setdefault("compare rerun (cached)", []).append(timed(at.run))
        out.setdefault("compare rerun (cached) (page)", []).append(out["_page"][-1])
        key = [t.key for t in at.text_input if t.key and t.key.startswith("cq_query_")][2]
        out.setdefault("one query edited", []).append(
            timed(at.text_input(key=key).set_value(f'"federal reserve" OR fed OR rate* {len(out)}').run))
        out.setdefault("tone toward the person", []).append(
            timed(at.radio(key="cq_tone").set_value("Toward the chosen names").run))
        assert not at.exception, at.exception
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", required=True)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    os.environ["MONITOR_STORE"] = args.store
    from monitor.read.attached import AttachedStore

    articles = int(AttachedStore(args.store).query("SELECT count(*) AS n FROM articles")["n"].iloc[0])
    out = rounds(args.store, args.runs)
    lines = [f"Server-side script run in AppTest (no browser) on a store of {articles:,} articles, five saved "
             "queries (" + "; ".join(f"`{q}`" for _, q in QUERIES) + ") and the most mentioned person chosen; "
             "caches cold before each first draw:", ""]
    lines += [f"- {label}: {ms(seconds)}" for label, seconds in out.items() if not label.startswith("_")]
    lines += ["", "(page): the Compare page's own `render`, the rest of a run being the sidebar and headline figures "
              "every page shares."]
    command = f"python bench/compare.py --store {shlex.quote(args.store)} --runs {args.runs}"
    lines += ["", f"Command: `{command}`"]
    print(f"wrote {write_section('compare', chr(10).join(lines))}")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
