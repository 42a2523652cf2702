"""Tone toward each named mention (monitor/ingest/tone.py), its artefact and its training script.

Behaviour on our own fictional sentences; accuracy floors on NewsMTSC's dev splits (skipped without
../shared/data); the artefact's recorded hash against the data; a re-run of the training giving the
same bytes; hostile sentences and spans from hypothesis strategies.
"""
from __future__ import annotations

import hashlib
import itertools
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.ingest import tone
from tests.conftest import ROOT, shared_data

MARTA, TOMAS = "Marta Kowalczyk", "Tomas Brandt"


def spans_of(text: str, *names: str) -> list[tuple[int, int]]:
    """Return the character span of the first occurrence of each name in `text`."""
    return [(text.index(n), text.index(n) + len(n)) for n in names]


def tones_of(text: str, *names: str) -> tuple[float, ...]:
    """Return the tone toward each named person in `text`."""
    return tone.mention_tones(text, spans_of(text, *names)).mentions


# -- the named failure: every name got the sentence's score ------------------------------------------

def test_praise_and_attack_in_one_sentence_give_each_person_their_own_tone() -> None:
    text = f"{MARTA} praised the plan while {TOMAS} attacked it."
    marta, tomas = tones_of(text, MARTA, TOMAS)
    assert tone.label(marta) == "positive", marta
    assert tone.label(tomas) == "negative", tomas
    # the sentence's compound is still there, and alone it gives both the same label (the old behaviour)
    assert tone.mention_tones(text, spans_of(text, MARTA, TOMAS)).sentence == pytest.approx(tone.sentence_tone(text))


def test_the_same_sentence_reversed_reverses_the_order_of_the_tones() -> None:
    marta, tomas = tones_of(f"{MARTA} attacked the plan while {TOMAS} praised it.", MARTA, TOMAS)
    assert tone.label(marta) == "negative", marta
    assert tomas > marta, (marta, tomas)


def test_negation_turns_the_tone_toward_the_person() -> None:
    honest = tones_of(f"Auditors found that {MARTA} was honest and competent.", MARTA)[0]
    not_honest = tones_of(f"Auditors found that {MARTA} was not honest and not competent.", MARTA)[0]
    assert tone.label(honest) == "positive", honest
    assert tone.label(not_honest) == "negative", not_honest


def test_negation_of_one_person_s_quality_leaves_the_other_s_alone() -> None:
    # the sentence's compound gives both the same label: only one of them is "not honest"
    marta, tomas = tones_of(f"{MARTA} was honest, but {TOMAS} was not honest.", MARTA, TOMAS)
    assert tone.label(marta) == "positive", marta
    assert tone.label(tomas) == "negative", tomas


def test_a_quote_said_by_a_person_is_not_said_about_them() -> None:
    by = tones_of(f"\u201cThe harbour plan is a terrible, shameful disaster,\u201d {MARTA} said.", MARTA)[0]
    about = tones_of(f"\u201c{MARTA} is a terrible, shameful disaster,\u201d {TOMAS} said.", MARTA)[0]
    assert tone.label(about) == "negative", about
    assert by > about, (by, about)
    assert tone.label(by) != "negative", by


def test_a_sentence_without_mentions_still_has_its_sentence_tone() -> None:
    result = tone.mention_tones("The harbour reopened to great applause.", [])
    assert result.mentions == ()
    assert result.sentence > 0.05


def test_tones_streams_many_sentences_with_one_model() -> None:
    items = [(f"{MARTA} praised the plan while {TOMAS} attacked it.", spans_of(
        f"{MARTA} praised the plan while {TOMAS} attacked it.", MARTA, TOMAS)), ("No names here.", [])]
    out = list(tone.tones(items))
    assert [len(o.mentions) for o in out] == [2, 0]
    assert out[0] == tone.mention_tones(*items[0])


# -- bad input: a clear error naming the input -------------------------------------------------------

@pytest.mark.parametrize("span", [(5, 3), (0, 0), (-1, 4), (0, 999), ("a", 2), (1,), None, (0.5, 4), (0, 4, 9)])
def test_a_span_outside_the_sentence_is_refused_with_its_reason(span: object) -> None:
    with pytest.raises(ValueError, match=r"mention span .* (not a non-empty range|not a \(start, end\))"):
        tone.mention_tones("Marta spoke.", [span])  # type: ignore[list-item]


