"""The dashboard's Outlets page (issue 14): outlet groups compared, and the per-outlet breakdown.

Media Cloud's "compare across partisanship": choose a grouping (data/outlets.toml, or a label the input records
carry such as political_bias), then see, for one of the view's people (or topics), its coverage in each group over
time (a share of each group's own articles: groups differ in size), the tone toward it in each group, and which
outlet covers whom in what tone. Also the sidebar's "Outlet group" filter (outlet_group_filter), which restricts
every page. UI only, beside dashboard.py; the reads are monitor/read/outlets.py, cached here per store version.
"""
from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from dashboard_context import PageContext
from dashboard_store import read
from monitor.present import charts, export, page
from monitor.present.figure_base import plot_text
from monitor.read import outlet_groups, outlets
from monitor.read.outlet_groups import UNGROUPED, OutletGroup, OutletsError
from monitor.read.outlet_scope import GroupingChoice
from monitor.schema import MATRIX, SERIES

HEATMAP_OUTLETS = 25  # outlets on the heatmap (the most mentioning): the table and its CSV have them all
ALL = "All outlets"


cached = partial(read, "outlets")  # monitor.read.outlets.<name>(store, ...), cached (dashboard_store.read)


def file_groupings() -> tuple[dict[str, outlet_groups.Grouping], str]:
    """Return the outlets file's groupings and the problem that made them none ("" when it reads)."""
    try:
        return outlet_groups.load(), ""
    except OutletsError as exc:
        return {}, str(exc)


def choices(path: str, version: int) -> tuple[dict[str, GroupingChoice], str]:
    """Return every grouping offered (the file's, then the stored label fields) and the file's problem."""
    from_file, problem = file_groupings()
    out: dict[str, GroupingChoice] = dict(from_file)
    for field in cached("label_fields", path, version):
        out.setdefault(field, field)
    return out, problem


def outlet_group_filter(sb, path: str, version: int) -> OutletGroup | None:
    """Draw the sidebar's "Outlet group" box (bound to the URL as `group=grouping:group`); return its filter."""
    offered, problem = choices(path, version)
    if problem:
        sb.warning(f"Outlet groups: {page.markdown_text(problem)}", icon=":material/warning:")
    options = [ALL] + [f"{name}:{group}" for name, choice in offered.items()
                       for group in cached("groups_of", path, version, choice)]
    picked = sb.selectbox("Outlet group", options, key="group", bind="query-params",
                          help="Only the articles of one group of outlets: a grouping of data/outlets.toml, or a "
                               "label the input records carry (political_bias, section ...). The Outlets page "
                               "compares the groups.")
    return None if picked in (None, ALL) else outlets.parse_group(str(picked), offered)


def render(ctx: PageContext) -> None:
    """Draw the Outlets page of the view in `ctx`."""
    offered, problem = choices(ctx.path, ctx.version)
    if problem:
        st.warning(f"The outlets file is not used: {page.markdown_text(problem)}", icon=":material/warning:")
    if not offered:
        st.info("No outlet groupings yet. List outlets by group in data/outlets.toml (the README's *Outlet groups* "
                "says how), or ingest records that carry a label such as political_bias or section.")
        outlet_table(ctx, None, "")
        return
    top = st.columns([2, 2, 1])
    name = top[0].selectbox("Group outlets by", list(offered), key="grouping", bind="query-params",
                            help="A grouping of data/outlets.toml, or a label field of the input records.")
    subjects = [*ctx.names, *(f"topic: {t}" for t in ctx.view.topics)]
    if not subjects:
        st.info("Choose people (or topics) in the sidebar to compare the groups' coverage of them.")
        return
    subject = top[1].selectbox("Compare the coverage of", subjects, key="og_subject")
    normalised = top[2].toggle("Share of each group's articles", value=True, key="og_norm",
                               help="Groups differ in size: on, each group's articles mentioning it as a share "
                                    "of all that group's articles; off, raw mention counts.")
    grouping = offered[name]
    about = ctx.about.with_fields({"grouping": name})
    group_sizes(ctx, grouping, name, about)
    if ctx.view.query:
        query_charts(ctx, grouping, normalised, about.with_fields({"compared": "the text query"}))
    group_charts(ctx, grouping, subject, normalised, about.with_fields({"compared": subject}))
    summary_table(ctx, grouping, about)
    outlet_table(ctx, grouping, name, about)


