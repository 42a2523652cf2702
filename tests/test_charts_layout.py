"""Charts read at a glance and do not mislead: legend clear of the axes, month ticks "Jan 2016", thin and partial
periods flagged, tone lines of several people in panels, colour-blind-safe colours, a short keyboard path."""
from __future__ import annotations

import itertools
import json

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.present import charts, figure_base
from tests.test_charts import make_matrix, make_series

MONTHS = ("2016-01-01", "2016-02-01", "2016-03-01", "2016-04-01")
WEEKS = ("2031-05-05", "2031-05-12", "2031-05-19")


def spec(fig) -> dict:
    return json.loads(fig.to_json())


@pytest.mark.parametrize("build", [
    lambda s: charts.mentions_chart(s, normalised=True, colors={}, title="Coverage"),
    lambda s: charts.mentions_chart(s, normalised=False, colors={}, title="Coverage"),
    lambda s: charts.tone_chart(s, colors={}, title="Tone"),
])
@pytest.mark.parametrize("periods", [MONTHS, WEEKS])
def test_the_legend_sits_under_the_tick_labels_clear_of_any_axis_title(build, periods):
    layout = spec(build(make_series(periods=periods)))["layout"]
    legend = layout["legend"]
    # on the figure's bottom edge, in pixels of the figure, not the plot: no plot height brings it up to the axis
    assert (legend["yref"], legend["y"], legend["yanchor"]) == ("container", 0, "bottom")
    assert not layout["xaxis"]["title"]["text"]  # dates need no axis title
    assert layout["margin"]["b"] >= figure_base.LEGEND_MARGIN


def test_month_ticks_and_hover_read_like_jan_2016():
    fig = charts.mentions_chart(make_series(periods=MONTHS), normalised=True, colors={}, title="Coverage")
    assert fig.layout.xaxis.tickformat == "%b %Y" and fig.layout.xaxis.hoverformat == "%b %Y"
    assert pd.Timestamp("2016-01-01").strftime(fig.layout.xaxis.tickformat) == "Jan 2016"
    assert {row[2] for t in fig.data for row in t.customdata} == {"Jan 2016", "Feb 2016", "Mar 2016", "Apr 2016"}
    weekly = charts.mentions_chart(make_series(periods=WEEKS), normalised=True, colors={}, title="Coverage")
    assert weekly.layout.xaxis.tickformat == "%d %b %Y"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 200), min_size=3, max_size=3))
def test_thin_periods_get_a_hollow_marker_and_a_note(totals):
    series = make_series(names=["Ada Quill"])
    series = series.assign(total_articles=totals, articles=[min(2, t) for t in totals])
    series = series.assign(share=(series["articles"] / series["total_articles"]).where(series["total_articles"] > 0))
    line = charts.mentions_chart(series, normalised=True, colors={}, title="Coverage").data[0]
    for total, symbol, custom in zip(totals, line.marker.symbol, line.customdata, strict=True):
        thin = total < charts.THIN_ARTICLES
        assert (symbol == "circle-open") == thin
        assert (f"Only {total} articles" in custom[-1]) == thin
        assert f"%{{customdata[{len(custom) - 1}]}}" in line.hovertemplate


@settings(max_examples=80, deadline=None)
@given(st.sampled_from(["W", "M"]), st.dates(pd.Timestamp("2015-01-01").date(), pd.Timestamp("2030-01-01").date()),
       st.integers(1, 120))
def test_partial_first_and_last_periods_are_shaded(freq, first, days):
    first_day, last_day = pd.Timestamp(first), pd.Timestamp(first) + pd.Timedelta(days=days)
    code = {"W": "W-SUN", "M": "M"}[freq]
    periods = pd.period_range(first_day, last_day, freq=code).start_time
    if len(periods) < 2:
        return
    series = make_series(names=["Ada Quill"], periods=tuple(periods.strftime("%Y-%m-%d")))
    fig = charts.mentions_chart(series, normalised=True, colors={}, title="Coverage", span=(first_day, last_day))
    shaded = [(pd.Timestamp(s.x0), pd.Timestamp(s.x1)) for s in fig.layout.shapes if s.type == "rect"]
    starts_whole = first_day == periods[0]
    ends_whole = (last_day + pd.Timedelta(days=1)).to_period(code).start_time != periods[-1]
    assert (not starts_whole) == any(a == periods[0] for a, _ in shaded)
    assert (not ends_whole) == any(a == periods[-1] for a, _ in shaded)
    assert [a.text for a in fig.layout.annotations] == ["partial"] * len(shaded)


def test_tone_of_several_people_gets_a_panel_each():
    names = ["Ada Quill", "Bo Renner", "Cy Tamsin", "Dee Orm"]
    fig = spec(charts.tone_chart(make_series(names=names), colors=charts.colors_for(names), title="Tone"))
    axes = {t.get("yaxis", "y") for t in fig["data"]}
    assert len(axes) == len(names)
    for name in names:  # a name's line and its band on one panel
        assert len({t.get("yaxis", "y") for t in fig["data"] if t["legendgroup"] == name}) == 1
    domains = sorted(fig["layout"][k]["domain"] for k in fig["layout"] if k.startswith("yaxis"))
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(domains))  # panels never overlap
    assert {a["text"] for a in fig["layout"]["annotations"]} == set(names)
    two = spec(charts.tone_chart(make_series(), colors={}, title="Tone"))
    assert {t.get("yaxis", "y") for t in two["data"]} == {"y"}  # two people still share one plot


def test_a_period_without_tone_breaks_the_band_as_it_breaks_the_line():
    series = make_series(names=["Ada Quill"], periods=("2031-05-05", "2031-05-12", "2031-05-19", "2031-05-26"))
    quiet = series["period"] == pd.Timestamp("2031-05-12")
    for column in ("tone", "tone_low", "tone_high", "tone_smooth"):
        series[column] = series[column].where(~quiet)
    series.loc[quiet, ["mentions", "articles"]] = 0
    band, line = charts.tone_chart(series, colors={}, title="Tone").data
    assert line.y[1] is None or pd.isna(line.y[1])
    assert list(band.x).count(None) == 2  # two outlines: before the quiet week and after it
    assert "2031-05-12" not in band.x


def test_heatmap_says_how_many_sentences_stand_behind_each_colour():
    heat = charts.heatmap_chart(make_matrix(), title="Matrix")
    assert "Sentences behind the colour: %{text}" in heat.data[0].hovertemplate
    assert heat.layout.xaxis.tickangle == "auto" and heat.layout.xaxis.automargin
    assert heat.layout.xaxis.side == "bottom"  # turned names grow the bottom margin, never reach the subtitle


def test_colours_a_colour_blind_reader_can_tell_apart():
    assert charts.PALETTE[:8] == ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442",
                                  "#000000")  # Okabe-Ito
    low, high = charts.TONE_SCALE[0][1], charts.TONE_SCALE[-1][1]
    red_green = int(high[3:5], 16) > int(high[5:7], 16) and int(low[1:3], 16) > int(low[3:5], 16)
    assert not red_green  # the positive end is blue, not green


def test_the_modebar_keeps_only_save_and_reset():
    removed = set(charts.plot_config("x")["modeBarButtonsToRemove"])
    assert {"zoom2d", "pan2d", "select2d", "lasso2d", "zoomIn2d", "zoomOut2d", "autoScale2d"} <= removed
    assert not {"toImage", "resetScale2d"} & removed
