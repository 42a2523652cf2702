"""Person mentions and canonical names against the hand-checked gold set in tests/gold/.

    python bench/names.py [--work /tmp/names_bench]

The sampled articles (bench/names_sample.py) are measured *in their corpus*: corpus-level linking
(`build_entity_map`) needs the rest, so all of ReCOVery (its two CSV folders) is ingested into one
store and the 1,156 Reuters-21578 records tagging a person (the corpus of tests/test_reuters.py)
into another. Each store is cached under --work, named by a hash of the monitor's code, its data/
settings and the corpus files: a rerun with nothing changed ingests nothing. The spaCy output is
cached too (by text, model and nlp.py): a rerun after a change of the code measured here re-runs
the real ingest with everything but the model.

Reported on the gold (tests/gold/person_mentions.jsonl, rules in tests/gold/RULES.md):
- precision: of the pipeline's mentions typed person in the sampled articles, the share that overlap
  a gold person mention (mentions overlapping only a doubtful gold mention are left out);
- recall: the share of gold person mentions overlapped by a person-typed pipeline mention;
- canonical: of the matched gold mentions with a known person, the share whose `entity` names the
  gold canonical (or an alias): same `name_key`, a middle initial one of them leaves out aside;
- Reuters people recall as tests/test_reuters.py defines it (its own function);
- the baseline beside: the raw spaCy model's PERSON spans (same paragraphs, no repair, no linking;
  the span as written is its "canonical").
Writes the `names` section of bench/RESULTS.md.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import pickle
import re
import sys
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.names_sample import (  # noqa: E402
    GOLD,
    NOT_MENTIONS,
    RECOVERY,
    RECOVERY_PARTS,
    Record,
    reuters_people,
    sample_articles,
)
from bench.results import SHARED_DATA, write_section  # noqa: E402
from monitor.ingest.batch import analysed_text  # noqa: E402
from monitor.ingest.names import name_key  # noqa: E402
from monitor.ingest.nlp import Sentence  # noqa: E402
from monitor.ingest.pipeline import article_id, ingest  # noqa: E402
from monitor.store import Store  # noqa: E402

WORK = Path("/tmp/names_bench")
COMMAND = ".venv/bin/python bench/names.py"


# ---------------------------------------------------------------- gold


@dataclass(frozen=True)
class Gold:
    """One hand-checked person mention: where it is (field "text" or "title", offsets) and who it is."""

    record: str
    field: str
    start: int
    end: int
    surface: str
    canonical: str
    aliases: tuple[str, ...] = ()
    doubtful: bool = False

    @property
    def known(self) -> bool:
        """True when the article makes clear who the person is (canonical not "?surname")."""
        return not self.canonical.startswith("?")


def load_gold(path: Path = GOLD) -> list[Gold]:
    """Return the gold mentions of a JSON Lines file (one mention per line)."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            out.append(Gold(row["record"], row.get("field", "text"), row["start"], row["end"], row["surface"],
                            row["canonical"], tuple(row.get("aliases", ())), bool(row.get("doubtful", False))))
    return out


def anchored(gold: Gold, text: str) -> Gold:
    """Return `gold` with offsets that hold its surface in `text` (the nearest occurrence if the loader moved it).

    Why: the offsets index the text as the loader produced it when the gold was made; a later change of
    the loader's normalisation may shift them, and the surface is kept to find the mention again.
    """
    if text[gold.start:gold.end] == gold.surface:
        return gold
    spots = [m.start() for m in re.finditer(rf"(?<!\w){re.escape(gold.surface)}(?!\w)", text)]
    if not spots:
        raise ValueError(f"{gold.record}: gold surface {gold.surface!r} not in the {gold.field} any more")
    start = min(spots, key=lambda s: abs(s - gold.start))
    return replace(gold, start=start, end=start + len(gold.surface))


