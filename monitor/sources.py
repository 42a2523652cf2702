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
"""
from __future__ import annotations

import csv
import gzip
import io
import json
import re
import stat
import sys
import unicodedata
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import charset_normalizer
import feedparser
import lxml.html
import trafilatura
from lxml import etree

from monitor.dates import dateline_date, parse_date, parse_date_prefix

DEFAULT_MAX_BYTES = 50 * 1024 * 1024

# Bodies in news CSVs often exceed the csv module's 128 KiB default field limit; a
# field can never be longer than the (size-capped) file it comes from.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


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


@dataclass(frozen=True)
class Skipped:
    """A file or record that could not be read, and why, in words for a person."""

    path: str
    reason: str


Item = RawArticle | Skipped
Reader = Callable[[bytes, str, Mapping[str, str] | None], Iterator[Item]]

FIELDS = ("text", "title", "date", "source", "url")
# The usual names of each field in JSON and CSV exports, most specific first.
FIELD_CANDIDATES: dict[str, tuple[str, ...]] = {
    "text": ("text", "body", "content", "body_text", "article", "full_text"),
    "title": ("title", "headline"),
    "date": ("date", "published", "publish_date", "published_at", "pubdate", "datetime", "timestamp"),
    "source": ("source", "publisher", "outlet", "site", "sitename"),
    "url": ("url", "link"),
}
RECORD_LISTS = ("articles", "items", "data")
# In English-language news, 8-bit text is cp1252 far more often than the Central
# European code pages that charset-normalizer may rank equal for short samples.
CP1252_CHAOS_MARGIN = 0.05
BINARY = "binary or undecodable content"

_MANY_NEWLINES = re.compile(r"\n{3,}")
_SPACES = re.compile(r"[ \t\f\v\u00a0]+")


# --------------------------------------------------------------------------- walking

def iter_files(paths: Iterable[str | Path]) -> Iterator[Path | Skipped]:
    """Yield the files named by ``paths``, folders expanded recursively in sorted order.

    Hidden files and folders (name starting with ".") inside folders are left out; a
    path that does not exist yields a Skipped, and so does a link to a folder found
    inside a folder (not followed, so no loops). Named paths are used as given.
    """
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from _walk_folder(path)
        elif path.exists() or path.is_symlink():
            # A dangling link is passed on: reading it reports the OSError.
            yield path
        else:
            yield Skipped(str(path), "no such file or folder")


def _walk_folder(folder: Path) -> Iterator[Path | Skipped]:
    """Yield the non-hidden files under ``folder``, depth first, sorted by name."""
    try:
        entries = sorted(folder.iterdir(), key=lambda entry: entry.name)
    except OSError as exc:
        yield Skipped(str(folder), _os_reason(exc))
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_symlink() and entry.is_dir():
            # Not followed: a link back up the tree would loop forever.
            yield Skipped(str(entry), "symbolic link to a folder, not followed")
        elif entry.is_dir():
            yield from _walk_folder(entry)
        elif entry.is_file() or entry.is_symlink():
            # A dangling link is passed on: reading it reports the OSError.
            yield entry
        else:
            yield Skipped(str(entry), "not a regular file (a pipe, socket or device)")


# --------------------------------------------------------------------------- reading

def read_paths(
    paths: Iterable[str | Path],
    mapping: Mapping[str, str] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Iterator[Item]:
    """Yield every article (or Skipped) in ``paths``, one file in memory at a time."""
    _check_mapping(mapping)
    for item in iter_files(paths):
        if isinstance(item, Skipped):
            yield item
        else:
            yield from read_file(item, mapping, max_bytes)


def read_file(
    path: Path,
    mapping: Mapping[str, str] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Iterator[Item]:
    """Yield the articles in one file, or Skipped items for what cannot be read.

    ``mapping`` maps our field names (text, title, date, source, url) to the column
    or key names of a JSON / JSONL / CSV file; other formats ignore it.
    """
    _check_mapping(mapping)
    path = Path(path)
    suffix, gzipped = _format_suffix(path)
    reader = READERS.get(suffix)
    if reader is None:
        shown = suffix + (".gz" if gzipped else "") or "(no suffix)"
        supported = ", ".join(SUPPORTED_SUFFIXES)
        yield Skipped(str(path), f"unsupported file type {shown} (supported: {supported}, each optionally .gz)")
        return
    data = _load_bytes(path, gzipped, max_bytes)
    if isinstance(data, Skipped):
        yield data
    elif not data.strip(b" \t\r\n\x00"):
        yield Skipped(str(path), "empty file")
    else:
        yield from reader(data, str(path), mapping)


def _check_mapping(mapping: Mapping[str, str] | None) -> None:
    """Raise ValueError when ``mapping`` names a field we do not have (a caller's bug)."""
    unknown = sorted(set(mapping or ()) - set(FIELDS))
    if unknown:
        raise ValueError(f"unknown field(s) in mapping: {', '.join(unknown)} (known: {', '.join(FIELDS)})")


def _format_suffix(path: Path) -> tuple[str, bool]:
    """Return (lower-case format suffix without .gz, whether the file is gzipped)."""
    suffixes = [s.lower() for s in path.suffixes]
    gzipped = bool(suffixes) and suffixes[-1] == ".gz"
    if gzipped:
        suffixes = suffixes[:-1]
    return (suffixes[-1] if suffixes else ""), gzipped


def _load_bytes(path: Path, gzipped: bool, max_bytes: int) -> bytes | Skipped:
    """Return the file's (gunzipped) bytes, or a Skipped saying why they cannot be had."""
    too_big = Skipped(str(path), f"larger than the {max_bytes:,} byte limit" + (" after gunzip" if gzipped else ""))
    try:
        info = path.stat()
        if not (stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode)):
            # Reading a pipe would block; a folder is left to fail with its own OSError.
            return Skipped(str(path), "not a regular file (a pipe, socket or device)")
        if not gzipped:
            if info.st_size > max_bytes:
                return too_big
            return path.read_bytes()
        with gzip.open(path, "rb") as handle:
            # One byte more than allowed tells "too big" without inflating it all.
            data = handle.read(max_bytes + 1)
        return too_big if len(data) > max_bytes else data
    except EOFError:
        return Skipped(str(path), "truncated gzip (the compressed data ends early)")
    except gzip.BadGzipFile as exc:
        return Skipped(str(path), f"not a valid gzip file: {exc}")
    except zlib.error as exc:
        return Skipped(str(path), f"corrupt gzip data: {exc}")
    except OSError as exc:
        return Skipped(str(path), _os_reason(exc))


