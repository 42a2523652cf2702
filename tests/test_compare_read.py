"""Saved queries compared (monitor/read/compare.py) on the fictional corpus: counts checked by hand, and the
tone checked against the store's own sentences and mentions for queries of every kind (the query language's
reference evaluator picks the articles), plus the frames' contract in the README."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor import schema
from monitor.read import compare, query
from monitor.read.filters import Filters
from tests.conftest import ROOT

WEEKS = pd.to_datetime(["2021-03-01", "2021-03-08", "2021-03-15", "2021-03-22"])
ALL = Filters(unique_stories=True)


def series(store, text: str, **more) -> pd.DataFrame:
    return compare.query_series(store, Filters(query=text, unique_stories=True, **more), text, "W")


def test_articles_and_share_per_week_by_hand(fiction_store):
    # tram: the two articles of the first week (of its two); harbour: weeks 2 and 4 (each week's one article)
    tram, harbour = series(fiction_store, "tram"), series(fiction_store, "harbour")
    assert tram["period"].tolist() == WEEKS.tolist() == harbour["period"].tolist()
    assert tram["articles"].tolist() == [2, 0, 0, 0] and tram["total_articles"].tolist() == [2, 1, 1, 1]
    assert tram["share"].tolist() == [1.0, 0.0, 0.0, 0.0]
    assert harbour["articles"].tolist() == [0, 1, 0, 1] and harbour["share"].tolist() == [0.0, 1.0, 0.0, 1.0]
    assert tram["tone"].iloc[1:].isna().all() and (tram["sentences"].iloc[1:] == 0).all()


def test_a_querys_outlets_set_its_base_and_a_week_without_articles_has_no_share(fiction_store):
    # the Lakeside Ledger has articles in weeks 1, 3 and 4: week 2 is 0 of 0, not 0%
    ledger = series(fiction_store, "harbour", sources=("Lakeside Ledger",))
    assert ledger["articles"].tolist() == [0, 0, 0, 1] and ledger["total_articles"].tolist() == [1, 0, 1, 1]
    assert np.isnan(ledger["share"].iloc[1]) and ledger["share"].iloc[[0, 2, 3]].tolist() == [0.0, 0.0, 1.0]


def test_combine_puts_every_query_on_every_period(fiction_store):
    one_day = compare.query_series(fiction_store, Filters(query="tram", since=pd.Timestamp("2021-03-01"),
                                                          until=pd.Timestamp("2021-03-01")), "day", "W")
    both = compare.combine([one_day, series(fiction_store, "harbour")], schema.COMPARE)
    assert list(both.columns) == list(schema.COMPARE) and len(both) == 8
    day_rows = both[both["name"] == "day"]
    assert day_rows["articles"].tolist() == [1, 0, 0, 0] and day_rows["total_articles"].tolist()[1:] == [0, 0, 0]
    assert compare.combine([], schema.COMPARE).empty


def test_share_of_voice_counts_a_shared_article_in_each(fiction_store):
    voice = compare.voice(fiction_store, [("Tram", Filters(query="tram")), ("Velloso", Filters(query="velloso")),
                                          ("Flood", Filters(query="flood* NOT velloso"))])
    assert voice["name"].tolist() == ["Tram", "Velloso", "Flood"]
    assert voice["articles"].tolist() == [2, 5, 0]  # Velloso is named in all five articles
    assert voice["only_this"].tolist() == [0, 3, 0]
    assert voice["share_of_voice"].tolist() == pytest.approx([2 / 7, 5 / 7, 0.0])
    assert compare.voice(fiction_store, []).empty


QUERIES = ["tram", "harbour OR flood*", '"tram budget"', "NOT tram", "velloso AND NOT brandt",
           "brandt NEAR/5 election", "jobs", "mayor OR (waste AND tram)"]


def matching(store, text: str) -> set[str]:
    """The articles the query matches by the language's reference evaluator (not the index)."""
    node = query.parse(text)
    assert node is not None
    rows = store.query("SELECT article_id, title, text FROM articles")
    return {r.article_id for r in rows.itertuples() if query.matches(node, (r.title or "", r.text or ""))}


