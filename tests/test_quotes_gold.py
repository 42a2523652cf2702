"""Quotations and their speakers against the hand-annotated gold (tests/gold/quotes/, bench/quotes.py).

The fast tests check the scorer (overlap, one-to-one matching, doubtful quotations, speaker names) on fictional
spans, and that the gold files hold ids, offsets, names and labels, not text. The slow one runs the real ingest
step on the 33 gold records (../shared/data; skipped without it) and pins floors a few points under what the
monitor reached.
"""
from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bench.quotes import (
    FILES,
    OVERLAP,
    Found,
    Gold,
    GoldQuote,
    analysed,
    annotator_quotes,
    load_gold,
    overlap,
    restricted,
    same_person,
    score,
    system_quotes,
)
from tests.conftest import shared_data

# Reached 2026-12-01 07:00 UTC (bench/RESULTS.md, section quotes), both files together (both tuned on since the
# second round): detection F1 0.986 (0.983 without the doubtful quotations), speaker accuracy 0.917 (1.000
# without); on file b alone F1 0.981, speaker 0.898 (1.000 without the doubtful ones). Pinned a few points under.
F1_FLOOR = 0.95
SPEAKER_FLOOR = 0.88
F1_FLOOR_B = 0.94
SPEAKER_FLOOR_B = 0.85


def _gold(parts, speaker="Mara Velloso", doubtful=False, named=True) -> GoldQuote:
    return GoldQuote("courier.csv#1", tuple(parts), speaker, named, "same", False, doubtful)


def _found(start, end, speaker="Velloso") -> Found:
    return Found("courier.csv#1", start, end, "x" * (end - start), speaker, "same")


def test_the_scorer_on_a_fictional_article():
    gold = Gold({"courier.csv#1"}, [
        _gold([(0, 40)]),                               # found, right speaker
        _gold([(50, 70), (90, 120)], "Tomas Brandt"),   # a split quotation found whole, wrong speaker
        _gold([(200, 230)], doubtful=True),             # doubtful, found
        _gold([(300, 330)]),                            # missed
    ], [])
    found = [_found(2, 38), _found(50, 120, "Ines Okafor"), _found(200, 230), _found(400, 420)]
    with_doubtful, without = score(gold, found), score(gold, found, doubtful=False)
    assert (with_doubtful["tp"], with_doubtful["fp"], with_doubtful["fn"]) == (3, 1, 1)
    assert (without["tp"], without["fp"], without["fn"]) == (2, 1, 1)  # the doubtful one counts neither way
    assert with_doubtful["speaker_n"] == 3 and with_doubtful["speaker_right"] == 2
    assert without["speaker_n"] == 2 and without["speaker_right"] == 1


@given(st.integers(0, 500), st.integers(1, 300), st.integers(1, 300), st.integers(-400, 400))
def test_overlap_is_the_share_of_the_shorter_and_symmetric(start, length, other, shift):
    a, b = (start, start + length), (start + shift, start + shift + other)
    assert overlap(a, b) == overlap(b, a)
    assert 0.0 <= overlap(a, b) <= 1.0
    assert overlap(a, a) == 1.0


def test_a_second_annotator_is_scored_on_the_records_both_read():
    """The agreement row: a second reading of some records, scored against the first like a system, on those
    records only (the first annotator's other records count neither way)."""
    first = Gold({"courier.csv#1", "courier.csv#2"}, [_gold([(0, 40)]), _gold([(50, 90)], "Tomas Brandt"),
                                                      GoldQuote("courier.csv#2", ((0, 30),), "Ines Okafor", True,
                                                                "same", False, False)], [])
    second = Gold({"courier.csv#1"}, [_gold([(2, 40)], "Velloso"), _gold([(50, 90)], "Ines Okafor"),
                                      _gold([(95, 130)])], [])
    figures = score(restricted(first, second.records), annotator_quotes(second))
    assert (figures["tp"], figures["fp"], figures["fn"]) == (2, 1, 0)
    assert (figures["speaker_right"], figures["speaker_n"]) == (1, 2)


def test_one_found_quotation_matches_one_gold_quotation():
    gold = Gold({"courier.csv#1"}, [_gold([(0, 40)]), _gold([(42, 80)])], [])
    assert score(gold, [_found(0, 80)])["tp"] == 1  # covers both: counts once


@pytest.mark.parametrize(("gold", "found", "same"), [
    ("Andrew Cuomo", "Cuomo", True), ("Michael Ryan", "Ryan", True), ("Tania Linares García", "Linares Garcia", True),
    ("the World Health Organization", "World Health Organization", True), ("Martin Luther King Jr.", "King", True),
    ("Dana Holt", "Rik Osterman", False), ("Dana Holt", None, False), ("Ines Okafor", "a campaign spokesman", False),
])
def test_speaker_names_compare_by_surname_or_containment(gold, found, same):
    assert same_person(gold, found) is same


def test_the_gold_files_hold_offsets_and_names_not_text():
    for path in [*FILES.values(), *sorted(FILES["a"].parent.glob("heldout_*.jsonl")), OVERLAP]:
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            assert row["type"] in ("record", "quote", "not_quote")
            assert set(row) <= {"type", "record", "parts", "speaker", "speaker_named", "cue", "partial", "doubtful",
                                "start", "end", "kind", "note"}
            for start, end in row.get("parts", []):
                assert 0 <= start < end


def test_quotations_and_speakers_against_the_gold():
    shared_data("recovery_covid2020")
    shared_data("html", "fundus_us")
    golds = {key: load_gold(path) for key, path in FILES.items()}
    if not all(g.records for g in golds.values()):
        pytest.skip("the gold files are not both in tests/gold/quotes/ yet")
    from bench.quotes_sample import load_records

    records = load_records()
    found = system_quotes(records, analysed(records))
    both = Gold(golds["a"].records | golds["b"].records, golds["a"].quotes + golds["b"].quotes, [])
    together, held_out = score(both, found), score(golds["b"], found)
    assert together["f1"] >= F1_FLOOR, together
    assert together["speaker"] >= SPEAKER_FLOOR, together
    assert held_out["f1"] >= F1_FLOOR_B, held_out
    assert held_out["speaker"] >= SPEAKER_FLOOR_B, held_out


# The held-out draw (14 articles annotated after the tuning, tests/gold/quotes/heldout_*.jsonl), scored once at
# the end of the tuning: F1 0.931, speaker accuracy 0.854 (35/41). Pinned a few points under: a change that costs
# quotations or speakers on articles nobody tuned on fails here, not only on the tuned-on gold.
F1_FLOOR_HELDOUT = 0.88
SPEAKER_FLOOR_HELDOUT = 0.78


def test_quotations_and_speakers_against_the_held_out_gold():
    shared_data("recovery_covid2020")
    shared_data("html", "fundus_us")
    from bench.quotes import heldout_gold
    from bench.quotes_sample import HELDOUT, load_records

    gold = heldout_gold()
    if gold is None:
        pytest.skip("no tests/gold/quotes/heldout_*.jsonl")
    records = load_records(HELDOUT)
    scored = score(gold, system_quotes(records, analysed(records)))
    assert scored["f1"] >= F1_FLOOR_HELDOUT, scored
    assert scored["speaker"] >= SPEAKER_FLOOR_HELDOUT, scored