def _os_reason(exc: OSError) -> str:
    """Return the OSError's own words (e.g. "cannot read: Permission denied")."""
    return f"cannot read: {exc.strerror or exc}"


# --------------------------------------------------------------------------- decoding

def decode_bytes(data: bytes) -> str | None:
    """Return ``data`` as text, or None when it looks binary or cannot be decoded.

    Order: a byte-order mark (UTF-8/16/32), then strict UTF-8, then charset-normalizer
    (cp1252, latin-1, UTF-16 without BOM, Cyrillic code pages, ...).
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                return None
    if b"\x00" in data:
        # NUL bytes: UTF-16/32 without a BOM, or binary.
        best = charset_normalizer.from_bytes(data).best()
        return str(best) if best is not None and best.encoding.startswith("utf_") else None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return _decode_legacy(data)


_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    # UTF-32 before UTF-16: the UTF-32-LE mark begins with the UTF-16-LE one.
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)


def _decode_legacy(data: bytes) -> str | None:
    """Return 8-bit text decoded with charset-normalizer's guess (cp1252 on a near tie)."""
    matches = charset_normalizer.from_bytes(data)
    best = matches.best()
    if best is None:
        return None
    for match in matches:
        if "cp1252" in match.could_be_from_charset and match.chaos <= best.chaos + CP1252_CHAOS_MARGIN:
            try:
                return data.decode("cp1252")
            except UnicodeDecodeError:
                break
    return str(best)


