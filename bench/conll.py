"""CoNLL-2003 English NER: exact-span precision, recall and F1 per type, the monitor's pipeline beside the raw model.

    .venv/bin/python bench/conll.py                 # valid split: writes the `conll` section of bench/RESULTS.md
    .venv/bin/python bench/conll.py --split train   # development split (printed, RESULTS.md untouched)

Each `-DOCSTART-` document becomes one article: its sentences (the corpus's own lines) joined by blank
lines, so each is a paragraph, as a text file of wire copy reads (headline, dateline, body lines, tables).
The articles are ingested into a temporary store as a user's ingest would (language detection, NER, label
repair, linking and propagation, the corpus-level entity map: the split's documents are the corpus), and
every stored mention (raw_mentions joined with the entity map) is one predicted span with its entity_type:
person -> PER, org -> ORG, place -> LOC, group -> MISC. The monitor keeps no events, products, laws or
works (CoNLL's other MISC), so its MISC recall is low by design; MISC is reported but not a target.

Beside it, the same pipeline with monitor.ingest.label_repair switched off (that step's own effect), and
the raw model: the same spaCy model's entities on the same paragraphs, labels mapped PERSON -> PER,
ORG -> ORG, GPE/LOC/FAC -> LOC, NORP/EVENT/PRODUCT/WORK_OF_ART/LAW/LANGUAGE -> MISC.
Also counted: documents the language step would not analyse, on the split and on Reuters-21578.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.results import SHARED_DATA, reuters_jsonl, write_section

TYPES = ("PER", "ORG", "LOC", "MISC")
MONITOR_TYPES = {"person": "PER", "org": "ORG", "place": "LOC", "group": "MISC"}
SPACY_TYPES = {"PERSON": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC", "NORP": "MISC",
               "EVENT": "MISC", "PRODUCT": "MISC", "WORK_OF_ART": "MISC", "LAW": "MISC", "LANGUAGE": "MISC"}
Span = tuple[int, int, int, str]  # document index, start, end (characters in the document's text), type


@dataclass
class Document:
    """One CoNLL document: its sentences' tokens and IOB2 tags."""

    sentences: list[list[tuple[str, str]]]

    @property
    def paragraphs(self) -> list[str]:
        """Return each sentence's tokens joined by single spaces."""
        return [" ".join(token for token, _ in sentence) for sentence in self.sentences]

    @property
    def text(self) -> str:
        """Return the article text: the sentences as paragraphs."""
        return "\n\n".join(self.paragraphs)

    def gold(self, index: int) -> list[Span]:
        """Return the gold entity spans (IOB2) with character offsets in `text`."""
        spans: list[Span] = []
        offset = 0
        for sentence in self.sentences:
            position, open_span = offset, None
            for token, tag in sentence:
                if open_span and not (tag.startswith("I-") and tag[2:] == open_span[1]):
                    spans.append((index, open_span[0], position - 1, open_span[1]))
                    open_span = None
                if tag.startswith("B-") or (tag.startswith("I-") and open_span is None):
                    open_span = (position, tag[2:])
                position += len(token) + 1
            if open_span:
                spans.append((index, open_span[0], position - 1, open_span[1]))
            offset = position + 1  # the blank line: position already counts one separator
        return spans


def read_conll(path: Path) -> list[Document]:
    """Return the documents of a CoNLL-2003 file (columns token POS chunk NER)."""
    docs: list[Document] = []
    sentence: list[tuple[str, str]] = []
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        parts = line.split()
        if not parts or parts[0] == "-DOCSTART-":
            if sentence and docs:
                docs[-1].sentences.append(sentence)
            sentence = []
            if parts:
                docs.append(Document([]))
            continue
        sentence.append((parts[0], parts[-1]))
    return [d for d in docs if d.sentences]


