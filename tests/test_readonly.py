"""AttachedStore, the dashboard's reader: same answers as a read-only Store, and the file let go between reads."""
from __future__ import annotations

import shutil
import subprocess
import sys
import threading
import time

import duckdb
import pytest

from monitor.read import aggregations
from monitor.read import attached as attached_module
from monitor.read.attached import AttachedStore
from monitor.read.filters import Filters
from monitor.store import Store, StoreError

WRITE = "import duckdb, sys; duckdb.connect(sys.argv[1]).execute('CREATE TABLE probe (x INT)'); print('wrote')"


@pytest.fixture
def store_file(fiction_store, tmp_path):
    """A copy of the fiction store that a test may write to."""
    path = tmp_path / "copy.duckdb"
    shutil.copyfile(fiction_store.path, path)
    return path


def test_reads_the_same_as_a_read_only_store(fiction_store):
    attached = AttachedStore(fiction_store.path)
    f = Filters(unique_stories=True)
    assert attached.version() == fiction_store.version()
    assert aggregations.top_entities(attached, f, "person").equals(
        aggregations.top_entities(fiction_store, f, "person"))
    assert aggregations.date_bounds(attached) == aggregations.date_bounds(fiction_store)


def test_a_missing_store_is_a_store_error(tmp_path):
    with pytest.raises(StoreError, match="no store here yet"):
        AttachedStore(tmp_path / "none.duckdb")


def holds_attached(path) -> bool:
    """Return whether this process holds the store file attached (the reader's idle timer has not let it go)."""
    with attached_module._lock:
        return str(path.resolve()) in attached_module._attached


def test_another_process_can_write_once_the_reads_are_over(store_file):
    store = AttachedStore(store_file)
    store.version()
    assert holds_attached(store_file)  # kept for the reads that follow, at first
    # Store's writers retry for a minute; this one does not, so wait (polling, a minute at most)
    # until the reader has let the file go IDLE_SECONDS after its last read, then write once.
    deadline = time.monotonic() + 60
    while holds_attached(store_file) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not holds_attached(store_file), "the reader never let the file go"
    done = subprocess.run([sys.executable, "-c", WRITE, str(store_file)], capture_output=True, text=True,
                          timeout=120)
    assert done.stdout.strip() == "wrote", done.stderr


def test_a_writer_in_this_process_waits_for_the_readers_and_readers_see_its_write(store_file):
    store = AttachedStore(store_file)
    before = store.version()
    Store(store_file).set_meta("version", str(before + 1))  # retries while the file is attached
    assert store.version() == before + 1


def test_threads_share_one_attachment(fiction_store):
    store = AttachedStore(fiction_store.path)
    errors: list[BaseException] = []

    def read() -> None:
        try:
            for _ in range(20):
                assert len(aggregations.top_entities(store, Filters(), "person")) > 0
        except BaseException as exc:  # why: reported by the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=read) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors


def test_a_long_run_of_reads_leaves_writers_a_gap(store_file, monkeypatch):
    monkeypatch.setattr(attached_module, "MAX_HOLD_SECONDS", 0.2)
    store = AttachedStore(store_file)
    proc = subprocess.Popen([sys.executable, "-c", "import sys, time\nfrom monitor.store import Store\n"
                             "Store(sys.argv[1]).set_meta('probe', 'x'); print('wrote')", str(store_file)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60  # only against a hang: the loop ends when the writer has written
    while proc.poll() is None and time.monotonic() < deadline:
        store.version()  # back to back: never idle
    out, err = proc.communicate(timeout=120)
    assert out.strip() == "wrote", err
    assert store.meta("probe") == "x"


def test_the_cursor_reads_the_attached_file_only(fiction_store):
    with AttachedStore(fiction_store.path).connect() as con:
        assert con.execute("SELECT count(*) FROM articles").fetchone()[0] > 0
        with pytest.raises(duckdb.Error):
            con.execute("CREATE TABLE nope (x INT)")
