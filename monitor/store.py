"""The processed store: an embedded DuckDB database, incremental and transactional.

Tables hold what the NLP produced (articles, sentences, raw mentions, topic hits);
`entity_map` and the denormalised `mentions` and `topic_mentions` tables are rebuilt from
them after every ingest, so corpus-wide name resolution and watchlist edits never need the model again.
Connections are opened per operation (and retried while another process holds the
file), so a dashboard can read between an ingest's batches.

The store's schema has a version (`meta.schema_version`): opening a store writable brings an older
one up to SCHEMA_VERSION (the migrations in monitor/tables.py, in order, in one transaction), so readers never probe for
tables; a read-only open of an older store is refused with the command that migrates it.
`meta.version` moves only when a write changed a table: readers cache by it.
"""
from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import duckdb
import pandas as pd

from monitor import tables as ddl
from monitor.settings import default_file, settings_path
from monitor.tables import SCHEMA_VERSION

T = TypeVar("T")
DEFAULT_PATH = default_file("store")
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

# A DuckDB file starts with its main header and two database headers, a 4 kB block each: a file shorter
# than that was never a whole DuckDB file, and holds nothing.
_HEADERS_BYTES = 3 * 4096

_BUMP_VERSION = "UPDATE meta SET value = CAST(CAST(value AS BIGINT) + 1 AS VARCHAR) WHERE key = 'version'"
# Set in the transaction that adds articles, cleared in the one that regroups them into
# stories: an ingest killed in between leaves it set, and the next ingest regroups.
STORIES_STALE = "stories_stale"
# Set by every write of the tables the derived ones are made from (a batch, Store.transaction), cleared by
# _derive: a rebuild that finds the entity map unchanged still derives what was added since.
DERIVED_STALE = "derived_stale"
_SET_FLAG = "INSERT OR REPLACE INTO meta VALUES (?, '1')"
_NAME_STATS = "SELECT name, label, count(*) AS n FROM raw_mentions GROUP BY name, label ORDER BY name, label"
_MAP_COLUMNS = ("name", "key", "entity", "entity_type")
# Each person name of each article, with the article's outlet and month: what settles a name several
# people share (monitor.ingest.namesakes.link_articles). Only names the new map types person (`_map`).
_ARTICLE_NAMES = ("SELECT r.article_id, r.name, a.source, date_trunc('month', a.date) AS month, count(*) AS n "
                  "FROM raw_mentions r JOIN articles a USING (article_id) "
                  "WHERE r.name IN (SELECT name FROM _map WHERE entity_type = 'person') "
                  "GROUP BY r.article_id, r.name, a.source, month")
_LINK_COLUMNS = ("article_id", "name", "entity", "entity_type")


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


class StoreError(RuntimeError):
    """The store cannot be opened or used; the message names the file and the reason."""


class StoreBusy(StoreError):
    """Another process held the store for longer than LOCK_WAIT_SECONDS: trying again later may work."""


def default_path() -> Path:
    """Return the store path from $MONITOR_STORE, else data/monitor.duckdb in the project."""
    return settings_path("store")


def is_busy(exc: duckdb.Error, path: str = "") -> bool:
    """Return True when DuckDB refused the file only because another connection holds it (see _BUSY)."""
    words = (str(exc).replace(path, "") if path else str(exc)).lower()
    return any(phrase in words for phrase in _BUSY)


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


@dataclass
class _Write:
    """A write in progress: its connection, and whether it changed a table (only then the version moves)."""

    con: duckdb.DuckDBPyConnection
    changed: bool = True


