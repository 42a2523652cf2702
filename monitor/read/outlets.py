"""The Outlets page's reads: groupings offered, coverage and tone per outlet group over time, and the
per-outlet breakdown ("who covers whom, in what tone").

Groupings come from data/outlets.toml (monitor/read/outlet_groups.py) and from the records' label fields
(`article_labels`); monitor/read/outlet_scope.py turns either into SQL. Every frame has its contract in
monitor/schema.py (GROUP_SIZES, GROUP_SERIES, GROUP_SUMMARY, OUTLET_BREAKDOWN); rows of "ungrouped" outlets are kept.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from monitor import schema
from monitor.read.aggregations import finish_series
from monitor.read.filters import Filters, article_scope, where_clause
from monitor.read.outlet_groups import UNGROUPED, Grouping, OutletGroup
from monitor.read.outlet_scope import GroupingChoice, group_column, group_filter
from monitor.read.timeseries import trunc_unit
from monitor.schema import ARTICLE_LABELS, GROUP_SERIES, GROUP_SIZES, GROUP_SUMMARY, OUTLET_BREAKDOWN
from monitor.store import Store


def article_labels(store: Store, f: Filters | None = None) -> pd.DataFrame:
    """Return ARTICLE_LABELS: the label fields of the articles the filters keep (all without), by article."""
    where, params = article_scope(store, f or Filters(), "a")
    rows = store.query("SELECT l.article_id, l.field, l.value FROM article_labels l JOIN articles a USING (article_id) "
                       f"WHERE {where} ORDER BY a.date, l.article_id, l.field, l.value", params)
    return schema.conform(rows, ARTICLE_LABELS, "article_labels")


def label_fields(store: Store) -> list[str]:
    """Return the record label fields the store holds, the most widely carried first."""
    rows = store.query("SELECT field, count(DISTINCT article_id) AS n FROM article_labels "
                       "GROUP BY field ORDER BY n DESC, field")
    return [str(field) for field in rows["field"]]


def groupings(store: Store, from_file: dict[str, Grouping]) -> dict[str, GroupingChoice]:
    """Return every grouping by name: the file's, then the label fields it does not name (a file's grouping
    called like a label field replaces it)."""
    out: dict[str, GroupingChoice] = dict(from_file)
    for field in label_fields(store):
        out.setdefault(field, field)
    return out


def parse_group(text: str, choices: dict[str, GroupingChoice]) -> OutletGroup | None:
    """Return the outlet-group filter written "grouping:group" (the URL's `group`), or None when it names no
    grouping offered (a file's group need not be listed: it may hold no outlet yet)."""
    grouping, sep, group = text.partition(":")
    choice = choices.get(grouping.strip())
    if not sep or choice is None or not group.strip():
        return None
    return group_filter(choice, group.strip())


# Leaning labels in their order on the scale (MBFC's, as ReCOVery's political_bias has them, and common
# spellings): a label whose every value is one of these lists its groups left to right, not by size.
LEANING_SCALE = ("far left", "extreme left", "left", "lean left", "left-center", "left-centre", "centre-left",
                 "center-left", "center", "centre", "least biased", "right-center", "right-centre", "centre-right",
                 "center-right", "lean right", "right", "extreme right", "far right")


def groups_of(store: Store, grouping: GroupingChoice) -> list[str]:
    """Return the groups of a grouping, "ungrouped" last: a file's in its order, a label's by size (a leaning
    label's along LEANING_SCALE)."""
    if isinstance(grouping, Grouping):
        return [*grouping.group_names(), UNGROUPED]
    rows = store.query("SELECT value, count(DISTINCT article_id) AS n FROM article_labels WHERE field = ? "
                       "GROUP BY value ORDER BY n DESC, value", [grouping])
    values = [str(v) for v in rows["value"]]
    if values and all(v.casefold() in LEANING_SCALE for v in values):
        values.sort(key=lambda v: LEANING_SCALE.index(v.casefold()))
    return [*values, UNGROUPED]


def group_sizes(store: Store, f: Filters, grouping: GroupingChoice) -> pd.DataFrame:
    """Return GROUP_SIZES: per group, its outlets and articles under the filters (the entity filter aside)."""
    join, expr, params = group_column(store, grouping, "a")
    where, where_params = where_clause(store, replace(f, entities=(), entity_types=()), "a", False)
    rows = store.query(f"SELECT {expr} AS \"group\", count(DISTINCT a.source) AS outlets, "
                       f"count(DISTINCT a.article_id) AS articles FROM articles a {join} WHERE {where} "
                       "GROUP BY ALL", params + where_params)
    order = {group: n for n, group in enumerate(groups_of(store, grouping))}
    rows = rows.sort_values("group", key=lambda s: s.map(lambda g: order.get(g, len(order))))
    return schema.conform(rows, GROUP_SIZES, "group_sizes")


def group_series(store: Store, f: Filters, freq: str, grouping: GroupingChoice, names: list[str],
                 kind: str = "entity") -> pd.DataFrame:
    """Return GROUP_SERIES: for each group and each of `names` (entities, or topics with `kind` "topic"), per
    period: the group's articles mentioning it, as a share of all the group's articles of the period under
    the filters (groups differ in size), and the mean tone toward it with its 95% interval."""
    if not names:
        return schema.empty(GROUP_SERIES)
    period = f"date_trunc('{trunc_unit(freq)}', x.date)"
    sql, params, base = _hits(store, f, grouping, names, kind, f"{period} AS period, ")
    raw = store.query(sql + " AND x.date IS NOT NULL GROUP BY ALL", params)
    return _per_group(store, grouping, raw, _group_totals(store, base, grouping, freq), freq, names)


def query_group_series(store: Store, f: Filters, freq: str, grouping: GroupingChoice) -> pd.DataFrame:
    """Return GROUP_SERIES of the text query itself (`name` is the query): per group and period, the articles it
    matches (`mentions` = `articles`) as a share of ALL the group's articles of the period under the other
    filters — how much of each group's coverage the query is — and their mean article tone with its interval."""
    if not f.query.strip():
        return schema.empty(GROUP_SERIES)
    join, expr, params = group_column(store, grouping, "a")
    where, where_params = article_scope(store, f, "a")
    raw = store.query(
        f"SELECT {expr} AS grp, date_trunc('{trunc_unit(freq)}', a.date) AS period, "
        "count(DISTINCT a.article_id) AS mentions, count(DISTINCT a.article_id) AS articles, avg(a.tone) AS tone, "
        f"stddev_samp(a.tone) AS sd FROM articles a {join} WHERE {where} AND a.date IS NOT NULL GROUP BY ALL",
        params + where_params).assign(name=f.query)
    everything = replace(f, query="", entities=(), entity_types=())  # the base: the query aside
    return _per_group(store, grouping, raw, _group_totals(store, everything, grouping, freq), freq, [f.query])


def _per_group(store: Store, grouping: GroupingChoice, raw: pd.DataFrame, totals: pd.DataFrame, freq: str,
               names: list[str]) -> pd.DataFrame:
    """Return GROUP_SERIES from raw counts and totals per group (column `grp`): each group's series
    finished (zero-filled, shares of its own totals), in the grouping's order."""
    parts = [finish_series(raw[raw["grp"] == group].drop(columns="grp"),
                           totals[totals["grp"] == group].drop(columns="grp"), freq, names).assign(group=group)
             for group in groups_of(store, grouping) if (totals["grp"] == group).any() or (raw["grp"] == group).any()]
    if not parts:
        return schema.empty(GROUP_SERIES)
    return schema.conform(pd.concat(parts, ignore_index=True), GROUP_SERIES, "group_series")


def group_summary(store: Store, f: Filters, grouping: GroupingChoice, names: list[str],
                  kind: str = "entity") -> pd.DataFrame:
    """Return GROUP_SUMMARY: group_series over the whole span, one row per group and name (dated or not): the
    group's articles mentioning it as a share of all its articles, and the mean tone toward it with its 95%
    interval. Every group with an article under the filters has a row per name, zeros when it never mentions it."""
    if not names:
        return schema.empty(GROUP_SUMMARY)
    sql, params, base = _hits(store, f, grouping, names, kind, "")
    raw = store.query(sql + " GROUP BY ALL", params)
    totals = _group_totals(store, base, grouping, None)
    order = [g for g in groups_of(store, grouping) if (totals["grp"] == g).any()]
    grid = pd.MultiIndex.from_product([order, names], names=["grp", "name"])
    out = raw.set_index(["grp", "name"]).reindex(grid).reset_index().merge(totals, on="grp", how="left")
    out[["mentions", "articles"]] = out[["mentions", "articles"]].fillna(0).astype("int64")
    out["share"] = out["articles"] / out["total_articles"]
    half = 1.96 * out["sd"].fillna(0.0) / np.sqrt(out["mentions"].where(out["mentions"] > 0))
    out["tone_low"], out["tone_high"] = (out["tone"] - half).clip(lower=-1.0), (out["tone"] + half).clip(upper=1.0)
    return schema.conform(out.rename(columns={"grp": "group"}), GROUP_SUMMARY, "group_summary")


def _hits(store: Store, f: Filters, grouping: GroupingChoice, names: list[str], kind: str,
          period: str) -> tuple[str, list, Filters]:
    """Return the SELECT (up to its WHERE, for GROUP BY ALL) of the mentions of `names` per group (and
    `period`, an SQL column ending ", " or ""), its parameters, and the filters the totals take."""
    join, expr, params = group_column(store, grouping, "x")
    base = replace(f, entities=(), entity_types=()) if kind == "entity" else replace(f, entities=(), topics=())
    where, where_params = (where_clause(store, base, "x", True) if kind == "entity"
                           else article_scope(store, base, "x"))
    table, column = ("mentions", "entity") if kind == "entity" else ("topic_mentions", "topic")
    sql = (f"SELECT {expr} AS grp, {period}x.{column} AS name, count(*) AS mentions, "
           "count(DISTINCT x.article_id) AS articles, avg(x.tone) AS tone, stddev_samp(x.tone) AS sd "
           f"FROM {table} x {join} WHERE {where} AND x.{column} IN ({', '.join('?' * len(names))})")
    return sql, params + where_params + list(names), base


def _group_totals(store: Store, f: Filters, grouping: GroupingChoice, freq: str | None) -> pd.DataFrame:
    """Return (grp, [period,] total_articles): every group's articles (per period, dated ones, given `freq`)
    under the filters."""
    join, expr, params = group_column(store, grouping, "a")
    where, where_params = where_clause(store, f, "a", False)
    period = f"date_trunc('{trunc_unit(freq)}', a.date) AS period, " if freq else ""
    dated = " AND a.date IS NOT NULL" if freq else ""
    return store.query(
        f"SELECT {expr} AS grp, {period}count(DISTINCT a.article_id) AS total_articles FROM articles a {join} "
        f"WHERE {where}{dated} GROUP BY ALL", params + where_params)


def outlet_breakdown(store: Store, f: Filters, grouping: GroupingChoice | None, names: list[str]) -> pd.DataFrame:
    """Return OUTLET_BREAKDOWN: one row per outlet (with an article under the filters) and entity of `names`:
    mentions, the outlet's articles mentioning it and their share of all its articles, and the mean tone
    toward it with the mentions it averages; an outlet that never mentions it is a row of zeros."""
    if not names:
        return schema.empty(OUTLET_BREAKDOWN)
    scope = replace(f, entities=(), entity_types=())
    where, params = where_clause(store, scope, "a", False)
    outlets = store.query(f"SELECT a.source, count(*) AS outlet_articles FROM articles a WHERE {where} "
                          "GROUP BY a.source", params)
    where, params = where_clause(store, scope, "m", True)
    hits = store.query(
        "SELECT m.source, m.entity AS name, count(*) AS mentions, count(DISTINCT m.article_id) AS articles, "
        "avg(m.tone) AS tone, count(m.tone) AS tone_n FROM mentions m "
        f"WHERE {where} AND m.entity IN ({', '.join('?' * len(names))}) GROUP BY ALL", params + list(names))
    grid = pd.MultiIndex.from_product([outlets["source"].astype(str), names], names=["source", "name"])
    out = hits.astype({"source": str, "name": str}).set_index(["source", "name"]).reindex(grid).reset_index()
    out[["mentions", "articles", "tone_n"]] = out[["mentions", "articles", "tone_n"]].fillna(0).astype("int64")
    out = out.merge(outlets.astype({"source": str}), on="source", how="left")
    out["share"] = out["articles"] / out["outlet_articles"]
    out = out.merge(_outlet_groups(store, scope, grouping), on="source", how="left")
    out["group"] = out["group"].fillna(UNGROUPED if grouping is not None else "")
    # the names in the order given (the view's: most mentioned first), each one's busiest outlets first
    out = out.assign(rank=out["name"].map({n: i for i, n in enumerate(names)}))
    out = out.sort_values(["rank", "mentions", "source"], ascending=[True, False, True])
    return schema.conform(out, OUTLET_BREAKDOWN, "outlet_breakdown")


def _outlet_groups(store: Store, f: Filters, grouping: GroupingChoice | None) -> pd.DataFrame:
    """Return (source, group): each outlet's group; under a label, its articles' values, most carried first,
    "; "-joined (an outlet whose articles carry several)."""
    if grouping is None:
        return pd.DataFrame({"source": pd.Series(dtype=str), "group": pd.Series(dtype=str)})
    join, expr, params = group_column(store, grouping, "a")
    where, where_params = where_clause(store, f, "a", False)
    rows = store.query(
        f"SELECT a.source, {expr} AS grp, count(*) AS n FROM articles a {join} WHERE {where} GROUP BY ALL",
        params + where_params)
    rows = rows.sort_values(["source", "n", "grp"], ascending=[True, False, True])
    joined = rows.groupby("source", sort=False)["grp"].agg(lambda g: "; ".join(map(str, g)))
    return joined.rename("group").reset_index().astype({"source": str})
