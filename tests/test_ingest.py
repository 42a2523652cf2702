"""Ingest into a store file: incremental, duplicates, bad input, topics and watchlist changes."""
import json
import subprocess
import sys

import pytest

from monitor.ingest.pipeline import ingest
from monitor.ingest.topics import Taxonomy
from monitor.ingest.watchlist import Watchlist
from monitor.read import frames
from monitor.store import Store, StoreError
from tests.conftest import ROOT, SEEDS

STORY = ("Mara Velloso, the mayor of Northbridge, opened a new tram line on Tuesday.\n\n"
         "Velloso said the line would cut commuting times and help the economy. "
         "Her rival Tomas Brandt called the project a reckless waste of taxpayers' money.\n\n"
         "Brandt promised to campaign against the mayor in the next election.")


def write_corpus(folder):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "a.txt").write_text(f"date 2021-05-06\ntitle: Tram line opens\nsource The Northbridge Courier\n{STORY}\n")
    (folder / "copy.txt").write_text(f"date 2021-05-07\nsource Lakeside Ledger\n{STORY}\n")  # same body
    (folder / "b.jsonl").write_text(
        json.dumps({"headline": "Harbour plan", "body": "Ines Okafor unveiled a harbour plan on Friday. "
                    "Okafor said jobs would follow.", "published": "2021-05-09T10:00:00Z",
                    "outlet": "Lakeside Ledger"}) + "\n{not json\n")
    (folder / "notes.pdf").write_bytes(b"%PDF-1.4 binary")
    return folder


@pytest.fixture
def store(tmp_path):
    return Store(tmp_path / "store.duckdb")


def test_ingest_reports_added_duplicates_and_skipped(store, tmp_path):
    report = ingest(store, [write_corpus(tmp_path / "in")], watchlist=Watchlist())
    assert report.total("added") == 2 and report.total("duplicates") == 1
    reasons = " | ".join(report.skipped)
    assert "b.jsonl#2" in reasons and "notes.pdf" in reasons
    people = frames.mentions(store, frames.Filters(entity_types=("person",)))
    assert {"Mara Velloso", "Tomas Brandt"} <= set(people["entity"])
    assert "Ines Okafor" in set(frames.mentions(store)["entity"])  # the small model may call her a place
    assert set(frames.articles(store)["source"]) == {"The Northbridge Courier", "Lakeside Ledger"}


def test_reingest_is_unchanged_and_keeps_what_was_stored(store, tmp_path):
    corpus = write_corpus(tmp_path / "in")
    ingest(store, [corpus], watchlist=Watchlist())
    before = frames.mentions(store)
    again = ingest(store, [corpus], watchlist=Watchlist())
    assert again.total("added") == 0 and again.total("unchanged") == 2 and not again.model_loaded
    assert frames.mentions(store).equals(before)


@pytest.mark.heavy
def test_reingest_of_unchanged_corpus_does_not_load_the_model(tmp_path):
    corpus = write_corpus(tmp_path / "in")
    path = tmp_path / "s.duckdb"
    code = ("import sys; from monitor.store import Store; from monitor.ingest.pipeline import ingest;"
            f"r = ingest(Store({str(path)!r}), [{str(corpus)!r}]);"
            "print(r.total('added'), r.total('unchanged'), 'spacy' in sys.modules)")
    runs = [subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
            for _ in range(2)]
    assert runs[0].stdout.split() == ["2", "0", "True"]
    assert runs[1].stdout.split() == ["0", "2", "False"]


def test_topic_change_rematches_stored_sentences(store, tmp_path):
    corpus = write_corpus(tmp_path / "in")
    ingest(store, [corpus], watchlist=Watchlist())
    assert "Transport" not in set(frames.topic_hits(store)["topic"])
    custom = Taxonomy.from_dict({"topics": {"transport": {"label": "Transport", "description": "trams",
                                                          "keywords": ["tram*", "commut*"]}}})
    ingest(store, [corpus], taxonomy=custom, watchlist=Watchlist())
    assert set(frames.topic_hits(store)["topic"]) == {"Transport"}
    assert set(frames.articles(store)["topics"]) == {"Transport", ""}


def test_watchlist_change_applies_without_reanalysis(store, tmp_path):
    corpus = write_corpus(tmp_path / "in")
    ingest(store, [corpus], watchlist=Watchlist())
    wl = Watchlist.from_dict({"entities": {"Mayor Velloso": {"aliases": ["Mara Velloso"]}}})
    report = ingest(store, [corpus], watchlist=wl)
    assert not report.model_loaded
    assert "Mayor Velloso" in set(frames.mentions(store)["entity"])


def test_filters(store, tmp_path):
    ingest(store, [write_corpus(tmp_path / "in")], watchlist=Watchlist())
    F = frames.Filters
    assert set(frames.mentions(store, F(entities=("Velloso",)))["entity"]) == {"Mara Velloso"}
    assert frames.mentions(store, F(since="2021-05-08"))["date"].min().day == 9
    assert len(frames.articles(store, F(until="2021-05-06"))) == 1
    assert len(frames.articles(store, F(entities=("Ines Okafor",)))) == 1
    assert set(frames.articles(store, F(sources=("Lakeside Ledger",)))["title"]) == {"Harbour plan"}


def test_read_only_store_must_exist(tmp_path):
    with pytest.raises(StoreError, match="no store here yet"):
        Store(tmp_path / "missing.duckdb", read_only=True)


def test_store_of_another_schema_version_is_refused(store):
    with store.connect() as con:
        con.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(StoreError, match="schema version 99"):
        Store(store.path)


def test_seed_store(seed_store):
    summary = frames.summary(seed_store)
    assert summary["articles"] == 1 and summary["top_people"].iloc[0]["entity"] == "Donald Trump"
    assert len(list(SEEDS.iterdir())) == 1
