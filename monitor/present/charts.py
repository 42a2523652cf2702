"""Frames to plotly figures: mentions over time, tone with its interval, share of voice, entity x topic.

Pure functions: frames in, ``go.Figure`` out; no Streamlit here. Every figure is built with
``template="plotly"`` at creation, because ``import streamlit`` makes its own template the default
and that one's placeholder colours (``#000001``...) export as near-black outside the page.

Input frames (built by monitor.read.aggregations; their contracts are in monitor/schema.py, and each
chart checks the columns it needs are there with schema.require):

- SERIES, one row per period and name: ``period``, ``name``, ``mentions``, ``articles``,
  ``total_articles``, ``share``, ``tone``, ``tone_low``, ``tone_high``, ``tone_smooth``.
- TOP, one row per entity: ``name``, ``mentions``, ``articles``, ``tone``, ``positive``,
  ``negative``, ``share_of_voice``.
- MATRIX, one row per (entity, topic): ``name``, ``topic``, ``mentions``, ``tone``.
"""
from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from functools import cache
from typing import cast

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from monitor.schema import MATRIX, SERIES, TOP, require

# Okabe & Ito's colour-blind-safe palette (Color Universal Design, 2008): eight colours told apart with
# protanopia, deuteranopia and tritanopia, black last (it reads as text) and yellow moved late (faint on white).
PALETTE: tuple[str, ...] = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
TEMPLATE = "plotly"
NO_DATA = "No data for these filters"
DATE_FORMAT = "%d %b %Y"
MONTH_FORMAT = "%b %Y"  # a monthly series' ticks and hover: "Jan 2016"
# Red (negative) - white (neutral) - blue (positive), ColorBrewer RdBu's ends: a diverging scale that
# colour-blind readers can tell apart (red-green, the old one, is the pair they cannot).
TONE_SCALE = [[0.0, "#b2182b"], [0.5, "#f7f7f7"], [1.0, "#2166ac"]]
# A period with fewer articles than this under the filters is flagged as thin (hollow marker, note on hover):
# at 30 articles one article moves a share by 3.3 points and the 95% interval of a 50% share is +/-18 points,
# so swings between such periods are mostly noise. 30 is the usual floor for a normal approximation.
THIN_ARTICLES = 30
# The plotly modebar's buttons kept: save as image, reset axes. Every other one is a tab stop (and a
# screen-reader announcement) before the next chart, with no use on a time series.
MODEBAR_REMOVE = ("zoom2d", "pan2d", "select2d", "lasso2d", "zoomIn2d", "zoomOut2d", "autoScale2d",
                  "hoverClosestCartesian", "hoverCompareCartesian", "toggleSpikelines")
SMALL_MULTIPLES_FROM = 3  # tone lines of this many names or more get a panel each: overlaid bands are unreadable
_MARGIN = {"l": 60, "r": 30, "t": 110, "b": 60}
LEGEND_MARGIN = 130  # room under the plot: tick labels (~30 px), then up to four rows of legend (~22 px each)
_MAX_TICKS_AT_PERIODS = 12  # up to this many periods, put one tick on each period's start
_IMAGE_FORMATS = ("png", "svg")


def plot_text(text: object) -> str:
    """Return ``text`` escaped for plotly's labels: shown as the characters written, never as markup.

    Plotly reads a subset of HTML in every label it draws (legend, ticks, hover, titles, annotations):
    ``<a href>`` becomes a clickable link, ``<b>``/``<br>``/``<span style>`` change the look, and it decodes
    ``&lt;``, ``&gt;``, ``&amp;`` and numeric entities. So only ``&``, ``<`` and ``>`` are escaped: quotes
    stay as they are (plotly does not decode ``&quot;``, which would then show as those six characters).
    """
    return html.escape(str(text), quote=False)


def unescape_label(text: str) -> str:
    """Return the name a chart's label (``plot_text``) was made from: the inverse of plot_text."""
    return html.unescape(text)


