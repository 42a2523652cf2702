"""Ingest: articles in, NLP once per new article, rows into the store.

Streams the inputs in batches: memory does not grow with the corpus, and each batch is
written in one transaction. Articles already stored are recognised by their id before
the model is loaded, so re-ingesting an unchanged corpus never loads it.
"""
from __future__ import annotations

import hashlib
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from monitor import dedupe, language, nlp
from monitor.entities import build_entity_map, resolve_article
from monitor.sources import DEFAULT_MAX_BYTES, RawArticle, Skipped, read_paths
from monitor.store import Store
from monitor.topics import Taxonomy
from monitor.watchlist import Watchlist

BATCH_SIZE = 200
UNKNOWN_SOURCE = "unknown"


@dataclass
class FileReport:
    """What happened to the articles of one input file."""

    added: int = 0
    unchanged: int = 0
    duplicates: int = 0
    undated: int = 0
    skipped: list[str] = field(default_factory=list)  # "path#N: reason" or "reason"
    languages: Counter = field(default_factory=Counter)  # stored but not analysed, by language


@dataclass
class IngestReport:
    """The summary of one ingest: per-file outcomes and totals."""

    files: dict[str, FileReport] = field(default_factory=dict)
    model_loaded: bool = False
    seconds: float = 0.0

    def file(self, path: str) -> FileReport:
        """Return the report of the file a record path ("file#N") belongs to."""
        return self.files.setdefault(path.split("#", 1)[0], FileReport())

    def total(self, what: str) -> int:
        """Return a total over files: added, unchanged, duplicates or undated."""
        return sum(getattr(r, what) for r in self.files.values())

    def other_languages(self) -> Counter:
        """Articles stored without analysis because of their language, by language code."""
        return sum((r.languages for r in self.files.values()), Counter())

    @property
    def skipped(self) -> list[str]:
        """Every skipped input with its reason."""
        return [s for r in self.files.values() for s in r.skipped]


def article_id(article: RawArticle) -> str:
    """Return a stable id: a hash of the normalised body (the title when there is no body)."""
    basis = article.text if article.text.strip() else (article.title or "")
    normal = " ".join(unicodedata.normalize("NFKC", basis).casefold().split())
    return hashlib.sha1(normal.encode("utf-8")).hexdigest()[:20]


def analysed_text(article: RawArticle) -> str:
    """Return the text the NLP reads: the headline as first paragraph, then the body.

    An all-capitals headline (wire copy) is left out: the model reads capitals as names.
    """
    title = (article.title or "").strip()
    if not title or title.isupper() or article.text.lstrip().startswith(title):
        return article.text
    return f"{title}\n\n{article.text}"


class _Batcher:
    """Collects new articles and writes them in batches; knows what is already stored."""

    def __init__(self, store: Store, taxonomy: Taxonomy, watchlist: Watchlist,
                 report: IngestReport, batch_size: int) -> None:
        self.store, self.taxonomy, self.watchlist = store, taxonomy, watchlist
        self.report, self.batch_size = report, batch_size
        self.known = store.known_ids()
        self.seen: set[str] = set()
        self.batch: list[tuple[str, RawArticle]] = []

    def add(self, article: RawArticle) -> None:
        """Queue an article unless it is stored or queued already; flush a full batch."""
        aid = article_id(article)
        counts = self.report.file(article.path)
        if aid in self.known:
            same = self.known[aid].split("#", 1)[0] == article.path.split("#", 1)[0]
            counts.unchanged += same
            counts.duplicates += not same
        elif aid in self.seen:
            counts.duplicates += 1
        else:
            self.seen.add(aid)
            self.batch.append((aid, article))
            counts.added += 1
            counts.undated += article.date is None
            if len(self.batch) >= self.batch_size:
                self.flush()

    def flush(self) -> None:
        """Run the NLP on the queued English articles and store the batch in one transaction."""
        if not self.batch:
            return
        texts = [analysed_text(a) for _, a in self.batch]
        codes = [language.detect(t) for t in texts]
        english = [t for t, code in zip(texts, codes) if language.is_analysed(code)]
        self.report.model_loaded |= bool(english)
        analysed = iter(nlp.analyse(english)) if english else iter(())
        rows = _Rows()
        for (aid, article), text, code in zip(self.batch, texts, codes):
            if language.is_analysed(code):
                rows.add(aid, article, next(analysed), self.taxonomy, self.watchlist, code, text)
            else:
                self.report.file(article.path).languages[code] += 1
                rows.add(aid, article, [], self.taxonomy, self.watchlist, code, text)
        self._stored_meanwhile(self.store.write_batch(rows.frames()))
        self.batch = []

    def _stored_meanwhile(self, ids: set[str]) -> None:
        """Count as unchanged, not added, the articles another ingest running at the same time stored first."""
        for aid, article in self.batch:
            if aid in ids:
                counts = self.report.file(article.path)
                counts.added -= 1
                counts.unchanged += 1
                counts.undated -= article.date is None


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
            "ingested_at": datetime.now(timezone.utc).replace(tzinfo=None),
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


