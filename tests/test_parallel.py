"""Worker processes and Dask give the same store as one worker: same articles, sentences, mentions, topics.

Correctness only: speed is measured by bench/ingest.py, not here. The tests that start worker pools or a
Dask cluster (each worker loading the spaCy model) are marked heavy: `make test` runs them, `make check` does not.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time

import pandas as pd
import pytest

from monitor.ingest.pipeline import ingest
from monitor.store import Store
from tests.conftest import ROOT
from tests.corpus import write_corpus

# Columns that depend on when, not what: left out of the comparison.
VOLATILE = ("ingested_at",)
TABLES = {
    "articles": "article_id", "sentences": "article_id, sentence_id", "raw_mentions": "article_id, start_char",
    "topic_hits": "article_id, sentence_id, topic, keyword", "entity_map": "name", "mentions":
    "article_id, sentence_id, entity",
}
GERMAN = ("date 2021-03-01\ntitle: Neue Brücke\nsource: Nordstadt Bote\n\nDer Stadtrat hat am Montag die neue "
          "Brücke über den Fluss eröffnet. Viele Bürger kamen zur Feier und lobten die schnelle Bauzeit.\n")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """26 fictional articles, 3 near-copies in other outlets, one German article, one unreadable file."""
    folder = tmp_path_factory.mktemp("parallel-corpus")
    write_corpus(folder, 26, near_copies=3)
    (folder / "de.txt").write_text(GERMAN, encoding="utf-8")
    (folder / "broken.json").write_text("{not json", encoding="utf-8")
    return folder


def snapshot(path) -> dict[str, pd.DataFrame]:
    """Return every table of a store, sorted, without the columns that record when."""
    store = Store(path, read_only=True)
    out = {}
    for table, order in TABLES.items():
        frame = store.query(f"SELECT * FROM {table} ORDER BY {order}")
        out[table] = frame.drop(columns=[c for c in VOLATILE if c in frame]).reset_index(drop=True)
    return out


def totals(report) -> dict:
    return {"added": report.total("added"), "duplicates": report.total("duplicates"),
            "undated": report.total("undated"), "skipped": sorted(report.skipped),
            "languages": dict(report.other_languages())}


@pytest.fixture(scope="module")
def one_worker(corpus, tmp_path_factory):
    """The reference: the corpus ingested with the NLP in this process."""
    path = tmp_path_factory.mktemp("one") / "one.duckdb"
    report = ingest(Store(path), [corpus], workers=1)
    assert report.ran_on == "this process"
    return snapshot(path), totals(report)


def assert_same_store(snap: dict, reference: dict) -> None:
    for table, frame in reference.items():
        pd.testing.assert_frame_equal(snap[table], frame, obj=table)


def test_reference_store_has_what_the_corpus_holds(one_worker):
    snap, report = one_worker
    assert report["added"] == 30 and report["languages"] == {"de": 1} and len(report["skipped"]) == 1
    assert snap["articles"]["copies"].max() == 2  # the near-copies were grouped into stories
    people = set(snap["mentions"].loc[snap["mentions"]["entity_type"] == "person", "entity"])
    assert {"Mara Velloso", "Tomas Brandt", "Jonas Pereira"} <= people


# Worker pools and Dask clusters are started in a fresh interpreter, as a user's ingest is:
# not from the test runner's process, which by then holds browsers, servers and their threads.
_INGEST = """
import json, sys
from monitor.ingest import runners
from monitor.ingest.pipeline import ingest
from monitor.store import Store
corpus, store, kwargs = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
if kwargs.pop("fork", False):
    runners.use_fork()
cluster = None
if kwargs.pop("dask", False):
    from distributed import LocalCluster
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                           dashboard_address=None, protocol="tcp")
    kwargs["dask"] = cluster.scheduler_address
report = ingest(Store(store), [corpus], **kwargs)
out = {"ran_on": report.ran_on, "start": runners.START_METHOD, "added": report.total("added"),
       "duplicates": report.total("duplicates"), "undated": report.total("undated"),
       "skipped": sorted(report.skipped), "languages": dict(report.other_languages())}
