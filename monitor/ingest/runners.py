"""Where the NLP of a batch runs: here, in worker processes, or on a Dask cluster.

Every runner has `submit(batch) -> future` (anything with `.result()`) and `close()`. The
ingest keeps a few batches in flight and writes their rows in the order it read them, so
the store ends up the same whichever runner did the work. Each worker process loads the
model once and keeps it for all the batches it is given.
"""
from __future__ import annotations

import os
import pickle
import signal
import sys
import tempfile
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import suppress
from multiprocessing import get_context

from monitor.ingest import nlp
from monitor.ingest.batch import Analysed, Batch, analyse_batch
from monitor.ingest.topics import Taxonomy
from monitor.ingest.watchlist import Watchlist

# How worker processes start. "spawn" (a fresh interpreter) is safe anywhere, e.g. inside the
# dashboard's server with its many threads; `python -m monitor`, whose process has no other
# busy threads, forks instead (use_fork): its workers start with pandas and monitor already
# imported, ~1.5 s sooner, which measured as 2 workers going from 1.6x to 1.8x one worker.
START_METHOD = "spawn"
# The taxonomy and watchlist of this worker process, set once when it starts.
_SETTINGS: tuple[Taxonomy, Watchlist] | None = None


def default_workers() -> int:
    """Return the number of worker processes to use by default: the cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def use_fork() -> None:
    """Start worker processes by forking this one (Linux; a single-purpose process such as the CLI)."""
    global START_METHOD
    if sys.platform == "linux":
        START_METHOD = "fork"


class Inline:
    """Runs each batch in this process, at once (one worker: no second copy of the model)."""

    slots = 1  # batches it works on at once
    where = "this process"

    def __init__(self, taxonomy: Taxonomy, watchlist: Watchlist) -> None:
        self.settings = (taxonomy, watchlist)

    def submit(self, batch: Batch) -> Future:
        """Return a finished future holding the batch's rows (or the error it raised)."""
        future: Future = Future()
        try:
            future.set_result(analyse_batch(batch, *self.settings))
        except Exception as exc:  # handed over like a worker's error, raised by .result()
            future.set_exception(exc)
        return future

    def close(self, wait: bool = True) -> None:
        """Nothing to release."""


def _start_worker(settings_file: str, ingest_pid: int) -> None:
    """Read the settings and load the model once, when the worker process starts.

    `ingest_pid` is the ingest that started the pool, named by the ingest itself: asked here with
    os.getppid(), a worker whose ingest was killed while it started would watch its new parent instead.
    """
    global _SETTINGS
    threading.Thread(target=_exit_with_parent, args=(ingest_pid,), daemon=True).start()
    # Ctrl-C reaches the whole process group: the parent stops the pool, workers must not print tracebacks.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with open(settings_file, "rb") as f:
            _SETTINGS = pickle.load(f)
    except FileNotFoundError:  # the ingest ended, and removed it, before this worker got going
        os._exit(0)
    nlp.load_model()
    nlp.load_vader()


def _exit_with_parent(parent: int) -> None:
    """End this worker when the ingest that started it is gone (killed: it could not stop the pool).

    At once when it is gone already (this worker was handed to another parent before it got here).
    """
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def _analyse_in_worker(batch: Batch) -> Analysed:
    """Analyse a batch with the settings this worker process was started with."""
    assert _SETTINGS is not None, "worker started without settings"
    return analyse_batch(batch, *_SETTINGS)


