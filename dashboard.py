"""Media monitor dashboard (Streamlit). UI only: all data work lives in monitor/.

Run with `make run`, or `streamlit run dashboard.py` with MONITOR_STORE set.
Reads top to bottom: config, cached loaders, the view from the URL, sidebar, sections.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from functools import partial
from pathlib import Path
from typing import cast

import pandas as pd
import streamlit as st

from dashboard_upload import upload_box
from monitor.present import charts, export, page, viewstate
from monitor.present.viewstate import FREQ_LABELS, IMAGE_FORMATS, KINDS, View
from monitor.read import aggregations as agg
from monitor.read import timeseries
from monitor.read.attached import AttachedStore
from monitor.read.filters import Filters
from monitor.store import Store, StoreBusy, StoreError, default_path

st.set_page_config(page_title="Media monitor", page_icon="📰", layout="wide")
TOP_N = 5


# ---- cached loaders: keyed on the store's version, so new ingests show and filter changes hit the cache
@st.cache_resource
def open_store(path: str) -> Store:
    """Return the read-only store; raises StoreError (not cached) while there is none yet.

    An AttachedStore: each read attaches the file (~2 ms) instead of opening it (~30 ms), which
    was a third of a filter change's rerun on a 100,000-article store.
    """
    return AttachedStore(path)


@st.cache_data(max_entries=512, show_spinner=False)
def cached(name: str, path: str, version: int, *args, **kwargs):
    """Return monitor.read.aggregations.<name>(store, *args) — cached per store version and arguments."""
    return getattr(agg, name)(open_store(path), *args, **kwargs)


def topic_options(f: Filters) -> pd.DataFrame:
    """The topics with their hits under the filters; the topic filter itself does not change them,
    so it is left out of the cache key (one query, not one per topic choice)."""
    return cached("topic_options", store_path, version, replace(f, topics=()))


@st.cache_resource
def image_export() -> tuple[bool, str]:
    """Whether server-side PNG/SVG works here (checked once per process)."""
    return export.image_export_available()


# ---- the store, or how to fill it
store_path = str(default_path())
BUSY_RETRY_SECONDS = 5
EMPTY = ("Add articles below, or from a terminal with `python -m monitor ingest PATH...` "
         "(`make run` ingests the seed corpus).")
FAULT = ("The store named above cannot be read, so nothing is shown; the file was left as it is. Restore it "
         "from a backup, or point `MONITOR_STORE` at another store (a new path starts a new store), then "
         "reload this page. `python -m monitor info --store PATH` reports on a store file.")


def retry_busy_store(path: str) -> None:
    """Rerun the page as soon as the store can be read again."""
    try:
        open_store(path).version()
    except StoreError:
        return  # still busy (or now broken: the rerun then says so)
    st.rerun()


def store_state(path: str) -> tuple[Store, int, tuple] | None:
    """Return (store, version, (first day, last day)); or draw why there is nothing to show and return None.

    Each fault is named (the StoreError's message, escaped: the path is the user's) and says what to do;
    "empty" is said only of a store that holds no article. A busy store is retried, not reported as broken.
    """
    try:
        store = open_store(path)
        version = store.version()
        bounds = cached("date_bounds", path, version)
        stored = 0 if bounds != (None, None) else int(cached("language_counts", path, version, Filters())
                                                       ["articles"].sum())
    except StoreBusy as exc:
        st.warning(f"{page.markdown_text(str(exc))}\n\nThe store is busy (another program is writing it): "
                   f"retrying every {BUSY_RETRY_SECONDS} s…", icon=":material/hourglass_top:")
        st.fragment(retry_busy_store, run_every=BUSY_RETRY_SECONDS)(path)
        return None
    except StoreError as exc:
        if not Path(path).exists():  # no store yet: the first upload makes it
            st.info(f"There is no store at {page.markdown_text(path)} yet. {EMPTY}")
            upload_box(path, expanded=True)
        else:
            # A store made by an older monitor: its message says how to migrate it; else what to do in general.
            st.error(page.markdown_text(str(exc)) + ("" if "monitor migrate" in str(exc) else f"\n\n{FAULT}"))
        return None
    if bounds == (None, None):
        st.info(f"The store holds {stored:,} articles, none of them dated: the charts need dates. {EMPTY}"
                if stored else f"The store is empty. {EMPTY}")
        upload_box(path, expanded=True)
        return None
    return store, version, bounds


st.title("Media monitor")
state = store_state(store_path)
if state is None:
    st.stop()
store, version, (first_day, last_day) = cast(tuple[Store, int, tuple[pd.Timestamp, pd.Timestamp]], state)


# ---- the view in the URL. The sidebar's widgets are bound to it (bind="query-params": the key is the
# parameter, the option's label its value, defaults left out), except the dates and the entities, which
# this file keeps there by hand (from/to, entity): see date_filter() and entity_picker() for why.
def read_url() -> None:
    """Once per session: upgrade an old-format link, then seed the hand-kept widgets from the URL."""
    if st.session_state.get("_url_read"):
        return
    params = {k: st.query_params.get_all(k) for k in st.query_params}
    upgraded = None if st.session_state.get("_url_upgraded") else viewstate.upgrade(params)
    if upgraded is not None:
        # Bound widgets read the URL the run started with: rewrite it and rerun so they read the new form.
        # Once (never a loop of reruns), in a session's first run: no widget is bound yet, so
        # st.query_params may still be rewritten.
        st.session_state["_url_upgraded"] = True
        st.query_params.from_dict(upgraded)
        st.rerun()
    st.session_state.update({"_url_read": True, "_url_entities": list(dict.fromkeys(params.get("entity", []))),
                             "_date_pins": viewstate.date_pins(params)})


def write_url(view: View) -> None:
    """Put the hand-kept parts of the view into the URL (the bound widgets write theirs)."""
    for name, values in viewstate.hand_kept(view).items():
        if st.query_params.get_all(name) == values:
            continue  # each write is a message to the browser
        if values:
            st.query_params[name] = values
        else:
            del st.query_params[name]


all_sources = cached("source_options", store_path, version)
read_url()


def date_filter(sb) -> tuple[viewstate.Pins, viewstate.Pins]:
    """Return (the ends the user chose, the days to filter by); None is an end left to the store.

    The chosen ends ("pins") live in session state, not in the widget: an end not chosen is recomputed from
    the store on every run, so the view follows the store as it grows (an upload, a running watch) and the
    URL never gains the day that was last when the page opened. An end the user moves is pinned, except one
    moved to the store's own first or last day, which means "from the start" / "up to the newest".
    Kept in the URL by hand as from/to, not with bind="query-params": bound, the range is one parameter that
    always holds both days (dates=…&dates=…), which would pin both ends; and Streamlit drops the whole range
    when a day lies outside the store (e.g. one rebuilt since) instead of clamping that end.
    """
    first, last = first_day.date(), last_day.date()
    pins: viewstate.Pins = st.session_state.get("_date_pins", (None, None))
    before, now = st.session_state.get("_dates_shown"), st.session_state.get("dates")
    if before is not None and now is not None and len(now) == 2 and tuple(now) != before:
        pins = viewstate.moved_ends(pins, before, tuple(now), first, last)
    shown = viewstate.shown_range(pins, first, last)
    if now is None or (len(now) == 2 and tuple(now) != shown):
        st.session_state["dates"] = shown  # a half-picked range (one day) is left alone while the user picks
    st.session_state.update({"_date_pins": pins, "_dates_shown": shown})
    # A range: session state holds a tuple, which date_input's overloads (no value argument) type as one date.
    dates = cast(tuple[date, ...], sb.date_input("Dates", key="dates", min_value=first, max_value=last))
    if len(dates) == 1:
        return pins, (dates[0], dates[0])
    return pins, (shown[0] if pins[0] else None, shown[1] if pins[1] else None)


def sidebar() -> tuple[View, Filters]:
    """Draw the filters; return the view and the filters they make (without the entity selection)."""
    sb = st.sidebar
    sb.header("Filters")
    kind = sb.radio("Show", list(KINDS), format_func=KINDS.get, key="kind", horizontal=True, bind="query-params")
    (since, until), (day_from, day_to) = date_filter(sb)
    sources = sb.multiselect("Outlets", all_sources, key="source", placeholder="All outlets", bind="query-params")
    all_copies = sb.toggle("Count every copy of a syndicated story", key="copies", bind="query-params",
                           help="Off: a wire story run by several outlets counts once (near-duplicates grouped).")
    base = Filters(sources=tuple(sources), since=day_from, until=day_to, unique_stories=not all_copies)
    # A bound multiselect drops, from its value and the URL, a topic that is no longer an option.
    topics = sb.multiselect("Topics", topic_options(base)["name"].tolist(), key="topic", placeholder="All topics",
                            bind="query-params")
    min_mentions = sb.number_input("Minimum mentions", min_value=1, step=1, key="min", bind="query-params")
    f = replace(base, topics=tuple(topics))
    entities = entity_picker(sb, kind, f, int(min_mentions))
    freq = sb.selectbox("Granularity", list(FREQ_LABELS), format_func=lambda f: FREQ_LABELS[f], key="freq",
                        bind="query-params")
    normalised = sb.toggle("Normalise: share of all articles", value=True, key="norm", bind="query-params",
                           help="Media Cloud's convention: mentions as a share of all articles in each period.")
    smooth = sb.slider("Smooth tone over periods", 1, 12, key="smooth", bind="query-params")
    image_format = sb.radio("Camera button saves", list(IMAGE_FORMATS), format_func=str.upper, key="img",
                            horizontal=True, bind="query-params")
    view = View(kind, tuple(entities), tuple(topics), tuple(sources), since, until, freq, int(min_mentions),
                normalised, smooth, image_format, all_copies)
    return view, f


def entity_picker(sb, kind: str, f: Filters, min_mentions: int) -> list[str]:
    """The multiselect of entities of one kind, most mentioned first, with their counts.

    Kept in the URL by hand (entity=…, see write_url), not with bind="query-params": a bound multiselect writes
    each option's label, and the label carries the count, which changes with every filter and ingest, so a link
    would hold "Mara Velloso (6)" and lose the name once the count moved.
    """
    # entity_table: the ranking and the top table's figures in one query (both the same scan)
    options = cached("entity_table", store_path, version, f, kind, min_mentions)
    counts = dict(zip(options["name"], options["mentions"], strict=False))
    wanted = st.session_state.pop("_url_entities", None)
    current = wanted if wanted is not None else st.session_state.get("entities", [])
    st.session_state["entities"] = [e for e in current if e in counts]
    label = {"person": "People to compare", "org": "Organisations to compare",
             "place": "Places to compare", "group": "Groups to compare"}[kind]
    return sb.multiselect(label, list(counts), key="entities", format_func=lambda e: f"{e} ({counts[e]})",
                          placeholder=f"Top {TOP_N} by mentions", help="Type to search. Empty: the most mentioned.")


view, filters = sidebar()
write_url(view)
REFRESH = {0: "Off", 30: "Every 30 s", 60: "Every minute", 300: "Every 5 minutes"}


def watch_store(seen: int) -> None:
    """Rerun the whole page when an ingest (e.g. a running watch) has changed the store."""
    try:
        if open_store(store_path).version() != seen:
            st.rerun()
    except StoreError:
        pass


def sidebar_tail() -> None:
    """The sidebar's last part: uploads and auto-refresh.

    Drawn after the first charts (the sidebar looks the same): the uploader's list of formats
    imports every reader, ~0.4 s that delayed the first chart on a fresh server.
    """
    with st.sidebar:
        upload_box(store_path, expanded=False)
        refresh = st.selectbox("Refresh when new articles arrive", list(REFRESH), format_func=lambda s: REFRESH[s],
                               key="refresh", help="For a running `python -m monitor watch`: the page redraws "
                                                   "when the store has changed.")
    if refresh:
        st.fragment(watch_store, run_every=refresh)(version)

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
stem_filters = {"who": names[:3], "topic": list(view.topics)[:2], "from": filters.since, "to": filters.until}


def chart_block(key: str, fig, frame: pd.DataFrame, caption: str):
    """Draw one chart with its caption and downloads (CSV, HTML, PNG, SVG); return its selection event."""
    stem = export.file_name(key, "x", **stem_filters)[:-2]
    event = st.plotly_chart(fig, key=f"chart_{key}", config=charts.plot_config(stem, view.image_format), theme=None,
                            on_select="rerun", selection_mode="points", width="stretch")
    st.caption(caption)
    row = st.container(horizontal=True)
    # the bytes are made on click (a callable), not on every rerun for every chart
    row.download_button("CSV", partial(export.to_bytes, frame, "csv"), f"{stem}.csv", "text/csv", key=f"dl_{key}_csv",
                        icon=":material/download:", help="The data behind this chart")
    row.download_button("HTML", partial(export.figure_html, fig), f"{stem}.html", "text/html",
                        key=f"dl_{key}_html", icon=":material/download:", help="Interactive, works offline")
    for fmt in ("png", "svg"):
        row.download_button(fmt.upper(), partial(export.figure_image, fig, fmt), f"{stem}.{fmt}",
                            f"image/{'svg+xml' if fmt == 'svg' else 'png'}", key=f"dl_{key}_{fmt}",
                            icon=":material/download:", disabled=not ok_images,
                            help="Rendered on the server" if ok_images else image_note)
    return event


def clicked(event) -> tuple[str, pd.Timestamp] | None:
    """Return (name, period) of a clicked chart point, from the point's customdata."""
    points = (event or {}).get("selection", {}).get("points", []) if event else []
    for point in points:
        data = point.get("customdata")
        if data and len(data) >= 2:
            # the chart shows the name escaped for plotly (charts.plot_text): read back the name itself
            return charts.unescape_label(str(data[0])), pd.Timestamp(data[1])
    return None


