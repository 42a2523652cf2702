"""The dashboard's Compare queries page (issue 14): up to five saved queries side by side, like Media Cloud's
Explorer tabs: their coverage (share of articles or articles), the tone of their articles (or toward the
people chosen in the sidebar) over time, and their share of voice.

UI only, beside dashboard.py (which opens it in its tab). The queries live in session state, one small row of
widgets each, and in the URL as repeated `cq` parameters (monitor/present/compare_state.py), so a link opens
the same comparison. Reads: monitor/read/compare.py through the cached `_read`; figures:
monitor/present/compare_charts.py.
"""
from __future__ import annotations

import urllib.parse
from dataclasses import replace
from functools import partial
from typing import Literal

import pandas as pd
import streamlit as st

from dashboard_context import PageContext
from dashboard_store import cached, read
from monitor.present import charts, compare_charts, page
from monitor.present.compare_state import (
    MAX_QUERIES,
    PARAM,
    SavedQuery,
    describe_query,
    encode,
    overview_params,
    read_all,
    unique_names,
)
from monitor.present.provenance import Provenance
from monitor.read import compare, search
from monitor.read.filters import Filters
from monitor.read.query import QueryError
from monitor.schema import COMPARE, COMPARE_TOWARD

IDS = "_cq_ids"        # session state: the rows' ids, in order (a widget's key holds its row's id)
NEXT = "_cq_next"      # session state: the next row id
NOTES = "_cq_notes"    # session state: what the link held that could not be read
FIELDS = ("name", "query", "source", "topic")
MEASURES = ("Share of articles", "Articles")
TONES = ("Sentences of its articles", "Toward the chosen names")


_read = partial(read, "compare")  # monitor.read.compare.<name>(store, ...), cached (dashboard_store.read)


# ---- the queries: rows of widgets, seeded from the URL once per session --------------------------------
def _add_row(saved: SavedQuery) -> None:
    """Append a row of widgets holding `saved` (their values set before the widgets are drawn)."""
    rid = st.session_state.get(NEXT, 0)
    st.session_state[NEXT] = rid + 1
    st.session_state[IDS] = [*st.session_state.get(IDS, []), rid]
    st.session_state.update({f"cq_name_{rid}": saved.name, f"cq_query_{rid}": saved.query,
                             f"cq_source_{rid}": list(saved.sources), f"cq_topic_{rid}": list(saved.topics)})


def _remove_row(rid: int) -> None:
    """Drop a row and its widgets' values."""
    st.session_state[IDS] = [r for r in st.session_state.get(IDS, []) if r != rid]
    for field in FIELDS:
        st.session_state.pop(f"cq_{field}_{rid}", None)


def _seed(ctx: PageContext) -> None:
    """Once per session: the rows of the link's `cq` parameters; with none, one row of the sidebar's query."""
    if IDS in st.session_state:
        return
    st.session_state[IDS] = []
    queries, notes = read_all(st.query_params.get_all(PARAM))
    if not queries and ctx.view.query:
        queries = [SavedQuery(ctx.view.query[:40], ctx.view.query)]
    for saved in queries:
        _add_row(saved)
    st.session_state[NOTES] = notes


def _row_of(rid: int) -> SavedQuery:
    state = st.session_state
    return SavedQuery(state.get(f"cq_name_{rid}", ""), state.get(f"cq_query_{rid}", ""),
                      tuple(state.get(f"cq_source_{rid}", [])), tuple(state.get(f"cq_topic_{rid}", [])))


def _options(ctx: PageContext) -> tuple[list[str], list[str]]:
    """Return the outlets and topics a query may keep: every one in the store (one read per store version,
    shared by every session)."""
    sources = cached("source_options", ctx.path, ctx.version)
    topics = cached("topic_options", ctx.path, ctx.version, Filters())["name"].tolist()
    return list(sources), [str(t) for t in topics]


def _editor(ctx: PageContext) -> list[tuple[SavedQuery, str | None]]:
    """Draw a row per query and the add button; return each query (names made unique) with why it cannot be
    read (None when it can; "" when it is still empty)."""
    sources, topics = _options(ctx)
    for rid in st.session_state[IDS]:
        for field, offered in (("source", sources), ("topic", topics)):
            key = f"cq_{field}_{rid}"  # a value the store does not offer (a link from another store) fails the widget
            chosen = st.session_state.get(key, [])
            if gone := [v for v in chosen if v not in offered]:
                st.warning(f"Not in this store, so left out of a query: {page.markdown_text('; '.join(gone))}",
                           icon=":material/link_off:")
                st.session_state[key] = [v for v in chosen if v in offered]
    rows = unique_names([_row_of(rid) for rid in st.session_state[IDS]])
    out = [(saved, _row(n, rid, saved, sources, topics))
           for n, (rid, saved) in enumerate(zip(st.session_state[IDS], rows, strict=True), start=1)]
    full = len(st.session_state[IDS]) >= MAX_QUERIES
    st.button("Add a query", key="cq_add", on_click=_add_row, args=(SavedQuery("", ""),), disabled=full,
              icon=":material/add:", help=f"At most {MAX_QUERIES} queries are compared" if full else None)
    return out


