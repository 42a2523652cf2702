"""The Compare queries page's URL state (monitor/present/compare_state.py): any name and query survive the trip
through the address bar; hostile values are refused with a reason; at most five queries; each query's Overview
link."""
from __future__ import annotations

import json
import urllib.parse

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.present import compare_state, viewstate
from monitor.present.compare_state import MAX_QUERIES, MAX_VALUE, SavedQuery, decode, encode, read_all
from monitor.read import query

# Text as users and links bring it: quotes, &, =, #, %, +, spaces, unicode (accents, CJK, emoji, RTL), and
# the operators of the query language.
TRICKY = st.sampled_from(['"', "'", "&", "=", "#", "%", "+", " ", "?", "/", "\\", "é", "東京", "🗳", "שלום", "AND",
                          "NOT", "(", ")", "*", "~", "%26", "%22", "[", "]", "{", "}", ",", ":", "\t"])
TEXT = st.lists(st.one_of(TRICKY, st.text(min_size=1, max_size=8)), max_size=12).map("".join)
QUERY = TEXT.filter(lambda t: t.strip() != "")
NAMES = st.lists(TEXT, max_size=4).map(lambda v: tuple(dict.fromkeys(v)))
SAVED = st.builds(SavedQuery, TEXT, QUERY, NAMES, NAMES)


def through_the_address_bar(values: list[str]) -> list[str]:
    """Return the `cq` values as a browser reads them back from a link the page wrote."""
    link = urllib.parse.urlencode({"page": "Compare queries", "cq": values}, doseq=True)
    return urllib.parse.parse_qs(link, keep_blank_values=True).get("cq", [])


@given(SAVED)
def test_a_saved_query_survives_the_url(saved: SavedQuery) -> None:
    assert decode(encode(saved)) == saved


@given(st.lists(SAVED, min_size=1, max_size=MAX_QUERIES))
def test_a_comparison_survives_a_link_in_order_with_unique_names(queries: list[SavedQuery]) -> None:
    read, notes = read_all(through_the_address_bar([encode(q) for q in queries]))
    assert notes == []
    assert [(q.query, q.sources, q.topics) for q in read] == [(q.query, q.sources, q.topics) for q in queries]
    names = [q.name.casefold() for q in read]
    assert len(set(names)) == len(names) and all(n.strip() for n in names)
    assert read_all([encode(q) for q in read])[0] == read  # unique names are stable: a second trip changes nothing


@pytest.mark.parametrize("extra", [1, 2, 7])
def test_past_five_the_rest_are_dropped_and_said(extra: int) -> None:
    values = [encode(SavedQuery(f"Q{n}", f"word{n}")) for n in range(MAX_QUERIES + extra)]
    read, notes = read_all(values)
    assert [q.name for q in read] == [f"Q{n}" for n in range(MAX_QUERIES)]
    assert len(notes) == 1 and f"{extra} more" in notes[0] and "at most 5" in notes[0]


@pytest.mark.parametrize("value, reason", [
    ("x" * 10_000, "10,000 characters long"),
    (json.dumps(["big", "tram " * 2_000]), "characters long"),
    ("not json", "not a saved query"),
    ('{"name": "a", "query": "b"}', "not a saved query"),
    ('["only a name"]', "not a saved query"),
    ('["a", 5]', "not a saved query"),
    ('["a", "   "]', "holds no query"),
    ('["a", "b", "outlet"]', "lists of names"),
    ('["a", "b", [1, 2]]', "lists of names"),
    (json.dumps(["a", "b", [f"o{n}" for n in range(60)]]), "at most 50"),
    ("[" * 1_900 + "]" * 1_900, "not a saved query"),  # deeper than json's recursion limit
    ("[" * 1_900, "not a saved query"),
])
def test_a_value_that_cannot_be_read_is_named_and_skipped(value: str, reason: str) -> None:
    read, notes = read_all([encode(SavedQuery("Good", "tram")), value])
    assert [q.name for q in read] == ["Good"]
    assert len(notes) == 1 and "saved query 2" in notes[0] and reason in notes[0]


def test_the_cap_fits_the_longest_query_and_matches_the_query_language() -> None:
    assert compare_state.MAX_LENGTH == query.MAX_LENGTH
    longest = SavedQuery("n" * compare_state.MAX_NAME, "a" * query.MAX_LENGTH)
    assert len(encode(longest)) <= MAX_VALUE and decode(encode(longest)) == longest


@pytest.mark.parametrize("names, shown", [
    (["", ""], ["Query 1", "Query 2"]),
    (["Wall", "wall", "WALL"], ["Wall", "wall (2)", "WALL (3)"]),
    (["  a\nb\x00 ", "x" * 100], ["a b", "x" * compare_state.MAX_NAME]),
])
def test_names_are_made_clean_and_unique(names: list[str], shown: list[str]) -> None:
    assert [q.name for q in compare_state.unique_names([SavedQuery(n, "q") for n in names])] == shown


def test_the_overview_link_carries_the_query_and_its_filters_and_keeps_the_view() -> None:
    params = {"page": ["Compare queries"], "cq": ["x"], "q": ["old"], "source": ["Old"], "from": ["2021-03-01"],
              "entity": ["Mara Velloso"], "copies": ["true"]}
    link = compare_state.overview_params(SavedQuery("Tram", 'tram & "wall"', ("Lakeside Ledger",)), params)
    assert link == {"page": ["Overview"], "q": ['tram & "wall"'], "source": ["Lakeside Ledger"],
                    "from": ["2021-03-01"], "entity": ["Mara Velloso"], "copies": ["true"]}
    assert "topic" not in compare_state.overview_params(SavedQuery("T", "t"), params)


def test_cq_is_kept_by_the_url_upgrade() -> None:
    params = {"cq": [encode(SavedQuery("Tram", "tram")), encode(SavedQuery("Flood", "flood*"))], "kind": ["org"]}
    upgraded = viewstate.upgrade(params)
    assert upgraded is not None and upgraded["cq"] == params["cq"]
