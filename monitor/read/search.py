"""The articles a text query matches: the query parsed (monitor/read/query.py), run on the store's full-text
index (monitor/search_index.py), and the ids kept per store version, so the several SQL queries of one page
(and of the next rerun, until the store changes) search once."""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from threading import Lock

from monitor import search_index
from monitor.read.query import QueryError, fts5_query
from monitor.store import Store

_CACHED = 32  # queries kept: a page's query and the few an analyst goes back and forth between
_cache: OrderedDict[tuple, Match] = OrderedDict()
_lock = Lock()  # the dashboard's sessions run in threads


def check(query: str) -> str | None:
    """Return why a query cannot be read (where and why), or None when it can (an empty one can)."""
    try:
        fts5_query(query)
    except QueryError as exc:
        return str(exc)
    return None


@dataclass(frozen=True)
class Match:
    """The articles a query matches: `ids` (sorted), or, when `inverted`, the ones it does not match.

    Inverted when the query matches most of the store ("NOT oil"): the shorter list is what the SQL carries
    (a list of 93,000 ids made each query of a page 60 ms slower at 100,000 articles).
    """

    ids: tuple[str, ...]
    inverted: bool
    matched: int  # articles matched


def article_ids(store: Store, query: str) -> Match | None:
    """Return the articles the query matches, None for an empty query (no restriction).

    Raises QueryError for a query that cannot be read.
    """
    expression = fts5_query(query)
    if expression is None:
        return None
    # A store in memory is its own key (its path says nothing); a file, its path: any opening of it.
    key = (store if store.path == ":memory:" else store.path, store.version(), expression)
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    try:
        matched, total = search_index.count(store, expression)
        inverted = matched > total // 2
        found = Match(tuple(sorted(search_index.search(store, expression, inverted))), inverted, matched)
    except search_index.SearchError as exc:
        raise QueryError(f"the search index refused the query ({exc})") from exc
    with _lock:
        _cache[key] = found
        while len(_cache) > _CACHED:
            _cache.popitem(last=False)
    return found