def test_a_sentence_that_is_not_text_is_refused() -> None:
    with pytest.raises(TypeError, match="sentence must be a str, not bytes"):
        tone.mention_tones(b"Marta spoke.", [(0, 5)])  # type: ignore[arg-type]


@pytest.mark.parametrize("content, reason", [
    (None, "cannot be read"),
    ("{not json", "cannot be read"),
    ('{"format": 99, "classes": ["negative", "neutral", "positive"]}', "format 99"),
    ('{"format": 1, "classes": ["negative", "neutral", "positive"], "bias": [0, 0, 0], '
     '"weights": {"s:good": [0, NaN, 1]}}', "non-finite"),
    ('{"format": 1, "classes": ["negative", "neutral", "positive"], "bias": [0, 0]}', "malformed"),
])
def test_a_broken_model_file_is_named_with_the_reason(tmp_path: Path, content: str | None, reason: str) -> None:
    path = tmp_path / "tone_model.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(tone.ToneModelError, match=f"tone model {path}.*{reason}"):
        tone.load_model(path)


# -- the artefact: small, applied without scikit-learn, built from the data it names ------------------

def test_the_artefact_is_small_and_applied_without_scikit_learn() -> None:
    assert tone.MODEL_FILE.stat().st_size < 400_000
    code = ("import sys; sys.modules['sklearn'] = None\n"
            "from monitor.ingest import tone\n"
            f"r = tone.mention_tones('{MARTA} praised the plan.', [(0, {len(MARTA)})])\n"
            "assert 'sklearn' not in [m for m in sys.modules if sys.modules[m] is not None]\n"
            "print(tone.label(r.mentions[0]))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "positive"


@pytest.mark.slow
def test_the_artefact_records_the_hash_of_the_training_data() -> None:
    train = shared_data("newsmtsc", "train.jsonl")
    meta = tone.load_model().meta
    assert meta["train_sha256"] == hashlib.sha256(train.read_bytes()).hexdigest()
    assert meta["settings"]["seed"] == 13 and meta["classes"] == list(tone.CLASSES)


def train(out: Path, limit: int) -> bytes:
    """Run the training script on the first `limit` sentences of train.jsonl; return the artefact's bytes."""
    cmd = [sys.executable, str(ROOT / "bench" / "train_tone.py"), "--out", str(out), "--limit", str(limit)]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return out.read_bytes()


@pytest.mark.slow
def test_training_is_reproducible(tmp_path: Path) -> None:
    shared_data("newsmtsc", "train.jsonl")
    first, again = train(tmp_path / "a.json", 400), train(tmp_path / "b.json", 400)
    assert first == again
    # and the check can fail: other data give other weights
    assert train(tmp_path / "c.json", 300) != first
    assert json.loads(first)["sentences"] == 400


# -- variant generators: hostile sentences and spans --------------------------------------------------

WORDS = ["praised", "attacked", "not", "never", "honest", "corrupt", "the", "plan", "said", "while", "but",
         ",", ";", "\u201c", "\u201d", '"', "(", ")", "\u2014", "n't", "great", "disaster", "'s", "!", "?",
         "\u00e9t\u00e9", "\u0416", "\U0001f600", "\u200b", "\t", "42", "3.5", "-", "..."]


@st.composite
def sentences(draw: st.DrawFn) -> tuple[str, list[tuple[int, int]]]:
    """A sentence of words, punctuation, quotes, odd characters and fictional names, with valid spans of
    its names (sometimes also spans over spaces, inside words, or overlapping each other)."""
    pieces = draw(st.lists(st.one_of(st.sampled_from(WORDS), st.sampled_from([MARTA, TOMAS, "Ana"]),
                                     st.text(max_size=6)), max_size=30))
    text = " ".join(pieces)
    names = [i for i, p in enumerate(pieces) if p in (MARTA, TOMAS, "Ana")]
    spans, at = [], 0
    for i, piece in enumerate(pieces):
        if i in names:
            spans.append((at, at + len(piece)))
        at += len(piece) + 1
    extra = draw(st.lists(st.tuples(st.integers(0, max(len(text) - 1, 0)), st.integers(1, 8)), max_size=3))
    spans += [(s, min(s + n, len(text))) for s, n in extra if s < len(text)]
    return text, spans


@settings(max_examples=50, deadline=None)
@given(sentences())
def test_any_sentence_gives_one_bounded_tone_per_span_whatever_the_order(case: tuple[str, list]) -> None:
    text, spans = case
    result = tone.mention_tones(text, spans)
    assert len(result.mentions) == len(spans)
    assert all(-1.0 <= t <= 1.0 and math.isfinite(t) for t in result.mentions), result
    assert -1.0 <= result.sentence <= 1.0
    # the order of the names' spans changes only the order of the answers (the extra spans may share a
    # token, which then goes to the first of them)
    names = list(dict.fromkeys(sp for sp in spans if text[sp[0]:sp[1]] in (MARTA, TOMAS, "Ana")))
    forward = tone.mention_tones(text, names).mentions
    assert tone.mention_tones(text, names[::-1]).mentions == pytest.approx(forward[::-1])


@settings(max_examples=50, deadline=None)
@given(st.text(max_size=40), st.tuples(st.integers(-50, 100), st.integers(-50, 100)))
def test_a_span_is_either_inside_the_text_or_refused(text: str, span: tuple[int, int]) -> None:
    start, end = span
    if 0 <= start < end <= len(text):
        assert len(tone.mention_tones(text, [span]).mentions) == 1
    else:
        with pytest.raises(ValueError, match="mention span"):
            tone.mention_tones(text, [span])


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(0.0, 1.0), min_size=3, max_size=3).filter(lambda p: sum(p) > 0))
def test_the_score_s_label_is_the_most_probable_class(raw: list[float]) -> None:
    total = sum(raw)
    probs = (raw[0] / total, raw[1] / total, raw[2] / total)
    got = tone.label(tone.score(probs))
    best = max(probs)
    assert probs[tone.CLASSES.index(got)] == best, (probs, got)
    assert -1.0 <= tone.score(probs) <= 1.0


