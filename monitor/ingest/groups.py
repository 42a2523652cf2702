"""Parties and groups written several ways ("Democrats", "Democratic Party", "Dems"): one entity each.

The built-in table is monitor/ingest/groups.toml (shipped with the package); the user's watchlist
overrides it name by name (the entity map asks the watchlist first).
"""
from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path

from monitor.ingest.names import name_key

GROUPS_FILE = Path(__file__).with_name("groups.toml")


@lru_cache(maxsize=4)
def group_keys(path: Path = GROUPS_FILE) -> dict[str, str]:
    """Return name key -> group entity for every group of the table at `path` and its aliases."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    out: dict[str, str] = {}
    for group, entry in (data.get("groups") or {}).items():
        for alias in [group, *entry.get("aliases", [])]:
            out[name_key(alias)] = group
    return out
