"""Read the store's frames, filtered in SQL, conformed to the public contract."""
from __future__ import annotations

import pandas as pd

from monitor import schema
from monitor.read.filters import Filters, article_scope, where_clause
from monitor.store import Store

__all__ = ["Filters", "articles", "mentions", "sentences", "summary", "topic_hits"]


def articles(store: Store, f: Filters = Filters()) -> pd.DataFrame:
    """Return the articles frame (one row per article) for the filters."""
    where, params = article_scope(store, f, "a")
    frame = store.query(f"SELECT * FROM articles a WHERE {where} ORDER BY a.date, a.article_id", params)
    frame["tone_label"] = schema.tone_labels(frame["tone"])
    frame["topics"] = frame["topics"].fillna("")
    return schema.conform(frame, schema.ARTICLES, "articles")


def mentions(store: Store, f: Filters = Filters()) -> pd.DataFrame:
    """Return the mentions frame (one row per entity per sentence) for the filters."""
    where, params = where_clause(store, f, "m", with_entity=True)
    frame = store.query(f"SELECT * FROM mentions m WHERE {where}", params)
    frame["tone_label"] = schema.tone_labels(frame["tone"])
    frame["topics"] = frame["topics"].fillna("")
    return schema.conform(frame, schema.MENTIONS, "mentions")


def topic_hits(store: Store, f: Filters = Filters()) -> pd.DataFrame:
    """Return the topic_hits frame (one row per topic per sentence) for the filters."""
    where, params = article_scope(store, f, "t")
    if f.topics:
        where += f" AND lower(t.topic) IN ({', '.join('?' * len(f.topics))})"
        params += [t.casefold() for t in f.topics]
    # topic_mentions: the store's one join of topic hits with their article and sentence
    frame = store.query(f"SELECT * FROM topic_mentions t WHERE {where} "
                        "ORDER BY t.date, t.article_id, t.sentence_id, t.topic", params)
    frame["tone_label"] = schema.tone_labels(frame["tone"])
    return schema.conform(frame, schema.TOPIC_HITS, "topic_hits")


def sentences(store: Store, article_ids: list[str] | None = None) -> pd.DataFrame:
    """Return the sentences frame, for some articles or all."""
    if article_ids is None:
        frame = store.query("SELECT * FROM sentences ORDER BY article_id, sentence_id")
    else:
        frame = store.query("SELECT * FROM sentences WHERE article_id IN (SELECT unnest(?)) "
                            "ORDER BY article_id, sentence_id", [list(article_ids)])
    return schema.conform(frame, schema.SENTENCES, "sentences")


def summary(store: Store) -> dict[str, object]:
    """Return what the store holds: counts, date range, sources, top entities and topics."""
    counts = store.query(
        "SELECT (SELECT count(*) FROM articles) AS articles, (SELECT count(*) FROM sentences) AS sentences, "
        "(SELECT count(*) FROM mentions) AS mentions, (SELECT count(DISTINCT entity) FROM mentions) AS entities, "
        "(SELECT count(*) FROM topic_hits) AS topic_hits, (SELECT min(date) FROM articles) AS first_date, "
        "(SELECT max(date) FROM articles) AS last_date, "
        "(SELECT count(*) FROM articles WHERE date IS NULL) AS undated, "
        "(SELECT count(DISTINCT source) FROM articles) AS sources").iloc[0].to_dict()
    one: dict[str, object] = {str(column): value for column, value in counts.items()}
    one["top_people"] = store.query(
        "SELECT entity, count(*) AS mentions FROM mentions WHERE entity_type = 'person' "
        "GROUP BY entity ORDER BY mentions DESC, entity LIMIT 10")
    one["top_topics"] = store.query(
        "SELECT topic, count(*) AS sentences FROM topic_hits GROUP BY topic ORDER BY sentences DESC, topic LIMIT 10")
    one["path"] = store.path
    one["version"] = store.version()
    return one
