"""The dashboard in Streamlit's headless AppTest, on a store built from the seed."""
import json
from datetime import date

import pandas as pd

from monitor.schema import tone_label


def figures(at) -> dict[str, dict]:
    """The plotly figures on the page, by their chart key."""
    out = {}
    for element in at.get("plotly_chart"):
        spec = json.loads(element.proto.spec)
        out[spec["layout"]["title"]["text"]] = spec
    return out


def trace_names(at, title_start: str) -> set[str]:
    """The names a chart draws, read from its points' click data (lines over time, or one period's bars)."""
    spec = next(s for t, s in figures(at).items() if t.startswith(title_start))
    return {row[0] for t in spec["data"] for row in t.get("customdata") or []}


def test_loads_on_the_seed_with_every_chart(app, seed_store):
    at = app(seed_store.path)
    assert not at.exception
    assert len(at.get("plotly_chart")) == 6
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Articles"] == "1" and metrics["Most mentioned"] == "Donald Trump"
    assert "Donald Trump" in trace_names(at, "Coverage per")


def test_choosing_a_person_and_a_topic_changes_the_charts(app, seed_store):
    at = app(seed_store.path)
    at.sidebar.multiselect(key="entities").set_value(["Donald Trump"]).run()
    assert not at.exception
    assert trace_names(at, "Coverage per") == {"Donald Trump"}
    at.sidebar.multiselect(key="topic").set_value(["Immigration and borders"]).run()
    assert trace_names(at, "Topic coverage") == {"Immigration and borders"}
    # the entities are kept in the URL by the dashboard; the bound topic widget writes its own parameter in
    # the browser, which AppTest does not run (tests/test_browser_url.py checks it)
    assert at.query_params["entity"] in ("Donald Trump", ["Donald Trump"])


def test_granularity(app, fiction_store):
    at = app(fiction_store.path)
    at.sidebar.selectbox(key="freq").set_value("W").run()
    spec = next(s for t, s in figures(at).items() if t.startswith("Coverage per"))
    assert "week" in spec["layout"]["title"]["text"]
    days = {x[:10] for t in spec["data"] for x in (t.get("x") or [])}
    assert days <= {"2021-03-01", "2021-03-08", "2021-03-15", "2021-03-22"} and len(days) >= 3
    assert all(pd.Timestamp(d).day_of_week == 0 for d in days)  # weeks start on Monday


def test_date_range_narrows_everything(app, fiction_store):
    at = app(fiction_store.path)
    assert {m.label: m.value for m in at.metric}["Articles"] == "5"
    at.sidebar.date_input(key="dates").set_value((date(2021, 3, 1), date(2021, 3, 5))).run()
    assert {m.label: m.value for m in at.metric}["Articles"] == "2"
    assert at.query_params["to"] in ("2021-03-05", ["2021-03-05"])


def test_filters_that_match_nothing_say_so(app, fiction_store):
    at = app(fiction_store.path)
    at.sidebar.number_input(key="min").set_value(500).run()
    assert not at.exception
    assert any("No mentions match" in i.value for i in at.info)


def test_outlet_filter(app, fiction_store):
    at = app(fiction_store.path)
    at.sidebar.multiselect(key="source").set_value(["Lakeside Ledger"]).run()
    assert {m.label: m.value for m in at.metric}["Articles"] == "3"


def test_query_parameters_restore_a_view(app, seed_store):
    at = app(seed_store.path, {"entity": ["Elon Musk"], "freq": "Month", "norm": "false", "kind": "People"})
    assert at.sidebar.multiselect(key="entities").value == ["Elon Musk"]
    assert at.sidebar.selectbox(key="freq").value == "M"
    assert at.sidebar.toggle(key="norm").value is False
    assert trace_names(at, "Coverage per") == {"Elon Musk"}


def test_bad_query_parameters_are_ignored(app, seed_store):
    at = app(seed_store.path, {"entity": ["<script>alert(1)</script>"], "freq": "Y", "min": "lots"})
    assert not at.exception
    assert at.sidebar.multiselect(key="entities").value == []


