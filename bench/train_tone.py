"""Train the targeted-tone model on NewsMTSC's train split and write monitor/ingest/tone_model.json.

    python bench/train_tone.py [--data ../shared/data/newsmtsc] [--out monitor/ingest/tone_model.json]
                               [--limit N] [--cv]

The features are `monitor.ingest.tone.features_of` (the runtime's own code); the model is scikit-learn's
multinomial logistic regression (lbfgs, balanced class weights: the F1 that counts is macro), fitted on
every target of train.jsonl, those of sentences with two or more targets weighted up. Only features seen
in at least `min_count` targets are kept, and weights are rounded, so the artefact stays small and a
re-run writes the same bytes. The artefact records the SHA-256 of train.jsonl, these settings and the
versions used. `--cv` first prints 3-fold cross-validated macro-F1 on train (folds by sentence, fixed
seed) for the neutral offsets of GRID; SETTINGS says how they were chosen.

Why the criterion reweights classes: train's sentences with two or more targets are 21% neutral, the
multi-target split (dev_mt, and the hidden test of its distribution) 49%; its single-target sentences
39%, the real-world split 40%. Plain held-out macro-F1 on train's multi-target sentences (0.637 for the
old model) overstated dev_mt (0.577); reweighted to the dev splits' class shares (their label counts,
nothing else of dev) it said 0.586. So each held-out target is weighted by (class share in the dev
split of its kind) / (class share in train's held-out targets of that kind).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import platform
import sys
from collections import Counter
from importlib import metadata
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.results import ROOT, SHARED_DATA
from monitor.ingest import tone, tone_features

DATA = SHARED_DATA / "newsmtsc"
POLARITY = {2.0: "negative", 4.0: "neutral", 6.0: "positive"}  # the data README's scale
# Class shares (negative, neutral, positive) the criterion reweights held-out targets to: the label
# counts of dev_rw (single-target sentences stand for it) and dev_mt (multi-target ones), see the docstring.
PRIORS = {"single": (134, 136, 73), "multi": (136, 217, 89)}
# Chosen by 3-fold cross-validation on train (dev was not used to choose), the criterion being the mean
# of macro-F1 on all held-out targets and on those of sentences with two or more (the two dev splits):
#   C 0.02 / 0.03 / 0.05 / 0.1 / 0.2 (first stemmed features): 0.639 / 0.646 / 0.648 / 0.646 / 0.639 on all;
#   min_count 3 / 5 / 10 (first feature set): 0.632 / 0.622 / 0.614 on all;
#   with the mention-form features, (multi_weight, neutral_offset) -> (all, 2+): (1, 0) 0.654, 0.611;
#   (1, 0.2) 0.652, 0.624; (2, 0) 0.653, 0.620; (2, 0.2) 0.649, 0.627; (3, 0) 0.650, 0.621;
#   (3, 0.1) 0.650, 0.631; (3, 0.2) 0.646, 0.635 (mean 0.641); (3, 0.3) 0.638, 0.633; C 0.1 no better;
#   then adding the sentence's words and the clause's word pairs (features), at multi_weight 3 and
#   neutral_offset 0 / 0.1 / 0.2: 0.654, 0.639 (best mean, 0.646) / 0.649, 0.634 / 0.647, 0.639.
# Weights rounded to 3 decimals and only features with a weight of at least min_weight keep the file small:
#   min_weight 0.001 / 0.03 / 0.05: mean 0.6460 / 0.6455 / 0.6435, 750 / ~540 / 314 KB.
# Then with the class-reweighted criterion (docstring; single-target held-out mentions reweighted to
# dev_rw's class shares, multi-target ones to dev_mt's), (single, multi) macro-F1:
#   neutral_offset 0, multi_neutral_offset (added to the neutral weight of n:others1/2 after the fit, so
#   single-target mentions keep exactly their labels) 0 / .2 / .4 / .6 / .8 / 1: 0.636 and 0.586 / 0.604 /
#   0.615 / 0.629 / 0.630 (mean 0.633) / 0.628; neutral_offset 0.1: 0.636 (a tie) and at best 0.635 at
#   0.8 (mean 0.635, within fold noise of 0.633), so kept at 0: single-target labels stay the old model's;
#   without n:others features, or at multi_weight 1, 0.630 at best.
#   Features tried, in a scratch harness (same folds and reweighting, all targets for "single", no
#   pruning; mean at each one's best offsets): without 0.635; the valence of the stretch between a mention
#   and the nearest other one, and of the rest, 0.640 (here, `--cv`: 0.636); the word after the mention
#   (agent) and before it (patient), skipping auxiliaries, 0.634; own valence minus the other mentions'
#   0.635; all three 0.639. None clears fold noise (~0.005) and each refit moves single-target labels (13
#   of dev_rw's 299 for the stretch), so none is kept. A dependency parse (the verb governing each mention
#   and its role, the verb's subtree without the other mentions') gave 0.646, but the ingest does not run
#   spaCy's parser, which costs ~1,900 µs per sentence (the targeted step ~150): not used. C 0.03 / 0.05 /
#   0.1 x multi_weight 2 / 3 / 5 (with the stretch features) all 0.637-0.640: C 0.05 and 3 kept.
SETTINGS: dict[str, Any] = {"C": 0.05, "min_count": 3, "class_weight": "balanced", "max_iter": 3000,
                            "multi_weight": 3.0, "neutral_offset": 0.0, "multi_neutral_offset": 0.8,
                            "decimals": 3, "min_weight": 0.05, "seed": 13, "folds": 3}
GRID = [{"neutral_offset": a, "multi_neutral_offset": m} for a in (0.0, 0.1) for m in (0.0, 0.4, 0.6, 0.8, 1.0)]
MULTI_FEATURES = ("n:others1", "n:others2")  # present exactly when the mention's sentence has other mentions


def read_split(path: Path, limit: int | None = None) -> list[tuple[str, list[tuple[int, int]], list[str]]]:
    """Return (sentence, target spans, gold labels) for each line of a NewsMTSC split file."""
    rows = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            item = json.loads(line)
            targets = item["targets"]
            spans = [(int(t["from"]), int(t["to"])) for t in targets]
            rows.append((item["sentence_normalized"], spans, [POLARITY[float(t["polarity"])] for t in targets]))
            if limit is not None and len(rows) >= limit:
                break
    return rows


def examples(rows: list[tuple[str, list[tuple[int, int]], list[str]]]) -> tuple[list[dict], list[str], list[int]]:
    """Return one feature dict and gold label per target, and the sentence each came from (for folds)."""
    feats, gold, group = [], [], []
    for index, (text, spans, labels) in enumerate(rows):
        feats += tone_features.features_of(text, spans)
        gold += labels
        group += [index] * len(labels)
    return feats, gold, group


def multi_weights(group: list[int], settings: dict[str, Any]) -> list[float]:
    """Return each target's sample weight: `multi_weight` for targets of sentences with two or more, else 1.

    Those sentences are where the tone toward each name differs, and a tenth of train's sentences."""
    count = Counter(group)
    return [settings["multi_weight"] if count[g] > 1 else 1.0 for g in group]


