"""What a download holds: the filters and settings of the view it came from, and the file names they make.

One ``Provenance`` per view is built (``describe``) and handed to every download of that view, so each file
name and each file says the same thing: dates, query, people or other entities, topics, outlets (``all`` when
none was chosen), kind, minimum mentions, copies counted once or all, and the chart settings.

File names: a human-readable part (what, names, topics, outlets, query, dates) that is cut to fit, then a short
hash of *every* setting (``view_id``), so two different views never download to the same name even when the
readable part is the same, and the same view always gives the same name. Names use only ``a-z 0-9 - _ .``:
safe on Windows, macOS and Linux, never a reserved device name, at most ``MAX_NAME`` characters.
"""
from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pandas as pd

MAX_NAME = 150  # characters, extension included: under every file system's 255, room for a folder in 260
_HASH_CHARS = 10        # hex digits of SHA-256: 40 bits, so a collision among views is vanishingly unlikely
_SLUG_MAX = 40
_KIND_WORDS = {"person": "people", "org": "organisations", "place": "places", "group": "groups"}
_FREQ_WORDS = {"D": "day", "W": "week", "M": "month"}
Value = str | int | bool | tuple[str, ...] | None


def slug(text: str, limit: int = _SLUG_MAX) -> str:
    """Return a file-name-safe, lower-case ASCII form of a label ("José Álvarez" -> "jose-alvarez"); "" if none."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.casefold())[:limit].strip("-")


def _plain(value: object) -> Value:
    """Return a value as the JSON-able kind a Provenance keeps (dates as YYYY-MM-DD, lists as tuples of text)."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, (datetime, pd.Timestamp)):
        stamp = pd.Timestamp(value)
        return f"{stamp:%Y-%m-%d}" if stamp == stamp.normalize() else stamp.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple, set, frozenset)):
        return tuple(str(_plain(v)) for v in value)
    return str(value)


def _empty(value: Value) -> bool:
    return value is None or value == "" or value == ()


