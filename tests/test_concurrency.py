"""Concurrent use: the dashboard's reads keep working, and see consistent data, while an ingest writes.

Two set-ups: an ingest in another process (the CLI while the dashboard is open), and an
ingest in a thread of the reading process (the dashboard ingesting an upload while another
session reads), where DuckDB refuses a read-only connection beside a read-write one
instead of waiting on a lock.
"""
from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from monitor.ingest.pipeline import ingest
from monitor.read import aggregations, frames
from monitor.read.attached import AttachedStore
from monitor.read.filters import Filters
from monitor.store import Store
from tests.conftest import ROOT
from tests.corpus import PEOPLE, write_corpus

# Each test ingests 40 articles (in a subprocess loading the spaCy model, or a thread) while reading in a loop:
# `make check` leaves them out.
pytestmark = pytest.mark.heavy

BATCH = 4  # with one worker (the NLP in the ingest's process), writes spread over the ingest
SEEDED, ADDED = 4, 40
HANG_GUARD_SECONDS = 120

# Each checked in one query, so within one snapshot of the store.
_CONSISTENT = (
    "SELECT (SELECT count(*) FROM articles a WHERE a.n_sentences <> "
    "        (SELECT count(*) FROM sentences s WHERE s.article_id = a.article_id)) "
    "     + (SELECT count(*) FROM raw_mentions WHERE article_id NOT IN (SELECT article_id FROM articles)) "
    "     + (SELECT count(*) FROM topic_hits WHERE article_id NOT IN (SELECT article_id FROM articles)) "
    "     + (SELECT count(*) FROM mentions WHERE article_id NOT IN (SELECT article_id FROM articles)) AS broken, "
    "(SELECT count(*) FROM articles) AS articles"
)


# The dashboard reads through an AttachedStore (the file attached per read); the CLI and the
# Python API through a read-only Store (the file opened per read). Both must behave the same.
READERS = {"store": lambda path: Store(path, read_only=True), "attached": AttachedStore}


@pytest.fixture(params=list(READERS))
def reader(request) -> str:
    return request.param


def read_like_the_dashboard(path: Path, reader: str = "attached") -> tuple[int, int]:
    """Read as the dashboard does (a read-only store, aggregates and frames); return (version, articles).

    Asserts what must hold in any state an ingest can leave between its transactions.
    """
    store = READERS[reader](path)
    version = store.version()
    top = aggregations.top_entities(store, Filters(), "person")
    assert set(top["name"]) <= set(PEOPLE) | {name.split()[-1] for name in PEOPLE}, top
    mentions = frames.mentions(store, Filters(entities=("Mara Velloso",)))
    drill = aggregations.sentences_behind(store, Filters(), "Mara Velloso")
    # Articles are read last: they only grow, so every article seen before must be here.
    state = store.query(_CONSISTENT).iloc[0]
    articles = set(frames.articles(store)["article_id"])
    assert state["broken"] == 0, "a half-written batch is visible"
    assert set(mentions["article_id"]) <= articles and set(drill["article_id"]) <= articles
    assert SEEDED <= len(articles) <= SEEDED + ADDED
    return version, int(state["articles"])


def read_until(path: Path, done, reader: str) -> list[tuple[int, int]]:
    """Read repeatedly until ``done()``; return (version, articles) of every read, in order."""
    seen = []
    while not done():
        seen.append(read_like_the_dashboard(path, reader))
    return seen


def assert_reads_followed_the_ingest(seen: list[tuple[int, int]]) -> None:
    """The reads never went back in time, and some happened while the ingest was writing."""
    assert seen == sorted(seen), "a read saw an older state than the one before it"
    assert len({version for version, _ in seen}) >= 2, "no read happened while the ingest was writing"
    assert any(SEEDED < articles < SEEDED + ADDED for _, articles in seen), seen


@pytest.fixture
def seeded(tmp_path) -> tuple[Path, Path]:
    """A store holding SEEDED articles, and a folder of ADDED further articles to ingest."""
    first, more = tmp_path / "first", tmp_path / "more"
    write_corpus(first, SEEDED)
    write_corpus(more, ADDED, start=SEEDED)
    path = tmp_path / "s.duckdb"
    assert ingest(Store(path), [first]).total("added") == SEEDED
    return path, more


def test_reads_work_and_are_consistent_while_another_process_ingests(seeded, reader):
    path, more = seeded
    proc = subprocess.Popen(
        [sys.executable, "-m", "monitor", "ingest", str(more), "--store", str(path), "--quiet",
         "--batch-size", str(BATCH), "--workers", "1"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        seen = read_until(path, lambda: proc.poll() is not None, reader)
    finally:
        _, errors = proc.communicate(timeout=HANG_GUARD_SECONDS)
    assert proc.returncode == 0, errors
    assert_reads_followed_the_ingest(seen)
    assert read_like_the_dashboard(path, reader)[1] == SEEDED + ADDED


def test_reads_work_while_the_same_process_ingests(seeded, reader):
    """The dashboard's upload: a read-write connection in one thread, read-only ones in another."""
    path, more = seeded
    failures: list[BaseException] = []

    def upload() -> None:
        try:
            ingest(Store(path), [more], batch_size=BATCH, workers=1)  # as the dashboard's upload does
        except BaseException as exc:  # why: handed to the test's thread, which reports it
            failures.append(exc)

    writer = threading.Thread(target=upload)
    writer.start()
    try:
        seen = read_until(path, lambda: not writer.is_alive(), reader)
    finally:
        writer.join(timeout=HANG_GUARD_SECONDS)
    assert not failures, failures
    assert_reads_followed_the_ingest(seen)
    assert read_like_the_dashboard(path, reader)[1] == SEEDED + ADDED
