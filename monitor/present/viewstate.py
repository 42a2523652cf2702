"""The dashboard's view as URL query parameters, so a view can be shared and survives a reload.

Pure functions: parameters in (as lists of strings, the way a URL repeats a key), a
validated View out, and back. Unknown or malformed values fall back to defaults.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date

KINDS = {"person": "People", "org": "Organisations", "place": "Places", "group": "Groups"}
FREQ_CHOICES = ("auto", "D", "W", "M")
IMAGE_FORMATS = ("png", "svg")


@dataclass(frozen=True)
class View:
    """Everything a user chose in the sidebar."""

    kind: str = "person"
    entities: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    since: date | None = None
    until: date | None = None
    freq: str = "auto"
    min_mentions: int = 1
    normalised: bool = True
    smooth: int = 1
    image_format: str = "png"
    all_copies: bool = False


def _one(params: Mapping[str, Sequence[str]], key: str) -> str | None:
    values = params.get(key) or []
    return values[-1] if values else None


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _int(text: str | None, default: int, low: int, high: int) -> int:
    try:
        return min(max(int(text), low), high) if text is not None else default
    except ValueError:
        return default


def from_query(params: Mapping[str, Sequence[str]]) -> View:
    """Return the View that URL parameters describe; invalid values are ignored."""
    kind = _one(params, "kind")
    freq = _one(params, "freq")
    image = _one(params, "img")
    return View(
        kind=kind if kind in KINDS else "person",
        entities=tuple(dict.fromkeys(params.get("entity") or [])),
        topics=tuple(dict.fromkeys(params.get("topic") or [])),
        sources=tuple(dict.fromkeys(params.get("source") or [])),
        since=_date(_one(params, "from")),
        until=_date(_one(params, "to")),
        freq=freq if freq in FREQ_CHOICES else "auto",
        min_mentions=_int(_one(params, "min"), 1, 1, 1_000_000),
        normalised=_one(params, "norm") != "0",
        smooth=_int(_one(params, "smooth"), 1, 1, 12),
        image_format=image if image in IMAGE_FORMATS else "png",
        all_copies=_one(params, "copies") == "all",
    )


def to_query(view: View) -> dict[str, str | list[str]]:
    """Return the URL parameters for a View, leaving out what equals the default."""
    default = asdict(View())
    names = {"kind": "kind", "entities": "entity", "topics": "topic", "sources": "source", "since": "from",
             "until": "to", "freq": "freq", "min_mentions": "min", "normalised": "norm", "smooth": "smooth",
             "image_format": "img", "all_copies": "copies"}
    out: dict[str, str | list[str]] = {}
    for field, value in asdict(view).items():
        if value == default[field]:
            continue
        if isinstance(value, tuple):
            out[names[field]] = list(value)
        elif field == "all_copies":
            out[names[field]] = "all"
        elif isinstance(value, bool):
            out[names[field]] = "1" if value else "0"
        else:
            out[names[field]] = value.isoformat() if isinstance(value, date) else str(value)
    return out
