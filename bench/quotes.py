"""Direct quotations and their speakers against the hand-annotated gold (tests/gold/quotes/), and their cost.

    python bench/quotes.py [--no-cost] [--articles 500] [--rounds 3] [--errors a|b|a+b] [--heldout]

The 33 records of tests/gold/quotes/sample.json (bench/quotes_sample.py) go through the real ingest step
(`analyse_batch`: language, NLP, names, quotes); the `quotes` rows' offsets (in the analysed text, the title
maybe first) are mapped to `RawArticle.text`, which the gold's offsets index. Reported per annotator file
(quotes_a.jsonl and quotes_b.jsonl: both looked at to tune), both together, the agreement of a second annotator
on 8 of their records (quotes_c_overlap.jsonl, scored against a+b like a system: how consistently the rules
are applied — not an independent ceiling: both readings take their offsets from the marks' positions, and 36 of
its 39 quotation lines equal a/b's byte for byte), and, with
--heldout only, every tests/gold/quotes/heldout_*.jsonl on the held-out draw (tests/gold/quotes/heldout.json):
- detection precision, recall, F1: a found quotation matches a gold one (one to one) when their extents
  overlap by at least half of the shorter; with the gold's `doubtful` quotations, and without them (a found
  quotation matching only a doubtful one then counts neither way);
- speaker accuracy on the matched gold quotations whose speaker the article names (`speaker_named`): the
  same person when the surnames are equal or one name contains the other (case and accents aside);
- the baseline beside: every stretch between a pair of double marks with at least three words, its speaker
  the nearest person mention in the sentence where it starts;
- the cost: analyse_batch over --articles ReCOVery articles outside the gold, with and without the quotes
  step, --rounds times each in turn (medians), and the quotes step's own time.
Writes the `quotes` section of bench/RESULTS.md.
"""
from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.quotes_sample import HELDOUT, SAMPLE, Record, load_records  # noqa: E402
from bench.results import write_section  # noqa: E402
from monitor.ingest import batch as batch_step  # noqa: E402
from monitor.ingest.nlp import Sentence  # noqa: E402
from monitor.ingest.quote_layout import layout  # noqa: E402
from monitor.ingest.sources import RawArticle  # noqa: E402
from monitor.ingest.topics import Taxonomy  # noqa: E402
from monitor.ingest.watchlist import Watchlist  # noqa: E402

GOLD_DIR = ROOT / "tests" / "gold" / "quotes"
FILES = {"a": GOLD_DIR / "quotes_a.jsonl", "b": GOLD_DIR / "quotes_b.jsonl"}
# A second reading of a few records of a and b by another annotator, scored against a+b like a system: how
# consistently the rules are applied (36 of its 39 quotation lines equal a/b's byte for byte: read it as that, not
# as an independent ceiling).
OVERLAP = GOLD_DIR / "quotes_c_overlap.jsonl"
# The held-out draw (bench/quotes_sample.py --heldout), annotated after the tuning on a and b: scored only with
# --heldout (the lead runs it once at the end; nobody tuning looks at its files or figures).
HELDOUT_GLOB = "heldout_*.jsonl"
COMMAND = "python bench/quotes.py"


@dataclass(frozen=True)
class GoldQuote:
    """One annotated quotation: its record, its parts' [start, end) in RawArticle.text, its speaker."""

    record: str
    parts: tuple[tuple[int, int], ...]
    speaker: str | None
    named: bool
    cue: str
    partial: bool
    doubtful: bool

    @property
    def extent(self) -> tuple[int, int]:
        return self.parts[0][0], self.parts[-1][1]


@dataclass(frozen=True)
class Found:
    """One quotation the monitor (or the baseline) found: its extent in RawArticle.text and its speaker."""

    record: str
    start: int
    end: int
    text: str
    speaker: str | None
    cue: str

    @property
    def extent(self) -> tuple[int, int]:
        return self.start, self.end


@dataclass
class Gold:
    """One annotator file: the records read, their quotations and their marked spans that are not quotations."""

    records: set[str]
    quotes: list[GoldQuote]
    not_quotes: list[tuple[str, int, int, str]]


