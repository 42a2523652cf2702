"""Where the monitor's files are: one place for every default path and the variable that overrides it.

Each setting is a file under the project's ``data/`` folder unless its environment variable names
another; an argument given by the caller (``--store``, ``--topics`` ...) beats both.
"""
from __future__ import annotations

import os
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parents[1] / "data"

# name: (environment variable, default file)
SETTINGS: dict[str, tuple[str | None, Path]] = {
    "store": ("MONITOR_STORE", DATA_DIR / "monitor.duckdb"),
    "topics": ("MONITOR_TOPICS", DATA_DIR / "topics.toml"),
    "watchlist": ("MONITOR_WATCHLIST", DATA_DIR / "watchlist.toml"),
    "outlets": ("MONITOR_OUTLETS", DATA_DIR / "outlets.toml"),
    "feeds": (None, DATA_DIR / "feeds.toml"),
}


def default_file(name: str) -> Path:
    """Return the shipped default path of setting `name` (ignores the environment)."""
    return SETTINGS[name][1]


def settings_path(name: str, given: str | Path | None = None) -> Path:
    """Return the path of setting `name`: `given` if set, else its environment variable, else the default."""
    variable, default = SETTINGS[name]
    if given is not None and str(given) != "":
        return Path(given)
    from_env = os.environ.get(variable) if variable else None
    return Path(from_env) if from_env else default
