"""False entities before and after the mention filters (monitor.ingest.furniture, not_persons, short_names, embeds).

    python bench/mention_filters.py --before BEFORE.duckdb --after AFTER.duckdb

BEFORE and AFTER are stores of ../shared/data/recovery_covid2020 ingested by the code before and after the
change (each: `python -m monitor ingest ../shared/data/recovery_covid2020 --store S --workers 1`, the before one
from `git archive HEAD` unpacked elsewhere). The script reports, written to bench/RESULTS.md:
  1. the seed's sentences naming X (the platform) and how many carry an X mention, before (HEAD, run in a
     subprocess from `git archive HEAD`) and after (this checkout);
  2. a generated set of short-name contexts (fictional): recall on confirmed contexts, false hits on
     "Malcolm X", "X-ray", list markers ... for a single letter and a two-letter name, against the plain
     whole-word search the watchlist did before;
  3. on ReCOVery, person entities that are families in the plural, groups, page furniture or headline words,
     and X mentions (a 2020 corpus: Twitter was not yet X, so every one is false), before -> after;
  4. on ReCOVery's stored sentences (before), the sentences that are page furniture whole, their topic hits
     and what they do to article tone: the case for stripping furniture from the text before the NLP.
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.results import ROOT, SHARED_DATA, write_section

SEED_SCRIPT = r"""
import json, sys, monitor
f = monitor.load(sys.argv[1])
s, m = f.sentences, f.mentions
naming = set(s[s.text.str.contains(r"(?<![\w-])X(?![\w-])", regex=True)].sentence_id)
with_x = set(m[m.entity == "X"].sentence_id)
people = sorted(set(m[m.entity_type == "person"].entity))
print(json.dumps({"naming": len(naming), "found": len(naming & with_x), "people": people}))
"""
FURNITURE = re.compile(r"(?i)caption|replay|more videos|image source|getty|read more|click here|advertis|share this"
                       r"|sign up|photo illustration|enlarge|toggle|^email$|shares$|subscribe|^watch$")


def seed_x(code_root: Path) -> dict:
    """Return the seed's X figures and person entities for the code at `code_root`."""
    # run from `code_root`: `python -c` puts the working directory first on sys.path
    out = subprocess.run([sys.executable, "-c", SEED_SCRIPT, str(ROOT / "seeds")], cwd=code_root, capture_output=True,
                         text=True, check=True, env={"PYTHONPATH": str(code_root), "PATH": "/usr/bin:/bin"})
    return json.loads(out.stdout.strip().splitlines()[-1])


