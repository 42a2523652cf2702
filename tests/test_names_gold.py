"""Person mentions and canonical names against the hand-checked gold (tests/gold/, bench/names.py).

The fast tests check the scorer, the offset alignment, the annotation format and the model cache on
fictional text, and the gold file's shape. The slow one ingests all of ReCOVery and the tagged Reuters
records (stores cached under /tmp/names_bench by code and data hash; the spaCy output by text, so after
a code change it re-runs in minutes, while the very first run takes the model's full time, ~15 min) and
pins floors a few points under what the monitor reached when they were set.
"""
import json
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.names import (
    GOLD,
    Found,
    Gold,
    anchored,
    load_gold,
    measure,
    remembered_nlp,
    right_name,
    same_person_name,
    score,
    to_record,
)
from bench.names_sample import Record, expand, parse_annotations
from monitor.ingest.sources import RawArticle
from tests.conftest import shared_data

# Reached 2026-11-30 23:40 UTC (bench/RESULTS.md, section names): precision 0.966, recall 0.939, canonical
# 0.982, Reuters people 0.985. Precision and canonical are pinned at the target of 0.95 (a point or
# three under what is reached); recall a few points under. Reuters people recall must stay at 0.98 or above.
PRECISION_FLOOR = 0.95
RECALL_FLOOR = 0.91
CANONICAL_FLOOR = 0.95
REUTERS_PEOPLE_FLOOR = 0.98


def _gold(start: int, end: int, canonical: str, doubtful: bool = False, field: str = "text") -> Gold:
    return Gold("courier.csv#1", field, start, end, "x" * (end - start), canonical, (), doubtful)


def _found(start: int, end: int, entity: str, field: str = "text") -> Found:
    return Found("courier.csv#1", field, start, end, "x" * (end - start), entity, "ner PERSON")


def test_scorer_on_a_fictional_article():
    gold = [_gold(0, 12, "Mara Velloso"), _gold(40, 47, "Mara Velloso"), _gold(60, 72, "Tomas Brandt", True),
            _gold(80, 86, "?Brandt"), _gold(90, 99, "Ines Okafor"), _gold(0, 7, "Ines Okafor", field="title")]
    found = [
        _found(0, 12, "Mara Velloso"),      # right
        _found(37, 47, "Velloso"),          # overlaps (title "Mayor" included), wrong canonical
        _found(60, 72, "Tomas Brandt"),     # only a doubtful mention: neither way
        _found(80, 86, "Tomas Brandt"),     # found; "?Brandt" is not in the canonical score
        _found(100, 111, "Northbridge"),    # false
        _found(0, 7, "Ines Okafor", field="title"),  # the title: right
    ]
    result = score(gold, found)
    assert (result.true, len(result.false)) == (4, 1) and result.precision == 0.8
    assert (result.found, result.gold) == (4, 5) and [g.start for g in result.missed] == [90]
    assert (result.right_name, result.named) == (2, 3)
    assert [(g.start, f.entity) for g, f in result.wrong_name] == [(40, "Velloso")]


@pytest.mark.parametrize("entity, canonical, aliases, same", [
    ("Mara Velloso", "Mara Velloso", (), True),
    ("MARA VELLOSO", "Mara Velloso", (), True),
    ("Mara J. Velloso", "Mara Velloso", (), True),          # a middle initial one side leaves out
    ("Mara K. L. Velloso", "Mara Velloso", (), True),
    ("Mara K. Velloso", "Mara J. Velloso", (), False),      # two different initials: two people
    ("Velloso", "Mara Velloso", (), False),                 # a surname alone is not the canonical name
    ("Mara Vellosa", "Mara Velloso", (), False),
    ("Tomas Brandt Jr.", "Tomas Brandt Jr.", (), True),
    ("Tomas Brandt", "Tomas Brandt Jr.", ("Tomas Brandt",), True),
    ("Tomas Brandt", "Tomas Brandt Jr.", (), False),
])
def test_canonical_names_compare_by_key(entity, canonical, aliases, same):
    assert right_name(Gold("r", "text", 0, 1, "x", canonical, aliases), entity) is same
    if not aliases:
        assert same_person_name(canonical, entity) is same  # symmetric


WORD = st.sampled_from(["Mara", "Velloso", "tram", "line", "Okafor", "opened", "the", "Ines", "harbour"])
GAP = st.sampled_from([" ", "  ", "\n", " \n ", "\t", "\u00a0"])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.tuples(WORD, GAP), min_size=1, max_size=12), min_size=1, max_size=4),
       st.lists(WORD, min_size=1, max_size=4), st.data())
def test_sentence_offsets_map_back_to_the_record(paragraphs, title_words, data):
    """Whatever whitespace the article has, a span the NLP reports in a (whitespace-collapsed) sentence lands
    on the same word in the record's title or body."""
    body = "\n\n".join("".join(w + g for w, g in para).strip() for para in paragraphs)
    title = " ".join(title_words)
    analysed = f"{title}\n\n{body}"
    sentences = [title] + [" ".join(p.split()) for p in body.split("\n\n")]
    sid = data.draw(st.integers(0, len(sentences) - 1))
    words = sentences[sid].split(" ")
    index = data.draw(st.integers(0, len(words) - 1))
    start = sum(len(w) + 1 for w in words[:index])
    article = RawArticle(text=body, title=title, date=None, date_origin="missing", source=None, url=None, path="")
    (found,) = to_record(Record("fiction", "f.csv#1", "f.csv#1", article), analysed,
                         [(sid, start, start + len(words[index]), words[index], words[index], "ner")], sentences)
    assert found.field == ("title" if sid == 0 else "text")
    assert (title if sid == 0 else body)[found.start:found.end] == words[index]