def fit(feats: list[dict], gold: list[str], settings: dict[str, Any], weights: list[float]) -> dict[str, Any]:
    """Fit the model on `feats`/`gold` (targets weighted by `weights`); return its bias and weights,
    rounded, in the artefact's layout, with the neutral offsets added (`neutral_offset` to the neutral
    intercept, `multi_neutral_offset` to the neutral weight of MULTI_FEATURES) and only the features
    with a weight of at least `min_weight` for some class."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    seen = Counter(name for f in feats for name in f)
    kept = [{k: v for k, v in f.items() if seen[k] >= settings["min_count"]} for f in feats]
    vec = DictVectorizer(sort=True)
    x = vec.fit_transform(kept)
    clf = LogisticRegression(C=settings["C"], class_weight=settings["class_weight"],
                             max_iter=settings["max_iter"], random_state=settings["seed"])
    clf.fit(x, gold, sample_weight=weights)
    assert tuple(clf.classes_) == tone.CLASSES, clf.classes_
    d = settings["decimals"]
    bias = [float(b) for b in clf.intercept_]
    bias[1] += settings["neutral_offset"]
    coef = {str(name): [float(clf.coef_[c, j]) for c in range(3)] for j, name in enumerate(vec.get_feature_names_out())}
    for name in MULTI_FEATURES:
        coef.setdefault(name, [0.0, 0.0, 0.0])[1] += settings["multi_neutral_offset"]
    kept_weights = {}
    for name, values in sorted(coef.items()):
        w = [round(v, d) for v in values]
        if max(abs(v) for v in w) >= settings["min_weight"]:  # the rest moves few labels and half the bytes
            kept_weights[name] = w
    return {"bias": [round(b, d) for b in bias], "weights": kept_weights}


def predict(model: tone.Model, feats: list[dict]) -> list[str]:
    """Return the runtime's label for each feature dict."""
    return [tone.label(tone.score(tone.probabilities(model, f))) for f in feats]


def as_model(fitted: dict[str, Any]) -> tone.Model:
    """Return the runtime's Model for fitted weights (so evaluation goes through the runtime's code)."""
    return tone.Model(tuple(fitted["bias"]), {k: tuple(v) for k, v in fitted["weights"].items()}, {})  # type: ignore[arg-type]


def is_multi(feats: dict[str, float]) -> bool:
    """Return whether a mention has other mentions in its sentence (what the multi offset keys on)."""
    return any(name in feats for name in MULTI_FEATURES)