if cluster is not None:
    from distributed import Client
    with Client(cluster.scheduler_address) as client:
        loads = client.run(lambda: __import__("monitor.ingest.nlp").ingest.nlp.load_model.cache_info().misses)
        out["model_loads"] = sorted(loads.values())
    out["address"] = cluster.scheduler_address
    cluster.close()
print(json.dumps(out))
"""


def ingest_in_fresh_process(corpus, store, **kwargs) -> dict:
    """Run monitor's ingest in a new interpreter; return its report's figures and where the NLP ran."""
    out = subprocess.run([sys.executable, "-c", _INGEST, str(corpus), str(store), json.dumps(kwargs)],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def report_totals(result: dict) -> dict:
    return {k: result[k] for k in ("added", "duplicates", "undated", "skipped", "languages")}


@pytest.mark.heavy
def test_two_worker_processes_store_the_same_rows(corpus, one_worker, tmp_path):
    # batch_size 4: batches of 4 (so both workers get several), and the pool starts at once
    result = ingest_in_fresh_process(corpus, tmp_path / "two.duckdb", workers=2, batch_size=4)
    assert result["ran_on"] == "2 worker processes" and result["start"] == "spawn"
    assert report_totals(result) == one_worker[1]
    assert_same_store(snapshot(tmp_path / "two.duckdb"), one_worker[0])


def test_a_small_ingest_with_workers_stays_in_this_process(corpus, tmp_path):
    # 31 inputs, fewer than one batch of 200: starting two models would cost more than it saves
    report = ingest(Store(tmp_path / "small.duckdb"), [corpus], workers=2)
    assert report.ran_on == "this process" and report.total("added") == 30


@pytest.mark.heavy
def test_forked_workers_store_the_same_rows(corpus, one_worker, tmp_path):
    # `python -m monitor` forks its workers on Linux
    result = ingest_in_fresh_process(corpus, tmp_path / "forked.duckdb", workers=2, batch_size=4, fork=True)
    assert result["ran_on"] == "2 worker processes"
    assert result["start"] == ("fork" if sys.platform == "linux" else "spawn")
    assert report_totals(result) == one_worker[1]
    assert_same_store(snapshot(tmp_path / "forked.duckdb"), one_worker[0])


@pytest.mark.heavy
def test_cli_workers_gives_the_same_store_and_says_where_nlp_ran(corpus, one_worker, tmp_path):
    store = tmp_path / "cli.duckdb"
    out = subprocess.run([sys.executable, "-m", "monitor", "ingest", str(corpus), "--store", str(store),
                          "--workers", "2", "--batch-size", "5", "--quiet"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 1, out.stderr  # 1: the broken file was skipped, and said so
    assert "NLP in 2 worker processes" in out.stderr and "broken.json" in out.stderr
    assert "Traceback" not in out.stderr
    assert_same_store(snapshot(store), one_worker[0])


def test_cli_rejects_zero_workers(tmp_path):
    out = subprocess.run([sys.executable, "-m", "monitor", "ingest", str(tmp_path), "--workers", "0",
                          "--store", str(tmp_path / "s.duckdb")], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 2 and "--workers" in out.stderr
    assert not (tmp_path / "s.duckdb").exists()


@pytest.mark.heavy
def test_killing_the_ingest_leaves_no_worker_behind(corpus, one_worker, tmp_path):
    store = tmp_path / "killed.duckdb"
    args = [sys.executable, "-m", "monitor", "ingest", str(corpus), "--store", str(store),
            "--workers", "2", "--batch-size", "2", "--quiet"]
    proc = subprocess.Popen(args, cwd=ROOT, stderr=subprocess.PIPE, start_new_session=True)
    # Killed as soon as its workers exist: loading the model or analysing a batch, they must not outlive it.
    workers = _wait_for_workers_at_work(proc, 2, store, at_work=False)
    assert workers, f"the ingest ended before its workers were seen: {proc.communicate()[1][-3000:]!r}"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 60  # only against a hang: the loop ends when the workers are gone
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(_alive(pid) for pid in workers), "worker processes outlived the killed ingest"
    # and running the same command again finishes the job
    assert subprocess.run(args, cwd=ROOT, capture_output=True, timeout=300).returncode == 1
    assert_same_store(snapshot(store), one_worker[0])


@pytest.mark.heavy
def test_a_worker_killed_mid_batch_is_a_clear_error_and_a_rerun_finishes(corpus, one_worker, tmp_path):
    store = tmp_path / "worker-killed.duckdb"
    args = [sys.executable, "-m", "monitor", "ingest", str(corpus), "--store", str(store),
            "--workers", "2", "--batch-size", "2", "--quiet"]
    proc = subprocess.Popen(args, cwd=ROOT, stderr=subprocess.PIPE, text=True, start_new_session=True)
    workers = _wait_for_workers_at_work(proc, 2, store)
    if workers:
        os.kill(workers[0], signal.SIGKILL)  # as the kernel's OOM killer would
    err = proc.communicate(timeout=120)[1]
    if proc.returncode == 1:  # the ingest had already finished: nothing to check
        pytest.skip("the ingest finished before the worker was killed")
    assert proc.returncode == 5, err  # 5: the workers failed (not the store: 3)
    assert "a worker process died" in err and "run the same command again" in err
    assert "Traceback" not in err
    assert subprocess.run(args, cwd=ROOT, capture_output=True, timeout=300).returncode == 1
    assert_same_store(snapshot(store), one_worker[0])


# A worker that dies as it starts, before it reads what it was started with: its
# sitecustomize ends every spawned worker process (found by its command line) at once.
_DIE_AT_START = """
import os
if os.environ.get("MONITOR_TEST_WORKERS_DIE") and b"spawn_main" in open("/proc/self/cmdline", "rb").read():
    os._exit(7)
