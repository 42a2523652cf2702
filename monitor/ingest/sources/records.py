"""Reading JSON / JSONL / CSV records, recognising or mapping their field names."""
from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace

from monitor.ingest.dates import read_date
from monitor.ingest.sources.article import make_article
from monitor.ingest.sources.decode import SEPARATORS, decoded, drop_stray
from monitor.ingest.sources.labels import label_fields, record_labels
from monitor.ingest.sources.model import Item, RawArticle, Skipped

# Bodies in news CSVs often exceed the csv module's 128 KiB default field limit; a
# field can never be longer than the (size-capped) file it comes from.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))

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
TOO_DEEP = "invalid JSON: nested too deeply to read"
# What decoding leaves of stray bytes: removed from a JSON text that does not parse with them.
_SYNTAX_NOISE = {ord(char): None for char in "\ufffd" + SEPARATORS}


def check_mapping(mapping: Mapping[str, str] | None) -> None:
    """Raise ValueError when ``mapping`` names a field we do not have (a caller's bug)."""
    unknown = sorted(set(mapping or ()) - set(FIELDS))
    if unknown:
        raise ValueError(f"unknown field(s) in mapping: {', '.join(unknown)} (known: {', '.join(FIELDS)})")


def read_json(data: bytes, path: str, mapping: Mapping[str, str] | None) -> Iterator[Item]:
    """Yield the articles of a JSON file: a list of objects, one object, or a wrapped list."""
    text = decoded(data, path, keep_separators=True)
    if isinstance(text, Skipped):
        yield text
        return
    document = _loads(text, path, "line")
    if isinstance(document, Skipped):
        yield document
        return
    records = _json_records(document)
    if isinstance(records, str):
        yield Skipped(path, records)
    elif isinstance(records, dict):
        yield _record_article(records, path, mapping)
    else:
        for number, record in enumerate(records, start=1):
            yield _record_article(record, f"{path}#{number}", mapping)


def _loads(text: str, where: str, position: str) -> object:
    """Return the parsed JSON, or a Skipped saying where it breaks (``position``: "line" or "column").

    Raw tabs and line ends inside strings are read (``strict=False``: exports often hold them).
    A U+FFFD is what decoding made of a broken byte, and a vertical tab or form feed is a stray
    byte too: when one breaks the syntax (between tokens, inside a \\u escape), the document is
    parsed again without them, so the byte costs no more than the character it was.
    """
    try:
        return _parse(text)
    except json.JSONDecodeError as exc:
        repaired = text.translate(_SYNTAX_NOISE)
        if repaired != text:
            try:
                return _parse(repaired)
            except (json.JSONDecodeError, RecursionError):
                pass
        at = exc.lineno if position == "line" else exc.colno
        return Skipped(where, f"invalid JSON at {position} {at}: {exc.msg}")
    except RecursionError:
        # json recurses per nesting level: "[[[[..." thousands deep exhausts the stack.
        return Skipped(where, TOO_DEEP)


def _parse(text: str) -> object:
    """Return the parsed JSON document (raises JSONDecodeError or RecursionError)."""
    return json.loads(text, strict=False)


def _json_records(document: object) -> list[object] | dict[str, object] | str:
    """Return the list of records, the single record, or a reason why there is none."""
    if isinstance(document, list):
        return document
    if not isinstance(document, dict):
        return f"JSON holds {_a_type(document)}, not an object or a list of objects"
    lowered = {str(key).lower(): value for key, value in document.items()}
    for key in RECORD_LISTS:
        if isinstance(lowered.get(key), list):
            return lowered[key]
    return document


def read_jsonl(data: bytes, path: str, mapping: Mapping[str, str] | None) -> Iterator[Item]:
    """Yield one article per JSON Lines line; a broken line is a Skipped for ``path#line``."""
    text = decoded(data, path, keep_separators=True)
    if isinstance(text, Skipped):
        yield text
        return
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        where = f"{path}#{number}"
        record = _loads(line, where, "column")
        yield record if isinstance(record, Skipped) else _record_article(record, where, mapping)


def read_csv(data: bytes, path: str, mapping: Mapping[str, str] | None) -> Iterator[Item]:
    """Yield one article per CSV row (``path#row``, 1-based after the header row)."""
    text = decoded(data, path)
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
        return Skipped(where, f"record is {_a_type(record)}, not an object")
    # Control characters that arrive escaped ("\\u0000") pass decoding: removed here.
    record = {key: drop_stray(value) if isinstance(value, str) else value for key, value in record.items()}
    keys = _resolve_fields([key for key in record if isinstance(key, str)], mapping)
    text_key = keys["text"]
    if text_key is None:
        return Skipped(where, _missing_text_reason(mapping, "field"))
    text = record[text_key]
    if text is not None and not isinstance(text, str):
        return Skipped(where, f"text field {text_key!r} holds {_a_type(text)}, not a string")
    if not text or not text.strip():
        return Skipped(where, f"empty text in field {text_key!r}")
    values = {field: (record[key] if key is not None else None) for field, key in keys.items()}
    # A date that is not plausible as written is refused with its reason, which the report counts.
    date = read_date(values["date"])
    article = make_article(
        where, text, date.date, "metadata", title=values["title"], source=values["source"], url=values["url"],
    )
    if date.problem and isinstance(article, RawArticle) and article.date is None:  # no dateline made up for it
        article = replace(article, date_problem=date.problem)
    # The record's labels (political_bias, section ...) go with it: the outlet groupings are made of them.
    labels = record_labels(record, label_fields(), skip=[key for key in keys.values() if key is not None])
    if labels and isinstance(article, RawArticle):
        article = replace(article, labels=labels)
    return article


def _a_type(value: object) -> str:
    """Return a JSON value's type with its article ("a number", "an object")."""
    name = _type_name(value)
    return f"{'an' if name[:1] in 'aeiou' else 'a'} {name}"


def _type_name(value: object) -> str:
    """Return a reader's word for a JSON value's type ("number", "list", ...)."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if value is None:
        return "null"
    names: dict[type, str] = {list: "list", dict: "object", str: "string"}
    return names.get(type(value), type(value).__name__)
