"""The DuckDB store: transactions, versions, schema and its migrations, waiting for a busy file."""
import shutil

import duckdb
import pandas as pd
import pytest

from monitor import locking as locking_module
from monitor import tables as tables_module
from monitor.ingest.pipeline import ingest
from monitor.locking import retry_while_busy
from monitor.store import Store, StoreError
from monitor.tables import SCHEMA_VERSION
from tests.conftest import SEEDS
from tests.old_schema import downgrade


def test_a_failed_batch_leaves_the_store_as_it_was(tmp_path):
    store = Store(tmp_path / "s.duckdb")
    good = pd.DataFrame({"article_id": ["a1"], "sentence_id": [0], "text": ["Mara Velloso spoke."], "tone": [0.0]})
    store.write_batch({"sentences": good})
    version = store.version()
    bad = {"sentences": good.assign(article_id="a2"), "topic_hits": pd.DataFrame({"no_such_column": [1]})}
    with pytest.raises(StoreError, match="rolled back"):
        store.write_batch(bad)
    assert store.query("SELECT article_id FROM sentences")["article_id"].tolist() == ["a1"]
    assert store.version() == version


def test_a_write_that_changes_a_table_bumps_the_version_and_one_that_does_not_leaves_it(tmp_path):
    store = Store(tmp_path / "s.duckdb")
    before = store.version()
    entity_map = pd.DataFrame({"name": ["Velloso"], "key": ["velloso"], "entity": ["Mara Velloso"],
                               "entity_type": ["person"]})
    assert store.rebuild_entity_map(lambda stats: entity_map)
    assert store.version() == before + 1
    assert not store.rebuild_entity_map(lambda stats: entity_map.iloc[::-1])  # same rows, another order
    assert store.version() == before + 1
    assert store.rebuild_entity_map(lambda stats: entity_map.assign(entity="Mara Velloso-Reis"))
    assert store.version() == before + 2
    hits = pd.DataFrame({"article_id": ["a1"], "sentence_id": [0], "topic": ["Transport"], "keyword": ["tram"]})
    topics = pd.DataFrame({"article_id": ["a1"], "topics": ["Transport"]})
    assert store.replace_topics(hits, topics) and store.version() == before + 3
    assert not store.replace_topics(hits, topics) and store.version() == before + 3
    nothing = pd.DataFrame(columns=["article_id", "sentence_id", "text", "tone"])
    assert store.write_batch({"sentences": nothing}) == set()
    assert store.version() == before + 3


def test_re_ingesting_the_seed_leaves_the_version_alone_and_a_new_article_moves_it(tmp_path):
    """The dashboard caches by version: an ingest that adds nothing must not empty its caches."""
    store = Store(tmp_path / "s.duckdb")
    versions = []
    for _ in range(3):
        ingest(store, [SEEDS])
        versions.append(store.version())
    assert versions[0] > 0 and versions[1] == versions[2] == versions[0], versions
    new = tmp_path / "new"
    new.mkdir()
    (new / "a.txt").write_text("date 2031-05-06\nsource: The Northbridge Courier\n"
                               "Mara Velloso opened the new tram line in Northbridge on Tuesday.\n")
    assert ingest(store, [new]).total("added") == 1
    assert store.version() > versions[-1]


def test_in_memory_store_keeps_its_data(tmp_path):
    store = Store(":memory:")
    store.set_meta("k", "v")
    assert store.meta("k") == "v"


def test_read_only_store_cannot_write(tmp_path):
    Store(tmp_path / "s.duckdb")
    reader = Store(tmp_path / "s.duckdb", read_only=True)
    with pytest.raises(Exception, match="read-only"):
        reader.set_meta("k", "v")


def old_store(fiction_store, path):
    """A copy of the fiction store as made before `topic_mentions` existed: schema version 1."""
    shutil.copyfile(fiction_store.path, path)
    downgrade(path, 1)
    return path


def test_a_new_store_is_at_the_current_schema_version(tmp_path):
    store = Store(tmp_path / "s.duckdb")
    assert store.meta("schema_version") == str(SCHEMA_VERSION) and store.migrated_from is None
    assert store.query("SELECT count(*) AS n FROM topic_mentions")["n"].iloc[0] == 0


def test_a_writable_open_migrates_an_older_store_and_a_read_only_one_says_how(fiction_store, tmp_path):
    path = old_store(fiction_store, tmp_path / "old.duckdb")
    with pytest.raises(StoreError, match=rf"schema version 1, this monitor needs {SCHEMA_VERSION}: "
                                         r"run `python -m monitor migrate"):
        Store(path, read_only=True)
    store = Store(path)
    assert store.migrated_from == 1 and store.meta("schema_version") == str(SCHEMA_VERSION)
    assert store.version() == fiction_store.version() + 1  # 2 -> 3 changed the tone readers see: once
    for rows in ("SELECT * FROM topic_mentions ORDER BY article_id, sentence_id, topic",
                 "SELECT * FROM mentions ORDER BY article_id, sentence_id, entity"):  # the ingest's tones again
        pd.testing.assert_frame_equal(store.query(rows), fiction_store.query(rows))
    assert Store(path).migrated_from is None  # migrated once
    assert Store(path, read_only=True).version() == fiction_store.version() + 1


def test_a_failed_migration_leaves_the_store_as_it_was(fiction_store, tmp_path, monkeypatch):
    path = old_store(fiction_store, tmp_path / "old.duckdb")
    monkeypatch.setattr(tables_module, "MIGRATIONS", ("SELECT * FROM no_such_table",))
    with pytest.raises(StoreError, match="no_such_table"):
        Store(path)
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall() == [("1",)]


def test_a_store_of_a_newer_version_is_refused_untouched(tmp_path):
    path = tmp_path / "s.duckdb"
    Store(path).set_meta("schema_version", str(SCHEMA_VERSION + 1))
    for read_only in (False, True):
        with pytest.raises(StoreError, match="open it with a newer monitor"):
            Store(path, read_only=read_only)
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall() == \
            [(str(SCHEMA_VERSION + 1),)]


def attempts(*outcomes):
    """Return a function that, call after call, raises or returns the next of `outcomes`."""
    left = iter(outcomes)

    def attempt():
        outcome = next(left)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome
    return attempt


def test_retry_while_busy_waits_out_a_busy_file_and_gives_up_on_anything_else(monkeypatch):
    monkeypatch.setattr(locking_module, "LOCK_RETRY_SECONDS", 0.001)
    assert retry_while_busy("s.duckdb", attempts(duckdb.IOException("Could not set lock on file"), None,
                                                 "opened")) == "opened"
    with pytest.raises(StoreError, match=r"s\.duckdb: cannot open the store: .*not a database"):
        retry_while_busy("s.duckdb", attempts(duckdb.IOException("not a database")))
    monkeypatch.setattr(locking_module, "LOCK_WAIT_SECONDS", -1.0)  # the deadline has passed
    with pytest.raises(StoreError, match="lock"):
        retry_while_busy("s.duckdb", attempts(duckdb.IOException("Could not set lock on file")))
