"""One batch of new articles in, the store's table rows out: language, NLP, topics, names, signatures.

This is the step that runs wherever the model is (this process, a worker process, a Dask
worker): it takes plain, picklable inputs and returns plain frames, and never touches the store.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pandas as pd

from monitor.ingest import dedupe, language, nlp
from monitor.ingest.entities import resolve_article
from monitor.ingest.sources import RawArticle
from monitor.ingest.topics import Taxonomy
from monitor.ingest.watchlist import Watchlist

UNKNOWN_SOURCE = "unknown"
Batch = Sequence[tuple[str, RawArticle]]  # (article id, article)


@dataclass
class Analysed:
    """A batch's rows, one frame per table, and the articles stored without analysis (path, language)."""

    frames: dict[str, pd.DataFrame]
    not_analysed: list[tuple[str, str]] = field(default_factory=list)
    model_used: bool = False


def analysed_text(article: RawArticle) -> str:
    """Return the text the NLP reads: the headline as first paragraph, then the body.

    An all-capitals headline (wire copy) is left out: the model reads capitals as names.
    """
    title = (article.title or "").strip()
    if not title or title.isupper() or article.text.lstrip().startswith(title):
        return article.text
    return f"{title}\n\n{article.text}"


def analyse_batch(batch: Batch, taxonomy: Taxonomy, watchlist: Watchlist) -> Analysed:
    """Return the table rows of `batch`: English (and undetermined) articles through the NLP, others stored as is."""
    texts = [analysed_text(a) for _, a in batch]
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
    return Analysed(rows.frames(), skipped, bool(english))


class _Rows:
    """Accumulates the table rows of a batch."""

    def __init__(self) -> None:
        self.articles: list[dict] = []
        self.sentences: list[tuple] = []
        self.mentions: list[tuple] = []
        self.hits: list[tuple] = []

    def add(self, aid: str, article: RawArticle, sentences: Sequence[nlp.Sentence],
            taxonomy: Taxonomy, watchlist: Watchlist, code: str, text: str) -> None:
        """Add one article's rows (no sentences for a language that is not analysed)."""
        hit_topics: list[str] = []
        for sid, sentence in enumerate(sentences):
            self.sentences.append((aid, sid, sentence.text, sentence.tone))
            for topic, keyword in taxonomy.match(sentence.text):
                self.hits.append((aid, sid, topic, keyword))
                hit_topics.append(topic)
        for m in resolve_article(sentences, watchlist):
            self.mentions.append((aid, m.sentence_id, m.start, m.end, m.surface, m.name, m.label, m.origin))
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
                "article_id", "sentence_id", "start_char", "end_char", "surface", "name", "label", "origin"]),
            "topic_hits": pd.DataFrame(self.hits, columns=["article_id", "sentence_id", "topic", "keyword"]),
        }
