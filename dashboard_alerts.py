"""The dashboard's Alerts page: the view's spikes and tone shifts (monitor/read/alerts.py), each with the sentences
and articles behind it, a CSV of them all, and the choices (kinds, metric, the alert opened) in the URL.

UI only, beside dashboard.py (which opens it in its tab). Reads the store through dashboard_store.read/cached;
the sentences behind an alert are the drill-down's (aggregations.sentences_behind, drawn as its cards).
"""
from __future__ import annotations

from dataclasses import replace
from functools import partial

import pandas as pd
import streamlit as st

from dashboard_context import PageContext
from dashboard_drill import PAGE_CAP, all_sentences_csv, sentence_card, shown_note
from dashboard_store import cached, read
from monitor.present import export, page
from monitor.present.compare_state import PARAM as COMPARE_PARAM
from monitor.present.compare_state import read_all
from monitor.read import search, timeseries
from monitor.read.filters import Filters

KIND_WORDS = {"person": "People", "org": "Organisations", "place": "Places", "group": "Groups", "topic": "Topics",
              "query": "Saved queries"}
METRICS = {"all": "Volume and tone", "volume": "Volume", "tone": "Tone"}
CURRENT_QUERY = "Current query"  # the sidebar's text query, watched as a saved query of that name
COLUMNS = {"period": "Period", "kind": "Kind", "name": "Name", "metric": "Metric", "direction": "Direction",
           "value": "Value", "baseline": "Baseline", "change": "Change", "score": "Score", "p_value": "p",
           "articles": "Articles"}


def alert_freq(freq: str) -> str:
    """Return the alerts' period for the view's granularity: days, else weeks (a month is a trend, not a spike)."""
    return "D" if freq == "D" else "W"


def view_queries(ctx: PageContext) -> tuple[tuple[str, str], ...]:
    """Return the saved queries of the view: the sidebar's query and the Compare page's (from the URL)."""
    found = [(CURRENT_QUERY, ctx.view.query)] if ctx.view.query.strip() else []
    compared, _notes = read_all(st.query_params.get_all(COMPARE_PARAM))
    # a query that cannot be read is named on the Compare page; here it is left out
    found += [(q.name, q.query) for q in compared if q.query.strip() and search.check(q.query) is None]
    return tuple(dict(found).items())


def view_alerts(ctx: PageContext, kinds: tuple[str, ...]) -> pd.DataFrame:
    """Return the view's ALERTS of `kinds` (cached per store version and arguments)."""
    return read("alerts", "find_alerts", ctx.path, ctx.version, ctx.filters, alert_freq(ctx.freq), kinds,
                view_queries(ctx))


def chart_alerts(ctx: PageContext, kind: str, names: list[str]) -> pd.DataFrame | None:
    """Return the alerts of a time chart's names (of one kind) for its markers; None when the chart is by month.

    The rows the Alerts page lists for those names (each alert is decided on its name's counts alone), read for
    the drawn names only: as cheap as the chart's own series."""
    if ctx.freq not in ("D", "W") or not names:
        return None
    # the span drawn, as dates: the same periods tested, without asking the store for its first and last day
    spanned = replace(ctx.filters, since=ctx.span[0].date(), until=ctx.span[1].date())
    return read("alerts", "find_alerts", ctx.path, ctx.version, spanned, ctx.freq, (kind,), (), names=tuple(names))


def label(row: pd.Series) -> str:
    """Return one alert in words, for the picker: "25 Mar 2024 · Margaret Holloway (person): volume up ×7.5"."""
    change = (f"×{row['change']:.1f}" if pd.notna(row["change"]) and row["change"] != float("inf") else "new"
              ) if row["metric"] == "volume" else f"{row['change']:+.2f}"
    return (f"{row['period']:%d %b %Y} · {row['name']} ({row['kind']}): {row['metric']} {row['direction']} "
            f"{change}")


def render(ctx: PageContext) -> None:
    """Draw the Alerts page of the view in `ctx`."""
    st.header("Alerts")
    unit = timeseries.FREQS[alert_freq(ctx.freq)]
    st.caption(f"Each {unit} of the view against its previous 14: coverage far above (or below) what its share "
               "of the period's articles predicts (an exact Poisson-rate test, so a day with twice the articles "
               "is not a spike of everyone), or a tone toward it far from its usual (Welch's test). At least 5 "
               "articles and twice the expected count, and a p-value of at most 5e-5 (many names are tested every day: "
               "a name watched for a year has about a 2% chance of one false alert). The README's data dictionary "
               "explains every column.")
    left, right = st.columns([3, 1])
    kinds = left.multiselect("Kinds", list(KIND_WORDS), format_func=lambda k: KIND_WORDS[k], key="al_kind",
                             bind="query-params", placeholder="All kinds")
    metric = right.selectbox("Metric", list(METRICS), format_func=lambda m: METRICS[m], key="al_metric",
                             bind="query-params")
    found = view_alerts(ctx, tuple(kinds) or tuple(KIND_WORDS))
    if metric != "all":
        found = found[found["metric"] == metric].reset_index(drop=True)
    if found.empty:
        st.info(f"No alerts in this view: no {unit} departs from its baseline by enough. Widen the dates, or "
                "clear an outlet or topic filter.")
        return
    alert_table(ctx, found)
    details(ctx, found)


