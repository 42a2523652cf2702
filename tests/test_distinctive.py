"""The view's distinctive words and phrases (monitor/read/distinctive.py): distinctive against the store, not merely
frequent. A word frequent everywhere is not distinctive; a word only the view uses is; over generated corpora."""
from __future__ import annotations

import random
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor import schema
from monitor.read import distinctive
from monitor.read.distinctive import DocCounts, log_odds, terms
from monitor.read.filters import Filters
from tests import article_corpus


def test_terms_are_words_and_two_word_phrases_without_stop_words_or_numbers():
    found = terms("The Mayor's tram plan, said Mara Velloso on 12 May: 300 new tram-stops.")
    assert {"mayor", "tram", "plan", "mara", "velloso", "mara velloso", "mayor tram", "tram plan"} <= found
    assert not found & {"the", "on", "12", "300", "s", "mayor's"}
    assert "plan said" not in found  # "plan, said": the comma breaks the phrase
    assert "velloso on" not in found and "velloso" in found  # a stop word ends it
    assert terms("tram\u2019s depot") == terms("tram's depot") == {"tram", "depot", "tram depot"}


def counts(docs: list[set[str]]) -> DocCounts:
    c: Counter[str] = Counter()
    for d in docs:
        c.update(d)
    return DocCounts(c, len(docs))


def test_a_word_everywhere_is_not_distinctive_and_one_only_in_the_view_is():
    rng = random.Random(3)
    filler = [f"word{k}" for k in range(200)]
    store_docs = [{"council", *rng.sample(filler, 20)} for _ in range(900)]
    view_docs = [{"council", "tramway", *rng.sample(filler, 20)} for _ in range(100)]
    ranked = log_odds(counts(view_docs), counts(store_docs + view_docs), limit=None)
    schema.check(ranked, schema.DISTINCTIVE, "distinctive")
    assert ranked["term"].iloc[0] == "tramway"
    assert "council" not in set(ranked["term"])  # in every article of both: z = 0 however frequent


def test_a_view_like_the_store_has_nothing_distinctive():
    rng = random.Random(5)
    docs = [set(rng.sample([f"w{k}" for k in range(100)], 15)) for _ in range(500)]
    assert log_odds(counts(docs), counts(docs), limit=None).empty


words = st.text(alphabet="bcdfghjklmnpqrstvwxz", min_size=4, max_size=8)


@settings(max_examples=60, deadline=None)
@given(vocabulary=st.lists(words, min_size=30, max_size=120, unique=True), seed=st.integers(0, 10**6),
       store_size=st.integers(400, 1200), view_share=st.floats(0.02, 0.25), planted=st.floats(0.3, 1.0))
def test_over_generated_corpora_the_planted_word_leads_and_common_words_never_show(vocabulary, seed, store_size,
                                                                                     view_share, planted):
    """The store: articles of random words, all holding `common`; the view: up to a quarter of them (it is part
    of the store), a share `planted` of which also hold a word no other article has."""
    rng = random.Random(seed)
    view_size = max(10, int(view_share * store_size))
    common, marker, rest = vocabulary[0], vocabulary[1], vocabulary[2:]
    store_docs = [{common, *rng.sample(rest, min(len(rest), 10))} for _ in range(store_size)]
    view_docs = [set(d) for d in store_docs[:view_size]]
    for d in view_docs[: max(distinctive.MIN_DOCS, int(planted * view_size))]:
        d.add(marker)
    whole = view_docs + store_docs[view_size:]
    ranked = log_odds(counts(view_docs), counts(whole), limit=None)
    assert ranked["term"].iloc[0] == marker
    assert common not in set(ranked["term"])
    assert ranked["z"].is_monotonic_decreasing and (ranked["z"] >= distinctive.MIN_Z).all()


@settings(max_examples=60, deadline=None)
@given(y_store=st.integers(0, 300), y_view=st.integers(3, 200), extra=st.integers(1, 50))
def test_more_uses_in_the_view_never_lower_a_terms_score(y_store, y_view, extra):
    store = DocCounts(Counter({"term": y_store, "other": 5_000, "more": 2_000}), 5_000)

    def z(y: int) -> float:
        view = DocCounts(Counter({"term": y, "other": 1_000, "more": 400}), 1_000)
        frame = log_odds(view, store, min_z=float("-inf"), limit=None)
        return float(frame.set_index("term").loc["term", "z"])

    assert z(y_view + extra) > z(y_view)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return article_corpus.build(tmp_path_factory.mktemp("distinctive"))


def test_a_tram_query_finds_the_tram_words_in_a_real_store(store):
    ranked = log_odds(distinctive.view_counts(store, Filters(query="tramway")), distinctive.store_counts(store),
                      limit=None)
    # every tram article has the same tram sentence: its words tie at the top
    top = set(ranked[ranked["z"] == ranked["z"].max()]["term"])
    assert {"tramway", "overhead wires"} <= top, ranked.head(10)
    assert not {"residents", "day"} & set(ranked["term"])  # in every article of the store