def monitor_spans(docs: Sequence[Document], workdir: Path) -> tuple[list[Span], dict[str, int]]:
    """Return the spans the monitor stores for the documents, and the articles not analysed by language."""
    from monitor.ingest.pipeline import ingest
    from monitor.ingest.watchlist import Watchlist
    from monitor.store import Store

    workdir.mkdir(parents=True, exist_ok=True)
    source = workdir / "conll.jsonl"
    source.write_text("".join(json.dumps({"text": d.text, "source": "conll"}) + "\n" for d in docs))
    store = Store(workdir / "conll.duckdb")
    report = ingest(store, [source], watchlist=Watchlist())
    rows = store.query(
        "SELECT a.text AS article, s.sentence_id, s.text AS sentence, r.start_char, r.end_char, r.surface, "
        "m.entity_type FROM articles a JOIN sentences s USING (article_id) "
        "LEFT JOIN raw_mentions r USING (article_id, sentence_id) LEFT JOIN entity_map m USING (name) "
        "ORDER BY a.article_id, s.sentence_id, r.start_char")
    index_of: dict[str, list[int]] = {}
    for i, d in enumerate(docs):
        index_of.setdefault(d.text.strip(), []).append(i)  # duplicate documents are stored once
    spans: list[Span] = []
    for article, group in rows.groupby("article", sort=False):
        located = _locate(str(article), group)
        spans += [(i, *span) for i in index_of.get(str(article).strip(), []) for span in located]
    return spans, dict(report.other_languages())


def _locate(article: str, group) -> list[tuple[int, int, str]]:
    """Return (start, end, CoNLL type) in the article's text of the stored mentions of one article.

    Sentences are found in order in the text; a mention's span is narrowed to its surface (the
    name cleaned of a leading "the", a title or a possessive, as stored), keeping a final period.
    """
    out: list[tuple[int, int, str]] = []
    cursor, last_sid, base = 0, None, 0
    for row in group.itertuples(index=False):
        if row.sentence_id != last_sid:
            found = article.find(row.sentence, cursor)
            base = found if found >= 0 else cursor
            cursor, last_sid = base + len(row.sentence), row.sentence_id
        if pd.isna(row.entity_type) or pd.isna(row.start_char):  # a sentence without mentions
            continue
        start, end = base + int(row.start_char), base + int(row.end_char)
        inner = article.find(str(row.surface), start, end)
        if inner >= 0:
            # the surface drops an abbreviation's last period ("U.S." -> "U.S"), which is part of the name
            tail = inner + len(str(row.surface))
            start, end = inner, end if article[tail:end] == "." else tail
        out.append((start, end, MONITOR_TYPES.get(str(row.entity_type), "MISC")))
    return out


def without_label_repair(docs: Sequence[Document], workdir: Path) -> list[Span]:
    """Return the monitor's spans with monitor.ingest.label_repair switched off (the step's own effect)."""
    from monitor.ingest import label_repair

    kept = label_repair.repair
    label_repair.repair = list  # type: ignore[assignment]  # the sentences as the model left them
    try:
        return monitor_spans(docs, workdir)[0]
    finally:
        label_repair.repair = kept


def model_spans(docs: Sequence[Document]) -> list[Span]:
    """Return the raw model's entity spans (all its labels, mapped) on the documents' paragraphs."""
    from monitor.ingest.nlp import load_model

    nlp = load_model()
    pieces = [(p, (i, offset)) for i, d in enumerate(docs) for p, offset in _paragraph_offsets(d.paragraphs)]
    spans: list[Span] = []
    for doc, (i, offset) in nlp.pipe(pieces, as_tuples=True, batch_size=64):
        spans += [(i, offset + e.start_char, offset + e.end_char, SPACY_TYPES[e.label_])
                  for e in doc.ents if e.label_ in SPACY_TYPES]
    return spans


def _paragraph_offsets(paragraphs: Sequence[str]) -> Iterable[tuple[str, int]]:
    offset = 0
    for p in paragraphs:
        yield p, offset
        offset += len(p) + 2


