"""The records the readers produce: :class:`RawArticle`, :class:`Skipped`, and reader types."""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class RawArticle:
    """One article as read from a file, before any language processing."""

    text: str                 # body, header lines removed, stripped; paragraphs split by blank lines
    title: str | None
    date: datetime | None     # naive UTC
    date_origin: str          # "metadata", "header", "dateline" or "missing"
    source: str | None        # outlet / publisher
    url: str | None
    path: str                 # file path; "#<n>" (1-based) added for files holding many records
    text_origin: str = "full"  # "full", or "summary": a feed's summary whose page could not be read
    date_problem: str | None = None  # why the date given was refused (dates.read_date), when none was found
    # The record's label fields (records.label_fields: political_bias, section, ...) as (field, value) pairs,
    # field names lower-case snake_case: kept in the store's `article_labels`, the outlet groupings' source.
    labels: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Skipped:
    """A file or record that could not be read, and why, in words for a person."""

    path: str
    reason: str


Item = RawArticle | Skipped
Reader = Callable[[bytes, str, Mapping[str, str] | None], Iterator[Item]]