@pytest.mark.parametrize("text", QUERIES)
def test_tone_is_the_mean_of_the_matching_articles_sentences(fiction_store, text):
    hit = matching(fiction_store, text)
    sentences = fiction_store.query("SELECT s.article_id, s.tone, a.date FROM sentences s JOIN articles a "
                                    "USING (article_id)")
    sentences = sentences[sentences["article_id"].isin(hit)]
    week = pd.to_datetime(sentences["date"]).dt.to_period("W-SUN").dt.start_time
    expected = sentences.groupby(week)["tone"].agg(["mean", "count"])
    got = series(fiction_store, text).set_index("period")
    assert got["articles"].sum() == len(hit)
    for period, row in got.iterrows():
        if period in expected.index:
            assert row["sentences"] == expected.loc[period, "count"]
            assert row["tone"] == pytest.approx(expected.loc[period, "mean"])
            assert row["tone_low"] <= row["tone"] <= row["tone_high"]
        else:
            assert row["sentences"] == 0 and np.isnan(row["tone"])


@pytest.mark.parametrize("text", QUERIES)
def test_tone_toward_a_name_counts_its_mentions_in_the_matching_articles(fiction_store, text):
    hit = matching(fiction_store, text)
    names = ["Tomas Brandt", "Mara Velloso"]  # not A-Z: the sidebar's order is kept
    mentions = fiction_store.query("SELECT article_id, date, entity, tone FROM mentions")
    mentions = mentions[mentions["article_id"].isin(hit) & mentions["entity"].isin(names)]
    got = compare.query_toward(fiction_store, Filters(query=text), text, "W", names)
    assert list(got.columns) == list(schema.COMPARE_TOWARD)
    assert got["entity"].unique().tolist() == names and got["name"].eq(text).all()
    for entity in names:
        mine = mentions[mentions["entity"] == entity]
        rows = got[got["entity"] == entity]
        assert rows["mentions"].sum() == len(mine)
        if len(mine):
            weighted = (rows["tone"].fillna(0) * rows["mentions"]).sum() / rows["mentions"].sum()
            assert weighted == pytest.approx(mine["tone"].mean())
    assert compare.query_toward(fiction_store, Filters(query=text), text, "W", []).empty


def test_a_query_that_cannot_be_read_raises_the_query_error(fiction_store):
    with pytest.raises(query.QueryError, match="never closed"):
        series(fiction_store, "tram AND (budget")


@pytest.mark.parametrize("name", ["compare", "compare_toward", "compare_voice"])
def test_the_readme_documents_every_column(name):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split(f"### `{name}`", 1)
    assert len(section) == 2, f"README has no data dictionary section for {name}"
    documented = re.findall(r"^\| `(\w+)` \|", section[1].split("###", 1)[0], flags=re.M)
    assert documented == list(getattr(schema, name.upper())), f"{name}: README lists {documented}"


WORDS = st.sampled_from(["tram", "harbour", "velloso", "brandt", "election", "jobs", "flood*", '"tram budget"',
                         "mayor", "okafor", "taxes", "northbridge", "cut*", "nothingmatches"])


@st.composite
def queries(draw, depth: int = 2) -> str:
    """A query of the language: words, prefixes and phrases joined by AND, OR, NOT and parentheses."""
    if depth == 0 or draw(st.booleans()):
        return draw(WORDS)
    left, right = draw(queries(depth=depth - 1)), draw(queries(depth=depth - 1))
    return draw(st.sampled_from([f"{left} AND {right}", f"{left} OR {right}", f"({left}) NOT ({right})",
                                 f"({left} OR {right})", f"NOT ({left})"]))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(queries(), min_size=1, max_size=5))
def test_counts_and_overlaps_agree_with_the_reference_for_any_queries(fiction_store, texts):
    hits = [matching(fiction_store, t) for t in texts]
    voice = compare.voice(fiction_store, [(f"Q{n}", Filters(query=t)) for n, t in enumerate(texts)])
    assert voice["articles"].tolist() == [len(h) for h in hits]
    assert voice["only_this"].tolist() == [len(h - set().union(*(o for k, o in enumerate(hits) if k != n)))
                                           for n, h in enumerate(hits)]
    frames = [compare.query_series(fiction_store, Filters(query=t), f"Q{n}", "W") for n, t in enumerate(texts)]
    both = compare.combine(frames, schema.COMPARE)
    assert both.groupby("name", sort=False)["articles"].sum().tolist() == [len(h) for h in hits]
    assert (both["articles"] <= both["total_articles"]).all()
