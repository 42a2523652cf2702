"""The analyst corrects the names: merge two entities, split a name out of one, rename one, drop a junk name.

Each correction is an edit of the watchlist file (monitor/ingest/watchlist_file.py keeps the rest of the file
as written), so it is versioned and shared like any other entry, in the watchlist's own terms:

- merge A into B: A (and A's aliases, when A has an entry) become aliases of B;
- split a name out of its entity: the name becomes an entity of its own (an entry), or an alias of another
  named entity; the entity it leaves gets an entry too, so it keeps its name and its other spellings;
- rename E to N: an entry N with E among its aliases (E's own entry, when it has one, renamed);
- drop a name: its spellings under [ignore] (an entity's name drops all the spellings the store counts under it).

Applied to the store by re-resolving the stored names with the new watchlist (pipeline.refresh_entities): no
NER runs. Before writing, the edit is checked against a resolution of the store's names: a spelling the
resolver would still put elsewhere (a variant merged by its rules, say) is pinned as well, so what the
analyst asked for is what the store shows. The same correction twice changes nothing; `undo=True`
removes what it added (an entry a correction created goes when nothing is left in it).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd
import tomlkit

from monitor.ingest import watchlist_file as wf
from monitor.ingest.entity_map import resolve_names
from monitor.ingest.glyphs import fold_text
from monitor.ingest.names import name_key
from monitor.ingest.pipeline import refresh_entities
from monitor.ingest.watchlist import Watchlist, WatchlistError
from monitor.settings import settings_path
from monitor.store import Store

KINDS = ("merge", "split", "rename", "drop")
DROPPED = "(dropped)"
MOVE_COLUMNS = {"from_entity": "string", "to_entity": "string", "names": "int64", "mentions": "int64"}
_STATS = "SELECT name, label, count(*) AS n FROM raw_mentions GROUP BY name, label ORDER BY name, label"
_MAP = "SELECT name, key, entity, entity_type FROM entity_map"


class CorrectionError(ValueError):
    """A correction that cannot be made (an unknown name, a merge of an entity into itself); says why."""


@dataclass(frozen=True)
class Correction:
    """One correction. `name`: the entity merged away (merge), the spelling taken out (split), the entity
    renamed (rename) or the name dropped (drop). `target`: the entity merged into (merge), the entity the
    spelling goes to ("" for one of its own: split), the new name (rename)."""

    kind: str
    name: str
    target: str = ""
    # Filled in from the store by `resolve`: the entity a split spelling leaves, the spellings a drop ignores.
    origin: str = ""
    spellings: tuple[str, ...] = ()


@dataclass
class Names:
    """The store's names as the entity map has them, and their mention counts."""

    entity_map: pd.DataFrame
    stats: pd.DataFrame
    counts: dict[str, int] = field(default_factory=dict)

    @classmethod
    def read(cls, store: Store) -> Names:
        """Return the store's entity map and per-name mention counts (read only)."""
        stats = store.query(_STATS)
        counts = {str(k): int(v) for k, v in stats.groupby("name")["n"].sum().items()} if len(stats) else {}
        return cls(store.query(_MAP), stats, counts)

    def entity_of(self, name: str) -> str | None:
        """Return the entity `name` is (an entity's name), else the entity its spelling is counted under."""
        clean = " ".join(fold_text(name).split())
        if (self.entity_map["entity"] == clean).any():
            return clean
        found = self.entity_map.loc[self.entity_map["key"] == name_key(clean), "entity"]
        return str(found.iloc[0]) if len(found) else None

    def keys_of(self, entity: str) -> dict[str, str]:
        """Return key -> one spelling of it, for every key the map counts under `entity`."""
        rows = self.entity_map[self.entity_map["entity"] == entity]
        return dict(zip(rows["key"], rows["name"], strict=True)) if len(rows) else {}


def _clean(name: str) -> str:
    return " ".join(fold_text(name).split())


def resolve(correction: Correction, names: Names) -> Correction:
    """Return `correction` with its names checked against the store and its origin/spellings filled in;
    raises CorrectionError with the reason when it cannot be made."""
    c = replace(correction, name=_clean(correction.name), target=_clean(correction.target))
    if c.kind not in KINDS:
        raise CorrectionError(f"unknown correction {c.kind!r}: one of {', '.join(KINDS)}")
    if not c.name:
        raise CorrectionError("no name given")
    entity = names.entity_of(c.name)
    if c.kind == "drop":
        spellings = names.keys_of(entity).values() if entity == c.name else [c.name]
        return replace(c, spellings=tuple(sorted(spellings)))
    if entity is None:
        raise CorrectionError(f"{c.name!r} is not a name the store counts")
    if c.kind in ("merge", "rename") and not c.target:
        raise CorrectionError(f"{c.kind}: say {'into which entity' if c.kind == 'merge' else 'the new name'}")
    if c.kind in ("merge", "rename") and name_key(c.target) == name_key(c.name):
        raise CorrectionError(f"{c.kind}: {c.name!r} and {c.target!r} are the same name")
    if c.kind in ("merge", "rename"):
        # Made already (the name is counted under the target): the edit finds its entries there, a no-op.
        return c if name_key(c.target) == name_key(entity) else replace(c, name=entity)
    if name_key(c.target or c.name) == name_key(entity):
        return c  # split already: the name is its own entity, or counted under the target
    return replace(c, origin=entity)


