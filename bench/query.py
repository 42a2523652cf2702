"""Choose the text index by measurement: SQLite FTS5 (what the monitor uses) against tantivy and DuckDB's fts.

    python bench/query.py --store PATH [--runs N]

PATH is a store such as bench/build_store.py makes (100,000 articles). For each engine: the time to index every
article, the index's size, the time to add 1,000 more articles (incremental), and the median latency of typical
queries. For FTS5 also the whole server-side path of a query change: parse, search, and the page's two
largest aggregations under the query (monitor.read.aggregations.entity_table and period_totals).
The FTS5 index is (re)built beside the store (PATH.search.sqlite), as the monitor would; tantivy's in a
temporary folder. Writes the "query" section of bench/RESULTS.md. A benchmark, not a test.
"""
from __future__ import annotations

import argparse
import shlex
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.results import write_section  # noqa: E402
from monitor import search_index  # noqa: E402
from monitor.read import aggregations as agg  # noqa: E402
from monitor.read import search  # noqa: E402
from monitor.read.attached import AttachedStore  # noqa: E402
from monitor.read.filters import Filters  # noqa: E402
from monitor.read.query import fts5_query  # noqa: E402

# (our syntax, tantivy's query-parser syntax for the same question)
QUERIES = [("oil", "oil"), ('"crude oil"', '"crude oil"'), ("bank* OR dollar", '"bank"* OR dollar'),
           ("(oil OR gas) AND price* NOT opec", '(oil OR gas) AND "price"* AND NOT opec'),
           ('"oil price"~5', '"oil price"~5'), ("NOT oil", "* AND NOT oil")]


def median_seconds(run: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def size_mb(path: Path) -> float:
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files) / 1e6


def fts5(store: AttachedStore, runs: int) -> tuple[list[str], dict[str, float]]:
    """Rebuild the monitor's index, time it and the queries; return table rows and the latencies."""
    search_index.remove(store)
    started = time.perf_counter()
    n = search_index.sync(store)
    build = time.perf_counter() - started
    path = search_index.index_path(store)
    assert path is not None
    with tempfile.TemporaryDirectory() as tmp:  # incremental: 1,000 more articles into a copy's index
        import sqlite3
        con = sqlite3.connect(Path(tmp) / "i.sqlite")
        con.executescript(search_index.SCHEMA)
        rows = store.query("SELECT title, text FROM articles LIMIT 1000").itertuples(index=False)
        started = time.perf_counter()
        with con:
            con.executemany("INSERT INTO docs (title, body, everything) VALUES (?, ?, 'all')", list(rows))
        add = time.perf_counter() - started
    def run(q: str) -> list[str]:
        return search_index.search(store, fts5_query(q) or "")
    latency = {q: median_seconds(partial(run, q), runs) for q, _ in QUERIES}
    row = f"| SQLite FTS5 (chosen) | {build:.1f} s ({n:,} articles) | {size_mb(path):.0f} MB | {add * 1000:.0f} ms |"
    return [row], latency


def tantivy_engine(store: AttachedStore, runs: int) -> tuple[list[str], dict[str, float]]:
    try:
        import tantivy
    except ImportError:
        return ["| tantivy | not installed (pip install tantivy) | | |"], {}
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("article_id", stored=True, tokenizer_name="raw")
    builder.add_text_field("title")
    builder.add_text_field("body")
    schema = builder.build()
    with tempfile.TemporaryDirectory() as tmp:
        index = tantivy.Index(schema, path=tmp)
        started = time.perf_counter()
        writer = index.writer()
        ids = store.query("SELECT article_id FROM articles")["article_id"].tolist()
        for start in range(0, len(ids), 5_000):
            chunk = store.query("SELECT article_id, coalesce(title, '') t, coalesce(text, '') x FROM articles "
                                "WHERE article_id IN (SELECT unnest(?::VARCHAR[]))", [ids[start:start + 5_000]])
            for aid, title, text in chunk.itertuples(index=False):
                writer.add_document(tantivy.Document(article_id=aid, title=title, body=text))
        writer.commit()
        writer.wait_merging_threads()
        build = time.perf_counter() - started
        index.reload()
        searcher = index.searcher()
        extra = store.query("SELECT title, text FROM articles LIMIT 1000")
        writer = index.writer()
        started = time.perf_counter()
        for title, text in extra.itertuples(index=False):
            writer.add_document(tantivy.Document(article_id="x", title=title or "", body=text or ""))
        writer.commit()
        add = time.perf_counter() - started
        writer.wait_merging_threads()
        latency = {}
        for ours, theirs in QUERIES:
            try:
                query = index.parse_query(theirs, ["title", "body"])
            except ValueError:  # its parser has no one-word prefix ("bank"*): a regex query would be needed
                continue
            def hits(query: tantivy.Query = query) -> object:
                return searcher.search(query, len(ids) + 1000).hits
            latency[ours] = median_seconds(hits, runs)
        size = size_mb(Path(tmp))
    return [f"| tantivy (PyPI `tantivy`) | {build:.1f} s | "
            f"{size:.0f} MB | {add * 1000:.0f} ms |"], latency


def duckdb_fts() -> str:
    import duckdb
    try:
        duckdb.connect().execute("LOAD fts")
    except duckdb.Error as exc:
        return f"| DuckDB fts | cannot load offline (not installed; INSTALL downloads it): {type(exc).__name__} | | |"
    return "| DuckDB fts | loads (not measured: bag of words only, no phrase or NEAR) | | |"


def page_path(store: AttachedStore, runs: int) -> dict[str, float]:
    """A query change, server side: parse + search (cache cleared) + the page's two biggest aggregations."""
    def once(q: str) -> None:
        search._cache.clear()
        f = Filters(query=q, unique_stories=True)
        agg.entity_table(store, f, "person")
        agg.period_totals(store, f, "W")
    return {q: median_seconds(partial(once, q), runs) for q, _ in QUERIES}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", required=True)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    store = AttachedStore(args.store)
    n = int(store.query("SELECT count(*) AS n FROM articles")["n"].iloc[0])
    rows, ours = fts5(store, args.runs)
    more, theirs = tantivy_engine(store, args.runs)
    page = page_path(store, args.runs)
    base = median_seconds(lambda: (agg.entity_table(store, Filters(unique_stories=True), "person"),
                                   agg.period_totals(store, Filters(unique_stories=True), "W")), args.runs)
    lines = [f"Text index on {n:,} articles (`{shlex.join(['python', 'bench/query.py', *sys.argv[1:]])}`).", "",
             "| engine | index build | size | add 1,000 articles |", "|---|---|---|---|", *rows, *more, duckdb_fts(),
             "", f"Median of {args.runs} runs per query (ms). *Page, server side*: the query parsed, searched "
             f"(uncached) and the page's two largest aggregations under it; without a query they take "
             f"{base * 1000:.0f} ms.", "",
             "| query | FTS5: ids of the matches | tantivy: hits (addresses only) | page, server side (FTS5) |",
             "|---|---|---|---|"]
    for q, _ in QUERIES:
        t = f"{theirs[q] * 1000:.1f}" if q in theirs else "not in its query syntax"
        lines.append(f"| `{q}` | {ours[q] * 1000:.1f} | {t} | {page[q] * 1000:.0f} |")
    lines += ["", f"Median page time over these queries: {statistics.median(page.values()) * 1000:.0f} ms "
              "(target ≤ 1,000 ms)."]
    body = "\n".join(lines)
    print(body)
    print(f"wrote {write_section('query', body)}")


if __name__ == "__main__":
    main()
