"""The dashboard's Articles page (issue 14): the articles behind the current view, sorted and paged in the store,
one opened with its mentions marked; beside them the view's top outlets and its distinctive words and phrases.

UI only, beside dashboard.py (which opens it in its tab). The reads are monitor/read/article_list.py and
monitor/read/distinctive.py, cached here per store version and filters. The view: the sidebar's filters and text
query, and the entities chosen in the sidebar when there are some (the list then holds the articles mentioning
any of them, with the tone toward them).
"""
from __future__ import annotations

from functools import partial
from typing import Any
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from dashboard_context import PageContext
from dashboard_store import open_store, read
from monitor.present import article_text, export, page
from monitor.present.provenance import Provenance, describe
from monitor.read import article_list, distinctive
from monitor.read.filters import Filters

PAGE_SIZE = 50
SORT_WORDS = {"newest": "Newest", "oldest": "Oldest", "most copies": "Most copies (syndication)",
              "most negative": "Most negative", "most positive": "Most positive",
              "most mentions": "Most mentions of the chosen names"}
COLUMNS: dict[str, Any] = {  # in the table's order: what an analyst scans first on the left
    "title": st.column_config.TextColumn("Title", width="medium"),
    "source": "Outlet",
    "date": st.column_config.DatetimeColumn("Date", format="D MMM YYYY"),
    "target_tone": st.column_config.NumberColumn("Tone toward chosen", format="%+.2f",
                                                 help="Mean tone toward the chosen names in this article"),
    "tone": st.column_config.NumberColumn("Tone", format="%+.2f", help="The article's tone (VADER, −1..1)"),
    "target_mentions": st.column_config.NumberColumn("Mentions of chosen",
                                                     help="Sentences naming the chosen names"),
    "people": "People (most named)",
    "topics": "Topics",
    "copies": st.column_config.NumberColumn("Copies", help="Stored articles carrying the same story"),
    "outlets": st.column_config.NumberColumn("Outlets", help="Outlets that ran the story"),
    "url": st.column_config.LinkColumn("Link", display_text="open ↗", help="The article at its outlet"),
}


listed = partial(read, "article_list")  # monitor.read.article_list.<name>(store, ...), cached (dashboard_store.read)


@st.cache_resource(max_entries=4, show_spinner=False)
def store_sample(path: str, version: int) -> distinctive.DocCounts:
    """Return the store's sample word counts (kept, not copied, per version: read-only and some 50,000 terms)."""
    return distinctive.store_counts(open_store(path))


@st.cache_data(max_entries=64, show_spinner=False)
def distinctive_terms(path: str, version: int, filters: Filters, names: tuple[str, ...]) -> tuple[pd.DataFrame, int]:
    """Return the view's distinctive terms and the size of the view's sample they come from."""
    view = distinctive.view_counts(open_store(path), filters, names)
    return distinctive.log_odds(view, store_sample(path, version), limit=None), view.docs


def render(ctx: PageContext) -> None:
    """Draw the Articles page of the view in `ctx`."""
    names = tuple(ctx.view.entities)
    st.caption(scope_note(ctx, names))
    left, right = st.columns([2, 1], gap="medium")
    with left:
        article_section(ctx, names)
    with right:
        outlets_panel(ctx, names)
        words_panel(ctx, names)


def scope_note(ctx: PageContext, names: tuple[str, ...]) -> str:
    """Return the caption saying which articles the page holds (Markdown-escaped: names and queries are data)."""
    note = "The articles under the sidebar's filters"
    if ctx.view.query:
        note += f", matching the text query {page.markdown_text(ctx.view.query)}"
    if names:
        note += ", mentioning any of: " + ", ".join(map(page.markdown_text, names))
    else:
        note += " (no names chosen in the sidebar: every article of the view, whoever it mentions)"
    return note + "."


def view_provenance(ctx: PageContext, names: tuple[str, ...]) -> Provenance:
    """Return what this page's downloads hold: the view's filters and the names the articles must mention (none:
    every article of the view; the top names the charts draw are no filter here, so they are not named)."""
    about = describe(ctx.filters, kind=ctx.view.kind, names=names, chosen=bool(names), dates=ctx.span)
    return about.with_fields({"articles": ("mentioning any of " + "; ".join(names)) if names else
                              "every article of the view"}, named=False)


def all_articles_csv(path: str, version: int, filters: Filters, names: tuple[str, ...], sort: str,
                     about: Provenance) -> bytes:
    """Return the CSV of every article of the list (not one page), with the filters in its view columns."""
    # read when clicked and not cached: a whole list of 100,000 rows would sit in the cache for nothing
    rows = article_list.article_page(open_store(path), filters, names, sort, 0, None)
    return export.to_bytes(rows, "csv", about)