# ---- the edits of the watchlist ------------------------------------------------------------------
def edit(doc: tomlkit.TOMLDocument, c: Correction) -> None:
    """Make correction `c` (resolved) in the watchlist document."""
    if c.kind == "merge":
        into = wf.ensure_entry(doc, c.target)
        merged = wf.find_entry(doc, c.name)
        for alias in ([c.name] + (wf.aliases(doc, merged) if merged else [])):
            wf.remove_alias(doc, alias, keep=into)
            wf.add_alias(doc, into, alias)
        if merged is not None and merged != into:
            del wf.entities(doc)[merged]
    elif c.kind == "split":
        if c.origin:  # pinned: the entity keeps its name and its other spellings
            wf.ensure_entry(doc, c.origin)
        wf.remove_alias(doc, c.name)
        if c.target:
            wf.add_alias(doc, wf.ensure_entry(doc, c.target), c.name)
        else:
            wf.ensure_entry(doc, c.name)
    elif c.kind == "rename":
        _rename(doc, c.name, c.target)
    else:
        names = wf.ignored(doc)
        known = {name_key(str(n)) for n in names}
        names.extend(s for s in dict.fromkeys(c.spellings) if name_key(s) not in known)


def _rename(doc: tomlkit.TOMLDocument, old: str, new: str) -> None:
    """Rename entity `old` to `new`: its entry (when it has one) under the new name, `old` among its aliases."""
    entry, existing = wf.find_entry(doc, old), wf.find_entry(doc, new)
    if entry is not None and existing is None:
        table = wf.entities(doc)[entry]
        del wf.entities(doc)[entry]
        wf.entities(doc)[new] = table
    into = wf.ensure_entry(doc, new)
    wf.remove_alias(doc, old, keep=into)
    wf.add_alias(doc, into, old)


def undo(doc: tomlkit.TOMLDocument, c: Correction) -> None:
    """Take correction `c` back out of the watchlist document: what it added is removed."""
    if c.kind == "merge":
        into = wf.find_entry(doc, c.target)
        if into is not None:
            wf.remove_alias(doc, c.name)
            wf.drop_entry_if_created_and_empty(doc, into)
    elif c.kind == "split":
        if c.target:
            wf.remove_alias(doc, c.name)
            _drop_created(doc, c.target)
        else:
            _drop_created(doc, c.name)
        _drop_created(doc, c.origin)
    elif c.kind == "rename":
        _unrename(doc, c.name, c.target)
    else:
        keys = {name_key(s) for s in (c.spellings or (c.name,))}
        names = wf.ignored(doc)
        for i in reversed([i for i, n in enumerate(names) if name_key(str(n)) in keys]):
            del names[i]


def _drop_created(doc: tomlkit.TOMLDocument, name: str) -> None:
    entry = wf.find_entry(doc, name) if name else None
    if entry is not None:
        wf.drop_entry_if_created_and_empty(doc, entry)


def _unrename(doc: tomlkit.TOMLDocument, old: str, new: str) -> None:
    """Undo a rename: `old` leaves the aliases of `new`; a renamed entry gets its old name back."""
    entry = wf.find_entry(doc, new)
    if entry is None:
        return
    wf.remove_alias(doc, old)
    table = wf.entities(doc)[entry]
    if wf.CREATED in table.as_string():
        wf.drop_entry_if_created_and_empty(doc, entry)
    elif wf.find_entry(doc, old) is None:
        del wf.entities(doc)[entry]
        wf.entities(doc)[old] = table


# ---- what the store would show, and pinning what the resolver would still put elsewhere ------------------
def intended(c: Correction, names: Names) -> dict[str, str | None]:
    """Return key -> the entity the analyst means it to be counted under (None: not counted) after `c`."""
    if c.kind == "merge":
        return dict.fromkeys(names.keys_of(c.name), c.target)
    if c.kind == "rename":
        return dict.fromkeys(names.keys_of(c.name), c.target)
    if c.kind == "split":
        out: dict[str, str | None] = dict.fromkeys(names.keys_of(c.origin), c.origin) if c.origin else {}
        out[name_key(c.name)] = c.target or c.name
        return out
    return {name_key(s): None for s in c.spellings}


