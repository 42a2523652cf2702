"""Concurrency, attacked with variants: processes and threads sharing one store file.

Two generators:

- `schedules()` (hypothesis) draws a schedule of real `python -m monitor` processes on one store: 2-3 ingests of
  overlapping inputs (the same folder in several, an article copied under another name), read-only `export` and
  `info`, a `migrate` racing them when the store starts at an older schema version, a reader in this process
  holding the file attached across the writers' batches, processes started at once or once the store has moved,
  and one ingest stopped with SIGTERM or SIGKILL once the store holds a drawn number of new articles (a condition
  polled read-only, never a fixed sleep). Every schedule must end (the guard is only a hang's), with documented
  statuses and one-line errors, leave a store that opens, and, after one last plain ingest, hold what a clean
  ingest of the union holds.
- threads of one process: the dashboard's (attached reads in several threads while a subprocess ingests), and
  the Python API's (several writable `Store`s of one file in threads, which broke DuckDB's shared instance:
  "Table Function with name pandas_scan does not exist").
"""
from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st

from monitor.read import aggregations, frames
from monitor.read.attached import AttachedStore
from monitor.read.filters import Filters
from monitor.store import Store, StoreError
from tests.conftest import ROOT
from tests.corpus import article_text, write_article, write_corpus

# Every test here runs several Python processes loading the spaCy model, or kills them.
pytestmark = [pytest.mark.slow, pytest.mark.heavy]

HANG_GUARD_SECONDS = 300.0  # only a hang reaches it: every wait below ends on its condition first
POLL_SECONDS = 0.05         # between two looks at a condition (not a wait for anything by itself)
BATCH = 2
FOLDERS = {"a": 0, "b": 4, "c": 8, "d": 12}  # folder -> first article number; 4 articles each
PER_FOLDER = 4
COPIED = (1, 6)  # articles also written, under other file names, into folder "e": duplicates across ingests
INGEST_OK = {0, 1}                # done; some inputs skipped
BUSY, STORE_FAULT = 4, 3          # monitor/cli.py's statuses: busy past the wait; the store cannot be used
READ_ONLY_REFUSALS = ("no store here yet", "this monitor needs", "the file is empty")

# Each checked in one query, so within one snapshot of the store.
_BROKEN = (
    "SELECT (SELECT count(*) FROM articles a WHERE a.n_sentences <> "
    "        (SELECT count(*) FROM sentences s WHERE s.article_id = a.article_id)) "
    "     + (SELECT count(*) FROM sentences WHERE article_id NOT IN (SELECT article_id FROM articles)) "
    "     + (SELECT count(*) FROM raw_mentions WHERE article_id NOT IN (SELECT article_id FROM articles)) "
    "     + (SELECT count(*) FROM mentions WHERE article_id NOT IN (SELECT article_id FROM articles)) "
    "     + (SELECT count(*) - count(DISTINCT article_id) FROM articles)")


# --------------------------------------------------------------------------- the corpus and the reference

@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """Folders a-d of four fictional articles each, and e: two of them again under other file names."""
    root = tmp_path_factory.mktemp("conc") / "corpus"
    for name, start in FOLDERS.items():
        write_corpus(root / name, PER_FOLDER, start=start)
    for n in COPIED:
        write_article(root / "e", f"again-{n:04d}.txt", *article_text(n))
    return root


def cli(command: str, store: Path, *args: str) -> list[str]:
    """Return the command line of `python -m monitor <command>` on ``store``."""
    return [sys.executable, "-m", "monitor", command, *args, "--store", str(store)]


def ingest_cli(store: Path, paths: list[Path]) -> list[str]:
    """Return the command line of a quiet, one-worker ingest (the dashboard's upload's) in batches of BATCH."""
    return cli("ingest", store, *map(str, paths), "--quiet", "--workers", "1", "--batch-size", str(BATCH))


def all_folders(corpus: Path) -> list[Path]:
    return [corpus / name for name in (*FOLDERS, "e")]


