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

from collections.abc import Iterable, Sequence
from typing import cast

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from monitor.present.alert_markers import ALERT_TRACE as ALERT_TRACE  # re-exported: the markers trace's name
from monitor.present.alert_markers import alert_markers
from monitor.present.figure_base import MARGIN, empty_figure, figure_of, interval_band, layout_of, plot_text
from monitor.present.time_axis import DATE_FORMAT, MONTH_FORMAT, date_axis, mark_partial, period_label
from monitor.schema import MATRIX, SERIES, TOP, require

# Okabe & Ito's colour-blind-safe palette (Color Universal Design, 2008): eight colours told apart with
# protanopia, deuteranopia and tritanopia, black last (it reads as text) and yellow moved late (faint on white).
PALETTE: tuple[str, ...] = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
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
_IMAGE_FORMATS = ("png", "svg")


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
                   subject: str = "people", span: tuple[pd.Timestamp, pd.Timestamp] | None = None,
                   alerts: pd.DataFrame | None = None) -> go.Figure:
    """Return one line per name over time: % of articles (normalised) or raw mention counts.

    `alerts` (ALERTS, monitor/read/alerts.py): its volume alerts on a drawn line's point get a marker there
    (a triangle pointing up or down: the direction is read from the shape, not only from a colour).

    Periods with fewer than THIN_ARTICLES articles under the filters get a hollow marker and a note on hover,
    every point's hover gives the articles behind it, and, given `span` (the first and last day the view
    covers), a first or last period the span only partly covers is shaded and labelled "partial".
    Each point's ``customdata`` starts with [name, period as ISO date] so a click maps back to
    (name, period); the rest feeds the hover.
    """
    require(series, SERIES, "series")
    y_title = "% of articles" if normalised else "mentions"
    if series.empty:
        return empty_figure(title, "", y_title)
    if series["period"].nunique() == 1:
        return _one_period_bars(series, normalised=normalised, colors=colors, title=title, subject=subject)
    label = period_label(series["period"])
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
    layout = layout_of(title, "", y_title, subtitle=subtitle, hovermode="closest")
    layout["xaxis"].update(date_axis(series["period"], label))
    layout["yaxis"].update({"rangemode": "tozero", "ticksuffix": "%" if normalised else ""})
    mark_partial(layout, series["period"], label, span)
    if alerts is not None:
        data += alert_markers(series, alerts, normalised)
    return figure_of(data, layout)


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
        return empty_figure(title, "", "mean tone", y_range=[-1, 1])
    if series["period"].nunique() == 1:
        return _one_period_tone(series, colors=colors, title=title, measure=measure)
    label = period_label(series["period"])
    hover = _tone_hover(smoothed=bool((series["tone_smooth"] - series["tone"]).abs().max() > 1e-9))
    data = []
    for name, rows in _by_name(series, colors, label):
        color = _color(colors, name)
        data += interval_band(rows, name, color)
        custom = _customdata(rows, ["tone_low", "tone_high", "mentions", "tone"])
        data.append({
            "type": "scatter", "x": rows["iso"].tolist(), "y": rows["tone_smooth"].to_numpy(),
            "name": plot_text(name), "legendgroup": plot_text(name), "mode": "lines+markers",
            "line": {"color": color, "width": 2}, "marker": {"size": 6}, "customdata": custom, "hovertemplate": hover})
    layout = layout_of(title, "", "mean tone (-1 negative … +1 positive)",
                     subtitle=f"{measure}; shaded: 95% interval", hovermode="closest")
    # what fig.add_hline(y=0) adds: a line across the plot's width at neutral tone
    layout["shapes"] = [{"type": "line", "xref": "x domain", "x0": 0, "x1": 1, "yref": "y", "y0": 0, "y1": 0,
                         "line": {"dash": "dash", "color": "#7f7f7f", "width": 1}}]
    layout["xaxis"].update(date_axis(series["period"], label))
    layout["yaxis"].update({"range": [-1, 1], "autorange": False, "zeroline": False})
    groups = list(dict.fromkeys(t["legendgroup"] for t in data))
    if len(groups) >= SMALL_MULTIPLES_FROM:
        _panels(data, layout, groups)
    return figure_of(data, layout)


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
    layout["margin"]["b"] = MARGIN["b"]
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
        return empty_figure(title, "share of voice (%)", "")
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
    layout = layout_of(title, f"share of voice (% of all mentions of {subject})", "", hovermode="closest",
                     legend=False, subtitle=f"All other {subject} together: {rest:.1f}%")
    layout["xaxis"].update({"ticksuffix": "%", "rangemode": "tozero"})
    layout["yaxis"]["automargin"] = True
    layout["height"] = max(320, 140 + 28 * len(names))
    return figure_of(data, layout)


def heatmap_chart(matrix: pd.DataFrame, *, title: str) -> go.Figure:
    """Return an entity x topic heatmap: colour = mean tone on a fixed [-1, 1] red-white-blue scale.

    Each cell shows the number of sentences behind its colour (also on hover); pairs with no mentions are
    left blank (no colour, no text).
    Entities are ordered by total mentions (most on top), topics likewise from the left.
    """
    require(matrix, MATRIX, "matrix")
    hits = matrix[matrix["mentions"] > 0]
    if hits.empty:
        return empty_figure(title, "topic", "")
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
    layout = layout_of(title, "", "", subtitle="Number = sentences; colour = mean tone toward the name in them",
                     hovermode="closest", legend=False)
    layout["yaxis"]["autorange"] = "reversed"  # the most covered topic on top
    # Names under the plot: plotly turns them (tickangle "auto") when level ones would touch, and automargin
    # grows the bottom margin for them. Above the plot, turned names ran into the subtitle (fixed top margin).
    layout["xaxis"].update({"side": "bottom", "tickangle": "auto", "automargin": True})
    layout["yaxis"]["automargin"] = True
    layout.update({"height": max(360, 190 + 28 * len(topics)), "plot_bgcolor": "white"})
    return figure_of(data, layout)


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
    layout = layout_of(title, "% of articles" if normalised else "mentions", "", subtitle=subtitle, legend=False)
    layout["xaxis"].update({"rangemode": "tozero", "ticksuffix": "%" if normalised else ""})
    layout["yaxis"]["automargin"] = True
    layout["height"] = max(320, 140 + 28 * len(names))
    return figure_of(data, layout)


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
    layout = layout_of(title, "mean tone (-1 negative … +1 positive)", "",
                     subtitle=f"{measure.replace(' per period', '')} in the one period; bars: 95% interval",
                     legend=False)
    layout["xaxis"].update({"range": [-1, 1], "autorange": False, "zeroline": True, "zerolinecolor": "#7f7f7f"})
    layout["yaxis"]["automargin"] = True
    layout["height"] = max(320, 140 + 28 * len(names))
    return figure_of(data, layout)


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


