"""The store's tables: what each holds, the derived ones rebuilt from them, and the schema's migrations.

SQL, and the looks at a file that say whether it is a store and a whole one (monitor/store_open.py runs
them when a Store opens): a new store is created with TABLES then DERIVED; an older one is brought to SCHEMA_VERSION
by the MIGRATIONS, in order; `meta.schema_version` marks a file as this project's store.
"""
from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence

import duckdb
import pandas as pd

# Per-article links of a name to an entity, overriding `entity_map` for that article's name (a lone surname
# that means another person in this article than the corpus-wide majority). Filled by the ingest's
# name resolution; `mentions` reads it.
NAME_LINKS = """
CREATE TABLE IF NOT EXISTS name_links (article_id VARCHAR, name VARCHAR, entity VARCHAR, entity_type VARCHAR);
"""
# The label fields of each article's input record (monitor/ingest/sources/labels.py: political_bias, section,
# ...), one row per field and value: the outlet groupings of the dashboard's Outlets page are made of them.
ARTICLE_LABELS = """
CREATE TABLE IF NOT EXISTS article_labels (article_id VARCHAR, field VARCHAR, value VARCHAR);
"""
# The direct quotations of each article and who said them (monitor/ingest/quotes.py), one row per quotation:
# `quote_id` its order in the article; `sentence_id`/`end_sentence_id` the sentences where it starts and ends;
# `start_char`/`end_char` in the analysed text (monitor.ingest.batch.analysed_text: the title may come first),
# NULL when the stored text cannot be matched to its sentences; `text` the quoted words, the parts of a split
# quotation joined by " … "; `speaker_name` the speaker's raw name key (raw_mentions.name, so entity_map and
# name_links give the canonical speaker), NULL when no named entity; `speaker_surface` the speaker as written
# (NULL when unknown); `attribution` named | pronoun | description | unknown; `cue` same | adjacent |
# according | pronoun | continued | description | none; `partial` a quoted stretch inside the writer's
# sentence; `tone` the quotation's own VADER compound.
QUOTES = """
CREATE TABLE IF NOT EXISTS quotes (
    article_id VARCHAR, quote_id BIGINT, sentence_id BIGINT, end_sentence_id BIGINT,
    start_char INTEGER, end_char INTEGER, text VARCHAR, speaker_name VARCHAR, speaker_surface VARCHAR,
    attribution VARCHAR, cue VARCHAR, partial BOOLEAN, tone DOUBLE);
"""
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
    surface VARCHAR, name VARCHAR, label VARCHAR, origin VARCHAR, tone DOUBLE);
CREATE TABLE IF NOT EXISTS topic_hits (article_id VARCHAR, sentence_id BIGINT, topic VARCHAR, keyword VARCHAR);
CREATE TABLE IF NOT EXISTS entity_map (name VARCHAR, key VARCHAR, entity VARCHAR, entity_type VARCHAR);
""" + NAME_LINKS + ARTICLE_LABELS + QUOTES

# The derived tables, rebuilt whole from the tables above (every reader reads these, never their joins).
# `mentions`: one row per entity per sentence: two spellings of one person in a sentence count once, the
# first one's targeted tone (`tone`) kept, beside its sentence's VADER compound (`sentence_tone`). A name
# linked to an entity for its article (`name_links`) goes to that entity, any other by `entity_map`.
MENTIONS = """
CREATE OR REPLACE TABLE mentions AS
SELECT r.article_id, a.date, a.source, r.sentence_id, coalesce(l.entity, m.entity) AS entity,
       coalesce(l.entity_type, m.entity_type) AS entity_type, r.surface,
       r.tone, s.tone AS sentence_tone, a.topics, r.start_char, r.end_char, a.story_id, a.is_copy
FROM raw_mentions r
JOIN entity_map m USING (name)
LEFT JOIN name_links l USING (article_id, name)
JOIN articles a USING (article_id)
JOIN sentences s USING (article_id, sentence_id)
QUALIFY row_number() OVER (PARTITION BY r.article_id, r.sentence_id, coalesce(l.entity, m.entity)
                           ORDER BY r.start_char) = 1
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

# Articles whose mentions' tones one batch of the 2 -> 3 migration reads and scores: only their sentences
# with mentions are in memory at once (Reuters: about 4 such sentences an article, of some 160 characters).
TONE_BATCH_ARTICLES = 1_000
# Articles whose sentences and mentions one batch of the 4 -> 5 migration reads to find their quotations.
QUOTE_BATCH_ARTICLES = 1_000