def _texts(values: Iterable[object]) -> list[str]:
    """Return each value as plot_text."""
    return [plot_text(v) for v in values]


def colors_for(names: Sequence[str]) -> dict[str, str]:
    """Return {name: colour}, the first name getting the palette's first colour and so on.

    Pass the names in rank order (e.g. most mentioned first) and hand the same dict to every
    chart, so one person has one colour everywhere. Past the palette's length colours repeat.
    """
    unique = list(dict.fromkeys(names))
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(unique)}


def plot_config(file_stem: str, image_format: str = "png") -> dict:
    """Return the plotly ``config`` dict: the modebar's camera button saves `file_stem`.<format>.

    PNG is saved at scale 2 (sharp on high-DPI screens and in slides); SVG at scale 1.
    """
    if image_format not in _IMAGE_FORMATS:
        raise ValueError(f"image_format must be one of {_IMAGE_FORMATS}, not {image_format!r}")
    options = {"format": image_format, "filename": file_stem,
               "scale": 2 if image_format == "png" else 1}
    return {"displaylogo": False, "displayModeBar": True, "toImageButtonOptions": options,
            "modeBarButtonsToRemove": list(MODEBAR_REMOVE)}


def mentions_chart(series: pd.DataFrame, *, normalised: bool, colors: dict[str, str], title: str,
                   subject: str = "people", span: tuple[pd.Timestamp, pd.Timestamp] | None = None) -> go.Figure:
    """Return one line per name over time: % of articles (normalised) or raw mention counts.

    Periods with fewer than THIN_ARTICLES articles under the filters get a hollow marker and a note on hover,
    every point's hover gives the articles behind it, and, given `span` (the first and last day the view
    covers), a first or last period the span only partly covers is shaded and labelled "partial".
    Each point's ``customdata`` starts with [name, period as ISO date] so a click maps back to
    (name, period); the rest feeds the hover.
    """
    require(series, SERIES, "series")
    y_title = "% of articles" if normalised else "mentions"
    if series.empty:
        return _empty(title, "", y_title)
    if series["period"].nunique() == 1:
        return _one_period_bars(series, normalised=normalised, colors=colors, title=title, subject=subject)
    label = _period_label(series["period"])
    data = []
    for name, rows in _by_name(series, colors, label):
        y = rows["share"] * 100.0 if normalised else rows["mentions"]
        thin = rows["total_articles"] < THIN_ARTICLES
        note = np.where(thin, "<br>Only " + rows["total_articles"].astype(str) + " articles in this period: "
                        "a thin base, read the share with care", "")
        custom = _customdata(rows, ["mentions", "articles", "total_articles"], extra=rows["share"] * 100.0)
        data.append({
            "type": "scatter", "x": rows["iso"].tolist(), "y": y.to_numpy(), "name": plot_text(name),
            "mode": "lines+markers", "customdata": np.column_stack([custom, note.astype(object)]),
            "line": {"color": _color(colors, name), "width": 2},
            "marker": {"size": 7, "symbol": np.where(thin, "circle-open", "circle").tolist(),
                       "line": {"width": 2, "color": _color(colors, name)}},
            "hovertemplate": "<b>%{customdata[0]}</b><br>%{customdata[2]}<br>"
                             "Mentions: %{customdata[3]:,}<br>"
                             "Articles: %{customdata[4]:,} of %{customdata[5]:,}<br>"
                             "Share of articles: %{customdata[6]:.1f}%%{customdata[7]}<extra></extra>"})
    # short enough for a half-width chart at 1366 px; the caption under the chart says the rest
    subtitle = ("% of each period's articles naming each" if normalised else f"Mentions of these {subject} per period")
    subtitle += f"; hollow: < {THIN_ARTICLES} articles"
    layout = _layout(title, "", y_title, subtitle=subtitle, hovermode="closest")
    layout["xaxis"].update(_date_axis(series["period"], label))
    layout["yaxis"].update({"rangemode": "tozero", "ticksuffix": "%" if normalised else ""})
    _mark_partial(layout, series["period"], label, span)
    return _figure(data, layout)


