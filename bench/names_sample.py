"""Draw the articles of the person-mention gold set (tests/gold/) and expand its annotations to offsets.

    python bench/names_sample.py            # writes tests/gold/sample.json (ids only, no text)
    python bench/names_sample.py --expand   # tests/gold/annotations.txt -> person_mentions.jsonl, not_mentions.jsonl

ReCOVery 2020 (../shared/data/recovery_covid2020): 13 reliable and 13 unreliable articles, each from
a different outlet, spread round-robin over the months January to July 2020 (then a second round of
4 and 4), bodies of 1,000-4,500 characters (about the middle half of the corpus: short enough to read
closely by hand).
Reuters-21578: 25 articles (then 10 more) drawn at random from the 1,156 that tag at least one person
(<PEOPLE>), bodies of at least 300 characters. The same tagged articles are the corpus
`tests/test_reuters.py` ingests, so `bench/names.py` ingests them once for both measurements.

Also the shared loader of both corpora: `sample_articles()` returns each sampled record as the
monitor reads it (`RawArticle.text` is the text the gold offsets index).
"""
from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.results import SHARED_DATA, reuters_jsonl  # noqa: E402
from monitor.ingest.sources import RawArticle, read_paths  # noqa: E402

SEED = 20260530
SAMPLE = ROOT / "tests" / "gold" / "sample.json"
ANNOTATIONS = ROOT / "tests" / "gold" / "annotations.txt"
GOLD = ROOT / "tests" / "gold" / "person_mentions.jsonl"
NOT_MENTIONS = ROOT / "tests" / "gold" / "not_mentions.jsonl"
WORK = Path("/tmp/names_bench")
RECOVERY = SHARED_DATA / "recovery_covid2020"
RECOVERY_PARTS = ("reliable", "unreliable")
PER_PART = 13
REUTERS_N = 25
# The second round, added when the first held fewer than 300 person mentions.
SECOND_PER_PART = 4
SECOND_REUTERS = 10
RECOVERY_CHARS = (1_000, 4_500)
REUTERS_MIN_CHARS = 300


@dataclass(frozen=True)
class Record:
    """One sampled article: corpus, its record path relative to the corpus folder, and its RawArticle."""

    corpus: str     # recovery | reuters
    record: str     # "reliable/news-dataset_npr.csv#12" | "people.jsonl#7"
    record_id: str  # the CSV row's file#row, or Reuters' NEWID
    article: RawArticle


def recovery_articles() -> list[RawArticle]:
    """Return every ReCOVery record as the monitor reads it (the two folders of CSVs, no licence file)."""
    items = read_paths([RECOVERY / part for part in RECOVERY_PARTS])
    return [item for item in items if isinstance(item, RawArticle)]


def reuters_people(work: Path) -> Path:
    """Write (once) and return `work`/people.jsonl: the Reuters records tagging a person, as test_reuters.py does."""
    out = work / "people.jsonl"
    if not out.exists():
        work.mkdir(parents=True, exist_ok=True)
        rows = [json.loads(line) for line in reuters_jsonl(work / "all.jsonl").read_text().splitlines()]
        out.write_text("".join(json.dumps(r) + "\n" for r in rows if r["people"]))
    return out


def reuters_rows(work: Path) -> list[dict]:
    """Return the tagged Reuters rows (the JSON objects of people.jsonl, in order)."""
    return [json.loads(line) for line in reuters_people(work).read_text().splitlines()]


def _relative(path: str) -> str:
    """Return a record path from the corpus folder on ("reliable/x.csv#3", "people.jsonl#7")."""
    parts = path.replace("\\", "/").split("/")
    return "/".join(parts[-2:]) if parts[-2] in RECOVERY_PARTS else parts[-1]


