"""One batch of new articles in, the store's table rows out: language, NLP, topics, names, signatures.

This is the step that runs wherever the model is (this process, a worker process, a Dask
worker): it takes plain, picklable inputs and returns plain frames, and never touches the store.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pandas as pd

from monitor.ingest import dedupe, language, nlp, quotes, tone
from monitor.ingest.entities import Mention, resolve_article
from monitor.ingest.sources import RawArticle
from monitor.ingest.topics import Taxonomy
from monitor.ingest.watchlist import Watchlist

UNKNOWN_SOURCE = "unknown"
Batch = Sequence[tuple[str, RawArticle]]  # (article id, article)
# The characters of an article that are analysed (sentences, names, tone, topics, its story signature);
# the whole text is stored. Why: NLP time and memory grow with the text (an 8 MB article took 318 s
# and 750 MB), and one upload or feed item must not hold an ingest for half an hour. Measured on the
# real corpora in ../shared/data: the longest of 2,031 ReCOVery articles has 91,828 characters (99.9th
# percentile 45,476), the longest of 19,043 Reuters bodies 13,400: every real article is under this cap.
ANALYSED_CHARS = 200_000
# And at most this many tokens (nlp.token_start): text of one-character tokens ("a-a-a-...") costs the
# NER five times prose's per character. The longest real article has 16,834 (ReCOVery; Reuters 3,469);
# 200,000 characters of prose have about 40,000.
ANALYSED_TOKENS = 40_000
# Cut at the last space within this many characters of the cap, so no word is analysed half.
_CUT_BACK = 1_000


@dataclass
class Analysed:
    """A batch's rows, one frame per table, and the articles stored without analysis (path, language).

    ``capped``: (path, characters analysed, characters in all) of each article analysed only in part.
    """

    frames: dict[str, pd.DataFrame]
    not_analysed: list[tuple[str, str]] = field(default_factory=list)
    model_used: bool = False
    capped: list[tuple[str, int, int]] = field(default_factory=list)


def analysed_text(article: RawArticle) -> str:
    """Return the text the NLP reads: the headline as first paragraph, then the body.

    An all-capitals headline (wire copy) is left out: the model reads capitals as names.
    """
    title = (article.title or "").strip()
    if not title or title.isupper() or article.text.lstrip().startswith(title):
        return article.text
    return f"{title}\n\n{article.text}"


def capped(text: str, limit: int | None = None, tokens: int | None = None) -> str:
    """Return the part of ``text`` that is analysed: all of it within ``limit`` characters and ``tokens``
    tokens (ANALYSED_CHARS and ANALYSED_TOKENS by default), else its start.

    The start ends at the last whitespace in the final ``_CUT_BACK`` characters before the limit
    (at the limit itself when there is none: a text without spaces).
    """
    limit = ANALYSED_CHARS if limit is None else limit
    end = min(len(text), limit)
    over = nlp.token_start(text, ANALYSED_TOKENS if tokens is None else tokens, end)
    end = end if over is None else over
    if end >= len(text):
        return text
    space = max(text.rfind(" ", max(end - _CUT_BACK, 0), end + 1), text.rfind("\n", max(end - _CUT_BACK, 0), end + 1))
    return text[:space if space > 0 else end]


def analyse_batch(batch: Batch, taxonomy: Taxonomy, watchlist: Watchlist) -> Analysed:
    """Return the table rows of `batch`: English (and undetermined) articles through the NLP, others stored as is.

    Only the first ANALYSED_CHARS characters of an article are analysed (``Analysed.capped`` lists the
    articles cut); its whole text is stored.
    """
    whole = [analysed_text(a) for _, a in batch]
    texts = [capped(t) for t in whole]
    codes = [language.detect(t) for t in texts]
    english = [t for t, code in zip(texts, codes, strict=False) if language.is_analysed(code)]
    analysed = iter(nlp.analyse(english)) if english else iter(())
    rows, skipped = _Rows(), []
    for (aid, article), text, code in zip(batch, texts, codes, strict=False):
        if language.is_analysed(code):
            rows.add(aid, article, next(analysed), taxonomy, watchlist, code, text)
        else:
            skipped.append((article.path, code))
            rows.add(aid, article, [], taxonomy, watchlist, code, text)
    # Counted in the article's own text (the headline the NLP reads first is not part of it).
    cut = [(a.path, len(t) - (len(w) - len(a.text)), len(a.text))
           for (_, a), t, w, code in zip(batch, texts, whole, codes, strict=True)
           if len(t) < len(w) and language.is_analysed(code)]
    return Analysed(rows.frames(), skipped, bool(english), cut)


def mention_tones(sentences: Sequence[nlp.Sentence], mentions: Sequence[Mention]) -> list[float]:
    """Return the targeted tone toward each of `mentions` (monitor.ingest.tone), in their order: one
    scoring per sentence, with every mention span of that sentence, so each name is told from the others."""
    spans: dict[int, list[tuple[int, int]]] = {}
    for m in mentions:
        spans.setdefault(m.sentence_id, []).append((m.start, m.end))
    scored = {sid: iter(tone.mention_tones(sentences[sid].text, pairs).mentions) for sid, pairs in spans.items()}
    return [next(scored[m.sentence_id]) for m in mentions]


class _Rows:
    """Accumulates the table rows of a batch."""

    def __init__(self) -> None:
        self.articles: list[dict] = []
        self.sentences: list[tuple] = []
        self.mentions: list[tuple] = []
        self.hits: list[tuple] = []
        self.labels: list[tuple[str, str, str]] = []
        self.quotes: list[tuple] = []

    def add(self, aid: str, article: RawArticle, sentences: Sequence[nlp.Sentence],
            taxonomy: Taxonomy, watchlist: Watchlist, code: str, text: str) -> None:
        """Add one article's rows (no sentences for a language that is not analysed)."""
        hit_topics: list[str] = []
        for sid, sentence in enumerate(sentences):
            self.sentences.append((aid, sid, sentence.text, sentence.tone))
            for topic, keyword in taxonomy.match(sentence.text):
                self.hits.append((aid, sid, topic, keyword))
                hit_topics.append(topic)
        self.labels.extend((aid, name, value) for name, value in getattr(article, "labels", ()))
        found = resolve_article(sentences, watchlist)
        for m, targeted in zip(found, mention_tones(sentences, found), strict=True):
            self.mentions.append((aid, m.sentence_id, m.start, m.end, m.surface, m.name, m.label, m.origin, targeted))
        # Who said what: from the sentences and the mentions just resolved (offsets in `text`, the analysed text).
        self.quotes.extend(quotes.quote_rows(aid, quotes.article_quotes(sentences, found, text)))
        tones = [s.tone for s in sentences]
        self.articles.append({
            "article_id": aid, "date": article.date, "date_origin": article.date_origin,
            "source": article.source or UNKNOWN_SOURCE, "title": article.title, "url": article.url,
            "path": article.path, "n_sentences": len(sentences),
            "tone": sum(tones) / len(tones) if tones else 0.0,
            "topics": "; ".join(taxonomy.article_topics(hit_topics)), "text": article.text,
            "language": code, "text_origin": getattr(article, "text_origin", "full"),
            "story_id": aid, "copies": 1, "signature": dedupe.signature(text),
            "ingested_at": datetime.now(UTC).replace(tzinfo=None),
        })

    def frames(self) -> dict[str, pd.DataFrame]:
        """Return the batch as one frame per table, in the order they must be inserted."""
        return {
            "articles": pd.DataFrame(self.articles),
            "sentences": pd.DataFrame(self.sentences, columns=["article_id", "sentence_id", "text", "tone"]),
            "raw_mentions": pd.DataFrame(self.mentions, columns=[
                "article_id", "sentence_id", "start_char", "end_char", "surface", "name", "label", "origin", "tone"]),
            "topic_hits": pd.DataFrame(self.hits, columns=["article_id", "sentence_id", "topic", "keyword"]),
            "article_labels": pd.DataFrame(self.labels, columns=["article_id", "field", "value"]),
            "quotes": quotes.frame(self.quotes),
        }