def score(gold: Iterable[Span], predicted: Iterable[Span]) -> dict[str, tuple[float, float, float, int]]:
    """Return per type (and "all") exact-span precision, recall, F1 and the gold count."""
    gold_set, pred_set = set(gold), set(predicted)
    out: dict[str, tuple[float, float, float, int]] = {}
    for kind in (*TYPES, "all"):
        g = {s for s in gold_set if kind in ("all", s[3])}
        p = {s for s in pred_set if kind in ("all", s[3])}
        hit = len(g & p)
        precision = hit / len(p) if p else 0.0
        recall = hit / len(g) if g else 0.0
        f1 = 2 * precision * recall / (precision + recall) if hit else 0.0
        out[kind] = (precision, recall, f1, len(g))
    return out


def not_analysed(texts: Iterable[str]) -> Counter:
    """Return, by language code, the texts the language step would not analyse."""
    from monitor.ingest import language

    codes = (language.detect(t) for t in texts)
    return Counter(c for c in codes if not language.is_analysed(c))


def reuters_not_analysed(workdir: Path) -> tuple[int, Counter]:
    """Return the number of Reuters-21578 articles and, by language, those not analysed (title + body)."""
    from monitor.ingest.batch import analysed_text
    from monitor.ingest.sources import RawArticle

    path = reuters_jsonl(workdir / "reuters.jsonl")
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    texts = [analysed_text(RawArticle(r["text"] or "", r["title"], None, "missing", None, None, "")) for r in rows]
    return len(rows), not_analysed(texts)


def _count(codes: Counter, total: int) -> str:
    """Return "3 of 216 (pt 2, pcm 1)", or "0 of 216"."""
    by_code = ", ".join(f"{code} {n}" for code, n in codes.most_common())
    return f"{sum(codes.values())} of {total}" + (f" ({by_code})" if by_code else "")


def table(scores: dict[str, dict[str, tuple[float, float, float, int]]]) -> str:
    """Return a Markdown table: one row per type, P/R/F1 of each system."""
    names = list(scores)
    head = "| type | gold | " + " | ".join(f"{n} P | {n} R | {n} F1" for n in names) + " |"
    lines = [head, "|" + "---|" * (2 + 3 * len(names))]
    for kind in (*TYPES, "all"):
        cells = [f"{v:.3f}" for n in names for v in scores[n][kind][:3]]
        lines.append(f"| {kind} | {scores[names[0]][kind][3]} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", default="valid", choices=("valid", "train"))
    parser.add_argument("--no-reuters", action="store_true", help="skip the Reuters language count")
    args = parser.parse_args(argv)
    path = SHARED_DATA / "conll2003" / f"{args.split}.txt"
    if not path.exists():
        sys.exit(f"skipped: {path} not found; put ../shared beside the project to run this benchmark")
    docs = read_conll(path)
    gold = [s for i, d in enumerate(docs) for s in d.gold(i)]
    with tempfile.TemporaryDirectory(prefix="conll-") as tmp:
        predicted, dropped = monitor_spans(docs, Path(tmp) / "monitor")
        scores = {"monitor": score(gold, predicted),
                  "without label_repair": score(gold, without_label_repair(docs, Path(tmp) / "ablation")),
                  "raw model": score(gold, model_spans(docs))}
        other = not_analysed(d.text for d in docs)
        reuters = None if args.no_reuters else reuters_not_analysed(Path(tmp))
    command = "python bench/conll.py" + (f" --split {args.split}" if args.split != "valid" else "")
    body = (f"### CoNLL-2003 `{args.split}`: exact-span NER, the monitor's pipeline vs the raw model\n\n"
            f"{len(docs)} documents, {len(gold)} gold entities.\n\n{table(scores)}\n\n"
            f"Documents not analysed by language: CoNLL {args.split} {_count(other, len(docs))} "
            f"(ingest report: {dropped or 'none'})")
    if reuters:
        body += f"; Reuters-21578 {_count(reuters[1], reuters[0])}"
    body += f".\n\nCommand: `{command}`"
    print(body)
    if args.split == "valid":
        print(f"wrote {write_section('conll', body)}")


if __name__ == "__main__":
    main()