def normalise_text(text: str) -> str:
    """Return ``text`` in NFC with \\n line ends, no trailing spaces, at most one blank line in a row."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return _MANY_NEWLINES.sub("\n\n", text).strip()


def _clean_field(value: object) -> str | None:
    """Return a one-line, NFC, whitespace-collapsed string field, or None when empty or not text."""
    if isinstance(value, Mapping):
        # NewsAPI-style {"source": {"id": ..., "name": "..."}}.
        value = value.get("name") or value.get("title")
    if not isinstance(value, str):
        return None
    cleaned = " ".join(unicodedata.normalize("NFC", value).split())
    return cleaned or None


def _decoded(data: bytes, path: str) -> str | Skipped:
    """Return the decoded text of a file, or a Skipped for binary content."""
    text = decode_bytes(data)
    return Skipped(path, BINARY) if text is None else text


def _make_article(
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
        title=_clean_field(fields.get("title")),
        date=date,
        date_origin=origin,
        source=_clean_field(fields.get("source")),
        url=_clean_field(fields.get("url")),
        path=path,
    )


# --------------------------------------------------------------------------- .txt / .md

# Header keys and the field each fills.
HEADER_KEYS: dict[str, str] = {
    "date": "date", "published": "date",
    "title": "title",
    "source": "source", "outlet": "source", "publisher": "source",
    "url": "url", "link": "url",
}
_HEADER_LINE = re.compile(
    r"^[ \t]*(?P<key>" + "|".join(HEADER_KEYS) + r")(?:(?P<colon>[ \t]*:)[ \t]*|[ \t]+)(?P<value>.*)$",
    re.IGNORECASE,
)
_FRONT_MATTER_END = ("---", "...")


def _read_text(data: bytes, path: str, mapping: Mapping[str, str] | None) -> Iterator[Item]:
    """Yield the one article of a plain-text or Markdown file."""
    text = _decoded(data, path)
    if isinstance(text, Skipped):
        yield text
        return
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    front = _split_front_matter(text)
    if front is not None:
        meta, body = front
        origin = "metadata"
    else:
        meta, body = _split_header_lines(text)
        origin = "header"
    if not normalise_text(body):
        yield Skipped(path, "no body text after the header lines" if meta else "no text")
        return
    date = meta.pop("date", None)
    yield _make_article(path, body, date if isinstance(date, datetime) else None, origin, **meta)


def _split_front_matter(text: str) -> tuple[dict[str, object], str] | None:
    """Return (fields, body) when ``text`` opens with ``---`` front matter, else None."""
    lines = text.lstrip("\ufeff").split("\n")
    if lines[0].strip() != "---":
        return None
    for end, line in enumerate(lines[1:], start=1):
        if line.strip() in _FRONT_MATTER_END:
            break
    else:
        return None
    meta: dict[str, object] = {}
    for line in lines[1:end]:
        key, colon, value = line.partition(":")
        field = HEADER_KEYS.get(key.strip().lower())
        if not colon or field is None or field in meta:
            continue
        value = value.strip().strip("\"'")
        meta[field] = parse_date(value) if field == "date" else value
    return meta, "\n".join(lines[end + 1:])


def _split_header_lines(text: str) -> tuple[dict[str, object], str]:
    """Return (header fields, body) of a text whose leading lines may be headers.

    A ``date`` header's value is only the date at the start of the line: whatever
    follows it on the same line is the body's first sentence.
    """
    lines = text.split("\n")
    meta: dict[str, object] = {}
    index = 0
    while index < len(lines):
        if not lines[index].strip():
            index += 1
            continue
        header = _header_line(lines[index])
        if header is None:
            break
        field, value, rest = header
        meta.setdefault(field, value)
        index += 1
        if rest.strip():
            return meta, "\n".join([rest, *lines[index:]])
    return meta, "\n".join(lines[index:])


def _header_line(line: str) -> tuple[str, object, str] | None:
    """Return (field, value, rest of line for the body) when ``line`` is a header, else None.

    ``key: value`` is a header in any letter case. ``key value`` without a colon must
    prove itself, because body text can start with these words: a date needs a date
    after it, a url a URL, and title/source keys must be written in lower case
    ("Title fights return..." is a sentence).
    """
    match = _HEADER_LINE.match(line)
    if match is None:
        return None
    key, value, colon = match["key"], match["value"].strip(), bool(match["colon"])
    field = HEADER_KEYS[key.lower()]
    if field == "date":
        found = parse_date_prefix(value)
        if found is not None:
            return field, found[0], found[1]
        return (field, None, "") if colon else None
    if colon:
        return field, value, ""
    if field == "url":
        return (field, value, "") if _looks_like_url(value) else None
    return (field, value, "") if key.islower() and value else None


def _looks_like_url(value: str) -> bool:
    """Return True when ``value`` is a single http(s) or www. address."""
    return " " not in value and value.lower().startswith(("http://", "https://", "www."))


# --------------------------------------------------------------------------- .html

# Below this, what trafilatura found is navigation crumbs ("Home"), not an article.
MIN_HTML_WORDS = 5
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})
_TITLE_SEPARATORS = ("|", "-", "\u2013", "\u2014", "*", ":", "\u00b7", "\u2022")


def _read_html(data: bytes, path: str, mapping: Mapping[str, str] | None) -> Iterator[Item]:
    """Yield the main article of an HTML page (trafilatura), or Skipped without main text."""
    html = _decoded(data, path)
    if isinstance(html, Skipped):
        yield html
        return
    try:
        tree = trafilatura.load_html(html)
        doc = None if tree is None else trafilatura.bare_extraction(
            tree, with_metadata=True, include_comments=False, date_extraction_params=_html_date_params(),
        )
    except Exception as exc:  # why: lxml and trafilatura raise many kinds on broken pages
        yield Skipped(path, f"HTML could not be parsed: {type(exc).__name__}: {exc}")
        return
    title = _prefer_headline(doc.title, tree) if doc is not None else None
    lines = _body_lines(doc.text if doc is not None else None, title)
    if sum(len(line.split()) for line in lines) < MIN_HTML_WORDS:
        yield Skipped(path, "no main text found")
        return
    date = parse_date(doc.date)
    # trafilatura gives one paragraph per line; our contract separates them by blank lines.
    text = "\n\n".join(lines)
    yield _make_article(path, text, date, "metadata", title=title, source=doc.sitename, url=doc.url)


def _body_lines(text: str | None, title: str | None) -> list[str]:
    """Return trafilatura's text lines without a leading copy of the headline.

    The <h1> is often inside the article element, so the title would otherwise be
    the body's first line and hide the dateline that follows it.
    """
    lines = [line for line in (text or "").split("\n") if line.strip()]
    loose_title = " ".join((title or "").split()).translate(_QUOTES)
    while lines and loose_title and " ".join(lines[0].split()).translate(_QUOTES) == loose_title:
        lines.pop(0)
    return lines


def _html_date_params() -> dict[str, object]:
    """Return htmldate options: publication date with time and zone, no guessing.

    ``extensive_search`` is off because its last resorts are a copyright year
    ("© 2024" -> 2024-01-01) or a year-month, which are not publication dates.
    """
    latest = datetime.now() + timedelta(days=2)
    return {
        "original_date": True,
        "extensive_search": False,
        "max_date": latest.strftime("%Y-%m-%d"),
        "outputformat": "%Y-%m-%dT%H:%M:%S%z",
        # A date in the URL has no time: prefer the page's own timestamp when it has one.
        "deferred_url_extractor": True,
    }


def _prefer_headline(title: str | None, tree: lxml.html.HtmlElement) -> str | None:
    """Return the metadata title without a site suffix that follows the page's <h1>.

    Metadata titles often read "Headline | Site | by Author"; when the visible <h1>
    is the part before a separator, that part is the article's title. Quotes are
    compared loosely because pages mix straight and typographic ones.
    """
    if not title:
        return title
    title = " ".join(title.split())
    loose_title = title.translate(_QUOTES)
    for heading in tree.iter("h1"):
        headline = " ".join(heading.text_content().split()).translate(_QUOTES)
        rest = loose_title[len(headline):].lstrip()
        if len(headline.split()) >= 2 and loose_title.startswith(headline) and rest[:1] in _TITLE_SEPARATORS:
            # The translation keeps lengths, so this cut keeps the title's own quotes.
            return title[: len(headline)].rstrip()
    return title


# --------------------------------------------------------------------------- JSON / JSONL / CSV

def _read_json(data: bytes, path: str, mapping: Mapping[str, str] | None) -> Iterator[Item]:
    """Yield the articles of a JSON file: a list of objects, one object, or a wrapped list."""
    text = _decoded(data, path)
    if isinstance(text, Skipped):
        yield text
        return
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        yield Skipped(path, f"invalid JSON at line {exc.lineno}: {exc.msg}")
        return
    records = _json_records(document)
    if isinstance(records, str):
        yield Skipped(path, records)
    elif isinstance(records, dict):
        yield _record_article(records, path, mapping)
    else:
        for number, record in enumerate(records, start=1):
            yield _record_article(record, f"{path}#{number}", mapping)


def _json_records(document: object) -> list[object] | dict[str, object] | str:
    """Return the list of records, the single record, or a reason why there is none."""
    if isinstance(document, list):
        return document
    if not isinstance(document, dict):
        return f"JSON holds a {_type_name(document)}, not an object or a list of objects"
    lowered = {str(key).lower(): value for key, value in document.items()}
    for key in RECORD_LISTS:
        if isinstance(lowered.get(key), list):
            return lowered[key]
    return document


def _read_jsonl(data: bytes, path: str, mapping: Mapping[str, str] | None) -> Iterator[Item]:
    """Yield one article per JSON Lines line; a broken line is a Skipped for ``path#line``."""
    text = _decoded(data, path)
    if isinstance(text, Skipped):
        yield text
        return
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        where = f"{path}#{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Skipped(where, f"invalid JSON at column {exc.colno}: {exc.msg}")
            continue
        yield _record_article(record, where, mapping)


