"""The dashboard in Streamlit's headless AppTest: what the store holds, and the empty state."""
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

APP = str(ROOT / "dashboard.py")


@pytest.fixture
def app(monkeypatch):
    def make(store_path):
        monkeypatch.setenv("MONITOR_STORE", str(store_path))
        return AppTest.from_file(APP, default_timeout=60).run()
    return make


def test_shows_what_the_seed_store_holds(app, seed_store):
    at = app(seed_store.path)
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Articles"] == "1" and int(metrics["Mentions"]) > 40
    people = at.dataframe[0].value
    assert people.iloc[0]["entity"] == "Donald Trump"


def test_empty_store_says_how_to_add_articles(app, tmp_path):
    at = app(tmp_path / "nothing.duckdb")
    assert not at.exception
    assert "python -m monitor ingest" in at.info[0].value
