"""Who said what: the store's direct quotations with their articles and canonical speakers, per speaker beside
how often they are mentioned, and the two tones kept apart (of what they say, toward them).

Every function takes the store and the Filters (dates, outlets, outlet group, topics, copies, the text query:
the articles kept; `entities` / `entity_types`, when given, keep the quotations of those speakers) and returns
a frame with the columns of its contract in monitor/schema.py (QUOTES, MOST_QUOTED, QUOTE_ATTRIBUTION).
The speaker is read like `mentions.entity`: the article's own link of the name (`name_links`), else the
corpus-wide `entity_map`, so merges and corrections of names apply to speakers too; a description ("a campaign
spokesman") is kept as written, an unknown speaker is <NA>.
"""
from __future__ import annotations

from dataclasses import replace

import pandas as pd

from monitor import schema
from monitor.read.filters import Filters, resolve_entity, where_clause
from monitor.schema import MOST_QUOTED, QUOTE_ATTRIBUTION, QUOTES
from monitor.store import Store

ATTRIBUTIONS = ("named", "pronoun", "description", "unknown")
DESCRIPTION, UNKNOWN = "description", "unknown"
# A name mapped like mentions.entity (entity_map is joined INNER there: a name it lacks, e.g. dropped by a
# correction, names nobody); its link in the article first.
_ENTITY = "CASE WHEN m.name IS NOT NULL THEN coalesce(l.entity, m.entity) END"
_KIND = "CASE WHEN m.name IS NOT NULL THEN coalesce(l.entity_type, m.entity_type) END"


# The columns of a quotation the aggregates need (the frame's own: QUOTES, text and titles included).
_LEAN = "q.article_id, a.date, q.tone, q.attribution"
_FULL = ("q.article_id, a.date, a.source, a.title, a.url, q.quote_id, q.sentence_id, q.text, q.attribution, "
         "q.cue, q.partial, q.speaker_surface AS surface, q.tone")


def _quoted(store: Store, f: Filters, columns: str = _FULL, named: bool = False,
            speaker: str | None = None) -> tuple[str, list]:
    """Return the SELECT of the quotations the filters keep with `columns` of them and their article, and
    `speaker` and `speaker_kind` (the canonical speaker), and its parameters.

    `named`: only those whose speaker has a name key; `speaker`: only those that may be theirs (a name
    mapped or linked to them, or a description written so), read before the joins (a name's quotations
    without resolving every speaker: ~3x faster at 100,000 articles); the caller checks `speaker = ?`.
    """
    where, params = where_clause(store, replace(f, entities=(), entity_types=()), "a", False)
    who = f"coalesce({_ENTITY}, CASE WHEN q.attribution = '{DESCRIPTION}' THEN q.speaker_surface END)"
    kind = (f"coalesce({_KIND}, CASE WHEN q.attribution = '{DESCRIPTION}' AND q.speaker_surface IS NOT NULL "
            f"THEN '{DESCRIPTION}' ELSE '{UNKNOWN}' END)")
    if named:
        where += " AND q.speaker_name IS NOT NULL"
    if speaker is not None:
        where += (" AND (q.speaker_name IN (SELECT name FROM entity_map WHERE entity = ? UNION ALL SELECT name "
                  "FROM name_links WHERE entity = ?) OR q.speaker_surface = ?)")
        params = [*params, speaker, speaker, speaker]
    sql = (f"SELECT {columns}, {who} AS speaker, {kind} AS speaker_kind "
           "FROM quotes q JOIN articles a USING (article_id) "
           "LEFT JOIN entity_map m ON m.name = q.speaker_name "
           "LEFT JOIN name_links l ON l.article_id = q.article_id AND l.name = q.speaker_name "
           f"WHERE {where}")
    conditions: list[str] = []
    if f.entities:
        names = [resolve_entity(store, e) or e for e in f.entities]
        conditions.append(f"speaker IN ({', '.join('?' * len(names))})")
        params = [*params, *names]
    if f.entity_types:
        conditions.append(f"speaker_kind IN ({', '.join('?' * len(f.entity_types))})")
        params = [*params, *f.entity_types]
    if conditions:
        sql = f"SELECT * FROM ({sql}) WHERE {' AND '.join(conditions)}"
    return sql, params