def known_non_mentions(path: Path = NOT_MENTIONS) -> dict[tuple[str, str], list[tuple[int, int, str]]]:
    """Return (record, field) -> (start, end, kind) of the names the annotator marked as no person mention
    (a credit, an embed's attribution, an organisation's name...): they name the kind of a false mention."""
    out: dict[tuple[str, str], list[tuple[int, int, str]]] = {}
    for line in path.read_text(encoding="utf-8").splitlines() if path.exists() else []:
        row = json.loads(line)
        out.setdefault((row["record"], row["field"]), []).append((row["start"], row["end"], row["kind"]))
    return out


# ---------------------------------------------------------------- predictions


@dataclass(frozen=True)
class Found:
    """One system mention of a sampled article, in the record's own offsets."""

    record: str
    field: str
    start: int
    end: int
    surface: str
    entity: str
    kind: str  # how it came: the origin and the model's label ("ner PERSON", "propagated", ...)


def collapsed(text: str) -> tuple[str, list[int]]:
    """Return `text` with every whitespace run as one space, and each kept character's offset in `text`.

    The NLP reads paragraphs with their whitespace collapsed, so its sentences are found in this.
    """
    chars: list[str] = []
    where: list[int] = []
    for match in re.finditer(r"\S+|\s+", text):
        if match.group()[0].isspace():
            chars.append(" ")
            where.append(match.start())
        else:
            chars.extend(match.group())
            where.extend(range(match.start(), match.end()))
    return "".join(chars), where


def place_sentences(text: str, sentences: Sequence[str]) -> tuple[list[int | None], list[int]]:
    """Return where each sentence starts in the collapsed `text` (None when not found, searching in order)
    and each collapsed character's offset in `text`."""
    flat, where = collapsed(text)
    out: list[int | None] = []
    cursor = 0
    for sentence in sentences:
        at = flat.find(sentence, cursor)
        if at < 0:
            out.append(None)
            continue
        out.append(at)
        cursor = at + len(sentence)
    return out, where


def to_record(record: Record, analysed: str, spans: Iterable[tuple[int, int, int, str, str, str]],
              sentences: Sequence[str]) -> list[Found]:
    """Return system spans (sentence id, start, end in the sentence, surface, entity, kind) in record offsets.

    Offsets in the analysed text (the headline, a blank line, the body) become offsets in the title
    or the body (RawArticle.text).
    """
    starts, where = place_sentences(analysed, sentences)
    body_at = len(analysed) - len(record.article.text)
    out = []
    for sid, start, end, surface, entity, kind in spans:
        at = starts[sid] if sid < len(starts) else None
        if at is None:
            continue
        first, last = where[at + start], where[at + end - 1] + 1
        field_name, shift = ("text", body_at) if first >= body_at else ("title", 0)
        out.append(Found(record.record, field_name, first - shift, last - shift, surface, entity, kind))
    return out


def system_mentions(store: Store, records: Sequence[Record]) -> list[Found]:
    """Return the person-typed mentions the store holds for the sampled records."""
    out: list[Found] = []
    for record in records:
        aid = article_id(record.article)
        stored = store.query("SELECT title FROM articles WHERE article_id = ?", [aid])
        if stored.empty:
            raise SystemExit(f"{record.record}: not in the store (was it ingested?)")
        # a duplicate record is stored once, under the first copy's title: the NLP read that one
        article = replace(record.article, title=stored["title"].iloc[0] if stored["title"].notna().all() else None)
        sentences = store.query("SELECT text FROM sentences WHERE article_id = ? ORDER BY sentence_id", [aid])
        spans = [(int(s), int(a), int(b), str(surf), str(ent), _how(str(origin), str(label)))
                 for s, a, b, surf, ent, origin, label in _resolved(store, aid).itertuples(index=False)]
        out += to_record(record, analysed_text(article), spans, list(sentences["text"]))
    return out


def _how(origin: str, label: str) -> str:
    """Return how a mention came: "ner PERSON", "ner linked" (a short name linked to a full one), "propagated"..."""
    if origin == "ner":
        return f"ner {label or 'linked'}"
    return f"{origin} {label}".strip()