def ingest(store: Store, paths: Iterable[str | Path | object], *, mapping: Mapping[str, str] | None = None,
           taxonomy: Taxonomy | None = None, watchlist: Watchlist | None = None,
           batch_size: int = BATCH_SIZE, progress: Callable[[int], None] | None = None,
           max_bytes: int = DEFAULT_MAX_BYTES) -> IngestReport:
    """Read `paths` (files, folders, http(s) URLs or prepared web inputs), analyse what is new, store it,
    and re-resolve names and stories over the whole store.

    Returns the report of what was added, unchanged, duplicated and skipped, per file.
    A bad file or record is reported and skipped (a file over `max_bytes` too); what was
    stored stays stored, and an ingest killed half-way is finished by running it again.
    """
    started = time.perf_counter()
    taxonomy = taxonomy or Taxonomy.load()
    watchlist = watchlist if watchlist is not None else Watchlist.load()
    report = IngestReport()
    sync_topics(store, taxonomy)
    batcher = _Batcher(store, taxonomy, watchlist, report, batch_size)
    for item in read_paths(paths, mapping=mapping, max_bytes=max_bytes):
        if isinstance(item, Skipped):
            report.file(item.path).skipped.append(f"{item.path}: {item.reason}")
        else:
            batcher.add(item)
        if progress:
            progress(1)
    batcher.flush()
    # Stale also when an earlier ingest was killed after its last batch, before this step.
    if store.stories_stale():
        refresh_stories(store)
    refresh_entities(store, watchlist)
    report.seconds = time.perf_counter() - started
    return report


def refresh_stories(store: Store) -> None:
    """Regroup every stored article into stories (near-duplicates) and store the groups."""
    store.rebuild_stories(_group_stories)


def _group_stories(articles: pd.DataFrame) -> pd.DataFrame:
    """Return the story of each article (DuckDB hands BLOB signatures over as bytearray)."""
    articles["signature"] = articles["signature"].map(lambda b: bytes(b) if b is not None else None)
    return dedupe.group_stories(articles)


def refresh_entities(store: Store, watchlist: Watchlist) -> None:
    """Re-run corpus-wide name resolution and the watchlist over everything stored."""
    store.rebuild_entity_map(lambda stats: build_entity_map(stats, watchlist))


def sync_topics(store: Store, taxonomy: Taxonomy) -> bool:
    """Re-match stored sentences when the taxonomy changed since the last ingest; return True if it did."""
    fingerprint = taxonomy.fingerprint()
    previous = store.meta("taxonomy")
    if previous == fingerprint:
        return False
    if previous is not None:
        stored = store.query("SELECT article_id, sentence_id, text FROM sentences ORDER BY article_id, sentence_id")
        hits = [(aid, sid, topic, kw) for aid, sid, text in stored.itertuples(index=False)
                for topic, kw in taxonomy.match(text)]
        frame = pd.DataFrame(hits, columns=["article_id", "sentence_id", "topic", "keyword"])
        per_article = frame.groupby("article_id")["topic"].agg(lambda t: "; ".join(taxonomy.article_topics(t)))
        store.replace_topics(frame, per_article.rename("topics").reset_index())
    store.set_meta("taxonomy", fingerprint)
    return True