# -- generated contrast sentences: one praises, the other attacks, in every order and with every link ---

PAIRS = [("praised", "attacked"), ("welcomed", "condemned"), ("supported", "opposed"),
         ("applauded", "criticized"), ("defended", "denounced")]
LINKS = [" while ", " but ", "; meanwhile, ", ", whereas "]


def contrast_variants() -> list[tuple[str, float, float]]:
    """Return (sentence, tone toward the one who approves, tone toward the one who objects) for every
    verb pair, link word, order of the names and order of the verbs (80 sentences)."""
    out = []
    for (good, bad), link, first, good_first in itertools.product(PAIRS, LINKS, (MARTA, TOMAS), (True, False)):
        second = TOMAS if first == MARTA else MARTA
        verbs = (good, bad) if good_first else (bad, good)
        text = f"{first} {verbs[0]} the harbour plan{link}{second} {verbs[1]} it."
        one, two = tones_of(text, first, second)
        out.append((text, *((one, two) if good_first else (two, one))))
    return out


def test_generated_contrasts_rank_the_one_who_approves_above_the_one_who_objects() -> None:
    variants = contrast_variants()
    ranked = [text for text, approves, objects in variants if approves > objects]
    opposite = [text for text, approves, objects in variants
                if tone.label(approves) != "negative" and tone.label(objects) != "positive"]
    # the sentence's compound, given to both, ranks none of them (the old behaviour)
    assert len(ranked) >= 0.85 * len(variants), sorted(set(t for t, _, _ in variants) - set(ranked))
    # the one who approves is not labelled negative, nor the one who objects positive (the model before
    # the multi-target offset: 56 of 80; now 80, though in 52 of them one of the two is neutral)
    assert len(opposite) >= 0.9 * len(variants), len(opposite)


# -- a second name does not make a neutral sentence polar ----------------------------------------------
# train.jsonl's sentences with two or more targets are 21% neutral, NewsMTSC's multi-target split 49%:
# the model had learnt "two names, so praise or blame", and the trainer now corrects that prior.

