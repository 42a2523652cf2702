"""The frames' columns and dtypes: the project's public data contract.

Every public function that returns a frame passes it through :func:`conform` (or returns
:func:`empty`), so a frame handed to a user always has exactly these columns, in this order,
with these dtypes, even when it is empty: the one typing helper of the package.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

import pandas as pd

STRING = "string"
DATE: Final = "datetime64[us]"

ARTICLES: dict[str, str] = {
    "article_id": STRING,     # stable hash of the normalised text
    "date": DATE,             # publication time, naive UTC; NaT when unknown
    "date_origin": STRING,    # metadata | header | dateline | missing
    "source": STRING,         # outlet; "unknown" when the input names none
    "title": STRING,
    "url": STRING,
    "path": STRING,           # file (and #record) it was read from
    "n_sentences": "int64",
    "tone": "float64",        # mean VADER compound over the sentences
    "tone_label": STRING,     # positive | neutral | negative
    "topics": STRING,         # the article's topics, most hit first, "; "-joined
    "language": STRING,       # ISO 639-1 code ("und" when unsure); only English is analysed
    "text_origin": STRING,    # full | summary (a feed item whose page could not be fetched)
    "story_id": STRING,       # the article_id of the first copy of the same (near-duplicate) story
    "copies": "int64",        # how many stored articles carry that story
}

MENTIONS: dict[str, str] = {
    "article_id": STRING,
    "date": DATE,
    "source": STRING,
    "sentence_id": "int64",   # 0-based position of the sentence in its article
    "entity": STRING,         # canonical name after variant resolution
    "entity_type": STRING,    # person | org | place | group
    "surface": STRING,        # the name as written in the sentence
    "tone": "float64",        # the tone toward this entity here (its first mention in the sentence), -1..1
    "tone_label": STRING,     # the label of `tone`
    "sentence_tone": "float64",  # the whole sentence's VADER compound, -1..1 (what `tone` was before schema 3)
    "topics": STRING,         # the article's topics
}

TOPIC_HITS: dict[str, str] = {
    "article_id": STRING,
    "date": DATE,
    "source": STRING,
    "sentence_id": "int64",
    "topic": STRING,          # the topic's label
    "keyword": STRING,        # the taxonomy keyword that matched first
    "tone": "float64",
    "tone_label": STRING,
}

SENTENCES: dict[str, str] = {
    "article_id": STRING,
    "sentence_id": "int64",
    "text": STRING,
    "tone": "float64",
}

FRAMES: dict[str, dict[str, str]] = {
    "articles": ARTICLES,
    "mentions": MENTIONS,
    "topic_hits": TOPIC_HITS,
    "sentences": SENTENCES,
}

# The read side's aggregates (monitor/read/aggregations.py: the dashboard's charts and their downloads).
SERIES: dict[str, str] = {      # one row per period and name (an entity or a topic)
    "period": DATE,             # the period's first day (weeks start on Monday)
    "name": STRING,
    "mentions": "int64",        # sentences mentioning the entity (hitting the topic)
    "articles": "int64",        # distinct articles among them
    "total_articles": "int64",  # all articles of the period under the filters, the entity filter aside
    "share": "float64",         # articles / total_articles: the normalised coverage
    "tone": "float64",          # mean tone: toward the entity (mentions.tone), or of the topic's sentences
    "tone_low": "float64",      # 95% interval: mean -/+ 1.96 standard errors, within -1..1
    "tone_high": "float64",
    "tone_smooth": "float64",   # tone, until read.timeseries.smooth_tone smooths it
}
# The CLI's `export timeline` (the README's data dictionary): SERIES of every entity the filters keep,
# `name` called `entity`. Its first seven columns are the ones it always had, in the same order.
TIMELINE: dict[str, str] = {
    "period": DATE, "entity": STRING, "mentions": "int64", "articles": "int64", "tone": "float64",
    "tone_low": "float64", "tone_high": "float64", "total_articles": "int64", "share": "float64",
}
TOP: dict[str, str] = {         # one row per entity; tone, positive, negative: of the tone toward it
    "name": STRING, "mentions": "int64", "articles": "int64", "tone": "float64",
    "positive": "float64", "negative": "float64", "share_of_voice": "float64",
}
# tone: the mean tone toward the entity in the sentences hitting the topic
MATRIX: dict[str, str] = {"name": STRING, "topic": STRING, "mentions": "int64", "tone": "float64"}
# The drill-down: one row per sentence behind a point. `tone`: toward the entity picked (its first mention in
# the sentence), the sentence's own when only a topic is; `sentence_tone`: the sentence's VADER compound.
SENTENCES_SHOWN: dict[str, str] = {
    "date": DATE, "source": STRING, "title": STRING, "url": STRING, "article_id": STRING,
    "sentence_id": "int64", "text": STRING, "tone": "float64", "sentence_tone": "float64", "surfaces": STRING,
    "keywords": STRING, "copies": "int64",
}
# The Compare queries page (monitor/read/compare.py): one row per saved query and period.
COMPARE: dict[str, str] = {
    "period": DATE,             # the period's first day (weeks start on Monday)
    "name": STRING,             # the saved query's name
    "articles": "int64",        # articles the query matches
    "total_articles": "int64",  # all articles of the period under its dates, outlets and copies setting
    "share": "float64",         # articles / total_articles: the normalised coverage (NaN when no article)
    "sentences": "int64",       # sentences of the matching articles (the tone's n)
    "tone": "float64",          # their mean VADER compound, -1..1 (NaN when none)
    "tone_low": "float64",      # 95% interval of tone: mean -/+ 1.96 standard errors, within -1..1
    "tone_high": "float64",
}
# One row per saved query, chosen entity and period: the tone toward the entity within the query's articles.
COMPARE_TOWARD: dict[str, str] = {
    "period": DATE, "name": STRING, "entity": STRING,
    "mentions": "int64",        # mentions of the entity in the matching articles (the tone's n)
    "articles": "int64",        # matching articles that mention it
    "tone": "float64",          # mean tone toward it (mentions.tone), NaN when not mentioned
    "tone_low": "float64", "tone_high": "float64",
}
# One row per saved query: its share of voice among the compared queries.
COMPARE_VOICE: dict[str, str] = {
    "name": STRING,
    "articles": "int64",        # articles the query matches over the whole span
    "only_this": "int64",       # of them, those no other compared query matches
    "share_of_voice": "float64",  # articles / the sum of every query's articles (a shared article counts in each)
}
# The Articles page (monitor/read/article_list.py): one row per article of the view, sorted and paged.
ARTICLE_LIST: dict[str, str] = {
    "article_id": STRING, "date": DATE, "source": STRING, "title": STRING, "url": STRING,
    "tone": "float64",            # the article's tone (mean VADER compound of its sentences)
    "tone_label": STRING,
    "target_tone": "float64",     # mean tone toward the chosen names in it; NaN when none is chosen
    "target_mentions": "int64",   # sentences mentioning the chosen names (0 when none is chosen)
    "people": STRING,             # the persons it mentions most, at most 3, "; "-joined
    "topics": STRING,             # its top topics, at most 3, "; "-joined
    "copies": "int64",            # stored articles carrying its story (syndication)
    "outlets": "int64",           # distinct outlets that ran its story
}
# One article opened on the Articles page: its sentences, and every mention in them (offsets in the sentence).
ARTICLE_SENTENCES: dict[str, str] = {"sentence_id": "int64", "text": STRING, "tone": "float64", "topics": STRING}
ARTICLE_MARKS: dict[str, str] = {
    "sentence_id": "int64", "start_char": "int64", "end_char": "int64", "surface": STRING, "entity": STRING,
    "entity_type": STRING, "tone": "float64",
}
# The view's top outlets: articles in the view, its share, the outlet's articles under the dates alone.
TOP_OUTLETS: dict[str, str] = {
    "source": STRING, "articles": "int64", "share": "float64", "outlet_total": "int64", "of_outlet": "float64",
}
# The view's distinctive words and phrases (monitor/read/distinctive.py) against the whole store.
DISTINCTIVE: dict[str, str] = {
    "term": STRING, "kind": STRING,  # word | phrase (two words)
    "view_docs": "int64",            # articles of the view's sample containing it
    "view_share": "float64",         # view_docs / articles in the view's sample
    "store_docs": "int64",           # articles of the store's sample containing it
    "store_share": "float64",
    "log_odds": "float64",           # log-odds ratio, view against store, with the store as informative prior
    "z": "float64",                  # log_odds over its standard error: the ranking (Monroe et al. 2008)
}

# The profile page (monitor/read/profile.py): one subject — an entity, or a topic — under the filters.
# `kind`: person | org | place | group | topic. Tone: toward the entity (a topic: its sentences' tone).
PROFILE_SUMMARY: dict[str, str] = {  # one row: the headline figures
    "name": STRING, "kind": STRING, "mentions": "int64", "articles": "int64", "outlets": "int64",
    "first_seen": DATE, "last_seen": DATE, "tone": "float64", "tone_n": "int64",
    "positive": "float64", "negative": "float64",
}
STRONGEST: dict[str, str] = {  # one row per sentence: the most negative, then the most positive
    "side": STRING, **SENTENCES_SHOWN,
}
del STRONGEST["keywords"]
COMPANIONS: dict[str, str] = {  # one row per entity (or topic) found with the subject
    "name": STRING, "kind": STRING, "articles": "int64", "sentences": "int64",
    "tone_toward_subject": "float64", "tone_toward_them": "float64",
}
OUTLET_COVERAGE: dict[str, str] = {  # one row per outlet
    "source": STRING, "outlet_articles": "int64", "articles": "int64", "share": "float64",
    "mentions": "int64", "tone": "float64", "tone_n": "int64",
}
VARIANTS: dict[str, str] = {  # one row per spelling as written (a topic: per keyword)
    "surface": STRING, "mentions": "int64", "articles": "int64", "first_seen": DATE, "last_seen": DATE,
    "elsewhere": "int64",
}
NAMESAKES: dict[str, str] = {  # one row per other entity sharing a spelling, in the whole store
    "name": STRING, "kind": STRING, "surface": STRING, "mentions": "int64",
}
SUBJECTS: dict[str, str] = {  # the profile picker: one row per entity or topic found
    "name": STRING, "kind": STRING, "mentions": "int64", "score": "float64",
}

# The Outlets page (monitor/read/outlets.py). A grouping splits outlets (data/outlets.toml, or a record label
# such as political_bias); "ungrouped" holds what it does not place.
ARTICLE_LABELS: dict[str, str] = {  # the store's `article_labels`: one row per article, label field and value
    "article_id": STRING, "field": STRING, "value": STRING,
}
GROUP_SIZES: dict[str, str] = {"group": STRING, "outlets": "int64", "articles": "int64"}
GROUP_SERIES: dict[str, str] = {  # SERIES per group: share and total_articles are the group's own
    "period": DATE, "group": STRING, "name": STRING, "mentions": "int64", "articles": "int64",
    "total_articles": "int64", "share": "float64", "tone": "float64", "tone_low": "float64", "tone_high": "float64",
}
GROUP_SUMMARY: dict[str, str] = {  # GROUP_SERIES over the whole span: one row per group and name
    "group": STRING, "name": STRING, "mentions": "int64", "articles": "int64", "total_articles": "int64",
    "share": "float64", "tone": "float64", "tone_low": "float64", "tone_high": "float64",
}
OUTLET_BREAKDOWN: dict[str, str] = {  # one row per outlet and entity: who covers whom, in what tone
    "source": STRING, "group": STRING, "name": STRING, "mentions": "int64", "articles": "int64",
    "outlet_articles": "int64", "share": "float64", "tone": "float64", "tone_n": "int64",
}

# Who said what (monitor/read/quotes.py): the store's `quotes` with their articles and canonical speakers.
QUOTES: dict[str, str] = {  # one row per direct quotation
    "article_id": STRING, "date": DATE, "source": STRING, "title": STRING, "url": STRING,
    "quote_id": "int64",        # 0-based order of the quotation in its article
    "sentence_id": "int64",     # the sentence where it starts
    "text": STRING,             # the quoted words (the parts of a split quotation joined by " … ")
    "speaker": STRING,          # canonical name (as `mentions.entity`); the description for one; <NA> when unknown
    "speaker_kind": STRING,     # person | org | group | place | description | unknown
    "attribution": STRING,      # named | pronoun | description | unknown: how the speaker was found
    "cue": STRING,              # same | adjacent | according | pronoun | continued | description | none
    "partial": "boolean",       # a quoted stretch inside the writer's own sentence
    "surface": STRING,          # the speaker as written ("Smith", "a campaign spokesman"); <NA> when unknown
    "tone": "float64",          # the tone of the quoted words themselves, -1..1
}
MOST_QUOTED: dict[str, str] = {  # one row per named speaker: quoted beside mentioned, two tones kept apart
    "name": STRING, "kind": STRING,  # the canonical speaker and its entity type
    "quotes": "int64",          # quotations attributed to them
    "quoted_articles": "int64",  # articles quoting them
    "mentions": "int64",        # sentences naming them (the `mentions` frame) under the same filters
    "articles": "int64",        # articles naming them
    "quote_tone": "float64",    # mean tone of what they say (their quotations' tone)
    "tone_toward": "float64",   # mean tone toward them (mentions.tone); NaN when never named
    "last_quoted": DATE,        # the newest article quoting them
}
QUOTE_ATTRIBUTION: dict[str, str] = {  # one row per way a speaker was found: how many quotations
    "attribution": STRING, "quotes": "int64", "share": "float64",
}

# Spike alerts (monitor/read/alerts.py): one row per alert, a period against its trailing baseline.
ALERTS: dict[str, str] = {
    "kind": STRING,             # person | org | place | group | topic | query
    "name": STRING,             # the canonical entity, the topic, or the saved query's name
    "period": DATE,             # the period's first day (weeks start on Monday)
    "freq": STRING,             # day | week
    "metric": STRING,           # volume | tone
    "direction": STRING,        # up | down
    "value": "float64",         # volume: articles in the period; tone: their mean tone toward it (per article)
    "baseline": "float64",      # volume: articles expected for a period with this many articles, at the baseline
                                # periods' rate; tone: the baseline periods' mean tone
    "change": "float64",        # volume: value / baseline (inf from a baseline of 0); tone: value - baseline
    "score": "float64",         # signed z: the normal quantile of the one-sided p (volume), Welch's z (tone)
    "p_value": "float64",       # the test's two-sided p: an alert has p <= 5e-5 (monitor/read/alerts.py Settings.alpha)
    "articles": "int64",        # articles in the period behind it (naming it, hitting the topic, matching the query)
    "mentions": "int64",        # their sentences naming it (hitting the topic; a query: all their sentences)
    "total_articles": "int64",  # all articles of the period under the filters: the exposure
    "n": "float64",             # the test's n in the period: articles (volume), articles with a tone toward it (tone)
    "baseline_n": "float64",    # the same over the baseline periods
    "baseline_total": "float64",  # volume: all articles of the baseline periods (NaN for tone)
    "dispersion": "float64",    # volume: the baseline's overdispersion (>= 1) the counts were divided by
    "query": STRING,            # kind query: its text query (<NA> for the others)
}

ENTITY_TYPES = ("person", "org", "place", "group")
DATE_ORIGINS = ("metadata", "header", "dateline", "missing")
TONE_LABELS = ("positive", "neutral", "negative")

# VADER's own thresholds for the compound score.
POSITIVE_AT = 0.05
NEGATIVE_AT = -0.05


class FrameError(ValueError):
    """A frame does not meet the contract; the message names the frame and column."""


def empty(columns: Mapping[str, str]) -> pd.DataFrame:
    """Return an empty frame with the given columns and dtypes."""
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in columns.items()})


def require(frame: pd.DataFrame, columns: Iterable[str], name: str) -> None:
    """Raise FrameError naming the frame and the first of `columns` it lacks (other columns may be there too)."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise FrameError(f"{name}: column {missing[0]!r} not in dataframe (has {list(frame.columns)})")


