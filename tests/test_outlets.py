"""Outlet groups: the outlets file, the groups of a record label, the Outlets page's reads and the filter."""
import json
import tomllib
from dataclasses import replace

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.ingest.pipeline import ingest
from monitor.read import frames, outlet_groups, outlets
from monitor.read.filters import Filters
from monitor.read.outlet_groups import UNGROUPED, Grouping
from monitor.read.outlet_scope import group_filter
from monitor.store import Store
from tests.conftest import FICTION

BIAS = {"The Northbridge Courier": "Left", "Lakeside Ledger": "Right"}
# An outlet no grouping places: shown as "ungrouped", never dropped.
EXTRA = ("2021-03-11", "Harbour Herald", "Okafor hails harbour",
         "Ines Okafor said the harbour plan was a triumph. Mara Velloso thanked the port workers warmly.")
# The file's grouping of the same outlets, spelt as a person might: case and spaces differ from the store's.
TOML = """
[groupings.leaning]
description = "fictional"
left = ["the  northbridge courier"]
right = ["LAKESIDE LEDGER", "Some Outlet Not Stored"]
centre = []
"""


@pytest.fixture(scope="module")
def labelled(tmp_path_factory):
    """A store of the fictional articles as JSONL records labelled political_bias, and one unlabelled outlet."""
    folder = tmp_path_factory.mktemp("labelled")
    rows = [{"date": day, "outlet": source, "title": title, "text": body, "political_bias": BIAS[source]}
            for day, source, title, body in FICTION]
    rows.append(dict(zip(("date", "outlet", "title", "text"), EXTRA, strict=True)))
    (folder / "news.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    path = folder / "labelled.duckdb"
    ingest(Store(path), [folder / "news.jsonl"])
    return Store(path, read_only=True)


@pytest.fixture(scope="module")
def leaning(tmp_path_factory) -> Grouping:
    path = tmp_path_factory.mktemp("toml") / "outlets.toml"
    path.write_text(TOML)
    return outlet_groups.load(path)["leaning"]


def hand_shares(store: Store, group_of: dict[str, str], name: str) -> dict[tuple[str, pd.Timestamp], float]:
    """(group, week) -> the group's articles mentioning `name` / all its articles, counted in pandas."""
    arts = frames.articles(store, Filters(unique_stories=True))
    arts = arts.assign(group=arts["source"].map(group_of).fillna(UNGROUPED),
                       period=arts["date"].dt.to_period("W-SUN").dt.start_time)
    ment = frames.mentions(store)
    hit = set(ment.loc[ment["entity"] == name, "article_id"])
    out = {}
    for (group, period), rows in arts.groupby(["group", "period"]):
        out[(group, period)] = rows["article_id"].isin(hit).sum() / len(rows)
    return out


@pytest.mark.parametrize("use_file", [False, True])
def test_group_shares_match_hand_counts(labelled, leaning, use_file):
    grouping = leaning if use_file else "political_bias"
    names = {"Left": "left", "Right": "right"} if use_file else {"Left": "Left", "Right": "Right"}
    group_of = {source: names[bias] for source, bias in BIAS.items()}
    f = Filters(unique_stories=True)
    for person in ("Mara Velloso", "Tomas Brandt"):
        series = outlets.group_series(labelled, f, "W", grouping, [person])
        got = {(r.group, r.period): r.share for r in series.itertuples() if r.total_articles > 0}
        assert got == pytest.approx(hand_shares(labelled, group_of, person))
        assert UNGROUPED in set(series["group"])  # the Harbour Herald, in no group


def test_group_sizes_and_outlet_breakdown(labelled, leaning):
    f = Filters(unique_stories=True)
    sizes = outlets.group_sizes(labelled, f, leaning)
    assert sizes.set_index("group")["articles"].to_dict() == {"left": 2, "right": 3, UNGROUPED: 1}
    by_label = outlets.group_sizes(labelled, f, "political_bias")
    assert by_label.set_index("group")["articles"].to_dict() == {"Left": 2, "Right": 3, UNGROUPED: 1}
    assert list(by_label["group"]) == ["Left", "Right", UNGROUPED]  # along the leaning scale, not by size
    table = outlets.outlet_breakdown(labelled, f, "political_bias", ["Mara Velloso", "Ines Okafor"])
    ment = frames.mentions(labelled)
    arts = frames.articles(labelled)
    for row in table.itertuples():
        mine = ment[(ment["source"] == row.source) & (ment["entity"] == row.name)]
        assert row.mentions == len(mine) and row.articles == mine["article_id"].nunique()
        assert row.outlet_articles == (arts["source"] == row.source).sum()
        assert row.share == pytest.approx(row.articles / row.outlet_articles)
        assert row.tone_n == mine["tone"].notna().sum()
        if len(mine):
            assert row.tone == pytest.approx(mine["tone"].mean())
        assert row.group == BIAS.get(row.source, UNGROUPED)
    assert len(table) == 3 * 2  # every outlet x name, zeros included


@pytest.mark.parametrize("group, outlets_kept", [
    ("left", {"The Northbridge Courier"}), ("right", {"Lakeside Ledger"}), (UNGROUPED, {"Harbour Herald"}),
    ("centre", set())])
def test_the_outlet_group_filter_restricts_every_frame(labelled, leaning, group, outlets_kept):
    f = Filters(outlet_group=group_filter(leaning, group))
    assert set(frames.articles(labelled, f)["source"]) == outlets_kept
    assert set(frames.mentions(labelled, f)["source"]) <= outlets_kept
    label = {"left": "Left", "right": "Right"}.get(group, group)
    if group != "centre":
        by_label = Filters(outlet_group=group_filter("political_bias", label))
        assert set(frames.articles(labelled, by_label)["source"]) == outlets_kept


def test_parse_group_reads_the_url_form(labelled, leaning):
    offered = outlets.groupings(labelled, {"leaning": leaning})
    assert list(offered) == ["leaning", "political_bias"]
    assert outlets.parse_group("leaning:left", offered).outlets == ("the northbridge courier",)
    assert outlets.parse_group("political_bias:Left", offered).kind == "label"
    assert outlets.parse_group("nope:left", offered) is None and outlets.parse_group("leaning", offered) is None
    assert replace(outlets.parse_group("leaning:left", offered)).words() == "leaning:left"


def test_readme_documents_the_outlet_frames_and_table():
    import re

    from monitor import schema
    from tests.conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, columns in {"article_labels": schema.ARTICLE_LABELS, "group_sizes": schema.GROUP_SIZES,
                          "group_series": schema.GROUP_SERIES, "group_summary": schema.GROUP_SUMMARY,
                          "outlet_breakdown": schema.OUTLET_BREAKDOWN}.items():
        section = readme.split(f"### `{name}`", 1)
        assert len(section) == 2, f"README has no data dictionary section for {name}"
        documented = re.findall(r"^\| `(\w+)` \|", section[1].split("###", 1)[0], flags=re.M)
        assert documented == list(columns), f"{name}: README lists {documented}"
    with Store(":memory:").connect() as con:
        stored = con.execute("SELECT column_name FROM duckdb_columns() WHERE table_name = 'article_labels'").fetchall()
    assert [c for (c,) in stored] == list(schema.ARTICLE_LABELS)


def test_downloads_name_the_outlet_group_and_other_views_keep_their_names(leaning):
    from monitor.present.provenance import describe

    plain = describe(Filters(unique_stories=True), kind="person", names=["Mara Velloso"])
    grouped = describe(Filters(unique_stories=True, outlet_group=group_filter(leaning, "left")), kind="person",
                       names=["Mara Velloso"])
    assert "outlet group: leaning:left" in grouped.text() and "outlet group" not in plain.text()
    assert "leaning-left" in grouped.file_name("mentions", "csv") and grouped.view_id != plain.view_id
    before = describe(Filters(unique_stories=True), kind="person", names=["Mara Velloso"])
    assert before.view_id == plain.view_id  # a view without the filter: the same name as before the filter existed
    labels = [k for k, _ in grouped.fields]
    assert labels[labels.index("outlets") + 1] == "outlet group"


def test_topic_coverage_per_group_matches_hand_counts(labelled):
    f = Filters(unique_stories=True)
    hits = frames.topic_hits(labelled)
    topic = hits["topic"].value_counts().index[0]
    series = outlets.group_series(labelled, f, "M", "political_bias", [topic], kind="topic")
    arts = frames.articles(labelled, f)
    group_of = arts["source"].map(BIAS).fillna(UNGROUPED)
    for group, rows in arts.groupby(group_of):
        got = series[(series["group"] == group) & (series["name"] == topic)]
        assert got["total_articles"].sum() == len(rows)
        hit = set(hits.loc[hits["topic"] == topic, "article_id"])
        assert got["articles"].sum() == rows["article_id"].isin(hit).sum()


def test_the_cli_exports_one_outlet_group(labelled, tmp_path, capsys):
    from monitor.cli import main

    toml = tmp_path / "outlets.toml"
    toml.write_text(TOML)
    out = tmp_path / "left.csv"
    assert main(["export", "articles", "--store", labelled.path, "--outlets", str(toml), "--outlet-group",
                 "leaning:left", "-o", str(out)]) == 0
    assert set(pd.read_csv(out)["source"]) == {"The Northbridge Courier"}
    assert main(["export", "articles", "--store", labelled.path, "--outlet-group", "political_bias:ungrouped",
                 "-o", str(out)]) == 0
    assert set(pd.read_csv(out)["source"]) == {"Harbour Herald"}
    assert main(["export", "articles", "--store", labelled.path, "--outlet-group", "nope:left"]) == 2
    assert "political_bias" in capsys.readouterr().err
    toml.write_text("[groupings.leaning]\nleft = 3\n")
    assert main(["export", "articles", "--store", labelled.path, "--outlets", str(toml), "--outlet-group",
                 "leaning:left"]) == 5


@pytest.mark.parametrize("use_file", [False, True])
def test_group_summary_matches_hand_counts(labelled, leaning, use_file):
    grouping = leaning if use_file else "political_bias"
    names = ["Mara Velloso", "Tomas Brandt", "Nobody Atall"]
    f = Filters(unique_stories=True)
    summary = outlets.group_summary(labelled, f, grouping, names)
    arts = frames.articles(labelled, f)
    spelled = {"Left": "left", "Right": "right"} if use_file else {"Left": "Left", "Right": "Right"}
    group_of = arts["source"].map({s: spelled[b] for s, b in BIAS.items()}).fillna(UNGROUPED)
    ment = frames.mentions(labelled, f)
    assert len(summary) == group_of.nunique() * len(names)  # every group x name, zeros included
    for row in summary.itertuples():
        mine = arts[group_of == row.group]
        said = ment[ment["article_id"].isin(mine["article_id"]) & (ment["entity"] == row.name)]
        assert (row.total_articles, row.mentions) == (len(mine), len(said))
        assert row.articles == said["article_id"].nunique()
        assert row.share == pytest.approx(row.articles / len(mine))
        if len(said):
            assert row.tone == pytest.approx(said["tone"].mean()) and row.tone_low <= row.tone <= row.tone_high
        else:
            assert pd.isna(row.tone)


def test_article_labels_frame_follows_the_filters(labelled):
    from monitor import schema

    every = outlets.article_labels(labelled)
    schema.check(every, schema.ARTICLE_LABELS, "article_labels")
    assert set(zip(every["field"], every["value"], strict=True)) == {("political_bias", "Left"),
                                                                    ("political_bias", "Right")}
    assert len(every) == len(FICTION)  # one label per labelled article, none for the Harbour Herald's
    ledger = outlets.article_labels(labelled, Filters(sources=("Lakeside Ledger",)))
    assert set(ledger["value"]) == {"Right"} and len(ledger) == 3


SPACES = st.sampled_from([" ", "  ", "\t", "\u00a0", " \u3000"])


@given(case=st.sampled_from([str.upper, str.lower, str.title, str.swapcase]), gap=SPACES, edge=SPACES)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_outlets_file_names_match_the_store_whatever_their_case_and_spaces(labelled, case, gap, edge):
    def spell(name: str) -> str:
        return edge + gap.join(case(name).split(" ")) + edge

    text = (f'[groupings.g]\nleft = ["{spell("The Northbridge Courier")}"]\n'
            f'right = ["{spell("Lakeside Ledger")}"]\n')
    grouping = outlet_groups.parse(tomllib.loads(text), "spelled")["g"]
    sizes = outlets.group_sizes(labelled, Filters(), grouping).set_index("group")["articles"].to_dict()
    assert sizes == {"left": 2, "right": 3, UNGROUPED: 1}
    assert outlets.group_sizes(labelled, Filters(outlet_group=group_filter(grouping, "right")), grouping)[
        "articles"].tolist() == [3]


@pytest.mark.parametrize("typed", ["Left", "left", "LEFT"])
def test_a_label_group_typed_in_any_case_finds_its_articles(labelled, typed):
    f = Filters(outlet_group=group_filter("political_bias", typed))
    assert set(frames.articles(labelled, f)["source"]) == {"The Northbridge Courier"}


@pytest.mark.parametrize("query", ["tram", "harbour OR flood*", "NOT tram", '"election campaign"'])
@pytest.mark.parametrize("use_file", [False, True])
def test_the_query_s_coverage_per_group_is_its_share_of_all_the_group_s_articles(labelled, leaning, use_file,
                                                                                 query):
    """Numerator: the group's articles the query matches; denominator: all the group's articles of the period
    (the query aside) — counted by hand from the public articles frame."""
    grouping = leaning if use_file else "political_bias"
    group_of = {"The Northbridge Courier": "left" if use_file else "Left",
                "Lakeside Ledger": "right" if use_file else "Right"}
    series = outlets.query_group_series(labelled, Filters(query=query), "W", grouping)
    every = frames.articles(labelled).assign(period=lambda a: a["date"].dt.to_period("W").dt.start_time)
    matched = set(frames.articles(labelled, Filters(query=query))["article_id"])
    every["group"] = every["source"].map(group_of).fillna(UNGROUPED)
    assert set(series["name"]) <= {query}
    for (group, period), rows in every.groupby(["group", "period"]):
        row = series[(series["group"] == group) & (series["period"] == period)]
        hits = int(rows["article_id"].isin(matched).sum())
        assert len(row) == 1 and int(row["articles"].iloc[0]) == hits
        assert int(row["total_articles"].iloc[0]) == len(rows)
        assert row["share"].iloc[0] == pytest.approx(hits / len(rows))
    assert outlets.query_group_series(labelled, Filters(), "W", grouping).empty  # no query, no series
