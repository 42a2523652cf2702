"""Outlet groupings from the settings file `data/outlets.toml`, and the outlet-group filter they make.

A grouping is a named way to split outlets (by leaning: left / centre / right; by reach: national / local);
the file lists each group's outlets, and an outlet may sit in several groupings (once in each). A record's
label field (political_bias, section ... kept in the store's `article_labels`) is a grouping too, with no
file to write: monitor/read/outlets.py offers both. Outlet names are matched as the store has them, ignoring
case and runs of whitespace. A missing file means no groupings; a file that is wrong is refused with
OutletsError, naming the file and the entry.
"""
from __future__ import annotations

import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from monitor.settings import settings_path

UNGROUPED = "ungrouped"  # the group of every outlet (or article) a grouping does not place
MAX_NAME_CHARS = 80
# The keys of a grouping's table that are not groups.
DESCRIPTION = "description"


class OutletsError(ValueError):
    """The outlets file cannot be used; the message names the file and the entry."""


def outlet_key(name: str) -> str:
    """Return the form outlet names are matched in: NFKC, case-folded, whitespace runs as one space, trimmed."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


@dataclass(frozen=True)
class Grouping:
    """One grouping of the file: its groups in file order, each with its outlets as written."""

    name: str
    groups: tuple[tuple[str, tuple[str, ...]], ...]
    description: str = ""

    def group_names(self) -> tuple[str, ...]:
        """Return the groups' names, in file order."""
        return tuple(group for group, _ in self.groups)

    def members(self, group: str) -> tuple[str, ...]:
        """Return the outlet keys (outlet_key) of `group` (none for an unknown group)."""
        return tuple(outlet_key(o) for g, outlets in self.groups if g == group for o in outlets)

    def all_members(self) -> tuple[str, ...]:
        """Return the outlet keys of every group of the grouping."""
        return tuple(outlet_key(o) for _, outlets in self.groups for o in outlets)


@dataclass(frozen=True)
class OutletGroup:
    """The outlet-group filter: articles of one group of one grouping (hashable: a cache key).

    ``kind`` "file": a grouping of outlets.toml, `outlets` the group's outlet keys (the grouping's all, with
    `exclude`, for "ungrouped"); "label": the articles whose label `grouping` has the value `group` (none of
    that label for "ungrouped").
    """

    grouping: str
    group: str
    kind: str = "file"
    outlets: tuple[str, ...] = ()
    exclude: bool = False

    def words(self) -> str:
        """Return the filter as a user writes it in the URL and reads it in a caption: "leaning:left"."""
        return f"{self.grouping}:{self.group}"


def load(path: str | Path | None = None) -> dict[str, Grouping]:
    """Return the groupings of the outlets file (`path`, else $MONITOR_OUTLETS, else data/outlets.toml) by name;
    none when the file does not exist. Raises OutletsError naming the file and the entry."""
    where = settings_path("outlets", path)
    if not where.exists():
        return {}
    try:
        document = tomllib.loads(where.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise OutletsError(f"{where}: cannot read the outlets file: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise OutletsError(f"{where}: the outlets file is not valid TOML: {exc}") from exc
    return parse(document, str(where))


def parse(document: dict[str, object], where: str) -> dict[str, Grouping]:
    """Return the groupings of a parsed outlets file; raises OutletsError naming `where` and the entry."""
    unknown = sorted(set(document) - {"groupings"})
    if unknown:
        raise OutletsError(f"{where}: unknown entry {unknown[0]!r}: the file holds [groupings.NAME] tables only")
    tables = document.get("groupings", {})
    if not isinstance(tables, dict):
        raise OutletsError(f"{where}: 'groupings' must be a table ([groupings.NAME]), not {_kind(tables)}")
    return {name: _grouping(name, table, where) for name, table in tables.items()}


def _grouping(name: str, table: object, where: str) -> Grouping:
    """Return one grouping, checked: a table of groups, each a list of outlet names."""
    _check_name(name, f"[groupings] {name!r}", where, "grouping")
    if not isinstance(table, dict):
        raise OutletsError(f"{where}: [groupings.{name}] must be a table of groups (left = [\"Outlet\", ...]), "
                           f"not {_kind(table)}")
    description = table.get(DESCRIPTION, "")
    if not isinstance(description, str):
        raise OutletsError(f"{where}: [groupings.{name}] description must be text, not {_kind(description)}")
    groups: list[tuple[str, tuple[str, ...]]] = []
    placed: dict[str, str] = {}  # outlet key -> its group: an outlet sits in one group of a grouping
    for group, outlets in table.items():
        if group == DESCRIPTION:
            continue
        entry = f"[groupings.{name}] {group}"
        _check_name(group, entry, where, "group")
        groups.append((group, _outlets(outlets, entry, where, group, placed)))
    return Grouping(name, tuple(groups), description)


def _outlets(value: object, entry: str, where: str, group: str, placed: dict[str, str]) -> tuple[str, ...]:
    """Return a group's outlet names (trimmed, each once); refuse what is no name or is in another group."""
    if not isinstance(value, list):
        raise OutletsError(f"{where}: {entry} must be a list of outlet names, not {_kind(value)}")
    names: list[str] = []
    for number, outlet in enumerate(value, start=1):
        if not isinstance(outlet, str) or not outlet_key(outlet):
            raise OutletsError(f"{where}: {entry}: entry {number} is {_kind(outlet)}, not an outlet name")
        key = outlet_key(outlet)
        if placed.get(key, group) != group:
            raise OutletsError(f"{where}: {entry}: {outlet.strip()!r} is in group {placed[key]!r} of the same "
                               "grouping already: an outlet sits in one group of a grouping (make another "
                               "grouping for another split)")
        if key not in placed:
            placed[key] = group
            names.append(" ".join(outlet.split()))
    return tuple(names)


def _check_name(name: str, entry: str, where: str, what: str) -> None:
    """Refuse a grouping or group name the dashboard cannot show or put in a URL."""
    if not name.strip() or len(name) > MAX_NAME_CHARS or any(not c.isprintable() for c in name):
        raise OutletsError(f"{where}: {entry}: a {what} name must be 1 to {MAX_NAME_CHARS} printable characters")
    if what == "grouping" and ":" in name:
        raise OutletsError(f"{where}: {entry}: a grouping name cannot hold ':' (the filter is grouping:group)")
    if outlet_key(name) == UNGROUPED:
        raise OutletsError(f"{where}: {entry}: {UNGROUPED!r} is the name of the outlets in no group: choose another")


def _kind(value: object) -> str:
    """Return a TOML value's kind in words ("a number", "a table")."""
    names = {bool: "a boolean", int: "a number", float: "a number", str: "text", list: "a list", dict: "a table"}
    return next((word for kind, word in names.items() if isinstance(value, kind)), "a date")