# ---- headline figures
kpis = st.columns(4)
article_total = int(cached("period_totals", store_path, version, filters, freq)["total_articles"].sum())
kpis[0].metric("Articles", f"{article_total:,}")
kpis[1].metric(f"Mentions of {kind_word}", f"{int(every['mentions'].sum()):,}")
kpis[2].metric(f"{KINDS[view.kind]} mentioned", f"{len(every):,}")
kpis[3].metric("Most mentioned", page.markdown_text(ranked[0]) if ranked else "–")
languages = cached("language_counts", store_path, version, filters)
others = languages[~languages["language"].isin(["en", "und"])]
st.caption(f"{span[0]:%d %b %Y} – {span[1]:%d %b %Y} · by {period_word}"
           # Outlet and topic names are data, and captions are Markdown: escaped to show as written.
           + (f" · topics: {', '.join(map(page.markdown_text, view.topics))}" if view.topics else "")
           + (f" · outlets: {', '.join(map(page.markdown_text, view.sources))}" if view.sources else "")
           + (" · each syndicated story counted once" if not view.all_copies else " · every copy counted")
           + (" · not analysed (other languages): " + ", ".join(f"{r.language} {r.articles}" for r in
                                                               others.itertuples()) if len(others) else ""))
if every.empty:
    st.info("No mentions match these filters. Widen the dates, clear a topic or outlet, or lower the minimum.")
    sidebar_tail()
    st.stop()

