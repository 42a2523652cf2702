"""The Compare queries page's state in the URL: up to five saved queries, one repeated ``cq`` parameter each.

Pure (no Streamlit): the page (dashboard_compare.py) reads ``cq`` on a session's first run and writes it back
on every change, so a link opens the same comparison in a new tab.

One ``cq`` value is a compact JSON array ``[name, query, [outlets...], [topics...]]`` (empty lists left off):
JSON quotes its strings, so quotes, ``&``, ``=``, ``#``, ``%`` and any unicode in a name or query survive
(Streamlit percent-encodes the value in the address bar). A value is refused, with the reason, when it is
longer than MAX_VALUE characters (a hostile 10 kB value is never parsed), is not such an array, or holds
no query; past MAX_QUERIES values the rest are dropped, and the page says so.
"""
from __future__ import annotations

import json
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

MAX_QUERIES = 5       # Media Cloud's Explorer compares up to five queries side by side
MAX_NAME = 60         # characters of a query's name (a legend label, a column of the CSV)
MAX_FILTERS = 50      # outlets (or topics) one query may name
MAX_VALUE = 4_000     # characters of one cq value: a query (≤ MAX_LENGTH) with its name and filters fits
PARAM = "cq"
MAX_LENGTH = 2_000   # characters of a query: monitor.read.query.MAX_LENGTH (present may not import read; a test
                     # checks they agree)


@dataclass(frozen=True)
class SavedQuery:
    """One query of a comparison: its name, its text query, and the outlets and topics it keeps (none: all)."""

    name: str
    query: str
    sources: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()


def clean_name(name: str, fallback: str) -> str:
    """Return a query's name as shown: control characters dropped, spaces collapsed, at most MAX_NAME characters;
    `fallback` ("Query 2") when nothing is left."""
    kept = "".join(c if unicodedata.category(c)[0] != "C" else " " for c in name)
    return " ".join(kept.split())[:MAX_NAME].strip() or fallback


def encode(saved: SavedQuery) -> str:
    """Return the ``cq`` value of one query (decode reads it back)."""
    parts: list[object] = [saved.name, saved.query]
    if saved.sources or saved.topics:
        parts.append(list(saved.sources))
    if saved.topics:
        parts.append(list(saved.topics))
    return json.dumps(parts, ensure_ascii=False, separators=(",", ":"))


def decode(value: str) -> SavedQuery:
    """Return the query a ``cq`` value holds; ValueError says why one cannot be read."""
    if len(value) > MAX_VALUE:
        raise ValueError(f"it is {len(value):,} characters long; at most {MAX_VALUE:,} are read")
    try:
        parts = json.loads(value)
    except (ValueError, RecursionError):
        raise ValueError("it is not a saved query (a JSON list: name, query, outlets, topics)") from None
    if not isinstance(parts, list) or not 2 <= len(parts) <= 4 or not all(isinstance(p, str) for p in parts[:2]):
        raise ValueError("it is not a saved query (a JSON list: name, query, outlets, topics)")
    name, query = parts[0], parts[1]
    if not query.strip():
        raise ValueError("it holds no query")
    if len(query) > MAX_LENGTH:
        raise ValueError(f"its query is {len(query):,} characters long; at most {MAX_LENGTH:,} are read")
    lists = [_texts(p) for p in parts[2:]] + [(), ()]
    return SavedQuery(name, query, lists[0], lists[1])


def _texts(value: object) -> tuple[str, ...]:
    """Return a JSON list of strings as a tuple (duplicates dropped, at most MAX_FILTERS); ValueError otherwise."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError("its outlets and topics must be lists of names")
    if len(value) > MAX_FILTERS:
        raise ValueError(f"it names {len(value):,} outlets or topics; at most {MAX_FILTERS} are read")
    return tuple(dict.fromkeys(value))


def read_all(values: Sequence[str]) -> tuple[list[SavedQuery], list[str]]:
    """Return (the queries of the ``cq`` values, in order, at most MAX_QUERIES; a note per value not read).

    Each query gets a name (``Query N`` when it has none) unique in the comparison (a repeated name gains
    `` (2)``): the name is the comparison's key, in the legend and in the CSV.
    """
    queries: list[SavedQuery] = []
    notes: list[str] = []
    for n, value in enumerate(values, start=1):
        if len(queries) == MAX_QUERIES:
            notes.append(f"{len(values) - n + 1} more saved queries in the link were dropped: "
                         f"at most {MAX_QUERIES} are compared")
            break
        try:
            saved = decode(value)
        except ValueError as exc:
            notes.append(f"saved query {n} of the link could not be read: {exc}")
            continue
        queries.append(saved)
    return unique_names(queries), notes


def unique_names(queries: Sequence[SavedQuery]) -> list[SavedQuery]:
    """Return the queries with clean names, each different (``Query N`` for none, `` (2)`` for a repeat)."""
    out: list[SavedQuery] = []
    seen: set[str] = set()
    for n, saved in enumerate(queries, start=1):
        base = clean_name(saved.name, f"Query {n}")
        name, k = base, 2
        while name.casefold() in seen:
            name, k = f"{base} ({k})", k + 1
        seen.add(name.casefold())
        out.append(SavedQuery(name, saved.query, saved.sources, saved.topics))
    return out


def overview_params(saved: SavedQuery, params: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """Return the URL parameters of the Overview of one query: the page's others (dates, copies, kind, entities…)
    with the query as ``q`` and its outlets and topics as ``source`` and ``topic`` (the comparison left out)."""
    out = {k: list(v) for k, v in params.items() if k not in (PARAM, "page", "q", "source", "topic")}
    out.update({"page": ["Overview"], "q": [saved.query]})
    if saved.sources:
        out["source"] = list(saved.sources)
    if saved.topics:
        out["topic"] = list(saved.topics)
    return out


def describe_query(saved: SavedQuery) -> str:
    """Return one line saying what a query is: "name: query (outlets: a; b · topics: c)"."""
    limits = ([f"outlets: {'; '.join(saved.sources)}"] if saved.sources else []) + (
        [f"topics: {'; '.join(saved.topics)}"] if saved.topics else [])
    return f"{saved.name}: {saved.query}" + (f" ({' · '.join(limits)})" if limits else "")