def load_gold(path: Path) -> Gold:
    """Return the records, quotations and not-quotations of one annotator file (empty when it is absent)."""
    gold = Gold(set(), [], [])
    if not path.exists():
        return gold
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        if row["type"] == "record":
            gold.records.add(row["record"])
        elif row["type"] == "quote":
            gold.quotes.append(GoldQuote(row["record"], tuple((a, b) for a, b in row["parts"]), row.get("speaker"),
                                         bool(row.get("speaker_named")), row.get("cue", ""),
                                         bool(row.get("partial")), bool(row.get("doubtful"))))
        elif row["type"] == "not_quote":
            gold.not_quotes.append((row["record"], row["start"], row["end"], row.get("kind", "")))
    return gold


def overlap(a: tuple[int, int], b: tuple[int, int]) -> float:
    """Return the share of the shorter of two [start, end) extents that the other covers."""
    shared = min(a[1], b[1]) - max(a[0], b[0])
    shorter = min(a[1] - a[0], b[1] - b[0])
    return shared / shorter if shared > 0 and shorter > 0 else 0.0


def match(gold: Sequence[GoldQuote], found: Sequence[Found]) -> dict[int, int]:
    """Return gold index -> found index, one to one, best overlaps first, each at least half the shorter."""
    pairs = sorted(((overlap(g.extent, f.extent), gi, fi) for gi, g in enumerate(gold)
                    for fi, f in enumerate(found) if g.record == f.record), reverse=True)
    out: dict[int, int] = {}
    used: set[int] = set()
    for share, gi, fi in pairs:
        if share >= 0.5 and gi not in out and fi not in used:
            out[gi] = fi
            used.add(fi)
    return out


def _folded(name: str) -> str:
    """Return `name` lower-cased, accents and punctuation removed, spaces single."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return " ".join(re.sub(r"[^\w\s]", " ", plain).split())


def same_person(gold: str | None, found: str | None) -> bool:
    """Return True when two speaker names mean the same person: equal surnames, or one name inside the other."""
    if not gold or not found:
        return False
    a, b = _folded(gold), _folded(found)
    a = re.sub(r"^the ", "", a)
    b = re.sub(r"^the ", "", b)
    if not a or not b:
        return False
    suffix = {"jr", "sr", "ii", "iii", "iv"}
    last_a = [w for w in a.split() if w not in suffix][-1:]
    last_b = [w for w in b.split() if w not in suffix][-1:]
    return a in b or b in a or (bool(last_a) and last_a == last_b)


def score(gold: Gold, found: Sequence[Found], doubtful: bool = True) -> dict[str, float]:
    """Return tp, fp, fn, precision, recall, f1 and the speaker accuracy (named speakers) of `found` on `gold`.

    Without `doubtful`, the gold's doubtful quotations are left out, and a found quotation matched to one
    counts neither way.
    """
    found = [f for f in found if f.record in gold.records]
    pairs = match(gold.quotes, found)
    kept = [gi for gi, g in enumerate(gold.quotes) if doubtful or not g.doubtful]
    tp = sum(1 for gi in kept if gi in pairs)
    fp = len(found) - len(pairs)  # matched to a doubtful quotation, left out: neither a hit nor a false one
    fn = len(kept) - tp
    named = [gi for gi in kept if gi in pairs and gold.quotes[gi].named]
    right = sum(1 for gi in named if same_person(gold.quotes[gi].speaker, found[pairs[gi]].speaker))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "precision": precision, "recall": recall, "f1": f1,
            "speaker": right / len(named) if named else 0.0, "speaker_n": len(named), "speaker_right": right}


def _shift(article: RawArticle) -> int:
    """Return how many characters the analysed text has before RawArticle.text (the title, when prepended)."""
    return len(batch_step.analysed_text(article)) - len(article.text)


def analysed(records: Sequence[Record]) -> dict[str, dict]:
    """Return record -> its analyse_batch frames (the real ingest step), all records in one batch."""
    batch = [(r.record, r.article) for r in records]
    frames = batch_step.analyse_batch(batch, Taxonomy.load(), Watchlist.load()).frames
    return {r.record: {name: f[f["article_id"] == r.record] for name, f in frames.items() if "article_id" in f}
            for r in records}


def system_quotes(records: Sequence[Record], frames: dict[str, dict]) -> list[Found]:
    """Return the monitor's quotations of each record, offsets in RawArticle.text (ones in the title left out)."""
    out = []
    for r in records:
        shift = _shift(r.article)
        for q in frames[r.record]["quotes"].itertuples():
            if q.start_char is None or q.start_char != q.start_char or q.start_char < shift:
                continue
            speaker = next((s for s in (q.speaker_name, q.speaker_surface) if isinstance(s, str)), None)
            out.append(Found(r.record, int(q.start_char) - shift, int(q.end_char) - shift, q.text, speaker, q.cue))
    return out


