"""Namesakes, nicknames, inversions, suffixes, initials and parties: whom a name is linked to.

Fictional people and outlets only. Two levels: the entity map from per-name counts (pure), and
the per-article `name_links` a store builds from per-article names, months and outlets.
"""
from __future__ import annotations

import itertools
import random

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.ingest.entity_map import build_entity_map
from monitor.ingest.namesakes import choose
from monitor.ingest.pipeline import refresh_entities
from monitor.ingest.watchlist import Watchlist
from monitor.store import Store
from tests.spans import store_with

GIVEN = ["Dana", "Marcus", "Ines", "Tobias"]
SURNAMES = ["Holt", "Quill", "Varga", "Okonkwo"]


def entity_map(rows, watchlist=None) -> dict[str, tuple[str, str]]:
    """Return name -> (entity, type) for (name, label, n) rows."""
    frame = build_entity_map(pd.DataFrame(rows, columns=["name", "label", "n"]), watchlist)
    return {n: (e, t) for n, _, e, t in frame.itertuples(index=False)}


# ---- generational suffixes ------------------------------------------------------------------------

@pytest.mark.parametrize("surname", SURNAMES[:2])
@pytest.mark.parametrize("suffix", ["Jr.", "Sr.", "II", "III", "Jr"])
@pytest.mark.parametrize("lone", ["{surname} {suffix}", "{given} {suffix}"])
def test_a_suffixed_short_form_links_to_the_suffixed_person_never_the_father(surname, suffix, lone):
    father, son = f"Marcus {surname}", f"Marcus {surname} {suffix}"
    short = lone.format(surname=surname, given="Marcus", suffix=suffix)
    m = entity_map([(father, "PERSON", 40), (son, "PERSON", 3), (short, "PERSON", 5), (surname, "PERSON", 30)])
    assert m[son][0] == son and m[father][0] == father
    assert m[short] == (son, "person")


@pytest.mark.parametrize("suffix", ["Jr.", "III"])
def test_a_suffixed_short_form_without_its_person_stays_itself(suffix):
    m = entity_map([("Marcus Holt", "PERSON", 40), (f"Holt {suffix}", "PERSON", 2)])
    assert m[f"Holt {suffix}"][0] == f"Holt {suffix}"


# ---- middle initials --------------------------------------------------------------------------------

@pytest.mark.parametrize("given, surname", [("Dana", "Holt"), ("Tobias", "Varga")])
@pytest.mark.parametrize("initials", [("K.", "R. K.", "P."), ("J.", "A. J."), ("R.W.", "W."), ("Jane", "Ruth"),
                                      ("J.", "Ruth")])
def test_distinct_middle_initials_are_distinct_people_and_the_bare_name_is_not_guessed(given, surname, initials):
    people = [f"{given} {i} {surname}" for i in initials]
    rows = [(p, "PERSON", 10 * (n + 1)) for n, p in enumerate(people)] + [(f"{given} {surname}", "PERSON", 4)]
    m = entity_map(rows)
    assert len({m[p][0] for p in people}) == len(people)
    assert m[f"{given} {surname}"][0] == f"{given} {surname}"


@pytest.mark.parametrize("written", [("Dana J. Holt",), ("Dana J Holt", "Dana Jane Holt"), ("DANA J. HOLT",),
                                     ("Dana Jane Holt",), ("Dana J. R. Holt", "Dana Jane Ruth Holt")])
def test_middle_names_that_agree_are_the_same_person_as_the_bare_name(written):
    m = entity_map([("Dana Holt", "PERSON", 9), *((w, "PERSON", 2) for w in written), ("Holt", "PERSON", 3),
                    ("Dana K. Quill", "PERSON", 1), ("Dana R. Quill", "PERSON", 1)])
    assert {m[w][0] for w in written} == {m["Dana Holt"][0]} == {m["Holt"][0]} == {"Dana Holt"}
    assert m["Dana K. Quill"][0] != m["Dana R. Quill"][0]


# ---- nicknames --------------------------------------------------------------------------------------

NICKNAMES = [("Bernie", "Bernard"), ("Mike", "Michael"), ("Bill", "William"), ("Bob", "Robert"),
             ("Tom", "Thomas"), ("Jim", "James"), ("Liz", "Elizabeth"), ("Pete", "Peter")]


@pytest.mark.parametrize("nick, formal", NICKNAMES)
@pytest.mark.parametrize("surname", SURNAMES[1:3])
@pytest.mark.parametrize("nick_first", [True, False])
def test_a_nickname_and_its_formal_form_are_one_person_shown_as_the_commoner(nick, formal, surname, nick_first):
    more, fewer = (nick, formal) if nick_first else (formal, nick)
    rows = [(f"{more} {surname}", "PERSON", 12), (f"{fewer} {surname}", "PERSON", 5), (surname, "ORG", 2),
            (surname, "PERSON", 1)]
    m = entity_map(rows)
    assert m[f"{fewer} {surname}"] == m[f"{more} {surname}"] == (f"{more} {surname}", "person")
    assert m[surname][0] == f"{more} {surname}"


