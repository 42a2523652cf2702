"""The DuckDB store: transactions, versions, schema."""
import pandas as pd
import pytest

from monitor.store import Store


def test_a_failed_batch_leaves_the_store_as_it_was(tmp_path):
    store = Store(tmp_path / "s.duckdb")
    good = pd.DataFrame({"article_id": ["a1"], "sentence_id": [0], "text": ["Mara Velloso spoke."], "tone": [0.0]})
    store.write_batch({"sentences": good})
    version = store.version()
    bad = {"sentences": good.assign(article_id="a2"), "topic_hits": pd.DataFrame({"no_such_column": [1]})}
    with pytest.raises(Exception):
        store.write_batch(bad)
    assert store.query("SELECT article_id FROM sentences")["article_id"].tolist() == ["a1"]
    assert store.version() == version


def test_every_write_bumps_the_version(tmp_path):
    store = Store(tmp_path / "s.duckdb")
    before = store.version()
    entity_map = pd.DataFrame({"name": ["Velloso"], "key": ["velloso"], "entity": ["Mara Velloso"],
                               "entity_type": ["person"]})
    store.rebuild_entity_map(lambda stats: entity_map)
    assert store.version() == before + 1


def test_in_memory_store_keeps_its_data(tmp_path):
    store = Store(":memory:")
    store.set_meta("k", "v")
    assert store.meta("k") == "v"


def test_read_only_store_cannot_write(tmp_path):
    Store(tmp_path / "s.duckdb")
    reader = Store(tmp_path / "s.duckdb", read_only=True)
    with pytest.raises(Exception, match="read-only"):
        reader.set_meta("k", "v")
