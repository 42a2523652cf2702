"""The Outlets page and the sidebar's Outlet group filter, run by AppTest on fictional labelled outlets."""
import pandas as pd
import pytest

from monitor.read.outlet_groups import UNGROUPED
from tests.test_outlets import BIAS, TOML, labelled  # noqa: F401  (the labelled store fixture)


def frame_with(at, column: str) -> pd.DataFrame:
    """Return the first dataframe shown that has `column`."""
    return next(df.value for df in at.dataframe if column in df.value.columns)


def test_the_page_compares_the_label_groups_with_hand_counts(app, labelled):  # noqa: F811
    at = app(labelled.path, {"page": "Outlets", "entity": ["Mara Velloso"]})
    assert not at.exception
    assert at.selectbox(key="grouping").value == "political_bias"
    assert at.selectbox(key="grouping").proto.query_param_key == "grouping"  # in the URL (viewstate.BOUND)
    sizes = frame_with(at, "outlets").set_index("group")
    assert sizes["articles"].to_dict() == {"Left": 2, "Right": 3, UNGROUPED: 1}
    assert list(sizes.index) == ["Left", "Right", UNGROUPED]
    table = frame_with(at, "outlet_articles")
    assert set(table["group"]) == {"Left", "Right", UNGROUPED}
    courier = table[(table["source"] == "The Northbridge Courier") & (table["name"] == "Mara Velloso")].iloc[0]
    assert (courier["articles"], courier["outlet_articles"]) == (2, 2)


def test_the_outlet_group_filter_restricts_the_view_and_is_said(app, labelled, tmp_path, monkeypatch):  # noqa: F811
    toml = tmp_path / "outlets.toml"
    toml.write_text(TOML)
    monkeypatch.setenv("MONITOR_OUTLETS", str(toml))
    at = app(labelled.path, {"group": "leaning:right"})
    assert not at.exception
    assert at.selectbox(key="group").value == "leaning:right"
    assert at.metric[0].value == "3"  # the Ledger's three articles
    assert any("outlet group: leaning:right" in c.value.replace("\\", "") for c in at.caption)
    options = at.selectbox(key="group").options
    assert {"leaning:left", "leaning:right", f"leaning:{UNGROUPED}", "political_bias:Left"} <= set(options)


def test_a_broken_outlets_file_is_said_and_the_labels_still_work(app, labelled, tmp_path, monkeypatch):  # noqa: F811
    toml = tmp_path / "outlets.toml"
    toml.write_text('[groupings.leaning]\nleft = ["A", 3]\n')
    monkeypatch.setenv("MONITOR_OUTLETS", str(toml))
    at = app(labelled.path, {"page": "Outlets"})
    assert not at.exception
    said = [w.value.replace("\\", "") for w in at.warning]  # Markdown-escaped
    assert any("entry 2 is a number" in w and str(toml) in w for w in said), said
    assert at.selectbox(key="grouping").value == "political_bias"


@pytest.mark.parametrize("bias", sorted(BIAS.values()))
def test_each_label_group_via_the_url(app, labelled, bias):  # noqa: F811
    at = app(labelled.path, {"group": f"political_bias:{bias}"})
    assert not at.exception
    # the headline's article count: the group's own (the Courier's two, the Ledger's three)
    assert at.metric[0].value == str({"Left": 2, "Right": 3}[bias])


def test_without_groupings_the_page_says_how_and_still_breaks_down_by_outlet(app, fiction_store, tmp_path,
                                                                             monkeypatch):
    monkeypatch.setenv("MONITOR_OUTLETS", str(tmp_path / "none.toml"))  # no file: no groups, not an error
    at = app(fiction_store.path, {"page": "Outlets"})
    assert not at.exception and not at.warning
    assert any("No outlet groupings yet" in i.value for i in at.info)
    table = frame_with(at, "outlet_articles")
    assert set(table["source"]) == {"The Northbridge Courier", "Lakeside Ledger"}
    assert at.selectbox(key="group").options == ["All outlets"]
