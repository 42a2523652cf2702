"""Reading RSS / Atom / RDF feeds (and .xml files that are feeds); HTML fragments to text."""
from __future__ import annotations

import io
import re
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

import feedparser
import lxml.html
from lxml import etree

from monitor.ingest.dates import parse_date
from monitor.ingest.sources.article import clean_field, make_article
from monitor.ingest.sources.decode import BINARY, MANY_NEWLINES, decode_bytes
from monitor.ingest.sources.model import Item, Skipped

_BLOCK_TAGS = frozenset(
    ["p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr", "table",
     "section", "article", "pre", "figure", "figcaption", "hr", "dd", "dt"]
)
_SPACES = re.compile(r"[ \t\f\v\u00a0]+")
FEED_ROOTS = frozenset({"rss", "feed", "rdf"})
_HTML_TYPES = ("text/html", "application/xhtml+xml")
# One feed item as feedparser gives it: a FeedParserDict (a dict subclass) of untyped values.
FeedEntry = dict[str, Any]


def read_feed(data: bytes, path: str, mapping: Mapping[str, str] | None) -> Iterator[Item]:
    """Yield one article per RSS/Atom item; the feed's title is the source."""
    if decode_bytes(data) is None:
        yield Skipped(path, BINARY)
        return
    try:
        # A stream, never bytes or str: feedparser would treat those as a file name or URL.
        parsed = feedparser.parse(io.BytesIO(data))
    except Exception as exc:  # why: feedparser's SAX and fallback parsers raise many kinds
        yield Skipped(path, f"feed could not be parsed: {type(exc).__name__}: {exc}")
        return
    if not parsed.entries:
        problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
        yield Skipped(path, f"not a readable feed: {problem}" if problem else "feed has no items")
        return
    source = parsed.feed.get("title")
    for number, entry in enumerate(parsed.entries, start=1):
        yield _entry_article(entry, f"{path}#{number}", source)


def read_xml(data: bytes, path: str, mapping: Mapping[str, str] | None) -> Iterator[Item]:
    """Yield the items of an .xml file that is an RSS/Atom/RDF feed; other XML is skipped."""
    root = _xml_root_name(data)
    if root not in FEED_ROOTS:
        found = f" (root element <{root}>)" if root else " (not well-formed XML)"
        yield Skipped(path, "XML file is not an RSS or Atom feed" + found)
        return
    yield from read_feed(data, path, mapping)


def _xml_root_name(data: bytes) -> str | None:
    """Return the lower-case local name of the document's root element, or None if unparseable."""
    events = etree.iterparse(io.BytesIO(data), events=("start",), resolve_entities=False, no_network=True)
    try:
        for _, element in events:
            return etree.QName(element).localname.lower()
    except etree.XMLSyntaxError:
        return None
    return None


def _entry_article(entry: FeedEntry, where: str, source: object) -> Item:
    """Return the article of one feed item (content, else summary; title when neither)."""
    title = clean_field(entry.get("title"))
    text = _entry_text(entry)
    if not text:
        if title is None:
            return Skipped(where, "feed item has neither text nor title")
        text = title
    return make_article(where, text, _entry_date(entry), "metadata", title=title, source=source, url=entry.get("link"))


def _entry_text(entry: FeedEntry) -> str:
    """Return the item's text: its longest content part, else its summary, as plain text."""
    parts = [part for part in entry.get("content") or () if (part.get("value") or "").strip()]
    if parts:
        best = max(parts, key=lambda part: len(part.get("value") or ""))
        return _detail_text(best.get("value") or "", best.get("type"))
    detail = entry.get("summary_detail") or {}
    return _detail_text(entry.get("summary") or "", detail.get("type", "text/html"))


def _detail_text(value: str, kind: object) -> str:
    """Return feed text as plain text, rendering it as HTML unless it is declared plain."""
    if kind in _HTML_TYPES or "<" in value:
        return html_to_text(value)
    return value


def _entry_date(entry: FeedEntry) -> datetime | None:
    """Return the item's publication (else update, else creation) date, naive UTC, or None.

    The date as written is read first: feedparser's ``*_parsed`` takes zone names it does not know
    ("CEST", "BST") for UTC and "ET" for EST all year, and leaves dates in other languages empty.
    """
    keys = ("published", "published_parsed", "updated", "updated_parsed", "created", "created_parsed")
    for key in keys:
        # dict.get, not entry.get: feedparser aliases a missing "updated" to "published"
        # with a DeprecationWarning; we try both ourselves.
        found = parse_date(dict.get(entry, key))
        if found is not None:
            return found
    return None


def html_to_text(fragment: str) -> str:
    """Return the visible text of an HTML fragment, block elements as paragraphs."""
    if not fragment.strip():
        return ""
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return ""
    for unwanted in root.xpath(".//script|.//style"):
        unwanted.drop_tree()
    for element in root.iter(etree.Element):
        if element.tag == "br":
            element.tail = "\n" + (element.tail or "")
        elif element.tag in _BLOCK_TAGS:
            element.text = "\n\n" + (element.text or "")
            element.tail = "\n\n" + (element.tail or "")
    lines = (_SPACES.sub(" ", line).strip() for line in root.text_content().split("\n"))
    return MANY_NEWLINES.sub("\n\n", "\n".join(lines)).strip()
