"""Media monitor: articles in, frames of entities, tone, topics and dates out.

Python API::

    import monitor
    frames = monitor.load(["seeds/"])          # analyse in memory, nothing written
    frames.mentions.groupby("entity").size()

    store = monitor.open_store("data/monitor.duckdb")   # read what `ingest` stored
    monitor.read.frames.mentions(store, monitor.Filters(entities=("Trump",)))
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from monitor.read.filters import Filters

__all__ = ["Filters", "Frames", "frames_of", "load", "open_store"]


@dataclass
class Frames:
    """The public frames (see the README's data dictionary) and what could not be read."""

    articles: pd.DataFrame
    mentions: pd.DataFrame
    topic_hits: pd.DataFrame
    sentences: pd.DataFrame
    skipped: list[str] = field(default_factory=list)


def open_store(path: str | Path | None = None, read_only: bool = True):  # -> monitor.store.Store
    """Return the store at `path` ($MONITOR_STORE or data/monitor.duckdb by default)."""
    from monitor.store import Store

    return Store(path, read_only=read_only)


def frames_of(store, filters: Filters = Filters()) -> Frames:
    """Return all frames of a store, filtered."""
    from monitor.read import frames

    return Frames(frames.articles(store, filters), frames.mentions(store, filters),
                  frames.topic_hits(store, filters), frames.sentences(store))


def load(paths: Iterable[str | Path] | str | Path, *, mapping: Mapping[str, str] | None = None,
         topics: str | Path | None = None, watchlist: str | Path | None = None) -> Frames:
    """Read and analyse articles in memory and return their frames (nothing is written to disk)."""
    from monitor.ingest.pipeline import ingest
    from monitor.ingest.topics import Taxonomy
    from monitor.ingest.watchlist import Watchlist
    from monitor.store import Store

    if isinstance(paths, (str, Path)):
        paths = [paths]
    store = Store(":memory:")
    report = ingest(store, paths, mapping=mapping, taxonomy=Taxonomy.load(topics),
                    watchlist=Watchlist.load(watchlist))
    frames = frames_of(store)
    frames.skipped = report.skipped
    return frames
