"""The dashboard's Profile page (issue 14): everything about one person, organisation, place, group or topic.

UI only, beside dashboard.py (which opens it in its tab). The subject is in the URL as
`?page=Profile&profile=<name>&profile_kind=person|org|place|group|topic` (monitor.present.viewstate.BY_HAND);
`profile_url` makes such a link keeping the rest of the view's URL, for the other pages' tables and the
drill-down. The reads are monitor/read/profile.py, cached here per store version and filters.
"""
from __future__ import annotations

from functools import partial
from typing import Any
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from dashboard_context import PageContext
from dashboard_quote_cards import profile_section as quoted_section
from dashboard_store import cached, read
from monitor.present import charts, export, page
from monitor.present.provenance import Provenance, describe
from monitor.read import profile, timeseries

KIND_WORDS = {"person": "person", "org": "organisation", "place": "place", "group": "group", "topic": "topic"}
CARDS = 5  # sentences per side (most negative, most positive)
LINK = st.column_config.LinkColumn("Profile", display_text="Open profile",
                                   help="This one's profile page, with the same filters")


_TONE = "%+.2f"
# The tables' headings on the page (the CSVs keep the frames' own column names)
COLUMNS: dict[str, Any] = {
    "profile": LINK, "name": st.column_config.TextColumn("Name"), "kind": st.column_config.TextColumn("Kind"),
    "source": st.column_config.TextColumn("Outlet"), "surface": st.column_config.TextColumn("As written"),
    "articles": st.column_config.NumberColumn("Articles"), "mentions": st.column_config.NumberColumn("Mentions"),
    "sentences": st.column_config.NumberColumn("Same sentence", help="Sentences naming both"),
    "outlet_articles": st.column_config.NumberColumn("Outlet's articles"),
    "share": st.column_config.NumberColumn("Share", format="percent", help="Articles / the outlet's articles"),
    "tone": st.column_config.NumberColumn("Tone toward them", format=_TONE),
    "tone_n": st.column_config.NumberColumn("Tone scores"),
    "tone_toward_subject": st.column_config.NumberColumn("Tone toward the profiled", format=_TONE,
                                                         help="In the sentences naming both"),
    "tone_toward_them": st.column_config.NumberColumn("Tone toward this one", format=_TONE,
                                                      help="In the sentences naming both (a topic: their tone)"),
    "first_seen": st.column_config.DateColumn("First seen", format="YYYY-MM-DD"),
    "last_seen": st.column_config.DateColumn("Last seen", format="YYYY-MM-DD"),
    "elsewhere": st.column_config.NumberColumn("Given to others", help="Mentions of the same spelling that "
                                               "went to other names"),
}


profiled = partial(read, "profile")  # monitor.read.profile.<name>(store, ...), cached (dashboard_store.read)


def profile_url(name: str, kind: str) -> str:
    """Return the relative link to `name`'s profile, keeping every other parameter of the view's URL
    (its filters carry over)."""
    params = {k: st.query_params.get_all(k) for k in st.query_params if k not in ("page", "profile", "profile_kind")}
    return "?" + urlencode({**params, "page": "Profile", "profile": name, "profile_kind": kind}, doseq=True)


def with_links(frame: pd.DataFrame, name_column: str = "name", kind_column: str = "kind") -> pd.DataFrame:
    """Return `frame` with a `profile` column: the link to each row's profile."""
    links = [profile_url(str(n), str(k)) for n, k in zip(frame[name_column], frame[kind_column], strict=True)]
    return frame.assign(profile=pd.Series(links, index=frame.index, dtype="string"))


def open_subject(name: str, kind: str) -> None:
    """Put a subject into the URL (the page reads it from there) and rerun."""
    st.query_params["profile"] = name
    st.query_params["profile_kind"] = kind
    st.rerun()


