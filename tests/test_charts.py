"""Charts: frames in, plotly figures out (traces, click data, colours, bands, heatmap, template)."""
from __future__ import annotations

import math

import pandas as pd
import plotly.io as pio
import pytest

from monitor.present import charts, figure_base
from monitor.schema import FrameError

PEOPLE = ["Mara Velloso", "Tomas Brandt"]
PLOTLY_COLORWAY = ["#636efa", "#EF553B", "#00cc96", "#ab63fa", "#FFA15A",
                   "#19d3f3", "#FF6692", "#B6E880", "#FF97FF", "#FECB52"]


def make_series(names=PEOPLE, periods=("2031-05-05", "2031-05-12", "2031-05-19")) -> pd.DataFrame:
    """A SERIES frame: weekly periods, distinct numbers per name and period so values can be traced."""
    rows = []
    for i, name in enumerate(names):
        for j, period in enumerate(periods):
            articles, total = 2 + i + j, 10 + j
            tone = round(0.3 - 0.4 * i + 0.1 * j, 3)
            rows.append({"period": pd.Timestamp(period), "name": name, "mentions": 5 + 10 * i + j,
                         "articles": articles, "total_articles": total, "share": articles / total,
                         "tone": tone, "tone_low": tone - 0.2, "tone_high": tone + 0.2,
                         "tone_smooth": tone})
    return pd.DataFrame(rows).astype({"period": "datetime64[us]", "name": "string",
                                      "mentions": "int64", "articles": "int64",
                                      "total_articles": "int64"})


def make_top() -> pd.DataFrame:
    """A TOP frame listed out of order, so sorting is visible."""
    return pd.DataFrame({
        "name": ["Tomas Brandt", "The Northbridge Courier", "Mara Velloso"],
        "mentions": [30, 10, 60], "articles": [12, 6, 20], "tone": [-0.214, 0.0, 0.356],
        "positive": [0.2, 0.3, 0.55], "negative": [0.5, 0.1, 0.125],
        "share_of_voice": [0.3, 0.1, 0.6]}).astype({"name": "string"})


def make_matrix() -> pd.DataFrame:
    """A MATRIX frame where Tomas Brandt never hits "Health" and one listed pair has 0 mentions."""
    return pd.DataFrame({
        "name": ["Mara Velloso", "Mara Velloso", "Tomas Brandt", "Tomas Brandt"],
        "topic": ["Economy", "Health", "Economy", "Health"],
        "mentions": [7, 2, 4, 0], "tone": [0.4, -0.6, -0.2, 0.9]}).astype(
        {"name": "string", "topic": "string"})


def lines(fig):
    """Return the visible line traces (not band edges), by name."""
    return {t.name: t for t in fig.data if t.showlegend is not False}


def test_colors_follow_rank_order_and_palette():
    colors = charts.colors_for(["Mara Velloso", "Tomas Brandt", "The Northbridge Courier"])
    assert list(colors.values()) == list(charts.PALETTE[:3])
    assert charts.colors_for(["Tomas Brandt", "Mara Velloso"])["Tomas Brandt"] == charts.PALETTE[0]


def test_mentions_chart_one_trace_per_name_with_click_data():
    series = make_series()
    fig = charts.mentions_chart(series, normalised=False, colors=charts.colors_for(PEOPLE),
                                title="Mentions per week")
    assert [t.name for t in fig.data] == PEOPLE
    mara = fig.data[0]
    assert [list(row[:2]) for row in mara.customdata] == [
        ["Mara Velloso", "2031-05-05"], ["Mara Velloso", "2031-05-12"], ["Mara Velloso", "2031-05-19"]]
    assert mara.mode == "lines+markers"
    assert "Week of 05 May 2031" in mara.customdata[0][2]


def test_normalised_plots_share_percent_and_raw_plots_mentions():
    series = make_series()
    colors = charts.colors_for(PEOPLE)
    raw = charts.mentions_chart(series, normalised=False, colors=colors, title="Mentions")
    norm = charts.mentions_chart(series, normalised=True, colors=colors, title="Share")
    tomas = series[series["name"] == "Tomas Brandt"]
    assert list(raw.data[1].y) == tomas["mentions"].tolist()
    assert list(norm.data[1].y) == pytest.approx((tomas["share"] * 100).tolist())
    assert [row[6] for row in norm.data[1].customdata] == pytest.approx((tomas["share"] * 100).tolist())
    for part in ("%{customdata[0]}", "%{customdata[2]}", "Mentions", "Articles", "Share of articles"):
        assert part in norm.data[1].hovertemplate
    assert norm.layout.yaxis.title.text == "% of articles"
    assert raw.layout.yaxis.title.text == "mentions"


