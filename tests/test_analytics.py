"""Time series over the mentions frame."""
import pandas as pd
import pytest

from monitor import schema
from monitor.read import timeseries


def mentions(rows):
    frame = pd.DataFrame(rows, columns=["article_id", "date", "entity", "tone"])
    for column in schema.MENTIONS:
        if column not in frame:
            frame[column] = 0 if column == "sentence_id" else ""
    return schema.conform(frame, schema.MENTIONS, "mentions")


M = mentions([
    ("a", "2031-05-05 09:00", "Mara Velloso", 0.5), ("a", "2031-05-05 09:00", "Mara Velloso", -0.1),
    ("b", "2031-05-06 12:00", "Mara Velloso", 0.3), ("b", "2031-05-06 12:00", "Tomas Brandt", -0.6),
    ("c", "2031-05-14 08:00", "Tomas Brandt", 0.2), ("d", None, "Tomas Brandt", 0.9),
])


def test_daily_timeline_counts_mentions_articles_and_tone():
    out = timeseries.timeline(M, "D")
    first = out.iloc[0]
    assert (first["period"], first["entity"], first["mentions"], first["articles"]) == \
        (pd.Timestamp("2031-05-05"), "Mara Velloso", 2, 1)
    assert first["tone"] == pytest.approx(0.2)
    assert first["tone_low"] < 0.2 < first["tone_high"]
    assert out["mentions"].sum() == 5  # the undated mention is left out


def test_weekly_periods_start_on_monday():
    out = timeseries.timeline(M, "W")
    assert set(out["period"].dt.day_of_week) == {0}
    assert out.query("entity == 'Mara Velloso'")["mentions"].tolist() == [3]


def test_single_mention_has_zero_width_band_and_monthly_works():
    out = timeseries.timeline(M, "M")
    assert len(out) == 2
    one = timeseries.timeline(M.iloc[[2]], "D").iloc[0]
    assert one["tone_low"] == one["tone"] == one["tone_high"]


def test_empty_and_bad_freq():
    empty = timeseries.timeline(schema.empty(schema.MENTIONS), "D")
    assert empty.empty and list(empty.columns) == list(timeseries.TIMELINE)
    with pytest.raises(ValueError, match="freq must be one of"):
        timeseries.timeline(M, "Y")


@pytest.mark.parametrize("days, freq", [(0, "D"), (60, "D"), (120, "W"), (900, "M")])
def test_auto_freq(days, freq):
    first = pd.Timestamp("2031-01-01")
    assert timeseries.auto_freq(first, first + pd.Timedelta(days=days)) == freq