"""
_INGEST_WORKERS_DIE = """
import os, sys
from monitor.ingest.pipeline import ingest
from monitor.ingest.runners import WorkerError
from monitor.store import Store
os.environ["MONITOR_TEST_WORKERS_DIE"] = "1"  # for the processes started from now on, not this one
try:
    ingest(Store(sys.argv[2]), [sys.argv[1]], workers=2, batch_size=4)
except WorkerError as exc:
    print("WorkerError:", exc)
# and straight from a pool: its first batch fails, then handing it another does too
from monitor.ingest.runners import Processes, result_of
from monitor.ingest.topics import Taxonomy
from monitor.ingest.watchlist import Watchlist
pool = Processes(2, Taxonomy.load(), Watchlist.load())
for attempt in ("result", "submit"):
    try:
        result_of(pool.submit([]))
    except WorkerError:
        print("WorkerError on", attempt)
pool.close()
"""


@pytest.mark.skipif(sys.platform != "linux", reason="finds worker processes by /proc/self/cmdline")
def test_workers_dying_as_they_start_are_a_clear_error_not_a_hang(corpus, tmp_path):
    # CPython writes a spawned worker's start-up data into a pipe whose read end it holds until
    # the write is done: more than the pipe's 64 KB to a worker already dead would block for ever.
    (tmp_path / "sitecustomize.py").write_text(_DIE_AT_START)
    (tmp_path / "tmp").mkdir()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)]), "TMPDIR": str(tmp_path / "tmp")}
    out = subprocess.run([sys.executable, "-c", _INGEST_WORKERS_DIE, str(corpus), str(tmp_path / "s.duckdb")],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "WorkerError: a worker process died" in out.stdout
    assert "WorkerError on result" in out.stdout and "WorkerError on submit" in out.stdout
    assert not list((tmp_path / "tmp").glob("monitor-settings-*")), "the workers' settings file was left behind"


def _stored_articles(path) -> int:
    """Return how many articles the store holds; 0 while it is missing, locked by the writer or half created."""
    import duckdb

    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:
        return 0
    try:
        return con.execute("SELECT count(*) FROM articles").fetchone()[0]
    except duckdb.Error:
        return 0
    finally:
        con.close()


def _wait_for_workers_at_work(proc: subprocess.Popen, count: int, store, at_work: bool = True) -> list[int]:
    """Return the pids of `count` worker processes of `proc` once they exist and, with `at_work`, the store
    holds articles they analysed; [] if the ingest ended first.

    A look at the store gets in only between the ingest's transactions, which a busy machine may not allow
    before the last one: a test that needs only the workers to exist does not ask for it."""
    import psutil

    deadline = time.monotonic() + 120  # only against a hang: the loop ends on the condition or the ingest's end
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return []
        try:  # workers are forked (the CLI) or spawned; multiprocessing's resource tracker is not one
            kids = [p for p in psutil.Process(proc.pid).children(recursive=True)
                    if "resource_tracker" not in " ".join(p.cmdline())]
        except psutil.Error:  # the ingest or a child ended while being looked at: look again
            continue
        if len(kids) >= count and (not at_work or _stored_articles(store) > 0):
            return [k.pid for k in kids]
        time.sleep(0.1)  # polling, not a fixed wait
    raise AssertionError("the worker processes were never seen at work")


def _alive(pid: int) -> bool:
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


@pytest.mark.heavy
def test_dask_cluster_stores_the_same_rows_and_loads_the_model_once_per_worker(corpus, one_worker, tmp_path):
    pytest.importorskip("distributed")
    result = ingest_in_fresh_process(corpus, tmp_path / "dask.duckdb", dask=True, batch_size=3)
    assert result["address"].startswith("tcp://127.0.0.1:")
    assert result["ran_on"].startswith(f"the Dask cluster at {result['address']}")
    assert report_totals(result) == one_worker[1]
    assert_same_store(snapshot(tmp_path / "dask.duckdb"), one_worker[0])
    assert result["model_loads"] == [1, 1], result  # both workers worked, each loaded the model once


def test_cli_dask_without_dask_installed_names_the_file_to_install(corpus, tmp_path, monkeypatch, capsys):
    from monitor import cli

    monkeypatch.setitem(sys.modules, "distributed", None)  # what `import distributed` meets when it is not installed
    store = tmp_path / "s.duckdb"
    status = cli.main(["ingest", str(corpus), "--store", str(store), "--dask", "tcp://127.0.0.1:8786", "--quiet"])
    err = capsys.readouterr().err
    assert status == 5, err  # 5: Dask cannot be used (not the store: 3)
    assert "--dask needs Dask, which is not installed here: pip install -r requirements-dask.txt" in err
    assert (ROOT / "requirements-dask.txt").is_file() and not store.exists()


@pytest.mark.heavy
def test_cli_dask_with_no_scheduler_is_a_clear_error(corpus, tmp_path):
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    out = subprocess.run([sys.executable, "-m", "monitor", "ingest", str(corpus), "--store",
                          str(tmp_path / "s.duckdb"), "--dask", f"tcp://127.0.0.1:{port}", "--quiet"],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 5, out.stderr  # 5: Dask cannot be used
    assert f"cannot reach the Dask scheduler at tcp://127.0.0.1:{port}" in out.stderr
    assert "Traceback" not in out.stderr


_WORKER_OF_A_GONE_INGEST = """
import pickle, sys, threading
from monitor.ingest.runners import _start_worker
from monitor.ingest.topics import Taxonomy
from monitor.ingest.watchlist import Watchlist
with open(sys.argv[1], "wb") as f:
    pickle.dump((Taxonomy.load(), Watchlist.load()), f)
_start_worker(sys.argv[1], int(sys.argv[2]))  # an ingest that is not this process's parent: gone before it started
threading.Event().wait()  # only the worker's watchdog ends this process (the caller's timeout guards a hang)
"""


def test_a_worker_whose_ingest_is_gone_before_it_starts_exits(tmp_path):
    """The ingest SIGKILLed while a worker was still starting: the worker must not watch its new parent."""
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # a pid that was an ingest's and is no longer anyone's parent here
    settings = tmp_path / "settings.pickle"
    out = subprocess.run([sys.executable, "-c", _WORKER_OF_A_GONE_INGEST, str(settings), str(gone.pid)], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)  # only against a hang
    assert out.returncode == 1 and "Traceback" not in out.stderr, out.stderr  # 1: ended by its watchdog
