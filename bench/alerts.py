"""Spike alerts on the real corpora: what monitor/read/alerts.py finds on ReCOVery and Reuters-21578, per day and
per week — the count per kind and metric, the strongest alerts with the ids of the articles behind them (their
titles on the terminal only), and the runtime; optionally the runtime on a large store (--big). Writes the
`alerts` section of bench/RESULTS.md.

The stores are made by the monitor's own ingest (`python -m monitor ingest`) under --work the first time
(ReCOVery: ~2,000 articles; Reuters: ~19,000, several minutes) and reused after; or pass --recovery/--reuters
to read stores made before (they are migrated to this schema when older).

    python bench/alerts.py [--work /tmp/alerts-bench] [--recovery STORE] [--reuters STORE] [--big STORE]
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.results import SHARED_DATA, reuters_jsonl, write_section  # noqa: E402
from monitor.read import aggregations, alerts, timeseries  # noqa: E402
from monitor.read.filters import Filters  # noqa: E402
from monitor.store import Store  # noqa: E402

EXAMPLES = 8       # strongest alerts shown per corpus and period
TITLES = 2         # article titles shown per alert
TITLE_CHARS = 60   # a title is cut there (a headline to recognise the story, not the article)
RUNS = 3
QUERIES = {"Reuters-21578": [("oil", "crude OR oil"), ("dollar", "dollar AND (yen OR mark)")],
           "ReCOVery": [("vaccine", "vaccin*"), ("lockdown", "lockdown OR reopen*")]}


def store_of(given: str | None, work: Path, name: str) -> Path:
    """Return the store to read: `given`, migrated when older; else one ingested under `work` the first time."""
    if given:
        subprocess.run([sys.executable, "-m", "monitor", "migrate", "--store", given], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
        return Path(given)
    path = work / f"{name}.duckdb"
    if not path.exists():
        source = (SHARED_DATA / "recovery_covid2020" if name == "recovery"
                  else reuters_jsonl(work / "reuters-all.jsonl"))
        if not Path(source).exists():
            sys.exit(f"skipped: {source} not found; put ../shared beside the project to run this benchmark")
        print(f"ingesting {source} into {path} (once)...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "monitor", "ingest", str(source), "--store", str(path), "--quiet"],
                       cwd=ROOT, check=False)
    return path


def timed(store: Store, freq: str, queries: list[tuple[str, str]]) -> tuple[pd.DataFrame, list[float]]:
    """Return the alerts of the whole store (every kind, the saved queries too) and the seconds of each run."""
    seconds, found = [], pd.DataFrame()
    for _ in range(RUNS):
        started = time.perf_counter()
        found = alerts.find_alerts(store, Filters(unique_stories=True), freq, alerts.KINDS, queries)
        seconds.append(time.perf_counter() - started)
    return found, seconds


def titles_behind(store: Store, row: pd.Series, freq: str) -> tuple[str, str]:
    """Return the titles of the first articles behind an alert (its sentences' articles), cut short, for the
    terminal, and their article ids for bench/RESULTS.md (no text of the corpora is written into the project)."""
    f = Filters(unique_stories=True, query=str(row["query"]) if row["kind"] == "query" else "")
    name = str(row["name"]) if row["kind"] not in ("topic", "query") else None
    topic = str(row["name"]) if row["kind"] == "topic" else None
    end = timeseries.period_end(row["period"], freq)
    rows = aggregations.sentences_behind(store, f, name, topic, row["period"], end, limit=50)
    titles = list(dict.fromkeys(t for t in rows["title"].dropna() if t.strip()))[:TITLES]
    cut = [t if len(t) <= TITLE_CHARS else t[:TITLE_CHARS - 1] + "…" for t in titles]
    ids = list(dict.fromkeys(rows["article_id"].astype(str)))[:TITLES]
    return "; ".join(f"“{t}”" for t in cut) or "–", ", ".join(f"`{i[:12]}`" for i in ids) or "–"


def section(store: Store, corpus: str, freq: str) -> list[str]:
    """Return the Markdown of one corpus and period: counts per kind and metric, the strongest alerts, the time."""
    found, seconds = timed(store, freq, QUERIES[corpus])
    unit = timeseries.FREQS[freq]
    counts = found.groupby(["kind", "metric", "direction"]).size()
    lines = [f"### {corpus}, per {unit}", "",
             f"{len(found)} alerts; find_alerts over the whole store (every kind and {len(QUERIES[corpus])} saved "
             f"queries): median {statistics.median(seconds):.2f} s (min {min(seconds):.2f}, n={RUNS}).", "",
             "| kind | metric | direction | alerts |", "|---|---|---|---:|"]
    lines += [f"| {k} | {m} | {d} | {n} |" for (k, m, d), n in counts.items()]
    lines += ["", "| period | kind | name | metric | seen | baseline | p | articles behind (ids) |",
              "|---|---|---|---|---:|---:|---:|---|"]
    strongest = found.reindex(found["score"].abs().sort_values(ascending=False).index).head(EXAMPLES)
    for _, row in strongest.iterrows():
        seen = f"{row['value']:.0f}" if row["metric"] == "volume" else f"{row['value']:+.2f}"
        usual = f"{row['baseline']:.1f}" if row["metric"] == "volume" else f"{row['baseline']:+.2f}"
        titles, ids = titles_behind(store, row, freq)
        print(f"{corpus}, {row['period']:%Y-%m-%d}, {row['name']}: {titles}")
        lines.append(f"| {row['period']:%Y-%m-%d} | {row['kind']} | {row['name']} | {row['metric']} "
                     f"{row['direction']} | {seen} | {usual} | {row['p_value']:.0e} | {ids} |")
    return [*lines, ""]


def big_runtime(path: str) -> list[str]:
    """Return the runtime line of a large store: every kind, per day."""
    store = Store(path, read_only=True)
    n = int(store.query("SELECT count(*) AS n FROM articles")["n"].iloc[0])
    _, seconds = timed(store, "D", [])
    return [f"On a store of {n:,} articles (`{path}`), every kind per day: median "
            f"{statistics.median(seconds):.2f} s (min {min(seconds):.2f}, n={RUNS}).", ""]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", default="/tmp/alerts-bench", help="folder for the stores ingested once")
    parser.add_argument("--recovery", help="a store holding ReCOVery (default: ingest it under --work)")
    parser.add_argument("--reuters", help="a store holding Reuters-21578 (default: ingest it under --work)")
    parser.add_argument("--big", help="also time a large store (e.g. bench/build_store.py's 100,000 articles)")
    args = parser.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    s = alerts.Settings()
    body = ["Command: `python bench/alerts.py " + " ".join(sys.argv[1:]) + "`.", "",
            f"Settings: baseline {s.baseline} periods, at least {s.min_articles} articles and {s.min_ratio:g}× the "
            f"expected count, tone from {s.min_tone_n} articles each side and a shift of {s.min_tone_shift}, "
            f"p at most {s.alpha:g}; each syndicated story once. `seen`/`baseline`: articles "
            "in the period and articles expected at the baseline's rate for that period's articles (volume), "
            "or mean tone toward it (tone).", ""]
    for corpus, given, name in (("ReCOVery", args.recovery, "recovery"), ("Reuters-21578", args.reuters, "reuters")):
        store = Store(store_of(given, work, name), read_only=True)
        for freq in alerts.ALERT_FREQS:
            body += section(store, corpus, freq)
    if args.big:
        body += big_runtime(args.big)
    print("\n".join(body))
    print(f"wrote {write_section('alerts', '## Spike alerts on the real corpora' + chr(10) * 2 + chr(10).join(body))}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
