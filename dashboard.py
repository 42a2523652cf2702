"""Media monitor dashboard (Streamlit). UI only: all data work lives in monitor/.

Run with `make run`, or `streamlit run dashboard.py` with MONITOR_STORE set.
Reads top to bottom: config, the store, the view from the URL, sidebar, sections. This file lays the page
out; its parts are beside it: dashboard_store (cached reads, a missing or busy store), dashboard_sidebar (the
filters and the URL), dashboard_context (what every page is drawn from), one module per page (dashboard_overview,
dashboard_articles, dashboard_compare, dashboard_outlets, dashboard_profile, dashboard_quotes), dashboard_charts
(a chart with its downloads), dashboard_drill (the sentences behind a point), dashboard_quote_cards (quotations
as cards) and dashboard_upload (the "Add articles" box).
"""
from __future__ import annotations

from functools import partial
from typing import cast

import pandas as pd
import streamlit as st

import dashboard_alerts
import dashboard_articles
import dashboard_compare
import dashboard_outlets
import dashboard_overview
import dashboard_profile
import dashboard_quotes
from dashboard_charts import chart_block as draw_chart_block
from dashboard_charts import image_export
from dashboard_context import PAGES, PageContext
from dashboard_sidebar import TOP_N, read_url, sidebar, sidebar_tail, write_url
from dashboard_store import cached, store_state
from monitor.present import charts, page
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
           + (f" · outlet group: {page.markdown_text(filters.outlet_group.words())}" if filters.outlet_group else "")
           + (" · each syndicated story counted once" if not view.all_copies else " · every copy counted")
           + (" · not analysed (other languages): " + ", ".join(f"{r.language} {r.articles}" for r in
                                                               others.itertuples()) if len(others) else ""))
# ---- the pages: each tab runs only when open (lazy tabs, the open one in the URL as `page`)
ctx = PageContext(store_path, version, view, filters, span, freq, period_word, every, ranked, names, colors, about,
                  chart_block, (ok_images, image_note))
tabs = st.tabs(PAGES, key="page", bind="query-params", on_change="rerun")
for tab, draw in zip(tabs, (dashboard_overview.render, dashboard_articles.render, dashboard_compare.render,
                            dashboard_outlets.render, dashboard_profile.render,
                            dashboard_quotes.render, dashboard_alerts.render), strict=True):
    if tab.open:
        with tab:
            draw(ctx)
sidebar_tail(store_path, version)
