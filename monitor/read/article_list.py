"""The articles behind a view (the dashboard's Articles page and its CSV): sorted and paged in SQL, so a page of
50 rows leaves the store, never the 100,000 behind it; one article's text with its mentions and topics; and the
view's top outlets against their totals under the dates.

Every function takes the store, the view's Filters and `names`: the entities the analyst chose. With names, the
list holds the articles mentioning any of them and carries the tone toward them; without, the whole view.
"""
from __future__ import annotations

from dataclasses import replace

import pandas as pd

from monitor import schema
from monitor.read.filters import Filters, article_scope, resolve_entity, where_clause
from monitor.schema import ARTICLE_LIST, ARTICLE_MARKS, ARTICLE_SENTENCES, TOP_OUTLETS
from monitor.store import Store

TOP_FEW = 3  # people and topics named per article in the list

# Sort name -> ORDER BY over the listed columns. The tone sorts use the tone toward the chosen names when there
# are some (what an analyst sorting "most negative" about a person means), the article's tone otherwise; every
# order ends on article_id so a page boundary never moves between runs.
SORTS: dict[str, str] = {
    "newest": "date DESC NULLS LAST, article_id",
    "oldest": "date ASC NULLS LAST, article_id",
    "most copies": "copies DESC, date DESC NULLS LAST, article_id",
    "most negative": "coalesce(target_tone, tone) ASC NULLS LAST, date DESC NULLS LAST, article_id",
    "most positive": "coalesce(target_tone, tone) DESC NULLS LAST, date DESC NULLS LAST, article_id",
    "most mentions": "target_mentions DESC, date DESC NULLS LAST, article_id",
}


def _resolved(store: Store, names: tuple[str, ...]) -> list[str]:
    """Return the canonical entity of each chosen name (a user's spelling, as the filters resolve it)."""
    return [resolve_entity(store, n) or n for n in names]


def _listed_sql(store: Store, f: Filters, names: tuple[str, ...]) -> tuple[str, list]:
    """Return the SELECT of the view's articles (one row each, unsorted) with the tone toward and mentions of
    `names`, and its parameters."""
    where, params = article_scope(store, replace(f, entities=names, entity_types=()), "a")
    target, target_params = "NULL::DOUBLE AS target_tone, 0::BIGINT AS target_mentions", []
    join = ""
    if names:
        resolved = _resolved(store, names)
        join = ("LEFT JOIN (SELECT article_id, avg(tone) AS target_tone, count(*) AS target_mentions FROM mentions "
                f"WHERE entity IN ({', '.join('?' * len(resolved))}) GROUP BY article_id) t USING (article_id)")
        target, target_params = "t.target_tone, coalesce(t.target_mentions, 0) AS target_mentions", resolved
    return (f"SELECT a.article_id, a.date, a.source, a.title, a.url, a.tone, {target}, a.topics, a.copies, "
            f"a.story_id FROM articles a {join} WHERE {where}", target_params + params)


def article_count(store: Store, f: Filters, names: tuple[str, ...] = ()) -> int:
    """Return how many articles the list holds under the filters (and mentioning any of `names`)."""
    where, params = article_scope(store, replace(f, entities=names, entity_types=()), "a")
    return int(store.query(f"SELECT count(*) AS n FROM articles a WHERE {where}", params)["n"].iloc[0])


