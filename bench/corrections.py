"""How long a correction of names takes on a large store: preview, apply, undo (no NER).

    python bench/corrections.py --store PATH [--repeat 3] [--write]

PATH: a store, e.g. the 100,000-article one of `python bench/build_store.py --out PATH --articles 100000
--limit 3000`; the script works on a copy (PATH is never modified) with an empty watchlist in a temporary
folder. The corrections are chosen from the store, not by hand: merge the most mentioned one-word entity into
the most mentioned entity ending with that word, both people; split the most mentioned spelling out of the person
with the most spellings; rename the most mentioned person; drop the most mentioned one-word entity. Each is previewed
(`corrections.preview`: read only), applied (`corrections.apply`: the watchlist written, the store's names
re-resolved, the derived tables rebuilt) and undone, `--repeat` times. The baseline beside them: the rebuild
an ingest that added articles ends with (`refresh_entities` with the derived tables marked stale). `--write`
puts the figures in bench/RESULTS.md (section `corrections`).
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.results import ms, write_section  # noqa: E402
from monitor.derived import DERIVED_STALE  # noqa: E402
from monitor.ingest import corrections as cr  # noqa: E402
from monitor.ingest.pipeline import refresh_entities  # noqa: E402
from monitor.ingest.watchlist import Watchlist  # noqa: E402
from monitor.store import Store  # noqa: E402


def chosen(names: cr.Names) -> list[cr.Correction]:
    """Return the four corrections picked from the store's own names (see the module's docstring)."""
    frame = names.entity_map.assign(n=names.entity_map["name"].map(names.counts).fillna(0))
    per_entity = frame.groupby("entity")["n"].sum().sort_values(ascending=False)
    people = frame[frame["entity_type"] == "person"]
    ranked = [e for e in per_entity.index if e in set(people["entity"])]
    one_word = [e for e in per_entity.index if len(e.split()) == 1]
    ending = {e.split()[-1]: e for e in reversed(ranked) if len(e.split()) > 1}
    lone = next(e for e in ranked if len(e.split()) == 1 and e in ending)
    spellings = people[people["key"] != people["entity"].map(cr.name_key)].groupby("entity")["key"].nunique()
    wide = str(spellings.sort_values(ascending=False).index[0])
    variant = frame[(frame["entity"] == wide) & (frame["key"] != cr.name_key(wide))].sort_values("n").iloc[-1]
    top = ranked[0]
    return [cr.Correction("merge", lone, ending[lone]), cr.Correction("split", str(variant["name"])),
            cr.Correction("rename", top, f"{top} (renamed)"), cr.Correction("drop", one_word[0])]


def timed(call) -> tuple[float, object]:
    started = time.perf_counter()
    out = call()
    return time.perf_counter() - started, out


def _full_rebuild(store: Store) -> None:
    """The rebuild an ingest that added articles ends with: derived tables marked stale, names re-resolved."""
    store.set_meta(DERIVED_STALE, "1")
    refresh_entities(store, Watchlist())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", required=True)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-corrections-"))
    shutil.copy(args.store, work / "store.duckdb")
    store, watchlist = Store(work / "store.duckdb"), work / "watchlist.toml"
    watchlist.write_text("# empty\n")
    refresh_entities(store, Watchlist())
    articles = int(store.query("SELECT count(*) AS n FROM articles")["n"][0])
    mentions = int(store.query("SELECT count(*) AS n FROM raw_mentions")["n"][0])
    baseline = [timed(lambda: _full_rebuild(store))[0] for _ in range(args.repeat)]
    lines = [f"Store: {articles:,} articles, {mentions:,} raw mentions (`{args.store}`, copied).", "",
             "| correction | mentions moved | preview | apply (watchlist + re-resolve + derived tables) | undo |",
             "|---|---:|---|---|---|"]
    for c in chosen(cr.Names.read(store)):
        previews, applies, undos, moved, said = [], [], [], 0, cr.describe(c)
        for _ in range(args.repeat):
            seconds, seen = timed(lambda c=c: cr.preview(store, c, watchlist))
            previews.append(seconds)
            said = cr.describe(seen.correction)  # type: ignore[attr-defined]
            seconds, done = timed(lambda c=c: cr.apply(store, c, watchlist))
            applies.append(seconds)
            moved = int(done.moves["mentions"].sum())  # type: ignore[attr-defined]
            undos.append(timed(lambda d=done: cr.apply(store, d.correction, watchlist, undoing=True))[0])
        lines.append(f"| {said} | {moved:,} | {ms(previews)} | {ms(applies)} | {ms(undos)} |")
        print(lines[-1], flush=True)
    lines += ["", f"Load average (1, 5, 15 min) at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}: "
                  "the machine is shared, and a loaded one takes ~3x as long.",
              "", f"Baseline, the rebuild an ingest that added articles ends with (`refresh_entities`, derived tables "
                  "stale): "
                  f"{ms(baseline)}. No correction runs the language model.", "",
              f"Command: `python bench/corrections.py --store {args.store} --repeat {args.repeat} --write`"]
    print("\n".join(lines))
    if args.write:
        write_section("corrections", "## Correcting names (merge, split, rename, drop)\n\n" + "\n".join(lines))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
