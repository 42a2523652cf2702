"""The dashboard's Quotes page (issue 15): who is quoted most, quoted beside mentioned, the tone of what they say
beside the tone toward them, and the quotations of a speaker chosen here.

UI only, beside dashboard.py (which opens it in its tab). The speaker chosen is in the URL as `speaker`
(monitor.present.viewstate.BY_HAND), so a link opens the same quotations. The reads are monitor/read/quotes.py,
cached per store version and filters; the cards are dashboard_quote_cards'.
"""
from __future__ import annotations

from typing import Any

import streamlit as st

from dashboard_context import PageContext
from dashboard_profile import LINK, with_links
from dashboard_quote_cards import HOW, said, speaker_quotations
from monitor.present import export, page

TOP = 25  # speakers in the most-quoted table (and offered in the speaker box)
SPEAKER = "speaker"  # the URL parameter
ANYONE = ""  # the speaker box's first option: every quotation
_TONE = "%+.2f"
COLUMNS: dict[str, Any] = {
    "profile": LINK, "name": st.column_config.TextColumn("Speaker"), "kind": st.column_config.TextColumn("Kind"),
    "quotes": st.column_config.NumberColumn("Quoted", help="Quotations attributed to them"),
    "quoted_articles": st.column_config.NumberColumn("Articles quoting them"),
    "mentions": st.column_config.NumberColumn("Mentioned", help="Sentences naming them"),
    "articles": st.column_config.NumberColumn("Articles naming them"),
    "quote_tone": st.column_config.NumberColumn("Tone of what they say", format=_TONE,
                                                help="The mean tone of their quotations, −1 to +1"),
    "tone_toward": st.column_config.NumberColumn("Tone toward them", format=_TONE,
                                                 help="The mean tone toward them where they are named, −1 to +1"),
    "last_quoted": st.column_config.DateColumn("Last quoted", format="YYYY-MM-DD"),
}


def render(ctx: PageContext) -> None:
    """Draw the Quotes page of the view in `ctx`."""
    st.header("Who said what")
    counts = said("attribution_counts", ctx.path, ctx.version, ctx.filters)
    total = int(counts["quotes"].sum())
    if not total:
        st.info("No quotations in the articles under these filters. Widen the dates, or clear the query, outlet "
                "or topic filters.")
        return
    how = ", ".join(f"{HOW.get(str(r.attribution), r.attribution)} {r.share:.0%}" for r in counts.itertuples()
                    if r.quotes)
    st.caption(f"{total:,} direct quotations in the articles under the sidebar's filters. Their speakers: {how}.")
    top = said("most_quoted", ctx.path, ctx.version, ctx.filters, TOP)
    most_quoted_table(ctx, top)
    quotations(ctx, top, total)


def most_quoted_table(ctx: PageContext, top: Any) -> None:
    """Draw the most-quoted table (each speaker linked to their profile) and its CSV."""
    st.subheader("Most quoted")
    st.caption("Quoted: quotations attributed to them; mentioned: sentences naming them, under the same filters. "
               "Tone of what they say (their quotations) and tone toward them (where they are named) are two "
               "different numbers.")
    if top.empty:
        st.caption("No quotation under these filters names its speaker (described or unknown speakers only).")
        return
    shown = with_links(top)
    order = ["name", "profile", *[c for c in top.columns if c != "name"]]
    st.dataframe(shown, hide_index=True, width="stretch", key="quotes_top", column_order=order,
                 column_config=COLUMNS)
    st.download_button(f"CSV ({len(top):,} rows)", export.to_bytes(top, "csv", ctx.about),
                       ctx.about.file_name("most-quoted", "csv"), "text/csv", key="dl_most_quoted",
                       icon=":material/download:", help="The table: the `most_quoted` frame")


def chosen_speaker(names: list[str]) -> str | None:
    """Draw the speaker box (kept in the URL as `speaker`); return the speaker chosen, None for anyone.

    A speaker named in the URL but not among the most quoted is offered too (a shared link opens them).
    """
    asked = st.query_params.get(SPEAKER, "")
    # "" is anyone (a None value would show the box empty, "Choose an option")
    options = [ANYONE, *names, *([asked] if asked and asked not in names else [])]
    if st.session_state.get("quote_speaker", asked) not in options:
        st.session_state["quote_speaker"] = ANYONE
    elif "quote_speaker" not in st.session_state:
        st.session_state["quote_speaker"] = asked
    picked = st.selectbox("Speaker", options, key="quote_speaker", format_func=lambda n: n or "Anyone",
                          help="The most quoted first; or anyone: every quotation, newest first")
    if picked != asked:
        if picked:
            st.query_params[SPEAKER] = picked
        else:
            del st.query_params[SPEAKER]
    return picked or None


def quotations(ctx: PageContext, top: Any, total: int) -> None:
    """Draw the quotations of the speaker chosen (anyone's when none), newest first, with their CSV.

    `top`: the most-quoted table (the speakers offered, and how many quotations each has); `total`: everyone's.
    """
    st.subheader("Quotations")
    speaker = chosen_speaker(top["name"].tolist())
    about = ctx.about.with_fields({"speaker": speaker or "anyone"})
    counts = {str(n): int(q) for n, q in zip(top["name"], top["quotes"], strict=True)}
    known = total if speaker is None else counts.get(speaker)
    if not speaker_quotations(ctx.path, ctx.version, ctx.filters, speaker, about, "quotations", known=known):
        st.info(f"No quotation of {page.markdown_text(speaker or 'anyone')} under these filters.")