def snapshot(path: Path) -> dict[str, object]:
    """Return what a store holds, for comparing two stores: row counts, article ids and the entity map."""
    store = Store(path, read_only=True)
    with store.connect() as con:
        counts = {table: con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # our table names
                  for table in ("articles", "sentences", "raw_mentions", "mentions", "topic_hits")}
        ids = sorted(row[0] for row in con.execute("SELECT article_id FROM articles").fetchall())
        entity_map = con.execute("SELECT name, key, entity, entity_type FROM entity_map ORDER BY ALL").fetchall()
        broken = con.execute(_BROKEN).fetchone()[0]
    return {"counts": counts, "ids": ids, "entity_map": entity_map, "broken": broken}


@pytest.fixture(scope="module")
def clean(corpus, tmp_path_factory) -> dict[str, object]:
    """What one plain ingest of every folder stores."""
    store = tmp_path_factory.mktemp("clean") / "clean.duckdb"
    done = subprocess.run(ingest_cli(store, all_folders(corpus)), cwd=ROOT, capture_output=True, text=True,
                          timeout=HANG_GUARD_SECONDS)
    assert done.returncode == 0, done.stderr
    got = snapshot(store)
    assert got["counts"]["articles"] == len(FOLDERS) * PER_FOLDER and got["broken"] == 0, got  # type: ignore[index]
    return got


@pytest.fixture(scope="module")
def old_schema(corpus, tmp_path_factory) -> Path:
    """A store of folder a made as before `topic_mentions` existed (schema version 1), as tests/test_store.py does."""
    path = tmp_path_factory.mktemp("old") / "old.duckdb"
    done = subprocess.run(ingest_cli(path, [corpus / "a"]), cwd=ROOT, capture_output=True, text=True,
                          timeout=HANG_GUARD_SECONDS)
    assert done.returncode == 0, done.stderr
    with duckdb.connect(str(path)) as con:
        con.execute("DROP TABLE topic_mentions")
        con.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    return path


# --------------------------------------------------------------------------- schedules

@dataclass(frozen=True)
class Stop:
    """Stop ingest number ``ingest`` with ``signal`` once the store holds ``after`` articles more than at the start
    (0: as soon as it runs, while it starts up or creates the store)."""

    ingest: int
    signal: signal.Signals
    after: int


@dataclass(frozen=True)
class Schedule:
    """Who runs on one store at once, and when each starts (``late``: once the store has moved)."""

    ingests: tuple[tuple[str, ...], ...]  # the folders of each ingest
    readers: tuple[str, ...]              # "export" / "info" processes
    attached: bool                        # a reader in this process, holding the file attached
    old_schema: bool                      # start from a schema-version-1 store of folder a, and race a migrate
    late: frozenset[int]                  # indexes into the process list started once the store has moved
    order: tuple[int, ...]                # the order the processes start in
    stop: Stop | None


@st.composite
def schedules(draw: st.DrawFn) -> Schedule:
    """Draw a schedule: 2-3 ingests with overlapping folders, 0-2 readers, maybe a migration, maybe a stop."""
    folders = st.lists(st.sampled_from([*FOLDERS, "e"]), min_size=1, max_size=3, unique=True).map(tuple)
    ingests = tuple(draw(st.lists(folders, min_size=2, max_size=3)))
    readers = tuple(draw(st.lists(st.sampled_from(["export", "info"]), max_size=2)))
    old = draw(st.booleans())
    count = len(ingests) + len(readers) + old
    order = tuple(draw(st.permutations(range(count))))
    # the first process to start never waits, or the store might never move
    late = frozenset(draw(st.sets(st.sampled_from(order[1:]), max_size=2))) if count > 1 else frozenset()
    # a stop first: hypothesis favours the first alternative, and stops are what this class is most about
    stop = draw(st.builds(Stop, st.integers(0, len(ingests) - 1), st.sampled_from([signal.SIGKILL, signal.SIGTERM]),
                          st.sampled_from([0, 1, 3, 6])) | st.none())
    return Schedule(ingests, readers, draw(st.booleans()), old, late, order, stop)


@dataclass
class Run:
    """One process of a schedule: what it is, its command, and (once started) the process and its outputs."""

    kind: str  # "ingest", "export", "info", "migrate"
    command: list[str]
    stopped_with: signal.Signals | None = None
    proc: subprocess.Popen | None = None
    err_path: Path | None = None
    stderr: str = field(default="", repr=False)