def group_sizes(ctx: PageContext, grouping: GroupingChoice, name: str, about) -> None:
    """Say each group's outlets and articles under the filters (what the shares are of), with the table's CSV."""
    sizes = cached("group_sizes", ctx.path, ctx.version, ctx.filters, grouping)
    said = " · ".join(f"{page.markdown_text(str(r.group))}: {r.outlets:,} outlet{'s' * (r.outlets != 1)}, "
                      f"{r.articles:,} articles" for r in sizes.itertuples())
    st.caption(f"Groups of {page.markdown_text(name)} under the filters — {said or 'no article'}")
    with st.expander("The groups' sizes as a table"):
        st.dataframe(sizes, hide_index=True, key="og_sizes")
        # on_click="ignore" on this page's CSVs: a click's rerun racing the download lost the file under load
        st.download_button("CSV", partial(export.to_bytes, sizes, "csv", about),
                           about.file_name("outlet_groups", "csv"), "text/csv", key="og_sizes_csv", on_click="ignore",
                           icon=":material/download:", help="The groups' sizes")


def summary_table(ctx: PageContext, grouping: GroupingChoice, about) -> None:
    """Show, per person (and topic) of the view and per group, the share of the group's articles that mention
    it and the mean tone toward it over the whole span, side by side: left vs right at a glance."""
    parts = [cached("group_summary", ctx.path, ctx.version, ctx.filters, grouping, list(ctx.names), "entity")]
    if ctx.view.topics:
        topics = cached("group_summary", ctx.path, ctx.version, ctx.filters, grouping, list(ctx.view.topics),
                        "topic")
        parts.append(topics.assign(name="topic: " + topics["name"]))  # a topic named like a person stays apart
    table = pd.concat([p for p in parts if len(p)] or parts[:1], ignore_index=True)
    st.markdown("**The groups side by side, over the whole span**")
    if table.empty:
        st.info("No article under these filters.")
        return
    left, right = st.columns(2)
    order = list(dict.fromkeys(table["group"]))
    share = table.pivot(index="name", columns="group", values="share")[order].loc[list(dict.fromkeys(table["name"]))]
    tone = table.pivot(index="name", columns="group", values="tone")[order].loc[share.index]
    left.caption("Share of each group's articles that mention each")
    left.dataframe(share, key="og_share", column_config={g: st.column_config.NumberColumn(g, format="percent")
                                                         for g in order})
    right.caption("Mean tone toward each in each group (−1 to +1; blank: never mentioned)")
    right.dataframe(tone, key="og_tone", column_config={g: st.column_config.NumberColumn(g, format="%+.2f")
                                                        for g in order})
    st.download_button("CSV", partial(export.to_bytes, table, "csv", about), about.file_name("group_summary", "csv"),
                       "text/csv", key="og_summary_csv", on_click="ignore", icon=":material/download:",
                       help="Per group and name: mentions, articles, share, tone with its 95% interval")


def query_charts(ctx: PageContext, grouping: GroupingChoice, normalised: bool, about) -> None:
    """Draw the text query's own coverage per group over time (its articles as a share of all each group's
    articles, the query aside) and their mean article tone: "how much of the left's coverage is the wall"."""
    series = cached("query_group_series", ctx.path, ctx.version, ctx.filters, ctx.freq, grouping)
    lines = series.assign(name=series["group"])[list(SERIES)[:-1]].assign(tone_smooth=series["tone"])
    colors = charts.colors_for(list(dict.fromkeys(series["group"])))
    query = page.markdown_text(ctx.view.query)
    st.markdown(f"**The text query by group** — articles matching {query}")
    left, right = st.columns(2)
    with left:
        fig = charts.mentions_chart(lines, normalised=normalised, colors=colors, subject="groups", span=ctx.span,
                                    title=f"Coverage of the query by group, per {ctx.period_word}")
        fig.update_layout(title_subtitle_text=plot_text(
            f"% of each group's articles matching the query; hollow: < {charts.THIN_ARTICLES} of its articles"
            if normalised else "Articles matching the query in each group"))
        ctx.chart_block("outlet_group_query", fig, series,
                        (f"Articles matching {query} as a share of all each group's articles per {ctx.period_word} "
                         "(every other filter applies to both)" if normalised else
                         f"Articles matching {query} per {ctx.period_word}, in each group")
                        + f"; outlets in no group are {UNGROUPED!r}.", provenance=about)
    with right:
        fig = charts.tone_chart(lines, colors=colors, title=f"Tone of the query's articles by group, per "
                                f"{ctx.period_word}", measure=charts.TONE_OF_SENTENCES)
        ctx.chart_block("outlet_group_query_tone", fig, series,
                        f"Mean article tone (VADER, −1 to +1) of the articles matching {query}, per group, with its "
                        "95% interval. The tone toward a person in them is below.", provenance=about)


