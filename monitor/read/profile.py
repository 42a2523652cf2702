"""Everything about one subject — a person, organisation, place, group or topic — for its profile page.

Every function takes the store, the filters (the sidebar's: dates, outlets, query, copies; the entity choice
is left out) and the subject's canonical name and kind, and returns a small frame with the columns of its
contract in monitor/schema.py (PROFILE_SUMMARY, STRONGEST, COMPANIONS, OUTLET_COVERAGE, VARIANTS, NAMESAKES,
SUBJECTS). A subject's rows are its mentions (an entity: `mentions`, one per sentence) or its hits (a topic:
`topic_mentions`, one per sentence); its tone is the tone toward the entity, or the topic's sentences' tone.
"""
from __future__ import annotations

from dataclasses import replace

import pandas as pd

from monitor import schema
from monitor.read.filters import Filters, resolve_entity, where_clause
from monitor.schema import COMPANIONS, NAMESAKES, OUTLET_COVERAGE, PROFILE_SUMMARY, STRONGEST, SUBJECTS, VARIANTS
from monitor.store import Store

TOPIC = "topic"
SUBJECT_KINDS = (*schema.ENTITY_TYPES, TOPIC)
# Outlets with fewer articles under the filters are left out of "most" and "least": one article naming
# someone is 100% of a one-article outlet, which would top the list with nothing behind it.
OUTLET_FLOOR = 20
# find_subjects: a name is offered when this close to the text typed (Jaro-Winkler, 0..1), or containing it;
# containing it adds the bonus (bench/profile_page.py measures the names a misspelling finds).
CLOSE_AT = 0.8
INSIDE_BONUS = 0.1
# The strongest sentences are picked among this many times as many candidates, so that a sentence repeated
# by copies of one story can be shown once and still leave `limit` others.
CANDIDATES = 10


def _subject_rows(store: Store, f: Filters, name: str, kind: str) -> tuple[str, list]:
    """Return the SELECT of the subject's rows (article_id, sentence_id, date, source, tone, surface) and its
    parameters: the entity's mentions, or the topic's hits (`surface` then the keyword that matched)."""
    where, params = where_clause(store, replace(f, entities=(), entity_types=()), "m", False)
    if kind == TOPIC:
        return ("SELECT m.article_id, m.sentence_id, m.date, m.source, m.tone, m.keyword AS surface "
                f"FROM topic_mentions m WHERE {where} AND m.topic = ?", [*params, name])
    return ("SELECT m.article_id, m.sentence_id, m.date, m.source, m.tone, m.surface "
            f"FROM mentions m WHERE {where} AND m.entity = ?", [*params, name])


def resolve_subject(store: Store, name: str, kind: str | None) -> tuple[str, str] | None:
    """Return (canonical name, kind) of a subject named by a user's spelling, or None when the store has none.

    A topic is matched case-insensitively; an entity by filters.resolve_entity (any spelling), its kind being
    the store's (a link saying `person` for an entity stored as an organisation still opens it).
    """
    with store.connect() as con:
        if kind in (None, TOPIC):
            row = con.execute("SELECT min(topic) FROM topic_hits WHERE lower(topic) = ?", [name.casefold()]).fetchone()
            if row and row[0] is not None:
                return str(row[0]), TOPIC
            if kind == TOPIC:
                return None
    entity = resolve_entity(store, name)
    if entity is None:
        return None
    with store.connect() as con:
        row = con.execute("SELECT entity_type FROM mentions WHERE entity = ? GROUP BY entity_type "
                          "ORDER BY count(*) DESC LIMIT 1", [entity]).fetchone()
    return (entity, str(row[0])) if row else None


