"""Waiting for a busy store file: telling "busy" from broken, retrying while busy, and threads taking turns.

DuckDB lets one process at a time hold a store file for writing; every opening of the file (Store.connect,
AttachedStore's attaching in monitor/read/attached.py) goes through `retry_while_busy`, which waits up to
LOCK_WAIT_SECONDS and then raises StoreBusy. Threads of one process take the file in turn (`file_turn`).
"""
from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import duckdb

from monitor.store_errors import StoreBusy, fault

T = TypeVar("T")
LOCK_WAIT_SECONDS = 60.0
# Between attempts to open a file another connection holds. Measured with a reader looping
# while a 15-batch ingest ran: 0.2 s made the ingest 3.4x slower and reads wait up to 1.7 s;
# 0.05 s, 1.7x and 0.5 s; 0.02 s was no better.
LOCK_RETRY_SECONDS = 0.05
# Words of DuckDB's errors when the file is busy: another process holds its lock, or this
# process has it open the other way (read-only vs read-write: a dashboard ingesting an
# upload while another session reads) or is opening it in another thread right now
# ("already attached"). All pass when that connection closes. Whole phrases, matched with the
# file's name taken out: "lock" alone matched a damaged file's "checksum ... in block at location"
# (and any path with "lock" in it), which was then waited on for a minute and called busy.
_BUSY = ("could not set lock on file", "conflicting lock", "different configuration", "already attached")


# One lock per store file for the connections of this process (Store.connect). DuckDB shares one database
# instance between the connections a process opens to a file, and opening one in a thread while another
# thread closes the last one (duckdb 2.0) broke the next frame scan of either: "Catalog Error: Table Function
# with name pandas_scan does not exist" (a failed write), or "Unique file handle conflict". Two writers
# sharing the instance could also conflict mid-transaction. With the lock, threads take the file in turn,
# as processes do (DuckDB's file lock); the dashboard's attached reads (monitor/read/attached.py) are not
# connections of this kind and do not wait on it.
_file_locks: dict[str, threading.RLock] = {}
_file_locks_guard = threading.Lock()


def _file_lock(path: str) -> threading.RLock:
    """Return this process's lock for the store file at `path` (one per file, however it is spelt)."""
    key = os.path.realpath(path)
    with _file_locks_guard:
        return _file_locks.setdefault(key, threading.RLock())


@contextmanager
def file_turn(path: str) -> Iterator[None]:
    """Run the body holding this process's lock for the store file at `path` (see _file_locks).

    Raises StoreBusy when another thread of this process has held it for over LOCK_WAIT_SECONDS.
    """
    lock = _file_lock(path)
    # Re-entrant: a thread may open the file again inside its own connection, as before.
    if not lock.acquire(timeout=LOCK_WAIT_SECONDS):
        raise StoreBusy(f"{path}: another thread of this process has held the store for over "
                        f"{LOCK_WAIT_SECONDS:g} s")
    try:
        yield
    finally:
        lock.release()


def is_busy(exc: duckdb.Error, path: str = "") -> bool:
    """Return True when DuckDB refused the file only because another connection holds it (see _BUSY)."""
    words = (str(exc).replace(path, "") if path else str(exc)).lower()
    return any(phrase in words for phrase in _BUSY)


def retry_while_busy(path: str, attempt: Callable[[], T | None], pause: Callable[[], float] | None = None) -> T:
    """Return the first result of ``attempt()`` that is not None, trying again while the file is busy.

    The one retry loop of every opening of the file (Store.connect, AttachedStore's attaching): a busy
    DuckDB error is retried for up to LOCK_WAIT_SECONDS, then raised as a StoreError naming `path`, as is
    any other DuckDB error at once; None (the caller's own "not yet") is retried without a limit.
    Between tries it sleeps ``pause()`` seconds, LOCK_RETRY_SECONDS by default.
    """
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while True:
        try:
            result = attempt()
        except duckdb.Error as exc:
            if not is_busy(exc, path):
                raise fault(path, "cannot open the store", exc) from exc
            if time.monotonic() > deadline:
                held = f"another process has held the store for over {LOCK_WAIT_SECONDS:g} s"
                raise StoreBusy(f"{path}: {held}: {exc}") from exc
            result = None
        if result is not None:
            return result
        time.sleep(pause() if pause is not None else LOCK_RETRY_SECONDS)
