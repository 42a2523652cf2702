"""Read news articles from files and folders, one :class:`RawArticle` per article.

Supported files (``SUPPORTED_SUFFIXES``; each may also be gzipped, ``x.jsonl.gz``):

* ``.txt`` / ``.md``: optional header lines (``date 2024-08-13``, ``title: ...``,
  ``source: ...``, ``url: ...``) or Markdown front matter, then the body.
* ``.html`` / ``.htm``: main text and metadata extracted with trafilatura.
* ``.json`` (a list of objects, one object, or an object with a list under
  ``articles`` / ``items`` / ``data``), ``.jsonl`` / ``.ndjson`` (one object a line),
  ``.csv`` (a header row; bodies may span lines).
* ``.rss`` / ``.atom`` / ``.rdf`` feeds, and ``.xml`` files that are feeds.

Nothing here raises on bad input: a file or record that cannot be read becomes a
:class:`Skipped` item with a human reason, and reading goes on with the next one.

Layout: ``model`` (RawArticle, Skipped), ``files`` (walking folders, loading bytes),
``decode`` (bytes to text), ``article`` (building a RawArticle), one module per
format family (``text``, ``html``, ``records``, ``feeds``), and ``registry``
(READERS by suffix, read_file, read_paths). Everything public is re-exported here.
"""
from __future__ import annotations

from monitor.ingest.sources.decode import (
    BINARY,
    CP1252_CHAOS_MARGIN,
    decode_bytes,
    normalise_text,
)
from monitor.ingest.sources.feeds import FEED_ROOTS, html_to_text
from monitor.ingest.sources.files import DEFAULT_MAX_BYTES, iter_files
from monitor.ingest.sources.html import MIN_HTML_WORDS
from monitor.ingest.sources.model import Item, RawArticle, Reader, Skipped
from monitor.ingest.sources.records import FIELD_CANDIDATES, FIELDS, RECORD_LISTS
from monitor.ingest.sources.registry import (
    READERS,
    SUPPORTED_SUFFIXES,
    read_file,
    read_paths,
)
from monitor.ingest.sources.text import HEADER_KEYS

__all__ = [
    "BINARY",
    "CP1252_CHAOS_MARGIN",
    "DEFAULT_MAX_BYTES",
    "FEED_ROOTS",
    "FIELDS",
    "FIELD_CANDIDATES",
    "HEADER_KEYS",
    "MIN_HTML_WORDS",
    "READERS",
    "RECORD_LISTS",
    "SUPPORTED_SUFFIXES",
    "Item",
    "RawArticle",
    "Reader",
    "Skipped",
    "decode_bytes",
    "html_to_text",
    "iter_files",
    "normalise_text",
    "read_file",
    "read_paths",
]