class Processes:
    """Runs batches in `workers` processes on this machine, each with its own model."""

    def __init__(self, workers: int, taxonomy: Taxonomy, watchlist: Watchlist) -> None:
        self.slots, self.where = workers, f"{workers} worker processes"
        # The settings reach the workers in a file. Passed as initargs, they would be part of a
        # spawned worker's start-up data, which CPython writes into a pipe whose read end it holds
        # until the write is done: over the pipe's 64 KB (the default taxonomy alone is ~70 KB),
        # a worker dying as it starts would block this process for ever instead of failing.
        fd, self.settings_file = tempfile.mkstemp(prefix="monitor-settings-", suffix=".pickle")
        with os.fdopen(fd, "wb") as f:
            pickle.dump((taxonomy, watchlist), f)
        self.pool = ProcessPoolExecutor(max_workers=workers, mp_context=get_context(START_METHOD),
                                        initializer=_start_worker, initargs=(self.settings_file, os.getpid()))

    def submit(self, batch: Batch) -> Future:
        """Return the future of the batch's rows (a WorkerError once a worker has died)."""
        try:
            return self.pool.submit(_analyse_in_worker, list(batch))
        except BrokenProcessPool as exc:  # a worker died before this batch was handed over
            raise worker_died(exc) from None

    def close(self, wait: bool = True) -> None:
        """Stop the workers; batches not started are dropped (their articles are not stored yet).

        After a finished ingest there is nothing to wait for: idle workers exit on their own
        (measured: waiting for them added ~1 s to every ingest).
        """
        self.pool.shutdown(wait=wait, cancel_futures=True)
        with suppress(FileNotFoundError):  # closed twice
            os.unlink(self.settings_file)


def analyse_on_dask_worker(batch: Batch, settings: tuple[Taxonomy, Watchlist]) -> Analysed:
    """Analyse a batch on a Dask worker; the model is loaded once per worker process (nlp caches it)."""
    return analyse_batch(batch, *settings)


class WorkerError(RuntimeError):
    """A worker process died mid-batch (killed, out of memory); the message says what to do."""


# A pool whose worker died (concurrent.futures), a Dask task whose workers kept dying.
_WORKER_DEATHS = ("BrokenProcessPool", "KilledWorker")


def worker_died(exc: Exception) -> WorkerError:
    """Return the WorkerError that says what to do about a dead worker."""
    return WorkerError(f"a worker process died while analysing a batch ({type(exc).__name__}: {exc}); "
                       "whole batches already written stay stored: run the same command again, "
                       "with fewer --workers if memory is short")


def result_of(future) -> Analysed:
    """Return a batch's rows from its future; a dead worker becomes a WorkerError that says what to do."""
    try:
        return future.result()
    except Exception as exc:
        if type(exc).__name__ not in _WORKER_DEATHS:
            raise
        raise worker_died(exc) from None


class DaskError(RuntimeError):
    """Dask is not installed, or its scheduler cannot be reached or used; the message says which and why."""


# Dask is optional: its packages are listed apart from the runtime's, in this file of the project.
DASK_REQUIREMENTS = "requirements-dask.txt"


def dask_client() -> type:
    """Return ``distributed.Client``, imported only now; raise DaskError naming what to install when it is missing."""
    try:
        from distributed import Client
    except ImportError as exc:
        raise DaskError(f"--dask needs Dask, which is not installed here: pip install -r {DASK_REQUIREMENTS} "
                        f"({exc})") from None
    return Client


class Dask:
    """Runs batches on an existing Dask cluster: `address` is its scheduler, e.g. tcp://10.0.0.5:8786.

    The workers need this project and its requirements installed (same versions), the
    model included; they send back rows, and only this process writes the store.
    """

    def __init__(self, address: str, taxonomy: Taxonomy, watchlist: Watchlist) -> None:
        client = dask_client()
        try:
            self.client = client(address, timeout="10s", set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise DaskError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
        # One batch per worker thread at a time (a worker with no threads reported still counts once).
        self.slots = max(1, sum(self.client.nthreads().values()))
        self.where = f"the Dask cluster at {address} ({self.slots} worker threads)"
        # Sent once to every worker, not with every batch.
        self.settings = self.client.scatter((taxonomy, watchlist), broadcast=True, hash=False)

    def submit(self, batch: Batch):  # -> distributed.Future
        """Return the Dask future of the batch's rows."""
        return self.client.submit(analyse_on_dask_worker, list(batch), self.settings, pure=False)

    def close(self, wait: bool = True) -> None:
        """Disconnect from the scheduler (the cluster itself keeps running)."""
        self.client.close()