def alert_table(ctx: PageContext, found: pd.DataFrame) -> None:
    """Draw the alerts as a table with its CSV download."""
    st.caption(f"{len(found):,} alerts, newest first, strongest first within a period.")
    shown = found[list(COLUMNS)].rename(columns=COLUMNS)
    st.dataframe(shown, hide_index=True, width="stretch", column_config={
        "Period": st.column_config.DateColumn(format="YYYY-MM-DD"),
        **{c: st.column_config.NumberColumn(format="%.2f") for c in ("Value", "Baseline", "Change")},
        "Score": st.column_config.NumberColumn(format="%+.1f"), "q": st.column_config.NumberColumn(format="%.1e")})
    st.download_button("CSV", export.to_bytes(found, "csv", ctx.about), ctx.about.file_name("alerts", "csv"),
                       "text/csv", key="dl_alerts_csv")


def details(ctx: PageContext, found: pd.DataFrame) -> None:
    """Draw the alert picked (by default the first): what it says, its articles and its sentences."""
    st.subheader("Behind an alert")
    labels = [label(row) for _, row in found.iterrows()]
    if st.session_state.get("al_pick") not in labels:
        st.session_state.pop("al_pick", None)  # an alert of another view, or none yet: the first
    picked = st.selectbox("Alert", labels, key="al_pick", bind="query-params")
    row = found.iloc[labels.index(picked)]
    st.markdown(page.markdown_text(headline(row)))
    f, name, topic = behind(ctx.filters, row)
    start = pd.Timestamp(row["period"])
    end = timeseries.period_end(start, alert_freq(ctx.freq))
    rows = cached("sentences_behind", ctx.path, ctx.version, f, name, topic, start, end, PAGE_CAP)
    if rows.empty:
        st.info("No sentences behind this alert (a drop: the name was little mentioned that period).")
        return
    total = len(rows) if len(rows) < PAGE_CAP else cached("sentences_behind_count", ctx.path, ctx.version, f, name,
                                                          topic, start, end)
    articles_behind(rows)
    st.caption(shown_note(len(rows), total))
    st.markdown("\n".join(sentence_card(r, name) for r in rows.itertuples()), unsafe_allow_html=True)
    about = ctx.about.with_fields({"alert": picked})
    st.download_button(f"CSV (all {total:,} sentences)",
                       partial(all_sentences_csv, ctx.path, ctx.version, f, name, topic, start, end, about),
                       about.file_name("alert-sentences", "csv"), "text/csv", key="dl_alert_sentences")


def headline(row: pd.Series) -> str:
    """Return the alert in a sentence: what was seen against what was usual."""
    when = f"{row['freq']} of {row['period']:%d %b %Y}"
    if row["metric"] == "volume":
        usual = (f"none in the previous 14 {row['freq']}s" if row["baseline_n"] == 0 else
                 f"{row['baseline']:.1f} expected from the previous 14 ({int(row['baseline_n'])} articles in them)")
        return (f"{row['name']}: {int(row['articles'])} articles in the {when}, {usual}; "
                f"{int(row['total_articles'])} articles in all that {row['freq']} (p = {row['p_value']:.1e}).")
    return (f"Tone toward {row['name']} in the {when}: {row['value']:+.2f} over {int(row['n'])} articles, against "
            f"{row['baseline']:+.2f} over {int(row['baseline_n'])} before (p = {row['p_value']:.1e}).")


def behind(f: Filters, row: pd.Series) -> tuple[Filters, str | None, str | None]:
    """Return the filters, name and topic whose sentences are behind an alert (a query: its matching articles)."""
    if row["kind"] == "query":
        return replace(f, query=str(row["query"])), None, None
    if row["kind"] == "topic":
        return f, None, str(row["name"])
    return f, str(row["name"]), None


def articles_behind(rows: pd.DataFrame) -> None:
    """Draw the articles of the sentences shown: title, outlet, date, how many of their sentences."""
    articles = (rows.groupby("article_id", sort=False)
                .agg(date=("date", "first"), source=("source", "first"), title=("title", "first"),
                     url=("url", "first"), sentences=("text", "size")).reset_index(drop=True))
    st.dataframe(articles, hide_index=True, width="stretch", column_config={
        "date": st.column_config.DateColumn("Date", format="YYYY-MM-DD"), "source": "Outlet", "title": "Title",
        "url": st.column_config.LinkColumn("Link"), "sentences": st.column_config.NumberColumn("Sentences")})