_BASELINE = re.compile(r"[\"\u201c]([^\"\u201c\u201d\n]+)[\"\u201d]")


def baseline_quotes(records: Sequence[Record], frames: dict[str, dict]) -> list[Found]:
    """Return the baseline's quotations: every stretch between a pair of double marks with three words or more,
    its speaker the person mention nearest to it in the sentence where it starts."""
    out = []
    for r in records:
        shift, text = _shift(r.article), batch_step.capped(batch_step.analysed_text(r.article))
        f = frames[r.record]
        sentences = [Sentence(t, 0.0) for t in f["sentences"].sort_values("sentence_id")["text"]]
        where = layout(text, sentences)
        mentions = f["raw_mentions"]
        persons = set(mentions.loc[mentions["label"] == "PERSON", "name"])  # a person's name, wherever it is found
        people = [(int(m.sentence_id), where.offset(int(m.sentence_id), int(m.start_char)), m.name)
                  for m in mentions.itertuples() if m.name in persons and where.aligned]
        for found in _BASELINE.finditer(text):
            if len(found.group(1).split()) < 3 or found.start(1) < shift:
                continue
            sid = where.sentence_at(found.start(1))
            near = sorted(people, key=lambda p: min(abs(p[1] - found.start()), abs(p[1] - found.end())))
            near = [p for p in near if p[0] == sid and not found.start() <= p[1] < found.end()]
            out.append(Found(r.record, found.start(1) - shift, found.end(1) - shift, found.group(1),
                             near[0][2] if near else None, "baseline"))
    return out


def errors(gold: Gold, found: Sequence[Found], records: Sequence[Record]) -> Iterable[str]:
    """Yield one line per missed quotation, false quotation and wrong speaker (for the tuning file only)."""
    text = {r.record: r.article.text for r in records}
    found = [f for f in found if f.record in gold.records]
    pairs = match(gold.quotes, found)
    for gi, g in enumerate(gold.quotes):
        words = text[g.record][g.extent[0]:g.extent[1]][:90]
        if gi not in pairs:
            yield f"MISSED {g.record} {'(doubtful) ' if g.doubtful else ''}{words!r} [{g.speaker}; {g.cue}]"
        elif g.named and not same_person(g.speaker, found[pairs[gi]].speaker):
            f = found[pairs[gi]]
            yield f"SPEAKER {g.record} {words!r} gold {g.speaker} ({g.cue}) found {f.speaker} ({f.cue})"
    for fi, f in enumerate(found):
        if fi not in pairs.values():
            kinds = [k for rec, a, b, k in gold.not_quotes if rec == f.record and overlap((a, b), f.extent) > 0]
            yield f"FALSE {f.record} {f.text[:90]!r} {kinds or ''}"


