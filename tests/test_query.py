"""The text query language: parsed, translated to FTS5, and matching what a word-by-word reading says.

The property tests generate queries (words in any case and accent, prefixes, phrases, proximity, AND / OR /
NOT, parentheses) over generated corpora and compare the FTS5 index's answer with `query.matches`, the
brute-force meaning of the language; junk text never raises anything but QueryError.
"""
from __future__ import annotations

import sqlite3

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor import search_index
from monitor.read.query import QueryError, fts5_query, matches, parse, to_fts5

# Fictional words; "cafe" is also written with an accent and in capitals by the generators below.
VOCAB = ["alder", "alderman", "brook", "cedar", "cafe", "delta", "ember", "embers", "fjord"]
SPELLINGS = {"cafe": ["cafe", "café", "CAFÉ", "Cafe"]}


def spelling(word: str) -> st.SearchStrategy[str]:
    """A word as a user may type it: any case, and an accent where the word has one."""
    return st.sampled_from(SPELLINGS.get(word, [word, word.upper(), word.capitalize()]))


words = st.sampled_from(VOCAB).flatmap(spelling)
prefixes = st.sampled_from(VOCAB).flatmap(lambda w: st.integers(2, len(w)).map(lambda n: w[:n] + "*"))
phrases = st.lists(words, min_size=2, max_size=3).map(lambda ws: '"' + " ".join(ws) + '"')
proximity = st.tuples(words, words, st.integers(0, 6)).map(lambda t: f'"{t[0]} {t[1]}"~{t[2]}')
near = st.tuples(st.one_of(words, prefixes, phrases), st.integers(0, 6), st.one_of(words, phrases)).map(
    lambda t: f"{t[0]} NEAR/{t[1]} {t[2]}")
leaves = st.one_of(words, prefixes, phrases, proximity, near)


def composite(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    pair = st.tuples(children, children)
    return st.one_of(pair.map(lambda p: f"({p[0]} AND {p[1]})"), pair.map(lambda p: f"({p[0]} OR {p[1]})"),
                     pair.map(lambda p: f"({p[0]} {p[1]})"), children.map(lambda c: f"NOT {c}"),
                     pair.map(lambda p: f"({p[0]} NOT {p[1]})"))


queries = st.recursive(leaves, composite, max_leaves=6)
documents = st.tuples(st.lists(words, max_size=3).map(" ".join),
                      st.lists(st.sampled_from([*VOCAB, ", ", ".", "the"]).flatmap(spelling), max_size=25)
                      .map(" ".join))
corpora = st.lists(documents, min_size=1, max_size=12)


def fts5_ids(corpus: list[tuple[str, str]], expression: str) -> set[int]:
    """Index a corpus as the store's index does, in memory; return the rows an FTS5 expression matches."""
    con = sqlite3.connect(":memory:")
    con.executescript(search_index.SCHEMA)
    con.executemany("INSERT INTO docs (rowid, title, body, everything) VALUES (?, ?, ?, 'all')",
                    [(n, title, body) for n, (title, body) in enumerate(corpus)])
    return {row[0] for row in con.execute("SELECT rowid FROM docs WHERE docs MATCH ?", [expression])}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(queries, corpora)
def test_the_index_matches_what_the_words_say(query: str, corpus: list[tuple[str, str]]) -> None:
    node = parse(query)
    assert node is not None
    expected = {n for n, doc in enumerate(corpus) if matches(node, doc)}
    assert fts5_ids(corpus, to_fts5(node)) == expected, to_fts5(node)


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(max_size=40), st.text(alphabet='ab "()*~/-+NEARODT0123456789 ', max_size=30)))
def test_junk_is_a_query_error_or_a_query_the_index_accepts(text: str) -> None:
    try:
        expression = fts5_query(text)
    except QueryError as exc:
        assert str(exc)  # a message for the page
        return
    if expression is not None:
        fts5_ids([("a b", "c d")], expression)  # raises sqlite3.OperationalError if FTS5 refuses it


@pytest.mark.parametrize(("query", "where"), [
    ("wall AND", "ends too early"), ("(border wall", "never closed"), ("border) wall", "closes nothing"),
    ('"border wall', "never closed"), ("wall OR OR fence", "character 9"), ("*all", "can only end"),
    ("bo*der", "can only end"), ("-wall", "NOT wall"), ("!!!", "no letter or digit"),
    ("wall NEAR/3 (a OR b)", "NEAR/3"), ("a NEAR/2 b NEAR/2 c", "character 12"), ('"a b c"~3', "two words"),
    ("a NEAR/100000 b", "at most"),
])
def test_a_bad_query_says_where_and_why(query: str, where: str) -> None:
    with pytest.raises(QueryError, match=where.replace("(", r"\(").replace("*", r"\*")):
        parse(query)


@pytest.mark.parametrize(("query", "doc", "hit"), [
    ("alder OR brook cedar", ("", "alder"), True),           # AND binds tighter than OR
    ("alder OR brook cedar", ("", "brook"), False),
    ("NOT alder brook", ("", "brook"), True),                 # NOT binds tighter than AND
    ("alder and brook", ("", "alder brook"), False),          # lower-case "and" is a word
    ("ALDERMAN", ("", "the Alderman"), True),
    ("alder", ("", "alderman"), False),                       # a word is whole, a prefix needs *
    ("alder*", ("", "alderman"), True),
    ('"cedar brook"~1', ("", "brook by cedar"), True),  # proximity: either order
    ('"cedar brook"~1', ("", "cedar by the big brook"), False),
    ("cedar NEAR/0 brook", ("", "brook cedar"), True),
    ("café", ("", "the CAFE"), True),
    ("brook", ("Brook", ""), True),                           # the title is searched too
])
def test_precedence_case_and_proximity(query: str, doc: tuple[str, str], hit: bool) -> None:
    node = parse(query)
    assert node is not None
    assert matches(node, doc) is hit
    assert fts5_ids([doc], to_fts5(node)) == ({0} if hit else set())


def test_an_empty_query_restricts_nothing() -> None:
    assert parse("") is None and parse("   ") is None and fts5_query(" \t") is None
