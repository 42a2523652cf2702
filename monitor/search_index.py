"""The full-text index of the articles: SQLite FTS5 in a file beside the store, kept in step with it.

Why FTS5 (bench/query.py, bench/RESULTS.md "query"): it ships with Python, answers the typical queries on
100,000 articles well under the 1 s budget, and natively has what the query language needs (phrases, prefix
*, AND/OR/NOT, NEAR/N), with SQLite's transactions for crash safety; DuckDB's fts extension is not installed
and would need a download at run time, and tantivy (a new binary dependency) was not faster where it counts.

The index lives at ``<store>.search.sqlite`` (a ":memory:" store has one in memory). It records the store it was
last brought up to (`fingerprint`: its version, and its articles' count and first and last ids). `sync` compares: a
store that moved on has its new articles added (only those: the ids the index lacks), in one SQLite transaction, so
an ingest or indexing killed half-way leaves the index at its last whole state, behind the store, and the next
`sync` catches up. An index holding an article the store has not (the store was rebuilt or replaced) is rebuilt
from scratch. The ingest syncs after every run and `python -m monitor migrate` builds the index of an older store;
every search syncs first, so a store that never had one gets it on first use.
"""
from __future__ import annotations

import sqlite3
import weakref
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from monitor.store import Store

LAYOUT = "1"  # the index's own layout: another one is rebuilt
CHUNK = 2_000  # articles read from the store and indexed at a time (memory stays small)
BUSY_MS = 60_000  # how long to wait for another process indexing the same store
SCHEMA = """
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS ids (n INTEGER PRIMARY KEY, article_id TEXT UNIQUE NOT NULL);
CREATE VIRTUAL TABLE IF NOT EXISTS docs USING fts5(title, body, everything, content='', prefix='2 3',
    tokenize='unicode61 remove_diacritics 2');
"""
# The searchable columns are title and body; `everything` holds the word "all" in every row, so that a
# query's "NOT x" alone (everything NOT x) can be written in FTS5, whose NOT only subtracts.
_memory: weakref.WeakKeyDictionary[Store, sqlite3.Connection] = weakref.WeakKeyDictionary()


class SearchError(ValueError):
    """An expression FTS5 refused (monitor.read.query writes only ones it accepts; a guard, not a path)."""


def index_path(store: Store) -> Path | None:
    """Return the index file beside a store file, or None for a store in memory."""
    return None if store.path == ":memory:" else Path(store.path + ".search.sqlite")


@contextmanager
def _connection(store: Store) -> Iterator[sqlite3.Connection]:
    """Yield a connection to the store's index (created empty when missing); autocommit: callers BEGIN."""
    path = index_path(store)
    if path is None:
        con = _memory.get(store)
        if con is None:
            con = _memory[store] = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
            con.executescript(SCHEMA)
        yield con
        return
    with closing(sqlite3.connect(path, isolation_level=None, timeout=BUSY_MS / 1000)) as con:
        # WAL: a search reads while an ingest indexes; NORMAL: a commit lost to a power cut leaves the
        # index behind the store, which the next sync sees by the recorded version and catches up.
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=NORMAL")
        con.executescript(SCHEMA)
        yield con


def _state(con: sqlite3.Connection) -> dict[str, str]:
    return dict(con.execute("SELECT key, value FROM state").fetchall())


def fingerprint(store: Store) -> str:
    """Return what the index records of the store it is up to: its version, and its articles' count and first
    and last ids and last ingest time (a store rebuilt at the same path starts its version again)."""
    row = store.query("SELECT (SELECT value FROM meta WHERE key = 'version') AS v, count(*) AS n, "
                      "min(article_id) AS first, max(article_id) AS last, max(ingested_at) AS at FROM articles")
    return "|".join(map(str, row.iloc[0].tolist()))


def sync(store: Store) -> int:
    """Bring the index up to the store; return how many articles were indexed (0 when it was up to date)."""
    version = fingerprint(store)  # read before the ids: a write in between only makes the next sync redo
    with _connection(store) as con:
        if _state(con) == {"version": version, "layout": LAYOUT}:
            return 0
        con.execute("BEGIN IMMEDIATE")  # one indexer at a time; it re-reads the state below
        try:
            added = _catch_up(store, con, version)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    return added


def _catch_up(store: Store, con: sqlite3.Connection, version: str) -> int:
    """Inside the index's transaction: rebuild it if it holds what the store has not, add the rest."""
    state = _state(con)
    if state == {"version": version, "layout": LAYOUT}:
        return 0  # another process brought it up while this one waited
    stored = set(store.query("SELECT article_id FROM articles")["article_id"])
    indexed = {row[0] for row in con.execute("SELECT article_id FROM ids")}
    if state.get("layout") != LAYOUT or not indexed <= stored:
        con.execute("INSERT INTO docs(docs) VALUES ('delete-all')")
        con.execute("DELETE FROM ids")
        indexed = set()
    new = sorted(stored - indexed)
    for start in range(0, len(new), CHUNK):
        _add(store, con, new[start:start + CHUNK])
    con.executemany("INSERT OR REPLACE INTO state VALUES (?, ?)", [("version", version), ("layout", LAYOUT)])
    return len(new)


def _add(store: Store, con: sqlite3.Connection, ids: list[str]) -> None:
    """Index some articles: their title and text as stored."""
    rows = store.query("SELECT article_id, coalesce(title, '') AS title, coalesce(text, '') AS text FROM articles "
                       "WHERE article_id IN (SELECT unnest(?::VARCHAR[]))", [ids])
    for aid, title, text in rows.itertuples(index=False):
        n = con.execute("INSERT INTO ids (article_id) VALUES (?)", [aid]).lastrowid
        con.execute("INSERT INTO docs (rowid, title, body, everything) VALUES (?, ?, ?, 'all')", [n, title, text])


def search(store: Store, expression: str, inverted: bool = False) -> list[str]:
    """Return the ids of the articles an FTS5 expression matches (after bringing the index up to the store);
    `inverted`: of the articles it does not match."""
    sync(store)
    sql = "SELECT i.article_id FROM docs JOIN ids i ON i.n = docs.rowid WHERE docs MATCH ?"
    if inverted:
        sql = "SELECT article_id FROM ids WHERE n NOT IN (SELECT docs.rowid FROM docs WHERE docs MATCH ?)"
    with _connection(store) as con:
        try:
            rows = con.execute(sql, [expression]).fetchall()
        except sqlite3.OperationalError as exc:
            raise SearchError(str(exc)) from exc
    return [row[0] for row in rows]


def count(store: Store, expression: str) -> tuple[int, int]:
    """Return (articles the expression matches, articles indexed), after bringing the index up to the store."""
    sync(store)
    with _connection(store) as con:
        try:
            row = con.execute("SELECT (SELECT count(*) FROM docs WHERE docs MATCH ?), (SELECT count(*) FROM ids)",
                              [expression]).fetchone()
        except sqlite3.OperationalError as exc:
            raise SearchError(str(exc)) from exc
    return int(row[0]), int(row[1])


def remove(store: Store) -> None:
    """Delete a store's index file (with SQLite's journal files): the next search rebuilds it."""
    path = index_path(store)
    if path is not None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(path) + suffix).unlink(missing_ok=True)