# What a tone chart's line averages (its subtitle): the tone toward each entity, or the sentences' tone.
TONE_TOWARD = "Mean tone toward each per period"
TONE_OF_SENTENCES = "Mean tone of the sentences per period"


def tone_chart(series: pd.DataFrame, *, colors: dict[str, str], title: str, measure: str = TONE_TOWARD) -> go.Figure:
    """Return per name a line of (smoothed) mean tone over a translucent 95% interval band.

    ``measure`` says what the tone is (TONE_TOWARD for entities, TONE_OF_SENTENCES for topics): the subtitle.

    Band traces share the line's ``legendgroup`` (one legend click hides both) and stay out of
    the legend and the hover. The y axis is fixed to [-1, 1] with a dashed line at neutral (0). From
    SMALL_MULTIPLES_FROM names on, each name gets its own panel (small multiples on one time axis):
    overlaid bands of several people hide each other's lines.
    """
    require(series, SERIES, "series")
    if series.empty:
        return _empty(title, "", "mean tone", y_range=[-1, 1])
    if series["period"].nunique() == 1:
        return _one_period_tone(series, colors=colors, title=title, measure=measure)
    label = _period_label(series["period"])
    hover = _tone_hover(smoothed=bool((series["tone_smooth"] - series["tone"]).abs().max() > 1e-9))
    data = []
    for name, rows in _by_name(series, colors, label):
        color = _color(colors, name)
        data += _band(rows, name, color)
        custom = _customdata(rows, ["tone_low", "tone_high", "mentions", "tone"])
        data.append({
            "type": "scatter", "x": rows["iso"].tolist(), "y": rows["tone_smooth"].to_numpy(),
            "name": plot_text(name), "legendgroup": plot_text(name), "mode": "lines+markers",
            "line": {"color": color, "width": 2}, "marker": {"size": 6}, "customdata": custom, "hovertemplate": hover})
    layout = _layout(title, "", "mean tone (-1 negative … +1 positive)",
                     subtitle=f"{measure}; shaded: 95% interval", hovermode="closest")
    # what fig.add_hline(y=0) adds: a line across the plot's width at neutral tone
    layout["shapes"] = [{"type": "line", "xref": "x domain", "x0": 0, "x1": 1, "yref": "y", "y0": 0, "y1": 0,
                         "line": {"dash": "dash", "color": "#7f7f7f", "width": 1}}]
    layout["xaxis"].update(_date_axis(series["period"], label))
    layout["yaxis"].update({"range": [-1, 1], "autorange": False, "zeroline": False})
    groups = list(dict.fromkeys(t["legendgroup"] for t in data))
    if len(groups) >= SMALL_MULTIPLES_FROM:
        _panels(data, layout, groups)
    return _figure(data, layout)


def _panels(data: list[dict], layout: dict, groups: list[str]) -> None:
    """Give each legend group (a name, already plot_text) its own y axis stacked on the shared time axis."""
    gap, n = 0.04, len(groups)
    height = (1.0 - gap * (n - 1)) / n
    base = layout["yaxis"]
    layout["shapes"], layout["annotations"] = [], []
    for i, group in enumerate(groups):
        axis = "y" if i == 0 else f"y{i + 1}"
        top = 1.0 - i * (height + gap)
        layout["yaxis" if i == 0 else f"yaxis{i + 1}"] = {
            **base, "domain": [max(0.0, top - height), top], "title": {"text": ""},
            "tickvals": [-1, 0, 1], "anchor": "x"}
        for trace in data:
            if trace["legendgroup"] == group:
                trace["yaxis"] = axis
        layout["shapes"].append({"type": "line", "xref": "x domain", "x0": 0, "x1": 1, "yref": axis, "y0": 0,
                                 "y1": 0, "line": {"dash": "dash", "color": "#7f7f7f", "width": 1}})
        layout["annotations"].append({"text": group, "xref": "paper", "x": 0, "xanchor": "left",
                                      "yref": f"{axis} domain", "y": 1, "yanchor": "bottom", "showarrow": False,
                                      "font": {"size": 12}})
    layout["xaxis"]["anchor"] = f"y{n}"
    layout["showlegend"] = False  # each panel is labelled with its name
    layout["margin"]["b"] = _MARGIN["b"]
    layout["height"] = 140 + 120 * n