def _read_csv(data: bytes, path: str, mapping: Mapping[str, str] | None) -> Iterator[Item]:
    """Yield one article per CSV row (``path#row``, 1-based after the header row)."""
    text = _decoded(data, path)
    if isinstance(text, Skipped):
        yield text
        return
    rows = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(rows)
    except (StopIteration, csv.Error) as exc:
        yield Skipped(path, f"no CSV header row: {exc}" if str(exc) else "no CSV header row")
        return
    # A leading unnamed column is a saved pandas index: not a field.
    named = [(index, name.strip()) for index, name in enumerate(header) if name.strip()]
    columns = _resolve_fields([name for _, name in named], mapping)
    if columns["text"] is None:
        yield Skipped(path, f"{_missing_text_reason(mapping, 'column')}; columns: {', '.join(n for _, n in named)}")
        return
    yield from _csv_rows(rows, named, path, mapping)


def _csv_rows(
    rows: Iterator[list[str]],
    named: list[tuple[int, str]],
    path: str,
    mapping: Mapping[str, str] | None,
) -> Iterator[Item]:
    """Yield the articles of the CSV data rows; a parse error ends the file with a Skipped."""
    number = 0
    try:
        for number, row in enumerate(rows, start=1):
            if not any(cell.strip() for cell in row):
                continue
            record = {name: (row[index] if index < len(row) else None) for index, name in named}
            yield _record_article(record, f"{path}#{number}", mapping)
    except csv.Error as exc:
        yield Skipped(f"{path}#{number + 1}", f"invalid CSV, rest of the file not read: {exc}")