def find_subjects(store: Store, text: str, limit: int = 10) -> pd.DataFrame:
    """Return SUBJECTS: the entities and topics whose name contains `text` or is close to it, best first.

    `score`: DuckDB's Jaro-Winkler similarity of the lower-cased text to the name or to one of its words (a
    typo, a missing letter, a surname alone), plus INSIDE_BONUS when the name contains the text (so "Pris"
    offers Paris before "Enterprise"); kept when at least CLOSE_AT or containing the text. With no `text`:
    the most mentioned subjects (every one contains "").
    """
    needle = text.strip().casefold()
    frame = store.query(
        "WITH subjects AS (SELECT entity AS name, mode(entity_type) AS kind, count(*) AS mentions FROM mentions "
        "GROUP BY entity UNION ALL SELECT topic, 'topic', count(*) FROM topic_mentions GROUP BY topic), "
        "scored AS (SELECT *, contains(lower(name), ?) AS inside, least(1.0, greatest("
        "jaro_winkler_similarity(lower(name), ?), list_max(list_transform(string_split(lower(name), ' '), "
        "lambda w: jaro_winkler_similarity(w, ?)))) + CASE WHEN inside THEN ? ELSE 0 END) AS score FROM subjects) "
        "SELECT name, kind, mentions, score FROM scored WHERE score >= ? OR inside "
        "ORDER BY score DESC, mentions DESC, name LIMIT ?",
        [needle, needle, needle, INSIDE_BONUS, CLOSE_AT, limit])
    return schema.conform(frame, SUBJECTS, "subjects")


def summary(store: Store, f: Filters, name: str, kind: str) -> pd.DataFrame:
    """Return PROFILE_SUMMARY: one row of headline figures (zeros and NaN when the filters keep nothing)."""
    rows, params = _subject_rows(store, f, name, kind)
    frame = store.query(
        "SELECT ? AS name, ? AS kind, count(*) AS mentions, count(DISTINCT article_id) AS articles, "
        "count(DISTINCT source) AS outlets, min(date) AS first_seen, max(date) AS last_seen, avg(tone) AS tone, "
        "count(tone) AS tone_n, avg(CASE WHEN tone >= 0.05 THEN 1.0 ELSE 0.0 END) AS positive, "
        f"avg(CASE WHEN tone <= -0.05 THEN 1.0 ELSE 0.0 END) AS negative FROM ({rows})", [name, kind, *params])
    return schema.conform(frame, PROFILE_SUMMARY, "profile_summary")


def strongest(store: Store, f: Filters, name: str, kind: str, limit: int = 5) -> pd.DataFrame:
    """Return STRONGEST: the `limit` most negative sentences (tone <= -0.05) then the `limit` most positive
    (>= 0.05), strongest first, with their article's outlet, date, title, link and copies. A sentence written
    the same in several articles (copies of a story) is listed once, from its newest article.

    `tone` is the tone toward the entity (a topic: the sentence's); `surfaces` how the name is written there
    (a topic: the keyword that matched), for marking it.
    """
    rows, params = _subject_rows(store, f, name, kind)
    order = "abs(p.tone) DESC, p.date DESC, p.article_id, p.sentence_id"
    candidates = " UNION ALL ".join(
        f"(SELECT '{side}' AS side, * FROM p WHERE p.tone {test} ORDER BY {order} LIMIT ?)"
        for side, test in (("negative", "<= -0.05"), ("positive", ">= 0.05")))
    picked = store.query(f"WITH p AS ({rows}) {candidates}", [*params, limit * CANDIDATES, limit * CANDIDATES])
    if picked.empty:
        return schema.empty(STRONGEST)
    # Their text read apart, by article id: a filter DuckDB applies while scanning `sentences`, where a join
    # read the whole table (~200 ms at 100,000 articles; this ~40 ms).
    texts = store.query(
        "SELECT s.article_id, s.sentence_id, s.text, s.tone AS sentence_tone, a.title, a.url, a.copies "
        "FROM sentences s JOIN articles a USING (article_id) WHERE s.article_id IN (SELECT unnest(?::VARCHAR[]))",
        [sorted(set(picked["article_id"]))])
    frame = picked.rename(columns={"surface": "surfaces"}).merge(texts, on=["article_id", "sentence_id"])
    frame = frame.assign(strength=frame["tone"].abs(), positive=frame["side"] == "positive").sort_values(
        ["positive", "strength", "date", "article_id", "sentence_id"], ascending=[True, False, False, True, True])
    # a sentence carried by several copies of a story (or repeated by an outlet) is shown once
    frame = frame.drop_duplicates(["side", "text"]).groupby("side", sort=False).head(limit)
    return schema.conform(frame, STRONGEST, "strongest")


