"""The processed store: an embedded DuckDB database, incremental and transactional.

Tables hold what the NLP produced (articles, sentences, raw mentions, topic hits);
`entity_map` and the denormalised `mentions` table are rebuilt from them after every
ingest, so corpus-wide name resolution and watchlist edits never need the model again.
Connections are opened per operation (and retried while another process holds the
file), so a dashboard can read between an ingest's batches.
"""
from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd

SCHEMA_VERSION = 1
DEFAULT_PATH = Path(__file__).resolve().parents[1] / "data" / "monitor.duckdb"
LOCK_WAIT_SECONDS = 60.0

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
ORDER BY a.date, r.article_id, r.sentence_id, r.start_char
"""


_BUMP_VERSION = "UPDATE meta SET value = CAST(CAST(value AS BIGINT) + 1 AS VARCHAR) WHERE key = 'version'"


class StoreError(RuntimeError):
    """The store cannot be opened or used; the message names the file and the reason."""


def default_path() -> Path:
    """Return the store path from $MONITOR_STORE, else data/monitor.duckdb in the project."""
    return Path(os.environ.get("MONITOR_STORE") or DEFAULT_PATH)


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
        """Open the file, retrying lock conflicts for up to LOCK_WAIT_SECONDS."""
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        while True:
            try:
                return duckdb.connect(self.path, read_only=self.read_only)
            except duckdb.IOException as exc:
                if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                    raise StoreError(f"{self.path}: cannot open the store: {exc}") from exc
                time.sleep(0.2)
            except duckdb.Error as exc:
                raise StoreError(f"{self.path}: cannot open the store: {exc}") from exc

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
            except BaseException:
                con.execute("ROLLBACK")
                raise

    def write_batch(self, tables: dict[str, pd.DataFrame]) -> None:
        """Insert rows for several tables in one transaction: all of a batch is stored, or none."""
        with self.transaction() as con:
            for table, frame in tables.items():
                if len(frame):
                    _insert(con, table, frame)

    def set_meta(self, key: str, value: str) -> None:
        """Store one value in the meta table."""
        with self.connect() as con:
            con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, value])

    def name_stats(self) -> pd.DataFrame:
        """Return one row per (name, label) with its mention count `n`: the input of name resolution."""
        return self.query("SELECT name, label, count(*) AS n FROM raw_mentions GROUP BY name, label ORDER BY name, label")

    def replace_entity_map(self, entity_map: pd.DataFrame) -> None:
        """Replace the name -> entity map and rebuild the mentions table, in one transaction."""
        with self.transaction() as con:
            con.execute("DELETE FROM entity_map")
            _insert(con, "entity_map", entity_map[["name", "key", "entity", "entity_type"]])
            con.execute(_MENTIONS)

    def replace_stories(self, stories: pd.DataFrame) -> None:
        """Set every article's story_id, copies and is_copy, and rebuild the mentions table."""
        with self.transaction() as con:
            con.register("_stories", stories)
            con.execute("UPDATE articles SET story_id = s.story_id, copies = s.copies, "
                        "is_copy = (s.story_id <> articles.article_id) FROM _stories s "
                        "WHERE articles.article_id = s.article_id")
            con.unregister("_stories")
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


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    """Append a frame's rows to a table, matching columns by name."""
    con.register("_rows", frame)
    columns = ", ".join(frame.columns)
    con.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM _rows")
    con.unregister("_rows")