def _resolve_fields(names: Iterable[str], mapping: Mapping[str, str] | None) -> dict[str, str | None]:
    """Return, for each of our fields, the record key that holds it (None when absent).

    The mapping wins; otherwise the first usual name present, compared case-insensitively.
    """
    by_lower: dict[str, str] = {}
    for name in names:
        by_lower.setdefault(str(name).strip().lower(), name)
    resolved: dict[str, str | None] = {}
    for field in FIELDS:
        wanted = (mapping or {}).get(field)
        candidates = (wanted,) if wanted is not None else FIELD_CANDIDATES[field]
        resolved[field] = next((by_lower[c.lower()] for c in candidates if c.lower() in by_lower), None)
    return resolved


def _missing_text_reason(mapping: Mapping[str, str] | None, kind: str) -> str:
    """Return the reason for a record or file without a text field, naming what was looked for."""
    if mapping and "text" in mapping:
        return f"no text {kind} {mapping['text']!r} (named in the mapping)"
    return f"no text {kind} (looked for {', '.join(FIELD_CANDIDATES['text'])})"


def _record_article(record: object, where: str, mapping: Mapping[str, str] | None) -> Item:
    """Return the article in one JSON object or CSV row, or a Skipped saying what is wrong."""
    if not isinstance(record, dict):
        return Skipped(where, f"record is a {_type_name(record)}, not an object")
    keys = _resolve_fields([key for key in record if isinstance(key, str)], mapping)
    text_key = keys["text"]
    if text_key is None:
        return Skipped(where, _missing_text_reason(mapping, "field"))
    text = record[text_key]
    if text is not None and not isinstance(text, str):
        return Skipped(where, f"text field {text_key!r} holds a {_type_name(text)}, not a string")
    if not text or not text.strip():
        return Skipped(where, f"empty text in field {text_key!r}")
    values = {field: (record[key] if key is not None else None) for field, key in keys.items()}
    date = parse_date(values["date"]) if isinstance(values["date"], (str, int, float)) else None
    return _make_article(
        where, text, date, "metadata", title=values["title"], source=values["source"], url=values["url"],
    )