def companions(store: Store, f: Filters, name: str, kind: str, of: str = "entity",
               limit: int | None = 25) -> pd.DataFrame:
    """Return COMPANIONS: the entities (`of="entity"`) or topics (`of="topic"`) found with the subject.

    `articles`: articles naming both; `sentences`: sentences naming both; `tone_toward_subject` and
    `tone_toward_them`: the mean tone toward each in those shared sentences (NaN when they never share one).
    Most shared articles first, then sentences, then A-Z; the subject itself is not listed.
    """
    rows, params = _subject_rows(store, f, name, kind)
    where, other_params = where_clause(store, replace(f, entities=(), entity_types=()), "o", False)
    table, label, kind_sql = (("topic_mentions", "o.topic", "'topic'") if of == TOPIC
                              else ("mentions", "o.entity", "o.entity_type"))
    # Per (name, article) first, then per name: a count of distinct (article, sentence) pairs over every
    # mention in the subject's articles was most of the time for a topic hit in a third of 100,000 articles.
    # `mentions` and `topic_mentions` hold one row per name per sentence, so counting joined rows is exact.
    frame = store.query(
        f"WITH p AS ({rows}), ps AS (SELECT article_id, sentence_id, avg(tone) AS tone FROM p "
        "GROUP BY article_id, sentence_id), "
        f"o AS (SELECT o.article_id, o.sentence_id, {label} AS name, {kind_sql} AS kind, o.tone FROM {table} o "
        f"WHERE {where} AND {label} <> ? AND o.article_id IN (SELECT article_id FROM ps)), "
        "per AS (SELECT o.name, any_value(o.kind) AS kind, count(ps.sentence_id) AS shared, "
        "sum(ps.tone) AS subject_sum, count(ps.tone) AS subject_n, "
        "sum(CASE WHEN ps.sentence_id IS NOT NULL THEN o.tone END) AS them_sum, "
        "count(CASE WHEN ps.sentence_id IS NOT NULL THEN o.tone END) AS them_n "
        "FROM o LEFT JOIN ps USING (article_id, sentence_id) GROUP BY o.name, o.article_id) "
        "SELECT name, mode(kind) AS kind, count(*) AS articles, sum(shared) AS sentences, "
        "sum(subject_sum) / nullif(sum(subject_n), 0) AS tone_toward_subject, "
        "sum(them_sum) / nullif(sum(them_n), 0) AS tone_toward_them FROM per GROUP BY name "
        f"ORDER BY articles DESC, sentences DESC, name{'' if limit is None else ' LIMIT ?'}",
        [*params, *other_params, name] + ([] if limit is None else [limit]))
    return schema.conform(frame, COMPANIONS, "companions")