def test_same_name_has_same_colour_in_every_chart():
    colors = charts.colors_for(["Tomas Brandt", "Mara Velloso", "The Northbridge Courier"])
    series = make_series()
    mentions = lines(charts.mentions_chart(series, normalised=True, colors=colors, title="Share"))
    tone = lines(charts.tone_chart(series, colors=colors, title="Tone"))
    bars = charts.share_of_voice_chart(make_top(), colors=colors, title="Share of voice").data[0]
    bar_colors = dict(zip(bars.y, bars.marker.color, strict=False))
    for name in PEOPLE:
        assert mentions[name].line.color == tone[name].line.color == bar_colors[name] == colors[name]
    assert [t.name for t in charts.mentions_chart(series, normalised=True, colors=colors,
                                                 title="Share").data] == ["Tomas Brandt", "Mara Velloso"]


def test_tone_chart_band_traces_y_range_and_zero_line():
    colors = charts.colors_for(PEOPLE)
    fig = charts.tone_chart(make_series(), colors=colors, title="Tone over time")
    assert len(fig.data) == 2 * len(PEOPLE)  # the band (one filled outline), the line
    bands = [t for t in fig.data if t.showlegend is False]
    assert len(bands) == len(PEOPLE)
    assert all(t.hoverinfo == "skip" for t in bands)
    for name in PEOPLE:
        band, line = [t for t in fig.data if t.legendgroup == name]
        assert band.fill == "toself"
        assert band.fillcolor.startswith("rgba(") and band.fillcolor.endswith("0.18)")
        assert line.name == name and line.showlegend is not False
        n = len(line.y)
        high, low = list(band.y[:n]), list(band.y[n:2 * n])[::-1]  # the outline: upper edge out, lower edge back
        assert high == pytest.approx([v + 0.4 for v in low])
        assert list(line.customdata[0][:2]) == [name, "2031-05-05"]
    assert list(fig.layout.yaxis.range) == [-1, 1]
    zero = [s for s in fig.layout.shapes if s.y0 == 0 and s.y1 == 0]
    assert zero and zero[0].line.dash == "dash"


def test_tone_chart_plots_the_smoothed_tone():
    series = make_series(names=["Mara Velloso"])
    series["tone_smooth"] = [0.1, 0.2, 0.3]
    fig = charts.tone_chart(series, colors={}, title="Tone")
    assert list(lines(fig)["Mara Velloso"].y) == [0.1, 0.2, 0.3]
    assert "Period mean" in lines(fig)["Mara Velloso"].hovertemplate


def test_share_of_voice_largest_on_top_with_percentages():
    fig = charts.share_of_voice_chart(make_top(), colors={}, title="Share of voice")
    bars = fig.data[0]
    assert bars.orientation == "h"
    # plotly draws the first category at the bottom: the last one is on top
    assert list(bars.y) == ["The Northbridge Courier", "Tomas Brandt", "Mara Velloso"]
    assert list(bars.x) == pytest.approx([10.0, 30.0, 60.0])
    assert fig.layout.yaxis.autorange != "reversed"
    assert "Mentions" in bars.hovertemplate and bars.customdata[-1][0] == 60


def test_heatmap_tone_colour_counts_text_and_blank_cells():
    fig = charts.heatmap_chart(make_matrix(), title="Tone by person and topic")
    heat = fig.data[0]
    assert list(heat.y) == ["Economy", "Health"]  # topics down the side, most covered on top
    assert list(heat.x) == ["Mara Velloso", "Tomas Brandt"]  # entities across, most mentioned first
    assert (heat.zmin, heat.zmax, heat.zmid) == (-1, 1, 0)
    assert heat.texttemplate == "%{text}"
    assert [list(row) for row in heat.text] == [["7", "4"], ["2", ""]]
    assert heat.z[0][0] == pytest.approx(0.4) and heat.z[1][0] == pytest.approx(-0.6)
    assert math.isnan(heat.z[1][1])  # the 0-mention pair is blank, not coloured with its tone
    assert heat.colorscale[0][1] == charts.TONE_SCALE[0][1]  # red for negative
    assert fig.layout.yaxis.autorange == "reversed"


