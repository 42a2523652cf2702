"""Hand-built sentences with model spans, and the entity types the monitor gives them (no model needed).

For the tests of what is not a person (families, groups, headline words, page furniture), short watchlist
names and embed attributions. Every person and outlet here is fictional.
"""
from __future__ import annotations

import pandas as pd

from monitor.ingest.entities import Mention, resolve_article
from monitor.ingest.entity_map import build_entity_map
from monitor.ingest.nlp import Entity, Sentence
from monitor.ingest.watchlist import Watchlist
from monitor.store import Store


def sentence(text: str, *spans: tuple[str, str]) -> Sentence:
    """A sentence whose entities are the given (text, label) spans, at their first occurrence."""
    ents = []
    for surface, label in spans:
        start = text.index(surface)
        ents.append(Entity(start, start + len(surface), surface, label))
    return Sentence(text=text, tone=0.0, entities=ents)


def entity_types(sentences: list[Sentence], watchlist: Watchlist | None = None) -> dict[str, str]:
    """Return entity -> type for one article's mentions, resolved as the store resolves a corpus."""
    mentions = resolve_article(sentences, watchlist)
    if not mentions:
        return {}
    rows = pd.DataFrame([(m.name, m.label, 1) for m in mentions], columns=["name", "label", "n"])
    stats = rows.groupby(["name", "label"], as_index=False).agg(n=("n", "sum"))
    frame = build_entity_map(stats, watchlist)
    named = set(stats["name"])
    return {e: t for n, e, t in zip(frame["name"], frame["entity"], frame["entity_type"], strict=True) if n in named}


def people(sentences: list[Sentence], watchlist: Watchlist | None = None) -> set[str]:
    """Return the entities typed person in one article."""
    return {e for e, t in entity_types(sentences, watchlist).items() if t == "person"}


def mentions_of(sentences: list[Sentence], watchlist: Watchlist) -> list[Mention]:
    """Return the article's mentions, in order."""
    return resolve_article(sentences, watchlist)


def store_with(articles, path: str = ":memory:") -> Store:
    """Return a store at `path` (in memory by default) of `articles`: (article_id, date, source,
    [(name, label), ...]), each name a sentence of its own and a mention the model found (not yet resolved)."""
    store = Store(path)
    rows, mentions, sentences = [], [], []
    for aid, date, source, names in articles:
        rows.append({"article_id": aid, "date": pd.Timestamp(date), "date_origin": "metadata", "source": source,
                     "title": aid, "url": None, "path": aid, "n_sentences": len(names), "tone": 0.0, "topics": "",
                     "language": "en", "text_origin": "full", "story_id": aid, "copies": 1, "is_copy": False,
                     "signature": None, "text": "", "ingested_at": pd.Timestamp("2031-01-01")})
        for sid, (name, label) in enumerate(names):
            sentences.append((aid, sid, name, 0.0))
            mentions.append((aid, sid, 0, len(name), name, name, label, "ner"))
    store.write_batch({
        "articles": pd.DataFrame(rows),
        "sentences": pd.DataFrame(sentences, columns=["article_id", "sentence_id", "text", "tone"]),
        "raw_mentions": pd.DataFrame(mentions, columns=["article_id", "sentence_id", "start_char", "end_char",
                                                        "surface", "name", "label", "origin"]),
    })
    return store
