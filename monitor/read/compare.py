"""Saved queries compared (the dashboard's Compare queries page): per query and period, its articles, their
share of all articles, the tone of their sentences and the tone toward chosen entities; and the queries'
share of voice with how many articles two queries share.

Each query is a Filters (the text query, outlets and topics of that query; the page's dates and copies
setting), so every count here is the one the Overview shows for the same filters. The frames' contracts are
COMPARE, COMPARE_TOWARD and COMPARE_VOICE in monitor/schema.py.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pandas as pd

from monitor import schema
from monitor.read.aggregations import period_totals
from monitor.read.filters import Filters, where_clause
from monitor.read.timeseries import period_range, trunc_unit
from monitor.schema import COMPARE, COMPARE_TOWARD, COMPARE_VOICE
from monitor.store import Store


def base_of(f: Filters) -> Filters:
    """Return the normalisation base of a query: its dates, outlets and copies setting (text query, topics
    and entities aside): a query's share is of all the articles it could have matched."""
    return replace(f, query="", topics=(), entities=(), entity_types=())


def query_series(store: Store, f: Filters, name: str, freq: str, totals: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return COMPARE for one query (`f`, named `name`): per period its articles, their share of all articles
    under base_of(f), and the mean tone of their sentences with its 95% interval; every period of the span
    a row (zeros, tone NaN, when nothing matched). Raises QueryError for a query that cannot be read.

    `totals` is period_totals(store, base_of(f), freq) when the caller has it already (queries that share
    their outlets share it).
    """
    where, params = where_clause(store, replace(f, entities=(), entity_types=()), "a", False)
    unit = trunc_unit(freq)
    raw = store.query(
        f"WITH hit AS (SELECT a.article_id, date_trunc('{unit}', a.date) AS period FROM articles a "
        f"WHERE {where} AND a.date IS NOT NULL), "
        "counted AS (SELECT period, count(*) AS articles FROM hit GROUP BY period), "
        "toned AS (SELECT h.period, count(*) AS sentences, avg(s.tone) AS tone, stddev_samp(s.tone) AS sd "
        "FROM hit h JOIN sentences s USING (article_id) GROUP BY h.period) "
        "SELECT c.period, c.articles, coalesce(t.sentences, 0) AS sentences, t.tone, t.sd "
        "FROM counted c LEFT JOIN toned t USING (period)", params)
    totals = period_totals(store, base_of(f), freq) if totals is None else totals
    out = _on_periods(raw, totals, freq, ["articles", "sentences"]).merge(totals, on="period", how="left")
    out["total_articles"] = out["total_articles"].fillna(out["articles"]).astype("int64")
    out["share"] = (out["articles"] / out["total_articles"]).where(out["total_articles"] > 0)
    out["tone_low"], out["tone_high"] = _interval(out["tone"], out["sd"], out["sentences"])
    return schema.conform(out.assign(name=name), COMPARE, "compare")


def query_toward(store: Store, f: Filters, name: str, freq: str, entities: Sequence[str],
                 totals: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return COMPARE_TOWARD for one query: per period and entity, the mentions of the entity in the query's
    articles and the mean tone toward it (with its 95% interval); every period x entity a row. `totals` as
    for query_series (it sets the span of periods)."""
    if not entities:
        return schema.empty(COMPARE_TOWARD)
    where, params = where_clause(store, replace(f, entities=tuple(entities), entity_types=()), "m", True)
    raw = store.query(
        f"SELECT date_trunc('{trunc_unit(freq)}', m.date) AS period, m.entity, count(*) AS mentions, "
        "count(DISTINCT m.article_id) AS articles, avg(m.tone) AS tone, stddev_samp(m.tone) AS sd "
        f"FROM mentions m WHERE {where} AND m.date IS NOT NULL GROUP BY period, m.entity", params)
    totals = period_totals(store, base_of(f), freq) if totals is None else totals
    frames = []
    for entity in dict.fromkeys(entities):
        rows = raw[raw["entity"] == entity].drop(columns="entity")
        frames.append(_on_periods(rows, totals, freq, ["mentions", "articles"]).assign(entity=entity))
    out = pd.concat(frames, ignore_index=True)
    out["tone_low"], out["tone_high"] = _interval(out["tone"], out["sd"], out["mentions"])
    # the entities in the order asked for (the sidebar's), each by period
    return schema.conform(out.assign(name=name), COMPARE_TOWARD, "compare_toward")


def combine(frames: Sequence[pd.DataFrame], columns: dict[str, str], keys: Sequence[str] = ("name",)
            ) -> pd.DataFrame:
    """Return the per-query frames as one (COMPARE or COMPARE_TOWARD), each query on every period any of them
    covers: a query whose outlets have no article in a period gets a row of zeros there (share NaN)."""
    frames = [f for f in frames if not f.empty]
    if not frames:
        return schema.empty(columns)
    out = pd.concat(frames, ignore_index=True)
    periods = pd.DatetimeIndex(sorted(out["period"].unique()), name="period")
    groups = out[list(keys)].drop_duplicates()
    grid = groups.merge(pd.DataFrame({"period": periods}), how="cross")
    out = grid.merge(out, on=[*keys, "period"], how="left")
    counts = [c for c, t in columns.items() if t == "int64"]
    out[counts] = out[counts].fillna(0).astype("int64")
    return schema.conform(out, columns, "compare")


def voice(store: Store, queries: Sequence[tuple[str, Filters]]) -> pd.DataFrame:
    """Return COMPARE_VOICE: each query's matching articles, their share of the sum over the queries, and how
    many of them match no other query (an article two queries match counts once in each)."""
    if not queries:
        return schema.empty(COMPARE_VOICE)
    parts, params = [], []
    for k, (_, f) in enumerate(queries):
        where, more = where_clause(store, replace(f, entities=(), entity_types=()), "a", False)
        parts.append(f"SELECT {k} AS k, a.article_id FROM articles a WHERE {where}")
        params += more
    raw = store.query(
        "SELECT k, count(*) AS articles, count(*) FILTER (WHERE n = 1) AS only_this FROM (SELECT k, "
        f"count(*) OVER (PARTITION BY article_id) AS n FROM ({' UNION ALL '.join(parts)})) GROUP BY k", params)
    found = raw.set_index("k")
    out = pd.DataFrame({"name": [name for name, _ in queries]})
    out["articles"] = [int(found["articles"].get(k, 0)) for k in range(len(queries))]
    out["only_this"] = [int(found["only_this"].get(k, 0)) for k in range(len(queries))]
    total = int(out["articles"].sum())
    out["share_of_voice"] = out["articles"] / total if total else np.nan
    return schema.conform(out, COMPARE_VOICE, "compare_voice")


def _on_periods(raw: pd.DataFrame, totals: pd.DataFrame, freq: str, counts: list[str]) -> pd.DataFrame:
    """Return `raw` (one row per period) on every period from the first to the last holding an article (of raw
    or of totals), counts zero where it has no row."""
    raw = raw.assign(period=pd.to_datetime(raw["period"]))
    known = pd.concat([raw["period"], pd.to_datetime(totals["period"])]).dropna()
    if known.empty:
        return raw
    grid = pd.DataFrame({"period": period_range(known.min(), known.max(), freq)})
    out = grid.merge(raw, on="period", how="left")
    out[counts] = out[counts].fillna(0).astype("int64")
    return out


def _interval(tone: pd.Series, sd: pd.Series, n: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Return the 95% interval of a mean tone (mean -/+ 1.96 standard errors, within -1..1)."""
    half = 1.96 * sd.fillna(0.0) / np.sqrt(n.where(n > 0))
    return (tone - half).clip(lower=-1.0), (tone + half).clip(upper=1.0)
