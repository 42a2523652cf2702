"""Editing the watchlist file in place: comments, order and every other entry kept; written atomically.

The analyst's corrections (monitor/ingest/corrections.py) are edits of the watchlist's own entries —
an alias, an `[entities."Name"]` table, a name under `[ignore]` — so the file stays the one a person reads
and versions. tomlkit keeps the file as written (comments, blank lines, quoting) around what changes.

A write never clobbers the file: it is re-read just before the new text replaces it (a temporary file in the
same folder, then a rename, so a reader sees the old file or the new one, never half of one), and when the
text changed meanwhile (a hand edit) the edit is made again on the new text. A file that does not parse is
refused with its error: nothing is written over it.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import tomlkit
from tomlkit.container import OutOfOrderTableProxy
from tomlkit.exceptions import TOMLKitError
from tomlkit.items import Array, Comment, Table

from monitor.ingest.glyphs import fold_text
from monitor.ingest.names import name_key
from monitor.ingest.watchlist import Watchlist, WatchlistError

# Said in the table of an entity a correction created: undo removes such a table once it is empty again.
CREATED = "added by a correction (python -m monitor names, or the dashboard's Correct names)"
ATTEMPTS = 5  # re-reads when the file keeps changing under the write


def read_text(path: Path) -> str:
    """Return the watchlist's text ('' when there is no file yet); raises WatchlistError when unreadable."""
    try:
        return path.read_text(encoding="utf-8") if path.exists() else ""
    except (OSError, UnicodeDecodeError) as exc:
        raise WatchlistError(f"{path}: cannot read the watchlist: {exc}") from exc


def parse(text: str, path: Path) -> tomlkit.TOMLDocument:
    """Return the parsed document; raises WatchlistError naming the file when it is no valid watchlist."""
    try:
        doc = tomlkit.parse(text)
    except TOMLKitError as exc:
        raise WatchlistError(f"{path}: the watchlist does not parse ({exc}); fix it by hand first: "
                             "nothing was changed") from exc
    Watchlist.from_dict(doc.unwrap(), source=str(path))  # the loader's checks, with its messages
    return doc


def fingerprint(text: str) -> str:
    """Return a short hash of a watchlist text (what a preview was made from)."""
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def update(path: Path, edit: Callable[[tomlkit.TOMLDocument], None]) -> bool:
    """Apply `edit` to the watchlist at `path` and write it back; return True when the file changed.

    The same edit twice leaves the file as it was the first time (False). A hand edit made meanwhile is
    kept: the file is re-read right before the rename and, if it changed, the edit is made on it again.
    """
    for _ in range(ATTEMPTS):
        before = read_text(path)
        doc = parse(before, path)
        edit(doc)
        after = tomlkit.dumps(doc)
        if after == before:
            return False
        parse(after, path)  # what is written loads: an edit never leaves a file the monitor refuses
        if read_text(path) != before:
            continue
        _replace(path, after)
        return True
    raise WatchlistError(f"{path}: the watchlist kept changing while it was written; try again")


def _replace(path: Path, text: str) -> None:
    """Write `text` to `path` atomically: a temporary file beside it, flushed, then renamed over it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        if path.exists():
            os.chmod(temp, path.stat().st_mode & 0o7777)
        os.replace(temp, path)
    except OSError as exc:
        Path(temp).unlink(missing_ok=True)
        raise WatchlistError(f"{path}: cannot write the watchlist: {exc}") from exc


# ---- entries ------------------------------------------------------------------------------------
def _key(name: str) -> str:
    """Return the key the watchlist matches a name by (as Watchlist.from_dict does)."""
    return name_key(" ".join(fold_text(name).split()))


def entities(doc: tomlkit.TOMLDocument) -> Table | OutOfOrderTableProxy:
    """Return the document's [entities] table, created (empty) when missing. A file whose entity tables are
    not all together (some after [ignore]) gives tomlkit's proxy over all of them, edited the same way."""
    if "entities" not in doc:
        doc["entities"] = tomlkit.table(is_super_table=True)
    table = doc["entities"]
    assert isinstance(table, (Table, OutOfOrderTableProxy)), "[entities] is a table (from_dict checked the file)"
    return table


def find_entry(doc: tomlkit.TOMLDocument, name: str) -> str | None:
    """Return the written name of the entity table whose name has `name`'s key, or None."""
    return next((n for n in entities(doc) if _key(n) == _key(name)), None) if "entities" in doc else None


def ensure_entry(doc: tomlkit.TOMLDocument, name: str) -> str:
    """Return the written name of `name`'s entity table, adding one (marked CREATED) when there is none."""
    found = find_entry(doc, name)
    if found is not None:
        return found
    table = tomlkit.table()
    table.add(tomlkit.comment(CREATED))
    table.add(tomlkit.nl())
    entities(doc)[name] = table
    return name


def aliases(doc: tomlkit.TOMLDocument, entry: str) -> list[str]:
    """Return the aliases of entity table `entry` as written."""
    table = entities(doc)[entry]
    return [str(a) for a in table.get("aliases", [])] if isinstance(table, Table) else []


def add_alias(doc: tomlkit.TOMLDocument, entry: str, alias: str) -> None:
    """Add `alias` to entity `entry` unless its key is there already (the entry's name or an alias)."""
    table = entities(doc)[entry]
    assert isinstance(table, Table)
    if _key(alias) in {_key(entry), *map(_key, aliases(doc, entry))}:
        return
    if "aliases" not in table:
        _add_key(table, "aliases", tomlkit.array())
    found = table["aliases"]
    assert isinstance(found, Array)
    found.append(alias)


def _add_key(table: Table, key: str, value: Array) -> None:
    """Add `key` after the table's last key: the blank lines and comments that end a table (a heading of the
    next section, say) stay where they are. tomlkit's `add` would write it below them."""
    body = table.value.body
    last = max((i for i, (k, _) in enumerate(body) if k is not None), default=-1)
    if last < 0:  # no key yet: after the comments that open the table (CREATED's)
        last = max((i for i, (_, v) in enumerate(body) if isinstance(v, Comment)), default=-1)
    if last + 1 < len(body):
        table.value._insert_at(last + 1, key, value)  # tomlkit has no public insert
    else:
        table.add(key, value)


def remove_alias(doc: tomlkit.TOMLDocument, alias: str, keep: str | None = None) -> None:
    """Remove `alias` (by key) from every entity's aliases, but `keep`'s."""
    if "entities" not in doc:
        return
    for entry in list(entities(doc)):
        table = entities(doc)[entry]
        found = table.get("aliases") if isinstance(table, Table) else None
        if entry == keep or not isinstance(found, Array):
            continue
        for i in reversed([i for i, a in enumerate(found) if _key(str(a)) == _key(alias)]):
            del found[i]


def drop_entry_if_created_and_empty(doc: tomlkit.TOMLDocument, entry: str) -> None:
    """Remove entity table `entry` when a correction created it and nothing is left in it (undo)."""
    table = entities(doc).get(entry)
    if not isinstance(table, Table) or CREATED not in table.as_string():
        return
    if not [k for k in table if k != "aliases"] and not aliases(doc, entry):
        del entities(doc)[entry]


def ignored(doc: tomlkit.TOMLDocument) -> Array:
    """Return the document's [ignore] names array, created (empty) when missing."""
    if "ignore" not in doc:
        doc["ignore"] = tomlkit.table()
    table = doc["ignore"]
    assert isinstance(table, Table)
    if "names" not in table:
        table["names"] = tomlkit.array()
    names = table["names"]
    assert isinstance(names, Array)
    return names
