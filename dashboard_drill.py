"""The dashboard's drill-down: the sentences behind a name, topic and period, picked in its boxes or by a click.

UI only, beside dashboard.py (which imports it). A click on a chart point fills the boxes (the widget keys
drill_name, drill_topic and drill_period); the sentences are read through the store's cache and shown as cards.
"""
from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from dashboard_store import cached, topic_options
from monitor.present import export, page
from monitor.present.viewstate import KINDS
from monitor.read import timeseries
from monitor.read.filters import Filters


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
               topic_names: list[str], filters: Filters, freq: str, path: str, version: int) -> None:
    """Show the sentences behind a name, topic and period — chosen here or by clicking a chart point."""
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
    end = None if period is None else pd.Timestamp(period) + pd.tseries.frequencies.to_offset(
        {"D": "1D", "W": "7D", "M": "MS"}[freq])
    rows = cached("sentences_behind", path, version, filters, name, topic, period, end, 200)
    if rows.empty:
        st.info("No sentences match this choice.")
        return
    st.caption(f"{len(rows)} sentence{'s' if len(rows) != 1 else ''}" + (" (first 200)" if len(rows) == 200 else ""))
    st.markdown("\n".join(sentence_card(r, name) for r in rows.itertuples()), unsafe_allow_html=True)
    st.download_button("CSV", export.to_bytes(rows, "csv"),
                       export.file_name("sentences", "csv", who=name, topic=topic, period=period), "text/csv",
                       key="dl_sentences_csv")
