"""Ingest: articles in, NLP once per new article, rows into the store.

Streams the inputs in batches: memory does not grow with the corpus, and each batch is
written in one transaction. Articles already stored are recognised by their id before
the model is loaded, so re-ingesting an unchanged corpus never loads it.
"""
from __future__ import annotations

import hashlib
import time
import unicodedata
from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

import pandas as pd

from monitor import search_index
from monitor.ingest import dedupe
from monitor.ingest.entity_map import Resolution, resolve_names
from monitor.ingest.fetch import Fetcher
from monitor.ingest.fetch_types import FetchSettings
from monitor.ingest.runners import Dask, Inline, Processes, result_of
from monitor.ingest.sources import DEFAULT_MAX_BYTES, Item, RawArticle, Skipped, read_paths
from monitor.ingest.sources.web import WebInput
from monitor.ingest.topics import Taxonomy
from monitor.ingest.watchlist import Watchlist
from monitor.store import Store

BATCH_SIZE = 200


@dataclass
class FileReport:
    """What happened to the articles of one input file."""

    added: int = 0
    unchanged: int = 0
    duplicates: int = 0
    undated: int = 0
    date_problems: Counter = field(default_factory=Counter)  # of the undated: why a date given was refused
    skipped: list[str] = field(default_factory=list)  # "path#N: reason" or "reason"
    languages: Counter = field(default_factory=Counter)  # stored but not analysed, by language
    capped: int = 0            # articles analysed only in part (batch.ANALYSED_CHARS), stored whole
    capped_analysed: int = 0   # the characters analysed of the longest of them
    capped_longest: int = 0    # the characters of the longest of them

    def cap(self, analysed: int, total: int) -> None:
        """Count an article of which only the first ``analysed`` of its ``total`` characters were analysed."""
        self.capped += 1
        if total > self.capped_longest:
            self.capped_analysed, self.capped_longest = analysed, total

    def capped_note(self) -> str:
        """Return "analysed the first 200,000 of 8,388,608 characters of 1 article" ("" when none was cut)."""
        if not self.capped:
            return ""
        longest = "" if self.capped == 1 else "the longest "
        return (f"analysed the first {self.capped_analysed:,} of {longest}{self.capped_longest:,} characters "
                f"of {self.capped} article{'s' * (self.capped != 1)}")


@dataclass
class IngestReport:
    """The summary of one ingest: per-file outcomes and totals."""

    files: dict[str, FileReport] = field(default_factory=dict)
    model_loaded: bool = False
    seconds: float = 0.0
    ran_on: str = ""  # where the NLP ran: "this process", "2 worker processes", "Dask cluster at ..."

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


# Articles per batch sent to a worker process or Dask worker: small enough that the last
# batches keep every worker busy, large enough that a batch's transaction costs little.
PARALLEL_BATCH = 50


class _Batcher:
    """Collects new articles into batches, has them analysed, and writes them in reading order.

    Up to two batches per worker are in flight. With several workers, the pool starts only once
    `batch_size` new articles are waiting: a small ingest runs here and loads no second model.
    """

    def __init__(self, store: Store, report: IngestReport, batch_size: int, settings: tuple[Taxonomy, Watchlist],
                 workers: int, dask: str | None) -> None:
        self.store, self.report, self.settings = store, report, settings
        self.workers, self.dask = workers, dask
        self.start_at = batch_size
        self.batch_size = min(batch_size, PARALLEL_BATCH) if workers > 1 or dask else batch_size
        self.runner: Inline | Processes | Dask | None = None
        self.known = store.known_ids()
        self.seen: set[str] = set()
        self.batch: list[tuple[str, RawArticle]] = []
        self.held: list[list[tuple[str, RawArticle]]] = []
        self.in_flight: deque = deque()
        self.done: list[tuple[list[tuple[str, RawArticle]], dict[str, pd.DataFrame]]] = []
        # The labels of articles stored already from the same file: a store made before labels were kept
        # (schema < 4) gets them by ingesting its files again (Store.add_labels).
        self.known_labels: list[tuple[str, str, str]] = []

    def add(self, article: RawArticle) -> None:
        """Queue an article unless it is stored or queued already; send off a full batch."""
        aid = article_id(article)
        counts = self.report.file(article.path)
        if aid in self.known:
            same = self.known[aid].split("#", 1)[0] == article.path.split("#", 1)[0]
            counts.unchanged += same
            counts.duplicates += not same
            if same:
                self.known_labels.extend((aid, name, value) for name, value in article.labels)
        elif aid in self.seen:
            counts.duplicates += 1
        else:
            self.seen.add(aid)
            self.batch.append((aid, article))
            counts.added += 1
            counts.undated += article.date is None
            if article.date_problem:
                counts.date_problems[article.date_problem] += 1
            if len(self.batch) >= self.batch_size:
                self._send()

    def _send(self, final: bool = False) -> None:
        """Hand the queued batches to the runner, holding them while a small ingest may still run here."""
        batch, self.batch = self.batch, []
        if batch:
            self.held.append(batch)
        if self.runner is None:
            waiting = sum(map(len, self.held))
            if not self.held or (not final and self.workers > 1 and not self.dask and waiting < self.start_at):
                return
            self.runner = self._start(small=final and waiting < self.start_at)
            self.report.ran_on = self.runner.where
        for held in self.held:
            self.in_flight.append((held, self.runner.submit(held)))
        self.held = []
        while len(self.in_flight) > 2 * self.runner.slots:
            self._write_next()

    def _start(self, small: bool) -> Inline | Processes | Dask:
        """Return the runner: Dask when asked, worker processes, or this process (one worker or a small ingest)."""
        if self.dask:
            return Dask(self.dask, *self.settings)
        if self.workers > 1 and not small:
            # Imported before the workers fork, datasketch is theirs at no cost; else each would
            # import it in its first batch and this process again to regroup stories (0.34 s each).
            dedupe.preload()
            return Processes(self.workers, *self.settings)
        return Inline(*self.settings)

    def _write_next(self) -> None:
        """Wait for the oldest batch in flight; store what has come back once it makes `batch_size` articles."""
        batch, future = self.in_flight.popleft()
        result = result_of(future)
        self.report.model_loaded |= result.model_used
        for path, code in result.not_analysed:
            self.report.file(path).languages[code] += 1
        for path, analysed, total in result.capped:
            self.report.file(path).cap(analysed, total)
        self.done.append((batch, result.frames))
        # Workers get small batches (to share the work evenly), but each transaction costs
        # an open and a checkpoint (measured: 3.5 s of a 1,500-article ingest at 50 per write).
        if sum(len(b) for b, _ in self.done) >= self.start_at:
            self._write_done()

    def _write_done(self) -> None:
        """Store the batches that came back in one transaction."""
        if not self.done:
            return
        batch = [item for b, _ in self.done for item in b]
        frames = {table: pd.concat([f[table] for _, f in self.done if len(f[table])] or [first], ignore_index=True)
                  for table, first in self.done[0][1].items()}
        self.done = []
        self._stored_meanwhile(batch, self.store.write_batch(frames))

    def finish(self) -> None:
        """Analyse and store everything still queued, then release the runner (on error, ingest() closes it)."""
        self._send(final=True)
        while self.in_flight:
            self._write_next()
        self._write_done()
        self.close(wait=False)
        if self.known_labels:
            self.store.add_labels(pd.DataFrame(self.known_labels, columns=["article_id", "field", "value"]))

    def close(self, wait: bool = True) -> None:
        """Release the runner (worker processes stop; batches not yet written are dropped)."""
        if self.runner is not None:
            self.runner.close(wait)
            self.runner = None

    def _stored_meanwhile(self, batch: list[tuple[str, RawArticle]], ids: set[str]) -> None:
        """Count as unchanged, not added, the articles another ingest running at the same time stored first."""
        for aid, article in batch:
            if aid in ids:
                counts = self.report.file(article.path)
                counts.added -= 1
                counts.unchanged += 1
                counts.undated -= article.date is None
                if article.date_problem:
                    counts.date_problems[article.date_problem] -= 1