@pytest.mark.parametrize("a, b", [("William", "Walter"), ("Andrew", "Andrea"), ("Robert", "Richard"),
                                  ("Michael", "Mitchell"), ("Daniel", "Danielle")])
def test_two_formal_names_are_never_merged(a, b):
    m = entity_map([(f"{a} Quill", "PERSON", 12), (f"{b} Quill", "PERSON", 5), ("Bill Quill", "PERSON", 1),
                    ("Bernie Holt", "PERSON", 3), ("Bernard Holt", "PERSON", 1)])
    assert m[f"{a} Quill"][0] != m[f"{b} Quill"][0]
    assert m["Bernard Holt"][0] == "Bernie Holt"  # (and nicknames do merge in the same corpus)


def test_a_nickname_of_two_formal_names_present_merges_with_neither():
    m = entity_map([("William Quill", "PERSON", 6), ("Robert Quill", "PERSON", 5), ("Bill Quill", "PERSON", 4),
                    ("Mike Holt", "PERSON", 2), ("Michael Holt", "PERSON", 3)])
    assert len({m[n][0] for n in ("William Quill", "Robert Quill", "Bill Quill")}) == 3
    assert m["Mike Holt"][0] == "Michael Holt"


def test_a_nickname_with_another_surname_is_another_person():
    m = entity_map([("Bernie Quill", "PERSON", 6), ("Bernard Holt", "PERSON", 5), ("Bernie Holt", "PERSON", 1)])
    assert m["Bernie Quill"][0] == "Bernie Quill" and m["Bernie Holt"][0] == "Bernard Holt"


# ---- inverted names ---------------------------------------------------------------------------------

@pytest.mark.parametrize("given, surname", list(zip(GIVEN, SURNAMES, strict=True)))
@pytest.mark.parametrize("inverted", ["{surname} {given}", "{upper} {given}"])
@pytest.mark.parametrize("label", ["PERSON", "ORG"])
def test_an_inverted_name_is_the_person_the_corpus_knows_and_only_then(given, surname, inverted, label):
    written = inverted.format(surname=surname, given=given, upper=surname.upper())
    m = entity_map([(f"{given} {surname}", "PERSON", 8), (written, label, 2), ("Jordan Keller", "PERSON", 1),
                    ("Holt Dana", "PERSON", 3), ("Dana Holt", "PERSON", 1), ("Varga Ines", "PERSON", 4)])
    assert m[written] == (f"{given} {surname}", "person")
    assert m["Jordan Keller"][0] == "Jordan Keller"
    if given != "Ines":
        assert m["Varga Ines"][0] == "Varga Ines"  # no "Ines Varga" in the corpus
    if given != "Dana":
        assert m["Holt Dana"][0] == "Holt Dana"  # "Dana Holt" is there, but rarer: not taken for it


# ---- lone words: type, surnames only, first names never ----------------------------------------------

@pytest.mark.parametrize("surname", SURNAMES)
@pytest.mark.parametrize("org, person", [(5, 2), (12, 6), (3, 1)])
def test_a_lone_surname_the_model_calls_org_is_the_person_the_corpus_knows(surname, org, person):
    m = entity_map([(f"Dana {surname}", "PERSON", 9), (surname, "ORG", org), (surname, "PERSON", person)])
    assert m[surname] == (f"Dana {surname}", "person")
    assert m[f"Dana {surname}"][1] == "person"


def test_a_lone_word_mostly_an_organisation_or_place_is_not_linked():
    m = entity_map([("Dana Holt", "PERSON", 9), ("Holt", "ORG", 50), ("Holt", "PERSON", 2),
                    ("Vellmar", "GPE", 6), ("Vellmar", "PERSON", 5), ("Ines Vellmar", "PERSON", 3),
                    ("Quill", "PERSON", 2), ("Atletico Quill", "ORG", 9)])
    assert m["Holt"] == ("Holt", "org")
    assert m["Vellmar"] == ("Vellmar", "place")
    assert m["Quill"][0] == "Quill"  # a one-word name is never linked to a full name that is not a person


@pytest.mark.parametrize("given", GIVEN)
def test_a_lone_first_name_is_never_linked_across_the_corpus(given):
    m = entity_map([(f"{given} Holt", "PERSON", 9), (given, "PERSON", 4)])
    assert m[given][0] == given


