"""The processed store: an embedded DuckDB database, incremental and transactional.

Tables hold what the NLP produced (articles, sentences, raw mentions, topic hits);
`entity_map` and the denormalised `mentions` and `topic_mentions` tables are rebuilt from
them after every ingest, so corpus-wide name resolution and watchlist edits never need the model again.
Connections are opened per operation (and retried while another process holds the
file), so a dashboard can read between an ingest's batches.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd

from monitor.settings import default_file, settings_path

SCHEMA_VERSION = 1
DEFAULT_PATH = default_file("store")
LOCK_WAIT_SECONDS = 60.0
# Between attempts to open a file another connection holds. Measured with a reader looping
# while a 15-batch ingest ran: 0.2 s made the ingest 3.4x slower and reads wait up to 1.7 s;
# 0.05 s, 1.7x and 0.5 s; 0.02 s was no better.
LOCK_RETRY_SECONDS = 0.05
# Words of DuckDB's errors when the file is busy: another process holds its lock, or this
# process has it open the other way (read-only vs read-write: a dashboard ingesting an
# upload while another session reads) or is opening it in another thread right now
# ("already attached"). All pass when that connection closes.
_BUSY = ("lock", "different configuration", "already attached")

_TABLES = """
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS articles (
    article_id VARCHAR PRIMARY KEY, date TIMESTAMP, date_origin VARCHAR, source VARCHAR,
    title VARCHAR, url VARCHAR, path VARCHAR, n_sentences BIGINT, tone DOUBLE, topics VARCHAR,
    language VARCHAR, text_origin VARCHAR, story_id VARCHAR, copies BIGINT DEFAULT 1,
    is_copy BOOLEAN DEFAULT FALSE, signature BLOB, text VARCHAR, ingested_at TIMESTAMP);
CREATE TABLE IF NOT EXISTS sentences (article_id VARCHAR, sentence_id BIGINT, text VARCHAR, tone DOUBLE);
CREATE TABLE IF NOT EXISTS raw_mentions (
    article_id VARCHAR, sentence_id BIGINT, start_char INTEGER, end_char INTEGER,
    surface VARCHAR, name VARCHAR, label VARCHAR, origin VARCHAR);
CREATE TABLE IF NOT EXISTS topic_hits (article_id VARCHAR, sentence_id BIGINT, topic VARCHAR, keyword VARCHAR);
CREATE TABLE IF NOT EXISTS entity_map (name VARCHAR, key VARCHAR, entity VARCHAR, entity_type VARCHAR);
"""

# One row per entity per sentence: two spellings of one person in a sentence count once.
_MENTIONS = """
CREATE OR REPLACE TABLE mentions AS
SELECT r.article_id, a.date, a.source, r.sentence_id, m.entity, m.entity_type, r.surface,
       s.tone, a.topics, r.start_char, r.end_char, a.story_id, a.is_copy
FROM raw_mentions r
JOIN entity_map m USING (name)
JOIN articles a USING (article_id)
JOIN sentences s USING (article_id, sentence_id)
QUALIFY row_number() OVER (PARTITION BY r.article_id, r.sentence_id, m.entity ORDER BY r.start_char) = 1
ORDER BY a.date, r.article_id, r.sentence_id, r.start_char;

