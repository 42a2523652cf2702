"""What a reader asks for: the Filters and the SQL they become (shared by the frames and the aggregations)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd

from monitor.ingest.names import name_key
from monitor.read import search
from monitor.read.outlet_groups import OutletGroup
from monitor.read.outlet_scope import outlet_clause
from monitor.store import Store


@dataclass(frozen=True)
class Filters:
    """What to keep. Empty tuples and None mean no restriction."""

    entities: tuple[str, ...] = ()        # canonical names or any known spelling
    topics: tuple[str, ...] = ()          # topic labels; an article qualifies when it has the topic
    sources: tuple[str, ...] = ()
    entity_types: tuple[str, ...] = ()    # person | org | place | group
    since: date | datetime | None = None  # inclusive
    until: date | datetime | None = None  # inclusive (the whole day)
    unique_stories: bool = False          # True: each near-duplicate story once (its first copy)
    query: str = ""                       # a text query (monitor/read/query.py): only the articles it matches
    outlet_group: OutletGroup | None = None  # only one group of an outlet grouping (monitor/read/outlet_groups.py)


def resolve_entity(store: Store, name: str) -> str | None:
    """Return the canonical entity a user's spelling refers to ("Trump" -> "Donald Trump"), or None.

    Tries, in order: the canonical name, any resolved spelling (compared by name key), any
    spelling as written in a sentence (the most mentioned entity written so wins).
    """
    # One step at a time: the dashboard passes canonical names, found by the first (entity_map
    # is small) without the third's scan of every mention (~20 ms per name at 100,000 articles).
    steps = [("SELECT min(entity) AS entity FROM entity_map WHERE lower(entity) = ?", name.casefold()),
             ("SELECT min(entity) AS entity FROM entity_map WHERE key = ?", name_key(name)),
             ("SELECT entity FROM mentions WHERE lower(surface) = ? GROUP BY entity "
              "ORDER BY count(*) DESC, entity LIMIT 1", name.casefold())]
    with store.connect() as con:
        for sql, param in steps:
            row = con.execute(sql, [param]).fetchone()
            if row and row[0] is not None:
                return str(row[0])
    return None


def where_clause(store: Store, f: Filters, alias: str, with_entity: bool) -> tuple[str, list]:
    """Return a SQL WHERE clause and its parameters for the filters on table `alias`."""
    clauses: list[str] = ["TRUE"]
    params: list = []
    if f.since is not None:
        clauses.append(f"{alias}.date >= ?")
        params.append(pd.Timestamp(f.since).to_pydatetime())
    if f.until is not None:
        clauses.append(f"{alias}.date < ?")
        params.append((pd.Timestamp(f.until).normalize() + pd.Timedelta(days=1)).to_pydatetime())
    if f.unique_stories:
        clauses.append(f"NOT {alias}.is_copy")
    if f.query.strip():
        # The ids the full-text index matched (a QueryError for an unreadable query): every frame and
        # aggregation builds on this clause, so all of the page follows the query.
        match = search.article_ids(store, f.query)
        if match is not None:
            clauses.append(f"{alias}.article_id {'NOT ' * match.inverted}IN (SELECT unnest(?::VARCHAR[]))")
            params.append(list(match.ids))
    if f.sources:
        clauses.append(f"{alias}.source IN ({', '.join('?' * len(f.sources))})")
        params.extend(f.sources)
    if f.outlet_group is not None:
        clause, group_params = outlet_clause(store, f.outlet_group, alias)
        clauses.append(clause)
        params.extend(group_params)
    if f.topics:
        clauses.append(f"{alias}.article_id IN (SELECT article_id FROM topic_hits WHERE lower(topic) IN "
                       f"({', '.join('?' * len(f.topics))}))")
        params.extend(t.casefold() for t in f.topics)
    if with_entity and f.entities:
        names = [resolve_entity(store, e) or e for e in f.entities]
        clauses.append(f"{alias}.entity IN ({', '.join('?' * len(names))})")
        params.extend(names)
    if with_entity and f.entity_types:
        clauses.append(f"{alias}.entity_type IN ({', '.join('?' * len(f.entity_types))})")
        params.extend(f.entity_types)
    return " AND ".join(clauses), params


def article_scope(store: Store, f: Filters, alias: str) -> tuple[str, list]:
    """Return the clause restricting non-mention frames to articles that mention the filtered entities."""
    where, params = where_clause(store, f, alias, with_entity=False)
    if f.entities or f.entity_types:
        inner, inner_params = where_clause(store, Filters(entities=f.entities, entity_types=f.entity_types), "m", True)
        where += f" AND {alias}.article_id IN (SELECT article_id FROM mentions m WHERE {inner})"
        params += inner_params
    return where, params
