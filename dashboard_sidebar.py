"""The dashboard's sidebar and the view it keeps in the URL: filters, dates, entities, uploads and auto-refresh.

UI only, beside dashboard.py (which imports it). The sidebar's widgets are bound to the URL
(bind="query-params": the key is the parameter, the option's label its value, defaults left out), except the
dates and the entities, which this file keeps there by hand (from/to, entity): see date_filter() and
entity_picker() for why. Widget and session-state keys are part of the page's links: do not rename them.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import cast

import pandas as pd
import streamlit as st

from dashboard_outlets import outlet_group_filter
from dashboard_store import cached, topic_options, watch_store
from dashboard_upload import upload_box
from monitor.present import page, viewstate
from monitor.present.viewstate import FREQ_LABELS, IMAGE_FORMATS, KINDS, View
from monitor.read import search
from monitor.read.filters import Filters

TOP_N = 5


# ---- the view in the URL
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


def date_filter(sb, first_day: pd.Timestamp, last_day: pd.Timestamp) -> tuple[viewstate.Pins, viewstate.Pins]:
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


def sidebar(all_sources: list[str], days: tuple[pd.Timestamp, pd.Timestamp], path: str,
            version: int) -> tuple[View, Filters]:
    """Draw the filters; return the view and the filters they make (without the entity selection).

    `days` is the store's (first day, last day); `path` and `version` key the store's cached reads.
    """
    sb = st.sidebar
    sb.header("Filters")
    query = query_box(sb)
    kind = sb.radio("Show", list(KINDS), format_func=KINDS.get, key="kind", horizontal=True, bind="query-params")
    (since, until), (day_from, day_to) = date_filter(sb, *days)
    sources = sb.multiselect("Outlets", all_sources, key="source", placeholder="All outlets", bind="query-params")
    all_copies = sb.toggle("Count every copy of a syndicated story", key="copies", bind="query-params",
                           help="Off: a wire story run by several outlets counts once (near-duplicates grouped).")
    outlet_group = outlet_group_filter(sb, path, version)  # `group=leaning:left`: every page, dashboard_outlets
    base = Filters(sources=tuple(sources), since=day_from, until=day_to, unique_stories=not all_copies,
                   query=query, outlet_group=outlet_group)
    # A bound multiselect drops, from its value and the URL, a topic that is no longer an option.
    topics = sb.multiselect("Topics", topic_options(base, path, version)["name"].tolist(), key="topic",
                            placeholder="All topics", bind="query-params")
    min_mentions = sb.number_input("Minimum mentions", min_value=1, step=1, key="min", bind="query-params")
    f = replace(base, topics=tuple(topics))
    entities = entity_picker(sb, kind, f, int(min_mentions), path, version)
    freq = sb.selectbox("Granularity", list(FREQ_LABELS), format_func=lambda f: FREQ_LABELS[f], key="freq",
                        bind="query-params")
    normalised = sb.toggle("Normalise: share of all articles", value=True, key="norm", bind="query-params",
                           help="Media Cloud's convention: mentions as a share of all articles in each period.")
    smooth = sb.slider("Smooth tone over periods", 1, 12, key="smooth", bind="query-params")
    image_format = sb.radio("Camera button saves", list(IMAGE_FORMATS), format_func=str.upper, key="img",
                            horizontal=True, bind="query-params")
    view = View(kind, tuple(entities), tuple(topics), tuple(sources), since, until, freq, int(min_mentions),
                normalised, smooth, image_format, all_copies, query)
    return view, f


QUERY_HELP = ('Words, "exact phrases", immigra* (every word it begins), AND / OR / NOT in capitals, ( ), '
              '"trump wall"~10 or trump NEAR/10 wall (within 10 words). Any case, any accent. '
              "The README's *Searching the text* has more examples.")


def query_box(sb) -> str:
    """The text query box, kept in the URL as `q`; return the query to filter by.

    A query that cannot be read is said under the box (where and why) and not applied: "" comes back, and
    the caption under the headline figures says the page is unfiltered by text.
    """
    query = sb.text_input("Search the text", key="q", bind="query-params", help=QUERY_HELP,
                          placeholder='"border wall" AND (trump OR biden)')
    problem = search.check(query)
    if problem:
        st.session_state["_query_problem"] = problem
        sb.error(f"This query cannot be read: {page.markdown_text(problem)}. Until it is fixed the page is "
                 "not filtered by text.", icon=":material/search_off:")
        return ""
    st.session_state.pop("_query_problem", None)
    return query.strip()


def entity_picker(sb, kind: str, f: Filters, min_mentions: int, path: str, version: int) -> list[str]:
    """The multiselect of entities of one kind, most mentioned first, with their counts.

    Kept in the URL by hand (entity=…, see write_url), not with bind="query-params": a bound multiselect writes
    each option's label, and the label carries the count, which changes with every filter and ingest, so a link
    would hold "Mara Velloso (6)" and lose the name once the count moved.
    """
    # entity_table: the ranking and the top table's figures in one query (both the same scan)
    options = cached("entity_table", path, version, f, kind, min_mentions)
    counts = dict(zip(options["name"], options["mentions"], strict=False))
    wanted = st.session_state.pop("_url_entities", None)
    current = wanted if wanted is not None else st.session_state.get("entities", [])
    st.session_state["entities"] = [e for e in current if e in counts]
    label = {"person": "People to compare", "org": "Organisations to compare",
             "place": "Places to compare", "group": "Groups to compare"}[kind]
    return sb.multiselect(label, list(counts), key="entities", format_func=lambda e: f"{e} ({counts[e]})",
                          placeholder=f"Top {TOP_N} by mentions", help="Type to search. Empty: the most mentioned.")


REFRESH = {0: "Off", 30: "Every 30 s", 60: "Every minute", 300: "Every 5 minutes"}


def sidebar_tail(path: str, version: int) -> None:
    """The sidebar's last part: uploads and auto-refresh.

    Drawn after the first charts (the sidebar looks the same): the uploader's list of formats
    imports every reader, ~0.4 s that delayed the first chart on a fresh server.
    """
    with st.sidebar:
        upload_box(path, expanded=False)
        refresh = st.selectbox("Refresh when new articles arrive", list(REFRESH), format_func=lambda s: REFRESH[s],
                               key="refresh", help="For a running `python -m monitor watch`: the page redraws "
                                                   "when the store has changed.")
    if refresh:
        st.fragment(watch_store, run_every=refresh)(path, version)