def stored_articles(path: Path) -> int | None:
    """Return how many articles the store holds, opened read-only; None while it cannot be read (busy, not yet)."""
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:
        return None
    try:
        return int(con.execute("SELECT count(*) FROM articles").fetchone()[0])
    except duckdb.Error:
        return None
    finally:
        con.close()


def plan(schedule: Schedule, corpus: Path, store: Path) -> list[Run]:
    """Return the schedule's processes, in the index order `late` and `order` refer to."""
    runs = [Run("ingest", ingest_cli(store, [corpus / f for f in folders])) for folders in schedule.ingests]
    for kind in schedule.readers:
        args = ("mentions", "--format", "csv") if kind == "export" else ()
        runs.append(Run(kind, cli(kind, store, *args)))
    if schedule.old_schema:
        runs.append(Run("migrate", cli("migrate", store)))
    return runs


def start(run: Run, folder: Path, number: int) -> None:
    """Start a run, its stdout and stderr to files (a pipe nobody reads could block it)."""
    run.err_path = folder / f"{number}.err"
    with (folder / f"{number}.out").open("wb") as out, run.err_path.open("wb") as err:
        run.proc = subprocess.Popen(run.command, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=out, stderr=err)


def drive(schedule: Schedule, runs: list[Run], store: Path, folder: Path) -> None:
    """Start every run when its turn comes, stop the one to stop when its condition holds; return when all ended.

    Fails (after killing what still runs) only when HANG_GUARD_SECONDS pass: a hang.
    """
    at_start = stored_articles(store) or 0
    deadline = time.monotonic() + HANG_GUARD_SECONDS
    waiting = list(schedule.order)
    stop = schedule.stop
    while True:
        stored = stored_articles(store)
        moved = stored is not None and stored > at_start
        for index in list(waiting):
            if index in schedule.late and not moved and not all_ended(runs, waiting):
                continue
            waiting.remove(index)
            start(runs[index], folder, index)
        if stop is not None and runs[stop.ingest].proc is not None:
            target = runs[stop.ingest]
            if target.proc.poll() is not None:  # type: ignore[union-attr]
                stop = None  # it ended by itself first
            elif stop.after == 0 or (stored is not None and stored >= at_start + stop.after):
                target.proc.send_signal(stop.signal)  # type: ignore[union-attr]
                target.stopped_with, stop = stop.signal, None
        if not waiting and all(run.proc is not None and run.proc.poll() is not None for run in runs):
            return
        if time.monotonic() > deadline:
            for run in runs:
                if run.proc is not None and run.proc.poll() is None:
                    run.proc.kill()
            pytest.fail(f"a process of {schedule} did not end in {HANG_GUARD_SECONDS:g} s: a hang")
        time.sleep(POLL_SECONDS)  # polling the processes and the store, not a fixed wait


def all_ended(runs: list[Run], waiting: list[int]) -> bool:
    """Return True when every started run has ended (a late run then starts anyway: nothing else will move)."""
    return all(run.proc is None or run.proc.poll() is not None
               for index, run in enumerate(runs) if index not in waiting)


def check_status(run: Run) -> None:
    """Assert a run ended with a documented status, and with at most one line of error and no traceback."""
    assert run.proc is not None and run.err_path is not None
    run.stderr = run.err_path.read_text(errors="replace")
    status, said = run.proc.returncode, f"{run.kind} {run.command[4:]} ended {run.proc.returncode}:\n{run.stderr}"
    assert "Traceback" not in run.stderr, said
    errors = [line for line in run.stderr.splitlines() if line.startswith(("error:", "internal error:"))]
    if run.stopped_with is not None and status in (-run.stopped_with, 130):
        return  # stopped (130: Ctrl-C's status, should SIGTERM ever be caught)
    if status == 0 or (run.kind == "ingest" and status in INGEST_OK):
        assert not errors, said
        return
    assert len(errors) == 1 and len(run.stderr.strip().splitlines()) == 1, said
    if status == BUSY:
        return  # another process held the store past the wait: documented, on a very busy machine
    # A read-only look before the first ingest created the store, or before the migration: refused, in words.
    assert status == STORE_FAULT and run.kind in ("export", "info"), said
    assert any(reason in errors[0] for reason in READ_ONLY_REFUSALS), said


