"""The dashboard's Overview page: the chosen people (or organisations...) and topics over time, share of voice,
the top table, the drill-down and the download-everything zip.

UI only, beside dashboard.py (which opens it in its first tab). Reads the store through dashboard_store.cached.
"""
from __future__ import annotations

from dataclasses import replace
from functools import partial

import pandas as pd
import streamlit as st

from dashboard_alerts import chart_alerts
from dashboard_charts import clicked, zip_bytes
from dashboard_context import PageContext
from dashboard_corrections import corrections_panel
from dashboard_drill import drill_down, drill_periods
from dashboard_profile import LINK, profile_url
from dashboard_report import report_buttons
from dashboard_sidebar import TOP_N
from dashboard_store import cached, topic_options
from monitor.present import charts, export, page
from monitor.present.viewstate import KINDS
from monitor.read import aggregations as agg
from monitor.read import timeseries

ONE_OF = {"person": "person", "org": "organisation", "place": "place", "group": "group"}  # one of KINDS, in a caption
Shown = dict[str, tuple]  # chart key -> (figure, frame): what the zip holds
Point = tuple[str, pd.Timestamp] | None


def render(ctx: PageContext) -> None:
    """Draw the Overview page of the view in `ctx`."""
    if ctx.every.empty:  # only this page is about the view's mentions: the others still draw (articles, queries)
        st.info("No mentions match these filters. Widen the dates, clear a topic or outlet, or lower the minimum.")
        return
    shown: Shown = {}
    points: list[Point] = []
    totals = cached("period_totals", ctx.path, ctx.version, ctx.filters, ctx.freq)
    series = entity_section(ctx, totals, shown, points)
    topic_names, tseries = topic_section(ctx, totals, shown, points)
    top = voice_section(ctx, shown)
    top_table(ctx, top)
    corrections_panel(ctx.path, ctx.version)  # merge, split, rename, drop names (dashboard_corrections)
    # ---- drill-down: the sentences behind a point (dashboard_drill)
    drill_down(next((p for p in points if p), None), drill_periods(series, tseries), kind=ctx.view.kind,
               names=ctx.names, topic_names=topic_names, filters=ctx.filters, freq=ctx.freq, path=ctx.path,
               version=ctx.version, provenance=ctx.about)
    download_everything(ctx, shown, top)


def entity_section(ctx: PageContext, totals: pd.DataFrame, shown: Shown, points: list[Point]) -> pd.DataFrame:
    """Draw the chosen entities' coverage and tone over time; return their series."""
    view, kind_word = ctx.view, KINDS[ctx.view.kind].lower()
    st.header(f"{KINDS[view.kind]} over time")
    series = timeseries.smooth_tone(cached("entity_series", ctx.path, ctx.version, ctx.filters, ctx.freq, ctx.names,
                                           totals), view.smooth)
    measure = "share of articles" if view.normalised else "mentions"
    fig = charts.mentions_chart(series, normalised=view.normalised, colors=ctx.colors, subject=kind_word,
                                span=ctx.span, title=f"Coverage per {ctx.period_word} ({measure})",
                                alerts=chart_alerts(ctx, view.kind, ctx.names))  # the Alerts page's, as markers
    left, right = st.columns(2)
    with left:
        ev = ctx.chart_block(f"{view.kind}_mentions", fig, series,
                             (f"Articles mentioning each, as a share of all articles per {ctx.period_word}"
                              if view.normalised else f"Sentences mentioning each, per {ctx.period_word}")
                             + ". Click a point to read them.", selectable=True)
        points.append(clicked(ev))
        shown[f"{view.kind}_mentions"] = (fig, series)
    fig = charts.tone_chart(series, colors=ctx.colors, title=f"Tone toward each per {ctx.period_word}",
                            measure=charts.TONE_TOWARD)
    smoothing = f"smoothed over {view.smooth} periods" if view.smooth > 1 else "not smoothed"
    with right:
        points.append(clicked(ctx.chart_block(f"{view.kind}_tone", fig, series,
                                              f"Mean tone toward each {ONE_OF[view.kind]} (−1 to +1), "
                                              "scored for the name within its sentence, with its 95% interval; "
                                              f"{smoothing}.", selectable=True)))
        shown[f"{view.kind}_tone"] = (fig, series)
    return series