def test_drill_down_shows_the_sentences_with_the_name_marked(app, seed_store):
    at = app(seed_store.path)
    at.selectbox(key="drill_name").set_value("Donald Trump").run()
    at.selectbox(key="drill_topic").set_value("Immigration and borders").run()
    html = "\n".join(m.value for m in at.markdown if "<mark>" in m.value)
    assert "<mark>Trump</mark>" in html and "immigration" in html.lower()


def test_empty_store_says_how_to_add_articles(app, tmp_path):
    at = app(tmp_path / "nothing.duckdb")
    assert not at.exception
    assert "python -m monitor ingest" in at.info[0].value


def test_a_store_made_by_an_older_monitor_says_how_to_migrate_it(app, fiction_store, tmp_path):
    import shutil

    import duckdb

    path = tmp_path / "old.duckdb"
    shutil.copyfile(fiction_store.path, path)
    with duckdb.connect(str(path)) as con:
        con.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    at = app(path)
    assert not at.exception and not at.info
    assert "python -m monitor migrate" in at.error[0].value.replace("\\", "")  # escaped for Markdown


def test_count_every_copy_toggle_comes_from_the_url(app, fiction_store):
    at = app(fiction_store.path)
    assert at.sidebar.toggle(key="copies").value is False
    at.sidebar.toggle(key="copies").set_value(True).run()
    assert not at.exception
    # the toggle is bound to `copies` (bind="query-params"): the browser writes it, AppTest reads it
    assert app(fiction_store.path, {"copies": "true"}).sidebar.toggle(key="copies").value is True


def test_other_languages_are_counted_and_auto_refresh_can_be_set(app, tmp_path):
    from monitor.ingest.pipeline import ingest
    from monitor.store import Store
    from tests.test_dedupe import PORTUGUESE, WIRE

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "en.txt").write_text(f"date 2021-03-02\nsource: The Northbridge Courier\n{WIRE}\n")
    (folder / "pt.txt").write_text(f"date 2021-03-02\nsource: Jornal do Porto\n{PORTUGUESE}\n")
    ingest(Store(tmp_path / "s.duckdb"), [folder])
    at = app(tmp_path / "s.duckdb")
    assert any("not analysed (other languages): pt 1" in c.value for c in at.caption)
    at.sidebar.selectbox(key="refresh").set_value(30).run()
    assert not at.exception


def test_drill_down_shows_the_tone_toward_the_name_and_the_sentences_tone(app, fiction_store):
    at = app(fiction_store.path)
    captions = " ".join(c.value for c in at.caption)
    assert "Mean tone toward each person" in captions and "toward the name in them" in captions
    assert "tone of the whole sentences hitting each topic" in captions
    names = [n for n in at.selectbox(key="drill_name").options if n not in (None, "Any")]
    assert len(names) >= 2
    for name in names[:3]:
        at.selectbox(key="drill_name").set_value(name).run()
        html = "\n".join(m.value for m in at.markdown if "<mark>" in m.value)
        shown = fiction_store.query("SELECT tone, sentence_tone FROM mentions WHERE entity = ?", [name])
        assert len(shown) and html.count(f"tone toward {name} ") == len(shown)
        for toward, sentence in shown.itertuples(index=False):
            assert (f"tone toward {name} {toward:+.2f} ({tone_label(toward)}) · "
                    f"sentence tone {sentence:+.2f} ({tone_label(sentence)})") in html
    every = fiction_store.query("SELECT tone, sentence_tone FROM mentions")
    assert (every["tone"].round(2) != every["sentence_tone"].round(2)).any()  # the two can be told apart
    at.selectbox(key="drill_name").set_value(None).run()
    at.selectbox(key="drill_topic").set_value(at.selectbox(key="drill_topic").options[1]).run()
    html = "\n".join(m.value for m in at.markdown if "border-left" in m.value)
    assert "tone " in html and "tone toward" not in html  # a topic has no one to be toward: the sentence's tone