def reweighted_f1(gold: list[str], pred: list[str], prior: tuple[int, int, int]) -> float:
    """Return macro-F1 with each target weighted so the classes have the shares of `prior`."""
    from sklearn.metrics import f1_score

    have = Counter(gold)
    share = {c: p / sum(prior) for c, p in zip(tone.CLASSES, prior, strict=True)}
    weights = [share[g] / (have[g] / len(gold)) for g in gold]
    return float(f1_score(gold, pred, average="macro", labels=list(tone.CLASSES), sample_weight=weights))


def held_out(feats: list[dict], gold: list[str], group: list[int], settings: dict[str, Any],
             offsets: list[dict[str, float]]) -> list[tuple[float, float]]:
    """Return, for each point of `offsets` (neutral offsets over `settings`), the criterion's two parts:
    macro-F1 on held-out single-target mentions reweighted to dev_rw's class shares, on multi-target
    ones to dev_mt's (folds by sentence; a sentence's targets stay in one fold; one fit per fold)."""
    import random

    sentences = sorted(set(group))
    random.Random(settings["seed"]).shuffle(sentences)
    fold_of = {s: i % settings["folds"] for i, s in enumerate(sentences)}
    weights = multi_weights(group, settings)
    preds: list[dict[int, str]] = [{} for _ in offsets]
    for k in range(settings["folds"]):
        train = [i for i, g in enumerate(group) if fold_of[g] != k]
        test = [i for i, g in enumerate(group) if fold_of[g] == k]
        fitted = fit([feats[i] for i in train], [gold[i] for i in train], settings, [weights[i] for i in train])
        for point, pred in zip(offsets, preds, strict=True):
            labels = predict(as_model(_shift(fitted, settings, point)), [feats[i] for i in test])
            pred.update(zip(test, labels, strict=True))
    out = []
    for pred in preds:
        parts = []
        for kind in ("single", "multi"):
            idx = [i for i in range(len(gold)) if is_multi(feats[i]) == (kind == "multi")]
            parts.append(reweighted_f1([gold[i] for i in idx], [pred[i] for i in idx], PRIORS[kind]))
        out.append((parts[0], parts[1]))
    return out


def _shift(fitted: dict[str, Any], settings: dict[str, Any], point: dict[str, float]) -> dict[str, Any]:
    """Return fitted weights (fitted at `settings`' offsets) moved to the offsets of `point`: no refit."""
    bias = list(fitted["bias"])
    bias[1] += point["neutral_offset"] - settings["neutral_offset"]
    weights = dict(fitted["weights"])
    for name in MULTI_FEATURES:
        w = list(weights.get(name, [0.0, 0.0, 0.0]))
        w[1] += point["multi_neutral_offset"] - settings["multi_neutral_offset"]
        weights[name] = w
    return {"bias": bias, "weights": weights}


def sha256(path: Path) -> str:
    """Return the hex SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write(out: Path, fitted: dict[str, Any], train: Path, settings: dict[str, Any], n: tuple[int, int]) -> str:
    """Write the artefact (sorted keys, fixed layout) and return its SHA-256."""
    versions = {p: metadata.version(p) for p in ("scikit-learn", "numpy", "scipy", "vaderSentiment")}
    artefact = {"format": tone.FORMAT, "classes": list(tone.CLASSES), "train_sha256": sha256(train),
                "train_file": train.name, "sentences": n[0], "targets": n[1], "settings": settings,
                "trained_with": {**versions, "python": platform.python_version()},
                "command": "python bench/train_tone.py", **fitted}
    out.write_text(json.dumps(artefact, sort_keys=True, separators=(",", ":")) + "\n", encoding="utf-8")
    return sha256(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--out", type=Path, default=ROOT / "monitor" / "ingest" / "tone_model.json")
    parser.add_argument("--limit", type=int, help="train on the first N sentences only (tests)")
    parser.add_argument("--cv", action="store_true", help="print cross-validated macro-F1 for GRID first")
    args = parser.parse_args()
    train = args.data / "train.jsonl"
    if not train.exists():
        sys.exit(f"skipped: {train} not found; put ../shared/data beside the project to train the tone model")
    rows = read_split(train, args.limit)
    feats, gold, group = examples(rows)
    if args.cv:
        base = {**SETTINGS, "neutral_offset": 0.0, "multi_neutral_offset": 0.0}
        for point, (single, multi) in zip(GRID, held_out(feats, gold, group, base, GRID), strict=True):
            print(f"cv {point}: macro-F1 {single:.4f} single-target (dev_rw's class shares), {multi:.4f} "
                  f"multi-target (dev_mt's) (mean {(single + multi) / 2:.4f})", flush=True)
    fitted = fit(feats, gold, SETTINGS, multi_weights(group, SETTINGS))
    digest = write(args.out, fitted, train, SETTINGS, (len(rows), len(gold)))
    size = args.out.stat().st_size
    print(f"wrote {args.out} ({size / 1024:.0f} KB, {len(fitted['weights'])} features, sha256 {digest})")


if __name__ == "__main__":
    main()