-- Derived like `mentions`, for the dashboard's topic charts: one row per topic hit with its
-- article's date, outlet and story and its sentence's tone, so they read one table instead of
-- joining three (a topic series: 23 -> 7 ms at 100,000 articles, a store from bench/build_store.py).
CREATE OR REPLACE TABLE topic_mentions AS
SELECT t.article_id, a.date, a.source, t.sentence_id, t.topic, t.keyword, s.tone, a.story_id, a.is_copy
FROM topic_hits t
JOIN articles a USING (article_id)
JOIN sentences s USING (article_id, sentence_id)
ORDER BY a.date, t.article_id, t.sentence_id, t.topic
"""


_BUMP_VERSION = "UPDATE meta SET value = CAST(CAST(value AS BIGINT) + 1 AS VARCHAR) WHERE key = 'version'"
# Set in the transaction that adds articles, cleared in the one that regroups them into
# stories: an ingest killed in between leaves it set, and the next ingest regroups.
STORIES_STALE = "stories_stale"
_NAME_STATS = "SELECT name, label, count(*) AS n FROM raw_mentions GROUP BY name, label ORDER BY name, label"


class StoreError(RuntimeError):
    """The store cannot be opened or used; the message names the file and the reason."""


def default_path() -> Path:
    """Return the store path from $MONITOR_STORE, else data/monitor.duckdb in the project."""
    return settings_path("store")


class Store:
    """A DuckDB store at `path` (":memory:" for a throw-away one)."""

    def __init__(self, path: str | Path | None = None, read_only: bool = False) -> None:
        self.path = str(path) if path is not None else str(default_path())
        self.read_only = read_only
        self._memory = duckdb.connect(":memory:") if self.path == ":memory:" else None
        if not read_only:
            if self._memory is None:
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            with self.connect() as con:
                self._create(con)
        elif self._memory is None and not Path(self.path).exists():
            raise StoreError(f"{self.path}: no store here yet (ingest some articles first)")
        else:
            with self.connect() as con:
                self._check_schema(con)

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Yield a connection, waiting while another process holds the file; closed afterwards."""
        if self._memory is not None:
            yield self._memory
            return
        con = self._open_with_retry()
        try:
            yield con
        finally:
            con.close()

    def _open_with_retry(self) -> duckdb.DuckDBPyConnection:
        """Open the file, retrying while it is busy (see _BUSY) for up to LOCK_WAIT_SECONDS."""
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        while True:
            try:
                return duckdb.connect(self.path, read_only=self.read_only)
            except duckdb.Error as exc:
                busy = any(word in str(exc).lower() for word in _BUSY)
                if not busy or time.monotonic() > deadline:
                    raise StoreError(f"{self.path}: cannot open the store: {exc}") from exc
                time.sleep(LOCK_RETRY_SECONDS)

    def _create(self, con: duckdb.DuckDBPyConnection) -> None:
        """Create missing tables and record the schema version; refuse a store of another version."""
        con.execute(_TABLES)
        found = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if found is None:
            con.execute("INSERT INTO meta VALUES ('schema_version', ?), ('version', '0')", [str(SCHEMA_VERSION)])
            con.execute(_MENTIONS)
        self._check_schema(con)

    def _check_schema(self, con: duckdb.DuckDBPyConnection) -> None:
        row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if row is None or int(row[0]) != SCHEMA_VERSION:
            found = row[0] if row else "none"
            raise StoreError(f"{self.path}: store schema version {found}, this monitor needs "
                             f"{SCHEMA_VERSION}: ingest into a new store (--store PATH)")

    # ---- reading -------------------------------------------------------------------
    def query(self, sql: str, params: list | None = None) -> pd.DataFrame:
        """Return the result of one SQL query as a frame."""
        with self.connect() as con:
            return con.execute(sql, params or []).df()

    def version(self) -> int:
        """Return a number that grows with every write (a cache key for readers)."""
        with self.connect() as con:
            return int(con.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()[0])

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

        Every write also bumps the store's version, so cached readers see the change.
        """
        with self.connect() as con:
            con.execute("BEGIN TRANSACTION")
            try:
                yield con
                con.execute(_BUMP_VERSION)
                con.execute("COMMIT")
            except duckdb.Error as exc:
                con.execute("ROLLBACK")
                # A clear message for the user (disk full, a constraint), not a DuckDB traceback.
                raise StoreError(f"{self.path}: a write failed and was rolled back: {exc}") from exc
            except BaseException:
                con.execute("ROLLBACK")
                raise

    def write_batch(self, tables: dict[str, pd.DataFrame]) -> set[str]:
        """Insert rows for several tables in one transaction: all of a batch is stored, or none.

        Returns the ids of articles left out, with all their rows, because the store already
        holds them: another ingest running at the same time stored them first.
        """
        with self.transaction() as con:
            stored = _already_stored(con, tables.get("articles"))
            for table, frame in tables.items():
                if stored and "article_id" in frame.columns:
                    frame = frame[~frame["article_id"].isin(stored)]
                if len(frame):
                    _insert(con, table, frame)
            if len(tables.get("articles", ())) > len(stored):
                con.execute("INSERT OR REPLACE INTO meta VALUES (?, '1')", [STORIES_STALE])
        return stored

    def set_meta(self, key: str, value: str) -> None:
        """Store one value in the meta table."""
        with self.connect() as con:
            con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, value])

    def rebuild_entity_map(self, build: Callable[[pd.DataFrame], pd.DataFrame]) -> None:
        """Replace the entity map with ``build(stats)`` (one row per name and label, with its count `n`)
        and rebuild the mentions table.

        Read and write are one transaction, which holds the file: an ingest running at the
        same time cannot add names in between, so the last rebuild covers every name.
        """
        with self.transaction() as con:
            _write_entity_map(con, build(con.execute(_NAME_STATS).df()))

    def stories_stale(self) -> bool:
        """Return True when articles were added since the last story grouping."""
        return self.meta(STORIES_STALE) is not None

    def rebuild_stories(self, group: Callable[[pd.DataFrame], pd.DataFrame]) -> None:
        """Regroup every article into stories and rebuild the mentions table, in one transaction.

        ``group`` takes (article_id, date, signature) of every article and returns article_id,
        story_id and copies. One transaction for the same reason as rebuild_entity_map.
        """
        with self.transaction() as con:
            stories = group(con.execute("SELECT article_id, date, signature FROM articles").df())
            con.register("_stories", stories)
            con.execute("UPDATE articles SET story_id = s.story_id, copies = s.copies, "
                        "is_copy = (s.story_id <> articles.article_id) FROM _stories s "
                        "WHERE articles.article_id = s.article_id")
            con.unregister("_stories")
            con.execute("DELETE FROM meta WHERE key = ?", [STORIES_STALE])
            con.execute(_MENTIONS)

    def replace_topics(self, hits: pd.DataFrame, article_topics: pd.DataFrame) -> None:
        """Replace all topic hits and every article's topics (after the taxonomy changed)."""
        with self.transaction() as con:
            con.execute("DELETE FROM topic_hits")
            _insert(con, "topic_hits", hits[["article_id", "sentence_id", "topic", "keyword"]])
            con.execute("UPDATE articles SET topics = ''")
            con.register("_topics", article_topics)
            con.execute("UPDATE articles SET topics = t.topics FROM _topics t WHERE articles.article_id = t.article_id")
            con.unregister("_topics")
            con.execute(_MENTIONS)


def _already_stored(con: duckdb.DuckDBPyConnection, articles: pd.DataFrame | None) -> set[str]:
    """Return the ids among ``articles`` that the store holds already."""
    if articles is None or not len(articles):
        return set()
    rows = con.execute("SELECT article_id FROM articles WHERE article_id IN (SELECT unnest(?))",
                       [articles["article_id"].tolist()]).fetchall()
    return {row[0] for row in rows}


def _write_entity_map(con: duckdb.DuckDBPyConnection, entity_map: pd.DataFrame) -> None:
    """Replace the entity_map table's rows and rebuild the mentions table from it."""
    con.execute("DELETE FROM entity_map")
    _insert(con, "entity_map", entity_map[["name", "key", "entity", "entity_type"]])
    con.execute(_MENTIONS)


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    """Append a frame's rows to a table, matching columns by name."""
    con.register("_rows", frame)
    columns = ", ".join(frame.columns)
    con.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM _rows")
    con.unregister("_rows")