def share_of_voice_chart(top: pd.DataFrame, *, colors: dict[str, str], title: str, subject: str = "people"
                         ) -> go.Figure:
    """Return horizontal bars of each entity's share of voice (%), the largest on top.

    share_of_voice is the TOP frame's (monitor.read.aggregations.top_entities): a share of all mentions of
    SUBJECT under the filters, the same figure as the top table's; the subtitle says what all other SUBJECT
    hold together, so the shares add up to 100%.
    """
    require(top, TOP, "top")
    if top.empty:
        return _empty(title, "share of voice (%)", "")
    # Plotly draws the first category at the bottom: ascending order puts the largest on top.
    rows = top.sort_values(["share_of_voice", "name"], ascending=[True, False], kind="stable")
    percent = rows["share_of_voice"].to_numpy(dtype=float) * 100.0
    names = rows["name"].astype(str).tolist()
    data = [{
        "type": "bar", "x": percent, "y": _texts(names), "orientation": "h", "showlegend": False,
        "marker": {"color": [_color(colors, n) for n in names]},
        "text": [f"{p:.1f}%" for p in percent], "textposition": "auto",
        "customdata": rows[["mentions", "articles"]].to_numpy(dtype=object),
        "hovertemplate": "<b>%{y}</b><br>Share of voice: %{x:.1f}%<br>Mentions: %{customdata[0]:,}"
                         "<br>Articles: %{customdata[1]:,}<extra></extra>"}]
    # The rest is said, not drawn: a bar of "everyone else" (often 90% and more) would squash the names compared.
    rest = max(0.0, 100.0 - float(percent.sum()))
    layout = _layout(title, f"share of voice (% of all mentions of {subject})", "", hovermode="closest",
                     legend=False, subtitle=f"All other {subject} together: {rest:.1f}%")
    layout["xaxis"].update({"ticksuffix": "%", "rangemode": "tozero"})
    layout["yaxis"]["automargin"] = True
    layout["height"] = max(320, 140 + 28 * len(names))
    return _figure(data, layout)


def heatmap_chart(matrix: pd.DataFrame, *, title: str) -> go.Figure:
    """Return an entity x topic heatmap: colour = mean tone on a fixed [-1, 1] red-white-blue scale.

    Each cell shows the number of sentences behind its colour (also on hover); pairs with no mentions are
    left blank (no colour, no text).
    Entities are ordered by total mentions (most on top), topics likewise from the left.
    """
    require(matrix, MATRIX, "matrix")
    hits = matrix[matrix["mentions"] > 0]
    if hits.empty:
        return _empty(title, "topic", "")
    names = _ranked(hits, "name")
    topics = _ranked(hits, "topic")
    # topics down the side (their labels are long), entities across the top
    counts, tone = _grid(hits, topics, names)
    text = [["" if pd.isna(c) else f"{int(c):,}" for c in row] for row in counts]
    data = [{
        "type": "heatmap", "z": tone, "x": _texts(names), "y": _texts(topics), "text": text, "texttemplate": "%{text}",
        "colorscale": TONE_SCALE, "zmin": -1, "zmax": 1, "zmid": 0, "hoverongaps": False, "xgap": 1, "ygap": 1,
        "colorbar": {"title": {"text": "mean tone"}, "tickvals": [-1, -0.5, 0, 0.5, 1]},
        "hovertemplate": "<b>%{x}</b> × %{y}<br>Sentences behind the colour: %{text}<br>"
                         "Mean tone: %{z:+.2f}<extra></extra>"}]
    layout = _layout(title, "", "", subtitle="Number = sentences; colour = mean tone toward the name in them",
                     hovermode="closest", legend=False)
    layout["yaxis"]["autorange"] = "reversed"  # the most covered topic on top
    # Names under the plot: plotly turns them (tickangle "auto") when level ones would touch, and automargin
    # grows the bottom margin for them. Above the plot, turned names ran into the subtitle (fixed top margin).
    layout["xaxis"].update({"side": "bottom", "tickangle": "auto", "automargin": True})
    layout["yaxis"]["automargin"] = True
    layout.update({"height": max(360, 190 + 28 * len(topics)), "plot_bgcolor": "white"})
    return _figure(data, layout)