def _row(n: int, rid: int, saved: SavedQuery, sources: list[str], topics: list[str]) -> str | None:
    """Draw one query's row (name, query, outlets, topics, its Overview link, remove); return why the query
    cannot be read, said under the row (None when it can; "" when it is empty, said by its placeholder)."""
    problem = search.check(saved.query) if saved.query.strip() else ""
    with st.container(key=f"cq_row_{rid}"):
        # labels shown on the first row only (a table's header); the others keep theirs for screen readers
        shown: Literal["visible", "collapsed"] = "visible" if n == 1 else "collapsed"
        cols = st.columns([2, 5, 3, 3, 0.8, 0.8], vertical_alignment="bottom")
        cols[0].text_input("Name", key=f"cq_name_{rid}", placeholder=f"Query {n}", max_chars=60,
                           label_visibility=shown)
        cols[1].text_input("Query", key=f"cq_query_{rid}", placeholder='"border wall" AND trump',
                           max_chars=2_000, label_visibility=shown)
        cols[2].multiselect("Outlets", sources, key=f"cq_source_{rid}", placeholder="the sidebar's",
                            label_visibility=shown)
        cols[3].multiselect("Topics", topics, key=f"cq_topic_{rid}", placeholder="the sidebar's",
                            label_visibility=shown)
        if problem is None:
            link = "?" + urllib.parse.urlencode(overview_params(saved, _params()), doseq=True)
            # icons only (named by their help, and by the icon's ligature for screen readers): words were cut
            # at 1366 px
            cols[4].link_button(":material/open_in_new:", link, key=f"cq_open_{rid}", width="stretch",
                                help=f"Open {page.markdown_text(saved.name)} alone in the Overview, in a new tab")
        cols[5].button(":material/delete:", key=f"cq_remove_{rid}", on_click=_remove_row, args=(rid,),
                       help=f"Remove {page.markdown_text(saved.name)} from the comparison")
        if problem:
            st.error(f"{page.markdown_text(saved.name)}: {page.markdown_text(problem)}. The other queries "
                     "are drawn without it.", icon=":material/search_off:")
    return problem


def _params() -> dict[str, list[str]]:
    return {k: st.query_params.get_all(k) for k in st.query_params}


def _write_url(rows: list[tuple[SavedQuery, str | None]]) -> None:
    """Keep the comparison in the URL (every query typed, bad ones too: the link reproduces the page)."""
    values = [encode(saved) for saved, _ in rows if saved.query.strip()]
    if st.query_params.get_all(PARAM) != values:
        if values:
            st.query_params[PARAM] = values
        else:
            del st.query_params[PARAM]


# ---- the charts -------------------------------------------------------------------------------------------
def _filters_of(ctx: PageContext, saved: SavedQuery) -> Filters:
    """A query's filters: its text, its outlets and topics (the sidebar's outlets, outlet group and topics when it
    names none), the page's rest."""
    f = replace(ctx.filters, query=saved.query, topics=saved.topics or ctx.filters.topics)
    # a query's own outlets replace every outlet choice of the sidebar: its outlets and its outlet group
    return replace(f, sources=saved.sources, outlet_group=None) if saved.sources else f


def _provenance(ctx: PageContext, queries: list[SavedQuery]) -> Provenance:
    """What the page's downloads hold: every query with its filters, then the settings that apply to all."""
    f = ctx.filters
    return Provenance.of({
        "compared": tuple(q.name for q in queries),  # the file name's readable part: the queries' names
        "queries": tuple(describe_query(q) for q in queries),
        "dates": f"{ctx.span[0]:%Y-%m-%d} to {ctx.span[1]:%Y-%m-%d}",
        "outlets": tuple(f.sources) or "all",
        "outlet group": f.outlet_group.words() if f.outlet_group is not None else "all",
        "topics": tuple(f.topics) or "all",
        "outlets and topics": "each query's own; the sidebar's above when a query names none",
        "tone toward": tuple(ctx.view.entities) or "none chosen",
        "copies": "each syndicated story once" if f.unique_stories else "every copy counted",
        "period": ctx.period_word,
    }, named=["compared", "dates"])


