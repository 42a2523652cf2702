"""The dashboard's SQL aggregations: topics read from the store's derived table (migrated into older
stores), name resolution, the top table and its shortcuts."""
from __future__ import annotations

import shutil

import pandas as pd
import pytest

from monitor import tables
from monitor.read import aggregations, frames
from monitor.read.filters import Filters, resolve_entity
from monitor.store import Store, StoreError
from monitor.tables import SCHEMA_VERSION
from tests.old_schema import downgrade

TOPIC_FILTERS = [Filters(), Filters(unique_stories=True), Filters(sources=("Lakeside Ledger",)),
                 Filters(entities=("Tomas Brandt",)), Filters(since="2021-03-09", until="2021-03-20"),
                 Filters(topics=("Economy and jobs",))]

# What topic_mentions holds, joined afresh from the tables it is derived from.
TOPIC_ROWS = ("SELECT t.article_id, a.date, a.source, t.sentence_id, t.topic, t.keyword, s.tone, a.story_id, "
              "a.is_copy FROM topic_hits t JOIN articles a USING (article_id) "
              "JOIN sentences s USING (article_id, sentence_id)")


@pytest.fixture(scope="module")
def migrated(fiction_store, tmp_path_factory) -> Store:
    """The fiction store as made before `topic_mentions` existed (schema version 1), opened writable: migrated."""
    path = tmp_path_factory.mktemp("old") / "old.duckdb"
    shutil.copyfile(fiction_store.path, path)
    downgrade(path, 1)
    with pytest.raises(StoreError, match=rf"schema version 1, this monitor needs {SCHEMA_VERSION}: "
                                         r"run `python -m monitor migrate"):
        Store(path, read_only=True)  # readers never probe: an old store is refused, saying how to migrate it
    assert Store(path).migrated_from == 1
    return Store(path, read_only=True)


def test_the_store_derives_topic_mentions(fiction_store):
    derived = fiction_store.query(f"SELECT * FROM topic_mentions EXCEPT ALL ({TOPIC_ROWS})")
    again = fiction_store.query(f"({TOPIC_ROWS}) EXCEPT ALL SELECT * FROM topic_mentions")
    hits = fiction_store.query("SELECT count(*) AS n FROM topic_hits")["n"].iloc[0]
    assert derived.empty and again.empty and hits > 0


def test_the_topic_hits_frame_reads_the_derived_table(fiction_store):
    for f in TOPIC_FILTERS:
        frame = frames.topic_hits(fiction_store, f)
        assert len(frame) and set(frame["article_id"]) <= set(frames.articles(fiction_store, f)["article_id"])
    joined = fiction_store.query(f"SELECT * FROM ({TOPIC_ROWS}) ORDER BY date, article_id, sentence_id, topic")
    every = frames.topic_hits(fiction_store)
    assert every[["article_id", "sentence_id", "topic", "keyword"]].astype(object).values.tolist() == \
        joined[["article_id", "sentence_id", "topic", "keyword"]].astype(object).values.tolist()
    assert every["tone"].tolist() == joined["tone"].tolist()


@pytest.mark.parametrize("f", TOPIC_FILTERS)
def test_a_migrated_store_answers_as_a_new_one(fiction_store, migrated, f):
    topics = aggregations.topic_options(fiction_store, Filters())["name"].tolist()
    assert topics
    assert migrated.version() == fiction_store.version() + 1  # 2 -> 3 changed the mentions' tones, once
    pd.testing.assert_frame_equal(aggregations.topic_options(fiction_store, f), aggregations.topic_options(migrated, f))
    pd.testing.assert_frame_equal(frames.mentions(fiction_store, f), frames.mentions(migrated, f))
    pd.testing.assert_frame_equal(frames.topic_hits(fiction_store, f), frames.topic_hits(migrated, f))
    for freq in ("D", "W", "M"):
        new = aggregations.topic_series(fiction_store, f, freq, topics)
        old = aggregations.topic_series(migrated, f, freq, topics)
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


def test_a_name_linked_for_its_article_goes_to_that_entity(fiction_store, tmp_path):
    path = tmp_path / "linked.duckdb"
    shutil.copyfile(fiction_store.path, path)
    store = Store(path)
    articles = store.query("SELECT DISTINCT article_id FROM raw_mentions WHERE name = 'Mara Velloso' ORDER BY 1")
    linked = articles["article_id"].iloc[0]
    with store.transaction() as con:  # what the per-article resolution writes: one article's Velloso is another
        con.execute("INSERT INTO name_links VALUES (?, 'Mara Velloso', 'Rosa Velloso', 'person')", [linked])
        con.execute(tables.DERIVED)
    mentions = frames.mentions(store)
    velloso = mentions[mentions["surface"].str.contains("Velloso")]
    assert set(velloso.loc[velloso["article_id"] == linked, "entity"]) == {"Rosa Velloso"}
    assert set(velloso.loc[velloso["article_id"] != linked, "entity"]) == {"Mara Velloso"}
    before = frames.mentions(fiction_store)
    assert len(mentions) == len(before) and mentions["tone"].tolist() == before["tone"].tolist()
    shown = aggregations.sentences_behind(store, Filters(), "Rosa Velloso")
    assert set(shown["article_id"]) == {linked}
    assert len(shown) == len(velloso[velloso["article_id"] == linked])
    assert linked not in set(aggregations.sentences_behind(store, Filters(), "Mara Velloso")["article_id"])
