"""The dashboard's drill-down: the sentences behind a name, topic and period, picked in its boxes or by a click.

UI only, beside dashboard.py (which imports it). A click on a chart point fills the boxes (the widget keys
drill_name, drill_topic and drill_period); the sentences are read through the store's cache and shown as cards.
"""
from __future__ import annotations

from functools import partial
from typing import Any

import pandas as pd
import streamlit as st

from dashboard_profile import profile_url
from dashboard_quote_cards import drill_section as quotations_of
from dashboard_store import cached, topic_options
from monitor.present import export, page
from monitor.present.provenance import Provenance, describe
from monitor.present.viewstate import KINDS
from monitor.read import timeseries
from monitor.read.filters import Filters

PAGE_CAP = 200  # sentence cards drawn on the page; the CSV holds every one


def drill_periods(*frames: pd.DataFrame) -> list[pd.Timestamp]:
    """Return the periods the series frames draw, earliest first, each once."""
    periods = sorted(p for frame in frames for p in frame["period"].dropna().unique().tolist())
    return list(dict.fromkeys(pd.Timestamp(p) for p in periods))


def follow_click(pick: tuple[str, pd.Timestamp] | None, periods: list[pd.Timestamp], topic_names: list[str]) -> None:
    """Put a clicked point's name (or topic) and period into the drill-down's boxes."""
    if pick is not None:
        name, period = pick
        target = "drill_topic" if name in topic_names else "drill_name"
        st.session_state[target] = name
        st.session_state["drill_period"] = period if period in periods else None


def sentence_card(r: Any, name: str | None) -> str:
    """Return the card (HTML, made safe by page.sentence_card) of one sentence.

    `r` is an itertuples() row of aggregations.sentences_behind (Any: the stubs type each field as any scalar).
    """
    # with a name picked, each card shows the tone toward it and the sentence's own tone
    return page.sentence_card(r.text, (r.surfaces or "").split("; ") if pd.notna(r.surfaces) else [],
                              r.tone, r.title if pd.notna(r.title) else None, r.source,
                              f"{r.date:%d %b %Y}" if pd.notna(r.date) else "undated",
                              r.url if pd.notna(r.url) else None, int(r.copies),
                              sentence_tone=r.sentence_tone, target=name)


def drill_down(pick: tuple[str, pd.Timestamp] | None, periods: list[pd.Timestamp], *, kind: str, names: list[str],
               topic_names: list[str], filters: Filters, freq: str, path: str, version: int,
               provenance: Provenance | None = None) -> None:
    """Show the sentences behind a name, topic and period — chosen here or by clicking a chart point.

    The page shows the newest PAGE_CAP and says how many there are; the CSV holds every one, and its name
    and view columns carry `provenance` (the view's filters) plus the drill-down's own choice.
    """
    st.header("Sentences behind the numbers")
    follow_click(pick, periods, topic_names)
    c1, c2, c3 = st.columns(3)
    name = c1.selectbox(KINDS[kind][:-1] if kind != "person" else "Person", [None, *names],
                        key="drill_name", format_func=lambda n: n or "Any")
    all_topics = topic_options(filters, path, version)["name"].tolist()
    topic = c2.selectbox("Topic", [None, *all_topics], key="drill_topic", format_func=lambda t: t or "Any")
    period = c3.selectbox(f"{timeseries.FREQS[freq].title()}", [None, *periods], key="drill_period",
                          format_func=lambda p: "All" if p is None else f"{pd.Timestamp(p):%d %b %Y}")
    if not name and not topic:
        st.caption("Pick a name or a topic, or click a point in a chart above.")
        return
    profile_links(name, kind, topic)
    end = None if period is None else pd.Timestamp(period) + pd.tseries.frequencies.to_offset(
        {"D": "1D", "W": "7D", "M": "MS"}[freq])
    rows = cached("sentences_behind", path, version, filters, name, topic, period, end, PAGE_CAP)
    if rows.empty:
        st.info("No sentences match this choice.")
        return
    total = len(rows) if len(rows) < PAGE_CAP else cached("sentences_behind_count", path, version, filters, name,
                                                          topic, period, end)
    st.caption(shown_note(len(rows), total))
    st.markdown("\n".join(sentence_card(r, name) for r in rows.itertuples()), unsafe_allow_html=True)
    about = (provenance or describe(filters)).with_fields(
        {"sentences naming": name or "", "sentences hitting topic": topic or "",
         f"{timeseries.FREQS[freq]} starting": period or ""})
    # every sentence behind the choice, read when clicked (the page shows at most PAGE_CAP)
    st.download_button(f"CSV (all {total:,})", partial(all_sentences_csv, path, version, filters, name, topic,
                                                       period, end, about),
                       about.file_name("sentences", "csv"), "text/csv", key="dl_sentences_csv",
                       icon=":material/download:")
    if name:  # what the one picked said in the period picked (dashboard_quote_cards)
        quotations_of(path, version, filters, name, (period, end), provenance)


def profile_links(name: str | None, kind: str, topic: str | None) -> None:
    """Draw links to the profile pages of the name and the topic picked (the view's filters kept in them)."""
    links = [f"[Open the profile of {page.markdown_text(subject)}]({profile_url(subject, subject_kind)})"
             for subject, subject_kind in ((name, kind), (topic, "topic")) if subject]
    st.markdown(" · ".join(links))


def shown_note(shown: int, total: int) -> str:
    """Return the caption over the cards: how many there are, and how many of them the page shows."""
    plural = "s" if total != 1 else ""
    if shown >= total:
        return f"{total:,} sentence{plural}; the CSV holds the same."
    return f"{shown:,} of {total:,} sentence{plural} shown (newest first); the CSV holds all {total:,}."


def all_sentences_csv(path: str, version: int, filters: Filters, name: str | None, topic: str | None,
                      start: pd.Timestamp | None, end: pd.Timestamp | None, about: Provenance) -> bytes:
    """Return the CSV of every sentence behind the choice (no cap), with the filters in its view columns."""
    rows = cached("sentences_behind", path, version, filters, name, topic, start, end, None)
    return export.to_bytes(rows, "csv", about)
