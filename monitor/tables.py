"""The store's tables: what each holds, the derived ones rebuilt from them, and the schema's migrations.

SQL, and the looks at a file that say whether it is a store and a whole one (the Store in monitor/store.py
runs them): a new store is created with TABLES then DERIVED; an older one is brought to SCHEMA_VERSION by the
MIGRATIONS, in order; `meta.schema_version` marks a file as this project's store.
"""
from __future__ import annotations

import functools

import duckdb

TABLES = """
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

# The derived tables, rebuilt whole from the tables above (every reader reads these, never their joins).
# `mentions`: one row per entity per sentence: two spellings of one person in a sentence count once.
MENTIONS = """
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

# `topic_mentions`: one row per topic hit with its article's date, outlet and story and its sentence's
# tone, the only place topic hits are joined to them: the topic_hits frame and the dashboard's topic
# charts read this one table instead of joining three (a topic series: 23 -> 7 ms at 100,000 articles,
# a store from bench/build_store.py).
TOPIC_MENTIONS = """
CREATE OR REPLACE TABLE topic_mentions AS
SELECT t.article_id, a.date, a.source, t.sentence_id, t.topic, t.keyword, s.tone, a.story_id, a.is_copy
FROM topic_hits t
JOIN articles a USING (article_id)
JOIN sentences s USING (article_id, sentence_id)
ORDER BY a.date, t.article_id, t.sentence_id, t.topic
"""
DERIVED = MENTIONS + ";\n" + TOPIC_MENTIONS

# Step N takes a store at schema version N to N + 1; they run in order, in the transaction of a writable
# open (monitor.store.Store._open_schema). A new store is created at the last version (TABLES, then DERIVED).
# Add a step when the tables change; a step may rebuild a derived table with today's SQL.
MIGRATIONS: tuple[str, ...] = (
    TOPIC_MENTIONS,  # 1 -> 2: stores made before `topic_mentions` existed lack it
)
SCHEMA_VERSION = len(MIGRATIONS) + 1


def schema_marker(con: duckdb.DuckDBPyConnection) -> str | None:
    """Return `meta.schema_version` as written, or None for a file without one (new, or not this project's
    store: no `meta` table, or a `meta` of another application without our columns)."""
    # Looked up, not tried: a failed query inside the opening transaction would abort it.
    if not {"key", "value"} <= set(_columns(con, "meta").get("meta", {})):
        return None
    # fetchall, not fetchone: DuckDB refuses the next statement while a result is unfinished
    rows = con.execute("SELECT CAST(value AS VARCHAR) FROM meta WHERE CAST(key AS VARCHAR) = 'schema_version'"
                       ).fetchall()
    return rows[0][0] if rows and rows[0][0] is not None else None


def user_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Return the names of the tables and views in the connection's database (schema.name outside `main`)."""
    rows = con.execute(
        "SELECT schema_name, table_name AS name FROM duckdb_tables() WHERE database_name = current_database() "
        "UNION ALL SELECT schema_name, view_name FROM duckdb_views() "
        "WHERE database_name = current_database() AND NOT internal ORDER BY 1, 2").fetchall()
    return [name if schema == "main" else f"{schema}.{name}" for schema, name in rows]


def _columns(con: duckdb.DuckDBPyConnection, table: str | None = None) -> dict[str, dict[str, str]]:
    """Return table -> column -> type for the `main` schema of the connection's database (only `table`'s
    when given)."""
    rows = con.execute("SELECT table_name, column_name, data_type FROM duckdb_columns() "
                       "WHERE database_name = current_database() AND schema_name = 'main' "
                       "AND (? IS NULL OR table_name = ?)", [table, table]).fetchall()
    out: dict[str, dict[str, str]] = {}
    for table, column, kind in rows:
        out.setdefault(table, {})[column] = kind
    return out


@functools.cache
def expected_columns() -> dict[str, dict[str, str]]:
    """Return table -> column -> type of a store at SCHEMA_VERSION (a new one, made once in memory)."""
    with duckdb.connect(":memory:") as con:
        con.execute(TABLES)
        con.execute(DERIVED)
        return _columns(con)


def schema_problems(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Return what the store lacks, or holds with another type, of a store at SCHEMA_VERSION ("no table
    sentences", "no column articles.tone", "articles.date is VARCHAR, not TIMESTAMP"); empty when nothing.

    Tables and columns a store has beyond these are left alone (a user's own notes do no harm).
    """
    have = _columns(con)
    problems = []
    for table, columns in expected_columns().items():
        if table not in have:
            problems.append(f"no table {table}")
            continue
        for column, kind in columns.items():
            found = have[table].get(column)
            if found is None:
                problems.append(f"no column {table}.{column}")
            elif found != kind:
                problems.append(f"{table}.{column} is {found}, not {kind}")
    return problems
