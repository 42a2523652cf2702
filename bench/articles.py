"""Time the Articles page at scale: its reads, and its first draw, a page turn and a cached rerun on the server.

    python bench/articles.py --store PATH [--runs N]

The store is e.g. one made by bench/build_store.py (100,000 articles) and migrated. Measures, median over N runs:

(a) the page's reads alone (monitor/read/article_list.py and monitor/read/distinctive.py), straight on the store,
    no cache: the count, the first page, a page turn, a deep page, each sort, with a name chosen, with a text query,
    the top outlets, the view's and the store's word samples and the log-odds ranking;
(b) the whole page in Streamlit's AppTest opened at `?page=Articles` (the sidebar's own reads included): the first
    draw with every cache cold, the first draw of a new session on a warm server (the data caches cleared, the
    store's word sample kept: it is per store version), a page turn (Next: a new read), a sort change, and a rerun
    that hits the caches; beside them, the Overview page's first draw on the same store (the reference: what
    the dashboard's default page costs).

Writes the "articles" section of bench/RESULTS.md. A benchmark, not a test: it asserts nothing about speed.
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


def median_ms(action: Callable[[], object], runs: int) -> float:
    """Return the median wall time of `action` over `runs` runs, in ms."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def read_rows(path: str, runs: int) -> list[tuple[str, float]]:
    """Return (read, median ms) for the page's reads, straight on the store."""
    from monitor.read import article_list as al
    from monitor.read import distinctive
    from monitor.read.attached import AttachedStore
    from monitor.read.filters import Filters

    store = AttachedStore(path)
    f = Filters(unique_stories=True)
    name = str(store.query("SELECT entity FROM mentions WHERE entity_type = 'person' GROUP BY entity "
                           "ORDER BY count(*) DESC LIMIT 1")["entity"].iloc[0])
    total = al.article_count(store, f)
    sample = distinctive.store_counts(store)
    view = distinctive.view_counts(store, f, (name,))
    rows = [("count of the view", lambda: al.article_count(store, f)),
            ("first page (newest)", lambda: al.article_page(store, f, (), "newest", 0, 50)),
            ("page turn (page 2)", lambda: al.article_page(store, f, (), "newest", 50, 50)),
            (f"deep page (articles {total - 50:,}–{total:,})", lambda: al.article_page(store, f, (), "newest",
                                                                                      total - 50, 50))]
    rows += [(f"sort: {sort}, a name chosen", lambda sort=sort: al.article_page(store, f, (name,), sort, 0, 50))
             for sort in al.SORTS]
    rows += [("text query `oil` (first page)", lambda: al.article_page(store, Filters(unique_stories=True,
                                                                                       query="oil"), (), "newest"))]
    rows += [("top outlets", lambda: al.top_outlets(store, f, (), None)),
             ("the whole list for the CSV (every article)", lambda: al.article_page(store, f, (), "newest", 0, None)),
             ("the view's word sample (1,000 articles, a name)", lambda: distinctive.view_counts(store, f, (name,))),
             ("the store's word sample (3,000 articles; once per store version)",
              lambda: distinctive.store_counts(store)),
             ("log-odds ranking", lambda: distinctive.log_odds(view, sample, limit=None))]
    return [(label, median_ms(action, runs)) for label, action in rows]


def found_terms(path: str) -> list[str]:
    """Return what the distinctive-terms panel shows for a few views (Markdown lines): a look at its output."""
    from monitor.read import distinctive
    from monitor.read.attached import AttachedStore
    from monitor.read.filters import Filters

    store = AttachedStore(path)
    sample = distinctive.store_counts(store)
    name = str(store.query("SELECT entity FROM mentions WHERE entity_type = 'person' GROUP BY entity "
                           "ORDER BY count(*) DESC LIMIT 1")["entity"].iloc[0])
    views = [("text query `oil`", Filters(query="oil"), ()), ("text query `coffee`", Filters(query="coffee"), ()),
             (f"articles naming {name}", Filters(), (name,)), ("the whole store (nothing should stand out)",
                                                              Filters(), ())]
    lines = ["", "| view | top words | top phrases |", "|---|---|---|"]
    for label, f, names in views:
        terms = distinctive.log_odds(distinctive.view_counts(store, f, names), sample, limit=None)
        top = {k: ", ".join(terms[terms["kind"] == k]["term"].head(8)) or "–" for k in ("word", "phrase")}
        lines.append(f"| {label} | {top['word']} | {top['phrase']} |")
    return lines


def page_rows(path: str, runs: int) -> list[tuple[str, list[float]]]:
    """Return (step, durations in ms) for the page in AppTest."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    os.environ["MONITOR_STORE"] = path
    out: dict[str, list[float]] = {}

    def timed(label: str, action: Callable[[], object]) -> None:
        start = time.perf_counter()
        action()
        out.setdefault(label, []).append((time.perf_counter() - start) * 1000)

    def app(page: str) -> AppTest:
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=300)
        at.query_params["page"] = page
        return at

    for _ in range(runs):
        st.cache_data.clear()
        st.cache_resource.clear()
        timed("Articles: first draw, every cache cold", app("Articles").run)
        st.cache_data.clear()  # a new view on a warm server: the store's word sample (per version) stays
        at = app("Articles")
        timed("Articles: first draw, warm server (data caches cleared)", at.run)
        timed("Articles: page turn (Next)", at.button(key="articles_next").click().run)
        timed("Articles: sort change (most negative)", at.selectbox(key="articles_sort").set_value("most negative").run)
        timed("Articles: rerun hitting the caches", at.run)
        assert not at.exception, at.exception
        st.cache_data.clear()
        st.cache_resource.clear()
        timed("reference: Overview, first draw, every cache cold", app("Overview").run)
    return list(out.items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", required=True)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    command = f"python bench/articles.py --store {shlex.quote(args.store)} --runs {args.runs}"
    reads = read_rows(args.store, args.runs)
    pages = page_rows(args.store, args.runs)
    lines = [f"The Articles page on `{args.store}` (`{command}`); median of {args.runs} runs, server side.", "",
             "| read (straight on the store, no cache) | median ms |", "|---|---|"]
    lines += [f"| {label} | {value:,.0f} |" for label, value in reads]
    lines += ["", "| the page in AppTest (`?page=Articles`, sidebar included) | median ms | min–max |", "|---|---|---|"]
    lines += [f"| {label} | {statistics.median(v):,.0f} | {min(v):,.0f}–{max(v):,.0f} |" for label, v in pages]
    lines += ["", "What the distinctive words and phrases panel finds (log-odds z ≥ 1.96, by z):",
              *found_terms(args.store)]
    body = "\n".join(lines)
    print(body)
    print(f"wrote {write_section('articles', body)}\n{command}")


if __name__ == "__main__":
    main()
