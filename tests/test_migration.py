"""Schema 2 -> 3: the tone toward each stored mention, filled from the stored sentences and spans (no NER).

The v2 store is made with the v2 SQL (tests/old_schema.py) and fictional sentences: several names per
sentence in several places and spellings, so every tone depends on the other spans of its sentence.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from monitor import tables
from monitor.ingest.tone import mention_tones
from monitor.store import Store, StoreError
from monitor.tables import SCHEMA_VERSION
from tests.conftest import ROOT
from tests.old_schema import V2_MENTIONS, V2_TABLES, V2_TOPIC_MENTIONS

# Fictional people and outlets; {0} and {1} are two names, {2} sometimes a third.
TEMPLATES = [
    "{0} praised the plan while {1} attacked it.",
    "{0} won the vote, but {1} lost her seat to {2}.",
    "Critics led by {1} called {0} a reckless liar.",
    "{0} thanked {1} warmly for the wonderful harbour project.",
    "\u201cIt is a disgrace,\u201d {1} said of {0}\u2019s budget.",
    "{0} met {1} and {2} on Monday.",
    "{0}, who was praised by {2}, blamed {1} for the terrible floods.",
]
NAMES = [("Dana Holt", "Holt"), ("Rik Osterman", "Osterman"), ("Ines Okafor", "Okafor"),
         ("Mara Velloso", "Velloso"), ("Tomas Brandt", "Brandt")]


def fictional_rows(articles: int) -> tuple[list[tuple], list[tuple], list[tuple]]:
    """Return (articles, sentences, raw_mentions) rows: each article a few templated sentences whose names
    rotate through NAMES, written in full or by surname."""
    arts, sents, raws = [], [], []
    for a in range(articles):
        aid = f"a{a:03d}"
        arts.append((aid, pd.Timestamp("2021-03-01") + pd.Timedelta(days=a), "Lakeside Ledger" if a % 2 else
                     "The Northbridge Courier", f"Story {a}", 0.0, "Economy and jobs"))
        for sid in range(3):
            picks = [NAMES[(a + sid + k) % len(NAMES)] for k in range(3)]
            written = [full if (a + k) % 3 else short for k, (full, short) in enumerate(picks)]
            template = TEMPLATES[(a * 3 + sid) % len(TEMPLATES)]
            text = template.format(*written)
            sents.append((aid, sid, text, mention_tones(text, []).sentence))
            for k, surface in enumerate(written):
                if "{" + str(k) + "}" in template:
                    start = text.index(surface)
                    raws.append((aid, sid, start, start + len(surface), surface, picks[k][0], "PERSON", "ner"))
    return arts, sents, raws


def make_v2_store(path: Path, articles: int = 12) -> Path:
    """Write a schema-2 store of fictional articles with the v2 SQL, its derived tables made."""
    arts, sents, raws = fictional_rows(articles)
    with duckdb.connect(str(path)) as con:
        con.execute(V2_TABLES)
        con.execute("INSERT INTO meta VALUES ('schema_version', '2'), ('version', '7')")
        con.executemany("INSERT INTO articles (article_id, date, source, title, tone, topics, story_id) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?)", [(*row, row[0]) for row in arts])
        con.executemany("INSERT INTO sentences VALUES (?, ?, ?, ?)", sents)
        con.executemany("INSERT INTO raw_mentions VALUES (?, ?, ?, ?, ?, ?, ?, ?)", raws)
        con.executemany("INSERT INTO entity_map VALUES (?, ?, ?, 'person')",
                        [(full, full.lower(), full) for full, _ in NAMES])
        con.execute("INSERT INTO topic_hits VALUES ('a000', 0, 'Economy and jobs', 'plan')")
        con.execute(V2_MENTIONS)
        con.execute(V2_TOPIC_MENTIONS)
    return path


def expected_tones(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, int, int], float]:
    """Return (article, sentence, start) -> mention_tones over all the spans of that stored sentence."""
    out = {}
    rows = con.execute("SELECT r.article_id, r.sentence_id, s.text, list([r.start_char, r.end_char] "
                       "ORDER BY r.start_char) FROM raw_mentions r JOIN sentences s USING (article_id, sentence_id) "
                       "GROUP BY ALL").fetchall()
    for aid, sid, text, spans in rows:
        scored = mention_tones(text, [tuple(span) for span in spans]).mentions
        out.update({(aid, sid, span[0]): tone for span, tone in zip(spans, scored, strict=True)})
    return out


def assert_migrated(path: Path) -> None:
    """Check a store migrated to 3: every raw mention's tone is mention_tones', `mentions` carries it and the
    sentence's tone, `name_links` is there and empty."""
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall() == [(str(SCHEMA_VERSION),)]
        assert not tables.schema_problems(con)
        stored = {(a, s, c): t for a, s, c, t in con.execute(
            "SELECT article_id, sentence_id, start_char, tone FROM raw_mentions").fetchall()}
        assert stored == pytest.approx(expected_tones(con), abs=1e-12)
        bad = con.execute("SELECT count(*) FROM mentions m JOIN sentences s USING (article_id, sentence_id) "
                          "JOIN raw_mentions r USING (article_id, sentence_id, start_char) "
                          "WHERE m.sentence_tone IS DISTINCT FROM s.tone OR m.tone IS DISTINCT FROM r.tone").fetchall()
        assert bad == [(0,)]
        assert con.execute("SELECT count(*) FROM name_links").fetchall() == [(0,)]