class AttachedReader:
    """The dashboard's reads in a thread: an AttachedStore read in a loop, holding the file across several
    queries each time, until stopped. Every failure is kept; a store not there yet (or not migrated yet) is
    waited for."""

    def __init__(self, path: Path) -> None:
        self.path, self.failures, self.reads = path, [], 0
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, name="attached-reader", daemon=True)

    def _run(self) -> None:
        store = None
        while not self.done.is_set():
            try:
                store = store or AttachedStore(self.path)
                read_like_the_dashboard(store)
                self.reads += 1
            except StoreError as exc:
                if not any(reason in str(exc) for reason in READ_ONLY_REFUSALS):
                    self.failures.append(exc)
                time.sleep(POLL_SECONDS)  # the store is not there yet, or not migrated: look again
            except Exception as exc:  # why: handed to the test, which reports it
                self.failures.append(exc)

    def __enter__(self) -> AttachedReader:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.done.set()
        self.thread.join(HANG_GUARD_SECONDS)
        assert not self.thread.is_alive(), "the attached reader hung"


def read_like_the_dashboard(store: Store) -> None:
    """Read what a dashboard rerun reads; assert no half-written batch is visible, within one attachment."""
    store.version()
    aggregations.top_entities(store, Filters(), "person")
    frames.articles(store, Filters())
    with store.connect() as con:  # several queries while holding the file attached, as a rerun does
        assert con.execute(_BROKEN).fetchone()[0] == 0, "a half-written batch is visible"
        con.execute("SELECT count(*) FROM mentions").fetchall()


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schedule=schedules())
def test_any_schedule_ends_documented_and_leaves_the_union(corpus, clean, old_schema, schedule):
    note(repr(schedule))
    with tempfile.TemporaryDirectory(prefix="conc-") as tmp:
        folder = Path(tmp)
        store = folder / "s.duckdb"
        if schedule.old_schema:
            shutil.copyfile(old_schema, store)
        runs = plan(schedule, corpus, store)
        reader = AttachedReader(store) if schedule.attached else None
        if reader is not None:
            reader.__enter__()
        try:
            drive(schedule, runs, store, folder)
        finally:
            if reader is not None:
                reader.__exit__()
        for run in runs:
            check_status(run)
            event(f"{run.kind} ended {run.proc.returncode}" + (f" ({run.stopped_with.name} sent)"  # type: ignore[union-attr]
                                                                if run.stopped_with else ""))
        assert reader is None or not reader.failures, reader.failures
        Store(store)  # the store opens (writable: migrated, should no process have done it)
        last = subprocess.run(ingest_cli(store, all_folders(corpus)), cwd=ROOT, capture_output=True, text=True,
                              timeout=HANG_GUARD_SECONDS)
        assert last.returncode == 0, last.stderr
        assert snapshot(store) == clean


# --------------------------------------------------------------------------- threads of one process

def test_the_dashboards_threads_read_while_a_subprocess_ingests(corpus, tmp_path):
    """Several AttachedStore readers in threads (the dashboard's sessions), a subprocess ingesting (its upload)."""
    store = tmp_path / "s.duckdb"
    first = subprocess.run(ingest_cli(store, [corpus / "a"]), cwd=ROOT, capture_output=True, text=True,
                           timeout=HANG_GUARD_SECONDS)
    assert first.returncode == 0, first.stderr
    readers = [AttachedReader(store) for _ in range(3)]
    for reader in readers:
        reader.__enter__()
    try:
        upload = subprocess.run(ingest_cli(store, all_folders(corpus)), cwd=ROOT, capture_output=True, text=True,
                                timeout=HANG_GUARD_SECONDS)
    finally:
        for reader in readers:
            reader.__exit__()
    assert upload.returncode == 0, upload.stderr
    assert not [f for r in readers for f in r.failures], [f for r in readers for f in r.failures]
    assert all(reader.reads for reader in readers)
    assert snapshot(store)["counts"]["articles"] == len(FOLDERS) * PER_FOLDER  # type: ignore[index]