def draw_recovery(articles: list[RawArticle], rng: random.Random, per_part: int = PER_PART,
                  drawn: Sequence[str] = ()) -> list[str]:
    """Return the record paths of `per_part` articles per part not `drawn` yet, one outlet each, months round-robin."""
    chosen: list[str] = []
    for part in RECOVERY_PARTS:
        pool = [a for a in articles if f"/{part}/" in a.path and a.date is not None and a.date.year == 2020
                and RECOVERY_CHARS[0] <= len(a.text) <= RECOVERY_CHARS[1] and _relative(a.path) not in drawn]
        by_month: dict[int, list[RawArticle]] = defaultdict(list)
        for a in sorted(pool, key=lambda a: a.path):
            by_month[a.date.month].append(a)  # type: ignore[union-attr]
        months, outlets, picked = sorted(by_month), set(), 0
        while picked < per_part:
            for month in months:
                options = [a for a in by_month[month] if a.path.split("#")[0] not in outlets]
                if not options or picked >= per_part:
                    continue
                article = rng.choice(options)
                outlets.add(article.path.split("#")[0])
                chosen.append(_relative(article.path))
                picked += 1
    return chosen


def draw_reuters(rows: list[dict], rng: random.Random, count: int = REUTERS_N,
                 drawn: Sequence[tuple[int, str]] = ()) -> list[tuple[int, str]]:
    """Return (line number in people.jsonl, NEWID) of `count` tagged articles with a body, not `drawn` yet."""
    pool = [(n, r["id"]) for n, r in enumerate(rows, start=1)
            if len(r["text"]) >= REUTERS_MIN_CHARS and (n, r["id"]) not in drawn]
    return sorted(rng.sample(pool, count))


def sample_articles(work: Path) -> list[Record]:
    """Return the sampled records of tests/gold/sample.json with their text, as the monitor reads it."""
    spec = json.loads(SAMPLE.read_text())
    wanted = set(spec["recovery"])
    found = {_relative(a.path): a for a in recovery_articles() if _relative(a.path) in wanted}
    out = [Record("recovery", rec, rec, found[rec]) for rec in spec["recovery"]]
    people = reuters_people(work)
    by_line = {_relative(a.path): a for a in read_paths([people]) if isinstance(a, RawArticle)}
    out += [Record("reuters", f"people.jsonl#{line}", str(newid), by_line[f"people.jsonl#{line}"])
            for line, newid in spec["reuters"]]
    return out


@dataclass
class Pattern:
    """One annotation line: where a surface is a mention of whom, with a mark per occurrence."""

    context: str
    surface: str
    canonical: str
    aliases: list[str]
    marks: list[str] | None
    line: int
    kind_mark: str = ""  # "x:credit" for a line "Name = - credit": each occurrence is no mention, of that kind


def parse_annotations(text: str) -> dict[str, list[Pattern]]:
    """Return record -> its annotation patterns (the format is described at the top of annotations.txt)."""
    out: dict[str, list[Pattern]] = {}
    record = ""
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip() if not raw.lstrip().startswith("[") else raw.strip()
        if not line or line == "(none)":
            continue
        if line.startswith("["):
            record = line.strip("[]")
            out[record] = []
            continue
        body, _, marks = line.partition(" @ ")
        pattern, _, who = body.partition(" = ")
        names = [n.strip() for n in who.split("|")]
        context, _, surface = pattern.strip().rpartition(">")
        kind = names[0][1:].strip() if names[0].startswith("-") else ""
        # "- credit": every occurrence a non-mention of that kind; a bare "x" mark takes the line's kind
        given = marks.split() if marks else None
        out[record].append(Pattern(context or surface, surface, "" if kind else names[0], names[1:],
                                   [_kinded(m, kind) for m in given] if given else None, number,
                                   _kinded("x", kind) if kind else ""))
    return out


def _kinded(mark: str, kind: str) -> str:
    """Return an occurrence mark with the line's kind given to a bare "x" ("x" -> "x:credit")."""
    return f"x:{kind or 'other'}" if mark == "x" else mark


def title_is_read(title: str | None, text: str) -> bool:
    """True when a headline is analysed as the article's first paragraph (not all capitals, not the body's start)."""
    title = (title or "").strip()
    return bool(title) and not title.isupper() and not text.lstrip().startswith(title)