def group_charts(ctx: PageContext, grouping: GroupingChoice, subject: str, normalised: bool, about) -> None:
    """Draw the coverage and the tone of `subject` per group over time, a line per group."""
    is_topic = subject.startswith("topic: ") and subject not in ctx.names
    label = subject.removeprefix("topic: ") if is_topic else subject
    series = cached("group_series", ctx.path, ctx.version, ctx.filters, ctx.freq, grouping, [label],
                    "topic" if is_topic else "entity")
    lines = series.assign(name=series["group"])[list(SERIES)[:-1]].assign(tone_smooth=series["tone"])
    colors = charts.colors_for(list(dict.fromkeys(series["group"])))
    shown = page.markdown_text(label)
    left, right = st.columns(2)
    with left:
        fig = charts.mentions_chart(lines, normalised=normalised, colors=colors, subject="groups", span=ctx.span,
                                    title=f"Coverage of {label} by group, per {ctx.period_word}")
        if normalised:  # each line is a share of its own group's articles, not of all the period's
            fig.update_layout(title_subtitle_text=plot_text(
                f"% of each group's articles naming {label}; hollow: < {charts.THIN_ARTICLES} of its articles"))
        else:
            fig.update_layout(title_subtitle_text=plot_text(f"Sentences naming {label} in each group's articles"))
        ctx.chart_block("outlet_group_coverage", fig, series,
                        (f"Each group's articles mentioning {shown}, as a share of all that group's articles per "
                         f"{ctx.period_word}" if normalised else f"Sentences mentioning {shown} per "
                         f"{ctx.period_word}, in each group") + f"; outlets in no group are {UNGROUPED!r}.",
                        provenance=about)
    with right:
        toward = f"of the sentences on {label}" if is_topic else f"toward {label}"
        fig = charts.tone_chart(lines, colors=colors, title=f"Tone {toward} by group, per {ctx.period_word}",
                                measure=charts.TONE_OF_SENTENCES if is_topic else charts.TONE_TOWARD)
        ctx.chart_block("outlet_group_tone", fig, series,
                        f"Mean tone {'of the sentences on' if is_topic else 'toward'} {shown} (−1 to +1) in each "
                        "group's articles, with its 95% interval.", provenance=about)


def outlet_table(ctx: PageContext, grouping: GroupingChoice | None, name: str, about=None) -> None:
    """Show who covers whom, in what tone: per outlet and person, mentions, share of the outlet's articles,
    mean tone toward the person with the mentions behind it; as a table, a heatmap and a CSV."""
    about = about or ctx.about
    st.markdown("**Per outlet: who covers whom, in what tone**")
    table = cached("outlet_breakdown", ctx.path, ctx.version, ctx.filters, grouping, list(ctx.names))
    if table.empty:
        st.info("No outlet has an article under these filters.")
        return
    st.dataframe(table, hide_index=True, key="og_outlets", column_config={
        "share": st.column_config.NumberColumn("share", format="percent", help="of the outlet's articles"),
        "tone": st.column_config.NumberColumn("tone", format="%+.2f", help="mean tone toward the name"),
        "tone_n": st.column_config.NumberColumn("tone n", help="mentions the tone averages")})
    st.download_button("CSV", partial(export.to_bytes, table, "csv", about),
                       about.file_name("outlet_breakdown", "csv"), "text/csv", key="og_outlets_csv", on_click="ignore",
                       icon=":material/download:", help="The per-outlet breakdown, every outlet")
    busiest = (table.groupby("source")["mentions"].sum().sort_values(ascending=False)
               .head(HEATMAP_OUTLETS).index)
    matrix = table[table["source"].isin(busiest)].rename(columns={"source": "topic"})
    matrix = matrix.assign(topic=matrix["topic"] + _group_suffix(matrix["group"]) if name else matrix["topic"])
    fig = charts.heatmap_chart(matrix[list(MATRIX)], title="Outlet × name: mean tone (colour) and mentions")
    ctx.chart_block("outlet_heatmap", fig, heatmap_rows(table, busiest),
                    f"The {len(busiest)} outlets that mention them most; a blank cell: no mention.", provenance=about)


def _group_suffix(groups: pd.Series) -> pd.Series:
    """Return " (group)" for each outlet's group label, to read the heatmap's rows by group."""
    return " (" + groups.astype(str) + ")"


def heatmap_rows(table: pd.DataFrame, outlets_shown: pd.Index) -> pd.DataFrame:
    """Return the breakdown rows of the outlets the heatmap shows (its data download)."""
    return table[table["source"].isin(outlets_shown)].reset_index(drop=True)