def render(ctx: PageContext) -> None:
    """Draw the Compare queries page of the view in `ctx`."""
    _seed(ctx)
    st.caption(f"Up to {MAX_QUERIES} text queries side by side (the sidebar's query language). The sidebar's "
               "dates and copies setting apply to every query, and so do its outlets (and outlet group) and "
               "topics for a query that names none; the names chosen in the sidebar are the ones tone is measured "
               "toward.")
    for note in st.session_state.get(NOTES, []):
        st.warning(page.markdown_text(note), icon=":material/link_off:")
    rows = _editor(ctx)
    _write_url(rows)
    good = [saved for saved, problem in rows if problem is None]
    if not good:
        st.info("Add a query above (e.g. `\"border wall\"`, `immigra* AND (trump OR biden)`) to compare it.")
        return
    series, read_ok = [], []
    for saved in good:
        try:
            series.append(_read("query_series", ctx.path, ctx.version, _filters_of(ctx, saved), saved.name,
                                ctx.freq, _totals(ctx, saved)))
        except QueryError as exc:  # the index refused it: said, and the others drawn
            st.error(f"{page.markdown_text(saved.name)}: {page.markdown_text(str(exc))}", icon=":material/error:")
            continue
        read_ok.append(saved)
    _charts(ctx, read_ok, compare.combine(series, COMPARE))


def _totals(ctx: PageContext, saved: SavedQuery) -> pd.DataFrame:
    """The query's normalisation base: one read for the queries that share their outlets (and for reruns)."""
    return cached("period_totals", ctx.path, ctx.version, compare.base_of(_filters_of(ctx, saved)), ctx.freq)


def _toward(ctx: PageContext, queries: list[SavedQuery]) -> pd.DataFrame:
    """Return COMPARE_TOWARD of the queries and the names chosen in the sidebar (read only when shown)."""
    frames = [_read("query_toward", ctx.path, ctx.version, _filters_of(ctx, q), q.name, ctx.freq,
                    tuple(ctx.view.entities), _totals(ctx, q)) for q in queries]
    return compare.combine(frames, COMPARE_TOWARD, ("name", "entity"))


def _charts(ctx: PageContext, queries: list[SavedQuery], series: pd.DataFrame) -> None:
    """Draw coverage, tone and share of voice of the queries, each with its downloads."""
    about = _provenance(ctx, queries)
    colors = charts.colors_for([q.name for q in queries])
    measure = st.radio("Coverage as", MEASURES, key="cq_measure", horizontal=True,
                       index=0 if ctx.view.normalised else 1)
    normalised = measure == MEASURES[0]
    fig = compare_charts.coverage_chart(series, normalised=normalised, colors=colors, span=ctx.span,
                                        title="Coverage of each query")
    ctx.chart_block("compare-coverage", fig, series, (
        f"Articles each query matches per {ctx.period_word}" + (", as a share of all the period's articles under "
                                                               "its dates and outlets" if normalised else "")
        + f". Hollow points: fewer than {charts.THIN_ARTICLES} articles in the period."), provenance=about)
    _tone(ctx, queries, series, colors, about)
    voice = _read("voice", ctx.path, ctx.version, tuple((q.name, _filters_of(ctx, q)) for q in queries))
    fig = compare_charts.voice_chart(voice, colors=colors, title="Share of voice between the queries")
    ctx.chart_block("compare-voice", fig, voice, (
        "Each query's matching articles over the whole span, as a share of the sum over the queries. An "
        "article two queries match counts once in each; `only_this` says how many match no other query."),
        provenance=about)


def _tone(ctx: PageContext, queries: list[SavedQuery], series: pd.DataFrame, colors: dict[str, str],
          about: Provenance) -> None:
    """Draw the tone chart: of each query's sentences, or toward the names chosen in the sidebar."""
    names = list(ctx.view.entities)
    which = st.radio("Tone of", TONES, key="cq_tone", horizontal=True, disabled=not names,
                     help=None if names else "Choose names in the sidebar to see the tone toward them")
    if names and which == TONES[1]:
        toward = _toward(ctx, queries)
        fig = compare_charts.toward_chart(toward, colors=colors,
                                          title=f"Tone toward {', '.join(names)} in each query's articles")
        ctx.chart_block("compare-tone-toward", fig, toward, (
            "Mean tone toward each chosen name in the sentences of each query's articles that mention it, per "
            f"{ctx.period_word}; `mentions` is how many sentences each point averages."), provenance=about)
        return
    fig = compare_charts.tone_chart(series, colors=colors, title="Tone of each query's articles")
    ctx.chart_block("compare-tone", fig, series, (
        f"Mean VADER tone of the sentences of each query's articles per {ctx.period_word} (shaded: 95% "
        "interval); `sentences` is how many each point averages."), provenance=about)