ROUNDS = 150  # batches written by each thread below; the old code failed within the first few dozen


def batch_of(thread: int, n: int) -> dict[str, pd.DataFrame]:
    """Return the tables of one fictional article (its own id) with one sentence, as an ingest's batch has them."""
    aid = f"t{thread}-{n:05d}"
    articles = pd.DataFrame({"article_id": [aid], "date": [pd.Timestamp("2021-03-01")], "source": ["Lakeside Ledger"],
                             "title": [f"Report {aid}"], "n_sentences": [1], "tone": [0.0]})
    sentences = pd.DataFrame({"article_id": [aid], "sentence_id": [0], "text": [f"Mara Velloso spoke ({aid})."],
                              "tone": [0.0]})
    return {"articles": articles, "sentences": sentences}


def in_threads(jobs: list[Callable[[], None]]) -> list[BaseException]:
    """Run the jobs in threads at once; return what they raised."""
    failures: list[BaseException] = []

    def guarded(job: Callable[[], None]) -> None:
        try:
            job()
        except BaseException as exc:  # why: handed to the test's thread, which reports it
            failures.append(exc)

    threads = [threading.Thread(target=guarded, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(HANG_GUARD_SECONDS)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return failures


def test_writable_stores_of_one_file_in_several_threads(tmp_path):
    """The Python API in threads (a notebook, a test's helper thread): each thread its own writable Store of one
    file, writing batches and reading. DuckDB shares one instance between a process's connections to a file,
    and a connection opened while another thread closed the last one broke frame scans: the write failed with
    "Table Function with name pandas_scan does not exist" (or "Unique file handle conflict")."""
    path = tmp_path / "s.duckdb"
    Store(path)

    ended: list[int] = []  # the writers that have ended, however

    def writer(thread: int) -> Callable[[], None]:
        def job() -> None:
            try:
                store = Store(path)
                for n in range(ROUNDS):
                    assert store.write_batch(batch_of(thread, n)) == set()
                    store.known_ids()
            finally:
                ended.append(thread)
        return job

    def reader() -> None:
        store = Store(path)
        while len(ended) < 3:
            store.query("SELECT count(*) AS n FROM articles")
            store.meta("version")

    failures = in_threads([writer(0), writer(1), writer(2), reader])
    assert not failures, failures[:3]
    stored = Store(path, read_only=True).query("SELECT count(*) AS n FROM sentences")["n"].iloc[0]
    assert stored == 3 * ROUNDS


def test_a_read_only_and_a_writable_store_of_one_file_in_two_threads(tmp_path):
    """The other pairing in one process: DuckDB refuses the second configuration; the store waits its turn."""
    path = tmp_path / "s.duckdb"
    Store(path)

    def write() -> None:
        store = Store(path)
        for n in range(ROUNDS // 3):
            store.write_batch(batch_of(0, n))

    def read() -> None:
        store = Store(path, read_only=True)
        while writing.is_alive():
            store.known_ids()

    writing = threading.Thread(target=write)
    writing.start()
    failures = in_threads([read, read])
    writing.join(HANG_GUARD_SECONDS)
    assert not failures, failures
    assert len(Store(path, read_only=True).known_ids()) == ROUNDS // 3


def test_a_thread_may_open_the_file_again_inside_its_own_connection(tmp_path):
    """The in-process lock is re-entrant: a thread that opens the store inside its own connection (as code did
    before the lock) goes on, and another thread's write waits its turn instead of failing or deadlocking."""
    path = tmp_path / "s.duckdb"
    store = Store(path)
    inside = threading.Event()

    def holder() -> None:
        with store.connect():
            assert Store(path).meta("schema_version")  # nested, same thread
            inside.set()

    def other() -> None:
        inside.wait(HANG_GUARD_SECONDS)
        store.set_meta("k", "v")

    assert not in_threads([holder, other])
    assert store.meta("k") == "v"
