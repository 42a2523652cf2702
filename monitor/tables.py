"""The store's tables: what each holds, the derived ones rebuilt from them, and the schema's migrations.

SQL only (the Store in monitor/store.py runs it): a new store is created with TABLES then DERIVED; an older
one is brought to SCHEMA_VERSION by the MIGRATIONS, in order.
"""
from __future__ import annotations

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


def schema_version(con: duckdb.DuckDBPyConnection) -> int | None:
    """Return the store's schema version, or None for a file without one (new, or not a store)."""
    try:
        # fetchall, not fetchone: DuckDB refuses the next statement while a result is unfinished
        rows = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall()
    except duckdb.CatalogException:  # no meta table: an empty file
        return None
    return int(rows[0][0]) if rows else None
