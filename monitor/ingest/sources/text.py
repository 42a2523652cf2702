"""Reading .txt / .md files: header lines (``date 2024-08-13``, ``title: ...``) or front matter."""
from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import datetime

from monitor.ingest.dates import parse_date, parse_date_prefix
from monitor.ingest.sources.article import make_article
from monitor.ingest.sources.decode import decoded, normalise_text
from monitor.ingest.sources.model import Item, Skipped

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


def read_text(data: bytes, path: str, mapping: Mapping[str, str] | None) -> Iterator[Item]:
    """Yield the one article of a plain-text or Markdown file."""
    text = decoded(data, path)
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
    yield make_article(path, body, date if isinstance(date, datetime) else None, origin, **meta)


def _split_front_matter(text: str) -> tuple[dict[str, object], str] | None:
    """Return (fields, body) when ``text`` opens with ``---`` front matter, else None."""
    lines = text.lstrip("\ufeff").split("\n")
    if lines[0].strip() != "---":
        return None
    end = next((i for i, line in enumerate(lines[1:], start=1) if line.strip() in _FRONT_MATTER_END), None)
    if end is None:
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
        if colon:
            return field, None, ""
        # A date before 1900 or in the future is garbage, but the line is still a header:
        # it must not become the body's first sentence.
        garbage = parse_date_prefix(value, any_era=True)
        return (field, None, garbage[1]) if garbage is not None else None
    if colon:
        return field, value, ""
    if field == "url":
        return (field, value, "") if _looks_like_url(value) else None
    return (field, value, "") if key.islower() and value else None


def _looks_like_url(value: str) -> bool:
    """Return True when ``value`` is a single http(s) or www. address."""
    return " " not in value and value.lower().startswith(("http://", "https://", "www."))