def conform(frame: pd.DataFrame, columns: Mapping[str, str], name: str) -> pd.DataFrame:
    """Return `frame` with exactly `columns`, in order, cast to their dtypes.

    Raises FrameError naming the frame and the column when a column is missing or
    cannot be cast.
    """
    require(frame, columns, name)
    out = frame.loc[:, list(columns)].copy()
    for column, dtype in columns.items():
        try:
            out[column] = _cast(out[column], dtype)
        except (TypeError, ValueError) as exc:
            raise FrameError(f"{name}: column {column!r} cannot be cast to {dtype}: {exc}") from exc
    return out.reset_index(drop=True)


def _cast(series: pd.Series, dtype: str) -> pd.Series:
    """Cast one column; dates go through to_datetime so strings and Timestamps both work."""
    if dtype == DATE:
        values = pd.to_datetime(series, errors="raise", utc=False)
        if getattr(values.dt, "tz", None) is not None:
            values = values.dt.tz_convert("UTC").dt.tz_localize(None)
        return values.astype(DATE)
    # pandas_dtype is what astype applies to a dtype name; typed, it accepts any str.
    return series.astype(pd.api.types.pandas_dtype(dtype))


def check(frame: pd.DataFrame, columns: Mapping[str, str], name: str) -> pd.DataFrame:
    """Raise FrameError unless `frame` already has exactly `columns` with their dtypes; return it."""
    if list(frame.columns) != list(columns):
        raise FrameError(f"{name}: columns {list(frame.columns)} != contract {list(columns)}")
    for column, dtype in columns.items():
        if str(frame[column].dtype) != str(pd.Series(dtype=dtype).dtype):
            raise FrameError(f"{name}: column {column!r} has dtype {frame[column].dtype}, expected {dtype}")
    return frame


def tone_labels(tones: pd.Series) -> pd.Series:
    """Return the tone label of each compound score, as a `string` Series (empty for no scores)."""
    return tones.map(tone_label).astype("string")


def tone_label(compound: float) -> str:
    """Return VADER's label for a compound score: positive, neutral or negative."""
    if compound >= POSITIVE_AT:
        return "positive"
    if compound <= NEGATIVE_AT:
        return "negative"
    return "neutral"
