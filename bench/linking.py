"""Name linking before/after on a real store: split persons, lone-surname links, party entities, rebuild time.

    python bench/linking.py --store PATH [--write]

PATH is a store as its last ingest left it (e.g. ReCOVery + Reuters-21578 ingested by an older
commit): its `entity_map` (and `name_links`, if any) are the "before". The script works on a copy
(PATH is never modified): it re-resolves names with today's code (`refresh_entities`, timed) and
compares every raw mention's entity. Counts, over person entities, spellings that one person's
names take ("split"): entities whose given name is a nickname or formal form of another's with the
same surname, inverted "Surname Given" forms of a person present, and names with and without their
only middle initials; and the entities that the built-in parties table (monitor/ingest/groups.toml)
names. `--write` puts the figures in bench/RESULTS.md (section `linking`).
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

from bench.results import write_section  # noqa: E402
from monitor.ingest.groups import group_keys  # noqa: E402
from monitor.ingest.names import key_tokens, loose_key, name_key  # noqa: E402
from monitor.ingest.nicknames import same_given_name  # noqa: E402
from monitor.ingest.pipeline import refresh_entities  # noqa: E402
from monitor.ingest.watchlist import Watchlist  # noqa: E402
from monitor.store import Store  # noqa: E402

_RESOLVED = """
SELECT r.article_id, r.sentence_id, r.start_char, r.name,
       coalesce(l.entity, m.entity) AS entity, coalesce(l.entity_type, m.entity_type) AS entity_type
FROM raw_mentions r JOIN entity_map m USING (name) {links}
"""


def resolved(store: Store) -> pd.DataFrame:
    """Return every raw mention with the entity and type the store gives it now."""
    has_links = not store.query("SELECT 1 FROM duckdb_tables() WHERE table_name = 'name_links'").empty
    join = "LEFT JOIN name_links l USING (article_id, name)" if has_links else \
        "LEFT JOIN (SELECT NULL::VARCHAR AS article_id, NULL::VARCHAR AS name, NULL::VARCHAR AS entity, " \
        "NULL::VARCHAR AS entity_type) l USING (article_id, name)"
    return store.query(_RESOLVED.format(links=join))


def split_persons(frame: pd.DataFrame) -> int:
    """Return how many person entities are another person entity's spelling (see the module's note)."""
    people = Counter(frame.loc[frame["entity_type"] == "person", "entity"])
    keys = {name_key(e): n for e, n in people.items() if len(key_tokens(name_key(e))) > 1}
    split = set()
    by_rest: dict[tuple[str, ...], list[str]] = {}
    for key in keys:
        words = key.split()
        if len(words) == 2 and f"{words[1]} {words[0]}" in keys:
            split.add(min(key, f"{words[1]} {words[0]}", key=lambda k: keys[k]))
        if loose_key(key) != key and loose_key(key) in keys and \
                sum(k != loose_key(key) and loose_key(k) == loose_key(key) for k in keys) == 1:
            split.add(key)
        by_rest.setdefault(tuple(words[1:]), []).append(key)
    for members in by_rest.values():
        for a in members:
            if any(b != a and same_given_name(a.split()[0], b.split()[0]) and keys[b] >= keys[a] for b in members):
                split.add(a)
    return len(split)


def party_entities(frame: pd.DataFrame) -> int:
    """Return how many distinct entities the parties table's names and aliases are spread over."""
    groups = group_keys()
    named = frame[frame["name"].map(lambda n: name_key(n) in groups)]
    return named["entity"].nunique()


def lone_changes(before: pd.DataFrame, after: pd.DataFrame) -> tuple[int, int, list[str]]:
    """Return (one-word mentions whose entity changed, all one-word person mentions, the top changes)."""
    cols = ["article_id", "sentence_id", "start_char", "name"]
    both = before.merge(after, on=cols, suffixes=("_before", "_after"))
    lone = both[both["name"].map(lambda n: len(key_tokens(name_key(n))) == 1)]
    lone = lone[(lone["entity_type_before"] == "person") | (lone["entity_type_after"] == "person")]
    changed = lone[lone["entity_before"] != lone["entity_after"]]
    top = Counter(zip(changed["name"], changed["entity_before"], changed["entity_after"], strict=True))
    lines = [f"`{n}`: {b} → {a} ×{c}" for (n, b, a), c in top.most_common(12)]
    return len(changed), len(lone), lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", required=True)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-linking-"))
    copy = work / "store.duckdb"
    shutil.copyfile(args.store, copy)
    store = Store(copy)  # migrates an older store here, before the clock starts
    before = resolved(store)
    started = time.perf_counter()
    refresh_entities(store, Watchlist())
    seconds = time.perf_counter() - started
    after = resolved(store)
    n_articles = int(store.query("SELECT count(*) AS n FROM articles")["n"][0])
    changed, lone, top = lone_changes(before, after)
    rows = [
        ("person entities that are a spelling of another", split_persons(before), split_persons(after)),
        ("entities the parties' names are spread over", party_entities(before), party_entities(after)),
        ("person entities", before.loc[before.entity_type == "person", "entity"].nunique(),
         after.loc[after.entity_type == "person", "entity"].nunique()),
    ]
    body = "\n".join([
        f"## Name linking (`bench/linking.py`): {n_articles:,} articles, {len(after):,} raw mentions",
        "", "| count | before | after |", "|---|---:|---:|", *(f"| {a} | {b:,} | {c:,} |" for a, b, c in rows),
        "", f"One-word person mentions whose entity changed: {changed:,} of {lone:,}. Most frequent:", "",
        *(f"- {line}" for line in top), "",
        f"Rebuild of entity_map + name_links + derived tables (refresh_entities): {seconds:.1f} s.", "",
        f"`python bench/linking.py --store {args.store}{' --write' if args.write else ''}`",
    ])
    print(body)
    if args.write:
        write_section("linking", body)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
