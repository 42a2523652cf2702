"""Direct quotations and who said them, from an article's sentences and its resolved name mentions.

Rules over the text and the mention spans, no parser (spaCy's is excluded from the pipeline for speed,
monitor/ingest/nlp.py; these rules reach the gold's targets on the tuning file at 1-2 ms an article):
monitor/ingest/quote_layout.py puts the sentences back in the analysed text (its paragraphs kept, so a
quotation running over paragraphs is one); monitor/ingest/quote_marks.py pairs the marks, joins a quotation
split by its attribution and leaves out terms, titles and nicknames in marks; monitor/ingest/quote_speakers.py
finds the speaker (the attribution beside the quotation, "according to X", a person in the same sentence, the
adjacent sentence, the quotation the text goes on from; pronouns and "the company" resolved to whom the article
named). The rules followed are the gold's, tests/gold/quotes/RULES.md; bench/quotes.py measures them.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import pandas as pd

from monitor.ingest.entities import Mention
from monitor.ingest.nlp import Sentence
from monitor.ingest.quote_layout import Layout, layout
from monitor.ingest.quote_marks import Span, find_quotes
from monitor.ingest.quote_speakers import Speaker, find_speakers
from monitor.ingest.tone import sentence_tone

COLUMNS = ["article_id", "quote_id", "sentence_id", "end_sentence_id", "start_char", "end_char", "text",
           "speaker_name", "speaker_surface", "attribution", "cue", "partial", "tone"]
JOIN = " \u2026 "  # between the parts of a split quotation in `text`
# At most this many words in marks, inside the writer's sentence and attributed to nobody, are a term.
TERM_WORDS = 4


@dataclass(frozen=True)
class Quote:
    """One quotation: the sentences where it starts and ends, its parts' offsets in the analysed text
    (None when the sentences could not be found in it), its words and its speaker."""

    sentence_id: int
    end_sentence_id: int
    parts: tuple[tuple[int, int], ...] | None
    text: str
    speaker: Speaker
    partial: bool
    tone: float


def article_quotes(sentences: Sequence[Sentence], mentions: Sequence[Mention], text: str) -> list[Quote]:
    """Return the quotations of one article, in order: `sentences` and `mentions` as the ingest made them
    (mention offsets within their sentence), `text` the analysed text the sentences were split from."""
    if not sentences:
        return []
    where = layout(text, sentences)
    spans = find_quotes(where.text)
    if not spans:
        return []
    speakers = find_speakers(where, spans, mentions)
    return [_quote(where, span, speaker) for span, speaker in zip(spans, speakers, strict=True)
            if not _term(where.text, span, speaker)]


def _term(text: str, span: Span, speaker: Speaker) -> bool:
    """Return True for a few words in marks inside the writer's sentence that nobody is said to have said:
    a term or a scare quote ("a 'right to work' state"), not a partial quotation."""
    words = text[span.parts[0][0]:span.parts[-1][1]]
    return span.partial and speaker.attribution == "unknown" and word_count(words) <= TERM_WORDS \
        and words[-1] not in ".!?"


def _quote(where: Layout, span: Span, speaker: Speaker) -> Quote:
    """Return the Quote of one found span and its speaker."""
    words = JOIN.join(where.text[a:b] for a, b in span.parts)
    return Quote(sentence_id=where.sentence_at(span.parts[0][0]),
                 end_sentence_id=where.sentence_at(span.parts[-1][1] - 1),
                 parts=span.parts if where.aligned else None, text=words, speaker=speaker, partial=span.partial,
                 tone=sentence_tone(words))


def quote_rows(aid: str, quotes: Sequence[Quote]) -> list[tuple]:
    """Return the `quotes` table rows of one article's quotations (COLUMNS' order)."""
    return [(aid, n, q.sentence_id, q.end_sentence_id, q.parts[0][0] if q.parts else None,
             q.parts[-1][1] if q.parts else None, q.text, q.speaker.name, q.speaker.surface,
             q.speaker.attribution, q.speaker.cue, q.partial, q.tone) for n, q in enumerate(quotes)]


def frame(rows: Sequence[tuple]) -> pd.DataFrame:
    """Return `quotes` table rows as a frame with the table's columns."""
    return pd.DataFrame(list(rows), columns=COLUMNS)


# What the 4 -> 5 migration reads of each article: its sentences, mentions and analysed text.
_STORED = """
SELECT a.article_id, a.title, a.text,
       (SELECT list(s.text ORDER BY s.sentence_id) FROM sentences s WHERE s.article_id = a.article_id) AS sentences,
       (SELECT list([r.sentence_id::VARCHAR, r.start_char::VARCHAR, r.end_char::VARCHAR, r.surface, r.name,
                     r.label, r.origin] ORDER BY r.sentence_id, r.start_char)
        FROM raw_mentions r WHERE r.article_id = a.article_id) AS mentions
FROM articles a WHERE a.article_id IN (SELECT unnest(?)) ORDER BY a.article_id
"""


def stored_quotes(con: duckdb.DuckDBPyConnection, article_ids: Sequence[str]) -> pd.DataFrame:
    """Return the `quotes` rows of stored articles, found from their stored sentences and raw mentions
    (no NER): what a store made before quotations were kept gets when it migrates (monitor/tables.py)."""
    from monitor.ingest.batch import analysed_text, capped
    from monitor.ingest.sources import RawArticle

    rows: list[tuple] = []
    for aid, title, text, texts, raw in con.execute(_STORED, [list(article_ids)]).fetchall():
        sentences = [Sentence(t or "", 0.0) for t in texts or []]
        mentions = [Mention(int(s), int(a), int(b), surface or "", name or "", label or "", origin or "")
                    for s, a, b, surface, name, label, origin in raw or []]
        article = RawArticle(text=text or "", title=title, date=None, date_origin="missing", source=None,
                             url=None, path="")
        rows += quote_rows(aid, article_quotes(sentences, mentions, capped(analysed_text(article))))
    return frame(rows)


_WORD = re.compile(r"\w+(?:['\u2019]\w+)*")


def word_count(text: str) -> int:
    """Return the number of words in `text` (a contraction is one)."""
    return len(_WORD.findall(text))
