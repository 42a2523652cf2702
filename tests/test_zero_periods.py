"""A period without mentions is a zero in every time series (the charts' lines and every CSV), never a skipped row.

Before: a week in which a person was not named had no row, so lines bridged the gap and a spreadsheet's average
of the CSV was the average over the weeks with mentions only.
"""
from __future__ import annotations

import io
from datetime import date, timedelta

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor import schema
from monitor.present import export
from monitor.read import aggregations, timeseries
from monitor.read.filters import Filters

NAMES = ("Ada Quill", "Bo Renner", "Cy Tamsin")
FREQ_CODES = {"D": "D", "W": "W-SUN", "M": "M"}


def period_of(day: date, freq: str) -> pd.Timestamp:
    """Return the first day of the period holding DAY (weeks from Monday), as DuckDB's date_trunc gives it."""
    return pd.Timestamp(day).to_period(FREQ_CODES[freq]).start_time


@st.composite
def mentions_and_articles(draw):
    """Draw articles on a set of days, some of them naming some of NAMES, and a period length."""
    freq = draw(st.sampled_from(["D", "W", "M"]))
    span = {"D": 40, "W": 200, "M": 900}[freq]
    start = draw(st.dates(date(2015, 1, 1), date(2030, 1, 1)))
    days = draw(st.lists(st.integers(0, span), min_size=1, max_size=25, unique=True))
    rows = []
    for offset in days:
        day = start + timedelta(days=offset)
        named = draw(st.lists(st.sampled_from(NAMES), max_size=3, unique=True))
        rows.append((day, named))
    return freq, rows


def raw_and_totals(freq: str, rows: list[tuple[date, list[str]]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the per-period counts the SQL makes (only periods with mentions) and the articles per period."""
    totals = pd.DataFrame({"period": [period_of(d, freq) for d, _ in rows]}).value_counts().rename(
        "total_articles").reset_index()
    hits = [(period_of(d, freq), n) for d, named in rows for n in named]
    raw = pd.DataFrame(hits, columns=["period", "name"]).astype({"period": "datetime64[us]"})
    raw = raw.groupby(["period", "name"]).size().rename("mentions").reset_index()
    raw = raw.assign(articles=raw["mentions"], tone=0.1, sd=float("nan"))
    return raw, totals


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mentions_and_articles())
def test_every_period_of_the_span_is_a_row_for_every_name(drawn):
    freq, rows = drawn
    raw, totals = raw_and_totals(freq, rows)
    series = aggregations.finish_series(raw, totals, freq, list(NAMES))
    schema.check(series, schema.SERIES, "series")
    days = [d for d, _ in rows]
    expected = list(timeseries.period_range(pd.Timestamp(min(days)), pd.Timestamp(max(days)), freq))
    for name in NAMES:
        mine = series[series["name"] == name]
        assert mine["period"].tolist() == expected  # contiguous: no period skipped, none doubled
        named = raw[raw["name"] == name]
        assert mine["mentions"].sum() == named["mentions"].sum()
        quiet = mine[~mine["period"].isin(named["period"])]
        assert (quiet["mentions"] == 0).all() and (quiet["articles"] == 0).all()
        assert quiet["tone"].isna().all()  # no mention, no tone: never a made-up neutral 0
    by_period = totals.set_index("period")["total_articles"]
    with_articles = series["period"].isin(by_period.index)
    assert (series.loc[with_articles, "share"] >= 0).all()
    assert series.loc[~with_articles, "share"].isna().all()  # 0 of 0 articles is not 0%
    assert (series.loc[~with_articles, "total_articles"] == 0).all()


@settings(max_examples=40, deadline=None)
@given(mentions_and_articles())
def test_a_spreadsheet_average_of_the_csv_is_the_mean_per_period(drawn):
    freq, rows = drawn
    raw, totals = raw_and_totals(freq, rows)
    series = timeseries.smooth_tone(aggregations.finish_series(raw, totals, freq, list(NAMES)), 3)
    csv = pd.read_csv(io.BytesIO(export.to_bytes(series, "csv")), comment="#")
    days = [d for d, _ in rows]
    n_periods = len(timeseries.period_range(pd.Timestamp(min(days)), pd.Timestamp(max(days)), freq))
    for name in NAMES:
        mine = csv[csv["name"] == name]
        assert mine["mentions"].mean() == pytest.approx(raw.loc[raw["name"] == name, "mentions"].sum() / n_periods)
    assert series.loc[series["mentions"] == 0, "tone_smooth"].isna().all()  # smoothing draws no tone where none


@pytest.mark.parametrize("freq", ["D", "W", "M"])
def test_the_stores_series_have_no_gaps(fiction_store, freq):
    """The fiction store has articles on 1, 3, 10, 17 and 24 March 2021: days between them are zeros."""
    people = aggregations.timeline(fiction_store, Filters(), freq)
    topics = aggregations.topic_options(fiction_store, Filters())["name"].tolist()
    for series, column in ((people, "entity"), (aggregations.topic_series(fiction_store, Filters(), freq, topics),
                                                "name")):
        expected = list(timeseries.period_range(pd.Timestamp("2021-03-01"), pd.Timestamp("2021-03-24"), freq))
        for _, rows in series.groupby(column):
            assert rows["period"].tolist() == expected
    if freq == "D":
        quiet_day = people[people["period"] == pd.Timestamp("2021-03-02")]
        assert len(quiet_day) and (quiet_day["mentions"] == 0).all() and (quiet_day["total_articles"] == 0).all()


def test_a_picked_name_never_mentioned_is_a_line_of_zeros(fiction_store):
    series = aggregations.entity_series(fiction_store, Filters(), "W", ["Mara Velloso", "Nobody Here"])
    nobody = series[series["name"] == "Nobody Here"]
    assert len(nobody) == 4 and (nobody["mentions"] == 0).all() and (nobody["share"] == 0).all()
