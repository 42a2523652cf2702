"""Tone toward each named mention in a sentence, not the sentence's tone given to every name.

The features of each mention (VADER valences and words by scope: clause, nearest name, window; quotes
by and about; how many other names) are `monitor.ingest.tone_features`. A small
multinomial logistic model, trained on NewsMTSC by `bench/train_tone.py` and stored in
`tone_model.json` beside this file, weighs them. It runs with plain Python here: no scikit-learn, no
download, the artefact read once per process.

`mention_tones` gives a score in -1..1 per mention whose label (`tone_label`, the dashboard's
thresholds in `monitor.schema`) is the model's most probable class; `sentence_tone` is VADER's compound.
"""
from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from monitor.ingest.tone_features import check_spans, features_of, sentence_tone
from monitor.schema import NEGATIVE_AT, POSITIVE_AT, tone_label

__all__ = ["CLASSES", "FORMAT", "MODEL_FILE", "Model", "SentenceTones", "ToneModelError", "check_spans",
           "features_of", "label", "load_model", "mention_tones", "probabilities", "score", "sentence_tone",
           "tones"]

MODEL_FILE = Path(__file__).with_name("tone_model.json")
FORMAT = 1
CLASSES = ("negative", "neutral", "positive")


class ToneModelError(RuntimeError):
    """The tone model file is missing or unreadable; the message names the file and the reason."""


@dataclass(frozen=True)
class SentenceTones:
    """The sentence's VADER compound and the tone toward each mention, in the order of the spans given."""

    sentence: float
    mentions: tuple[float, ...]


@dataclass(frozen=True)
class Model:
    """The trained weights: one (negative, neutral, positive) triple per feature, and the intercepts."""

    bias: tuple[float, float, float]
    weights: dict[str, tuple[float, float, float]]
    meta: dict[str, Any]


@lru_cache(maxsize=4)
def load_model(path: Path = MODEL_FILE) -> Model:
    """Return the model stored at `path`, read once per process; raise ToneModelError naming the file
    and the reason when it is missing, not JSON, of another format or not three classes."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ToneModelError(f"tone model {path}: cannot be read ({exc}); run `python bench/train_tone.py`") from exc
    try:
        if data["format"] != FORMAT or tuple(data["classes"]) != CLASSES:
            raise ToneModelError(f"tone model {path}: format {data['format']!r} with classes {data['classes']!r}, "
                                 f"expected format {FORMAT} with {CLASSES}")
        bias = _triple(data["bias"])
        weights = {str(k): _triple(v) for k, v in data["weights"].items()}
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ToneModelError(f"tone model {path}: malformed ({exc!r})") from exc
    return Model(bias, weights, {k: v for k, v in data.items() if k not in ("bias", "weights")})


def _triple(values: Any) -> tuple[float, float, float]:
    """Return three finite floats; raise ValueError otherwise."""
    a, b, c = (float(x) for x in values)
    if not all(math.isfinite(x) for x in (a, b, c)):
        raise ValueError(f"non-finite weight in {values!r}")
    return a, b, c


def probabilities(model: Model, feats: dict[str, float]) -> tuple[float, float, float]:
    """Return P(negative), P(neutral), P(positive) for one mention's features (softmax of the logits)."""
    logits = list(model.bias)
    for name, value in feats.items():
        w = model.weights.get(name)
        if w is not None:
            logits[0] += value * w[0]
            logits[1] += value * w[1]
            logits[2] += value * w[2]
    top = max(logits)
    exps = [math.exp(x - top) for x in logits]
    total = sum(exps)
    return exps[0] / total, exps[1] / total, exps[2] / total


def score(probs: tuple[float, float, float]) -> float:
    """Return a tone in -1..1 whose label under the dashboard's thresholds is the most probable class.

    Within a class the score is P(positive) - P(negative), squeezed into the neutral band for a neutral
    mention and moved past the thresholds for a polar one, so the order of the scores is kept per class.
    """
    neg, neu, pos = probs
    spread = pos - neg
    if neu >= pos and neu >= neg:
        return spread * 0.98 * min(POSITIVE_AT, -NEGATIVE_AT)
    if pos > neg:
        return POSITIVE_AT + (1 - POSITIVE_AT) * spread
    return NEGATIVE_AT + (1 + NEGATIVE_AT) * spread


def mention_tones(text: str, spans: Sequence[tuple[int, int]], model: Model | None = None) -> SentenceTones:
    """Return the sentence's VADER compound and the tone toward each mention span (character offsets
    into `text`), in the order given. Raises ValueError naming a span that does not fit the text."""
    model = load_model() if model is None else model
    checked = check_spans(text, spans)
    compound = sentence_tone(text)
    feats = features_of(text, checked, compound)
    return SentenceTones(compound, tuple(score(probabilities(model, f)) for f in feats))


def tones(sentences: Iterable[tuple[str, Sequence[tuple[int, int]]]],
          model: Model | None = None) -> Iterator[SentenceTones]:
    """Yield `mention_tones` for each (text, spans) pair, loading the model once for all of them."""
    model = load_model() if model is None else model
    for text, spans in sentences:
        yield mention_tones(text, spans, model)


def label(tone: float) -> str:
    """Return the label (positive, neutral, negative) of a tone: the dashboard's, used for the F1 too."""
    return tone_label(tone)