@pytest.mark.parametrize("word", ["Barron", "Keller"])
def test_a_lone_word_that_is_someone_s_first_name_is_not_linked_by_surname_alone(word):
    m = entity_map([(f"Rob {word}", "PERSON", 6), (f"{word} Quill", "PERSON", 2), ("Dana Quill", "PERSON", 30),
                    (word, "PERSON", 5)])
    assert m[word] == (word, "person")


@pytest.mark.parametrize("counts", [(3, 2), (30, 2), (2, 30)])
def test_a_shared_surname_is_kept_as_written_in_the_entity_map(counts):
    m = entity_map([("Dana Holt", "PERSON", counts[0]), ("Marcus Holt", "PERSON", counts[1]),
                    ("Holt", "ORG", 3), ("Holt", "PERSON", 4)])
    assert m["Holt"] == ("Holt", "person")


# ---- parties ----------------------------------------------------------------------------------------

PARTIES = {
    "Democratic Party": ["Democratic", "Democrats", "Democrat", "Democratic Party", "Dems", "DEMOCRATS"],
    "Republican Party": ["Republican", "Republicans", "GOP", "G.O.P.", "Republican Party"],
    "Conservative Party": ["Conservatives", "Tories", "Tory", "Conservative Party"],
    "Labour Party": ["Labour", "Labour Party"],
}


@pytest.mark.parametrize("party", sorted(PARTIES))
@pytest.mark.parametrize("label", ["NORP", "ORG", "PERSON"])
def test_a_party_written_several_ways_is_one_group(party, label):
    rows = [(name, label if n % 2 else "NORP", n + 1) for n, name in enumerate(PARTIES[party])]
    m = entity_map(rows)
    assert {m[name] for name in PARTIES[party]} == {(party, "group")}


def test_the_watchlist_overrides_the_parties_table():
    wl = Watchlist.from_dict({"entities": {"Dems": {"type": "org", "aliases": ["Democrats"]}}})
    m = entity_map([("Democrats", "NORP", 5), ("Democratic Party", "ORG", 3), ("Dems", "NORP", 1)], wl)
    assert m["Democrats"] == ("Dems", "org") and m["Dems"] == ("Dems", "org")
    assert m["Democratic Party"] == ("Democratic Party", "group")


# ---- per article: the article's own namesake, then its month in its outlet, then its month ----------

def lone_entities(store: Store, name: str) -> dict[str, str]:
    """Return article_id -> the entity its lone `name` mention is counted under."""
    refresh_entities(store, Watchlist())
    found = store.query("SELECT article_id, entity FROM mentions WHERE surface = ?", [name])
    return dict(zip(found.article_id, found.entity, strict=True))


def coverage(person: str, n: int, month: str, outlet: str, tag: str):
    """Return `n` articles of `outlet` in `month` that name `person` in full (and nobody else)."""
    return [(f"{tag}-{outlet}-{month}-{i}", f"{month}-0{i % 9 + 1}", outlet, [(person, "PERSON")] * 2)
            for i in range(n)]


CONFIGS = [("Dana Holt", "Marcus Holt"), ("Marcus Holt", "Marcus Holt Jr."), ("Bernadette Quill", "Ines Quill"),
           ("Tobias K. Varga", "Tobias R. Varga")]


def configs():
    """Namesake pairs (either way round) x the months and outlets they dominate."""
    for (a, b), swap, (m1, m2) in itertools.product(CONFIGS, (False, True), [("2031-03", "2031-04"),
                                                                             ("2032-11", "2031-02")]):
        yield (b, a) if swap else (a, b), m1, m2


@pytest.mark.parametrize("pair, m1, m2", list(configs()))
def test_a_shared_surname_goes_to_the_namesake_of_its_article_then_its_month_and_outlet(pair, m1, m2):
    a, b = pair
    surname = a.replace(" Jr.", "").split()[-1]
    corpus = (coverage(a, 10, m1, "Courier", "a") + coverage(a, 6, m2, "Ledger", "a")  # a dominates overall
              + coverage(b, 3, m1, "Ledger", "b") + coverage(b, 3, m2, "Courier", "b"))
    probes = [
        ("own-b", f"{m1}-05", "Courier", [(b, "PERSON"), (surname, "ORG")], b),       # its own article says b
        ("outlet-b", f"{m1}-06", "Ledger", [(surname, "PERSON")], b),                # b dominates m1 in Ledger
        ("outlet-a", f"{m2}-06", "Ledger", [(surname, "PERSON")], a),
        ("month", f"{m1}-07", "Gazette", [(surname, "PERSON")], a),                  # m1 across outlets: 11 to 5
        ("none", "2030-01-15", "Courier", [(surname, "PERSON")], surname),           # nobody that month: kept
        ("both", f"{m1}-08", "Courier", [(a, "PERSON"), (b, "PERSON"), (surname, "PERSON")], surname),
    ]
    articles = corpus + [(aid, date, src, names) for aid, date, src, names, _ in probes]
    random.Random(f"{a}{m1}").shuffle(articles)
    got = lone_entities(store_with(articles), surname)
    assert {aid: got[aid] for aid, *_ in probes} == {aid: want for aid, *_, want in probes}