def test_a_v2_store_opened_writable_gets_the_tone_toward_each_mention(tmp_path):
    path = make_v2_store(tmp_path / "v2.duckdb")
    with pytest.raises(StoreError, match=r"schema version 2, this monitor needs \d+: run `python -m monitor migrate"):
        Store(path, read_only=True)  # a reader never migrates: it says how
    store = Store(path)
    assert store.migrated_from == 2 and store.version() == 8  # readers' caches see the new tones
    assert_migrated(path)
    holt = store.query("SELECT tone, sentence_tone FROM mentions WHERE article_id = 'a000' AND sentence_id = 0 "
                       "ORDER BY start_char")
    assert len(holt) == 2 and holt["tone"].iloc[0] > 0 > holt["tone"].iloc[1]  # "praised" vs "attacked"
    assert holt["sentence_tone"].nunique() == 1


@pytest.mark.parametrize("batch", [1, 5, 1000])
def test_the_migration_gives_the_same_tones_whatever_its_batch(tmp_path, monkeypatch, batch):
    monkeypatch.setattr(tables, "TONE_BATCH_ARTICLES", batch)
    path = make_v2_store(tmp_path / "v2.duckdb", articles=11)
    Store(path)
    assert_migrated(path)


def assert_still_v2(path: Path) -> None:
    """Check the store is the v2 store it was: version marker, no tone column, no name_links."""
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall() == [("2",)]
        columns = {c for (c,) in con.execute("SELECT column_name FROM duckdb_columns() "
                                             "WHERE table_name = 'raw_mentions'").fetchall()}
        assert "tone" not in columns
        assert not con.execute("SELECT 1 FROM duckdb_tables() WHERE table_name = 'name_links'").fetchall()


def test_a_migration_that_fails_midway_leaves_the_v2_store(tmp_path, monkeypatch):
    path = make_v2_store(tmp_path / "v2.duckdb")
    monkeypatch.setattr(tables, "TONE_BATCH_ARTICLES", 2)
    real, calls = tables.mention_tone_rows, []

    def fail_on_third(con, ids):
        calls.append(ids)
        if len(calls) == 3:
            raise duckdb.IOException("No space left on device")
        return real(con, ids)
    monkeypatch.setattr(tables, "mention_tone_rows", fail_on_third)
    with pytest.raises(StoreError, match="disk is full"):
        Store(path)
    assert_still_v2(path)
    monkeypatch.setattr(tables, "mention_tone_rows", real)
    assert Store(path).migrated_from == 2
    assert_migrated(path)


# A process that migrates the store and stops for good after the first batch's tones, having said so.
_STALLS = """
import sys, threading
from pathlib import Path
from monitor import tables
from monitor.store import Store
real = tables.mention_tone_rows
def stall(con, ids):
    rows = real(con, ids)
    Path(sys.argv[2]).write_text("scored")
    threading.Event().wait()
tables.TONE_BATCH_ARTICLES = 2
tables.mention_tone_rows = stall
Store(sys.argv[1])
"""


def test_a_migration_killed_midway_leaves_a_usable_v2_store(tmp_path):
    path, signal_file = make_v2_store(tmp_path / "v2.duckdb"), tmp_path / "scored"
    child = subprocess.Popen([sys.executable, "-c", _STALLS, str(path), str(signal_file)], cwd=ROOT,
                             env={**os.environ, "PYTHONPATH": str(ROOT)}, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while not signal_file.exists():
            assert child.poll() is None, child.stderr.read().decode() if child.stderr else ""
            assert time.monotonic() < deadline, "the migrating process never scored a batch"
            time.sleep(0.05)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert_still_v2(path)
    with pytest.raises(StoreError, match="schema version 2"):
        Store(path, read_only=True)
    assert Store(path).migrated_from == 2
    assert_migrated(path)


@pytest.mark.parametrize("batch", [1, 1000])
def test_the_migration_finds_the_quotations_of_the_stored_sentences(tmp_path, monkeypatch, batch):
    """Schema 4 -> 5 (run here from 2): the quotations come from the stored sentences and mentions, no NER.
    The stored articles have no text, so the offsets are unknown (NULL) and the rest is still found."""
    monkeypatch.setattr(tables, "QUOTE_BATCH_ARTICLES", batch)
    path = make_v2_store(tmp_path / "v2.duckdb")
    Store(path)
    with duckdb.connect(str(path), read_only=True) as con:
        expected = con.execute(
            "SELECT s.article_id, s.sentence_id, r.name FROM sentences s JOIN raw_mentions r USING "
            "(article_id, sentence_id) WHERE s.text LIKE '\u201cIt is a disgrace,\u201d%' "
            "AND r.start_char = length('\u201cIt is a disgrace,\u201d ') ORDER BY 1, 2").fetchall()
        found = con.execute("SELECT article_id, sentence_id, speaker_name, text, attribution, cue, start_char "
                            "FROM quotes ORDER BY 1, 2").fetchall()
    assert expected and found == [(a, s, name, "It is a disgrace,", "named", "same", None) for a, s, name in expected]
