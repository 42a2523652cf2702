"""Fictional news pages for the page-date tests: one date written in many markups, zones and orders.

Everything here is invented (Northbridge, its council, Mara Velloso); no real page or person is quoted.
Each builder returns the page's HTML and the publication time it names, as naive UTC.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

BODY = [
    "The Northbridge council voted on Tuesday to extend the harbour tram line to the old ferry terminal.",
    "Mara Velloso, who chairs the transport committee, said the extension would open within two years.",
    "Residents of the east quarter had asked for the line since the ferry service was cut back.",
    "The budget for the work will be set at the next meeting, when the engineers report on the route.",
    "Tomas Brandt, a shop owner near the terminal, said the tram would bring back the weekend market.",
    "The committee will hold three public sessions in the library before the route is fixed.",
]
# Zone names as pages write them in bylines, with their offset in hours on a summer day (August) and a winter one.
NAMED_ZONES: dict[str, tuple[float, float]] = {
    "EDT": (-4, -4), "EST": (-5, -5), "PDT": (-7, -7), "PST": (-8, -8), "CET": (1, 1), "CEST": (2, 2),
    "BST": (1, 1), "GMT": (0, 0), "UTC": (0, 0), "ET": (-4, -5), "PT": (-7, -8),
}


@dataclass(frozen=True)
class Stamp:
    """A local wall time and its offset in minutes: the publication as a page writes it."""

    local: datetime
    offset_minutes: int

    @property
    def utc(self) -> datetime:
        """Return the instant as naive UTC."""
        return self.local - timedelta(minutes=self.offset_minutes)

    def iso(self, style: str) -> str:
        """Return the stamp in ISO 8601: style "seconds", "minutes", "millis", "compact" (-0500) or "z"."""
        if style == "z":
            return self.utc.strftime("%Y-%m-%dT%H:%M:%SZ")
        sign = "+" if self.offset_minutes >= 0 else "-"
        hours, minutes = divmod(abs(self.offset_minutes), 60)
        zone = f"{sign}{hours:02d}{minutes:02d}" if style == "compact" else f"{sign}{hours:02d}:{minutes:02d}"
        clock = {"seconds": "%H:%M:%S", "minutes": "%H:%M", "millis": "%H:%M:%S.250", "compact": "%H:%M:%S"}[style]
        return self.local.strftime(f"%Y-%m-%dT{clock}") + zone

    def aware(self) -> datetime:
        """Return the stamp as an aware datetime."""
        return self.local.replace(tzinfo=timezone(timedelta(minutes=self.offset_minutes)))


def byline_text(local: datetime, zone: str, style: int) -> str:
    """Return a visible byline time with a zone name, in one of four house styles."""
    hour = local.strftime("%I").lstrip("0")
    ampm = local.strftime("%p")
    styles = [
        f"{local:%B} {local.day}, {local:%Y} {hour}:{local:%M} {ampm} {zone}",
        f"{hour}:{local:%M} {ampm.lower()} {zone}, {local:%B} {local.day}, {local:%Y}",
        f"{local.day} {local:%B %Y}, {local:%H:%M} {zone}",
        f"{local:%a} {local:%b} {local.day}, {local:%Y} at {hour}:{local:%M}{ampm.lower()} {zone}",
    ]
    return styles[style % len(styles)]


def page(head: str = "", top: str = "", bottom: str = "", title: str = "Northbridge extends the harbour tram") -> str:
    """Return a fictional article page with ``head`` markup, ``top`` before the text and ``bottom`` after it."""
    paragraphs = "\n".join(f"<p>{line}</p>" for line in BODY)
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{title} | Northbridge Courier</title>"
            f"{head}</head><body><header><a href='/'>Northbridge Courier</a></header><main><article>"
            f"<h1>{title}</h1>{top}{paragraphs}</article>{bottom}</main>"
            "<footer><p>Northbridge Courier</p></footer></body></html>")


def json_ld(data: object) -> str:
    """Return a JSON-LD script element holding ``data``."""
    return f"<script type='application/ld+json'>{json.dumps(data)}</script>"