def _resolved(store: Store, aid: str) -> pd.DataFrame:
    """Return one article's raw mentions typed person, each with the entity the `mentions` table gives it.

    The `mentions` table (what every reader sees) keeps one row per entity per sentence; a second mention
    of a name in a sentence takes the entity its name has in that article's rows (a name resolves to one
    entity per article).
    """
    raw = store.query("SELECT sentence_id, start_char, end_char, surface, name, origin, label FROM raw_mentions "
                      "WHERE article_id = ? ORDER BY sentence_id, start_char", [aid])
    shown = store.query("SELECT sentence_id, start_char, entity, entity_type FROM mentions WHERE article_id = ?",
                        [aid])
    joined = raw.merge(shown, on=["sentence_id", "start_char"], how="left")
    by_name = joined.dropna(subset=["entity"]).drop_duplicates("name").set_index("name")
    for column in ("entity", "entity_type"):
        joined[column] = joined[column].fillna(joined["name"].map(by_name[column]))
    person = joined[joined["entity_type"] == "person"]
    return person[["sentence_id", "start_char", "end_char", "surface", "entity", "origin", "label"]]


def baseline_mentions(records: Sequence[Record]) -> list[Found]:
    """Return the raw model's PERSON spans in the sampled records (as the ingest splits them; no repair)."""
    from monitor.ingest import nlp

    texts = [analysed_text(r.article) for r in records]
    out: list[Found] = []
    for record, text, sentences in zip(records, texts, nlp.analyse(texts), strict=True):
        out += to_record(record, text, _person_spans(sentences), [s.text for s in sentences])
    return out


def _person_spans(sentences: Sequence[Sentence]) -> list[tuple[int, int, int, str, str, str]]:
    return [(sid, e.start, e.end, e.text, e.text, "spaCy PERSON")
            for sid, s in enumerate(sentences) for e in s.entities if e.label == "PERSON"]


# ---------------------------------------------------------------- scoring