def _type_name(value: object) -> str:
    """Return a reader's word for a JSON value's type ("number", "list", ...)."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if value is None:
        return "null"
    return {list: "list", dict: "object", str: "string"}.get(type(value), type(value).__name__)


# --------------------------------------------------------------------------- RSS / Atom

_BLOCK_TAGS = frozenset(
    "p div li ul ol h1 h2 h3 h4 h5 h6 blockquote tr table section article pre figure figcaption hr dd dt".split()
)
FEED_ROOTS = frozenset({"rss", "feed", "rdf"})
_HTML_TYPES = ("text/html", "application/xhtml+xml")


def _read_feed(data: bytes, path: str, mapping: Mapping[str, str] | None) -> Iterator[Item]:
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


def _read_xml(data: bytes, path: str, mapping: Mapping[str, str] | None) -> Iterator[Item]:
    """Yield the items of an .xml file that is an RSS/Atom/RDF feed; other XML is skipped."""
    root = _xml_root_name(data)
    if root not in FEED_ROOTS:
        found = f" (root element <{root}>)" if root else " (not well-formed XML)"
        yield Skipped(path, "XML file is not an RSS or Atom feed" + found)
        return
    yield from _read_feed(data, path, mapping)


def _xml_root_name(data: bytes) -> str | None:
    """Return the lower-case local name of the document's root element, or None if unparseable."""
    events = etree.iterparse(io.BytesIO(data), events=("start",), resolve_entities=False, no_network=True)
    try:
        for _, element in events:
            return etree.QName(element).localname.lower()
    except etree.XMLSyntaxError:
        return None
    return None


def _entry_article(entry: Mapping[str, object], where: str, source: object) -> Item:
    """Return the article of one feed item (content, else summary; title when neither)."""
    title = _clean_field(entry.get("title"))
    text = _entry_text(entry)
    if not text:
        if title is None:
            return Skipped(where, "feed item has neither text nor title")
        text = title
    return _make_article(where, text, _entry_date(entry), "metadata", title=title, source=source, url=entry.get("link"))


def _entry_text(entry: Mapping[str, object]) -> str:
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


def _entry_date(entry: Mapping[str, object]) -> datetime | None:
    """Return the item's publication (else update) date, naive UTC, or None."""
    keys = ("published_parsed", "updated_parsed", "created_parsed",
            # feedparser leaves *_parsed empty for dates it cannot read (e.g. Portuguese names).
            "published", "updated", "created")
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
    return _MANY_NEWLINES.sub("\n\n", "\n".join(lines)).strip()


# --------------------------------------------------------------------------- registry

READERS: dict[str, Reader] = {
    ".txt": _read_text,
    ".md": _read_text,
    ".html": _read_html,
    ".htm": _read_html,
    ".json": _read_json,
    ".jsonl": _read_jsonl,
    ".ndjson": _read_jsonl,
    ".csv": _read_csv,
    ".rss": _read_feed,
    ".atom": _read_feed,
    ".rdf": _read_feed,
    ".xml": _read_xml,
}
# The suffixes read_file accepts; any of them may also end in .gz (x.jsonl.gz).
SUPPORTED_SUFFIXES: tuple[str, ...] = tuple(READERS)
