"""Media monitor dashboard (Streamlit). UI only: all data work lives in monitor/.

Run with `make run`, or `streamlit run dashboard.py` with MONITOR_STORE set.
Reads top to bottom: config, the store, the view from the URL, sidebar, sections. This file lays the page
out; its parts are beside it: dashboard_store (cached reads, a missing or busy store), dashboard_sidebar (the
filters and the URL), dashboard_charts (a chart with its downloads), dashboard_drill (the sentences behind a
point) and dashboard_upload (the "Add articles" box).
"""
from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import cast

import pandas as pd
import streamlit as st

from dashboard_charts import chart_block as draw_chart_block
from dashboard_charts import clicked, image_export, zip_bytes
from dashboard_corrections import corrections_panel
from dashboard_drill import drill_down, drill_periods
from dashboard_sidebar import TOP_N, read_url, sidebar, sidebar_tail, write_url
from dashboard_store import cached, store_state, topic_options
from monitor.present import charts, export, page
from monitor.present.provenance import describe
from monitor.present.viewstate import KINDS
from monitor.read import aggregations as agg
from monitor.read import timeseries
from monitor.store import Store, default_path

st.set_page_config(page_title="Media monitor", page_icon="📰", layout="wide")

# ---- the store, or how to fill it
store_path = str(default_path())
st.title("Media monitor")
state = store_state(store_path)
if state is None:
    st.stop()
store, version, (first_day, last_day) = cast(tuple[Store, int, tuple[pd.Timestamp, pd.Timestamp]], state)


# ---- the view in the URL, and the sidebar that draws it (dashboard_sidebar)
all_sources = cached("source_options", store_path, version)
read_url()
view, filters = sidebar(all_sources, (first_day, last_day), store_path, version)
write_url(view)
kind_word = KINDS[view.kind].lower()
ONE_OF = {"person": "person", "org": "organisation", "place": "place", "group": "group"}  # one of KINDS, in a caption
# The picker's entity_table (so no new query): every entity ranked, with the top table's figures.
every = cached("entity_table", store_path, version, filters, view.kind, view.min_mentions)
ranked = every["name"].head(15).tolist()
names = list(view.entities) or ranked[:TOP_N]
span = (pd.Timestamp(filters.since) if filters.since else first_day,
        pd.Timestamp(filters.until) if filters.until else last_day)
freq = timeseries.auto_freq(*span) if view.freq == "auto" else view.freq
period_word = timeseries.FREQS[freq]
colors = charts.colors_for(ranked + [n for n in names if n not in set(ranked)])
ok_images, image_note = image_export()
# What every download of this view holds (its filters), in its file name and inside the file (provenance)
about = describe(filters, kind=view.kind, names=names, chosen=bool(view.entities), dates=(span[0], span[1]),
                 min_mentions=view.min_mentions, freq=freq, normalised=view.normalised, smooth=view.smooth)
# every chart block of this run names its files and sets its camera button the same way
chart_block = partial(draw_chart_block, provenance=about, image_format=view.image_format,
                      images=(ok_images, image_note))

# ---- headline figures
kpis = st.columns([2, 2, 2, 3])  # the widest for the most mentioned name: st.metric cuts a value that overflows
article_total = int(cached("period_totals", store_path, version, filters, freq)["total_articles"].sum())
kpis[0].metric("Articles", f"{article_total:,}")
kpis[1].metric(f"Mentions of {kind_word}", f"{agg.all_mentions(every):,}")  # share of voice's denominator
kpis[2].metric(f"{KINDS[view.kind]} mentioned", f"{len(every):,}")
kpis[3].metric("Most mentioned", page.markdown_text(ranked[0]) if ranked else "–")
# A headline figure wraps rather than being cut with an ellipsis ("Maximiliana Cast…"): a style, no element
st.html("<style>[data-testid='stMetricValue'], [data-testid='stMetricValue'] * {white-space: normal !important; "
        "overflow: visible !important; text-overflow: clip !important; overflow-wrap: anywhere;}</style>")
languages = cached("language_counts", store_path, version, filters)
others = languages[~languages["language"].isin(["en", "und"])]
st.caption(f"{span[0]:%d %b %Y} – {span[1]:%d %b %Y} · by {period_word}"
           # The text query as applied (sidebar.query_box): the user's words, escaped like the names below.
           + (f" · text matching: {page.markdown_text(view.query)}" if view.query else "")
           + (" · text query not applied (it cannot be read)" if st.session_state.get("_query_problem") else "")
           # Outlet and topic names are data, and captions are Markdown: escaped to show as written.
           + (f" · topics: {', '.join(map(page.markdown_text, view.topics))}" if view.topics else "")
           + (f" · outlets: {', '.join(map(page.markdown_text, view.sources))}" if view.sources else "")
           + (" · each syndicated story counted once" if not view.all_copies else " · every copy counted")
           + (" · not analysed (other languages): " + ", ".join(f"{r.language} {r.articles}" for r in
                                                               others.itertuples()) if len(others) else ""))
if every.empty:
    st.info("No mentions match these filters. Widen the dates, clear a topic or outlet, or lower the minimum.")
    sidebar_tail(store_path, version)
    st.stop()

shown: dict[str, tuple] = {}
points: list[tuple[str, pd.Timestamp] | None] = []

st.header(f"{KINDS[view.kind]} over time")
totals = cached("period_totals", store_path, version, filters, freq)
series = timeseries.smooth_tone(cached("entity_series", store_path, version, filters, freq, names, totals),
                               view.smooth)