class Store:
    """A DuckDB store at `path` (":memory:" for a throw-away one)."""

    def __init__(self, path: str | Path | None = None, read_only: bool = False) -> None:
        self.path = str(path) if path is not None else str(default_path())
        self.read_only = read_only
        self.migrated_from: int | None = None  # the schema version a writable open found older and migrated
        self._memory = duckdb.connect(":memory:") if self.path == ":memory:" else None
        new = self._memory is None and not os.path.lexists(self.path)
        if self._memory is None:
            _check_path(self.path, read_only)
        try:
            with self.connect() as con:
                if read_only:
                    self._check_schema(con)
                else:
                    self._open_schema(con)
        except StoreError as exc:
            if new and not isinstance(exc, StoreBusy):
                _remove_if_unfinished(self.path)
            raise

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Yield a connection, waiting while another process holds the file; closed afterwards.

        A DuckDB error that is the file's or the disk's fault (is_fault) leaves as a one-line StoreError.
        """
        if self._memory is not None:
            yield self._memory
            return
        lock = _file_lock(self.path)
        # Re-entrant: a thread may open the file again inside its own connection, as before.
        if not lock.acquire(timeout=LOCK_WAIT_SECONDS):
            raise StoreBusy(f"{self.path}: another thread of this process has held the store for over "
                            f"{LOCK_WAIT_SECONDS:g} s")
        try:
            con = retry_while_busy(self.path, lambda: duckdb.connect(self.path, read_only=self.read_only))
            try:
                yield con
            except duckdb.Error as exc:
                if is_fault(exc):
                    raise fault(self.path, "cannot read or write the store", exc) from exc
                raise
            finally:
                con.close()
        finally:
            lock.release()

    def _open_schema(self, con: duckdb.DuckDBPyConnection) -> None:
        """Create a new store at SCHEMA_VERSION, or migrate an older one to it, in one transaction.

        A store of a newer version is refused (StoreError) and left untouched; so is any store
        whose migration fails (rolled back), and any file that is not this project's store (no table is added).
        """
        with _atomic(con, self.path, "cannot open the store"):
            found = self._version(con)
            if found is None:
                con.execute(ddl.TABLES)
                con.execute("INSERT INTO meta VALUES ('schema_version', ?), ('version', '0')", [str(SCHEMA_VERSION)])
                _derive(con)
            elif found < SCHEMA_VERSION:
                for step in ddl.MIGRATIONS[found - 1:]:
                    if isinstance(step, str):
                        con.execute(step)
                    else:  # a function of the connection: work SQL alone cannot do (ddl.add_mention_tones)
                        step(con)
                _derive(con)  # with today's SQL, once every step has brought the tables they read
                con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION)])
            self._check_schema(con)
        self.migrated_from = found if found is not None and found < SCHEMA_VERSION else None

    def _version(self, con: duckdb.DuckDBPyConnection) -> int | None:
        """Return the store's schema version, or None for a DuckDB file with no table yet (a new store).

        Raises StoreError for a file with tables but no `meta.schema_version` (another application's: this
        project's marker is what makes a store its own) and for a marker that is not a version number.
        """
        marker = ddl.schema_marker(con)
        if marker is None:
            tables = ddl.user_tables(con)
            if tables:
                listed = ", ".join(tables[:8]) + (f" and {len(tables) - 8} more" if len(tables) > 8 else "")
                raise StoreError(f"{self.path}: not a media-monitor store (it has tables {listed}): "
                                 "choose another --store")
            return None
        if not re.fullmatch(r"[0-9]{1,9}", marker.strip()) or int(marker) < 1:
            raise StoreError(f"{self.path}: the store's schema version is {marker[:40]!r}, not a version number: "
                             "it was edited by hand or damaged; ingest into a new store (--store PATH)")
        return int(marker)

    def _check_schema(self, con: duckdb.DuckDBPyConnection) -> None:
        """Raise StoreError unless the store is at SCHEMA_VERSION with every table and column of that
        version, saying what to do about it."""
        found = self._version(con)
        if found is None:
            raise StoreError(f"{self.path}: no store here yet (an empty DuckDB file: ingest some articles first)")
        if found < SCHEMA_VERSION:
            fix = (f"run `python -m monitor migrate --store {self.path}` (or any ingest into it) to upgrade it; "
                   "nothing stored is lost")
        elif found > SCHEMA_VERSION:
            fix = "open it with a newer monitor, or ingest into a new store (--store PATH)"
        else:
            problems = ddl.schema_problems(con)
            if not problems:
                return
            listed = "; ".join(problems[:6]) + (f"; and {len(problems) - 6} more" if len(problems) > 6 else "")
            raise StoreError(f"{self.path}: the store does not match its schema version {found} ({listed}): "
                             "it was edited by hand or damaged; ingest into a new store (--store PATH)")
        raise StoreError(f"{self.path}: store schema version {found}, this monitor needs {SCHEMA_VERSION}: {fix}")

    # ---- reading -------------------------------------------------------------------
    def query(self, sql: str, params: list | None = None) -> pd.DataFrame:
        """Return the result of one SQL query as a frame."""
        with self.connect() as con:
            return con.execute(sql, params or []).df()

    def version(self) -> int:
        """Return a number that grows with every write that changed a table (a cache key for readers)."""
        with self.connect() as con:
            row = con.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
        assert row is not None, "the store's meta table has a version row from its creation"
        return int(row[0])

    def meta(self, key: str) -> str | None:
        """Return one value of the meta table, or None."""
        with self.connect() as con:
            row = con.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    def known_ids(self) -> dict[str, str]:
        """Return article_id -> path for every stored article."""
        with self.connect() as con:
            return dict(con.execute("SELECT article_id, path FROM articles").fetchall())

    # ---- writing -------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Yield a connection inside one transaction: committed on success, rolled back on error.

        The store's version moves with it, so cached readers see the change, and the derived tables
        are marked for the next rebuild (the body may have written what they are made from).
        """
        with self._write() as write:
            yield write.con
            write.con.execute(_SET_FLAG, [DERIVED_STALE])

    @contextmanager
    def _write(self) -> Iterator[_Write]:
        """Yield a _Write inside one transaction: committed on success, rolled back on error.

        The version moves only when the body leaves ``changed`` True: a rebuild that finds
        nothing to change says so, and every reader's cache (keyed on the version) stays warm.
        """
        with self.connect() as con, _atomic(con, self.path, "a write failed and was rolled back"):
            write = _Write(con)
            yield write
            if write.changed:
                con.execute(_BUMP_VERSION)

    def write_batch(self, tables: dict[str, pd.DataFrame]) -> set[str]:
        """Insert rows for several tables in one transaction: all of a batch is stored, or none.

        Returns the ids of articles left out, with all their rows, because the store already
        holds them: another ingest running at the same time stored them first. The version
        moves only when a row was inserted.
        """
        with self._write() as write:
            write.changed = False
            stored = _already_stored(write.con, tables.get("articles"))
            for table, frame in tables.items():
                if stored and "article_id" in frame.columns:
                    frame = frame[~frame["article_id"].isin(stored)]
                if len(frame):
                    _insert(write.con, table, frame)
                    write.changed = True
            if write.changed:
                write.con.execute(_SET_FLAG, [DERIVED_STALE])
            if len(tables.get("articles", ())) > len(stored):
                write.con.execute(_SET_FLAG, [STORIES_STALE])
        return stored

    def set_meta(self, key: str, value: str) -> None:
        """Store one value in the meta table (the version does not move: no reader's data changed)."""
        with self.connect() as con:
            con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, value])

    def rebuild_entity_map(self, build: Callable[[pd.DataFrame], pd.DataFrame],
                           link: Callable[[pd.DataFrame], pd.DataFrame] | None = None) -> bool:
        """Replace the entity map with ``build(stats)`` (one row per name and label, with its count `n`)
        and, given `link`, the per-article `name_links` with ``link(rows)`` (one row per article and person
        name: article_id, name, source, month, n: its mentions there), then rebuild the derived tables;
        return True when they changed.

        An unchanged map (re-ingesting what is stored) leaves the store and its version alone,
        unless rows were written since the derived tables were last made (DERIVED_STALE).
        Read and write are one transaction, which holds the file: an ingest running at the
        same time cannot add names in between, so the last rebuild covers every name.
        """
        with self._write() as write:
            entity_map = build(write.con.execute(_NAME_STATS).df())[list(_MAP_COLUMNS)]
            links = _name_links(write.con, entity_map, link)
            stale = write.con.execute("SELECT key FROM meta WHERE key = ?", [DERIVED_STALE]).fetchall()
            write.changed = bool(stale) or not _same_rows(write.con, "entity_map", entity_map) or (
                links is not None and not _same_rows(write.con, "name_links", links))
            if write.changed:
                write.con.execute("DELETE FROM entity_map")
                _insert(write.con, "entity_map", entity_map)
                if links is not None:
                    write.con.execute("DELETE FROM name_links")
                    _insert(write.con, "name_links", links)
                _derive(write.con)
        return write.changed

    def stories_stale(self) -> bool:
        """Return True when articles were added since the last story grouping."""
        return self.meta(STORIES_STALE) is not None

    def rebuild_stories(self, group: Callable[[pd.DataFrame], pd.DataFrame]) -> None:
        """Regroup every article into stories and rebuild the derived tables, in one transaction.

        ``group`` takes (article_id, date, signature) of every article and returns article_id,
        story_id and copies. One transaction for the same reason as rebuild_entity_map. The
        version always moves: this runs only after articles were added, whose rows it derives.
        """
        with self._write() as write:
            con = write.con
            stories = group(con.execute("SELECT article_id, date, signature FROM articles").df())
            con.register("_stories", stories)
            con.execute("UPDATE articles SET story_id = s.story_id, copies = s.copies, "
                        "is_copy = (s.story_id <> articles.article_id) FROM _stories s "
                        "WHERE articles.article_id = s.article_id")
            con.unregister("_stories")
            con.execute("DELETE FROM meta WHERE key = ?", [STORIES_STALE])
            _derive(con)

    def replace_topics(self, hits: pd.DataFrame, article_topics: pd.DataFrame) -> bool:
        """Replace all topic hits and every article's topics (after the taxonomy changed); return True
        when they changed. The same hits and topics (an edit that matches nothing new) leave the version alone.
        """
        hits = hits[["article_id", "sentence_id", "topic", "keyword"]]
        with self._write() as write:
            con = write.con
            con.register("_topics", article_topics[["article_id", "topics"]])
            write.changed = not _same_rows(con, "topic_hits", hits) or bool(con.execute(_TOPICS_DIFFER).fetchall())
            if write.changed:
                con.execute("DELETE FROM topic_hits")
                _insert(con, "topic_hits", hits)
                con.execute("UPDATE articles SET topics = ''")
                con.execute("UPDATE articles SET topics = t.topics FROM _topics t "
                            "WHERE articles.article_id = t.article_id")
                _derive(con)
            con.unregister("_topics")
        return write.changed


