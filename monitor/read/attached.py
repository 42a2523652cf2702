"""A read-only store for many short reads (the dashboard): the file is attached, not opened, per read.

Opening a DuckDB file costs ~30 ms here (duckdb 2.0 sets up a whole database instance each
time, even for ":memory:"), and a dashboard rerun makes a dozen reads: a third of a second
before any query ran. Attaching the file to one in-process DuckDB costs ~2 ms, and keeping it
attached while reads follow each other (a rerun's) keeps DuckDB's cache of its pages warm.

Like `Store.connect`, the file must not be held for long, or an ingest could never write:

- readers in several threads share one attachment (counted); it is detached IDLE_SECONDS
  after the last one left;
- it is never held much longer than MAX_HOLD_SECONDS in a row (a dashboard busy without a
  pause): then new readers wait until the current ones leave, the file is detached and left
  alone for GAP_SECONDS, long enough for a writer that retries every LOCK_RETRY_SECONDS
  (Store's) to take it. A writer waits at most ~MAX_HOLD_SECONDS per write, well within
  Store's LOCK_WAIT_SECONDS. Measured beside a reader looping without a pause, a 40-article
  CLI ingest took 17 s (12 s beside Store's reader; 32 s when the hold was 5 s);
- a writer in this process (an upload ingested by the dashboard) and an attachment exclude
  each other: DuckDB refuses the second with "already attached", and both sides retry on
  that, as `Store` does; a writer in another process holds the file's lock, and attaching
  retries the same way.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path

import duckdb

from monitor.locking import LOCK_RETRY_SECONDS, retry_while_busy
from monitor.store import Store
from monitor.store_errors import fault, is_fault

IDLE_SECONDS = 0.1
MAX_HOLD_SECONDS = 1.0
GAP_SECONDS = 2 * LOCK_RETRY_SECONDS

_lock = threading.Lock()
_instance: duckdb.DuckDBPyConnection | None = None
_aliases = count()


@dataclass
class _Attachment:
    alias: str
    since: float = field(default_factory=time.monotonic)
    readers: int = 0
    timer: threading.Timer | None = None


_attached: dict[str, _Attachment] = {}  # path -> its attachment
_free_until: dict[str, float] = {}      # path -> no attaching before this (monotonic), the writers' turn


def _base() -> duckdb.DuckDBPyConnection:
    """Return the process's in-memory DuckDB (created once); call with _lock held."""
    global _instance
    if _instance is None:
        _instance = duckdb.connect(":memory:")
    return _instance


class AttachedStore(Store):
    """A read-only Store (same reads, same schema check) whose connections are cheap cursors."""

    def __init__(self, path: str | Path) -> None:
        self._key = str(Path(path).resolve())
        super().__init__(path, read_only=True)

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Yield a cursor on the attached file (DuckDB's per-thread connection), closed afterwards.

        As with Store.connect, a DuckDB error that is the file's fault (a damaged page read only now)
        leaves as a one-line StoreError naming the file.
        """
        alias = self._acquire()
        try:
            with _lock:
                cursor = _base().cursor()
            try:
                cursor.execute(f"USE {alias}")
                yield cursor
            except duckdb.Error as exc:
                if is_fault(exc):
                    raise fault(self.path, "cannot read the store", exc) from exc
                raise
            finally:
                cursor.close()
        finally:
            self._release()

    def _acquire(self) -> str:
        """Return the alias of the file's attachment, joined (attached if needed); waits, as Store does
        (locking.retry_while_busy), while the file is busy or in the writers' turn."""

        def attempt() -> str | None:
            with _lock:
                return self._join()

        return retry_while_busy(self.path, attempt, self._pause)

    def _pause(self) -> float:
        """Return the seconds to wait before joining again: in the writers' turn, till it ends (at most a retry)."""
        turn = _free_until.get(self._key, 0.0) - time.monotonic()
        return turn if 0 < turn < LOCK_RETRY_SECONDS else LOCK_RETRY_SECONDS

    def _join(self) -> str | None:
        """Count one more reader and return the alias; None when readers must wait.

        Call with _lock held.
        """
        now = time.monotonic()
        held = _attached.get(self._key)
        if held is None:
            if now < _free_until.get(self._key, 0.0):
                return None  # the writers' turn
            alias = f"store_{next(_aliases)}"
            _base().execute(f"ATTACH '{self._key.replace(chr(39), chr(39) * 2)}' AS {alias} (READ_ONLY)")
            held = _attached[self._key] = _Attachment(alias)
        elif now - held.since > MAX_HOLD_SECONDS:
            # held long enough: once the current readers have finished, detach (the writers' turn)
            if not held.readers:
                _detach(self._key, gap=True)
            return None
        if held.timer is not None:
            held.timer.cancel()
            held.timer = None
        held.readers += 1
        return held.alias

    def _release(self) -> None:
        """Count one reader less; the last one detaches the file now (held long) or after IDLE_SECONDS."""
        with _lock:
            held = _attached[self._key]
            held.readers -= 1
            if held.readers:
                return
            if time.monotonic() - held.since > MAX_HOLD_SECONDS:
                _detach(self._key, gap=True)
                return
            held.timer = threading.Timer(IDLE_SECONDS, _expire, [self._key, held])
            held.timer.daemon = True
            held.timer.start()


def _expire(key: str, held: _Attachment) -> None:
    """Detach the file when this attachment is still the current one and nobody reads it."""
    with _lock:
        if _attached.get(key) is held and not held.readers:
            _detach(key)


def _detach(key: str, gap: bool = False) -> None:
    """Detach the file; after a long hold (`gap`), leave it to writers for GAP_SECONDS. Call with _lock held.

    After an idle time there is no gap: reads are sparse then, and a writer gets the file between them.
    """
    held = _attached.pop(key)
    if held.timer is not None:
        held.timer.cancel()
    _base().execute(f"DETACH {held.alias}")
    if gap:
        _free_until[key] = time.monotonic() + GAP_SECONDS