def _pin_strays(doc: tomlkit.TOMLDocument, c: Correction, names: Names) -> None:
    """Pin every key the resolver would still count elsewhere than `intended` says (after `edit`)."""
    new = resolve_names(names.stats, Watchlist.from_dict(doc.unwrap())).entity_map
    now = dict(zip(new["key"], new["entity"], strict=True))
    for key, entity in intended(c, names).items():
        if now.get(key) == entity or (entity is not None and key not in set(names.entity_map["key"])):
            continue
        spelling = _spelling(names, key)
        if entity is None:
            wf.ignored(doc).append(spelling)
        else:
            into = wf.ensure_entry(doc, entity)
            wf.remove_alias(doc, spelling, keep=into)
            wf.add_alias(doc, into, spelling)


def _spelling(names: Names, key: str) -> str:
    found = names.entity_map.loc[names.entity_map["key"] == key, "name"]
    return str(found.iloc[0]) if len(found) else key


def changer(c: Correction, names: Names, undoing: bool = False) -> Callable[[tomlkit.TOMLDocument], None]:
    """Return the edit of the watchlist document that makes (or, `undoing`, takes back) correction `c`."""
    def change(doc: tomlkit.TOMLDocument) -> None:
        if undoing:
            undo(doc, c)
        else:
            edit(doc, c)
            _pin_strays(doc, c, names)
    return change


def moves(before: pd.DataFrame, after: pd.DataFrame, counts: dict[str, int]) -> pd.DataFrame:
    """Return the mentions that change entity between two entity maps: from_entity, to_entity (DROPPED when
    no longer counted), names (spellings moved) and mentions, most mentions first."""
    old = dict(zip(before["name"], before["entity"], strict=True))
    new = dict(zip(after["name"], after["entity"], strict=True))
    rows = [(e, new.get(n, DROPPED), 1, counts.get(n, 0)) for n, e in old.items() if new.get(n, DROPPED) != e]
    rows += [("(not counted)", e, 1, counts.get(n, 0)) for n, e in new.items() if n not in old]
    frame = pd.DataFrame(rows, columns=list(MOVE_COLUMNS))
    frame = frame.groupby(["from_entity", "to_entity"], as_index=False)[["names", "mentions"]].sum()
    return frame.sort_values(["mentions", "from_entity"], ascending=[False, True]).astype(MOVE_COLUMNS) \
        .reset_index(drop=True)


# ---- preview and apply -------------------------------------------------------------------------------
@dataclass
class Outcome:
    """A correction previewed or applied: the correction as resolved, the watchlist text it makes, the
    mentions it moves (see `moves`), and whether the file changed (False: it said so already)."""

    correction: Correction
    text: str
    moves: pd.DataFrame
    changed: bool = False


def _resolved(c: Correction, names: Names, undoing: bool) -> Correction:
    # An undo names what the watchlist holds: the store may no longer count it (a name dropped, merged away).
    return replace(c, name=_clean(c.name), target=_clean(c.target)) if undoing else resolve(c, names)


def preview(store: Store, c: Correction, path: str | Path | None = None, undoing: bool = False) -> Outcome:
    """Return what correction `c` (or its undo) would do, without writing anything: the watchlist's new
    text and the mentions that would change entity. Raises CorrectionError or WatchlistError."""
    chosen = settings_path("watchlist", path)
    names = Names.read(store)
    c = _resolved(c, names, undoing)
    doc = wf.parse(wf.read_text(chosen), chosen)
    before = tomlkit.dumps(doc)
    changer(c, names, undoing)(doc)
    after = resolve_names(names.stats, Watchlist.from_dict(doc.unwrap())).entity_map
    text = tomlkit.dumps(doc)
    return Outcome(c, text, moves(names.entity_map, after, names.counts), text != before)


def apply(store: Store, c: Correction, path: str | Path | None = None, undoing: bool = False) -> Outcome:
    """Write correction `c` (or its undo) to the watchlist at `path` (default: the one ingests use) and
    re-resolve the store's names with it (no NER); return what moved. The store must be writable."""
    chosen = settings_path("watchlist", path)
    names = Names.read(store)
    c = _resolved(c, names, undoing)
    changed = wf.update(chosen, changer(c, names, undoing))
    watchlist = Watchlist.load(chosen) if chosen.exists() else Watchlist()
    refresh_entities(store, watchlist)
    after = store.query(_MAP)
    return Outcome(c, wf.read_text(chosen), moves(names.entity_map, after, names.counts), changed)


def describe(c: Correction, undoing: bool = False) -> str:
    """Return a one-line account of correction `c` (plain text)."""
    said = {"merge": f"merge {c.name!r} into {c.target!r}",
            "split": f"split {c.name!r} out of {c.origin or 'its entity'!r}"
                     + (f" into {c.target!r}" if c.target else " as an entity of its own"),
            "rename": f"rename {c.name!r} to {c.target!r}",
            "drop": f"drop {c.name!r}" + (f" ({len(c.spellings)} spellings)" if len(c.spellings) > 1 else "")}
    return ("undo: " if undoing else "") + said[c.kind]


__all__ = ["KINDS", "Correction", "CorrectionError", "Names", "Outcome", "WatchlistError", "apply", "describe",
           "edit", "moves", "preview", "resolve", "undo"]
