"""What a failed read or write of the store means: the StoreError the user reads, in one line.

A DuckDB or OS error becomes the store's path, what was being done, the cause in words (disk full, damaged
file...) and DuckDB's own words after it (`fault`); a transaction that fails leaves nothing half-written
(`atomic`). The Store (monitor/store.py), the busy-file retry (monitor/locking.py) and the attached reads
(monitor/read/attached.py) all raise through here.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager, suppress

import duckdb

# What DuckDB's words about a failed read or write mean, for the one line the user reads (first match wins).
_CAUSES = (
    (("no space left on device", "file too large", "disk quota exceeded"),
     "the disk is full (or the file size limit was reached)"),
    (("permission denied", "read-only file system", "operation not permitted"), "permission denied"),
    (("is a directory",), "a folder is where the file should be"),
    (("no such file or directory",), "a file or folder it needs is missing"),
    (("not a valid duckdb database file",), "the file is not a DuckDB database"),
    (("could not read enough bytes", "corrupt", "checksum", "invalid block", "serialization error",
      "failed to deserialize"), "the file is damaged or truncated"),
)


class StoreError(RuntimeError):
    """The store cannot be opened or used; the message names the file and the reason."""


class StoreBusy(StoreError):
    """Another process held the store for longer than LOCK_WAIT_SECONDS: trying again later may work."""


def cause(exc: BaseException) -> str | None:
    """Return what a DuckDB or OS error means in words (disk full, damaged file...), or None when unknown."""
    words = str(exc).lower()
    found = next((meaning for phrases, meaning in _CAUSES if any(p in words for p in phrases)), None)
    if re.search(r"\.wal\b", words):  # the file DuckDB writes each commit to first: it sits beside the store
        return "its write-ahead log (the .wal file beside it) failed" + (f": {found}" if found else "")
    return found


def is_fault(exc: duckdb.Error) -> bool:
    """Return True when a DuckDB error is the file's or the disk's fault, not the query's (a StoreError)."""
    return isinstance(exc, (duckdb.IOException, duckdb.FatalException, duckdb.InternalException)) or \
        cause(exc) is not None


def fault(path: str, doing: str, exc: BaseException) -> StoreError:
    """Return the one-line StoreError for `exc`: the store's path, what was being done, the cause in words
    and, after it, DuckDB's own words (kept for a bug report)."""
    said = " ".join(str(exc).split())
    meaning = cause(exc) or ("DuckDB failed inside (a damaged file, or a bug in DuckDB)"
                             if isinstance(exc, (duckdb.InternalException, duckdb.FatalException)) else None)
    return StoreError(f"{path}: {doing}: {meaning} ({said})" if meaning else f"{path}: {doing}: {said}")


@contextmanager
def atomic(con: duckdb.DuckDBPyConnection, path: str, doing: str) -> Iterator[None]:
    """Run the body in one transaction: committed when it ends, rolled back when it raises.

    A DuckDB error becomes a StoreError naming `path`, what was being done (`doing`) and the cause in words
    (a clear line for the user: disk full, a constraint), not a DuckDB traceback; anything else (Ctrl-C
    included) is re-raised after the rollback.
    """
    con.execute("BEGIN TRANSACTION")
    try:
        yield
        con.execute("COMMIT")
    except duckdb.Error as exc:
        _rollback(con)
        raise fault(path, doing, exc) from exc
    except BaseException:
        _rollback(con)
        raise


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back the open transaction. A COMMIT that failed (disk full, the WAL not writable) has ended it
    already, and DuckDB then refuses ROLLBACK: nothing of that transaction was stored, so that refusal is
    no news, and raising it would hide the failure that matters (it did: a traceback for a full disk)."""
    with suppress(duckdb.Error):
        con.execute("ROLLBACK")