shown: dict[str, tuple] = {}
points: list[tuple[str, pd.Timestamp] | None] = []

st.header(f"{KINDS[view.kind]} over time")
totals = cached("period_totals", store_path, version, filters, freq)
series = timeseries.smooth_tone(cached("entity_series", store_path, version, filters, freq, names, totals),
                               view.smooth)
measure = "share of articles" if view.normalised else "mentions"
fig = charts.mentions_chart(series, normalised=view.normalised, colors=colors, subject=kind_word,
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
sidebar_tail()

st.header("Topics over time")
topic_names = list(view.topics) or topic_options(filters)["name"].head(TOP_N).tolist()
topic_filter = replace(filters, entities=tuple(view.entities))
tseries = timeseries.smooth_tone(cached("topic_series", store_path, version, topic_filter, freq, topic_names, totals),
                                view.smooth)
tcolors = charts.colors_for(topic_names)
scope = f" in articles mentioning {', '.join(map(page.markdown_text, view.entities))}" if view.entities else ""
left, right = st.columns(2)
fig = charts.mentions_chart(tseries, normalised=view.normalised, colors=tcolors, subject="topics",
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
fig = charts.share_of_voice_chart(voice, colors=colors, title="Share of voice")
with left:
    chart_block("share_of_voice", fig, voice, "Each one's mentions as a share of all their mentions together.")
    shown["share_of_voice"] = (fig, voice)
matrix = cached("entity_topic_matrix", store_path, version, filters, names)
fig = charts.heatmap_chart(matrix, title=f"{KINDS[view.kind]} by topic")
with right:
    chart_block("entity_by_topic", fig, matrix, "Number: sentences mentioning the name that hit the topic. "
                "Colour: the mean tone toward the name in them (red negative, green positive).")
    shown["entity_by_topic"] = (fig, matrix)

st.subheader(f"Most mentioned {kind_word}")
st.caption(f"Mean tone, % positive and % negative: of the tone toward each {ONE_OF[view.kind]} in the sentences "
           "naming it, not of the whole sentences.")
st.dataframe(charts.top_table(top), hide_index=True, width="stretch", column_config={
    "Mean tone": st.column_config.NumberColumn(format="%+.2f"),
    **{c: st.column_config.NumberColumn(format="%.0f%%") for c in ("% positive", "% negative", "Share of voice %")}})
st.download_button("CSV", export.to_bytes(top, "csv"), export.file_name(f"top-{kind_word}", "csv", **stem_filters),
                   "text/csv", key="dl_top_csv")


# ---- drill-down: the sentences behind a point
def drill_down(pick: tuple[str, pd.Timestamp] | None) -> None:
    """Show the sentences behind a name, topic and period — chosen here or by clicking a chart point."""
    st.header("Sentences behind the numbers")
    periods = sorted(series["period"].dropna().unique().tolist() + tseries["period"].dropna().unique().tolist())
    periods = list(dict.fromkeys(pd.Timestamp(p) for p in periods))
    if pick is not None:
        name, period = pick
        target = "drill_topic" if name in topic_names else "drill_name"
        st.session_state[target] = name
        st.session_state["drill_period"] = period if period in periods else None
    c1, c2, c3 = st.columns(3)
    name = c1.selectbox(KINDS[view.kind][:-1] if view.kind != "person" else "Person", [None, *names],
                        key="drill_name", format_func=lambda n: n or "Any")
    all_topics = topic_options(filters)["name"].tolist()
    topic = c2.selectbox("Topic", [None, *all_topics], key="drill_topic", format_func=lambda t: t or "Any")
    period = c3.selectbox(f"{period_word.title()}", [None, *periods], key="drill_period",
                          format_func=lambda p: "All" if p is None else f"{pd.Timestamp(p):%d %b %Y}")
    if not name and not topic:
        st.caption("Pick a name or a topic, or click a point in a chart above.")
        return
    end = None if period is None else pd.Timestamp(period) + pd.tseries.frequencies.to_offset(
        {"D": "1D", "W": "7D", "M": "MS"}[freq])
    rows = cached("sentences_behind", store_path, version, filters, name, topic, period, end, 200)
    if rows.empty:
        st.info("No sentences match this choice.")
        return
    st.caption(f"{len(rows)} sentence{'s' if len(rows) != 1 else ''}" + (" (first 200)" if len(rows) == 200 else ""))
    # with a name picked, each card shows the tone toward it and the sentence's own tone
    cards = [page.sentence_card(r.text, (r.surfaces or "").split("; ") if pd.notna(r.surfaces) else [],
                                   r.tone, r.title if pd.notna(r.title) else None, r.source,
                                   f"{r.date:%d %b %Y}" if pd.notna(r.date) else "undated",
                                   r.url if pd.notna(r.url) else None, int(r.copies),
                                   sentence_tone=r.sentence_tone, target=name) for r in rows.itertuples()]
    st.markdown("\n".join(cards), unsafe_allow_html=True)
    st.download_button("CSV", export.to_bytes(rows, "csv"),
                       export.file_name("sentences", "csv", who=name, topic=topic, period=period), "text/csv",
                       key="dl_sentences_csv")


drill_down(next((p for p in points if p), None))

st.header("Download everything")
st.download_button("All charts and their data (zip)", partial(export.bundle_zip, shown, images=ok_images),
                   export.file_name("media-monitor", "zip", **stem_filters), "application/zip", key="dl_zip")
if not ok_images:
    st.caption(image_note)