def top_table(top: pd.DataFrame) -> pd.DataFrame:
    """Return a display copy of TOP, most mentioned first: shares as rounded percentages, tone to 2 dp."""
    require(top, TOP, "top")
    out = top.loc[:, list(TOP)].sort_values("mentions", ascending=False, kind="stable")
    for column in ("positive", "negative", "share_of_voice"):
        out[column] = (out[column].astype("float64") * 100.0).round(1)
    out["tone"] = out["tone"].astype("float64").round(2)
    return out.rename(columns={"name": "Name", "mentions": "Mentions", "articles": "Articles",
                               "tone": "Mean tone", "positive": "% positive",
                               "negative": "% negative", "share_of_voice": "Share of voice %"}
                      ).reset_index(drop=True)


# --- one period: what a corpus of one day (or one article) can show ---------------------------


def _one_period_bars(series: pd.DataFrame, *, normalised: bool, colors: dict[str, str], title: str,
                     subject: str) -> go.Figure:
    """Return a bar per name (the largest on top) for a series of one period: a line of one point says nothing.

    The bars keep the click contract (customdata [name, period ISO date, ...]) so a click reads the sentences.
    """
    rows = series.sort_values(["mentions", "name"], ascending=[True, False], kind="stable")
    rows = rows.assign(iso=rows["period"].dt.strftime("%Y-%m-%d"), readable=rows["period"].dt.strftime(DATE_FORMAT))
    x = rows["share"].fillna(0.0) * 100.0 if normalised else rows["mentions"]
    names = rows["name"].astype(str).tolist()
    data = [{"type": "bar", "orientation": "h", "x": x.to_numpy(dtype=float), "y": _texts(names),
             "showlegend": False, "marker": {"color": [_color(colors, n) for n in names]},
             "text": [f"{v:.1f}%" if normalised else f"{int(v):,}" for v in x], "textposition": "auto",
             "customdata": _customdata(rows, ["mentions", "articles", "total_articles"]),
             "hovertemplate": "<b>%{customdata[0]}</b><br>%{customdata[2]}<br>Mentions: %{customdata[3]:,}<br>"
                              "Articles: %{customdata[4]:,} of %{customdata[5]:,}<extra></extra>"}]
    day = rows["readable"].iloc[0]
    # short enough for a half-width chart at 1366 px
    what = "% of its articles naming each" if normalised else f"mentions of {subject}"
    subtitle = f"All in one period ({day}): {what}"
    layout = _layout(title, "% of articles" if normalised else "mentions", "", subtitle=subtitle, legend=False)
    layout["xaxis"].update({"rangemode": "tozero", "ticksuffix": "%" if normalised else ""})
    layout["yaxis"]["automargin"] = True
    layout["height"] = max(320, 140 + 28 * len(names))
    return _figure(data, layout)


