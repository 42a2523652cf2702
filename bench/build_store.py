"""Build a large store for load-testing the dashboard: real articles, replicated with shifted dates.

    python bench/build_store.py --out PATH [--articles 100000] [--source-store PATH | --limit N] [--save-base PATH]

The base is real: Reuters-21578 (from ../shared/data, converted by bench/results.py's
`reuters_jsonl`) ingested with the real pipeline (`monitor.ingest.pipeline.ingest`), or a store that
was ingested already (`--source-store`, copied, never modified). `--limit N` ingests only the
first N Reuters articles (ingesting all 21,578 takes ~8-10 min of CPU).

The stored articles are then replicated *inside DuckDB* until the store holds `--articles`:
replica k of article X gets the id `X-rK`, its date shifted by k x (the corpus's span + 1 day),
so time series extend instead of piling up on the same days, and all its sentences, raw
mentions and topic hits. Each replica is its own story (story_id = its id, copies 1, not a
copy) and has no MinHash signature: replicas are identical texts, so regrouping stories would
merge every replica into its original. For the same reason this script does not run story
grouping; it re-resolves names (`refresh_entities`, which rebuilds `entity_map` and the
denormalised `mentions` table) through the Store API, as an ingest does.

Prints the counts of articles and of rows in the `mentions` table. For load only: replicas
are not new information.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.results import reuters_jsonl  # noqa: E402
from monitor.store import Store  # noqa: E402

# Which replica (k) of which base article each new row belongs to; exactly `extra` of them,
# replica 1 of every article first, so a partial last round still spreads over the corpus.
_PLAN = """
CREATE OR REPLACE TEMP TABLE _rep AS
SELECT b.article_id, t.k, b.article_id || '-r' || t.k AS new_id,
       t.k * ((SELECT date_diff('day', min(date), max(date)) + 1 FROM articles) * INTERVAL 1 DAY) AS shift
FROM articles b CROSS JOIN range(1, ?) t(k)
QUALIFY row_number() OVER (ORDER BY t.k, b.article_id) <= ?
"""
# Columns copied unchanged into each replica, per table (the key and shifted columns are set apart).
_COPY = {
    "sentences": "sentence_id, text, tone",
    "raw_mentions": "sentence_id, start_char, end_char, surface, name, label, origin, tone",
    "topic_hits": "sentence_id, topic, keyword",
}
_ARTICLES = """
INSERT INTO articles (article_id, date, date_origin, source, title, url, path, n_sentences, tone, topics,
                      language, text_origin, story_id, copies, is_copy, signature, text, ingested_at)
SELECT r.new_id, a.date + r.shift, a.date_origin, a.source, a.title, a.url, a.path || '#r' || r.k,
       a.n_sentences, a.tone, a.topics, a.language, a.text_origin, r.new_id, 1, FALSE, NULL, a.text, a.ingested_at
FROM articles a JOIN _rep r USING (article_id)
"""


def base_store(out: Path, source: str | None, limit: int | None, work: Path) -> None:
    """Put the base store at `out`: a copy of `source`, or Reuters ingested with the real pipeline."""
    if source:
        shutil.copyfile(source, out)
        return
    from monitor.ingest.pipeline import ingest
    from monitor.ingest.runners import default_workers

    jsonl = reuters_jsonl(work / (f"reuters-{limit}.jsonl" if limit else "reuters.jsonl"), limit=limit)
    started = time.perf_counter()
    report = ingest(Store(out), [jsonl], workers=default_workers())
    print(f"ingested {report.total('added')} Reuters articles in {time.perf_counter() - started:.0f} s")


def replicate(store: Store, target: int) -> int:
    """Add replicas of the stored articles (and their rows) until the store holds `target`; return how many."""
    with store.transaction() as con:
        have = con.execute("SELECT count(*) FROM articles").fetchone()[0]
        extra = max(target - have, 0)
        if not have or not extra:
            return 0
        rounds = -(-extra // have)  # ceil: replicas per article needed
        con.execute(_PLAN, [rounds + 1, extra])
        con.execute(_ARTICLES)
        for table, columns in _COPY.items():
            con.execute(f"INSERT INTO {table} (article_id, {columns}) "
                        f"SELECT r.new_id, {columns} FROM {table} x JOIN _rep r USING (article_id)")
        con.execute("DROP TABLE _rep")
    return extra


def counts(store: Store) -> dict[str, int]:
    """Return the row counts the dashboard's load depends on."""
    row = store.query("SELECT (SELECT count(*) FROM articles) AS articles, (SELECT count(*) FROM mentions) AS "
                      "mentions, (SELECT count(*) FROM sentences) AS sentences, "
                      "(SELECT count(*) FROM topic_hits) AS topic_hits").iloc[0]
    return {k: int(v) for k, v in row.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="the store to write (replaced)")
    parser.add_argument("--articles", type=int, default=100_000, help="articles wanted in the store")
    parser.add_argument("--source-store", help="an ingested store to start from (copied)")
    parser.add_argument("--limit", type=int, help="ingest only the first N Reuters articles")
    parser.add_argument("--save-base", help="also keep a copy of the ingested base here (for --source-store)")
    args = parser.parse_args()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.unlink(missing_ok=True)
    base_store(out, args.source_store, args.limit, out.parent)
    if args.save_base:
        shutil.copyfile(out, args.save_base)
    store = Store(out)
    print(f"base: {counts(store)}")
    started = time.perf_counter()
    added = replicate(store, args.articles)
    from monitor.ingest.pipeline import refresh_entities
    from monitor.ingest.watchlist import Watchlist

    refresh_entities(store, Watchlist.load())  # rebuilds entity_map and the mentions table
    print(f"replicated {added} articles in {time.perf_counter() - started:.0f} s")
    print(f"store {out}: {counts(store)}; {out.stat().st_size / 2**20:.0f} MB")


if __name__ == "__main__":
    main()