def test_gold_offsets_follow_a_shifted_text():
    gold = Gold("r", "text", 10, 22, "Mara Velloso", "Mara Velloso")
    moved = anchored(gold, "The mayor,  Mara Velloso, spoke. Velloso left.")
    assert (moved.start, moved.end) == (12, 24)
    with pytest.raises(ValueError, match="Mara Velloso"):
        anchored(gold, "The mayor spoke.")


def test_the_gold_holds_names_not_text():
    rows = [json.loads(line) for line in Path(GOLD).read_text(encoding="utf-8").splitlines()]
    gold = load_gold()
    counted = [g for g in gold if not g.doubtful]
    assert len(counted) >= 300
    assert {r["corpus"] for r in rows} == {"recovery", "reuters"}
    for corpus in ("recovery", "reuters"):
        assert len({r["record"] for r in rows if r["corpus"] == corpus}) >= 20
    # names, offsets and labels only: every surface is a name's length (at most five words), no sentence
    assert all(len(g.surface) <= 40 and len(g.surface.split()) <= 5 and g.end - g.start == len(g.surface)
               for g in gold)
    assert all(g.canonical and g.field in ("text", "title") for g in gold)
    spans = sorted((g.record, g.field, g.start, g.end) for g in gold)
    assert all(a[:2] != b[:2] or a[3] <= b[2] for a, b in pairwise(spans)), "overlapping gold"


@pytest.mark.slow
def test_person_mentions_and_names_against_the_gold():
    shared_data("recovery_covid2020")
    shared_data("reuters21578")
    figures = measure()
    system = figures["pipeline"]
    _found_all, _tags, found_in_text, in_text = figures["reuters"]
    print(f"\nprecision {system.precision:.3f}, recall {system.recall:.3f}, canonical {system.canonical:.3f}, "
          f"Reuters people {found_in_text}/{in_text}")
    assert system.precision >= PRECISION_FLOOR
    assert system.recall >= RECALL_FLOOR
    assert system.canonical >= CANONICAL_FLOOR
    assert found_in_text / in_text >= REUTERS_PEOPLE_FLOOR


def _record(text: str, title: str | None = None) -> Record:
    article = RawArticle(text=text, title=title, date=None, date_origin="missing", source=None, url=None, path="")
    return Record("fiction", "courier.csv#1", "courier.csv#1", article)


def test_annotations_expand_to_offsets():
    text = ("Mayor Mara Velloso met Mrs Velloso and Tomas\nBrandt at the Velloso Foundation.\n\n"
            "Velloso spoke; Brandt left. By Ines Okafor")
    patterns = parse_annotations(
        "[courier.csv#1]\n"
        "# a comment\n"
        "Mara Velloso = Mara Velloso\n"
        "Mrs Velloso>Velloso = Rita Velloso\n"
        "Velloso = Mara Velloso @ m x:org m\n"
        "Tomas Brandt = Tomas Brandt | Tom Brandt\n"
        "Brandt = Tomas Brandt @ d\n"
        "Ines Okafor = - credit\n"
    )["courier.csv#1"]
    mentions, others = expand(_record(text, "Velloso opens tram line"), patterns)
    got = [(m["field"], m["surface"], m["canonical"], m["doubtful"]) for m in mentions]
    assert got == [("title", "Velloso", "Mara Velloso", False), ("text", "Mara Velloso", "Mara Velloso", False),
                   ("text", "Velloso", "Rita Velloso", False), ("text", "Tomas\nBrandt", "Tomas Brandt", False),
                   ("text", "Velloso", "Mara Velloso", False), ("text", "Brandt", "Tomas Brandt", True)]
    assert all(text[m["start"]:m["end"]] == m["surface"] for m in mentions if m["field"] == "text")
    assert [(o["surface"], o["kind"]) for o in others] == [("Velloso", "org"), ("Ines Okafor", "credit")]
    # an all-capitals headline is not read by the monitor, so it is not annotated
    assert all(m["field"] == "text" for m in expand(_record(text, "VELLOSO OPENS LINE"), patterns[:1])[0])


def test_annotation_marks_must_match_the_occurrences():
    patterns = parse_annotations("[courier.csv#1]\nVelloso = Mara Velloso @ m\n")["courier.csv#1"]
    with pytest.raises(SystemExit, match="1 marks for 2 occurrences of 'Velloso'"):
        expand(_record("Velloso spoke. Velloso left."), patterns)


def test_the_model_runs_once_per_text(tmp_path, monkeypatch):
    from monitor.ingest import nlp

    calls: list[str] = []

    def fake(texts, batch_size=32):
        for text in texts:
            calls.append(text)
            yield [nlp.Sentence(text=text, tone=0.0, entities=[nlp.Entity(0, 4, text[:4], "PERSON")])]

    monkeypatch.setattr(nlp, "analyse", fake)
    cache = tmp_path / "nlp.pickle"
    with remembered_nlp(cache):
        first = list(nlp.analyse(["Mara spoke.", "Ines left."]))
    with remembered_nlp(cache):  # a later process: read back from the file
        again = list(nlp.analyse(["Ines left.", "Tomas came."]))
    assert calls == ["Mara spoke.", "Ines left.", "Tomas came."]
    assert again[0] == first[1] and again[1][0].text == "Tomas came."
    assert nlp.analyse is fake  # put back
