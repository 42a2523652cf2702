"""Each chart's data table (its text alternative) is drawn once its expander is opened, not before.

Hidden data grids cost the browser ~0.5 s of CPU before the first chart on a 100,000-article store
(bench/dashboard.py, section (e)); a closed expander now holds nothing, and opening it (a rerun) draws the
chart's rows. Checked on several views of the fiction store: kinds, granularity, measure, a topic, a person.
"""
from __future__ import annotations

import json

import pytest

CHART_TABLE = "The chart's data as a table"

VIEWS = [
    {},
    {"kind": "place"},
    {"freq": "Week", "norm": "false"},
    {"entity": ["Mara Velloso", "Tomas Brandt"], "smooth": "2"},
    {"topic": "Elections and campaigns", "copies": "true"},
]


def chart_tables(at) -> dict[str, object]:
    """The page's chart-table expanders by their key (the expander's id ends with it)."""
    return {e.proto.id.split("-", 2)[-1]: e for e in at.expander if e.label == CHART_TABLE}


def chart_titles(at) -> list[str]:
    return [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]


@pytest.mark.parametrize("params", VIEWS, ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()) or "default")
def test_chart_tables_are_not_drawn_until_opened(app, fiction_store, params):
    at = app(fiction_store.path, params)
    assert not at.exception
    tables = chart_tables(at)
    assert len(tables) == len(at.get("plotly_chart")) > 0  # every chart keeps its table's expander
    assert all(not expander.dataframe for expander in tables.values())


@pytest.mark.parametrize("params", VIEWS[:4], ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()) or "default")
def test_opening_a_chart_table_draws_its_rows_and_only_its(app, fiction_store, params):
    at = app(fiction_store.path, params)
    titles = chart_titles(at)
    for key in chart_tables(at):
        at.session_state[key] = True  # what a click on the expander does: its state, then a rerun
        at.run()
        assert not at.exception
        tables = chart_tables(at)
        drawn = {k for k, expander in tables.items() if expander.dataframe}
        assert drawn == {key}
        frame = tables[key].dataframe[0].value
        assert len(frame) > 0 and len(frame.columns) > 1
        assert chart_titles(at) == titles  # the charts are the same: opening a table changes nothing else
        at.session_state[key] = False