def article_page(store: Store, f: Filters, names: tuple[str, ...] = (), sort: str = "newest",
                 offset: int = 0, limit: int | None = 50) -> pd.DataFrame:
    """Return ARTICLE_LIST: the articles of the view in `sort` order, `limit` of them from `offset` (None: all).

    `people` are the persons an article mentions most (TOP_FEW, "; "-joined), `topics` its top topics,
    `outlets` how many outlets ran its story (copies: how many stored articles carry it).
    """
    if sort not in SORTS:
        raise ValueError(f"sort must be one of {list(SORTS)}, not {sort!r}")
    listed, params = _listed_sql(store, f, names)
    window = "" if limit is None else " LIMIT ? OFFSET ?"
    # The page first (sorted, cut), then its people and its stories' outlets: only for the rows shown.
    sql = (f"WITH page AS (SELECT * FROM ({listed}) ORDER BY {SORTS[sort]}{window}), "
           "people AS (SELECT article_id, string_agg(entity, '; ' ORDER BY n DESC, entity) AS people FROM ("
           "SELECT article_id, entity, count(*) AS n, row_number() OVER (PARTITION BY article_id "
           "ORDER BY count(*) DESC, entity) AS rank FROM mentions WHERE entity_type = 'person' AND article_id IN "
           f"(SELECT article_id FROM page) GROUP BY article_id, entity) WHERE rank <= {TOP_FEW} GROUP BY article_id), "
           "stories AS (SELECT story_id, count(DISTINCT source) AS outlets FROM articles WHERE story_id IN "
           "(SELECT story_id FROM page) GROUP BY story_id) "
           "SELECT p.*, coalesce(pe.people, '') AS people, coalesce(s.outlets, 1) AS outlets, "
           f"array_to_string(list_slice(string_split(coalesce(p.topics, ''), '; '), 1, {TOP_FEW}), '; ') "
           "AS top_topics FROM page p LEFT JOIN people pe USING (article_id) LEFT JOIN stories s USING (story_id) "
           f"ORDER BY {SORTS[sort]}")
    frame = store.query(sql, params + ([] if limit is None else [int(limit), int(max(offset, 0))]))
    frame = frame.drop(columns="topics").rename(columns={"top_topics": "topics"})
    frame["tone_label"] = schema.tone_labels(frame["tone"])
    return schema.conform(frame, ARTICLE_LIST, "article_list")


def article_sentences(store: Store, article_id: str) -> pd.DataFrame:
    """Return ARTICLE_SENTENCES: one article's sentences in order, each with its tone and the topics it hits."""
    frame = store.query(
        "SELECT s.sentence_id, s.text, s.tone, coalesce(string_agg(DISTINCT t.topic, '; ' ORDER BY t.topic), '') "
        "AS topics FROM sentences s LEFT JOIN topic_hits t USING (article_id, sentence_id) "
        "WHERE s.article_id = ? GROUP BY s.sentence_id, s.text, s.tone ORDER BY s.sentence_id", [article_id])
    return schema.conform(frame, ARTICLE_SENTENCES, "article_sentences")


def article_marks(store: Store, article_id: str) -> pd.DataFrame:
    """Return ARTICLE_MARKS: every mention in one article, where it stands in its sentence and its tone.

    Every spelling is kept (mentions keeps only an entity's first per sentence), with the entity it resolves to
    as `mentions` resolves it: the article's own link of the name first, else the map's.
    """
    frame = store.query(
        "SELECT r.sentence_id, r.start_char, r.end_char, r.surface, coalesce(l.entity, e.entity) AS entity, "
        "coalesce(l.entity_type, e.entity_type) AS entity_type, coalesce(r.tone, s.tone) AS tone "
        "FROM raw_mentions r JOIN entity_map e USING (name) LEFT JOIN name_links l USING (article_id, name) "
        "JOIN sentences s USING (article_id, sentence_id) WHERE r.article_id = ? "
        "ORDER BY r.sentence_id, r.start_char", [article_id])
    return schema.conform(frame, ARTICLE_MARKS, "article_marks")


def top_outlets(store: Store, f: Filters, names: tuple[str, ...] = (), limit: int | None = 10) -> pd.DataFrame:
    """Return TOP_OUTLETS: the outlets with most articles in the view, their share of it, and their articles under
    the dates alone (`outlet_total`: the same copies rule) with the view's share of those (`of_outlet`)."""
    where, params = article_scope(store, replace(f, entities=names, entity_types=()), "a")
    dates, date_params = where_clause(store, Filters(since=f.since, until=f.until,
                                                     unique_stories=f.unique_stories), "b", False)
    frame = store.query(
        f"WITH v AS (SELECT a.source, count(*) AS articles FROM articles a WHERE {where} GROUP BY a.source), "
        f"o AS (SELECT b.source, count(*) AS outlet_total FROM articles b WHERE {dates} AND b.source IN "
        "(SELECT source FROM v) GROUP BY b.source) "
        "SELECT v.source, v.articles, v.articles / sum(v.articles) OVER () AS share, o.outlet_total, "
        "v.articles / o.outlet_total AS of_outlet FROM v JOIN o USING (source) "
        f"ORDER BY v.articles DESC, v.source{'' if limit is None else ' LIMIT ?'}",
        params + date_params + ([] if limit is None else [int(limit)]))
    return schema.conform(frame, TOP_OUTLETS, "top_outlets")
