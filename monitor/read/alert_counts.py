"""The counts spike alerts test (monitor/read/alerts.py): per name, outlet and period, the articles naming it, its
mentions and the sums of the tone toward it; and every outlet's articles per period (the exposure).

One query each, under the view's filters; a name kept only when some period has at least `floor` articles (a name
that never reaches the alerts' minimum cannot alert, and need not be read).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import pandas as pd

from monitor.read.filters import Filters, where_clause
from monitor.read.timeseries import trunc_unit
from monitor.store import Store

# Per name, outlet and period: articles, mentions, and the per-article mean tones' count, sum and sum of squares;
# only the names with `floor` articles in some period (no other can alert).
_PER_PERIOD = ("kept AS (SELECT name FROM (SELECT name, period, count(*) AS n FROM per_article GROUP BY name, period) "
               "GROUP BY name HAVING max(n) >= ?) "
               "SELECT name, source, period, count(*) AS articles, sum(mentions) AS mentions, count(tone) AS tone_n, "
               "sum(tone) AS tone_sum, sum(tone * tone) AS tone_sq FROM per_article "
               "WHERE name IN (SELECT name FROM kept) GROUP BY name, source, period")


def _named(column: str, names: Sequence[str] | None) -> tuple[str, list]:
    """Return the clause keeping only `names` in `column` (TRUE for None: every name)."""
    if names is None:
        return "TRUE", []
    if not names:
        return "FALSE", []
    return f"{column} IN ({', '.join('?' * len(names))})", list(names)  # a list, not unnest: pushed into the scan


def entity_counts(store: Store, f: Filters, unit: str, kind: str, floor: int,
                   names: Sequence[str] | None) -> pd.DataFrame:
    """Return the per-period counts of every entity of a kind (or of `names`) with `floor` articles in some period."""
    where, params = where_clause(store, replace(f, entities=(), entity_types=(kind,)), "m", True)
    clause, more = _named("m.entity", names)
    where, params = f"{where} AND {clause}", params + more
    return store.query(
        f"WITH per_article AS (SELECT m.entity AS name, m.source, date_trunc('{unit}', m.date) AS period, "
        f"m.article_id, count(*) AS mentions, avg(m.tone) AS tone FROM mentions m WHERE {where} AND m.date IS NOT NULL "
        # an outlet named in its own articles (a byline, "Reuters reported") is not news about it: its volume
        # would follow the outlet's own output (a corpus collected outlet by outlet spikes with each)
        "AND strpos(lower(m.source), lower(m.entity)) = 0 AND strpos(lower(m.entity), lower(m.source)) = 0 "
        f"GROUP BY ALL), {_PER_PERIOD}", [*params, floor])


def topic_counts(store: Store, f: Filters, unit: str, floor: int, names: Sequence[str] | None) -> pd.DataFrame:
    """Return the per-period counts of every topic (or of `names`; its hitting sentences' tone, per article)."""
    where, params = where_clause(store, replace(f, topics=(), entities=(), entity_types=()), "t", False)
    clause, more = _named("t.topic", names)
    where, params = f"{where} AND {clause}", params + more
    if f.entities or f.entity_types:  # the topics of the articles naming the chosen entities, as topic_series
        inner, inner_params = where_clause(store, Filters(entities=f.entities, entity_types=f.entity_types), "m", True)
        where += f" AND t.article_id IN (SELECT article_id FROM mentions m WHERE {inner})"
        params += inner_params
    if f.topics:
        where += f" AND lower(t.topic) IN ({', '.join('?' * len(f.topics))})"
        params += [t.casefold() for t in f.topics]
    return store.query(
        f"WITH per_article AS (SELECT t.topic AS name, t.source, date_trunc('{unit}', t.date) AS period, "
        f"t.article_id, count(*) AS mentions, avg(t.tone) AS tone FROM topic_mentions t WHERE {where} "
        f"AND t.date IS NOT NULL GROUP BY ALL), {_PER_PERIOD}", [*params, floor])


def query_counts(store: Store, f: Filters, name: str, unit: str) -> pd.DataFrame:
    """Return the per-period counts of one text query: its articles, their sentences and their tone."""
    where, params = where_clause(store, replace(f, entities=(), entity_types=()), "a", False)
    return store.query(
        f"SELECT ? AS name, a.source, date_trunc('{unit}', a.date) AS period, count(*) AS articles, "
        "sum(a.n_sentences) AS mentions, count(a.tone) AS tone_n, sum(a.tone) AS tone_sum, "
        f"sum(a.tone * a.tone) AS tone_sq FROM articles a WHERE {where} AND a.date IS NOT NULL "
        "GROUP BY a.source, period", [name, *params])


def outlet_totals(store: Store, f: Filters, freq: str) -> pd.DataFrame:
    """Return the articles per outlet and period under the filters, the entities aside (the exposure):
    aggregations.period_totals, per outlet."""
    where, params = where_clause(store, replace(f, entities=(), entity_types=()), "a", False)
    return store.query(f"SELECT a.source, date_trunc('{trunc_unit(freq)}', a.date) AS period, count(*) AS "
                       f"total_articles FROM articles a WHERE {where} AND a.date IS NOT NULL GROUP BY ALL", params)