def render(ctx: PageContext) -> None:
    """Draw the Profile page: the subject in the URL, or a picker when there is none (or it is unknown)."""
    asked, asked_kind = st.query_params.get("profile", ""), st.query_params.get("profile_kind") or None
    kind_hint = asked_kind if asked_kind in profile.SUBJECT_KINDS else None
    found = profiled("resolve_subject", ctx.path, ctx.version, asked, kind_hint) if asked.strip() else None
    if found is None:
        if asked.strip():
            what = KIND_WORDS.get(kind_hint or "", "person, organisation, place, group or topic")
            st.warning(f"The store has no {what} called “{page.markdown_text(asked)}”. The closest names are below.")
        picker(ctx, asked)
        return
    name, kind = found
    if (asked, asked_kind) != (name, kind):  # a spelling variant: the URL names the subject as the store does
        st.query_params.update({"profile": name, "profile_kind": kind})
    draw_profile(ctx, name, kind)
    with st.expander("Open another profile"):
        picker(ctx, "", key="profile_find_more", browse=False)


def picker(ctx: PageContext, text: str, key: str = "profile_find", browse: bool = True) -> None:
    """Draw the search box and up to ten matching entities and topics, each a button opening its profile.

    `browse`: with nothing typed, list the most mentioned (else nothing: no query until the user types).
    """
    typed = st.text_input("Find a person, organisation, place, group or topic", value=text, key=key,
                          placeholder="a name or part of one, e.g. a surname")
    if not browse and not typed.strip():
        return
    found = profiled("find_subjects", ctx.path, ctx.version, typed, 10)
    if found.empty:
        st.info("Nothing in the store is called so, or close to it. Try part of the name.")
        return
    st.caption("Most mentioned in the whole store first." if not typed.strip() else
               "The closest spellings first (a name containing the text counts as closer), then the most "
               "mentioned.")
    for i, row in enumerate(found.itertuples()):
        label = f"{row.name} · {KIND_WORDS.get(str(row.kind), row.kind)} · {row.mentions:,} mentions"
        if st.button(page.markdown_text(label), key=f"{key}_{i}"):
            open_subject(str(row.name), str(row.kind))


def draw_profile(ctx: PageContext, name: str, kind: str) -> None:
    """Draw the whole profile of one subject under the sidebar's filters."""
    about = profile_provenance(ctx, name, kind)
    st.header(f"{page.markdown_text(name)} ({KIND_WORDS[kind]})")
    said = " · ".join(line for line in about.lines() if not line.startswith(("profile", "period", "measure", "tone")))
    st.caption(f"The sidebar's filters apply here — {page.markdown_text(said)}. Its choice of names and kind "
               "does not.")
    head = profiled("summary", ctx.path, ctx.version, ctx.filters, name, kind)
    if int(head["mentions"].iloc[0]) == 0:
        st.info(f"No {'hits of' if kind == 'topic' else 'mentions of'} {page.markdown_text(name)} under these "
                "filters. Widen the dates, or clear the query, outlet or topic filters.")
        return
    headline(head.iloc[0], kind)
    over_time(ctx, name, kind, about)
    strongest_section(ctx, name, kind, about)
    if kind != "topic":  # who said what (dashboard_quote_cards): quoted beside mentioned, their two tones
        quoted_section(ctx.path, ctx.version, ctx.filters, name, kind, about)
    companions_section(ctx, name, kind, about)
    outlets_section(ctx, name, kind, about)
    variants_section(ctx, name, kind, about)


def profile_provenance(ctx: PageContext, name: str, kind: str) -> Provenance:
    """Return what the profile's downloads hold: the sidebar's filters (not its names) and the profile."""
    about = describe(ctx.filters, dates=(ctx.span[0].date(), ctx.span[1].date()), freq=ctx.freq,
                     normalised=ctx.view.normalised, smooth=ctx.view.smooth)
    unused = ("kind", "entities", "entities chosen by", "minimum mentions")  # the sidebar's entity choice
    kept = Provenance(tuple(f for f in about.fields if f[0] not in unused),
                      tuple(n for n in about.named if n not in unused))
    return kept.with_fields({"profile": name, "profile kind": kind})