def _spots(pattern: Pattern, fields: list[tuple[str, str]]) -> list[tuple[str, int, int]]:
    """Return (field, start, end) of the pattern's surface in each occurrence of its context, in reading order."""
    words = r"\s+".join(re.escape(w) for w in pattern.context.split())
    inner = r"\s+".join(re.escape(w) for w in pattern.surface.split())
    out = []
    for name, text in fields:
        for match in re.finditer(rf"(?<!\w){words}(?!\w)", text):
            sub = re.search(inner, match.group())
            assert sub is not None, pattern
            out.append((name, match.start() + sub.start(), match.start() + sub.end()))
    return out


def expand(record: Record, patterns: list[Pattern]) -> tuple[list[dict], list[dict]]:
    """Return the gold rows of one record, person mentions and names that are not (with their kind):
    each pattern's occurrences that no longer pattern took already."""
    article = record.article
    fields = [("title", article.title or "")] if title_is_read(article.title, article.text) else []
    fields.append(("text", article.text))
    texts = dict(fields)
    taken: list[tuple[str, int, int]] = []
    rows, others = [], []
    for p in sorted(patterns, key=lambda p: (-len(p.context), p.line)):
        spots = [s for s in _spots(p, fields) if not any(f == s[0] and a < s[2] and s[1] < b for f, a, b in taken)]
        marks = p.marks or [p.kind_mark or "m"] * len(spots)
        if len(marks) != len(spots):
            raise SystemExit(f"annotations.txt line {p.line}: {len(marks)} marks for {len(spots)} occurrences "
                             f"of {p.context!r} in {record.record}")
        taken += spots
        for (name, start, end), mark in zip(spots, marks, strict=True):
            where = {"corpus": record.corpus, "record": record.record, "record_id": record.record_id,
                     "field": name, "start": start, "end": end, "surface": texts[name][start:end]}
            if mark.startswith("x"):
                others.append(where | {"kind": mark.partition(":")[2] or "other"})
            elif mark in ("m", "d"):
                rows.append(where | {"canonical": p.canonical, "aliases": p.aliases, "doubtful": mark == "d"})
            else:
                raise SystemExit(f"annotations.txt line {p.line}: unknown mark {mark!r}")
    return sorted(rows, key=_reading_order), sorted(others, key=_reading_order)


def _reading_order(row: dict) -> tuple[bool, int]:
    return row["field"] != "title", row["start"]


def write_gold(work: Path = WORK) -> int:
    """Expand annotations.txt into person_mentions.jsonl and not_mentions.jsonl; return the mentions written."""
    patterns = parse_annotations(ANNOTATIONS.read_text(encoding="utf-8"))
    records = sample_articles(work)
    missing = [r.record for r in records if r.record not in patterns]
    if missing:
        raise SystemExit(f"not annotated yet: {', '.join(missing)}")
    expanded = [expand(r, patterns[r.record]) for r in records]
    for path, rows in ((GOLD, [row for mentions, _ in expanded for row in mentions]),
                       (NOT_MENTIONS, [row for _, others in expanded for row in others])):
        path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    return sum(len(mentions) for mentions, _ in expanded)


def main() -> None:
    """Draw the sample and write tests/gold/sample.json, or (--expand) write the gold's offsets."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--expand", action="store_true", help="expand annotations.txt to person_mentions.jsonl")
    if parser.parse_args().expand:
        print(f"wrote {write_gold()} mentions to {GOLD}")
        print("command: .venv/bin/python bench/names_sample.py --expand")
        return
    if not RECOVERY.exists():
        sys.exit(f"skipped: {RECOVERY} not found; put ../shared beside the project to draw the sample")
    rng = random.Random(SEED)
    articles, rows = recovery_articles(), reuters_rows(WORK)
    recovery = draw_recovery(articles, rng)
    reuters = draw_reuters(rows, rng)
    # A second round, drawn after the first from the same generator, so the first round stays as it was.
    recovery += draw_recovery(articles, rng, SECOND_PER_PART, recovery)
    reuters = sorted(reuters + draw_reuters(rows, rng, SECOND_REUTERS, reuters))
    SAMPLE.write_text(json.dumps({"seed": SEED, "recovery": recovery, "reuters": reuters}, indent=1) + "\n")
    print(f"wrote {SAMPLE}: {len(recovery)} ReCOVery and {len(reuters)} Reuters records")
    print("command: .venv/bin/python bench/names_sample.py")


if __name__ == "__main__":
    main()
