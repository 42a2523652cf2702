"""The store's derived tables: rebuilding them, and telling whether a rebuild changes anything.

`mentions` and `topic_mentions` are made whole from the tables the NLP filled (monitor/tables.py DERIVED),
with names resolved by `entity_map` and the per-article `name_links`; the Store's rebuilds
(monitor/store.py: rebuild_entity_map, rebuild_stories, replace_topics) read and compare with the SQL here,
so an unchanged rebuild leaves the store's version, and every reader's cache, alone.
"""
from __future__ import annotations

from collections.abc import Callable

import duckdb
import pandas as pd

from monitor import tables as ddl

# Set by every write of the tables the derived ones are made from (a batch, Store.transaction), cleared by
# derive: a rebuild that finds the entity map unchanged still derives what was added since.
DERIVED_STALE = "derived_stale"
_NAME_STATS = "SELECT name, label, count(*) AS n FROM raw_mentions GROUP BY name, label ORDER BY name, label"
_MAP_COLUMNS = ("name", "key", "entity", "entity_type")
# Each person name of each article, with the article's outlet and month: what settles a name several
# people share (monitor.ingest.namesakes.link_articles). Only names the new map types person (`_map`).
_ARTICLE_NAMES = ("SELECT r.article_id, r.name, a.source, date_trunc('month', a.date) AS month, count(*) AS n "
                  "FROM raw_mentions r JOIN articles a USING (article_id) "
                  "WHERE r.name IN (SELECT name FROM _map WHERE entity_type = 'person') "
                  "GROUP BY r.article_id, r.name, a.source, month")
_LINK_COLUMNS = ("article_id", "name", "entity", "entity_type")
# An article whose stored topics are not those in `_topics` (none there: '').
_TOPICS_DIFFER = ("SELECT 1 FROM articles a LEFT JOIN _topics t USING (article_id) "
                  "WHERE coalesce(a.topics, '') <> coalesce(t.topics, '') LIMIT 1")


def new_entity_map(con: duckdb.DuckDBPyConnection, build: Callable[[pd.DataFrame], pd.DataFrame]) -> pd.DataFrame:
    """Return ``build(stats)`` (stats: one row per name and label, with its count `n`) in the entity map's columns."""
    return build(con.execute(_NAME_STATS).df())[list(_MAP_COLUMNS)]


def names_changed(con: duckdb.DuckDBPyConnection, entity_map: pd.DataFrame, links: pd.DataFrame | None) -> bool:
    """Return True when the derived tables must be rebuilt for this `entity_map` and `links` (None: kept):
    either differs from the stored one, or rows were written since the last rebuild (DERIVED_STALE)."""
    stale = con.execute("SELECT key FROM meta WHERE key = ?", [DERIVED_STALE]).fetchall()
    return bool(stale) or not same_rows(con, "entity_map", entity_map) or (
        links is not None and not same_rows(con, "name_links", links))


def topics_changed(con: duckdb.DuckDBPyConnection, hits: pd.DataFrame) -> bool:
    """Return True when the stored topic hits are not `hits`, or an article's topics are not those in the
    registered `_topics` frame (article_id, topics)."""
    return not same_rows(con, "topic_hits", hits) or bool(con.execute(_TOPICS_DIFFER).fetchall())


def name_links(con: duckdb.DuckDBPyConnection, entity_map: pd.DataFrame,
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


def derive(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild the derived tables (mentions, topic_mentions) from the tables they are made from."""
    con.execute(ddl.DERIVED)
    con.execute("DELETE FROM meta WHERE key = ?", [DERIVED_STALE])


def same_rows(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> bool:
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
