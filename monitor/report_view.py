"""The Overview of a view, read from the store for a report made outside the dashboard (the CLI, the bench).

The same reads and figures as dashboard_overview draws with the dashboard's defaults: the chosen (or the five most
mentioned) names' coverage and tone over time, the topics' (the chosen or the five most hit), share of voice,
names by topic, and the top table, all under the same Filters, so a report and the page agree.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from monitor.present import charts
from monitor.present.provenance import describe
from monitor.present.report import ReportChart, ReportContent, figure_title
from monitor.present.viewstate import KINDS
from monitor.read import aggregations as agg
from monitor.read import timeseries
from monitor.read.alerts import find_alerts
from monitor.read.filters import Filters
from monitor.read.quotes import top_statements
from monitor.store import Store

TOP_N = 5  # names and topics drawn when none is chosen (the dashboard's sidebar default)


class EmptyView(ValueError):
    """The view holds nothing to report (no mention under its filters); the message says what was asked."""


@dataclass(frozen=True)
class Shape:
    """How the Overview is drawn: its kind, names, topics and chart settings (the dashboard's defaults)."""

    kind: str = "person"
    names: tuple[str, ...] = ()
    freq: str | None = None      # D | W | M; None: chosen from the span (timeseries.auto_freq)
    normalised: bool = True
    smooth: int = 1
    min_mentions: int = 1


def overview(store: Store, filters: Filters, shape: Shape = Shape(), *, alerts: pd.DataFrame | None = None,
             quotes: pd.DataFrame | None = None) -> ReportContent:
    """Return the ReportContent of the view; raise EmptyView when no mention matches the filters."""
    every = agg.entity_table(store, filters, shape.kind, shape.min_mentions)
    if every.empty:
        raise EmptyView(f"no mention of {KINDS[shape.kind].lower()} matches these filters")
    names = list(shape.names) or every["name"].head(TOP_N).tolist()
    span = _span(store, filters)
    freq = shape.freq or timeseries.auto_freq(*span)
    totals = agg.period_totals(store, filters, freq)
    figures = _figures(store, filters, shape, every, names, span, freq, totals)
    about = describe(filters, kind=shape.kind, names=names, chosen=bool(shape.names), dates=span,
                     min_mentions=shape.min_mentions, freq=freq, normalised=shape.normalised, smooth=shape.smooth)
    spanned = replace(filters, since=span[0].date(), until=span[1].date())
    return ReportContent(about, str(store.path), tuple(ReportChart(k, figure_title(f), f, c) for k, f, c in figures),
                         agg.top_of(every, 15), KINDS[shape.kind].lower(),
                         alerts if alerts is not None else view_alerts(store, spanned, freq),
                         quotes if quotes is not None else top_statements(store, filters),
                         articles=int(totals["total_articles"].sum()))


def view_alerts(store: Store, filters: Filters, freq: str) -> pd.DataFrame:
    """Return ALERTS of the view's span, every kind: per day when the view is by day, else per week (a month is
    a trend, not a spike), as the dashboard's Alerts page lists them."""
    return find_alerts(store, filters, "D" if freq == "D" else "W")


def _span(store: Store, filters: Filters) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Return the first and last day the view covers: the filters' ends, else the store's."""
    first, last = agg.date_bounds(store)
    today = pd.Timestamp.now().normalize()
    return (pd.Timestamp(filters.since) if filters.since else first if first is not None else today,
            pd.Timestamp(filters.until) if filters.until else last if last is not None else today)


def _figures(store: Store, filters: Filters, shape: Shape, every: pd.DataFrame, names: list[str],
             span: tuple[pd.Timestamp, pd.Timestamp], freq: str, totals: pd.DataFrame) -> list[tuple[str, Any, str]]:
    """Return (key, figure, caption) of the Overview's six charts, as dashboard_overview draws them."""
    word, kind_word = timeseries.FREQS[freq], KINDS[shape.kind].lower()
    measure = "share of articles" if shape.normalised else "mentions"
    colors = charts.colors_for(every["name"].head(15).tolist() + names)
    series = timeseries.smooth_tone(agg.entity_series(store, filters, freq, names, totals), shape.smooth)
    topics = list(filters.topics) or agg.topic_options(store, filters)["name"].head(TOP_N).tolist()
    tcolors = charts.colors_for(topics)
    tseries = timeseries.smooth_tone(agg.topic_series(store, replace(filters, entities=()), freq, topics, totals),
                                     shape.smooth)
    voice = agg.voice_from_top(agg.top_of(every, 15), names)
    if voice is None:
        voice = agg.top_entities(store, filters, shape.kind, names, len(names), 1)
    return [
        ("mentions", charts.mentions_chart(series, normalised=shape.normalised, colors=colors, subject=kind_word,
                                           span=span, title=f"Coverage per {word} ({measure})"),
         f"{KINDS[shape.kind]} named, per {word}."),
        ("tone", charts.tone_chart(series, colors=colors, title=f"Tone toward each per {word}"),
         "Mean tone toward each (−1 to +1) in the sentences naming it, with its 95% interval."),
        ("topic_mentions", charts.mentions_chart(tseries, normalised=shape.normalised, colors=tcolors,
                                                 subject="topics", span=span,
                                                 title=f"Topic coverage per {word} ({measure})"),
         "Articles and sentences hitting each topic's keywords."),
        ("topic_tone", charts.tone_chart(tseries, colors=tcolors, title=f"Topic tone per {word}",
                                         measure=charts.TONE_OF_SENTENCES),
         "Mean tone of the whole sentences hitting each topic."),
        ("share_of_voice", charts.share_of_voice_chart(voice, colors=colors, title="Share of voice",
                                                       subject=kind_word),
         f"Each one's mentions as a share of all mentions of {kind_word} under these filters."),
        ("by_topic", charts.heatmap_chart(agg.entity_topic_matrix(store, filters, names),
                                          title=f"{KINDS[shape.kind]} by topic"),
         "Number: sentences naming the name that hit the topic; under it, their mean tone toward the name."),
    ]
