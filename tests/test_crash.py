"""Crash safety: an ingest killed at any point leaves a consistent store, and running it
again gives exactly what a clean run gives. Two ingests at once on one store wait for
each other and store the union once.

Ingests run as a user runs them (`python -m monitor ingest` in a subprocess) and are
killed with SIGKILL: no cleanup code runs, as in a power cut or an out-of-memory kill.
"""
from __future__ import annotations

import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from monitor.ingest import pipeline as ingest_module
from monitor.ingest.pipeline import ingest
from monitor.read import frames
from monitor.store import Store
from tests.conftest import ROOT
from tests.corpus import write_corpus

# Every test here runs ingests in subprocesses (each loading the spaCy model) or kills them:
# `make check` leaves them out.
pytestmark = pytest.mark.heavy

BATCH = 4
COUNT, COPIES = 36, 4           # 40 files, all full batches of 4: 10 batch transactions
FILES = COUNT + COPIES
POLL_SECONDS = 0.02
# Only a guard against a hung test: every wait below ends on an event long before it.
HANG_GUARD_SECONDS = 120


def cli(store: Path, *paths: Path) -> list[str]:
    """Return the command line of a quiet ingest of ``paths`` into ``store`` in batches of BATCH."""
    return [sys.executable, "-m", "monitor", "ingest", *map(str, paths), "--store", str(store),
            "--quiet", "--batch-size", str(BATCH)]


def run_ingest(store: Path, *paths: Path) -> subprocess.CompletedProcess:
    """Run an ingest to its end; return the finished process (exit status, stderr)."""
    return subprocess.run(cli(store, *paths), cwd=ROOT, capture_output=True, text=True, timeout=HANG_GUARD_SECONDS)


def start_ingest(store: Path, *paths: Path) -> subprocess.Popen:
    """Start an ingest in the background; return the running process."""
    return subprocess.Popen(cli(store, *paths), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def stored_version(path: Path) -> int | None:
    """Return the store's version, read-only, or None while it is missing, locked or half created."""
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:
        return None
    try:
        row = con.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
        return int(row[0]) if row else None
    except duckdb.Error:
        return None
    finally:
        con.close()


def kill_when(proc: subprocess.Popen, ready) -> str:
    """SIGKILL ``proc`` as soon as ``ready()`` is true (or it has ended by itself); return what it wrote to stderr."""
    deadline = time.monotonic() + HANG_GUARD_SECONDS
    while proc.poll() is None and not ready() and time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)  # polling the condition, not a fixed wait
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    return proc.communicate(timeout=HANG_GUARD_SECONDS)[1]


def store_frames(path: Path) -> dict[str, pd.DataFrame]:
    """Return the store's public frames, each sorted on all its columns (order is not the contract)."""
    store = Store(path, read_only=True)
    out = {"articles": frames.articles(store), "mentions": frames.mentions(store),
           "topic_hits": frames.topic_hits(store), "sentences": frames.sentences(store)}
    return {name: frame.sort_values(list(frame.columns)).reset_index(drop=True) for name, frame in out.items()}


def assert_same_frames(got: dict[str, pd.DataFrame], expected: dict[str, pd.DataFrame]) -> None:
    for name in expected:
        pd.testing.assert_frame_equal(got[name], expected[name], obj=name)


_INVARIANTS = {
    "an article without all its sentences":
        "SELECT count(*) FROM articles a WHERE a.n_sentences <> "
        "(SELECT count(*) FROM sentences s WHERE s.article_id = a.article_id)",
    "a sentence without its article":
        "SELECT count(*) FROM sentences WHERE article_id NOT IN (SELECT article_id FROM articles)",
    "a raw mention without its article":
        "SELECT count(*) FROM raw_mentions WHERE article_id NOT IN (SELECT article_id FROM articles)",
    "a topic hit without its article":
        "SELECT count(*) FROM topic_hits WHERE article_id NOT IN (SELECT article_id FROM articles)",
    "a mention without its article":
        "SELECT count(*) FROM mentions WHERE article_id NOT IN (SELECT article_id FROM articles)",
}


def stored_articles(path: Path) -> int:
    """Return how many articles the store holds, after checking it is consistent (no half batch)."""
    store = Store(path, read_only=True)
    with store.connect() as con:
        for problem, sql in _INVARIANTS.items():
            assert con.execute(sql).fetchone()[0] == 0, f"{path}: {problem}"
        return con.execute("SELECT count(*) FROM articles").fetchone()[0]


def report_counts(stderr: str) -> tuple[int, int]:
    """Return (added, unchanged) from an ingest's summary line."""
    found = re.search(r"^added (\d+), unchanged (\d+)", stderr, re.MULTILINE)
    assert found, stderr
    return int(found[1]), int(found[2])


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("crash") / "corpus"
    write_corpus(folder, COUNT, near_copies=COPIES)
    return folder


@pytest.fixture(scope="module")
def clean(corpus, tmp_path_factory) -> dict[str, pd.DataFrame]:
    """The frames of one uninterrupted ingest of the corpus."""
    store = tmp_path_factory.mktemp("clean") / "clean.duckdb"
    done = run_ingest(store, corpus)
    assert done.returncode == 0, done.stderr
    assert report_counts(done.stderr) == (FILES, 0)
    got = store_frames(store)
    assert (got["articles"]["copies"] == 2).sum() >= 2 * COPIES  # the near-copies are grouped
    return got


ATTEMPTS = 5


