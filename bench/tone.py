"""Tone toward each named person on NewsMTSC's dev splits, against two baselines, written to bench/RESULTS.md.

    python bench/tone.py [--data ../shared/data/newsmtsc] [--articles 300] [--no-write]

For dev_rw (the real-world distribution), its sentences with two or more targets, and dev_mt (every
sentence has two or more), prints macro-F1 (over negative, neutral, positive) and accuracy of:
  all-neutral        every target "neutral"
  VADER ±0.05        the sentence's VADER compound for every target, VADER's own band
  VADER tuned band   the same with the band that maximises macro-F1 on train.jsonl (chosen on train, not dev)
  targeted, no multi  the shipped model without its multi-target neutral offset (`multi_neutral_offset`
                     in bench/train_tone.py): the model as shipped before that offset, weight for weight
  targeted tone      monitor.ingest.tone with the shipped tone_model.json
Then the cost: median µs per sentence of the targeted step (with and without the sentence's VADER call,
which the ingest already makes) beside spaCy's senter+ner (the ingest's NER) on the same sentences, and
on the ingest's own input (Reuters-21578 through its readers and `nlp.analyse`) as a share of its NLP.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.results import SHARED_DATA, write_section
from bench.train_tone import read_split
from monitor.ingest import tone

DATA = SHARED_DATA / "newsmtsc"
Rows = list[tuple[str, list[tuple[int, int]], list[str]]]
BANDS = [i / 100 for i in range(0, 80)]


def macro_f1(gold: Sequence[str], pred: Sequence[str]) -> float:
    """Return the mean over the three classes of F1 (a class never predicted nor gold scores 0)."""
    scores = []
    for c in tone.CLASSES:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == c and p == c)
        fp = sum(1 for g, p in zip(gold, pred, strict=True) if g != c and p == c)
        fn = sum(1 for g, p in zip(gold, pred, strict=True) if g == c and p != c)
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(scores) / len(scores)


def accuracy(gold: Sequence[str], pred: Sequence[str]) -> float:
    """Return the share of targets whose label is right."""
    return sum(1 for g, p in zip(gold, pred, strict=True) if g == p) / len(gold)


def banded(compound: float, band: float) -> str:
    """Return the label of a compound under a symmetric neutral band (positive at >= band)."""
    return "positive" if compound >= band else "negative" if compound <= -band else "neutral"


def predict(rows: Rows, method: str, band: float = 0.05) -> tuple[list[str], list[str]]:
    """Return (gold, predicted) labels for every target of `rows` under one method."""
    gold, pred = [], []
    for text, spans, labels in rows:
        gold += labels
        if method == "neutral":
            pred += ["neutral"] * len(spans)
        elif method == "vader":
            pred += [banded(tone.sentence_tone(text), band)] * len(spans)
        else:
            model = without_multi_offset(tone.load_model()) if method == "no-multi" else None
            pred += [tone.label(t) for t in tone.mention_tones(text, spans, model).mentions]
    return gold, pred


def without_multi_offset(model: tone.Model) -> tone.Model:
    """Return the model with the multi-target neutral offset taken back out of n:others1/2's weights."""
    offset = model.meta["settings"]["multi_neutral_offset"]
    weights = dict(model.weights)
    for name in ("n:others1", "n:others2"):
        neg, neu, pos = weights[name]
        weights[name] = (neg, neu - offset, pos)
    return tone.Model(model.bias, weights, model.meta)


def tuned_band(train: Rows) -> float:
    """Return the neutral band for the sentence compound that maximises macro-F1 on train."""
    gold = [g for _, _, labels in train for g in labels]
    compounds = [tone.sentence_tone(text) for text, spans, _ in train for _ in spans]
    return max(BANDS, key=lambda b: macro_f1(gold, [banded(c, b) for c in compounds]))


def scores(splits: dict[str, Rows], band: float) -> list[tuple[str, str, float, float, int]]:
    """Return (split, method, macro-F1, accuracy, targets) for every split and method."""
    methods = [("all-neutral", "neutral", 0.05), ("sentence VADER ±0.05", "vader", 0.05),
               (f"sentence VADER, band ±{band:.2f} tuned on train", "vader", band),
               ("targeted tone without the multi-target neutral offset (the previous model)", "no-multi", 0.05),
               ("**targeted tone**", "targeted", 0.05)]
    out = []
    for split, rows in splits.items():
        for name, method, b in methods:
            gold, pred = predict(rows, method, b)
            out.append((split, name, macro_f1(gold, pred), accuracy(gold, pred), len(gold)))
    return out


def median_us(rows: Rows, step: Callable[[str, list[tuple[int, int]]], object], repeat: int = 3) -> float:
    """Return the median over sentences of the best-of-`repeat` CPU time of `step` on one sentence, in µs.

    CPU time of this process, not wall time: the machine is shared, and waiting for a core is not a cost
    of the step."""
    times = []
    for text, spans, _ in rows:
        best = float("inf")
        for _ in range(repeat):
            start = time.process_time()
            step(text, spans)
            best = min(best, time.process_time() - start)
        times.append(best * 1e6)
    return statistics.median(times)


def ner_us(rows: Rows) -> tuple[float, float]:
    """Return (median µs per sentence one at a time, mean µs per sentence through nlp.pipe) of spaCy
    with the ingest's components only (senter, ner)."""
    from monitor.ingest.nlp import load_model

    nlp = load_model()
    texts = [text for text, _, _ in rows]
    nlp(texts[0])  # warm up
    one = median_us(rows, lambda text, _: nlp(text))
    start = time.process_time()
    for _ in nlp.pipe(texts, batch_size=32):
        pass
    return one, (time.process_time() - start) / len(texts) * 1e6


