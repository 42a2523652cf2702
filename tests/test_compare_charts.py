"""The Compare queries page's figures (monitor/present/compare_charts.py), from frames made by hand with fictional
query names: a line per query, counted in articles (normalised or raw), thin periods hollow, tone counted in
sentences or toward a name, share of voice saying how overlaps count, one period drawn as bars."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from monitor import schema
from monitor.present import charts, compare_charts

WEEKS = pd.to_datetime(["2031-05-05", "2031-05-12", "2031-05-19"])


def frame(names=("Tram line", "Harbour <b>plan</b>"), weeks=WEEKS) -> pd.DataFrame:
    rows = []
    for k, name in enumerate(names):
        for i, week in enumerate(weeks):
            articles = (k + 1) * i
            rows.append({"period": week, "name": name, "articles": articles, "total_articles": 10 + 40 * i,
                         "share": articles / (10 + 40 * i), "sentences": 3 * articles,
                         "tone": 0.1 * k if articles else np.nan, "tone_low": -0.2, "tone_high": 0.3})
    return schema.conform(pd.DataFrame(rows), schema.COMPARE, "compare")


def lines(fig) -> list:
    return [t for t in fig.data if t.mode == "lines+markers"]  # not the interval bands


@pytest.mark.parametrize("normalised", [True, False])
def test_coverage_is_a_line_per_query_counted_in_articles(normalised):
    data = frame()
    colors = charts.colors_for(["Tram line", "Harbour <b>plan</b>"])
    fig = compare_charts.coverage_chart(data, normalised=normalised, colors=colors, title="Coverage")
    traces = lines(fig)
    assert [t.name for t in traces] == ["Tram line", "Harbour &lt;b&gt;plan&lt;/b&gt;"]  # escaped, not markup
    harbour = data[data["name"] == "Harbour <b>plan</b>"]
    expected = harbour["share"] * 100 if normalised else harbour["articles"]
    assert list(traces[1].y) == pytest.approx(expected.tolist())
    assert traces[0].line.color == colors["Tram line"]
    assert list(traces[0].marker.symbol) == ["circle-open", "circle", "circle"]  # 10 articles: thin
    assert "Mentions" not in traces[0].hovertemplate and "Articles" in traces[0].hovertemplate
    assert fig.layout.yaxis.title.text == ("% of articles" if normalised else "articles")


def test_tone_is_counted_in_sentences():
    fig = compare_charts.tone_chart(frame(), colors={}, title="Tone")
    assert {t.name for t in lines(fig)} == {"Tram line", "Harbour &lt;b&gt;plan&lt;/b&gt;"}
    assert all("Sentences:" in t.hovertemplate and "Mentions" not in t.hovertemplate for t in lines(fig))


@pytest.mark.parametrize("entities", [["Mara Velloso"], ["Mara Velloso", "Tomas Brandt"]])
def test_tone_toward_is_a_line_per_query_and_name(entities):
    rows = [{"period": w, "name": q, "entity": e, "mentions": 2, "articles": 1, "tone": 0.2, "tone_low": 0.0,
             "tone_high": 0.4} for q in ("Tram line", "Harbour") for e in entities for w in WEEKS]
    toward = schema.conform(pd.DataFrame(rows), schema.COMPARE_TOWARD, "compare_toward")
    colors = charts.colors_for(["Tram line", "Harbour"])
    fig = compare_charts.toward_chart(toward, colors=colors, title="Toward")
    names = [t.name for t in lines(fig)]
    assert names == [f"{q} → {e}" for q in ("Tram line", "Harbour") for e in entities]
    if len(entities) == 1:  # one name: each line in its query's colour
        assert [t.line.color for t in lines(fig)] == [colors["Tram line"], colors["Harbour"]]
    else:
        assert len({t.line.color for t in lines(fig)}) == len(names)


@pytest.mark.parametrize("only, said", [([4, 1], "5 of these matches"), ([6, 4], "No article matches two")])
def test_share_of_voice_says_how_overlaps_count(only, said):
    voice = schema.conform(pd.DataFrame({"name": ["Tram line", "Harbour"], "articles": [6, 4], "only_this": only,
                                         "share_of_voice": [0.6, 0.4]}), schema.COMPARE_VOICE, "compare_voice")
    fig = compare_charts.voice_chart(voice, colors={}, title="Voice")
    assert said in fig.layout.title.subtitle.text
    bars: Any = fig.data[0]
    assert list(bars.y) == ["Harbour", "Tram line"]  # the first query on top
    assert list(bars.x) == pytest.approx([40.0, 60.0])


def test_one_period_is_bars_and_nothing_is_an_empty_figure():
    one = frame(weeks=WEEKS[1:2])
    fig = compare_charts.coverage_chart(one, normalised=False, colors={}, title="Coverage")
    bars: Any = fig.data[0]
    assert bars.type == "bar" and "Mentions" not in bars.hovertemplate
    empty = compare_charts.coverage_chart(schema.empty(schema.COMPARE), normalised=True, colors={}, title="C")
    assert not fig.layout.annotations and empty.layout.annotations[0].text == "No data for these filters"
    voice = compare_charts.voice_chart(schema.empty(schema.COMPARE_VOICE), colors={}, title="Voice")
    assert voice.layout.annotations[0].text == "No data for these filters"


def test_a_query_that_never_mentions_a_name_is_no_empty_panel():
    rows = [{"period": w, "name": q, "entity": e, "mentions": 0 if q == "Harbour" and e == "Tomas Brandt" else 2,
             "articles": 1, "tone": 0.2, "tone_low": 0.0, "tone_high": 0.4}
            for q in ("Tram line", "Harbour") for e in ("Tomas Brandt", "Mara Velloso") for w in WEEKS]
    toward = schema.conform(pd.DataFrame(rows), schema.COMPARE_TOWARD, "compare_toward")
    fig = compare_charts.toward_chart(toward, colors=charts.colors_for(["Tram line", "Harbour"]), title="Toward")
    assert [t.name for t in lines(fig)] == ["Tram line → Tomas Brandt", "Tram line → Mara Velloso",
                                            "Harbour → Mara Velloso"]
    assert "1 never mentioned" in fig.layout.title.subtitle.text
