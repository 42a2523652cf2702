"""The time axis of the charts: what a period is called, readable ticks, partly covered periods shaded."""
from __future__ import annotations

import pandas as pd

DATE_FORMAT = "%d %b %Y"
MONTH_FORMAT = "%b %Y"  # a monthly series' ticks and hover: "Jan 2016"
_MAX_TICKS_AT_PERIODS = 12  # up to this many periods, put one tick on each period's start


def period_label(periods: pd.Series) -> str:
    """Return "Day", "Week of", "Month of" (or "" for one period), guessed from the periods' spacing."""
    distinct = pd.Series(periods.dropna().unique()).sort_values()
    if len(distinct) < 2:
        return ""  # one period: its length cannot be told, so show the bare date
    step = distinct.diff().dropna().min()
    if step >= pd.Timedelta(days=28):
        return "Month of"
    return "Week of" if step >= pd.Timedelta(days=7) else "Day"


def date_axis(periods: pd.Series, label: str = "") -> dict:
    """Return the x axis settings for readable dates; with few periods, a tick exactly at each period's start.

    Monthly series read "Jan 2016" (a day of the month would be noise), others "04 Jan 2016". Plotly's
    automatic ticks fall on its own round dates (e.g. Sundays), which would sit beside, not under,
    weekly points that start on Mondays.
    """
    fmt = MONTH_FORMAT if label == "Month of" else DATE_FORMAT
    axis: dict[str, object] = {"type": "date", "tickformat": fmt, "hoverformat": fmt}
    distinct = sorted(periods.dropna().unique())
    if 0 < len(distinct) <= _MAX_TICKS_AT_PERIODS:
        axis.update({"tickmode": "array", "tickvals": iso_dates(pd.Series(distinct))})
    return axis


# The length of a period as _period_label names it: pandas' Period code (weeks start on Monday)
_PERIOD_CODES = {"Day": "D", "Week of": "W-SUN", "Month of": "M"}


def partial_periods(periods: pd.Series, label: str, span: tuple[pd.Timestamp, pd.Timestamp] | None
                    ) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """Return [(start, end)] of the first and/or last period that SPAN (first and last day shown) covers in part.

    A week the data starts on a Thursday, or a month it ends on the 10th, holds fewer days than its
    neighbours: its counts look like a drop that is not there.
    """
    distinct = sorted(pd.to_datetime(periods.dropna().unique()))
    if span is None or label not in _PERIOD_CODES or not distinct or label == "Day":
        return []
    first_day, last_day = (pd.Timestamp(d).normalize() for d in span)
    out = []
    for start in dict.fromkeys([distinct[0], distinct[-1]]):
        end = pd.Timestamp(start).to_period(_PERIOD_CODES[label]).end_time.normalize() + pd.Timedelta(days=1)
        if first_day > start or last_day < end - pd.Timedelta(days=1):
            out.append((pd.Timestamp(start), end))
    return out


def mark_partial(layout: dict, periods: pd.Series, label: str,
                  span: tuple[pd.Timestamp, pd.Timestamp] | None) -> None:
    """Shade each partly covered period of LAYOUT's time axis grey, labelled "partial" at the top."""
    for start, end in partial_periods(periods, label, span):
        x0, x1 = start.strftime("%Y-%m-%d"), end.strftime("%Y-%m-%d")
        layout.setdefault("shapes", []).append({
            "type": "rect", "xref": "x", "yref": "paper", "x0": x0, "x1": x1, "y0": 0, "y1": 1,
            "fillcolor": "rgba(127, 127, 127, 0.15)", "line": {"width": 0}, "layer": "below"})
        layout.setdefault("annotations", []).append({
            "text": "partial", "x": (start + (end - start) / 2).strftime("%Y-%m-%d %H:%M"), "xref": "x",
            "y": 1, "yref": "paper", "yanchor": "bottom", "showarrow": False, "font": {"size": 11, "color": "#595959"}})


def iso_dates(periods: pd.Series) -> list[str]:
    """Return periods as ISO dates: the shortest form plotly reads as dates (periods have no time)."""
    return pd.to_datetime(periods).dt.strftime("%Y-%m-%d").tolist()
