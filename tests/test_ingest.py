"""Ingest into a store file: incremental, duplicates, bad input, topics and watchlist changes."""
import json
import subprocess
import sys

import pytest

from monitor import schema
from monitor.ingest import batch, nlp, tone
from monitor.ingest.entities import Mention
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


# Fictional people; each sentence praises the first name and attacks the second, in several words and orders.
TWO_TONES = [
    ("Dana Holt praised the plan while Rik Osterman attacked it.", "Dana Holt", "Rik Osterman"),
    ("Critics led by Rik Osterman blamed the council, but Dana Holt won warm praise.", "Dana Holt", "Rik Osterman"),
    ("Ines Okafor thanked the volunteers, while Tomas Brandt was accused of fraud.", "Ines Okafor", "Tomas Brandt"),
]
# Where today's model reads both names alike (0.73 and 0.66): the wiring is checked on it, the signs are not.
SAME_SIGN = ("Mara Velloso welcomed the wonderful news; Tomas Brandt called it a disgrace.", "Mara Velloso",
             "Tomas Brandt")


def test_each_mention_gets_the_tone_toward_it_and_its_sentence_tone(store, tmp_path):
    folder = tmp_path / "two"
    folder.mkdir()
    for n, (text, _, _) in enumerate([*TWO_TONES, SAME_SIGN]):
        (folder / f"{n}.txt").write_text(f"date 2021-06-0{n + 1}\nsource The Northbridge Courier\n{text}\n")
    ingest(store, [folder], watchlist=Watchlist())
    mentions = frames.mentions(store)
    assert list(mentions.columns).index("sentence_tone") == list(mentions.columns).index("tone_label") + 1
    for text, praised, attacked in [*TWO_TONES, SAME_SIGN]:
        aid, sid = store.query("SELECT article_id, sentence_id FROM sentences WHERE text = ?", [text]).iloc[0]
        spans = store.query("SELECT start_char, end_char FROM raw_mentions WHERE article_id = ? AND sentence_id = ? "
                            "ORDER BY start_char", [aid, int(sid)])
        scored = tone.mention_tones(text, list(spans.itertuples(index=False, name=None)))
        rows = mentions[(mentions["article_id"] == aid) & (mentions["sentence_id"] == sid)]
        assert rows["tone"].tolist() == list(scored.mentions)  # one scoring with every span of the sentence
        assert rows["sentence_tone"].tolist() == [nlp.tone(text)] * len(rows)
        assert rows["tone_label"].tolist() == [schema.tone_label(t) for t in rows["tone"]]
        toward = dict(zip(rows["surface"], rows["tone"], strict=True))
        assert {praised, attacked} <= set(toward), (text, toward)
        if text != SAME_SIGN[0]:
            assert toward[praised] > 0 > toward[attacked], (text, toward)


def test_the_batch_scores_each_sentence_once_with_all_its_spans():
    sentences = [nlp.Sentence(text, nlp.tone(text)) for text, _, _ in TWO_TONES]
    found = [Mention(sid, text.index(name), text.index(name) + len(name), name, name, "PERSON", "ner")
             for sid, (text, *names) in enumerate(TWO_TONES) for name in names]
    expected = [t for text, *names in TWO_TONES for t in
                tone.mention_tones(text, [(text.index(n), text.index(n) + len(n)) for n in names]).mentions]
    assert batch.mention_tones(sentences, found) == expected
    alone = [tone.mention_tones(sentences[m.sentence_id].text, [(m.start, m.end)]).mentions[0] for m in found]
    assert alone != expected  # each name scored with the others in its sentence, not alone