def cost(articles: int, rounds: int) -> dict[str, float]:
    """Return the medians of analyse_batch over `articles` ReCOVery articles outside the gold, with and without
    the quotes step (timed in turn, `rounds` times each, the order swapped each round), and the quotes step's
    own median seconds (timed inside the batch: the figure the machine's load disturbs least)."""
    from bench.names_sample import _relative, recovery_articles
    from monitor.ingest import quotes

    gold = set(json.loads(SAMPLE.read_text())["recovery"])
    pool = [a for a in recovery_articles() if _relative(a.path) not in gold][:articles]
    batch = [(f"c{n}", a) for n, a in enumerate(pool)]
    taxonomy, watchlist = Taxonomy.load(), Watchlist.load()
    batch_step.analyse_batch(batch[:20], taxonomy, watchlist)  # the model loaded before any timing
    real, spent = quotes.article_quotes, [0.0]

    def timed(*args):
        start = time.perf_counter()
        try:
            return real(*args)
        finally:
            spent[0] += time.perf_counter() - start

    times: dict[str, list[float]] = {"with": [], "without": [], "step": []}
    for round_ in range(rounds):
        for variant in ("with", "without") if round_ % 2 == 0 else ("without", "with"):  # neither always first
            quotes.article_quotes = timed if variant == "with" else (lambda *args: [])
            spent[0], start = 0.0, time.perf_counter()
            batch_step.analyse_batch(batch, taxonomy, watchlist)
            times[variant].append(time.perf_counter() - start)
            if variant == "with":
                times["step"].append(spent[0])
    quotes.article_quotes = real
    return {"articles": len(batch), "rounds": rounds, **{k: statistics.median(v) for k, v in times.items()},
            "chars": sum(len(a.text) for a in pool)}


def annotator_quotes(gold: Gold) -> list[Found]:
    """Return an annotator file's quotations as a system's, to score one annotator against another."""
    return [Found(q.record, q.extent[0], q.extent[1], "", q.speaker if q.named else None, q.cue) for q in gold.quotes]


def restricted(gold: Gold, records: set[str]) -> Gold:
    """Return the part of `gold` on `records`."""
    return Gold(gold.records & records, [q for q in gold.quotes if q.record in records],
                [n for n in gold.not_quotes if n[0] in records])


def tuning_golds() -> dict[str, Gold]:
    """Return the tuning files a and b, and a+b, by key (the ones present)."""
    golds = {k: load_gold(p) for k, p in FILES.items() if p.exists()}
    if len(golds) > 1:
        golds["a+b"] = Gold(set().union(*(g.records for g in golds.values())),
                            [q for g in golds.values() for q in g.quotes],
                            [n for g in golds.values() for n in g.not_quotes])
    return golds


def heldout_gold() -> Gold | None:
    """Return every heldout_*.jsonl present together (None when there is none yet)."""
    parts = [load_gold(p) for p in sorted(GOLD_DIR.glob(HELDOUT_GLOB))]
    if not parts:
        return None
    return Gold(set().union(*(g.records for g in parts)), [q for g in parts for q in g.quotes],
                [n for g in parts for n in g.not_quotes])


def systems(gold: Gold, found: Sequence[Found], base: Sequence[Found]) -> dict[str, dict[str, float]]:
    """Return the monitor's and the baseline's scores on `gold`, with and without its doubtful quotations."""
    return {"monitor": score(gold, found), "monitor, doubtful left out": score(gold, found, doubtful=False),
            "baseline": score(gold, base), "baseline, doubtful left out": score(gold, base, doubtful=False)}


def agreement(golds: dict[str, Gold], found: Sequence[Found]) -> dict[str, dict[str, float]]:
    """Return the second annotator's scores against a+b on the records both read, and the monitor's there."""
    second = load_gold(OVERLAP)
    if "a+b" not in golds or not second.records:
        return {}
    both = restricted(golds["a+b"], second.records)
    return {"second annotator": score(both, annotator_quotes(second)), "monitor": score(both, found)}


def _row(name: str, m: dict[str, float]) -> str:
    """Return one Markdown table row of detection and speaker figures."""
    return (f"| {name} | {m['precision']:.3f} | {m['recall']:.3f} | **{m['f1']:.3f}** | {m['tp']} / {m['fp']} / "
            f"{m['fn']} | **{m['speaker']:.3f}** ({m['speaker_right']}/{m['speaker_n']}) |")


