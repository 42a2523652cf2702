"""Opening a store file: refusing what is not one, and bringing its schema to SCHEMA_VERSION.

Before DuckDB opens a path, `check_path` refuses in plain words what DuckDB would refuse obscurely (a
folder, an empty file, no store to read); `remove_if_unfinished` clears what a failed creation left.
Once open, a writable store is created or migrated (`open_schema`, the migrations of monitor/tables.py in
one transaction) and a read-only one is checked (`check_schema`): a store of another version is refused
with what to do about it.
"""
from __future__ import annotations

import os
import re
from contextlib import suppress
from pathlib import Path

import duckdb

from monitor import tables as ddl
from monitor.derived import derive
from monitor.store_errors import StoreError, atomic
from monitor.tables import SCHEMA_VERSION

# A DuckDB file starts with its main header and two database headers, a 4 kB block each: a file shorter
# than that was never a whole DuckDB file, and holds nothing.
_HEADERS_BYTES = 3 * 4096


def open_schema(con: duckdb.DuckDBPyConnection, path: str) -> int | None:
    """Create a new store at SCHEMA_VERSION, or migrate an older one to it, in one transaction; return the
    version an older store was migrated from (None when it was not).

    A store of a newer version is refused (StoreError) and left untouched; so is any store
    whose migration fails (rolled back), and any file that is not this project's store (no table is added).
    """
    with atomic(con, path, "cannot open the store"):
        found = _version(con, path)
        if found is None:
            con.execute(ddl.TABLES)
            con.execute("INSERT INTO meta VALUES ('schema_version', ?), ('version', '0')", [str(SCHEMA_VERSION)])
            derive(con)
        elif found < SCHEMA_VERSION:
            for step in ddl.MIGRATIONS[found - 1:]:
                if isinstance(step, str):
                    con.execute(step)
                else:  # a function of the connection: work SQL alone cannot do (ddl.add_mention_tones)
                    step(con)
            derive(con)  # with today's SQL, once every step has brought the tables they read
            con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION)])
        check_schema(con, path)
    return found if found is not None and found < SCHEMA_VERSION else None


def _version(con: duckdb.DuckDBPyConnection, path: str) -> int | None:
    """Return the store's schema version, or None for a DuckDB file with no table yet (a new store).

    Raises StoreError for a file with tables but no `meta.schema_version` (another application's: this
    project's marker is what makes a store its own) and for a marker that is not a version number.
    """
    marker = ddl.schema_marker(con)
    if marker is None:
        tables = ddl.user_tables(con)
        if tables:
            listed = ", ".join(tables[:8]) + (f" and {len(tables) - 8} more" if len(tables) > 8 else "")
            raise StoreError(f"{path}: not a media-monitor store (it has tables {listed}): "
                             "choose another --store")
        return None
    if not re.fullmatch(r"[0-9]{1,9}", marker.strip()) or int(marker) < 1:
        raise StoreError(f"{path}: the store's schema version is {marker[:40]!r}, not a version number: "
                         "it was edited by hand or damaged; ingest into a new store (--store PATH)")
    return int(marker)


def check_schema(con: duckdb.DuckDBPyConnection, path: str) -> None:
    """Raise StoreError unless the store is at SCHEMA_VERSION with every table and column of that
    version, saying what to do about it."""
    found = _version(con, path)
    if found is None:
        raise StoreError(f"{path}: no store here yet (an empty DuckDB file: ingest some articles first)")
    if found < SCHEMA_VERSION:
        fix = (f"run `python -m monitor migrate --store {path}` (or any ingest into it) to upgrade it; "
               "nothing stored is lost")
    elif found > SCHEMA_VERSION:
        fix = "open it with a newer monitor, or ingest into a new store (--store PATH)"
    else:
        problems = ddl.schema_problems(con)
        if not problems:
            return
        listed = "; ".join(problems[:6]) + (f"; and {len(problems) - 6} more" if len(problems) > 6 else "")
        raise StoreError(f"{path}: the store does not match its schema version {found} ({listed}): "
                         "it was edited by hand or damaged; ingest into a new store (--store PATH)")
    raise StoreError(f"{path}: store schema version {found}, this monitor needs {SCHEMA_VERSION}: {fix}")


def remove_if_unfinished(path: str) -> None:
    """Remove what a failed creation of a new store left: a file shorter than DuckDB's headers (the disk was
    full before they were written), which would refuse every later open as "not a DuckDB database". A file
    with whole headers is never removed: it opens, and may hold what another process stored meanwhile."""
    with suppress(OSError):
        if os.path.getsize(path) < _HEADERS_BYTES:
            os.remove(path)


def check_path(path: str, read_only: bool) -> None:
    """Raise StoreError for a path DuckDB would refuse in obscure words (a folder, an empty file, none to
    read), or whose folder cannot be made; make the folder of a new writable store."""
    where = Path(path)
    try:
        if where.is_dir():
            raise StoreError(f"{path}: cannot open the store: it is a folder, not a store file: "
                             "choose another --store")
        if not where.exists():
            if read_only:
                raise StoreError(f"{path}: no store here yet (ingest some articles first)")
            where.parent.mkdir(parents=True, exist_ok=True)
        elif where.stat().st_size == 0:
            raise StoreError(f"{path}: cannot open the store: the file is empty (0 bytes), not a DuckDB "
                             "database: delete it or choose another --store")
    except OSError as exc:
        raise StoreError(f"{path}: cannot open the store: {exc.strerror or exc}") from exc