def head_checkout() -> Path:
    """Return a temporary folder holding `git archive HEAD` (the code before the uncommitted change)."""
    folder = Path(tempfile.mkdtemp(prefix="mention_filters_head_"))
    archive = subprocess.run(["git", "archive", "HEAD"], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder


SHORT_POSITIVE = ["{p} sat down for an interview on {t} on Monday.", "{p} posted to {t} at night.",
                  "{t}'s owner {p} fired staff.", "{t}, formerly {a}, lost advertisers.", "{t} CEO {p} quit.",
                  "The {t} platform fell over.", "{p} bought {a} and renamed it {t}.", "A post {p} made on {t}."]
# Contexts that are never the name, for any short term ...
SHORT_NEGATIVE = ["{p} read about Malcolm {t}.", "Generation {t} voters stayed home.", "Louis {t} ruled.",
                  "The SpaceX launch slipped.", "Let x be the share of voters.", "Brand {t} sold well.",
                  "Mr. {t} declined to comment.", "The {t} and Y axes.", "Multiply 3 {t} 4.",
                  "{p} WAS TOLD {t} WOULD FOLLOW", "Pope Pius {t} wrote it."]
# ... and for a single letter only (for an acronym these are mentions: "NB-funded", "the NB Games").
LETTER_NEGATIVE = ["An {t}-ray showed it.", "The baby {t} Æ A-12 slept.", "{t}. The first point is the budget.",
                   "It has the {t} factor.", "The {t} Games return.", "{t}) Budget lines follow."]
PEOPLE = ["Mara Velloso", "Tomas Brandt", "Ines Okafor", "Pavel Ruiz"]


def short_name_set() -> dict[str, dict[str, float]]:
    """Return recall and false hits of the watchlist search on generated contexts, plain regex vs the rules."""
    from monitor.ingest.entities import resolve_article
    from monitor.ingest.nlp import Sentence
    from monitor.ingest.watchlist import Watchlist

    watchlist = Watchlist.from_dict({"entities": {"X": {"aliases": ["Twitter", "X Corp"]},
                                                  "NB": {"aliases": ["Northbridge Board"]}}})
    aliases = {"X": "Twitter", "NB": "Northbridge Board"}
    out = {}
    for term, alias in aliases.items():
        pos = [t.format(p=p, t=term, a=alias) for t in SHORT_POSITIVE for p in PEOPLE]
        templates = SHORT_NEGATIVE + (LETTER_NEGATIVE if len(term) == 1 else [])
        neg = [t.format(p=p, t=term) for t in templates for p in PEOPLE]
        plain = re.compile(rf"(?<!\w){re.escape(term)}(?!\w)")

        def old_hits(text: str, term: str = term, plain: re.Pattern[str] = plain) -> bool:
            return len(term) >= 2 and bool(plain.search(text))  # the old search skipped one-letter terms

        def new_hits(text: str, term: str = term) -> bool:
            return any(m.surface == term for m in resolve_article([Sentence(text, 0.0)], watchlist))

        out[term] = {"positives": len(pos), "negatives": len(neg),
                     "recall_before": sum(map(old_hits, pos)) / len(pos),
                     "recall_after": sum(map(new_hits, pos)) / len(pos),
                     "false_before": sum(map(old_hits, neg)), "false_after": sum(map(new_hits, neg))}
    return out


def person_classes(store: Path) -> dict[str, list[tuple[str, int]]]:
    """Return, per class of false person, the person entities of `store` in it with their mention counts."""
    import duckdb

    from monitor.ingest.not_persons import HEADLINE_LEADS, is_group, singulars

    with duckdb.connect(str(store), read_only=True) as con:
        rows = con.execute("SELECT entity, count(*) FROM mentions WHERE entity_type = 'person' "
                           "GROUP BY entity").fetchall()
        x = con.execute("SELECT count(*) FROM mentions WHERE entity = 'X' AND surface = 'X'").fetchone()
    persons = {e.casefold() for e, _ in rows}
    surnames = persons | {e.split()[-1] for e in persons}
    classes: dict[str, list[tuple[str, int]]] = {"family plural": [], "group": [], "furniture": [], "headline word": [],
                                                  "all persons": [(e, n) for e, n in rows]}
    for entity, n in rows:
        words = entity.split()
        if len(words) == 1 and any(s.casefold() in surnames for s in singulars(entity) if len(s) >= 3):
            classes["family plural"].append((entity, n))
        if is_group(entity):
            classes["group"].append((entity, n))
        if FURNITURE.search(entity):
            classes["furniture"].append((entity, n))
        if len(words) > 1 and (words[0].casefold() in HEADLINE_LEADS
                               or (words[0].casefold().endswith("ing") and len(words[0]) >= 6)):
            classes["headline word"].append((entity, n))
    classes["X mentions (all false in 2020)"] = [("X", int(x[0]) if x else 0)]
    return {k: sorted(v, key=lambda kv: (-kv[1], kv[0])) for k, v in classes.items()}


def furniture_sentences(store: Path) -> dict[str, float]:
    """Return how many stored sentences are page furniture whole, their topic hits, and the articles whose
    tone moves by 0.01 or more without them."""
    import duckdb

    from monitor.ingest.furniture import furniture_regions

    with duckdb.connect(str(store), read_only=True) as con:
        sentences = con.execute("SELECT article_id, sentence_id, text, tone FROM sentences").df()
        hits = con.execute("SELECT article_id, sentence_id FROM topic_hits").df()
    covered = [sum(b - a for a, b in furniture_regions(t)) >= 0.8 * len(t) for t in sentences["text"]]
    sentences["furniture"] = covered
    junk = sentences[sentences["furniture"]]
    merged = hits.merge(junk[["article_id", "sentence_id"]], on=["article_id", "sentence_id"])
    before = sentences.groupby("article_id")["tone"].mean()
    after = sentences[~sentences["furniture"]].groupby("article_id")["tone"].mean().reindex(before.index).fillna(0.0)
    return {"sentences": len(sentences), "furniture sentences": len(junk),
            "articles with furniture": junk["article_id"].nunique(), "their topic hits": len(merged),
            "articles whose tone moves >= 0.01": int(((before - after).abs() >= 0.01).sum()),
            "nonzero-tone furniture sentences": int((junk["tone"].abs() >= 0.05).sum())}


def _table(before: dict[str, list[tuple[str, int]]], after: dict[str, list[tuple[str, int]]]) -> list[str]:
    lines = ["| person entities that are ... | entities before | mentions before | entities after | mentions after "
             "| top before |", "|---|---:|---:|---:|---:|---|"]
    for name in before:
        b, a = before[name], after[name]
        top = ", ".join(f"{e} ({n})" for e, n in b[:8]) if name != "all persons" else ""
        lines.append(f"| {name} | {len(b)} | {sum(n for _, n in b)} | {len(a)} | {sum(n for _, n in a)} | {top} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before", type=Path, required=True, help="store ingested by the code before the change")
    parser.add_argument("--after", type=Path, required=True, help="store ingested by this checkout")
    args = parser.parse_args()
    if not (SHARED_DATA / "recovery_covid2020").exists():
        sys.exit(f"{SHARED_DATA / 'recovery_covid2020'} not present")
    seed_before, seed_after = seed_x(head_checkout()), seed_x(ROOT)
    short = short_name_set()
    classes_before, classes_after = person_classes(args.before), person_classes(args.after)
    junk = furniture_sentences(args.before)
    lines = ["## Mention filters: not-persons, page furniture, short watchlist names, embed accounts", "",
             f"Seed: sentences naming X (the platform) with an X mention: before (HEAD) {seed_before['found']}/"
             f"{seed_before['naming']} -> after {seed_after['found']}/{seed_after['naming']}. Person entities after: "
             f"{', '.join(seed_after['people'])}.", "",
             "Generated short-name contexts (fictional; single letter X, two letters NB; before = the plain "
             "whole-word search, which skipped one-letter terms):", "",
             "| term | confirmed contexts | recall before | recall after | other contexts | false hits before "
             "| false hits after |", "|---|---:|---:|---:|---:|---:|---:|"]
    lines += [f"| {t} | {v['positives']} | {v['recall_before']:.2f} | {v['recall_after']:.2f} | {v['negatives']} | "
              f"{v['false_before']} | {v['false_after']} |" for t, v in short.items()]
    lines += ["", f"ReCOVery ({args.before.name} -> {args.after.name}), person entities by class:", "",
              *_table(classes_before, classes_after), "",
              "Top after, per class: " + "; ".join(
                  f"{k}: " + ", ".join(f"{e} ({n})" for e, n in v[:6]) for k, v in classes_after.items()
                  if k != "all persons"), "",
              "ReCOVery stored sentences (before) that are page furniture whole: " + ", ".join(
                  f"{k} {v}" for k, v in junk.items()) + ".", "",
              f"Command: `python bench/mention_filters.py --before {args.before} --after {args.after}`"]
    body = "\n".join(lines)
    print(body)
    write_section("mention_filters", body)


if __name__ == "__main__":
    main()
