"""Quotations on the page: each as a card (the words, who said them and how that was found, the article), and the
two places that show one speaker's beside the Quotes page: the Profile page's "Quoted" section and the
drill-down's quotations behind a point.

UI only, beside dashboard.py: dashboard_quotes (the Quotes page), dashboard_profile and dashboard_drill import
it. The reads are monitor/read/quotes.py, cached (dashboard_store.read) per store version and filters.
"""
from __future__ import annotations

import html
from collections.abc import Callable
from functools import partial
from typing import Any

import pandas as pd
import streamlit as st

from dashboard_store import read
from monitor.present import export, page
from monitor.present.provenance import Provenance, describe
from monitor.read import quotes
from monitor.read.filters import Filters
from monitor.schema import tone_label

said = partial(read, "quotes")  # monitor.read.quotes.<name>(store, ...), cached (dashboard_store.read)
CARDS = 50  # quotation cards drawn on a page; the CSV holds every one
HOW = {"named": "named", "pronoun": "through a pronoun (“she said”)", "description": "described, not named",
       "unknown": "not found"}
_COLOURS = {"positive": "#1a7f37", "neutral": "#6e7781", "negative": "#cf222e"}


def quote_card(r: Any) -> str:
    """Return one quotation as HTML: its words (escaped: article text), its speaker and how they were found,
    the article (a link when it has an http(s) address), outlet, date and the tone of the words themselves.

    `r`: an itertuples() row of the `quotes` frame. The tone is written out, not only the border's colour.
    """
    label = tone_label(r.tone) if pd.notna(r.tone) else "neutral"
    speaker = html.escape(str(r.speaker)) if pd.notna(r.speaker) else "unknown speaker"
    how = HOW.get(str(r.attribution), str(r.attribution))
    written = (f" (as “{html.escape(str(r.surface))}”)" if pd.notna(r.surface) and pd.notna(r.speaker)
               and str(r.surface) != str(r.speaker) else "")
    heading = html.escape(r.title if pd.notna(r.title) else "(untitled)")
    link = page.safe_url(r.url if pd.notna(r.url) else None)
    if link:
        heading = f'<a href="{html.escape(link, quote=True)}" target="_blank" rel="noopener noreferrer">{heading}</a>'
    day = f"{r.date:%d %b %Y}" if pd.notna(r.date) else "undated"
    tone = f"tone of the words {r.tone:+.2f} ({label})" if pd.notna(r.tone) else "no tone"
    return (f'<div class="quote-card" style="margin:0 0 .9rem 0;padding:.4rem .7rem;border-left:4px solid '
            f'{_COLOURS[label]}"><div>“{html.escape(str(r.text))}”</div>'
            f'<div style="font-size:.85rem">— <b class="quote-speaker">{speaker}</b>{written} · {html.escape(how)}'
            f'</div><div style="font-size:.8rem;color:#57606a">{heading} · {html.escape(str(r.source))} · '
            f'{html.escape(day)} · {tone}</div></div>')


def shown_note(shown: int, total: int) -> str:
    """Return the caption over the cards: how many quotations there are, and how many the page shows."""
    plural = "s" if total != 1 else ""
    if shown >= total:
        return f"{total:,} quotation{plural}, newest first; the CSV holds the same."
    return f"{shown:,} of {total:,} quotation{plural} shown (newest first); the CSV holds all {total:,}."


def quotation_list(rows: pd.DataFrame, total: int, everything: Callable[[], pd.DataFrame], about: Provenance,
                   key: str) -> None:
    """Draw the cards of `rows` (at most CARDS of the `total`), and a CSV of every one (`everything`, read
    when clicked), its file named by `about` (the view's filters and the speaker) and carrying them inside."""
    st.caption(shown_note(len(rows), total))
    st.markdown("\n".join(quote_card(r) for r in rows.itertuples()), unsafe_allow_html=True)
    st.download_button(f"CSV (all {total:,})", lambda: export.to_bytes(everything(), "csv", about),
                       about.file_name("quotations", "csv"), "text/csv", key=f"dl_{key}",
                       icon=":material/download:", help="Every quotation listed: the `quotes` frame")


def speaker_quotations(path: str, version: int, filters: Filters, speaker: str | None, about: Provenance, key: str,
                       period: tuple[pd.Timestamp | None, pd.Timestamp | None] = (None, None),
                       known: int | None = None) -> int:
    """Draw the quotations of `speaker` (anyone's when None) in [start, end) under the filters; return how
    many there are (`known`: that number when the caller has it; nothing is drawn when there are none)."""
    start, end = period
    rows = said("quotes_frame", path, version, filters, speaker, start, end, CARDS)
    total = (len(rows) if len(rows) < CARDS else known if known is not None
             else said("quotes_count", path, version, filters, speaker, start, end))
    if total:
        quotation_list(rows, total, partial(said, "quotes_frame", path, version, filters, speaker, start, end, None),
                       about, key)
    return total


def tone_text(value: float) -> str:
    """Return a mean tone for a metric: signed, two decimals, its label; "–" when there is none."""
    return f"{value:+.2f} ({tone_label(value)})" if pd.notna(value) else "–"


def profile_section(path: str, version: int, filters: Filters, name: str, kind: str, about: Provenance) -> None:
    """Draw the Profile page's "Quoted" section for an entity: quoted N times beside mentioned N times, the
    tone of what they say beside the tone toward them, and their quotations.

    One query of its own, their quotations (cached, the CSV's too): the mentions' figures are the profile's
    headline ones (profile.summary, read by the page under the same filters: a cache hit)."""
    st.subheader("Quoted")
    theirs = said("quotes_frame", path, version, filters, name, None, None, None)
    head = read("profile", "summary", path, version, filters, name, kind).rename(columns={"tone": "tone_toward"})
    row = quotes.speaker_row(name, theirs, head).iloc[0]
    cols = st.columns(4)
    cols[0].metric("Quoted", f"{row.quotes:,}", help=f"Quotations attributed to them, in {row.quoted_articles:,} "
                   "articles")
    cols[1].metric("Mentioned", f"{row.mentions:,}", help=f"Sentences naming them, in {row.articles:,} articles")
    cols[2].metric("Tone of what they say", tone_text(row.quote_tone), help="The mean tone of their quotations")
    cols[3].metric("Tone toward them", tone_text(row.tone_toward),
                   help="The mean tone toward them in the sentences naming them")
    st.caption(f"Quoted {row.quotes:,} times in {row.quoted_articles:,} articles; mentioned {row.mentions:,} times "
               f"in {row.articles:,} articles. What they say and how they are written about are two tones.")
    if not row.quotes:
        st.caption("No quotation is attributed to them under these filters.")
        return
    quotation_list(theirs.head(CARDS), len(theirs), lambda: theirs, about.with_fields({"speaker": name}),
                   "profile_quotes")


def drill_section(path: str, version: int, filters: Filters, name: str, period: tuple[pd.Timestamp | None,
                  pd.Timestamp | None], provenance: Provenance | None) -> None:
    """Draw the drill-down's quotations of the name picked, in the period picked (all periods when none)."""
    st.subheader(f"Quotations of {page.markdown_text(name)}")
    about = (provenance or describe(filters)).with_fields(
        {"speaker": name, "from": period[0] if period[0] is not None else "",
         "before": period[1] if period[1] is not None else ""})
    if not speaker_quotations(path, version, filters, name, about, "drill_quotes", period):
        st.caption("No quotation is attributed to them here.")