def pager(total: int) -> int:
    """Draw the page number box and its buttons; return the offset of the page shown."""
    pages = max(1, -(-total // PAGE_SIZE))
    # a narrower view has fewer pages: the box is brought into range before it is drawn
    st.session_state["articles_page"] = min(max(1, int(st.session_state.get("articles_page", 1))), pages)

    def turn(step: int) -> None:
        st.session_state["articles_page"] = min(max(1, st.session_state["articles_page"] + step), pages)

    back, number, forward, note = st.columns([1.3, 1.3, 1.1, 2.5], vertical_alignment="bottom")
    back.button("Previous", icon=":material/chevron_left:", key="articles_prev", on_click=turn, args=(-1,),
                disabled=st.session_state["articles_page"] <= 1)
    number.number_input(f"Page (of {pages:,})", min_value=1, max_value=pages, step=1, key="articles_page")
    forward.button("Next", icon=":material/chevron_right:", icon_position="right", key="articles_next",
                   on_click=turn, args=(1,),
                   disabled=st.session_state["articles_page"] >= pages)
    offset = (int(st.session_state["articles_page"]) - 1) * PAGE_SIZE
    note.markdown(f"**{offset + 1:,}–{min(offset + PAGE_SIZE, total):,} of {total:,}** articles")
    return offset


def article_section(ctx: PageContext, names: tuple[str, ...]) -> None:
    """Draw the sort box, the page of articles, its CSV of the whole list and the opened article."""
    st.subheader("Articles")
    total = int(listed("article_count", ctx.path, ctx.version, ctx.filters, names))
    if not total:
        st.info("No article matches this view. Widen the dates, clear the text query, a topic or an outlet.")
        return
    sorts: list[str] = [s for s in article_list.SORTS if names or s != "most mentions"]
    if st.session_state.get("articles_sort") not in sorts:
        st.session_state["articles_sort"] = "newest"
    top = st.columns([2, 1], vertical_alignment="bottom")
    sort = str(top[0].selectbox("Sort by", sorts, format_func=lambda s: SORT_WORDS[s], key="articles_sort",
                            on_change=lambda: st.session_state.update(articles_page=1),
                                help="With names chosen, the tone sorts use the tone toward them"))
    about = view_provenance(ctx, names).with_fields({"sorted by": sort}, named=False)
    top[1].download_button(f"CSV (all {total:,})", partial(all_articles_csv, ctx.path, ctx.version, ctx.filters,
                                                            names, sort, about),
                           about.file_name("articles", "csv"), "text/csv", key="dl_articles_csv",
                           icon=":material/download:", on_click="ignore",
                           help="Every article of the list, in this order")
    offset = pager(total)
    rows = listed("article_page", ctx.path, ctx.version, ctx.filters, names, sort, offset, PAGE_SIZE)
    article_table(rows, names)
    opened = opened_article(rows)
    if opened is not None:
        article_view(ctx, rows[rows["article_id"] == opened].iloc[0], names)


def article_table(rows: pd.DataFrame, names: tuple[str, ...]) -> None:
    """Draw the page's rows; a row clicked opens its article (in the box below the table)."""
    order = [c for c in COLUMNS if names or c not in ("target_tone", "target_mentions")]
    ids = rows["article_id"].tolist()

    def picked() -> None:
        chosen = st.session_state["articles_table"].selection.rows
        if chosen and chosen[0] < len(ids):
            st.session_state["articles_open"] = ids[chosen[0]]

    # Titles and names are data: the table shows cell text as text (no Markdown, no HTML).
    links = [(page.safe_url(u) if isinstance(u, str) else None) or "" for u in rows["url"]]  # web links only
    st.dataframe(rows.assign(title=rows["title"].fillna("(untitled)"),
                             url=pd.Series(links, index=rows.index, dtype="string")),
                 column_order=order, column_config=COLUMNS, hide_index=True, key="articles_table",
                 on_select=picked, selection_mode="single-row", height=min(38 + 35 * len(rows), 560))


def opened_article(rows: pd.DataFrame) -> str | None:
    """Draw the box that opens one of the page's articles (a row clicked in the table fills it); return its id."""
    ids = rows["article_id"].tolist()
    if st.session_state.get("articles_open") not in ids:
        st.session_state["articles_open"] = None  # a turned page or a new filter: nothing of it is open
    titles = dict(zip(ids, rows["title"].fillna("(untitled)"), strict=True))
    days = dict(zip(ids, rows["date"], strict=True))
    return st.selectbox("Open an article (or click a row)", [None, *ids], key="articles_open",
                        format_func=lambda a: "—" if a is None else
                        f"{titles[a]} · {days[a]:%d %b %Y}" if pd.notna(days[a]) else titles[a])


def profile_link(entity: str, entity_type: str) -> str:
    """Return the relative URL of an entity's profile page (the Profile tab reads `profile` and `profile_kind`)."""
    return "?" + urlencode({"page": "Profile", "profile": entity, "profile_kind": entity_type})


def article_view(ctx: PageContext, row: pd.Series, names: tuple[str, ...]) -> None:
    """Draw one article: its heading, tone and copies, the names in it (with links to their profiles), its text
    with every mention marked by the tone toward it, and its topics."""
    sentences = listed("article_sentences", ctx.path, ctx.version, row["article_id"])
    marks = listed("article_marks", ctx.path, ctx.version, row["article_id"])
    with st.container(border=True, key="article_opened"):
        st.html(article_text.heading(row, names))
        people = named_in(marks)
        if not people.empty:
            st.html(article_text.name_list(people, profile_link))
        st.html(article_text.article_body(sentences, marks, set(names)))  # the sidebar's names: canonical


def named_in(marks: pd.DataFrame) -> pd.DataFrame:
    """Return the entities marked in an article: how often, their mean tone, most named first."""
    if marks.empty:
        return pd.DataFrame({"entity": [], "entity_type": [], "mentions": [], "tone": []})
    return (marks.groupby(["entity", "entity_type"], as_index=False)
            .agg(mentions=("tone", "size"), tone=("tone", "mean"))
            .sort_values(["mentions", "entity"], ascending=[False, True]))


def outlets_panel(ctx: PageContext, names: tuple[str, ...]) -> None:
    """Draw the view's top outlets: articles, share of the view, and of the outlet's own articles in the dates."""
    st.subheader("Top outlets")
    frame = listed("top_outlets", ctx.path, ctx.version, ctx.filters, names, None)
    if frame.empty:
        st.caption("No outlet: the view holds no article.")
        return
    about = view_provenance(ctx, names)
    config: dict[str, Any] = {
        "source": "Outlet", "articles": "Articles",
        "share": st.column_config.NumberColumn("Share", format="percent", help="Of the view's articles"),
        "outlet_total": st.column_config.NumberColumn("Outlet's articles", help="Under the dates (and copies) alone"),
        "of_outlet": st.column_config.NumberColumn("Of outlet's", format="percent",
                                                   help="The view's articles as a share of the outlet's own")}
    st.dataframe(frame.head(10), hide_index=True, key="articles_outlets", column_config=config)
    st.caption(f"{len(frame):,} outlets in the view; *of outlet's*: how much of each outlet's output in these dates "
               "is in the view (its focus), beside its share of the view (its weight).")
    st.download_button(f"CSV ({len(frame):,} outlets)", export.to_bytes(frame, "csv", about),
                       about.file_name("top-outlets", "csv"), "text/csv", key="dl_articles_outlets",
                       icon=":material/download:", on_click="ignore")


def words_panel(ctx: PageContext, names: tuple[str, ...]) -> None:
    """Draw the view's distinctive words and two-word phrases against the whole store, and their CSV."""
    st.subheader("Distinctive words and phrases")
    terms, sampled = distinctive_terms(ctx.path, ctx.version, ctx.filters, names)
    st.caption(f"Words and two-word phrases the view uses more than the whole store: log-odds ratio with an "
               f"informative Dirichlet prior (Monroe et al. 2008), ranked by z-score, article counts (each "
               f"article counts a term once), stop words out. From a sample of {sampled:,} articles of the view "
               f"against {distinctive.STORE_SAMPLE:,} of the store (each chosen by a hash of its id); terms in at "
               f"least {distinctive.MIN_DOCS} sampled articles, z ≥ {distinctive.MIN_Z}.")
    if terms.empty:
        st.caption("No term stands out: the view reads like the store as a whole.")
        return
    words, phrases = st.tabs(["Words", "Phrases"])
    config: dict[str, Any] = {"term": "Term", "z": st.column_config.NumberColumn("z", format="%.1f"),
              "view_share": st.column_config.NumberColumn("In view", format="percent"),
              "store_share": st.column_config.NumberColumn("In store", format="percent")}
    for tab, kind in ((words, "word"), (phrases, "phrase")):
        with tab:
            shown = terms[terms["kind"] == kind].head(20)
            st.dataframe(shown, hide_index=True, column_order=["term", "z", "view_share", "store_share"],
                         column_config=config, key=f"articles_{kind}s")
    about = view_provenance(ctx, names).with_fields({"view sample": sampled,
                                                     "store sample": distinctive.STORE_SAMPLE}, named=False)
    st.download_button(f"CSV ({len(terms):,} terms)", export.to_bytes(terms, "csv", about),
                       about.file_name("distinctive-terms", "csv"), "text/csv", key="dl_articles_terms",
                       icon=":material/download:", on_click="ignore")