def _name_links(con: duckdb.DuckDBPyConnection, entity_map: pd.DataFrame,
                link: Callable[[pd.DataFrame], pd.DataFrame] | None) -> pd.DataFrame | None:
    """Return ``link(rows)`` for the person names of each article under the new `entity_map` (None without `link`)."""
    if link is None:
        return None
    con.register("_map", entity_map)
    try:
        rows = con.execute(_ARTICLE_NAMES).df()
    finally:
        con.unregister("_map")
    return link(rows)[list(_LINK_COLUMNS)]


def _derive(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild the derived tables (mentions, topic_mentions) from the tables they are made from."""
    con.execute(ddl.DERIVED)
    con.execute("DELETE FROM meta WHERE key = ?", [DERIVED_STALE])


# An article whose stored topics are not those in `_topics` (none there: '').
_TOPICS_DIFFER = ("SELECT 1 FROM articles a LEFT JOIN _topics t USING (article_id) "
                  "WHERE coalesce(a.topics, '') <> coalesce(t.topics, '') LIMIT 1")


def _same_rows(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> bool:
    """Return True when `table` holds exactly the rows of `frame` in its columns (any order, repeats counted)."""
    if not len(frame):  # nothing to compare column types with: an empty frame's columns have none
        return not con.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchall()
    columns = ", ".join(frame.columns)
    con.register("_new", frame)
    try:
        differ = con.execute(f"SELECT EXISTS (SELECT {columns} FROM {table} EXCEPT ALL SELECT {columns} FROM _new) "
                             f"OR EXISTS (SELECT {columns} FROM _new EXCEPT ALL SELECT {columns} FROM {table})")
        return not differ.fetchall()[0][0]
    finally:
        con.unregister("_new")


@contextmanager
def _atomic(con: duckdb.DuckDBPyConnection, path: str, doing: str) -> Iterator[None]:
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


def _remove_if_unfinished(path: str) -> None:
    """Remove what a failed creation of a new store left: a file shorter than DuckDB's headers (the disk was
    full before they were written), which would refuse every later open as "not a DuckDB database". A file
    with whole headers is never removed: it opens, and may hold what another process stored meanwhile."""
    with suppress(OSError):
        if os.path.getsize(path) < _HEADERS_BYTES:
            os.remove(path)


def _check_path(path: str, read_only: bool) -> None:
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


def _already_stored(con: duckdb.DuckDBPyConnection, articles: pd.DataFrame | None) -> set[str]:
    """Return the ids among ``articles`` that the store holds already."""
    if articles is None or not len(articles):
        return set()
    rows = con.execute("SELECT article_id FROM articles WHERE article_id IN (SELECT unnest(?))",
                       [articles["article_id"].tolist()]).fetchall()
    return {row[0] for row in rows}


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    """Append a frame's rows to a table, matching columns by name."""
    con.register("_rows", frame)
    columns = ", ".join(frame.columns)
    con.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM _rows")
    con.unregister("_rows")