def cost_lines(rows: Rows) -> list[str]:
    """Return the Markdown lines of what the targeted step costs per sentence beside the NER."""
    model = tone.load_model()
    tone.mention_tones(*rows[0][:2])  # load VADER and the model before timing
    full = median_us(rows, lambda text, spans: tone.mention_tones(text, spans, model))
    vader = median_us(rows, lambda text, _: tone.sentence_tone(text))
    ner_one, ner_pipe = ner_us(rows)
    mentions = statistics.mean(len(spans) for _, spans, _ in rows)
    return ["", f"Cost per sentence on the {len(rows)} dev sentences ({mentions:.1f} targets each on average; "
            "CPU time of one process, median over sentences of the best of 3 runs):", "",
            "| step | µs per sentence |", "|---|---:|",
            f"| targeted tone, all mentions, with the sentence's VADER compound | {full:,.0f} |",
            f"| of which the sentence's VADER compound (the ingest computes it today) | {vader:,.0f} |",
            f"| **added by the targeted step** | **{full - vader:,.0f}** |",
            f"| spaCy senter+ner (the ingest's NER), one sentence per call, median | {ner_one:,.0f} |",
            f"| spaCy senter+ner through nlp.pipe (batch 32), mean | {ner_pipe:,.0f} |"]


def ingest_cost_lines(articles: int) -> list[str]:
    """Return the Markdown lines of the targeted step's cost on the ingest's own input: the first
    `articles` Reuters-21578 articles with a body, read by the ingest's readers, analysed by its NLP
    (`nlp.analyse`: senter, ner and the sentence's VADER), then the tone toward every entity span."""
    import tempfile

    from bench.ingest import texts_of
    from bench.results import reuters_jsonl
    from monitor.ingest import nlp

    path = reuters_jsonl(Path(tempfile.mkdtemp(prefix="bench-tone-")) / "reuters.jsonl", limit=articles,
                         body_only=True)
    texts = texts_of(str(path))
    list(nlp.analyse(texts[:5]))  # load spaCy and VADER before timing
    start = time.process_time()
    analysed = [s for sentences in nlp.analyse(texts) for s in sentences]
    ner = time.process_time() - start
    named = [(s.text, [(e.start, e.end) for e in s.entities]) for s in analysed if s.entities]
    model = tone.load_model()
    start = time.process_time()
    for text, spans in named:  # the compound is there already: time the targeted part alone
        for feats in tone.features_of(text, spans, 0.0):
            tone.score(tone.probabilities(model, feats))
    added = time.process_time() - start
    n_spans, today = sum(len(sp) for _, sp in named), ceiling_ratio()
    return ["", f"On the ingest's input ({len(texts)} Reuters-21578 articles, {len(analysed):,} sentences, "
            f"{len(named):,} with entities, {n_spans:,} entity spans; CPU time of one process):", "",
            "| step | CPU s | µs per sentence |", "|---|---:|---:|",
            f"| `nlp.analyse` (senter, ner, sentence VADER: the ingest's NLP today) | {ner:.1f} | "
            f"{ner / len(analysed) * 1e6:,.0f} |",
            f"| targeted tone for every entity span (added) | {added:.1f} | {added / len(analysed) * 1e6:,.0f} |",
            "", f"The targeted step adds **{added / ner:.1%}** to the NLP's CPU time: an ingest at "
            f"{today:.2f}× the NER ceiling (bench/ingest.py's last run in this file) would be at about "
            f"{today / (1 + added / ner):.2f}× (an estimate: the NLP is most but not all of the ingest's time)."]


def ceiling_ratio() -> float:
    """Return the last "ingest (1 worker) vs NER ceiling" ratio bench/ingest.py wrote (nan without one)."""
    import re

    from bench.results import RESULTS

    found = re.search(r"ingest \(1 worker\) vs NER ceiling \| ([0-9.]+)×", RESULTS.read_text(encoding="utf-8"))
    return float(found.group(1)) if found else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone")
    parser.add_argument("--articles", type=int, default=300, help="Reuters articles for the ingest-side cost")
    args = parser.parse_args()
    if not (args.data / "dev_rw.jsonl").exists():
        sys.exit(f"skipped: NewsMTSC not found under {args.data}; put ../shared/data beside the project")
    dev_rw, dev_mt = read_split(args.data / "dev_rw.jsonl"), read_split(args.data / "dev_mt.jsonl")
    splits = {"dev_rw": dev_rw, "dev_rw, ≥2 targets": [r for r in dev_rw if len(r[1]) >= 2], "dev_mt": dev_mt}
    band = tuned_band(read_split(args.data / "train.jsonl"))
    meta = tone.load_model().meta
    lines = ["## Tone toward each person (NewsMTSC dev)", "", "`python bench/tone.py`", "",
             f"Model: `monitor/ingest/tone_model.json`, trained by `python bench/train_tone.py` on train.jsonl "
             f"(sha256 `{meta['train_sha256'][:16]}…`, {meta['targets']} targets; settings {meta['settings']}).",
             "", "| split | method | macro-F1 | accuracy | targets |", "|---|---|---:|---:|---:|"]
    lines += [f"| {s} | {m} | {f1:.3f} | {acc:.3f} | {n} |" for s, m, f1, acc, n in scores(splits, band)]
    lines += cost_lines(dev_rw + dev_mt)
    lines += ingest_cost_lines(args.articles)
    print("\n".join(lines))
    if not args.no_write:
        print(f"\nwrote {write_section('tone', chr(10).join(lines))}")


if __name__ == "__main__":
    main()