NEUTRAL_TEMPLATES = ["{a} met {b} in {place} on {day}.",
                     "{a} and {b} will travel to {place} on {day}.",
                     "{a} spoke with {b} by phone on {day}, according to the schedule.",
                     "{a} sat next to {b} at the hearing in {place}.",
                     "{a} introduced {b} at the conference in {place} on {day}.",
                     "{a}, who chairs the committee, is expected to meet {b} in {place}."]
NAME_PAIRS = [(MARTA, TOMAS), ("Ines Halvorsen", "Dario Mestre"), ("Olek Varga", "Priya Natarajan")]


def neutral_variants() -> list[tuple[str, str, str]]:
    """Return (sentence, first name, second name) for every neutral template, name pair, place, day and
    order of the names (144 sentences)."""
    out = []
    for (x, y), template, place, day, flip in itertools.product(
            NAME_PAIRS, NEUTRAL_TEMPLATES, ("Brussels", "Ohio"), ("Tuesday", "Friday"), (False, True)):
        a, b = (y, x) if flip else (x, y)
        out.append((template.format(a=a, b=b, place=place, day=day), a, b))
    return out


def test_a_second_name_does_not_make_a_neutral_sentence_polar() -> None:
    variants = neutral_variants()
    alone = [tone.label(tones_of(text, a)[0]) for text, a, _ in variants]
    both = [tone.label(t) for text, a, b in variants for t in tones_of(text, a, b)]
    # each name alone is neutral: the sentences are; so a polar label below comes from the second name
    assert alone.count("neutral") >= 0.95 * len(alone), alone
    # the old model labelled 204 of 288 neutral (71%)
    assert both.count("neutral") >= 0.9 * len(both), sorted(set(both))


def test_the_multi_target_offset_moves_only_mentions_that_share_their_sentence() -> None:
    from bench.tone import without_multi_offset

    model = tone.load_model()
    assert model.meta["settings"]["multi_neutral_offset"] > 0
    unshifted = without_multi_offset(model)  # the weights the fit gave, before the prior was corrected
    one = f"{MARTA} attacked the harbour plan."
    two = f"{MARTA} attacked the harbour plan with {TOMAS}."
    assert tone.mention_tones(one, spans_of(one, MARTA), unshifted) == tone.mention_tones(one, spans_of(one, MARTA))
    feats = tone.features_of(two, spans_of(two, MARTA, TOMAS))
    for f in feats:
        assert tone.probabilities(model, f)[1] > tone.probabilities(unshifted, f)[1]


# -- accuracy floors on NewsMTSC dev (a few points under what the shipped model reaches) -------------

# shipped model (bench/RESULTS.md): dev_rw macro-F1 0.684, accuracy 0.700; its 44 targets in sentences
# with two or more 0.539, 0.568; dev_mt 0.633, 0.647 (the model before the multi-target offset: 0.690,
# 0.706; 0.557, 0.614; 0.577, 0.577)
FLOORS = {("dev_rw.jsonl", 1): (0.66, 0.68), ("dev_rw.jsonl", 2): (0.51, 0.53),
          ("dev_mt.jsonl", 2): (0.60, 0.61)}  # (split, least targets per sentence) -> (macro-F1, accuracy)


@pytest.mark.slow
@pytest.mark.parametrize("split, least", sorted(FLOORS))
def test_accuracy_on_newsmtsc_dev_stays_above_its_floor(split: str, least: int) -> None:
    from bench.tone import accuracy, macro_f1, predict
    from bench.train_tone import read_split

    rows = [row for row in read_split(shared_data("newsmtsc", split)) if len(row[1]) >= least]
    gold, pred = predict(rows, "targeted")
    _, vader = predict(rows, "vader")
    f1_floor, acc_floor = FLOORS[split, least]
    assert macro_f1(gold, pred) >= f1_floor, (split, macro_f1(gold, pred))
    assert accuracy(gold, pred) >= acc_floor, (split, accuracy(gold, pred))
    # and the sentence's score given to every name (the old behaviour) stays under the model
    assert macro_f1(gold, vader) < macro_f1(gold, pred), (split, macro_f1(gold, vader))