def report(results: dict[str, dict[str, dict[str, float]]], counts: dict[str, tuple[int, int]],
           spent: dict[str, float] | None) -> str:
    """Return the Markdown of the `quotes` section."""
    held = " --heldout" if "heldout" in results else ""
    lines = [f"`{COMMAND}{held}` (the gold: tests/gold/quotes/, rules in its RULES.md; quotes_a.jsonl and "
             "quotes_b.jsonl were both looked at to tune; \"records read twice\": a second annotator's reading "
             "(quotes_c_overlap.jsonl) scored against a+b like a system, beside the monitor on the same records: "
             "the rules' consistency, not an independent ceiling (36 of its 39 lines equal a/b's byte for byte); "
             "heldout: the held-out draw, annotated after the tuning, scored once)", ""]
    for key, (records, quotes) in counts.items():
        lines.append(f"- {key}: {records} records, {quotes} gold quotations")
    lines += ["", "| gold, system | precision | recall | F1 | tp / fp / fn | speaker accuracy (named) |",
              "|---|---|---|---|---|---|"]
    for key, by in results.items():
        for name, m in by.items():
            lines.append(_row(f"{key}, {name}", m))
    if spent:
        share = spent["step"] / spent["with"]
        from bench.tone import ceiling_ratio

        ratio = ceiling_ratio()
        lines += ["", f"Cost: analyse_batch on {spent['articles']} ReCOVery articles outside the gold "
                  f"({spent['chars'] / 1e6:.1f} M characters), medians of {spent['rounds']} rounds in turn: "
                  f"**{spent['with']:.1f} s with the quotes step, {spent['without']:.1f} s without**; the step "
                  f"itself {spent['step']:.2f} s ({share:.1%} of the batch, "
                  f"{spent['step'] / spent['articles'] * 1000:.2f} ms an article). An ingest at {ratio:.2f}x the "
                  f"NER ceiling (bench/ingest.py's last run in this file) would be at about "
                  f"{ratio * (1 - share):.2f}x with it (an estimate: the step's share of the batch time; the two "
                  "medians move with whatever else shares the machine, the step's own time much less)."]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-cost", action="store_true", help="leave out the ingest cost (about 2 minutes)")
    parser.add_argument("--articles", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--errors", choices=[*FILES, "a+b"], help="print the errors on this tuning gold file")
    parser.add_argument("--heldout", action="store_true",
                        help="also score the held-out draw (tests/gold/quotes/heldout_*.jsonl): once, at the end")
    parser.add_argument("--no-write", action="store_true", help="print, do not write bench/RESULTS.md")
    args = parser.parse_args()
    records = load_records()
    frames = analysed(records)
    found, base = system_quotes(records, frames), baseline_quotes(records, frames)
    golds = tuning_golds()
    if args.errors and args.errors in golds:
        print("\n".join(errors(golds[args.errors], found, records)))
    results = {k: systems(g, found, base) for k, g in golds.items()}
    counts = {k: (len(g.records), len(g.quotes)) for k, g in golds.items()}
    overlap_figures = agreement(golds, found)
    if overlap_figures:
        results[f"a+b on the {len(load_gold(OVERLAP).records)} records read twice"] = overlap_figures
    held = heldout_gold() if args.heldout else None
    if held is not None:
        records_h = load_records(HELDOUT)
        frames_h = analysed(records_h)
        results["heldout"] = systems(held, system_quotes(records_h, frames_h), baseline_quotes(records_h, frames_h))
        counts["heldout"] = (len(held.records), len(held.quotes))
    spent = None if args.no_cost else cost(args.articles, args.rounds)
    body = report(results, counts, spent)
    print(body)
    if not args.no_write:
        write_section("quotes", body)
        print(f"\nwrote the quotes section of bench/RESULTS.md: {COMMAND}"
              f"{' --heldout' if held is not None else ''}{' --no-cost' if args.no_cost else ''}")


if __name__ == "__main__":
    main()
