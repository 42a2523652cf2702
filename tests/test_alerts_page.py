"""The Alerts page (dashboard_alerts.py, run by AppTest) and the alert markers on the coverage charts
(monitor/present/charts.py), on the store with one known spike (tests/alerts_corpus.py)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from monitor.present import charts
from monitor.read import aggregations, alerts
from monitor.read.filters import Filters
from monitor.store import Store
from tests import alerts_corpus as corpus

SPIKE_ISO = f"{corpus.SPIKE_DAY:%Y-%m-%d}"


@pytest.fixture(scope="module")
def spiked(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return corpus.shared(tmp_path_factory)


def frame_with(at, column: str) -> pd.DataFrame:
    """Return the first dataframe shown that has `column`."""
    return next(df.value for df in at.dataframe if column in df.value.columns)


def test_the_page_lists_the_alert_with_its_articles_and_sentences(app, spiked: Path) -> None:
    at = app(spiked, {"page": "Alerts", "freq": "Day"})
    assert not at.exception, at.exception
    table = frame_with(at, "Metric")
    row = table[(table["Name"] == corpus.SPIKED) & (table["Metric"] == "volume")].iloc[0]
    assert pd.Timestamp(row["Period"]) == corpus.SPIKE_DAY and row["Direction"] == "up"
    assert row["Articles"] >= corpus.SPIKE
    at.selectbox(key="al_pick").set_value(next(o for o in at.selectbox(key="al_pick").options
                                               if corpus.SPIKED in o and "volume" in o)).run()
    assert not at.exception
    articles = frame_with(at, "sentences")
    assert sum(t.startswith("Harbour contract") for t in articles["title"]) == corpus.SPIKE
    said = " ".join(m.value for m in at.markdown)
    plain = said.replace("\\", "")  # Markdown-escaped
    assert "harbour contract" in said and f"{corpus.SPIKE + 1} articles in the day of 25 Mar 2024, " in plain
    assert "expected from the previous 14" in plain
    assert at.selectbox(key="al_pick").proto.query_param_key == "al_pick"  # the alert opened is in the URL


def test_the_kind_and_metric_choices_come_from_the_url(app, spiked: Path) -> None:
    # bound widgets keep the option's label in the URL
    at = app(spiked, {"page": "Alerts", "freq": "Day", "al_kind": ["Topics"], "al_metric": "Tone"})
    assert not at.exception
    assert at.multiselect(key="al_kind").value == ["topic"] and at.selectbox(key="al_metric").value == "tone"
    assert any("No alerts in this view" in i.value for i in at.info)  # no tone shift of a topic here
    at = app(spiked, {"page": "Alerts", "freq": "Day", "al_kind": ["Saved queries"], "q": '"harbour contract"'})
    table = frame_with(at, "Metric")
    assert set(table["Kind"]) == {"query"} and set(table["Name"]) == {"Current query"}


def test_the_csv_holds_every_alert_of_the_view(app, spiked: Path) -> None:
    at = app(spiked, {"page": "Alerts", "freq": "Day"})
    data = next(b for b in at.get("download_button") if b.proto.label == "CSV")
    assert data is not None
    shown = frame_with(at, "Metric")
    expected = alerts.find_alerts(Store(spiked, read_only=True), Filters(unique_stories=True), "D")
    assert len(shown) == len(expected) and set(shown["Name"]) == set(expected["name"])


def test_markers_on_the_coverage_chart_at_the_alerts_points(spiked: Path) -> None:
    store = Store(spiked, read_only=True)
    f = Filters(unique_stories=True)
    found = alerts.find_alerts(store, f, "D")
    names = [corpus.SPIKED, *corpus.REGULARS]
    series = aggregations.entity_series(store, f, "D", names)
    for normalised in (False, True):
        fig = charts.mentions_chart(series, normalised=normalised, colors=charts.colors_for(names), title="t",
                                    alerts=found)
        markers = [t for t in fig.data if t.name == charts.ALERT_TRACE]
        assert len(markers) == 1
        trace = markers[0]
        assert [c[0] for c in trace.customdata] == [corpus.SPIKED] and list(trace.x) == [SPIKE_ISO]
        point = series[(series["name"] == corpus.SPIKED) & (series["period"] == corpus.SPIKE_DAY)].iloc[0]
        assert trace.y[0] == pytest.approx(point["share"] * 100 if normalised else point["mentions"])
        assert trace.marker.symbol == ("triangle-up",)
    json.loads(fig.to_json())  # the figure serialises (the page sends it as JSON)
    plain = charts.mentions_chart(series, normalised=False, colors={}, title="t")
    assert charts.ALERT_TRACE not in {t.name for t in plain.data}
    none = charts.mentions_chart(series, normalised=False, colors={}, title="t", alerts=found.iloc[0:0])
    assert charts.ALERT_TRACE not in {t.name for t in none.data}


def test_the_overview_draws_the_markers(app, spiked: Path) -> None:
    at = app(spiked, {"page": "Overview", "freq": "Day", "entity": [corpus.SPIKED]})
    assert not at.exception
    figures = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    traces = [t for fig in figures for t in fig["data"] if t.get("name") == charts.ALERT_TRACE]
    assert traces and traces[0]["x"] == [SPIKE_ISO]
    assert np.asarray(traces[0]["customdata"])[0, 0] == corpus.SPIKED


def test_the_compare_pages_queries_are_watched_and_an_unreadable_one_left_out(app, spiked: Path) -> None:
    from monitor.present.compare_state import SavedQuery, encode

    queries = [encode(SavedQuery("scandal", '"harbour contract"')), encode(SavedQuery("broken", "(tram"))]
    at = app(spiked, {"page": "Alerts", "freq": "Day", "al_kind": ["Saved queries"], "cq": queries})
    assert not at.exception
    assert set(frame_with(at, "Metric")["Name"]) == {"scandal"}