measure = "share of articles" if view.normalised else "mentions"
fig = charts.mentions_chart(series, normalised=view.normalised, colors=colors, subject=kind_word, span=span,
                            title=f"Coverage per {period_word} ({measure})")
left, right = st.columns(2)
with left:
    ev = chart_block(f"{view.kind}_mentions", fig, series,
                     (f"Articles mentioning each, as a share of all articles per {period_word}" if view.normalised
                      else f"Sentences mentioning each, per {period_word}") + ". Click a point to read them.")
    points.append(clicked(ev))
    shown[f"{view.kind}_mentions"] = (fig, series)
fig = charts.tone_chart(series, colors=colors, title=f"Tone toward each per {period_word}",
                        measure=charts.TONE_TOWARD)
smoothing = f"smoothed over {view.smooth} periods" if view.smooth > 1 else "not smoothed"
with right:
    points.append(clicked(chart_block(f"{view.kind}_tone", fig, series,
                                      f"Mean tone toward each {ONE_OF[view.kind]} (−1 to +1), "
                                      "scored for the name within its sentence, with its 95% interval; "
                                      f"{smoothing}.")))
    shown[f"{view.kind}_tone"] = (fig, series)
sidebar_tail(store_path, version)

st.header("Topics over time")
topic_names = list(view.topics) or topic_options(filters, store_path, version)["name"].head(TOP_N).tolist()
topic_filter = replace(filters, entities=tuple(view.entities))
tseries = timeseries.smooth_tone(cached("topic_series", store_path, version, topic_filter, freq, topic_names, totals),
                                view.smooth)
tcolors = charts.colors_for(topic_names)
scope = f" in articles mentioning {', '.join(map(page.markdown_text, view.entities))}" if view.entities else ""
left, right = st.columns(2)
fig = charts.mentions_chart(tseries, normalised=view.normalised, colors=tcolors, subject="topics", span=span,
                            title=f"Topic coverage per {period_word} ({measure})")
with left:
    points.append(clicked(chart_block("topic_mentions", fig, tseries,
                                      f"Articles and sentences hitting each topic's keywords{scope}.")))
    shown["topic_mentions"] = (fig, tseries)
fig = charts.tone_chart(tseries, colors=tcolors, title=f"Topic tone per {period_word}",
                        measure=charts.TONE_OF_SENTENCES)
with right:
    points.append(clicked(chart_block("topic_tone", fig, tseries,
                                      f"Mean VADER tone of the whole sentences hitting each topic{scope}.")))
    shown["topic_tone"] = (fig, tseries)

st.header(f"Share of voice and {kind_word} by topic")
left, right = st.columns(2)
top = agg.top_of(every, 15)  # = top_entities(filters, kind, None, 15, min_mentions), no query
voice = agg.voice_from_top(top, names)  # the default view's names are the top ones: no query
if voice is None:
    voice = cached("top_entities", store_path, version, filters, view.kind, names, len(names), 1)
fig = charts.share_of_voice_chart(voice, colors=colors, title="Share of voice", subject=kind_word)
with left:
    chart_block("share_of_voice", fig, voice, f"Share of voice: each one's mentions as a share of all mentions of "
                f"{kind_word} under these filters (the same figure as in the table below).")
    shown["share_of_voice"] = (fig, voice)
matrix = cached("entity_topic_matrix", store_path, version, filters, names)
fig = charts.heatmap_chart(matrix, title=f"{KINDS[view.kind]} by topic")
with right:
    chart_block("entity_by_topic", fig, matrix, "Number: sentences mentioning the name that hit the topic. "
                "Colour: the mean tone toward the name in them (red negative, blue positive).")
    shown["entity_by_topic"] = (fig, matrix)

st.subheader(f"Most mentioned {kind_word}")
st.caption(f"Mean tone, % positive and % negative: of the tone toward each {ONE_OF[view.kind]} in the sentences "
           f"naming it, not of the whole sentences. Share of voice: its mentions as a share of all mentions of "
           f"{kind_word} under these filters, as in the chart above.")
st.dataframe(charts.top_table(top), hide_index=True, width="stretch", column_config={
    "Mean tone": st.column_config.NumberColumn(format="%+.2f"),
    **{c: st.column_config.NumberColumn(format="%.0f%%") for c in ("% positive", "% negative", "Share of voice %")}})
st.download_button("CSV", export.to_bytes(top, "csv", about), about.file_name(f"top-{kind_word}", "csv"),
                   "text/csv", key="dl_top_csv")
corrections_panel(store_path, version)  # merge, split, rename, drop names (dashboard_corrections)

# ---- drill-down: the sentences behind a point (dashboard_drill)
drill_down(next((p for p in points if p), None), drill_periods(series, tseries), kind=view.kind, names=names,
           topic_names=topic_names, filters=filters, freq=freq, path=store_path, version=version, provenance=about)

st.header("Download everything")
st.download_button("All charts, their data, the top table and the sentences (zip)",
                   partial(zip_bytes, shown, top, f"top-{kind_word}", names=names, filters=filters, provenance=about,
                           images=ok_images, path=store_path, version=version),
                   about.file_name("media-monitor", "zip"), "application/zip", key="dl_zip")
st.caption("The zip's README.txt and manifest.json list every file, what it holds and the filters behind it.")
if not ok_images:
    st.caption(image_note)