def _picked(store: Store, f: Filters, speaker: str | None, start: pd.Timestamp | None,
            end: pd.Timestamp | None, columns: str = _FULL) -> tuple[str, list]:
    """Return the SELECT of the quotations of `speaker` (any when None) dated in [start, end)."""
    sql, params = _quoted(store, f, columns, speaker=speaker)
    conditions: list[str] = []
    if speaker is not None:
        conditions.append("speaker = ?")
        params = [*params, speaker]
    if start is not None:
        conditions.append("date >= ?")
        params = [*params, pd.Timestamp(start).to_pydatetime()]
    if end is not None:
        conditions.append("date < ?")
        params = [*params, pd.Timestamp(end).to_pydatetime()]
    where = " AND ".join(conditions) or "TRUE"
    return f"SELECT * FROM ({sql}) WHERE {where}", params


def quotes_frame(store: Store, f: Filters, speaker: str | None = None, start: pd.Timestamp | None = None,
                 end: pd.Timestamp | None = None, limit: int | None = None) -> pd.DataFrame:
    """Return QUOTES: the quotations the filters keep — of `speaker` (a canonical name, or a description as
    written) when given, dated in [start, end) when given — newest first, at most `limit` (None: all)."""
    sql, params = _picked(store, f, speaker, start, end)
    frame = store.query(f"{sql} ORDER BY date DESC NULLS LAST, article_id, quote_id"
                        + ("" if limit is None else " LIMIT ?"), params + ([] if limit is None else [limit]))
    return schema.conform(frame, QUOTES, "quotes")


def quotes_count(store: Store, f: Filters, speaker: str | None = None, start: pd.Timestamp | None = None,
                 end: pd.Timestamp | None = None) -> int:
    """Return how many rows quotes_frame would return without a limit."""
    sql, params = _picked(store, f, speaker, start, end, _LEAN)
    return int(store.query(f"SELECT count(*) AS n FROM ({sql})", params)["n"].iloc[0])


def attribution_counts(store: Store, f: Filters) -> pd.DataFrame:
    """Return QUOTE_ATTRIBUTION: the quotations the filters keep by how their speaker was found, in the
    order of ATTRIBUTIONS (each listed, 0 when none), `share` of all of them (NaN when there are none)."""
    sql, params = _quoted(store, f, _LEAN)
    found = store.query(f"SELECT attribution, count(*) AS quotes FROM ({sql}) GROUP BY attribution", params)
    counts = dict(zip(found["attribution"], found["quotes"], strict=True))
    order = [*ATTRIBUTIONS, *sorted(str(a) for a in counts if a not in ATTRIBUTIONS and pd.notna(a))]
    frame = pd.DataFrame({"attribution": order, "quotes": [int(counts.get(a, 0)) for a in order]})
    total = int(frame["quotes"].sum())
    frame["share"] = frame["quotes"] / total if total else float("nan")
    return schema.conform(frame, QUOTE_ATTRIBUTION, "quote_attribution")


def most_quoted(store: Store, f: Filters, limit: int | None = 25, names: list[str] | None = None) -> pd.DataFrame:
    """Return MOST_QUOTED: the named speakers (not descriptions or unknown ones), most quotations first, then
    most articles quoting them, then A-Z; at most `limit`. `names` (canonical): only those speakers, each
    listed even when never quoted (zeros). Beside each: their mentions under the same filters and the mean
    tone toward them there (mentions.tone) — a different number from `quote_tone`, the tone of what they say.
    """
    one = names[0] if names is not None and len(names) == 1 else None
    sql, params = _quoted(store, f, _LEAN, named=True, speaker=one)
    picked, extra = "", []
    if names is not None:
        picked, extra = (f" AND speaker IN ({', '.join('?' * len(names))})" if names else " AND FALSE"), names
    ranked = store.query(
        "SELECT speaker AS name, mode(speaker_kind) AS kind, count(*) AS quotes, count(DISTINCT article_id) AS "
        f"quoted_articles, avg(tone) AS quote_tone, max(date) AS last_quoted FROM ({sql}) WHERE speaker_kind "
        f"NOT IN ('{DESCRIPTION}', '{UNKNOWN}'){picked} GROUP BY speaker ORDER BY quotes DESC, quoted_articles "
        "DESC, name" + ("" if limit is None else " LIMIT ?"), [*params, *extra, *([] if limit is None else [limit])])
    if names:
        ranked = _with_unquoted(ranked, names)
    # The mentions of the ranked speakers only, in a second query: a scan of `mentions` for at most `limit`
    # names (a CTE read twice, by this and the ranking, was computed twice).
    frame = ranked.merge(_mentioned(store, f, ranked["name"].tolist()), on="name", how="left")
    kind = frame["kind"].astype("string").fillna(frame.pop("entity_type").astype("string"))  # never quoted
    frame = frame.assign(kind=kind).fillna({"mentions": 0, "articles": 0})
    return schema.conform(frame, MOST_QUOTED, "most_quoted")