def headline(row: Any, kind: str) -> None:
    """Draw the headline figures: mentions, articles, outlets, first and last seen, mean tone with its n."""
    cols = st.columns(4)
    cols[0].metric("Hits" if kind == "topic" else "Mentions", f"{row.mentions:,}",
                   help="Sentences hitting the topic" if kind == "topic" else "Sentences naming them")
    cols[1].metric("Articles", f"{row.articles:,}")
    cols[2].metric("Outlets", f"{row.outlets:,}")
    what = "Tone of its sentences" if kind == "topic" else "Mean tone toward them"
    cols[3].metric(what, f"{row.tone:+.2f}" if pd.notna(row.tone) else "–",
                   help=f"From {row.tone_n:,} scores, −1 to +1: {row.positive:.0%} positive, "
                        f"{row.negative:.0%} negative")
    # the days as a line, not a metric: two dates in a metric's large type wrap over three lines
    seen = (f"First seen {row.first_seen:%d %b %Y}, last seen {row.last_seen:%d %b %Y}"
            if pd.notna(row.first_seen) else "Undated")
    st.caption(f"{seen} · mean tone from {row.tone_n:,} scores: {row.positive:.0%} positive, "
               f"{row.negative:.0%} negative.")


def over_time(ctx: PageContext, name: str, kind: str, about: Provenance) -> None:
    """Draw coverage and tone over time (the Overview's series and charts, so the conventions hold)."""
    totals = cached("period_totals", ctx.path, ctx.version, ctx.filters, ctx.freq)
    read = "topic_series" if kind == "topic" else "entity_series"
    series = timeseries.smooth_tone(cached(read, ctx.path, ctx.version, ctx.filters, ctx.freq, [name], totals),
                                    ctx.view.smooth)
    colors = charts.colors_for([name])
    measure = "share of articles" if ctx.view.normalised else "mentions"
    left, right = st.columns(2)
    fig = charts.mentions_chart(series, normalised=ctx.view.normalised, colors=colors, subject=KIND_WORDS[kind],
                                span=ctx.span, title=f"Coverage per {ctx.period_word} ({measure})")
    with left:
        ctx.chart_block("profile_mentions", fig, series, f"Articles {'hitting' if kind == 'topic' else 'naming'} "
                        f"{page.markdown_text(name)} per {ctx.period_word}"
                        + (", as a share of all articles." if ctx.view.normalised else "."), provenance=about)
    tone = charts.TONE_OF_SENTENCES if kind == "topic" else charts.TONE_TOWARD
    fig = charts.tone_chart(series, colors=colors, title=f"Tone per {ctx.period_word}", measure=tone)
    with right:
        ctx.chart_block("profile_tone", fig, series, "Mean tone " + ("of the sentences hitting the topic"
                        if kind == "topic" else "toward them, scored for the name within its sentence")
                        + ", with its 95% interval.", provenance=about)


def strongest_section(ctx: PageContext, name: str, kind: str, about: Provenance) -> None:
    """Draw the sentences with the strongest tone, most negative beside most positive, and their CSV."""
    st.subheader("Strongest tone" + ("" if kind == "topic" else " toward them"))
    rows = profiled("strongest", ctx.path, ctx.version, ctx.filters, name, kind, CARDS)
    target = None if kind == "topic" else name
    for column, side in zip(st.columns(2), ("negative", "positive"), strict=True):
        picked = rows[rows["side"] == side]
        column.markdown(f"**Most {side}**")
        if picked.empty:
            column.caption(f"No {side} sentence (tone {'≤ −0.05' if side == 'negative' else '≥ +0.05'}).")
        column.markdown("\n".join(card(r, target) for r in picked.itertuples()), unsafe_allow_html=True)
    download("strongest", rows, about, f"the {CARDS} most negative and {CARDS} most positive sentences")


def card(r: Any, target: str | None) -> str:
    """Return one sentence's card (HTML made safe by page.sentence_card)."""
    surfaces = [str(r.surfaces).rstrip("*")] if pd.notna(r.surfaces) else []
    return page.sentence_card(r.text, surfaces, r.tone, r.title if pd.notna(r.title) else None, r.source,
                              f"{r.date:%d %b %Y}" if pd.notna(r.date) else "undated",
                              r.url if pd.notna(r.url) else None, int(r.copies),
                              sentence_tone=r.sentence_tone if target else None, target=target)


def download(key: str, frame: pd.DataFrame, about: Provenance, what: str) -> None:
    """Draw a CSV download of `frame`, its file named by the view's filters and the profile (inside too)."""
    st.download_button(f"CSV ({len(frame):,} rows)", partial(export.to_bytes, frame, "csv", about),
                       about.file_name(f"profile-{key}", "csv"), "text/csv", key=f"dl_profile_{key}",
                       icon=":material/download:", help=f"The table: {what}")