@dataclass(frozen=True)
class Provenance:
    """The settings behind a download, in reading order: (label, value) pairs; `named` labels go into file names."""

    fields: tuple[tuple[str, Value], ...]
    named: tuple[str, ...] = ()

    @classmethod
    def of(cls, fields: Mapping[str, object], named: Sequence[str] | None = None) -> Provenance:
        """Return the Provenance of a mapping label -> value (every label named in files unless `named` says)."""
        pairs = tuple((str(k), _plain(v)) for k, v in fields.items())
        return cls(pairs, tuple(named) if named is not None else tuple(k for k, _ in pairs))

    def as_dict(self) -> dict[str, Any]:
        """Return {label: value} for JSON (tuples as lists); empty values kept, so "no topic" is said."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in self.fields}

    @property
    def view_id(self) -> str:
        """Return the short hash of every setting: equal for the same view, different for different ones."""
        # Empty values dropped: "no topic" and an unset topic are the same view.
        kept = {k: v for k, v in self.as_dict().items() if not _empty(_plain(v))}
        canon = json.dumps(kept, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
        return hashlib.sha256(canon.encode("ascii")).hexdigest()[:_HASH_CHARS]

    def lines(self) -> list[str]:
        """Return one "label: value" line per setting, lists joined with "; "."""
        return [f"{k}: {_text(v)}" for k, v in self.fields]

    def text(self) -> str:
        """Return the settings on one line ("dates: … · outlets: all · …")."""
        return " · ".join(self.lines())

    def with_fields(self, extra: Mapping[str, object], *, named: bool = True) -> Provenance:
        """Return a copy with more settings after these (e.g. the drill-down's name and period)."""
        more = Provenance.of(extra)
        return Provenance(self.fields + more.fields, self.named + (more.named if named else ()))

    def file_name(self, what: str, fmt: str) -> str:
        """Return "<what>_<named settings>_<view_id>.<fmt>", cut to MAX_NAME characters (the hash always kept)."""
        ext = slug(fmt, 10) or "bin"
        return f"{self.stem(what, MAX_NAME - len(ext) - 1)}.{ext}"

    def stem(self, what: str, limit: int = MAX_NAME - 5) -> str:
        """Return file_name without its extension (e.g. for the chart's camera button), at most `limit` characters."""
        values = dict(self.fields)
        return _join_stem(what, [values[k] for k in self.named if k in values], self.view_id, limit)


def _text(value: Value) -> str:
    if isinstance(value, tuple):
        return "; ".join(value) if value else "none"
    if value is None or value == "":
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _name_part(value: Value, keep: int = 3) -> str:
    """Return a value's slug for a file name: at most `keep` items of a list, then "and-N-more"."""
    if isinstance(value, tuple):
        parts = [s for s in (slug(v, 24) for v in value[:keep]) if s]
        more = len(value) - min(len(value), keep)
        return "-".join(parts + ([f"and-{more}-more"] if more else []))
    # "all" (no outlet or topic chosen) says nothing in a name; the files themselves say it
    return slug(_text(value)) if not _empty(value) and value != "all" else ""


def _join_stem(what: str, values: Sequence[Value], digest: str, limit: int) -> str:
    """Return the readable parts that fit in `limit` characters, then "_" and the digest."""
    tail = f"_{digest}"
    head = (slug(what) or "download")[:max(1, limit - len(tail))]
    for part in (p for p in (_name_part(v) for v in values) if p):
        if len(head) + 1 + len(part) + len(tail) > limit:
            part = part[:max(0, limit - len(tail) - len(head) - 1)].rstrip("-")
            if part:
                head = f"{head}_{part}"
            break
        head = f"{head}_{part}"
    return head + tail


# The order the keyword filters of `file_name` are named in, whatever order they are passed in.
_KEYWORD_ORDER = ("who", "topic", "outlet", "query", "from", "to")


def file_name(what: str, fmt: str, **filters: object) -> str:
    """Return a file name naming the content and the filters and ending in their hash,
    e.g. "mentions_mara-velloso-tomas-brandt_2031-05-01_1a2b3c4d5e.csv". The same filters passed in another
    order give the same name (they are named in _KEYWORD_ORDER, others after them A-Z)."""
    rank = {key: i for i, key in enumerate(_KEYWORD_ORDER)}
    ordered = {k: filters[k] for k in sorted(filters, key=lambda k: (rank.get(k, len(rank)), k))}
    return Provenance.of(ordered).file_name(what, fmt)


def describe(filters: Any, *, kind: str | None = None, names: Sequence[str] = (), chosen: bool = True,
             dates: tuple[object, object] | None = None, min_mentions: int = 1, freq: str | None = None,
             normalised: bool | None = None, smooth: int | None = None) -> Provenance:
    """Return the Provenance of a dashboard (or CLI) view: its Filters plus the page's own settings.

    `filters` is a monitor.read.filters.Filters; its text query (``query``, when that field exists) is
    included. `names` are the entities the view shows (`chosen` False: the top ones, picked by mentions);
    `dates` the days it covers (default: the filters' since/until, "all" for an open end).
    """
    since, until = dates if dates is not None else (filters.since, filters.until)
    kind_word = _KIND_WORDS.get(kind or "", "entities")
    fields: dict[str, object] = {
        "dates": f"{_text(_plain(since)) if since else 'start'} to {_text(_plain(until)) if until else 'end'}",
        "kind": kind_word if kind else "",
        kind_word: tuple(names) or tuple(getattr(filters, "entities", ())),
        f"{kind_word} chosen by": "user" if chosen else "most mentions",
        "topics": tuple(filters.topics) or "all",
        "outlets": tuple(filters.sources) or "all",
        "minimum mentions": int(min_mentions),
        "copies": "each syndicated story once" if filters.unique_stories else "every copy counted",
    }
    query = (getattr(filters, "query", None) or "").strip()  # a Filters field from the query box, when it exists
    if query:
        fields = {"dates": fields.pop("dates"), "query": query, **fields}
    # The outlet-group filter (a monitor.read.outlet_groups.OutletGroup, when that field is set): "leaning:left".
    group = getattr(filters, "outlet_group", None)
    if group is not None:
        at = list(fields).index("outlets") + 1  # said right after the outlets
        items = list(fields.items())
        fields = dict([*items[:at], ("outlet group", group.words()), *items[at:]])
    if freq:
        fields["period"] = _FREQ_WORDS.get(freq, freq)
    if normalised is not None:
        fields["measure"] = "share of all articles" if normalised else "mentions"
    if smooth is not None:
        fields["tone smoothed over periods"] = int(smooth)
    named = [kind_word, "topics", "outlets", "outlet group", "query", "dates"]
    if not filters.unique_stories:
        fields["copies"], named = "every copy counted", [*named, "copies"]
    return Provenance.of(fields, named)
