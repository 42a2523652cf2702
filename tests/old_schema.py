"""The store's schema as it was at version 2 (before the tone toward each mention), kept as test fixtures.

Copied from monitor/tables.py at schema version 2, not imported from it: the migration tests need the old
text as it was, whatever today's becomes.
"""
from __future__ import annotations

from pathlib import Path

import duckdb

V2_TABLES = """
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

V2_MENTIONS = """
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

V2_TOPIC_MENTIONS = """
CREATE OR REPLACE TABLE topic_mentions AS
SELECT t.article_id, a.date, a.source, t.sentence_id, t.topic, t.keyword, s.tone, a.story_id, a.is_copy
FROM topic_hits t
JOIN articles a USING (article_id)
JOIN sentences s USING (article_id, sentence_id)
ORDER BY a.date, t.article_id, t.sentence_id, t.topic
"""


def downgrade(path: str | Path, version: int) -> None:
    """Turn a store file of today's schema into what schema `version` (1 to 4) made of the same rows."""
    with duckdb.connect(str(path)) as con:
        con.execute("DROP TABLE quotes")  # 4 -> 5 added it
        if version == 4:
            con.execute("UPDATE meta SET value = '4' WHERE key = 'schema_version'")
            return
        con.execute("DROP TABLE article_labels")  # 3 -> 4 added it
        if version == 3:
            con.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
            return
        con.execute("ALTER TABLE raw_mentions DROP COLUMN tone")
        con.execute("DROP TABLE name_links")
        con.execute(V2_MENTIONS)
        if version == 1:
            con.execute("DROP TABLE topic_mentions")
        con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(version)])