def ingest(store: Store, paths: Iterable[str | Path | WebInput], *, mapping: Mapping[str, str] | None = None,
           taxonomy: Taxonomy | None = None, watchlist: Watchlist | None = None,
           batch_size: int = BATCH_SIZE, progress: Callable[[int], object] | None = None,
           max_bytes: int = DEFAULT_MAX_BYTES, workers: int = 1,
           dask: str | None = None, items: Iterable[Item] = (),
           fetch_settings: FetchSettings | None = None, follow_symlinks: bool = False) -> IngestReport:
    """Read `paths` (files, folders, http(s) URLs or prepared web inputs), analyse what is new, store it,
    and re-resolve names and stories over the whole store. `items`: articles (or Skipped) read
    already, e.g. by the watch's feed threads, ingested after `paths` as if read from them.
    `fetch_settings`: how URLs are fetched (timeouts, caps, the network allow-list; default settings when None).
    `follow_symlinks`: read what links in a folder point to outside it (reported and skipped by default).

    The NLP runs in this process (`workers=1`, the default from Python: an embedding program
    keeps control of its processes), in `workers` worker processes (`python -m monitor ingest`
    defaults to one per core), or on the Dask cluster whose scheduler is at `dask`. Either way
    the store ends up the same.
    Returns the report of what was added, unchanged, duplicated and skipped, per file.
    A bad file or record is reported and skipped (a file over `max_bytes` too); what was
    stored stays stored, and an ingest killed half-way is finished by running it again.
    """
    started = time.perf_counter()
    taxonomy = taxonomy or Taxonomy.load()
    watchlist = watchlist if watchlist is not None else Watchlist.load()
    report = IngestReport()
    sync_topics(store, taxonomy)
    batcher = _Batcher(store, report, batch_size, (taxonomy, watchlist), max(1, workers), dask)
    fetcher = Fetcher(fetch_settings)
    try:
        read = read_paths(paths, mapping=mapping, max_bytes=max_bytes, fetcher=fetcher, follow_symlinks=follow_symlinks)
        for item in chain(read, items):
            if isinstance(item, Skipped):
                report.file(item.path).skipped.append(f"{item.path}: {item.reason}")
            else:
                batcher.add(item)
            if progress:
                progress(1)
        batcher.finish()
    finally:
        fetcher.close()
        batcher.close()
    # Stale also when an earlier ingest was killed after its last batch, before this step.
    if store.stories_stale():
        refresh_stories(store)
    refresh_entities(store, watchlist)
    # The full-text index: the new articles only; an ingest killed before this leaves it behind the
    # store's version, and the next ingest or search catches up (monitor/search_index.py).
    search_index.sync(store)
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
    resolved: list[Resolution] = []

    def build(stats: pd.DataFrame) -> pd.DataFrame:
        resolved.append(resolve_names(stats, watchlist))
        return resolved[-1].entity_map

    # Per-article links of the names several people share, from the same resolution, in the same transaction.
    store.rebuild_entity_map(build, lambda rows: resolved[-1].name_links(rows))


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