@pytest.mark.parametrize("build", [
    lambda: charts.mentions_chart(make_series().iloc[:0], normalised=True, colors={}, title="Share"),
    lambda: charts.tone_chart(make_series().iloc[:0], colors={}, title="Tone"),
    lambda: charts.share_of_voice_chart(make_top().iloc[:0], colors={}, title="Share of voice"),
    lambda: charts.heatmap_chart(make_matrix().iloc[:0], title="Matrix"),
])
def test_empty_input_gives_a_figure_with_a_note(build):
    fig = build()
    assert len(fig.data) == 0
    assert [a.text for a in fig.layout.annotations] == [figure_base.NO_DATA]
    assert fig.layout.title.text


def test_missing_column_is_named():
    with pytest.raises(FrameError, match="column 'share' not in dataframe"):
        charts.mentions_chart(make_series().drop(columns="share"), normalised=True, colors={}, title="x")


def test_layout_titles_dates_and_legend():
    fig = charts.mentions_chart(make_series(), normalised=True, colors={}, title="Share of articles")
    assert fig.layout.title.text == "Share of articles"
    assert not fig.layout.xaxis.title.text  # dates need no axis title: nothing for the legend to meet
    assert fig.layout.xaxis.tickformat == "%d %b %Y"
    assert fig.layout.legend.orientation == "h"
    assert fig.layout.hovermode == "closest"


def test_figures_use_plotly_template_even_after_streamlit_import():
    import streamlit  # noqa: F401 - makes "streamlit" plotly's default template

    assert pio.templates.default == "streamlit"  # otherwise this test proves nothing
    colors = charts.colors_for(PEOPLE)
    figures = [
        charts.mentions_chart(make_series(), normalised=True, colors=colors, title="Share"),
        charts.tone_chart(make_series(), colors=colors, title="Tone"),
        charts.share_of_voice_chart(make_top(), colors=colors, title="Share of voice"),
        charts.heatmap_chart(make_matrix(), title="Matrix"),
        charts.heatmap_chart(make_matrix().iloc[:0], title="Empty"),
    ]
    for fig in figures:
        colorway = list(fig.to_dict()["layout"]["template"]["layout"]["colorway"])
        assert colorway == PLOTLY_COLORWAY
        assert not any(c.startswith("#00000") for c in colorway)


def test_plot_config_names_the_download():
    png = charts.plot_config("mentions_mara-velloso")
    assert png["toImageButtonOptions"] == {"format": "png", "filename": "mentions_mara-velloso", "scale": 2}
    assert png["displaylogo"] is False
    assert "toImage" not in png.get("modeBarButtonsToRemove", [])
    assert charts.plot_config("tone", "svg")["toImageButtonOptions"]["format"] == "svg"
    with pytest.raises(ValueError, match="image_format"):
        charts.plot_config("tone", "gif")


def test_top_table_is_display_ready():
    table = charts.top_table(make_top())
    assert table["Name"].tolist() == ["Mara Velloso", "Tomas Brandt", "The Northbridge Courier"]
    assert table["Share of voice %"].tolist() == [60.0, 30.0, 10.0]
    assert table["% negative"].tolist() == [12.5, 50.0, 10.0]
    assert table["Mean tone"].tolist() == [0.36, -0.21, 0.0]


def test_heatmap_of_repeated_pairs_keeps_the_first_value_like_a_pivot():
    """A MATRIX with a pair listed twice (not what the aggregates return) draws the first row's values."""
    matrix = make_matrix()
    repeated = pd.concat([matrix, matrix.assign(mentions=99, tone=-0.9)], ignore_index=True)
    trace = charts.heatmap_chart(repeated, title="M").data[0]
    for row in matrix[matrix["mentions"] > 0].itertuples():
        i, j = list(trace.y).index(row.topic), list(trace.x).index(row.name)
        assert trace.z[i][j] == pytest.approx(row.tone)
        assert trace.text[i][j] == f"{row.mentions:,}"
