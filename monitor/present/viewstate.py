"""The dashboard's view in the URL, so a view can be shared and survives a reload.

Most sidebar widgets keep their own value in the URL (Streamlit's ``bind="query-params"``: the widget's
key is the parameter's name, the option's label its value, and a default is left out). What stays here is
pure and has no Streamlit in it:

- the choices the sidebar offers (KINDS, FREQ_LABELS, IMAGE_FORMATS) and the View it returns;
- ``upgrade``: links in the format written before the widgets were bound (``kind=org``, ``freq=W``,
  ``img=svg``, ``norm=0``, ``copies=all``) rewritten to what the bound widgets read, and values dropped
  that would crash a widget or that no widget reads;
- the two parts still kept in the URL by hand (the dashboard says why): the date range as ``from``/``to``
  and the chosen entities as ``entity``.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

KINDS = {"person": "People", "org": "Organisations", "place": "Places", "group": "Groups"}
FREQ_LABELS = {"auto": "Automatic", "D": "Day", "W": "Week", "M": "Month"}
IMAGE_FORMATS = ("png", "svg")

# Parameters of the widgets bound to the URL: each is the widget's key.
BOUND = ("page", "q", "kind", "topic", "source", "copies", "min", "freq", "norm", "smooth", "img", "group",
         "grouping")
# Parameters the dashboard writes itself (profile, profile_kind: the Profile page's subject, dashboard_profile;
# cq: the Compare queries page's saved queries, one each, monitor/present/compare_state.py; speaker: the
# Quotes page's chosen speaker, dashboard_quotes).
BY_HAND = ("entity", "from", "to", "profile", "profile_kind", "cq", "speaker")
# Parameters of widgets bound to the URL on one page, not in the sidebar (the Alerts page's kinds, metric and the
# alert opened, dashboard_alerts).
ON_PAGES = ("al_kind", "al_metric", "al_pick")
# Old value -> the label the bound widget reads now, per parameter.
_OLD_VALUES: dict[str, dict[str, str]] = {
    "kind": KINDS,
    "freq": FREQ_LABELS,
    "img": {fmt: fmt.upper() for fmt in IMAGE_FORMATS},
    "norm": {"0": "false"},
    "copies": {"all": "true"},
}
# Streamlit's integer number_input raises OverflowError (not caught) on "inf" or "1e400" in the URL.
_WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")


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
    query: str = ""  # the text query as applied ("" when none, or when the one typed cannot be read)


def upgrade(params: Mapping[str, Sequence[str]]) -> dict[str, list[str]] | None:
    """Return the URL parameters rewritten for the bound widgets, or None when there is nothing to change.

    Old-format values become the widgets' labels; an unknown name, and a ``min`` that is not a whole
    number, are dropped. Anything else is left for the widgets to judge (they drop what they can't read).
    Idempotent: upgrading an upgraded URL returns None.
    """
    out: dict[str, list[str]] = {}
    for name, values in params.items():
        if name not in BOUND and name not in BY_HAND and name not in ON_PAGES:
            continue
        if name == "min":
            values = [v for v in values if _WHOLE_NUMBER.fullmatch(v)]
        mapping = _OLD_VALUES.get(name, {})
        values = [mapping.get(v, v) for v in values]
        if values:
            out[name] = values
    return None if out == {k: list(v) for k, v in params.items()} else out


def _last_date(params: Mapping[str, Sequence[str]], name: str) -> date | None:
    values = params.get(name) or []
    try:
        return date.fromisoformat(values[-1]) if values and values[-1] else None
    except ValueError:
        return None


# The ends of a date range the user chose: None is an end left to the store (its first or last day, today's).
Pins = tuple[date | None, date | None]


def date_pins(params: Mapping[str, Sequence[str]]) -> Pins:
    """Return the ends ``from``/``to`` choose, as written (not clamped to the store: a link "to 31 March"
    keeps meaning 31 March while the store grows towards it).

    A missing or malformed end is None (the store's own); a range that ends before it starts is no choice.
    """
    since, until = _last_date(params, "from"), _last_date(params, "to")
    return (None, None) if since and until and since > until else (since, until)


def shown_range(pins: Pins, first: date, last: date) -> tuple[date, date]:
    """Return the days the date widget shows and the charts cover: each chosen end clamped into the
    store's ``first``..``last``, an end not chosen the store's own (recomputed as the store grows)."""
    since = min(max(pins[0] or first, first), last)
    until = max(min(pins[1] or last, last), first)
    return since, max(since, until)


def moved_ends(pins: Pins, before: tuple[date, date], chosen: tuple[date, date], first: date, last: date) -> Pins:
    """Return the pins after the user changed the widget from ``before`` to ``chosen``.

    An end that moved is pinned to its new day, except that moving it to the store's own first (last) day
    means "from the start" ("up to the newest") and unpins it; an end that did not move keeps its pin.
    """
    since, until = pins
    if chosen[0] != before[0]:
        since = None if chosen[0] == first else chosen[0]
    if chosen[-1] != before[-1]:
        until = None if chosen[-1] == last else chosen[-1]
    return since, until


def hand_kept(view: View) -> dict[str, list[str]]:
    """Return the hand-kept parameters for a view; an empty list means the parameter is left out.

    ``since``/``until`` are the pins (date_pins, moved_ends): None for an end the user left to the store, so
    such a link follows the store as it grows, and the day a user chose otherwise, even the store's last one.
    """
    return {"entity": list(view.entities),
            "from": [view.since.isoformat()] if view.since else [],
            "to": [view.until.isoformat()] if view.until else []}
