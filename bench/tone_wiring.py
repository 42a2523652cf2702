"""What the tone toward each mention costs: at ingest, in the 2 -> 3 migration, in the `mentions` rebuild.

    python bench/tone_wiring.py --store STORE [--articles 1500]

STORE is an ingested store (schema 2 or 3; e.g. `bench/build_store.py --save-base`, or one `bench/ingest.py`
made), never changed: it is copied to a temporary folder first. Three figures, written to bench/RESULTS.md:
  scoring    `tone.mention_tones` over the sentences with mentions of the first N articles (by article_id),
             one call per sentence with all its spans: the step batch.py adds to an ingest
  migration  a writable open of the copy taken back to schema 2 (no `raw_mentions.tone`, no `name_links`):
             every stored mention scored from the stored sentences, and the derived tables rebuilt
  rebuild    the `mentions` table made with the schema-2 SQL (before) and today's (after: `name_links`
             joined, the targeted tone and `sentence_tone`), in turn, three times each, on the migrated copy
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.results import write_section
from monitor import tables
from monitor.ingest import tone
from monitor.store import Store
from tests.old_schema import V2_MENTIONS  # the schema-2 `mentions`: the sentence's tone for every entity


def to_schema_2(path: Path) -> None:
    """Take a store back to what schema 2 held: no `raw_mentions.tone`, no `name_links`."""
    with duckdb.connect(str(path)) as con:
        con.execute("ALTER TABLE raw_mentions DROP COLUMN IF EXISTS tone")
        con.execute("DROP TABLE IF EXISTS name_links")
        con.execute(V2_MENTIONS)
        con.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")


def scoring(path: Path, articles: int) -> dict:
    """Time mention_tones over the sentences with mentions of the first `articles` articles."""
    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute(
            "WITH first AS (SELECT article_id FROM articles WHERE n_sentences > 0 ORDER BY article_id LIMIT ?) "
            "SELECT s.text, list([r.start_char, r.end_char] ORDER BY r.start_char) FROM raw_mentions r "
            "JOIN sentences s USING (article_id, sentence_id) WHERE r.article_id IN (SELECT * FROM first) "
            "GROUP BY r.article_id, r.sentence_id, s.text", [articles]).fetchall()
    pairs = [(text, [(a, b) for a, b in spans]) for text, spans in rows]
    tone.load_model()  # read once per process at ingest too: not the step's cost
    tone.sentence_tone("warm up VADER's lexicon")
    started = time.perf_counter()
    mentions = sum(len(tone.mention_tones(text, spans).mentions) for text, spans in pairs)
    return {"articles": articles, "sentences": len(pairs), "mentions": mentions,
            "seconds": time.perf_counter() - started}


def migration(path: Path) -> dict:
    """Time the writable open that migrates the copy from schema 2; return its figures."""
    to_schema_2(path)
    wall, cpu = time.perf_counter(), time.process_time()
    store = Store(path)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    n = store.query("SELECT count(*) AS n, count(DISTINCT article_id) AS a FROM raw_mentions").iloc[0]
    assert store.migrated_from == 2 and store.query("SELECT count(*) AS n FROM raw_mentions WHERE tone IS NULL"
                                                    )["n"].iloc[0] == 0
    return {"mentions": int(n["n"]), "articles": int(n["a"]), "seconds": wall, "cpu": cpu}


def rebuild(path: Path, runs: int = 3) -> dict[str, list[float]]:
    """Time the `mentions` rebuild with each SQL, in turn, `runs` times, each rolled back."""
    times: dict[str, list[float]] = {"before (schema 2)": [], "after (schema 3)": []}
    with duckdb.connect(str(path)) as con:
        for _ in range(runs):
            for label, sql in zip(times, (V2_MENTIONS, tables.MENTIONS), strict=True):
                con.execute("BEGIN TRANSACTION")
                started = time.perf_counter()
                con.execute(sql)
                times[label].append(time.perf_counter() - started)
                con.execute("ROLLBACK")
        rows = con.execute("SELECT count(*) FROM mentions").fetchall()[0][0]
    return {**times, "rows": [float(rows)]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", required=True, help="an ingested store (copied, never changed)")
    parser.add_argument("--articles", type=int, default=1500, help="articles whose mentions are scored")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-tone-") as work:
        copy = Path(work) / "store.duckdb"
        shutil.copyfile(args.store, copy)
        score = scoring(copy, args.articles)
        moved = migration(copy)
        built = rebuild(copy)
    per_article = score["seconds"] / score["articles"] * 1000
    lines = [
        f"`python bench/tone_wiring.py --store {args.store} --articles {args.articles}`", "",
        "| step | work | time |", "|---|---|---|",
        f"| scoring at ingest (`mention_tones`, one call per sentence) | {score['mentions']:,} mentions in "
        f"{score['sentences']:,} sentences of {score['articles']:,} articles | {score['seconds']:.1f} s "
        f"({per_article:.1f} ms an article) |",
        f"| migration 2 -> 3 (writable open) | {moved['mentions']:,} mentions of {moved['articles']:,} articles "
        f"| {moved['seconds']:.0f} s ({moved['cpu']:.0f} s CPU): {moved['mentions'] / moved['seconds']:,.0f} "
        f"mentions a second |",
    ]
    for label in ("before (schema 2)", "after (schema 3)"):
        runs = built[label]
        lines.append(f"| `mentions` rebuild, {label} | {int(built['rows'][0]):,} rows | median "
                     f"{statistics.median(runs):.2f} s (runs: {', '.join(f'{t:.2f}' for t in runs)}) |")
    body = "\n".join(lines)
    print(body)
    print(f"wrote {write_section('tone_wiring', '## Tone toward each mention: its cost' + chr(10) + chr(10) + body)}")


if __name__ == "__main__":
    main()