def kill_after_batches(store: Path, corpus: Path, batches: int) -> None:
    """Start an ingest and SIGKILL it once at least ``batches`` batches are stored and some are still to come.

    The kill comes while this test holds the store open (read-only): the ingest is then waiting between two of
    its transactions, so the store holds exactly what was seen. A look gets in only between transactions; when
    a busy machine lets the first one in only after the last batch, the attempt is made again (a few times).
    """
    for _ in range(ATTEMPTS):
        store.unlink(missing_ok=True)
        store.with_name(store.name + ".wal").unlink(missing_ok=True)
        proc = start_ingest(store, corpus)
        deadline = time.monotonic() + HANG_GUARD_SECONDS
        while proc.poll() is None and time.monotonic() < deadline:
            try:
                con = duckdb.connect(str(store), read_only=True)
            except duckdb.Error:
                time.sleep(POLL_SECONDS)  # polling: the ingest holds the file, or has not created it yet
                continue
            try:
                version = int(con.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()[0])
                stored = con.execute("SELECT count(*) FROM articles").fetchone()[0]
                if version >= batches and stored < FILES:
                    proc.send_signal(signal.SIGKILL)
                    proc.communicate(timeout=HANG_GUARD_SECONDS)
                    return
            except (duckdb.Error, TypeError):
                pass  # the store's tables are being created
            finally:
                con.close()
            time.sleep(POLL_SECONDS)
        err = proc.communicate(timeout=HANG_GUARD_SECONDS)[1]
        assert proc.returncode == 0, err  # it ran to its end before a look got in: never failed
    pytest.fail(f"no look at the store got in between two batches in {ATTEMPTS} ingests")


@pytest.mark.parametrize("batches", [1, 2, 3])
def test_killed_after_n_batches_then_rerun_equals_a_clean_run(corpus, clean, tmp_path, batches):
    store = tmp_path / "s.duckdb"
    kill_after_batches(store, corpus, batches)
    partial = stored_articles(store)
    # Each batch is one transaction: whole batches are stored, never part of one.
    assert partial % BATCH == 0 and BATCH * batches <= partial < FILES
    again = run_ingest(store, corpus)
    assert again.returncode == 0, again.stderr
    assert report_counts(again.stderr) == (FILES - partial, partial)
    assert_same_frames(store_frames(store), clean)


def after_start(delay: float):
    """Return a condition that turns true ``delay`` seconds from now."""
    deadline = time.monotonic() + delay
    return lambda: time.monotonic() >= deadline


def after_first_batch(store: Path, delay: float):
    """Return a condition that turns true ``delay`` seconds after the store's version next advances."""
    before = stored_version(store) or 0
    deadline: list[float] = []

    def ready() -> bool:
        if not deadline and (stored_version(store) or 0) > before:
            deadline.append(time.monotonic() + delay)
        return bool(deadline) and time.monotonic() >= deadline[0]
    return ready


def test_killed_repeatedly_at_random_moments_then_finished(corpus, clean, tmp_path):
    store = tmp_path / "s.duckdb"
    chance = random.Random(20210301)
    # First during start-up (imports, creating the store), then anywhere among the batches:
    # between two, or inside one's transaction.
    delays = [chance.uniform(0.05, 1.0), chance.uniform(0.0, 0.6), chance.uniform(0.0, 0.6)]
    for n, delay in enumerate(delays):
        ready = after_start(delay) if n == 0 else after_first_batch(store, delay)
        proc = start_ingest(store, corpus)
        err = kill_when(proc, ready)
        assert proc.returncode in (0, -signal.SIGKILL), err  # killed, or (on a fast machine) done: never failed
        if stored_version(store) is not None:
            assert stored_articles(store) % BATCH == 0
    again = run_ingest(store, corpus)
    assert again.returncode == 0, again.stderr
    assert_same_frames(store_frames(store), clean)


def test_crash_between_the_last_batch_and_the_story_grouping_is_repaired(corpus, clean, tmp_path, monkeypatch):
    """The window SIGKILL rarely hits: every batch stored, near-copies not yet grouped."""
    store = Store(tmp_path / "s.duckdb")

    def power_cut(_store: Store) -> None:
        raise KeyboardInterrupt("killed before the stories were grouped")

    monkeypatch.setattr(ingest_module, "refresh_stories", power_cut)
    with pytest.raises(KeyboardInterrupt):
        ingest(store, [corpus], batch_size=BATCH)
    monkeypatch.undo()
    assert stored_articles(tmp_path / "s.duckdb") == FILES
    ingest(store, [corpus], batch_size=BATCH)
    assert_same_frames(store_frames(tmp_path / "s.duckdb"), clean)


def test_two_ingests_at_once_store_the_union_once(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    write_corpus(first, 16)
    write_corpus(second, 16, start=16)
    expected = tmp_path / "expected.duckdb"
    assert run_ingest(expected, first, second).returncode == 0
    store = tmp_path / "s.duckdb"
    procs = [start_ingest(store, first), start_ingest(store, second)]
    errors = [proc.communicate(timeout=HANG_GUARD_SECONDS)[1] for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0], errors
    assert_same_frames(store_frames(store), store_frames(expected))


def test_two_ingests_of_the_same_files_at_once_store_them_once(tmp_path):
    folder = tmp_path / "corpus"
    write_corpus(folder, 16)
    expected = tmp_path / "expected.duckdb"
    assert run_ingest(expected, folder).returncode == 0
    store = tmp_path / "s.duckdb"
    procs = [start_ingest(store, folder), start_ingest(store, folder)]
    errors = [proc.communicate(timeout=HANG_GUARD_SECONDS)[1] for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0], errors
    assert not any("Traceback" in err for err in errors), errors
    added = [report_counts(err)[0] for err in errors]
    assert sum(added) == 16, errors  # each article counted as added by exactly one of them
    assert_same_frames(store_frames(store), store_frames(expected))