@pytest.mark.parametrize("pair, m1, m2", list(configs())[::3])
def test_a_tie_in_its_outlet_is_settled_by_its_month_and_a_tie_there_keeps_the_surname(pair, m1, m2):
    a, b = pair
    surname = a.replace(" Jr.", "").split()[-1]
    corpus = (coverage(a, 2, m1, "Courier", "a") + coverage(b, 2, m1, "Courier", "b")
              + coverage(a, 5, m1, "Ledger", "a") + coverage(a, 3, m2, "Ledger", "a")
              + coverage(b, 3, m2, "Gazette", "b")
              + coverage(a, 9, "2030-06", "Ledger", "a"))
    probes = [("tie-outlet", f"{m1}-09", "Courier", [(surname, "PERSON")], a),
              ("tie-month", f"{m2}-09", "Courier", [(surname, "PERSON")], surname)]
    articles = corpus + [(aid, date, src, names) for aid, date, src, names, _ in probes]
    got = lone_entities(store_with(articles), surname)
    assert {aid: got[aid] for aid, *_ in probes} == {aid: want for aid, *_, want in probes}


def test_a_first_name_owner_in_the_article_keeps_the_word_as_written():
    corpus = (coverage("Rob Barron", 5, "2031-03", "Courier", "r")
              + coverage("Barron Quill", 1, "2031-03", "Ledger", "q"))
    probe = ("probe", "2031-03-20", "Courier", [("Barron Quill", "PERSON"), ("Barron", "PERSON")])
    got = lone_entities(store_with([*corpus, probe]), "Barron")
    assert got["probe"] == "Barron"


# ---- the choice itself, over generated evidence --------------------------------------------------------

PEOPLE = st.sampled_from(["dana holt", "marcus holt", "marcus holt jr", "ines holt", "holt quill"])
COUNTS = st.dictionaries(PEOPLE, st.integers(0, 12), max_size=5)


@settings(max_examples=300, deadline=None)
@given(choices=st.lists(PEOPLE, min_size=1, max_size=4, unique=True), in_article=COUNTS,
       levels=st.lists(COUNTS, max_size=3), data=st.data())
def test_choose_returns_a_namesake_the_evidence_names_and_never_a_first_name_owner(choices, in_article, levels, data):
    rivals = [p for p in ["holt quill"] if p not in choices]
    got = choose(choices, rivals, in_article, levels)
    assert got is None or got in choices
    named = sorted((c for c in choices + rivals if in_article.get(c)), key=lambda c: -in_article[c])
    if named:  # the article's own evidence decides: its dominant namesake, or nobody (never a period)
        second = in_article[named[1]] if len(named) > 1 else 0
        dominant = in_article[named[0]] >= 2 * second and named[0] in choices
        assert got == (named[0] if dominant else None)
    shuffled = data.draw(st.permutations(choices))
    assert choose(shuffled, rivals, in_article, levels) == got  # the order of the namesakes does not matter
    if not named and got is not None:  # settled by a period where it dominates
        level = next(c for c in levels if choose(choices, rivals, {}, [c]) is not None)
        assert level.get(got, 0) >= 2 and all(level.get(o, 0) * 2 <= level[got] for o in choices + rivals
                                              if o != got)


@pytest.mark.parametrize("pair", CONFIGS)
@pytest.mark.parametrize("lead, rival, want_leader", [(30, 2, True), (24, 2, True), (30, 4, False), (9, 1, False)])
def test_a_month_without_evidence_takes_only_an_overwhelming_namesake_of_the_store(pair, lead, rival, want_leader):
    a, b = pair
    surname = a.replace(" Jr.", "").split()[-1]
    months = ["2031-01", "2031-02", "2031-03"]
    corpus = [art for i in range(lead) for art in coverage(a, 1, months[i % 3], "Courier", f"a{i}")]
    corpus += [art for i in range(rival) for art in coverage(b, 1, months[i % 3], "Ledger", f"b{i}")]
    probe = ("quiet", "2030-07-15", "Gazette", [(surname, "PERSON")])  # no one named in that month or outlet
    got = lone_entities(store_with([*corpus, probe]), surname)
    assert got["quiet"] == (a if want_leader else surname)
