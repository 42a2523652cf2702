"""Aggregations for the dashboard and the CLI's timeline, computed in DuckDB so only what is drawn leaves the store.

Every function takes the store and the filters and returns a small frame with the columns
of its contract in monitor/schema.py (SERIES, TIMELINE, TOP, MATRIX, SENTENCES_SHOWN).
The time series are counted here only: the dashboard's charts and `python -m monitor export
timeline` read the same SQL, with the same default (a syndicated story once: Filters.unique_stories).
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from monitor import schema
from monitor.read.filters import Filters, article_scope, where_clause
from monitor.read.timeseries import period_range, trunc_unit
from monitor.schema import MATRIX, SENTENCES_SHOWN, SERIES, TIMELINE, TOP
from monitor.store import Store


def _in(column: str, values: tuple[str, ...] | list[str]) -> tuple[str, list]:
    return f"{column} IN ({', '.join('?' * len(values))})", list(values)


def topic_options(store: Store, f: Filters) -> pd.DataFrame:
    """Return the topics with their sentence hits under the filters (topics themselves not filtered)."""
    where, params = article_scope(store, replace(f, topics=()), "t")
    return store.query(
        "SELECT t.topic AS name, count(*) AS mentions FROM topic_mentions t "
        f"WHERE {where} GROUP BY t.topic ORDER BY mentions DESC, name", params)


def source_options(store: Store) -> list[str]:
    """Return every outlet in the store, by number of articles."""
    return store.query("SELECT source FROM articles GROUP BY source ORDER BY count(*) DESC, source")["source"].tolist()


def date_bounds(store: Store) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """Return the first and last article dates in the store."""
    row = store.query("SELECT min(date) AS first, max(date) AS last FROM articles").iloc[0]
    return (None if pd.isna(row["first"]) else row["first"], None if pd.isna(row["last"]) else row["last"])


def period_totals(store: Store, f: Filters, freq: str) -> pd.DataFrame:
    """Return all articles per period under the filters except the entity filter (the normalisation base)."""
    where, params = where_clause(store, replace(f, entities=(), entity_types=()), "a", False)
    return store.query(
        f"SELECT date_trunc('{trunc_unit(freq)}', a.date) AS period, count(*) AS total_articles "
        f"FROM articles a WHERE {where} AND a.date IS NOT NULL GROUP BY period", params)


def finish_series(raw: pd.DataFrame, totals: pd.DataFrame, freq: str, names: list[str] | None = None) -> pd.DataFrame:
    """Return SERIES: every name x every period of the span, with the normalised share and the 95% tone interval.

    A period in which a name is not mentioned is a row of zeros (tone NaN: there is no tone to average), so a
    line drops to zero rather than bridging the gap and a spreadsheet's average over the rows is right. The
    span runs from the first to the last period holding an article under the filters; `names` (when given)
    get rows even when never mentioned. A period with no article at all has share NaN (0 of 0 is not 0%).
    """
    if raw.empty and not names:
        return schema.empty(SERIES)
    filled = _zero_filled(raw, totals, freq, names)
    out = filled.merge(totals, on="period", how="left")
    out["total_articles"] = out["total_articles"].fillna(out["articles"]).astype("int64")
    out["share"] = (out["articles"] / out["total_articles"]).where(out["total_articles"] > 0)
    half = 1.96 * out["sd"].fillna(0.0) / np.sqrt(out["mentions"].where(out["mentions"] > 0))
    out["tone_low"] = (out["tone"] - half).clip(lower=-1.0)
    out["tone_high"] = (out["tone"] + half).clip(upper=1.0)
    out["tone_smooth"] = out["tone"]
    return schema.conform(out.sort_values(["name", "period"]), SERIES, "series")


def _zero_filled(raw: pd.DataFrame, totals: pd.DataFrame, freq: str, names: list[str] | None) -> pd.DataFrame:
    """Return RAW with a row of zero mentions and articles for each (name, period) it lacks in the span."""
    raw = raw.assign(period=pd.to_datetime(raw["period"]))
    known = pd.concat([raw["period"], pd.to_datetime(totals["period"])]).dropna()
    if known.empty:
        return raw
    periods = period_range(known.min(), known.max(), freq)
    every = list(dict.fromkeys([*(names or []), *raw["name"].dropna().astype(str)]))
    grid = pd.MultiIndex.from_product([every, periods], names=["name", "period"])
    out = raw.set_index(["name", "period"]).reindex(grid).reset_index()
    out[["mentions", "articles"]] = out[["mentions", "articles"]].fillna(0).astype("int64")
    return out


def entity_series(store: Store, f: Filters, freq: str, names: list[str] | None,
                  totals: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return SERIES for the named entities: mentions, articles, share and tone per period.

    `names` None: every entity the filters keep (f.entities, f.entity_types; all when empty).
    `totals` is period_totals(store, f, freq) when the caller has it already (saves a query).
    """
    if names is not None and not names:
        return schema.empty(SERIES)
    scope = f if names is None else replace(f, entities=(), entity_types=())
    where, params = where_clause(store, scope, "m", True)
    clause, names_params = _in("m.entity", names) if names else ("TRUE", [])
    raw = store.query(
        f"SELECT date_trunc('{trunc_unit(freq)}', m.date) AS period, m.entity AS name, count(*) AS mentions, "
        "count(DISTINCT m.article_id) AS articles, avg(m.tone) AS tone, stddev_samp(m.tone) AS sd "
        f"FROM mentions m WHERE {where} AND {clause} AND m.date IS NOT NULL GROUP BY period, name",
        params + names_params)
    return finish_series(raw, period_totals(store, f, freq) if totals is None else totals, freq, names)


