"""The Compare queries page's figures: coverage of each saved query over time, tone over time, share of voice.

Pure functions, frames in (COMPARE, COMPARE_TOWARD, COMPARE_VOICE of monitor/read/compare.py) and figures out.
The time charts are the Overview's (monitor/present/charts.py) drawn from a SERIES-shaped copy of the frame,
so they share their conventions: Okabe-Ito colours, zero-filled periods, thin periods hollow, partial
periods shaded, bars (or dots) for a single period. Only the words differ: a query's coverage is counted in
articles, its tone in sentences (or in mentions of an entity).
"""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from monitor.present import charts
from monitor.present.figure_base import empty_figure, figure_of, layout_of, plot_text
from monitor.schema import COMPARE, COMPARE_TOWARD, COMPARE_VOICE, SERIES, conform, require

SEP = " → "  # a tone-toward line's name: "<query> → <entity>"


def _series(frame: pd.DataFrame, mentions: str) -> pd.DataFrame:
    """Return a SERIES of a compare frame: `mentions` is the column standing for the SERIES' mentions."""
    out = frame.assign(mentions=frame[mentions], tone_smooth=frame["tone"])
    if "total_articles" not in out:
        out = out.assign(total_articles=out["articles"], share=float("nan"))
    return conform(out, SERIES, "series")


def _relabel(fig: go.Figure, words: dict[str, str]) -> go.Figure:
    """Return the figure with its hover texts' words replaced (e.g. "Mentions:" -> "Sentences:")."""
    for trace in fig.data:
        template = getattr(trace, "hovertemplate", None)
        if template:
            for old, new in words.items():
                template = template.replace(old, new)
            trace.hovertemplate = template
    return fig


def coverage_chart(frame: pd.DataFrame, *, normalised: bool, colors: dict[str, str], title: str,
                   span: tuple[pd.Timestamp, pd.Timestamp] | None = None) -> go.Figure:
    """Return one line per query: its share of the period's articles (normalised) or its articles (raw)."""
    require(frame, COMPARE, "compare")
    fig = charts.mentions_chart(_series(frame, "articles"), normalised=normalised, colors=colors, title=title,
                                subject="queries", span=span)
    if frame["period"].nunique() > 1 and not frame.empty:
        fig.layout.yaxis.title.text = "% of articles" if normalised else "articles"
        fig.layout.title.subtitle.text = plot_text(
            ("% of each period's articles each query matches" if normalised else "Articles each query matches")
            + f"; hollow: < {charts.THIN_ARTICLES} articles")
    # the SERIES' "mentions" of a query are its articles: one line of the hover, not two
    return _relabel(fig, {"Mentions: %{customdata[3]:,}<br>": "", "Mentions: ": "Articles: "})


def tone_chart(frame: pd.DataFrame, *, colors: dict[str, str], title: str) -> go.Figure:
    """Return per query the mean tone of its articles' sentences over time, with its 95% interval."""
    require(frame, COMPARE, "compare")
    fig = charts.tone_chart(_series(frame, "sentences"), colors=colors, title=title,
                            measure="Mean tone of each query's sentences per period")
    return _relabel(fig, {"Mentions:": "Sentences:"})


def toward_chart(frame: pd.DataFrame, *, colors: dict[str, str], title: str) -> go.Figure:
    """Return per query and entity the mean tone toward the entity within the query's articles over time."""
    require(frame, COMPARE_TOWARD, "compare_toward")
    # a query whose articles never mention a name would be an empty panel: left out, and the subtitle says so
    said = frame.groupby(["name", "entity"], observed=True, sort=False)["mentions"].transform("sum") > 0
    unsaid = len(frame[~said][["name", "entity"]].drop_duplicates())
    frame = frame[said]
    lines = frame.assign(name=frame["name"].astype(str) + SEP + frame["entity"].astype(str))
    pairs = toward_pairs(frame, list(colors))
    # one entity: each line in its query's colour (as on the coverage chart); several: a colour per line
    line_colors = ({f"{q}{SEP}{e}": colors.get(q, "#7f7f7f") for q, e in pairs} if frame["entity"].nunique() == 1
                   else charts.colors_for([f"{q}{SEP}{e}" for q, e in pairs]))
    measure = "Mean tone toward each within each query's articles per period"
    return charts.tone_chart(_series(lines, "mentions"), colors=line_colors, title=title,
                             measure=measure + (f" ({unsaid} never mentioned: left out)" if unsaid else ""))


def toward_pairs(frame: pd.DataFrame, queries: list[str]) -> list[tuple[str, str]]:
    """Return the tone-toward lines' (query, entity) in the queries' order, then the entities' (each line's
    name is "query → entity")."""
    pairs = frame[["name", "entity"]].drop_duplicates().astype(str)
    rank = {q: i for i, q in enumerate(queries)}
    return sorted(((str(q), str(e)) for q, e in pairs.itertuples(index=False)),
                  key=lambda p: (rank.get(p[0], len(rank)), p[0]))


def voice_chart(frame: pd.DataFrame, *, colors: dict[str, str], title: str) -> go.Figure:
    """Return horizontal bars of each query's share of voice (% of the articles the queries match together,
    an article two queries match counted in each), the first query on top; the subtitle says how many overlap."""
    require(frame, COMPARE_VOICE, "compare_voice")
    if frame.empty or int(frame["articles"].sum()) == 0:
        return empty_figure(title, "share of voice (%)", "")
    rows = frame.iloc[::-1]  # plotly draws the first category at the bottom
    percent = rows["share_of_voice"].fillna(0.0).to_numpy(dtype=float) * 100.0
    names = rows["name"].astype(str).tolist()
    data = [{"type": "bar", "orientation": "h", "x": percent, "y": [plot_text(n) for n in names],
             "showlegend": False, "marker": {"color": [colors.get(n, "#7f7f7f") for n in names]},
             "text": [f"{p:.1f}%" for p in percent], "textposition": "auto",
             "customdata": rows[["articles", "only_this"]].to_numpy(dtype=object),
             "hovertemplate": "<b>%{y}</b><br>Share of voice: %{x:.1f}%<br>Articles: %{customdata[0]:,}"
                              "<br>Matching no other query: %{customdata[1]:,}<extra></extra>"}]
    shared = int((frame["articles"] - frame["only_this"]).sum())
    subtitle = ("No article matches two of these queries" if shared == 0 else
                f"{shared:,} of these matches are articles another query matches too (counted in each)")
    layout = layout_of(title, "share of voice (% of the queries' matches)", "", subtitle=subtitle, legend=False)
    layout["xaxis"].update({"ticksuffix": "%", "rangemode": "tozero"})
    layout["yaxis"]["automargin"] = True
    layout["height"] = max(300, 140 + 36 * len(names))
    return figure_of(data, layout)