def _mentioned(store: Store, f: Filters, names: list[str]) -> pd.DataFrame:
    """Return name, entity_type, mentions, articles, tone_toward of each of `names` mentioned under the filters."""
    where, params = where_clause(store, replace(f, entities=(), entity_types=()), "m", False)
    return store.query(
        "SELECT m.entity AS name, mode(m.entity_type) AS entity_type, count(*) AS mentions, count(DISTINCT "
        f"m.article_id) AS articles, avg(m.tone) AS tone_toward FROM mentions m WHERE {where} "
        "AND m.entity IN (SELECT unnest(?::VARCHAR[])) GROUP BY m.entity",
        [*params, names])


def _with_unquoted(ranked: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """Return the ranking with a row of zeros for each of `names` it lacks (a speaker never quoted)."""
    missing = [n for n in names if n not in set(ranked["name"])]
    zeros = pd.DataFrame({"name": missing, "kind": pd.Series([pd.NA] * len(missing), dtype="string"),
                          "quotes": 0, "quoted_articles": 0, "quote_tone": float("nan"),
                          "last_quoted": pd.Series([pd.NaT] * len(missing), dtype=schema.DATE)})
    return pd.concat([ranked, zeros], ignore_index=True) if missing else ranked


def top_statements(store: Store, f: Filters, speakers: int = 5, each: int = 3) -> pd.DataFrame:
    """Return QUOTES of the most quoted statements: the newest `each` quotations of each of the `speakers` most
    quoted named speakers (most_quoted's order), for a report."""
    ranked = most_quoted(store, f, speakers)["name"].tolist()
    parts = [quotes_frame(store, f, speaker=name, limit=each) for name in ranked]
    return schema.conform(pd.concat(parts, ignore_index=True), QUOTES, "quotes") if parts else schema.empty(QUOTES)


def speaker_summary(store: Store, f: Filters, name: str) -> pd.DataFrame:
    """Return MOST_QUOTED's one row for the speaker `name` (canonical): quoted N times beside mentioned N
    times, the tone of what they say beside the tone toward them (zeros and NaN when never quoted or named).

    Read as their quotations and their mentions' figures (two queries on one name: ~3x faster at 100,000
    articles than ranking every speaker with most_quoted(names=[name])).
    """
    mentioned = _mentioned(store, f, [name]).rename(columns={"entity_type": "kind"})
    return speaker_row(name, quotes_frame(store, f, name), mentioned)


def speaker_row(name: str, said: pd.DataFrame, mentioned: pd.DataFrame) -> pd.DataFrame:
    """Return MOST_QUOTED's row for `name` from `said`, the QUOTES of them, and `mentioned`, their mentions'
    figures under the same filters (columns kind, mentions, articles, tone_toward; no row when never named).

    The Profile page passes the figures it has already read (profile.summary), so its "Quoted" section costs
    one query, its quotations."""
    seen = mentioned.iloc[0] if len(mentioned) else pd.Series(dtype=object)
    kinds = said["speaker_kind"].dropna()
    row = {"name": name, "kind": kinds.mode().iloc[0] if len(kinds) else seen.get("kind", pd.NA),
           "quotes": len(said), "quoted_articles": said["article_id"].nunique(),
           "mentions": int(seen.get("mentions", 0)), "articles": int(seen.get("articles", 0)),
           "quote_tone": said["tone"].mean(), "tone_toward": seen.get("tone_toward", float("nan")),
           "last_quoted": said["date"].max()}
    return schema.conform(pd.DataFrame([row]), MOST_QUOTED, "most_quoted")
