"""What every chart shares: labels escaped for plotly, the layout (title, legend, margins), the empty figure,
and the figure built unvalidated on the "plotly" template."""
from __future__ import annotations

import html
from functools import cache

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

TEMPLATE = "plotly"
NO_DATA = "No data for these filters"
MARGIN = {"l": 60, "r": 30, "t": 110, "b": 60}
LEGEND_MARGIN = 130  # room under the plot: tick labels (~30 px), then up to four rows of legend (~22 px each)


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


def translucent(color: str, alpha: float) -> str:
    """Return a '#rrggbb' colour as 'rgba(r, g, b, alpha)'."""
    r, g, b = (int(color.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r}, {g}, {b}, {alpha})"


def layout_of(title: str, x_title: str, y_title: str, *, subtitle: str = "",
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
        "margin": {**MARGIN, "t": top, "b": LEGEND_MARGIN if legend else MARGIN["b"]},
        # The legend sits on the figure's bottom edge (container coordinates), under the tick labels and
        # whatever axis title, whatever the plot's height: several rows of names never cover the title or
        # the axis (a legend placed in plot coordinates, y=-0.22, met the x axis title on short charts).
        "legend": {"orientation": "h", "x": 0, "xanchor": "left", "yref": "container", "y": 0,
                   "yanchor": "bottom"},
        # a vertical modebar on the right keeps the buttons off a long title
        "modebar": {"orientation": "v"},
    }


def empty_figure(title: str, x_title: str, y_title: str, y_range: list[float] | None = None) -> go.Figure:
    """Return a figure with the title, empty axes and the note "No data for these filters"."""
    layout = layout_of(title, x_title, y_title, legend=False)
    layout["annotations"] = [{"text": NO_DATA, "x": 0.5, "y": 0.5, "xref": "paper", "yref": "paper",
                              "showarrow": False, "font": {"size": 16, "color": "#7f7f7f"}}]
    hidden = {"showticklabels": False, "showgrid": False, "zeroline": False}
    layout["xaxis"].update(hidden)
    layout["yaxis"].update({**hidden, "range": y_range})
    return figure_of([], layout)


@cache
def _template() -> dict:
    """Return the "plotly" template as a plain dict (built once: resolving it costs ~12 ms a figure)."""
    return pio.templates[TEMPLATE].to_plotly_json()


def figure_of(data: list[dict], layout: dict) -> go.Figure:
    """Return the figure of these plain trace and layout dicts, with the "plotly" template.

    Built unvalidated: plotly's validation took ~80% of a figure's build time (e.g. 67 ms for a
    tone chart of five names), up to half a filter change's rerun at 100,000 articles; the
    dicts here are fixed code, checked by tests/test_charts.py, and st.plotly_chart serialises
    them as they are.
    """
    return go.Figure({"data": data, "layout": {"template": _template(), **layout}}, _validate=False)


def interval_band(rows: pd.DataFrame, name: str, color: str) -> list[dict]:
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
             "fillcolor": translucent(color, 0.18), "line": {"width": 0, "color": color},
             "name": plot_text(f"{name} 95% interval"), "legendgroup": plot_text(name), "showlegend": False,
             "hoverinfo": "skip"}]
