"""The processed store: an embedded DuckDB database, incremental and transactional.

Tables hold what the NLP produced (articles, sentences, raw mentions, topic hits);
`entity_map` and the denormalised `mentions` and `topic_mentions` tables are rebuilt from
them after every ingest (monitor/derived.py), so corpus-wide name resolution and watchlist edits never
need the model again. Connections are opened per operation (and retried while another process holds the
file: monitor/locking.py), so a dashboard can read between an ingest's batches.

The store's schema has a version (`meta.schema_version`): opening a store writable brings an older
one up to SCHEMA_VERSION (the migrations in monitor/tables.py, in order, in one transaction: monitor/store_open.py),
so readers never probe for tables; a read-only open of an older store is refused with the command that migrates it.
`meta.version` moves only when a write changed a table: readers cache by it.
A failure of the file or the disk leaves as a one-line StoreError (monitor/store_errors.py).
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from monitor import derived
from monitor.locking import file_turn, retry_while_busy
from monitor.settings import default_file, settings_path

# StoreError and StoreBusy belong to the store's entry point too: `from monitor.store import Store, StoreError`.
from monitor.store_errors import StoreBusy, StoreError, atomic, fault, is_fault
from monitor.store_open import check_path, check_schema, open_schema, remove_if_unfinished

DEFAULT_PATH = default_file("store")

_BUMP_VERSION = "UPDATE meta SET value = CAST(CAST(value AS BIGINT) + 1 AS VARCHAR) WHERE key = 'version'"
# Set in the transaction that adds articles, cleared in the one that regroups them into
# stories: an ingest killed in between leaves it set, and the next ingest regroups.
STORIES_STALE = "stories_stale"
_SET_FLAG = "INSERT OR REPLACE INTO meta VALUES (?, '1')"


def default_path() -> Path:
    """Return the store path from $MONITOR_STORE, else data/monitor.duckdb in the project."""
    return settings_path("store")


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
            check_path(self.path, read_only)
        try:
            with self.connect() as con:
                if read_only:
                    check_schema(con, self.path)
                else:
                    self.migrated_from = open_schema(con, self.path)
        except StoreError as exc:
            if new and not isinstance(exc, StoreBusy):
                remove_if_unfinished(self.path)
            raise

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Yield a connection, waiting while another process holds the file; closed afterwards.

        A DuckDB error that is the file's or the disk's fault (is_fault) leaves as a one-line StoreError.
        """
        if self._memory is not None:
            yield self._memory
            return
        with file_turn(self.path):
            con = retry_while_busy(self.path, lambda: duckdb.connect(self.path, read_only=self.read_only))
            try:
                yield con
            except duckdb.Error as exc:
                if is_fault(exc):
                    raise fault(self.path, "cannot read or write the store", exc) from exc
                raise
            finally:
                con.close()

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
            write.con.execute(_SET_FLAG, [derived.DERIVED_STALE])

    @contextmanager
    def _write(self) -> Iterator[_Write]:
        """Yield a _Write inside one transaction: committed on success, rolled back on error.

        The version moves only when the body leaves ``changed`` True: a rebuild that finds
        nothing to change says so, and every reader's cache (keyed on the version) stays warm.
        """
        with self.connect() as con, atomic(con, self.path, "a write failed and was rolled back"):
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
                write.con.execute(_SET_FLAG, [derived.DERIVED_STALE])
            if len(tables.get("articles", ())) > len(stored):
                write.con.execute(_SET_FLAG, [STORIES_STALE])
        return stored

    def add_labels(self, labels: pd.DataFrame) -> int:
        """Store the labels (article_id, field, value) of stored articles that have none yet; return the rows added.

        What brings labels to a store made before they were kept (schema < 4): ingesting the same files again.
        An article's labels are never replaced or mixed: one that has any keeps them. The version moves only
        when a row was added.
        """
        if not len(labels):
            return 0
        with self._write() as write:
            write.con.register("_labels", labels[["article_id", "field", "value"]])
            row = write.con.execute(
                "INSERT INTO article_labels SELECT DISTINCT l.article_id, l.field, l.value FROM _labels l "
                "WHERE l.article_id IN (SELECT article_id FROM articles) "
                "AND l.article_id NOT IN (SELECT article_id FROM article_labels)").fetchone()
            write.con.unregister("_labels")
            added = int(row[0]) if row else 0
            write.changed = added > 0
        return added

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
            entity_map = derived.new_entity_map(write.con, build)
            links = derived.name_links(write.con, entity_map, link)
            write.changed = derived.names_changed(write.con, entity_map, links)
            if write.changed:
                write.con.execute("DELETE FROM entity_map")
                _insert(write.con, "entity_map", entity_map)
                if links is not None:
                    write.con.execute("DELETE FROM name_links")
                    _insert(write.con, "name_links", links)
                derived.derive(write.con)
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
            derived.derive(con)

    def replace_topics(self, hits: pd.DataFrame, article_topics: pd.DataFrame) -> bool:
        """Replace all topic hits and every article's topics (after the taxonomy changed); return True
        when they changed. The same hits and topics (an edit that matches nothing new) leave the version alone.
        """
        hits = hits[["article_id", "sentence_id", "topic", "keyword"]]
        with self._write() as write:
            con = write.con
            con.register("_topics", article_topics[["article_id", "topics"]])
            write.changed = derived.topics_changed(con, hits)
            if write.changed:
                con.execute("DELETE FROM topic_hits")
                _insert(con, "topic_hits", hits)
                con.execute("UPDATE articles SET topics = ''")
                con.execute("UPDATE articles SET topics = t.topics FROM _topics t "
                            "WHERE articles.article_id = t.article_id")
                derived.derive(con)
            con.unregister("_topics")
        return write.changed


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