def topic_section(ctx: PageContext, totals: pd.DataFrame, shown: Shown,
                  points: list[Point]) -> tuple[list[str], pd.DataFrame]:
    """Draw the topics' coverage and tone over time; return the topics drawn and their series."""
    view = ctx.view
    st.header("Topics over time")
    topic_names = list(view.topics) or topic_options(ctx.filters, ctx.path, ctx.version)["name"].head(TOP_N).tolist()
    topic_filter = replace(ctx.filters, entities=tuple(view.entities))
    tseries = timeseries.smooth_tone(cached("topic_series", ctx.path, ctx.version, topic_filter, ctx.freq,
                                            topic_names, totals), view.smooth)
    tcolors = charts.colors_for(topic_names)
    scope = f" in articles mentioning {', '.join(map(page.markdown_text, view.entities))}" if view.entities else ""
    measure = "share of articles" if view.normalised else "mentions"
    left, right = st.columns(2)
    fig = charts.mentions_chart(tseries, normalised=view.normalised, colors=tcolors, subject="topics", span=ctx.span,
                                title=f"Topic coverage per {ctx.period_word} ({measure})")
    with left:
        points.append(clicked(ctx.chart_block("topic_mentions", fig, tseries,
                                              f"Articles and sentences hitting each topic's keywords{scope}.",
                                              selectable=True)))
        shown["topic_mentions"] = (fig, tseries)
    fig = charts.tone_chart(tseries, colors=tcolors, title=f"Topic tone per {ctx.period_word}",
                            measure=charts.TONE_OF_SENTENCES)
    with right:
        points.append(clicked(ctx.chart_block("topic_tone", fig, tseries,
                                              f"Mean VADER tone of the whole sentences hitting each topic{scope}.",
                                              selectable=True)))
        shown["topic_tone"] = (fig, tseries)
    return topic_names, tseries


def voice_section(ctx: PageContext, shown: Shown) -> pd.DataFrame:
    """Draw share of voice and the entity-by-topic heatmap; return the top table's frame."""
    kind_word = KINDS[ctx.view.kind].lower()
    st.header(f"Share of voice and {kind_word} by topic")
    left, right = st.columns(2)
    top = agg.top_of(ctx.every, 15)  # = top_entities(filters, kind, None, 15, min_mentions), no query
    voice = agg.voice_from_top(top, ctx.names)  # the default view's names are the top ones: no query
    if voice is None:
        voice = cached("top_entities", ctx.path, ctx.version, ctx.filters, ctx.view.kind, ctx.names, len(ctx.names), 1)
    fig = charts.share_of_voice_chart(voice, colors=ctx.colors, title="Share of voice", subject=kind_word)
    with left:
        ctx.chart_block("share_of_voice", fig, voice, f"Share of voice: each one's mentions as a share of all "
                        f"mentions of {kind_word} under these filters (the same figure as in the table below).")
        shown["share_of_voice"] = (fig, voice)
    matrix = cached("entity_topic_matrix", ctx.path, ctx.version, ctx.filters, ctx.names)
    fig = charts.heatmap_chart(matrix, title=f"{KINDS[ctx.view.kind]} by topic")
    with right:
        ctx.chart_block("entity_by_topic", fig, matrix, "Number: sentences mentioning the name that hit the topic. "
                        "Colour: the mean tone toward the name in them (red negative, blue positive).")
        shown["entity_by_topic"] = (fig, matrix)
    return top


def top_table(ctx: PageContext, top: pd.DataFrame) -> None:
    """Draw the table of the most mentioned entities with its CSV download."""
    kind, kind_word = ctx.view.kind, KINDS[ctx.view.kind].lower()
    st.subheader(f"Most mentioned {kind_word}")
    st.caption(f"Mean tone, % positive and % negative: of the tone toward each {ONE_OF[kind]} in the sentences "
               f"naming it, not of the whole sentences. Share of voice: its mentions as a share of all mentions of "
               f"{kind_word} under these filters, as in the chart above.")
    # each row links to the name's profile (dashboard_profile), keeping this view's filters in the link
    shown = charts.top_table(top).assign(Profile=[profile_url(n, kind) for n in top["name"]])
    st.dataframe(shown, hide_index=True, width="stretch", column_config={
        "Profile": LINK,
        "Mean tone": st.column_config.NumberColumn(format="%+.2f"),
        **{c: st.column_config.NumberColumn(format="%.0f%%") for c in ("% positive", "% negative",
                                                                      "Share of voice %")}})
    st.download_button("CSV", export.to_bytes(top, "csv", ctx.about), ctx.about.file_name(f"top-{kind_word}", "csv"),
                       "text/csv", key="dl_top_csv")


def download_everything(ctx: PageContext, shown: Shown, top: pd.DataFrame) -> None:
    """Draw the button of the zip holding every chart, its data, the top table and the sentences."""
    kind_word = KINDS[ctx.view.kind].lower()
    ok_images, image_note = ctx.image_export
    st.header("Download everything")
    st.download_button("All charts, their data, the top table and the sentences (zip)",
                       partial(zip_bytes, shown, top, f"top-{kind_word}", names=ctx.names, filters=ctx.filters,
                               provenance=ctx.about, images=ok_images, path=ctx.path, version=ctx.version),
                       ctx.about.file_name("media-monitor", "zip"), "application/zip", key="dl_zip")
    st.caption("The zip's README.txt and manifest.json list every file, what it holds and the filters behind it.")
    if not ok_images:
        st.caption(image_note)
    report_buttons(ctx, shown, top)  # PDF / HTML / PowerPoint of the view, made on click (dashboard_report)