@dataclass
class Score:
    """The figures of one system on the gold, with the errors behind them."""

    true: int = 0
    false: list[Found] = field(default_factory=list)
    found: int = 0
    gold: int = 0
    right_name: int = 0
    named: int = 0
    missed: list[Gold] = field(default_factory=list)
    wrong_name: list[tuple[Gold, Found]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.true / max(1, self.true + len(self.false))

    @property
    def recall(self) -> float:
        return self.found / max(1, self.gold)

    @property
    def canonical(self) -> float:
        return self.right_name / max(1, self.named)


def _overlap(a: Gold | Found, b: Gold | Found) -> int:
    if a.record != b.record or a.field != b.field:
        return 0
    return max(0, min(a.end, b.end) - max(a.start, b.start))


def _initials_dropped(key: str) -> tuple[str, bool]:
    """Return a key without its middle initials, and whether it had any."""
    words = key.split()
    if len(words) < 3:
        return key, False
    kept = [words[0], *(w for w in words[1:-1] if len(w) > 1), words[-1]]
    return " ".join(kept), len(kept) < len(words)


def same_person_name(a: str, b: str) -> bool:
    """True when two names have the same `name_key`, or differ only by middle initials one of them leaves out.

    "Robert J. Shiller" is "Robert Shiller", but "George H. W. Bush" is not "George W. Bush" (both write
    initials, and different ones). Defined here, not taken from the monitor: the yardstick must not move
    with the code it measures.
    """
    key_a, key_b = name_key(a), name_key(b)
    if key_a == key_b:
        return True
    (loose_a, had_a), (loose_b, had_b) = _initials_dropped(key_a), _initials_dropped(key_b)
    return loose_a == loose_b and not (had_a and had_b)


def right_name(gold: Gold, entity: str) -> bool:
    """True when `entity` names the gold canonical person (or an alias spelling of it)."""
    return any(same_person_name(entity, name) for name in (gold.canonical, *gold.aliases))


def score(gold: Sequence[Gold], found: Sequence[Found]) -> Score:
    """Return precision, recall and canonical-name accuracy of `found` against `gold` (overlap matching).

    A found mention overlapping only doubtful gold mentions counts neither way; doubtful gold mentions
    are not in the recall; `?surname` ones are in precision and recall, not in the canonical score.
    """
    by_field: dict[tuple[str, str], list[Gold]] = {}
    for g in gold:
        by_field.setdefault((g.record, g.field), []).append(g)
    result = Score()
    for f in found:
        hits = [g for g in by_field.get((f.record, f.field), []) if _overlap(g, f)]
        if any(not g.doubtful for g in hits):
            result.true += 1
        elif not hits:
            result.false.append(f)
    for g in gold:
        if g.doubtful:
            continue
        result.gold += 1
        covering = sorted((f for f in found if _overlap(g, f)), key=lambda f: -_overlap(g, f))
        if not covering:
            result.missed.append(g)
            continue
        result.found += 1
        if g.known:
            result.named += 1
            if right_name(g, covering[0].entity):
                result.right_name += 1
            else:
                result.wrong_name.append((g, covering[0]))
    return result


# ---------------------------------------------------------------- stores


def code_digest(code: Sequence[Path] | None = None) -> str:
    """Return a hash of `code`: by default every file of the monitor and its data/ settings."""
    if code is None:
        code = [p for p in (ROOT / "monitor").rglob("*") if p.is_file() and "__pycache__" not in p.parts]
        code += sorted((ROOT / "data").glob("*.toml"))
    digest = hashlib.sha256()
    for path in sorted(code):
        digest.update(str(path.relative_to(ROOT)).encode() + path.read_bytes())
    return digest.hexdigest()


# Taken when this module is imported, with the monitor's modules: the code this process runs (others may
# edit the files while an ingest runs; a store is named after the code that built it).
CODE = code_digest()


def fingerprint(corpus: Sequence[Path], code: str = CODE) -> str:
    """Return a short hash of a code digest and of the corpus files (name, size, mtime)."""
    digest = hashlib.sha256(code.encode())
    for path in sorted(corpus):
        files = sorted(path.rglob("*")) if path.is_dir() else [path]
        for f in files:
            digest.update(f"{f.name}:{f.stat().st_size}:{f.stat().st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


@contextmanager
def remembered_nlp(cache: Path) -> Iterator[None]:
    """Within the block, `monitor.ingest.nlp.analyse` returns what it returned before for the same text.

    Why: spaCy is nearly all of an ingest's time, and its output depends only on the model and
    monitor/ingest/nlp.py (part of the cache's name), while the code measured here (label repair,
    linking, filters) runs after it and changes often. So a rebuild after such a change re-runs the
    real ingest, everything but the model, in a few minutes instead of half an hour.
    """
    from monitor.ingest import nlp

    memo: dict[str, list[Sentence]] = pickle.loads(cache.read_bytes()) if cache.exists() else {}
    real = nlp.analyse
    size = len(memo)

    def analyse(texts: Iterable[str], batch_size: int = nlp.PIPE_BATCH) -> Iterator[list[Sentence]]:
        texts = list(texts)
        keys = [hashlib.sha256(t.encode("utf-8", "surrogatepass")).hexdigest() for t in texts]
        new = {k: t for k, t in zip(keys, texts, strict=True) if k not in memo}
        memo.update(zip(new, real(list(new.values()), batch_size), strict=True))
        return iter([memo[k] for k in keys])

    nlp.analyse = analyse
    try:
        yield
    finally:
        nlp.analyse = real
        if len(memo) > size:
            fresh = cache.with_suffix(f".{os.getpid()}.tmp")
            fresh.write_bytes(pickle.dumps(memo))
            fresh.replace(cache)  # whole or not at all, whoever else reads it


def corpus_store(name: str, inputs: Sequence[Path], work: Path) -> Store:
    """Return the store of `inputs` ingested whole (in this process), built once per fingerprint under `work`."""
    path = work / f"{name}-{fingerprint(inputs)}.duckdb"
    if not path.exists():
        # this process's own file: two runs building the same store at once do not share one
        partial = path.with_suffix(f".{os.getpid()}.partial")
        for stale in (partial, partial.with_name(partial.name + ".wal")):
            stale.unlink(missing_ok=True)
        print(f"ingesting {name} into {path} (once for this code and data)...", file=sys.stderr)
        nlp_code = code_digest([ROOT / "monitor" / "ingest" / "nlp.py"])
        cache = work / f"nlp-{name}-{fingerprint(inputs, nlp_code)}-{_model_version()}.pickle"
        with remembered_nlp(cache):
            ingest(Store(partial), list(inputs), workers=1)
        partial.rename(path)
        for older in work.glob(f"{name}-*.duckdb"):  # stores of code that has changed since
            if older != path:
                older.unlink(missing_ok=True)
    return Store(path, read_only=True)


def _model_version() -> str:
    from importlib import metadata

    from monitor.ingest.nlp import MODEL

    try:
        return f"{MODEL}-{metadata.version(MODEL.replace('_', '-'))}"
    except metadata.PackageNotFoundError:
        return MODEL


def stores(work: Path) -> tuple[Store, Store, Path]:
    """Return the ReCOVery store, the Reuters store and the Reuters people.jsonl."""
    people = reuters_people(work)
    recovery = corpus_store("recovery", [RECOVERY / part for part in RECOVERY_PARTS], work)
    reuters = corpus_store("reuters", [people], work)
    return recovery, reuters, people


def sampled(records: Sequence[Record], corpus: str) -> list[Record]:
    """Return the records of one corpus."""
    return [r for r in records if r.corpus == corpus]


def measure(work: Path = WORK) -> dict[str, Any]:
    """Return the figures of the pipeline and of the raw model on the gold, and Reuters people recall."""
    from tests.test_reuters import person_recall  # the test's own definition, not a copy

    records = sample_articles(work)
    texts = {(r.record, "text"): r.article.text for r in records}
    texts |= {(r.record, "title"): r.article.title or "" for r in records}
    gold = [anchored(g, texts[(g.record, g.field)]) for g in load_gold()]
    recovery, reuters, people = stores(work)
    found = (system_mentions(recovery, sampled(records, "recovery"))
             + system_mentions(reuters, sampled(records, "reuters")))
    rows = [json.loads(line) for line in people.read_text().splitlines()]
    tagged, total, in_text_found, in_text = person_recall(rows, reuters)
    of = {r.record: r.corpus for r in records}
    per_corpus = {c: score([g for g in gold if of[g.record] == c], [f for f in found if of[f.record] == c])
                  for c in ("recovery", "reuters")}
    return {"gold": gold, "pipeline": score(gold, found), "baseline": score(gold, baseline_mentions(records)),
            "per_corpus": per_corpus, "records": records, "reuters": (tagged, total, in_text_found, in_text)}


def _kinds(found: Iterable[Found], limit: int = 6) -> str:
    """Return the false mentions grouped by kind, most first, with a few surfaces each: the kind the annotator
    gave the name ("credit", "embed", "org"...), else how the mention came ("ner ORG": the model said ORG and
    the corpus vote made it a person; "propagated": a name of the article searched for again)."""
    marked = known_non_mentions()
    groups: dict[str, Counter] = {}
    for f in found:
        kinds = [k for a, b, k in marked.get((f.record, f.field), []) if a < f.end and f.start < b]
        groups.setdefault(f"annotated {kinds[0]}" if kinds else f.kind, Counter())[f.surface] += 1
    ranked = sorted(groups.items(), key=lambda kv: -sum(kv[1].values()))
    return "; ".join(f"{kind} {sum(c.values())} ({', '.join(s for s, _ in c.most_common(limit))})"
                     for kind, c in ranked) or "none"


def report(figures: dict) -> str:
    """Return the Markdown of the names section."""
    gold: list[Gold] = figures["gold"]
    system, raw = figures["pipeline"], figures["baseline"]
    found, total, in_found, in_text = figures["reuters"]
    counted = [g for g in gold if not g.doubtful]
    by_corpus = Counter(next(r.corpus for r in figures["records"] if r.record == g.record) for g in counted)
    recovery, reuters = (len(sampled(figures["records"], c)) for c in ("recovery", "reuters"))
    lines = [
        "## Person mentions and canonical names on the hand-checked gold (`bench/names.py`)",
        "",
        f"Gold: {len(counted)} person mentions ({by_corpus['recovery']} in {recovery} ReCOVery articles, "
        f"{by_corpus['reuters']} in {reuters} Reuters articles; {len(gold) - len(counted)} doubtful ones left out), "
        "read by hand: `tests/gold/` (rules in RULES.md).",
        "Each corpus is ingested whole (all of ReCOVery; the 1,156 Reuters records tagging a person) so that",
        "corpus-level linking works as in use. Matching is by overlap; names compare by `name_key` (a middle initial",
        "one side leaves out aside). Canonical: of the gold mentions found whose person the article names.",
        "",
        "| | person precision | recall | correct canonical name |",
        "|---|---|---|---|",
        _row("raw spaCy PERSON spans (baseline: no repair, no linking)", raw),
        _row("the monitor (entities typed person)", system),
        _row("the monitor, ReCOVery articles only", figures["per_corpus"]["recovery"]),
        _row("the monitor, Reuters articles only", figures["per_corpus"]["reuters"]),
        "",
        f"Reuters people recall (tests/test_reuters.py's `person_recall`): {in_found}/{in_text} = "
        f"{in_found / max(1, in_text):.3f} of the tags named in the text ({found}/{total} = "
        f"{found / max(1, total):.3f} of all tags).",
        "",
        f"- False person mentions by how they came: {_kinds(system.false)}.",
        f"- Wrong canonical names (gold -> entity): {_wrong(system.wrong_name)}.",
        f"- Missed: {_missed(system.missed)}.",
        "",
        f"Command: `{COMMAND}`",
    ]
    return "\n".join(lines)


def _row(name: str, result: Score) -> str:
    """Return one table row: precision, recall and canonical accuracy with their counts."""
    predicted = result.true + len(result.false)
    return (f"| {name} | {result.precision:.3f} ({result.true}/{predicted}) | {result.recall:.3f} "
            f"({result.found}/{result.gold}) | {result.canonical:.3f} ({result.right_name}/{result.named}) |")


def _wrong(pairs: Sequence[tuple[Gold, Found]], limit: int = 12) -> str:
    counts = Counter(f"{g.canonical} -> {f.entity}" for g, f in pairs)
    return ", ".join(f"{k} ({n})" for k, n in counts.most_common(limit)) + (" ..." if len(counts) > limit else "") \
        if counts else "none"


def _missed(missed: Sequence[Gold], limit: int = 12) -> str:
    counts = Counter(" ".join(g.surface.split()) for g in missed)
    return ", ".join(f"{k} ({n})" for k, n in counts.most_common(limit)) + (" ..." if len(counts) > limit else "") \
        if counts else "none"


def main() -> None:
    """Build (or reuse) the corpus stores, score the pipeline and the raw model, write bench/RESULTS.md."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", type=Path, default=WORK, help="where the corpus stores are cached")
    parser.add_argument("--build-only", action="store_true", help="build the stores and stop")
    args = parser.parse_args()
    if not (SHARED_DATA / "recovery_covid2020").exists():
        sys.exit(f"skipped: {SHARED_DATA} has no recovery_covid2020; put ../shared beside the project")
    if args.build_only:
        stores(args.work)
        return
    figures = measure(args.work)
    body = report(figures)
    print(body)
    print(f"wrote the names section of {write_section('names', body)}")


if __name__ == "__main__":
    main()
