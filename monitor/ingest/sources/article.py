"""Building a :class:`RawArticle` from what a reader found: cleaned fields, dateline fallback."""
from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from datetime import datetime

from monitor.ingest.dates import dateline_date
from monitor.ingest.sources.decode import LONE_SURROGATE, normalise_text
from monitor.ingest.sources.model import Item, RawArticle, Skipped


def clean_field(value: object) -> str | None:
    """Return a one-line, NFC, whitespace-collapsed string field, or None when empty or not text."""
    if isinstance(value, Mapping):
        # NewsAPI-style {"source": {"id": ..., "name": "..."}}.
        value = value.get("name") or value.get("title")
    if not isinstance(value, str):
        return None
    cleaned = " ".join(unicodedata.normalize("NFC", LONE_SURROGATE.sub("\ufffd", value)).split())
    return cleaned or None


def make_article(
    path: str,
    text: str,
    date: datetime | None,
    origin: str,
    **fields: object,
) -> Item:
    """Return a RawArticle with normalised text and a dateline fallback for the date.

    ``fields`` are title, source and url (any type; non-strings become None).
    """
    body = normalise_text(text)
    if not body:
        return Skipped(path, "no text")
    if date is None:
        date = dateline_date(body)
        origin = "dateline" if date is not None else "missing"
    return RawArticle(
        text=body,
        title=clean_field(fields.get("title")),
        date=date,
        date_origin=origin,
        source=clean_field(fields.get("source")),
        url=clean_field(fields.get("url")),
        # A file name that is not UTF-8 holds lone surrogates (surrogateescape), which cannot be stored.
        path=LONE_SURROGATE.sub("\ufffd", path),
    )