def _one_period_tone(series: pd.DataFrame, *, colors: dict[str, str], title: str, measure: str) -> go.Figure:
    """Return each name's mean tone as a dot with its 95% interval, for a series of one period."""
    rows = series[series["mentions"] > 0].sort_values(["mentions", "name"], ascending=[True, False], kind="stable")
    rows = rows.assign(iso=rows["period"].dt.strftime("%Y-%m-%d"), readable=rows["period"].dt.strftime(DATE_FORMAT))
    names = rows["name"].astype(str).tolist()
    tone = rows["tone"].to_numpy(dtype=float)
    data = [{"type": "scatter", "mode": "markers", "x": tone, "y": _texts(names), "showlegend": False,
             "marker": {"size": 11, "color": [_color(colors, n) for n in names]},
             "error_x": {"type": "data", "symmetric": False, "color": "#595959",
                         "array": rows["tone_high"].to_numpy(dtype=float) - tone,
                         "arrayminus": tone - rows["tone_low"].to_numpy(dtype=float)},
             "customdata": _customdata(rows, ["tone_low", "tone_high", "mentions"]),
             "hovertemplate": "<b>%{customdata[0]}</b><br>%{customdata[2]}<br>Tone: %{x:+.2f}<br>95% interval: "
                              "%{customdata[3]:+.2f} to %{customdata[4]:+.2f}<br>Mentions: %{customdata[5]:,}"
                              "<extra></extra>"}]
    layout = _layout(title, "mean tone (-1 negative … +1 positive)", "",
                     subtitle=f"{measure.replace(' per period', '')} in the one period; bars: 95% interval",
                     legend=False)
    layout["xaxis"].update({"range": [-1, 1], "autorange": False, "zeroline": True, "zerolinecolor": "#7f7f7f"})
    layout["yaxis"]["automargin"] = True
    layout["height"] = max(320, 140 + 28 * len(names))
    return _figure(data, layout)


# --- helpers ---------------------------------------------------------------------------------


def _color(colors: dict[str, str], name: str) -> str:
    """Return the name's colour; a name missing from the dict gets grey rather than a random one."""
    return colors.get(name, "#7f7f7f")


def _by_name(series: pd.DataFrame, colors: dict[str, str], label: str = "") -> list[tuple[str, pd.DataFrame]]:
    """Return (name, rows sorted by period) in the colours' rank order, then other names A-Z.

    Trace order sets legend order, so the legend follows the ranking the colours came from.
    The rows gain `iso` (the period as an ISO date) and `readable` ("Week of 05 May 2031"),
    formatted once for the whole frame rather than once per trace.
    """
    rank = {name: i for i, name in enumerate(colors)}
    names = sorted(series["name"].dropna().unique(), key=lambda n: (rank.get(n, len(rank)), str(n)))
    period = series["period"]
    readable = (period.dt.strftime(MONTH_FORMAT) if label == "Month of"  # "Jan 2016", not "Month of 01 Jan 2016"
                else (label + " " + period.dt.strftime(DATE_FORMAT)).str.strip())
    rows = series.assign(iso=period.dt.strftime("%Y-%m-%d"), readable=readable)
    groups = dict(list(rows.sort_values("period", kind="stable").groupby("name", observed=True, sort=False)))
    return [(str(name), groups[name]) for name in names]


def _ranked(frame: pd.DataFrame, column: str) -> list[str]:
    """Return the column's distinct values, most mentions first (ties A-Z)."""
    totals = frame.groupby(column, observed=True)["mentions"].sum().reset_index()
    totals = totals.sort_values(["mentions", column], ascending=[False, True], kind="stable")
    return totals[column].astype(str).tolist()


