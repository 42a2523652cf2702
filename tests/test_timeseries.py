"""Time series: the period arithmetic and smoothing of monitor.read.timeseries, and the one SQL series
(monitor.read.aggregations) that the dashboard's charts and the CLI's timeline both read."""
from __future__ import annotations

import pandas as pd
import pytest

from monitor import schema
from monitor.read import aggregations, timeseries
from monitor.read.filters import Filters


@pytest.mark.parametrize("days, freq", [(0, "D"), (60, "D"), (120, "W"), (900, "M")])
def test_auto_freq(days, freq):
    first = pd.Timestamp("2031-01-01")
    assert timeseries.auto_freq(first, first + pd.Timedelta(days=days)) == freq


def test_a_bad_freq_is_refused_by_name(fiction_store):
    assert timeseries.trunc_unit("W") == "week"
    with pytest.raises(ValueError, match="freq must be one of"):
        aggregations.timeline(fiction_store, Filters(), "Y")


def test_smooth_tone_weights_by_mentions():
    series = schema.conform(pd.DataFrame({
        "period": pd.to_datetime(["2031-05-05", "2031-05-12", "2031-05-19"]), "name": ["Mara Velloso"] * 3,
        "mentions": [1, 3, 1], "articles": [1, 2, 1], "total_articles": [2, 2, 2], "share": [0.5, 1.0, 0.5],
        "tone": [0.4, 0.0, -0.8], "tone_low": [0.4, -0.2, -0.8], "tone_high": [0.4, 0.2, -0.8],
        "tone_smooth": [0.4, 0.0, -0.8]}), schema.SERIES, "series")
    smooth = timeseries.smooth_tone(series, 2)
    assert smooth["tone_smooth"].tolist() == pytest.approx([0.4, 0.1, -0.2])
    assert timeseries.smooth_tone(series, 1)["tone_smooth"].tolist() == series["tone"].tolist()


def test_timeline_counts_mentions_articles_and_tone_per_day(fiction_store):
    every = aggregations.timeline(fiction_store, Filters(), "D")
    schema.check(every, schema.TIMELINE, "timeline")
    out = every[every["mentions"] > 0].reset_index(drop=True)  # days without a mention: zeros (test_zero_periods)
    expected = fiction_store.query(
        "SELECT date_trunc('day', date) AS period, entity, count(*) AS mentions, "
        "count(DISTINCT article_id) AS articles, avg(tone) AS tone FROM mentions WHERE date IS NOT NULL "
        "GROUP BY period, entity ORDER BY period, entity")
    keys = ["period", "entity"]
    assert out[keys].astype(str).values.tolist() == expected[keys].astype(str).values.tolist()
    assert out["mentions"].tolist() == expected["mentions"].tolist()
    assert out["articles"].tolist() == expected["articles"].tolist()
    assert out["tone"].tolist() == pytest.approx(expected["tone"].tolist())
    assert (out["tone_low"] <= out["tone"]).all() and (out["tone"] <= out["tone_high"]).all()
    single = out[out["mentions"] == 1].iloc[0]
    assert single["tone_low"] == single["tone"] == single["tone_high"]  # one mention: no interval


def test_weekly_periods_start_on_monday_and_months_on_the_first(fiction_store):
    weekly = aggregations.timeline(fiction_store, Filters(), "W")
    assert set(weekly["period"].dt.day_of_week) == {0}
    monthly = aggregations.timeline(fiction_store, Filters(), "M")
    assert set(monthly["period"]) == {pd.Timestamp("2021-03-01")}  # the fiction runs through March 2021
    daily = aggregations.timeline(fiction_store, Filters(), "D")
    assert monthly.groupby("entity")["mentions"].sum().equals(daily.groupby("entity")["mentions"].sum())


def test_timeline_keeps_the_filtered_entity_and_is_typed_when_empty(fiction_store):
    velloso = aggregations.timeline(fiction_store, Filters(entities=("Velloso",)), "W")
    assert set(velloso["entity"]) == {"Mara Velloso"}
    nothing = aggregations.timeline(fiction_store, Filters(since="2031-01-01"), "D")
    assert nothing.empty
    schema.check(nothing, schema.TIMELINE, "timeline")


@pytest.mark.parametrize("f", [Filters(), Filters(unique_stories=True), Filters(sources=("Lakeside Ledger",)),
                               Filters(topics=("Economy and jobs",), since="2021-03-02")])
@pytest.mark.parametrize("freq", ["D", "W", "M"])
def test_timeline_is_the_dashboards_entity_series(fiction_store, f, freq):
    """One implementation: the CLI's timeline is entity_series for every entity, `name` called `entity`."""
    names = aggregations.entity_table(fiction_store, f, "person")["name"].tolist()
    names += [n for kind in ("org", "place", "group")
              for n in aggregations.entity_table(fiction_store, f, kind)["name"].tolist()]
    series = aggregations.entity_series(fiction_store, f, freq, names)
    expected = schema.conform(series.rename(columns={"name": "entity"}).sort_values(["period", "entity"]),
                              schema.TIMELINE, "timeline")
    pd.testing.assert_frame_equal(aggregations.timeline(fiction_store, f, freq), expected)