def table(key: str, frame: pd.DataFrame, about: Provenance, what: str) -> None:
    """Draw a table (its link column, when it has one, second: seen without scrolling) and its CSV download.

    The page shows readable headings; the CSV keeps the frame's columns (the README's data dictionary).
    """
    order = list(frame.columns)
    if "profile" in order:
        order.remove("profile")
        order.insert(1, "profile")
    config = {c: COLUMNS[c] for c in order if c in COLUMNS}
    st.dataframe(frame, hide_index=True, width="stretch", key=f"profile_table_{key}", column_order=order,
                 column_config=config)
    download(key, frame.drop(columns=["profile"], errors="ignore"), about, what)


def companions_section(ctx: PageContext, name: str, kind: str, about: Provenance) -> None:
    """Draw the entities named with the subject (linked to their profiles) and its topics."""
    left, right = st.columns(2)
    with left:
        st.subheader("Named with them" if kind != "topic" else "Named in its articles")
        people = with_links(profiled("companions", ctx.path, ctx.version, ctx.filters, name, kind, "entity", 25))
        st.caption("Articles: articles naming both; same sentence: sentences naming both; the tone toward each "
                   "in those shared sentences (empty when they never share one). " + ("" if kind == "topic" else
                   "Any kind of name; the most shared articles first."))
        table("named_with", people, about, "the names found with the subject")
    with right:
        st.subheader("Topics" if kind != "topic" else "Other topics in its articles")
        topics = with_links(profiled("companions", ctx.path, ctx.version, ctx.filters, name, kind, "topic", 25))
        st.caption("Articles with the topic that name them; sentences hitting the topic that name them; tone "
                   "toward them there and the sentences' own tone.")
        table("topics", topics, about, "the subject's topics")


def outlets_section(ctx: PageContext, name: str, kind: str, about: Provenance) -> None:
    """Draw the outlets covering the subject most and least, as shares of their articles, with a size floor."""
    st.subheader("Outlets")
    coverage = profiled("outlet_coverage", ctx.path, ctx.version, ctx.filters, name, kind)
    sizes = coverage["outlet_articles"]
    default = max(1, min(profile.OUTLET_FLOOR, int(sizes.median()))) if len(sizes) else 1
    floor = int(st.number_input("Only outlets with at least this many articles", min_value=1, value=default,
                                key="profile_outlet_floor"))
    most, least = profile.most_and_least(coverage, floor, 10)
    st.caption(f"Share: the outlet's articles naming them as a share of all its articles under these filters; "
               f"only the {int((sizes >= floor).sum()):,} of {len(sizes):,} outlets with at least {floor:,} "
               "articles, so a tiny outlet does not top the list. Tone: toward them there, from that many scores.")
    left, right = st.columns(2)
    with left:
        st.markdown("**Cover them most**")
        table("outlets_most", most, about, "the outlets covering the subject most")
    with right:
        st.markdown("**Cover them least**")
        table("outlets_least", least, about, "the outlets covering the subject least")


def variants_section(ctx: PageContext, name: str, kind: str, about: Provenance) -> None:
    """Draw the spellings merged into the subject (a topic: its keywords) and the namesakes kept apart."""
    left, right = st.columns(2)
    with left:
        st.subheader("Keywords that matched" if kind == "topic" else "Spellings merged into them")
        frame = profiled("variants", ctx.path, ctx.version, ctx.filters, name, kind)
        st.caption("Each as written, with its mentions: a spelling that does not belong shows a wrong merge "
                   "(correct it on the Overview's corrections panel). Given to others: mentions of the same "
                   "spelling that went to other names." if kind != "topic" else "The taxonomy's keywords, as matched.")
        table("variants", frame, about, "the spellings merged into the subject")
    if kind == "topic":
        return
    with right:
        st.subheader("Namesakes kept apart")
        others = with_links(profiled("namesakes", ctx.path, ctx.version, name, kind))
        if others.empty:
            st.caption("No other name in the store is written with any of these spellings.")
            return
        st.caption("Other names in the whole store (the filters aside) written with one of these spellings; "
                   "the ingest linked each such mention to one of them by its article.")
        table("namesakes", others, about.with_fields({"namesakes": "whole store"}), "the namesakes kept apart")

