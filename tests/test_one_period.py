"""A corpus of one article (or one day) shows totals per name and tone with its interval, not one-point lines,
and the page gives each name one share of voice (the chart's bar and the top table's figure are the same)."""
from __future__ import annotations

import base64
import json

import numpy as np
import pandas as pd
import pytest

from monitor.present import charts, figure_base
from tests.test_charts import make_series


def figures(at) -> dict[str, dict]:
    """The plotly figures on the page, by their title."""
    return {(spec := json.loads(e.proto.spec))["layout"]["title"]["text"]: spec for e in at.get("plotly_chart")}


def spec_of(at, title_start: str) -> dict:
    return next(s for t, s in figures(at).items() if t.startswith(title_start))


@pytest.mark.parametrize("day", ["2031-05-05", "2016-02-29"])
@pytest.mark.parametrize("normalised", [True, False])
def test_one_period_draws_bars_and_tone_dots_not_lines(day, normalised):
    names = ["Ada Quill", "Bo Renner", "Cy Tamsin", "Dee Orm"][: 2 + len(day) % 3]
    series = make_series(names=names, periods=(day,))
    colors = charts.colors_for(names)
    for fig in (charts.mentions_chart(series, normalised=normalised, colors=colors, title="Coverage"),
                charts.tone_chart(series, colors=colors, title="Tone")):
        spec = json.loads(fig.to_json())
        assert spec["layout"]["xaxis"].get("type") != "date"  # no time axis of a single date
        assert all(t.get("mode") != "lines+markers" for t in spec["data"])
        clicked = {(row[0], row[1]) for t in spec["data"] for row in t["customdata"]}
        assert clicked == {(n, day) for n in names}  # a bar or dot still opens the sentences behind it
    bars = charts.mentions_chart(series, normalised=normalised, colors=colors, title="Coverage").data[0]
    expected = series["share"] * 100 if normalised else series["mentions"]
    assert sorted(bars.x) == pytest.approx(sorted(expected))
    tone = charts.tone_chart(series, colors=colors, title="Tone").data[0]
    assert tone.error_x.array is not None and sorted(tone.x) == pytest.approx(sorted(series["tone"]))


def test_the_one_article_corpus_page(app, seed_store):
    at = app(seed_store.path)
    assert not at.exception
    coverage, tone = spec_of(at, "Coverage per"), spec_of(at, "Tone toward")
    for spec in (coverage, tone):
        assert spec["layout"]["xaxis"].get("type") != "date"
        assert "one period" in spec["layout"]["title"]["subtitle"]["text"]
    assert coverage["data"][0]["type"] == "bar" and tone["data"][0].get("error_x")


def numbers(values) -> list[float]:
    """A trace's numbers as plotly's JSON holds them: a list, or a typed array ({"dtype", "bdata"})."""
    if isinstance(values, dict):
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"]).tolist()
    return list(values)


def voice_of_chart(at) -> dict[str, float]:
    bars = spec_of(at, "Share of voice")["data"]
    return {figure_base.unescape_label(n): x for t in bars for n, x in zip(t["y"], numbers(t["x"]), strict=True)}


def test_one_share_of_voice_on_the_page(app, seed_store):
    """Before, the chart shared mentions among the names drawn and the table among the top fifteen."""
    at = app(seed_store.path)
    top = next(d.value for d in at.dataframe if "Share of voice %" in d.value.columns)  # the top table
    table = top.set_index("Name")["Share of voice %"]
    chart = voice_of_chart(at)
    assert len(chart) >= 2
    for name in chart:
        assert chart[name] == pytest.approx(table[name], abs=0.05)
    rest = spec_of(at, "Share of voice")["layout"]["title"]["subtitle"]["text"]
    assert float(rest.rsplit(" ", 1)[1].rstrip("%")) == pytest.approx(100 - sum(chart.values()), abs=0.1)
    picked = list(table.index[[1, 3]])  # names the default view does not draw together
    at.sidebar.multiselect(key="entities").set_value(picked).run()
    again = voice_of_chart(at)
    for name in picked:
        assert again[name] == pytest.approx(table[name], abs=0.05)
    assert isinstance(table, pd.Series)


def test_every_chart_has_its_table(app, fiction_store):
    """A text alternative: each chart's data in an expander beside it, the same rows as its CSV."""
    at = app(fiction_store.path)
    assert not at.exception
    labels = [e.label for e in at.expander]
    assert labels.count("The chart's data as a table") == len(at.get("plotly_chart"))
