"""The dashboard's SQL aggregates: the derived topic table and its fallback agree; name resolution."""
from __future__ import annotations

import shutil

import duckdb
import pandas as pd
import pytest

from monitor.read import aggregations
from monitor.read.filters import Filters, resolve_entity
from monitor.store import Store

TOPIC_FILTERS = [Filters(), Filters(unique_stories=True), Filters(sources=("Lakeside Ledger",)),
                 Filters(entities=("Tomas Brandt",)), Filters(since="2021-03-09", until="2021-03-20")]


@pytest.fixture(scope="module")
def without_derived(fiction_store, tmp_path_factory) -> Store:
    """The fiction store as made before `topic_mentions` existed."""
    path = tmp_path_factory.mktemp("old") / "old.duckdb"
    shutil.copyfile(fiction_store.path, path)
    with duckdb.connect(str(path)) as con:
        con.execute("DROP TABLE topic_mentions")
    return Store(path, read_only=True)


def test_the_store_derives_topic_mentions(fiction_store):
    derived = fiction_store.query("SELECT count(*) AS n FROM topic_mentions")["n"].iloc[0]
    hits = fiction_store.query("SELECT count(*) AS n FROM topic_hits")["n"].iloc[0]
    assert derived == hits > 0


@pytest.mark.parametrize("f", TOPIC_FILTERS)
def test_topic_series_and_options_agree_with_and_without_the_derived_table(fiction_store, without_derived, f):
    topics = aggregations.topic_options(fiction_store, Filters())["name"].tolist()
    assert topics
    pd.testing.assert_frame_equal(aggregations.topic_options(fiction_store, f), aggregations.topic_options(without_derived, f))
    for freq in ("D", "W", "M"):
        new = aggregations.topic_series(fiction_store, f, freq, topics)
        old = aggregations.topic_series(without_derived, f, freq, topics)
        pd.testing.assert_frame_equal(new, old)


def test_topic_series_counts_sentences_articles_and_tone(fiction_store):
    topics = aggregations.topic_options(fiction_store, Filters())["name"].tolist()
    series = aggregations.topic_series(fiction_store, Filters(), "M", topics)
    hits = fiction_store.query(
        "SELECT t.topic, count(*) AS n, count(DISTINCT t.article_id) AS a, avg(s.tone) AS tone FROM topic_hits t "
        "JOIN sentences s USING (article_id, sentence_id) GROUP BY t.topic")
    expected = hits.set_index("topic")
    by_topic = series.groupby("name")[["mentions", "articles"]].sum()  # one month: sums are the totals
    for topic, row in by_topic.iterrows():
        assert row["mentions"] == expected.loc[topic, "n"] and row["articles"] == expected.loc[topic, "a"]
    tone = series.set_index("name")["tone"]
    assert tone.to_dict() == pytest.approx(expected["tone"].to_dict())


def test_resolve_entity_canonical_variant_and_surface(fiction_store):
    assert resolve_entity(fiction_store, "Mara Velloso") == "Mara Velloso"
    assert resolve_entity(fiction_store, "mara velloso") == "Mara Velloso"
    assert resolve_entity(fiction_store, "Velloso") == "Mara Velloso"
    assert resolve_entity(fiction_store, "Nobody Here") is None


def test_voice_from_top_equals_asking_for_the_names(fiction_store):
    f = Filters()
    top = aggregations.top_entities(fiction_store, f, "person", None, 15, 1)
    names = top["name"].head(2).tolist()[::-1]
    asked = aggregations.top_entities(fiction_store, f, "person", names, len(names), 1)
    pd.testing.assert_frame_equal(aggregations.voice_from_top(top, names), asked)
    assert aggregations.voice_from_top(top, [*names, "Nobody Here"]) is None


@pytest.mark.parametrize("freq", ["D", "W", "M"])
def test_series_with_the_callers_totals_are_the_same(fiction_store, freq):
    f = Filters(sources=("Lakeside Ledger",))
    totals = aggregations.period_totals(fiction_store, f, freq)
    names = aggregations.top_entities(fiction_store, f, "person")["name"].tolist()
    topics = aggregations.topic_options(fiction_store, f)["name"].tolist()
    pd.testing.assert_frame_equal(aggregations.entity_series(fiction_store, f, freq, names, totals),
                                  aggregations.entity_series(fiction_store, f, freq, names))
    with_people = Filters(sources=f.sources, entities=tuple(names[:1]))
    pd.testing.assert_frame_equal(aggregations.topic_series(fiction_store, with_people, freq, topics, totals),
                                  aggregations.topic_series(fiction_store, with_people, freq, topics))


@pytest.mark.parametrize("min_mentions", [1, 2])
@pytest.mark.parametrize("f", [Filters(), Filters(sources=("Lakeside Ledger",)), Filters(topics=("Economy and jobs",))])
def test_entity_table_ranks_every_entity_as_top_entities_does(fiction_store, f, min_mentions):
    """The dashboard ranks, picks and fills the top table from entity_table: what top_entities gives, in one query."""
    table = aggregations.entity_table(fiction_store, f, "person", min_mentions)
    every = aggregations.top_entities(fiction_store, f, "person", None, 100_000, min_mentions)
    assert table["name"].tolist() == every["name"].tolist()
    assert table["mentions"].tolist() == every["mentions"].tolist()
    for limit in (15, 2):
        pd.testing.assert_frame_equal(aggregations.top_of(table, limit),
                                      aggregations.top_entities(fiction_store, f, "person", None, limit, min_mentions))