def _grid(hits: pd.DataFrame, topics: list[str], names: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Return (mentions, tone) as topic x name float arrays, NaN for pairs with no row.

    Plotly leaves NaN cells uncoloured. The aggregates give one row per pair, placed directly
    (pivot_table took ~10-90 ms of a rerun); repeated pairs keep pivot_table's "first non-null".
    """
    if hits.duplicated(["topic", "name"]).any():
        grid = hits.pivot_table(index="topic", columns="name", values=["mentions", "tone"], aggfunc="first")
        # The columns are (value, name) pairs, so grid[value] is a frame; pandas-stubs says Series.
        mentions, tone = (cast(pd.DataFrame, grid[v]).reindex(index=topics, columns=names).to_numpy(dtype=float)
                          for v in ("mentions", "tone"))
        return mentions, tone
    row = pd.Index(topics).get_indexer(pd.Index(hits["topic"].astype(str)))
    col = pd.Index(names).get_indexer(pd.Index(hits["name"].astype(str)))
    keep = (row >= 0) & (col >= 0) & hits["topic"].notna().to_numpy() & hits["name"].notna().to_numpy()
    out = []
    for column in ("mentions", "tone"):
        cells = np.full((len(topics), len(names)), np.nan)
        cells[row[keep], col[keep]] = hits[column].to_numpy(dtype=float, na_value=np.nan)[keep]
        out.append(cells)
    return out[0], out[1]


def _period_label(periods: pd.Series) -> str:
    """Return "Day", "Week of", "Month of" (or "" for one period), guessed from the periods' spacing."""
    distinct = pd.Series(periods.dropna().unique()).sort_values()
    if len(distinct) < 2:
        return ""  # one period: its length cannot be told, so show the bare date
    step = distinct.diff().dropna().min()
    if step >= pd.Timedelta(days=28):
        return "Month of"
    return "Week of" if step >= pd.Timedelta(days=7) else "Day"


def _date_axis(periods: pd.Series, label: str = "") -> dict:
    """Return the x axis settings for readable dates; with few periods, a tick exactly at each period's start.

    Monthly series read "Jan 2016" (a day of the month would be noise), others "04 Jan 2016". Plotly's
    automatic ticks fall on its own round dates (e.g. Sundays), which would sit beside, not under,
    weekly points that start on Mondays.
    """
    fmt = MONTH_FORMAT if label == "Month of" else DATE_FORMAT
    axis: dict[str, object] = {"type": "date", "tickformat": fmt, "hoverformat": fmt}
    distinct = sorted(periods.dropna().unique())
    if 0 < len(distinct) <= _MAX_TICKS_AT_PERIODS:
        axis.update({"tickmode": "array", "tickvals": _dates(pd.Series(distinct))})
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


def _mark_partial(layout: dict, periods: pd.Series, label: str,
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


def _dates(periods: pd.Series) -> list[str]:
    """Return periods as ISO dates: the shortest form plotly reads as dates (periods have no time)."""
    return pd.to_datetime(periods).dt.strftime("%Y-%m-%d").tolist()


def _customdata(rows: pd.DataFrame, columns: list[str], extra: pd.Series | None = None) -> np.ndarray:
    """Return per point [name, period ISO date, readable period, *columns, extra?] as objects (rows from _by_name).

    The first two are the click contract (name, period); the rest serve the hover text.
    """
    # The name is shown in the hover, which plotly reads as HTML: escaped (the dashboard's click handler
    # reads it back with unescape_label).
    parts = [rows["name"].astype(str).map(plot_text), rows["iso"], rows["readable"]]
    parts += [rows[c] for c in columns]
    if extra is not None:
        parts.append(extra)
    return np.column_stack([np.asarray(p.to_numpy(), dtype=object) for p in parts])


def _tone_hover(*, smoothed: bool) -> str:
    """Return the tone line's hover template; when smoothing moved the line, show the raw mean too."""
    tone = ("Tone (smoothed): %{y:+.2f}<br>Period mean: %{customdata[6]:+.2f}<br>" if smoothed
            else "Tone: %{y:+.2f}<br>")
    return ("<b>%{customdata[0]}</b><br>%{customdata[2]}<br>" + tone
            + "95% interval: %{customdata[3]:+.2f} to %{customdata[4]:+.2f}<br>"
              "Mentions: %{customdata[5]:,}<extra></extra>")


def _band(rows: pd.DataFrame, name: str, color: str) -> list[dict]:
    """Return the 95% interval band as one filled trace: a closed outline per run of periods with a tone.

    Periods without mentions (no tone) break the band as they break the line: an outline filled "tonexty"
    between two edge traces was drawn across such gaps as a wedge.
    """
    has_tone = rows["tone_low"].notna() & rows["tone_high"].notna()
    run = (has_tone != has_tone.shift()).cumsum()
    xs: list[object] = []
    ys: list[object] = []
    for _, seg in rows[has_tone].groupby(run[has_tone], sort=True):
        x = seg["iso"].tolist()
        xs += [*x, *x[::-1], None]
        ys += [*seg["tone_high"].tolist(), *seg["tone_low"].tolist()[::-1], None]
    return [{"type": "scatter", "x": xs, "y": ys, "mode": "lines", "fill": "toself",
             "fillcolor": _translucent(color, 0.18), "line": {"width": 0, "color": color},
             "name": plot_text(f"{name} 95% interval"), "legendgroup": plot_text(name), "showlegend": False,
             "hoverinfo": "skip"}]


def _translucent(color: str, alpha: float) -> str:
    """Return a '#rrggbb' colour as 'rgba(r, g, b, alpha)'."""
    r, g, b = (int(color.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r}, {g}, {b}, {alpha})"


def _layout(title: str, x_title: str, y_title: str, *, subtitle: str = "",
            hovermode: str = "closest", legend: bool = True) -> dict:
    """Return the shared look: left-aligned title (and subtitle), horizontal legend under it, margins.

    The top margin is sized for what sits above the plot, so charts without a legend waste no space.
    """
    top = 50 + (28 if subtitle else 0)
    return {
        # Titles are the caller's words, which may quote a name: plain text too.
        "title": {"text": plot_text(title), "x": 0.01, "xanchor": "left", "y": 0.98, "yanchor": "top",
                  "yref": "container", "subtitle": {"text": plot_text(subtitle)}},
        "xaxis": {"title": {"text": plot_text(x_title)}}, "yaxis": {"title": {"text": plot_text(y_title)}},
        "hovermode": hovermode, "showlegend": legend,
        "margin": {**_MARGIN, "t": top, "b": LEGEND_MARGIN if legend else _MARGIN["b"]},
        # The legend sits on the figure's bottom edge (container coordinates), under the tick labels and
        # whatever axis title, whatever the plot's height: several rows of names never cover the title or
        # the axis (a legend placed in plot coordinates, y=-0.22, met the x axis title on short charts).
        "legend": {"orientation": "h", "x": 0, "xanchor": "left", "yref": "container", "y": 0,
                   "yanchor": "bottom"},
        # a vertical modebar on the right keeps the buttons off a long title
        "modebar": {"orientation": "v"},
    }


def _empty(title: str, x_title: str, y_title: str, y_range: list[float] | None = None) -> go.Figure:
    """Return a figure with the title, empty axes and the note "No data for these filters"."""
    layout = _layout(title, x_title, y_title, legend=False)
    layout["annotations"] = [{"text": NO_DATA, "x": 0.5, "y": 0.5, "xref": "paper", "yref": "paper",
                              "showarrow": False, "font": {"size": 16, "color": "#7f7f7f"}}]
    hidden = {"showticklabels": False, "showgrid": False, "zeroline": False}
    layout["xaxis"].update(hidden)
    layout["yaxis"].update({**hidden, "range": y_range})
    return _figure([], layout)


@cache
def _template() -> dict:
    """Return the "plotly" template as a plain dict (built once: resolving it costs ~12 ms a figure)."""
    return pio.templates[TEMPLATE].to_plotly_json()


def _figure(data: list[dict], layout: dict) -> go.Figure:
    """Return the figure of these plain trace and layout dicts, with the "plotly" template.

    Built unvalidated: plotly's validation took ~80% of a figure's build time (e.g. 67 ms for a
    tone chart of five names), up to half a filter change's rerun at 100,000 articles; the
    dicts here are fixed code, checked by tests/test_charts.py, and st.plotly_chart serialises
    them as they are.
    """
    return go.Figure({"data": data, "layout": {"template": _template(), **layout}}, _validate=False)
