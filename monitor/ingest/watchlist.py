"""The user's watchlist: canonical names, aliases, groupings and names to ignore.

A TOML file (default `data/watchlist.toml`, or `MONITOR_WATCHLIST`)::

    [entities."Donald Trump"]
    type = "person"                 # optional: pins the entity's type
    aliases = ["Trump", "Donald J. Trump"]

    [entities."AI"]
    confirm = true                  # optional: a short name counts only where its context confirms it

    [ignore]
    names = ["Getty Images"]

Names of one or two characters are searched with stricter rules (see monitor.ingest.short_names).
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from monitor.ingest.glyphs import fold_text
from monitor.ingest.names import name_key
from monitor.schema import ENTITY_TYPES
from monitor.settings import default_file, settings_path

DEFAULT_PATH = default_file("watchlist")


class WatchlistError(ValueError):
    """The watchlist file is invalid; the message names the file and the entry."""


@dataclass(frozen=True)
class Watchlist:
    """Aliases (lower-cased key -> canonical name), pinned types and ignored keys."""

    canonical: dict[str, str] = field(default_factory=dict)
    types: dict[str, str] = field(default_factory=dict)
    ignored: frozenset[str] = frozenset()
    # Names and aliases as written, searched for in every article (a gazetteer).
    terms: tuple[tuple[str, str], ...] = ()
    source: str = ""
    # Short terms the user asked to be confirmed by their context (one-character terms always are).
    confirm: frozenset[str] = frozenset()

    def siblings(self) -> dict[str, frozenset[str]]:
        """Return each term -> the other terms of its entity ("X" -> {"Twitter", "X Corp"})."""
        by_entity: dict[str, set[str]] = {}
        for term, name in self.terms:
            by_entity.setdefault(name, set()).add(term)
        return {term: frozenset(by_entity[name] - {term}) for term, name in self.terms}

    @classmethod
    def load(cls, path: str | Path | None = None) -> Watchlist:
        """Return the watchlist at `path`, `$MONITOR_WATCHLIST` or the default; empty if none exists."""
        chosen = settings_path("watchlist", path)
        if path is None and not chosen.exists():
            return cls()
        try:
            data = tomllib.loads(chosen.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise WatchlistError(f"{chosen}: cannot read watchlist: {exc}") from exc
        return cls.from_dict(data, source=str(chosen))

    @classmethod
    def from_dict(cls, data: dict, source: str = "<dict>") -> Watchlist:
        """Return a watchlist built from parsed TOML; raises WatchlistError on a bad entry."""
        canonical: dict[str, str] = {}
        types: dict[str, str] = {}
        terms: list[tuple[str, str]] = []
        confirm: set[str] = set()
        for written_name, entry in (data.get("entities") or {}).items():
            entry = entry or {}
            # Folded as article text is: a watchlist copied from a web page may carry the same
            # invisible characters or lookalikes, and its terms are searched for in folded text.
            name = " ".join(fold_text(written_name).split())
            if not name:
                raise WatchlistError(f"{source}: entity {written_name!r}: the name is empty once invisible "
                                     "characters are removed")
            aliases = entry.get("aliases", [])
            if not isinstance(aliases, list) or not all(isinstance(a, str) and fold_text(a).strip() for a in aliases):
                raise WatchlistError(f"{source}: entity {name!r}: aliases must be a list of non-empty strings")
            kind = entry.get("type")
            if kind is not None and kind not in ENTITY_TYPES:
                raise WatchlistError(f"{source}: entity {name!r}: type {kind!r} is not one of {ENTITY_TYPES}")
            for written in [name, *aliases]:
                canonical[name_key(written)] = name
                terms.append((" ".join(fold_text(written).split()), name))
            if kind:
                types[name] = kind
            if entry.get("confirm", False) is not False:
                if entry["confirm"] is not True:
                    raise WatchlistError(f"{source}: entity {name!r}: confirm must be true or false")
                confirm.update(" ".join(fold_text(w).split()) for w in [name, *aliases])
        ignored = (data.get("ignore") or {}).get("names", [])
        return cls(canonical, types, frozenset(name_key(n) for n in ignored), tuple(terms), source,
                   frozenset(confirm))

    def canonical_for(self, name: str) -> str | None:
        """Return the canonical name the watchlist gives `name`, or None."""
        return self.canonical.get(name_key(name))

    def is_ignored(self, name: str) -> bool:
        """Return True when the user listed `name` under [ignore]."""
        return name_key(name) in self.ignored