def outlet_coverage(store: Store, f: Filters, name: str, kind: str) -> pd.DataFrame:
    """Return OUTLET_COVERAGE: every outlet under the filters with its articles naming the subject.

    `outlet_articles`: all its articles under the filters; `share`: articles / outlet_articles (0 for an
    outlet that never names the subject, so it can be the least); `tone`: the mean tone toward the subject
    there, from `tone_n` mentions. Largest share first.
    """
    rows, params = _subject_rows(store, f, name, kind)
    where, outlet_params = where_clause(store, replace(f, entities=(), entity_types=()), "a", False)
    frame = store.query(
        f"WITH totals AS (SELECT a.source, count(*) AS outlet_articles FROM articles a WHERE {where} "
        f"GROUP BY a.source), p AS (SELECT source, count(*) AS mentions, count(DISTINCT article_id) AS articles, "
        f"avg(tone) AS tone, count(tone) AS tone_n FROM ({rows}) GROUP BY source) "
        "SELECT t.source, t.outlet_articles, coalesce(p.articles, 0) AS articles, "
        "coalesce(p.articles, 0) / t.outlet_articles AS share, coalesce(p.mentions, 0) AS mentions, p.tone, "
        "coalesce(p.tone_n, 0) AS tone_n FROM totals t LEFT JOIN p USING (source) "
        "ORDER BY share DESC, t.outlet_articles DESC, t.source", [*outlet_params, *params])
    return schema.conform(frame, OUTLET_COVERAGE, "outlet_coverage")


def most_and_least(coverage: pd.DataFrame, floor: int = OUTLET_FLOOR, n: int = 10) -> tuple[pd.DataFrame,
                                                                                             pd.DataFrame]:
    """Return (the `n` outlets covering the subject most, the `n` covering it least), as shares of their
    articles, among the outlets with at least `floor` articles (the same outlet may be in both when there
    are fewer than 2n of them)."""
    kept = coverage[coverage["outlet_articles"] >= floor]
    most = kept.sort_values(["share", "outlet_articles", "source"], ascending=[False, False, True]).head(n)
    least = kept.sort_values(["share", "outlet_articles", "source"], ascending=[True, False, True]).head(n)
    return (schema.conform(most, OUTLET_COVERAGE, "outlet_coverage"),
            schema.conform(least, OUTLET_COVERAGE, "outlet_coverage"))


def variants(store: Store, f: Filters, name: str, kind: str) -> pd.DataFrame:
    """Return VARIANTS: each spelling merged into the entity as written (a topic: each keyword that matched),
    with its mentions, articles, first and last day, and `elsewhere`: mentions of the same spelling (any
    case) that went to other entities under the filters — a spelling shared with a namesake. Most used first.
    """
    rows, params = _subject_rows(store, f, name, kind)
    extra: list = []
    if kind == TOPIC:
        elsewhere = "0"
    else:
        where, extra = where_clause(store, replace(f, entities=(), entity_types=()), "o", False)
        elsewhere = (f"(SELECT count(*) FROM mentions o WHERE {where} AND o.entity <> ? "
                     "AND lower(o.surface) = lower(v.surface))")
        extra = [*extra, name]
    frame = store.query(
        f"SELECT v.*, {elsewhere} AS elsewhere FROM (SELECT surface, count(*) AS mentions, "
        "count(DISTINCT article_id) AS articles, min(date) AS first_seen, max(date) AS last_seen "
        f"FROM ({rows}) GROUP BY surface) v ORDER BY v.mentions DESC, v.surface", [*params, *extra])
    return schema.conform(frame, VARIANTS, "variants")


def namesakes(store: Store, name: str, kind: str) -> pd.DataFrame:
    """Return NAMESAKES: the other entities in the whole store written with a spelling of this one (the
    ingest kept them apart: "Trump" for Donald in one article, Eric in another), with the spelling they share
    and how many of their mentions are written so. None for a topic. Most shared mentions first.
    """
    if kind == TOPIC:
        return schema.empty(NAMESAKES)
    frame = store.query(
        "WITH mine AS (SELECT DISTINCT lower(surface) AS spelling FROM mentions WHERE entity = ?) "
        "SELECT m.entity AS name, mode(m.entity_type) AS kind, any_value(m.surface) AS surface, "
        "count(*) AS mentions FROM mentions m JOIN mine ON lower(m.surface) = mine.spelling "
        "WHERE m.entity <> ? GROUP BY m.entity, mine.spelling ORDER BY mentions DESC, name, surface",
        [name, name])
    return schema.conform(frame, NAMESAKES, "namesakes")