def mention_tone_rows(con: duckdb.DuckDBPyConnection, article_ids: Sequence[str]) -> pd.DataFrame:
    """Return (rid, tone) for every raw mention of `article_ids` whose sentence is stored: `rid` the
    mention's rowid, `tone` the targeted tone toward it, scored with all the spans of its sentence."""
    from monitor.ingest.tone import load_model, mention_tones, sentence_tone

    rows = con.execute(
        "SELECT r.article_id, r.sentence_id, list(r.rowid ORDER BY r.start_char, r.rowid) AS rids, "
        "list([r.start_char, r.end_char] ORDER BY r.start_char, r.rowid) AS spans, any_value(s.text) AS text "
        "FROM raw_mentions r JOIN sentences s USING (article_id, sentence_id) "
        "WHERE r.article_id IN (SELECT unnest(?)) GROUP BY r.article_id, r.sentence_id", [list(article_ids)]
    ).fetchall()
    model = load_model()
    rids: list[int] = []
    tones: list[float] = []
    for _, _, ids, spans, text in rows:
        try:
            scored = list(mention_tones(text, [(a, b) for a, b in spans], model).mentions)
        except ValueError:  # a span that does not fit its sentence (a store edited by hand): the sentence's tone
            scored = [sentence_tone(text or "")] * len(ids)
        rids += ids
        tones += scored
    return pd.DataFrame({"rid": pd.Series(rids, dtype="int64"), "tone": pd.Series(tones, dtype="float64")})


def _batches(values: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    """Yield `values` in slices of at most `size`."""
    for start in range(0, len(values), size):
        yield values[start:start + size]


def add_mention_tones(con: duckdb.DuckDBPyConnection) -> None:
    """Schema 2 -> 3: add `raw_mentions.tone`, the targeted tone toward each mention, filled from the stored
    sentences and spans (no NER), and the empty `name_links` table; the store rebuilds the derived tables.

    Streams TONE_BATCH_ARTICLES articles at a time; the tones wait in a temporary table and go into
    raw_mentions in one UPDATE (one pass over it, not one per batch). The readers' data changes: the
    store's version moves, so their caches do not serve the old tones.
    """
    con.execute("ALTER TABLE raw_mentions ADD COLUMN IF NOT EXISTS tone DOUBLE")
    con.execute(NAME_LINKS)
    con.execute("CREATE OR REPLACE TEMP TABLE _mention_tones (rid BIGINT, tone DOUBLE)")
    ids = [row[0] for row in con.execute("SELECT DISTINCT article_id FROM raw_mentions ORDER BY 1").fetchall()]
    for batch in _batches(ids, TONE_BATCH_ARTICLES):
        con.register("_batch_tones", mention_tone_rows(con, batch))
        con.execute("INSERT INTO _mention_tones SELECT rid, tone FROM _batch_tones")
        con.unregister("_batch_tones")
    con.execute("UPDATE raw_mentions SET tone = t.tone FROM _mention_tones t WHERE raw_mentions.rowid = t.rid")
    con.execute("DROP TABLE _mention_tones")
    con.execute("UPDATE meta SET value = CAST(CAST(value AS BIGINT) + 1 AS VARCHAR) WHERE key = 'version'")


def add_quotes(con: duckdb.DuckDBPyConnection) -> None:
    """Schema 4 -> 5: add the `quotes` table, filled from the stored sentences and raw mentions (no NER),
    QUOTE_BATCH_ARTICLES articles at a time (monitor.ingest.quotes.stored_quotes reads and finds them)."""
    from monitor.ingest.quotes import stored_quotes

    con.execute(QUOTES)
    ids = [row[0] for row in con.execute("SELECT DISTINCT article_id FROM sentences ORDER BY 1").fetchall()]
    for batch in _batches(ids, QUOTE_BATCH_ARTICLES):
        con.register("_batch_quotes", stored_quotes(con, batch))
        con.execute("INSERT INTO quotes BY NAME SELECT * FROM _batch_quotes")
        con.unregister("_batch_quotes")
    # The version stays: no reader has seen this store's quotations (a reader refuses a schema-4 store).


Migration = str | Callable[[duckdb.DuckDBPyConnection], None]
# Step N takes a store at schema version N to N + 1; they run in order, in the transaction of a writable
# open (monitor.store_open.open_schema), which then rebuilds the derived tables with today's SQL (so a
# step changes the tables they are made from, and a later step's tables are there when they are made).
# A step is SQL, or a function given the connection (for work SQL cannot do). A new store is created at the
# last version (TABLES, then DERIVED). Add a step when the tables change.
MIGRATIONS: tuple[Migration, ...] = (
    TOPIC_MENTIONS,  # 1 -> 2: stores made before `topic_mentions` existed lack it
    add_mention_tones,  # 2 -> 3: the tone toward each mention, and `name_links`
    ARTICLE_LABELS,  # 3 -> 4: the records' labels (empty: an ingest of the same files fills them, pipeline.py)
    add_quotes,  # 4 -> 5: the quotations and their speakers, from the stored sentences and mentions
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
