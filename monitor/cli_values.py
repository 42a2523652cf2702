"""The command line's values: each option's text read into what the commands use, or a usage error.

argparse calls the `type=` readers (an ArgumentTypeError is its usage error, exit 2); `mapping` and the
commands raise UsageError (exit 2 too: monitor/cli.py says so). Part of the front door beside monitor/cli.py.
"""
from __future__ import annotations

import argparse
import re
from collections.abc import Sequence
from datetime import date

from monitor.ingest.network import parse_allow_entry
from monitor.ingest.sources.records import FIELDS


def allow_host(text: str) -> str:
    """Return an --allow-host value normalised, or a usage error."""
    try:
        return parse_allow_entry(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def every(text: str) -> float:
    """Return --every in seconds, or a usage error."""
    from monitor.ingest.feeds_file import parse_every

    try:
        return parse_every(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def day(text: str) -> date:
    """Return --since/--until as a day, or a usage error (exit 2) for anything but a real YYYY-MM-DD day.

    Strict on purpose: pandas would read "yesterday" or "2024" as some day, and a typo must not
    quietly export the wrong range.
    """
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text.strip()):
        raise argparse.ArgumentTypeError(f"expected a day as YYYY-MM-DD, got {text!r}")
    try:
        return date.fromisoformat(text.strip())
    except ValueError as exc:  # 2024-13-45: the right shape, no such day
        raise argparse.ArgumentTypeError(f"no such day {text!r}: {exc}") from None


def positive(text: str) -> int:
    """Return a whole number of at least 1, or a usage error."""
    if not text.strip().isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return int(text)


class UsageError(ValueError):
    """The command line's words are off (exit status 2, like argparse's own errors)."""


def mapping(pairs: Sequence[str]) -> dict[str, str]:
    """Return --map FIELD=COLUMN pairs as a dict; raises UsageError on a malformed pair."""
    out = {}
    for pair in pairs:
        field, sep, column = pair.partition("=")
        if not sep or not field or not column:
            raise UsageError(f"--map expects FIELD=COLUMN, got {pair!r}")
        if field.strip() not in FIELDS:
            raise UsageError(f"--map field must be one of {', '.join(FIELDS)}, got {field.strip()!r}")
        out[field.strip()] = column.strip()
    return out