def timeline(store: Store, f: Filters, freq: str) -> pd.DataFrame:
    """Return TIMELINE, the CLI's `export timeline`: entity_series of every entity the filters keep,
    `name` called `entity`, by period then entity.

    The same numbers as the dashboard's series for the same filters: a syndicated story counts
    once when f.unique_stories (the CLI's default), every copy otherwise (`--all-copies`).
    """
    series = entity_series(store, f, freq, None).rename(columns={"name": "entity"})
    return schema.conform(series.sort_values(["period", "entity"]), TIMELINE, "timeline")


def topic_series(store: Store, f: Filters, freq: str, topics: list[str],
                 totals: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return SERIES for the topics: hitting sentences, articles, share and tone per period.

    `totals` is period_totals(store, f without entities, freq) when the caller has it already.
    """
    if not topics:
        return schema.empty(SERIES)
    where, params = article_scope(store, replace(f, topics=()), "t")
    clause, topic_params = _in("t.topic", topics)
    raw = store.query(
        f"SELECT date_trunc('{trunc_unit(freq)}', t.date) AS period, t.topic AS name, count(*) AS mentions, "
        "count(DISTINCT t.article_id) AS articles, avg(t.tone) AS tone, stddev_samp(t.tone) AS sd "
        f"FROM topic_mentions t WHERE {where} AND {clause} AND t.date IS NOT NULL GROUP BY period, name",
        params + topic_params)
    totals = period_totals(store, replace(f, entities=()), freq) if totals is None else totals
    return finish_series(raw, totals, freq, topics)


def top_entities(store: Store, f: Filters, entity_type: str, names: list[str] | None = None,
                 limit: int = 15, min_mentions: int = 1) -> pd.DataFrame:
    """Return TOP: the most mentioned entities of a type (or just `names`) with tone and share of voice.

    share_of_voice has one definition wherever it is shown: the entity's mentions as a share of ALL mentions
    of entities of this type under the filters (every one of them, however rarely named), so it does not
    change with which names, how many, or what minimum a view asks for.
    """
    return _with_voice(_entity_rows(store, f, entity_type, names, limit, min_mentions))


def entity_table(store: Store, f: Filters, entity_type: str, min_mentions: int = 1) -> pd.DataFrame:
    """Return TOP for every entity of a type with at least `min_mentions` mentions, most mentioned first.

    One query for the people picker's ranking (`name`, `mentions`) and the top table (`top_of`),
    which would each scan the mentions; share_of_voice as top_entities defines it.
    """
    return _with_voice(_entity_rows(store, f, entity_type, None, None, min_mentions))


def top_of(table: pd.DataFrame, limit: int = 15) -> pd.DataFrame:
    """Return TOP for the first `limit` rows of an entity_table: top_entities(..., None, limit, min_mentions)."""
    return schema.conform(table.head(limit), TOP, "top")


def all_mentions(table: pd.DataFrame) -> int:
    """Return the denominator of a TOP frame's share_of_voice: all mentions of the type under its filters.

    Every row's mentions / share_of_voice is that one number (0 for an empty frame).
    """
    rows = table[table["share_of_voice"] > 0]
    return 0 if rows.empty else round(float(rows["mentions"].iloc[0] / rows["share_of_voice"].iloc[0]))


def _entity_rows(store: Store, f: Filters, entity_type: str, names: list[str] | None,
                 limit: int | None, min_mentions: int) -> pd.DataFrame:
    """Return the TOP columns, `all_mentions` for share_of_voice, most mentioned first (ties A-Z), <= `limit` rows.

    `all_mentions` is summed over every entity of the type before the names and the minimum are applied.
    """
    where, params = where_clause(store, replace(f, entities=(), entity_types=(entity_type,)), "m", True)
    extra, extra_params = _in("name", names) if names else ("TRUE", [])
    return store.query(
        "SELECT * FROM (SELECT entity AS name, count(*) AS mentions, count(DISTINCT article_id) AS articles, "
        "avg(tone) AS tone, avg(CASE WHEN tone >= 0.05 THEN 1.0 ELSE 0.0 END) AS positive, "
        "avg(CASE WHEN tone <= -0.05 THEN 1.0 ELSE 0.0 END) AS negative, sum(count(*)) OVER () AS all_mentions "
        f"FROM mentions m WHERE {where} GROUP BY entity) WHERE mentions >= ? AND {extra} "
        f"ORDER BY mentions DESC, name{'' if limit is None else ' LIMIT ?'}",
        params + [min_mentions] + extra_params + ([] if limit is None else [limit]))


def _with_voice(frame: pd.DataFrame) -> pd.DataFrame:
    """Return TOP: the rows with share_of_voice, each one's mentions as a share of all mentions of the type."""
    frame = frame.assign(share_of_voice=frame["mentions"] / frame["all_mentions"].astype("float64").clip(lower=1))
    return schema.conform(frame, TOP, "top")


def voice_from_top(top: pd.DataFrame, names: list[str]) -> pd.DataFrame | None:
    """Return TOP for just `names`, taken from a larger TOP; None when one is missing.

    A TOP row (its share of voice too) does not depend on which other names were asked for, so the
    share-of-voice chart of names from the top list needs no query of its own.
    """
    rows = top[top["name"].isin(names)]
    if len(rows) != len(set(names)):
        return None
    return schema.conform(rows, TOP, "top")


def entity_topic_matrix(store: Store, f: Filters, names: list[str]) -> pd.DataFrame:
    """Return MATRIX: per entity and topic, the sentences mentioning the entity that hit the topic."""
    if not names:
        return schema.empty(MATRIX)
    where, params = where_clause(store, replace(f, entities=(), entity_types=()), "m", True)
    clause, names_params = _in("m.entity", names)
    topic_clause, topic_params = _in("t.topic", f.topics) if f.topics else ("TRUE", [])
    frame = store.query(
        "SELECT m.entity AS name, t.topic, count(*) AS mentions, avg(m.tone) AS tone FROM mentions m "
        "JOIN topic_hits t ON t.article_id = m.article_id AND t.sentence_id = m.sentence_id "
        f"WHERE {where} AND {clause} AND {topic_clause} GROUP BY m.entity, t.topic ORDER BY name, topic",
        params + names_params + topic_params)
    return schema.conform(frame, MATRIX, "matrix")


def sentences_behind(store: Store, f: Filters, name: str | None = None, topic: str | None = None,
                     start: pd.Timestamp | None = None, end: pd.Timestamp | None = None,
                     limit: int | None = 200) -> pd.DataFrame:
    """Return the sentences behind a point: those mentioning `name` and/or hitting `topic` in [start, end),
    newest first, at most `limit` (None: every one; sentences_behind_count says how many there are).

    `surfaces` lists how the entity is written in the sentence ("; "-joined, for highlighting);
    `keywords` the topic keywords that matched. `tone` is the tone toward `name` (its first mention in the
    sentence, as in `mentions`) when a name is given, else the sentence's; `sentence_tone` the sentence's.
    """
    sql, params = _sentences_sql(store, f, name, topic, start, end)
    frame = store.query(sql + " ORDER BY a.date DESC, s.article_id, s.sentence_id"
                        + ("" if limit is None else " LIMIT ?"), params + ([] if limit is None else [limit]))
    return schema.conform(frame, SENTENCES_SHOWN, "sentences_shown")


def sentences_behind_count(store: Store, f: Filters, name: str | None = None, topic: str | None = None,
                           start: pd.Timestamp | None = None, end: pd.Timestamp | None = None) -> int:
    """Return how many sentences sentences_behind would return without a limit."""
    sql, params = _sentences_sql(store, f, name, topic, start, end)
    return int(store.query(f"SELECT count(*) AS n FROM ({sql})", params)["n"].iloc[0])


def _sentences_sql(store: Store, f: Filters, name: str | None, topic: str | None,
                   start: pd.Timestamp | None, end: pd.Timestamp | None) -> tuple[str, list]:
    """Return the SELECT (no order, no limit) of sentences_behind and its parameters."""
    where, params = article_scope(store, replace(f, entities=(), entity_types=()), "a")
    joins, conditions = [], []
    if name:
        # the entity as `mentions` resolves it: the article's own link of the name first, else the map's
        joins.append("JOIN (SELECT article_id, sentence_id, string_agg(DISTINCT r.surface, '; ') AS surfaces, "
                      "arg_min(r.tone, r.start_char) AS tone FROM raw_mentions r JOIN entity_map e USING (name) "
                      "LEFT JOIN name_links l USING (article_id, name) WHERE coalesce(l.entity, e.entity) = ? "
                      "GROUP BY article_id, sentence_id) m USING (article_id, sentence_id)")
        params = [name, *params]
    if topic:
        joins.append("JOIN (SELECT article_id, sentence_id, string_agg(keyword, '; ') AS keywords FROM topic_hits "
                      "WHERE topic = ? GROUP BY article_id, sentence_id) t USING (article_id, sentence_id)")
        params = [*params[:1], topic, *params[1:]] if name else [topic, *params]
    if start is not None:
        conditions.append("a.date >= ?")
        params.append(pd.Timestamp(start).to_pydatetime())
    if end is not None:
        conditions.append("a.date < ?")
        params.append(pd.Timestamp(end).to_pydatetime())
    return (
        f"SELECT a.date, a.source, a.title, a.url, s.article_id, s.sentence_id, s.text, "
        f"{'m.tone' if name else 's.tone'} AS tone, s.tone AS sentence_tone, a.copies, "
        f"{'m.surfaces' if name else 'NULL'} AS surfaces, {'t.keywords' if topic else 'NULL'} AS keywords "
        f"FROM sentences s JOIN articles a USING (article_id) {' '.join(joins)} "
        f"WHERE {where} {''.join(' AND ' + c for c in conditions)}", params)


def language_counts(store: Store, f: Filters) -> pd.DataFrame:
    """Return the articles per language under the filters (other languages are stored, not analysed)."""
    where, params = where_clause(store, replace(f, entities=(), entity_types=(), topics=()), "a", False)
    return store.query(f"SELECT language, count(*) AS articles FROM articles a WHERE {where} "
                       "GROUP BY language ORDER BY articles DESC, language", params)
