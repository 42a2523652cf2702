"""The drill-down is not capped silently: the page says how many sentences there are, its CSV holds every one."""
from __future__ import annotations

import io
import random

import pandas as pd
import pytest

from monitor.read import aggregations
from monitor.read.filters import Filters

PLACES = ["the harbour", "the tram depot", "the library", "the market hall", "the river bank", "the old mill",
          "the school", "the bus station", "the hospital", "the museum", "the stadium", "the park"]
DEEDS = ["opened", "inspected", "praised", "criticised", "visited", "defended", "questioned", "reviewed"]
THINGS = ["budget", "plan", "timetable", "repairs", "lighting", "contract", "survey", "report", "design"]


def article(rng: random.Random, n: int) -> str:
    """A fictional article of varied sentences, most naming Mara Velloso (so no two are near-duplicates)."""
    lines = []
    for k in range(7):
        who = "Mara Velloso" if k != 3 else "Tomas Brandt"
        lines.append(f"{who} {rng.choice(DEEDS)} the {rng.choice(THINGS)} of {rng.choice(PLACES)} "
                     f"on day {n * 7 + k} after {rng.randint(2, 900)} residents wrote about "
                     f"{rng.choice(THINGS)} number {rng.randint(1, 10**6)}.")
    return " ".join(lines)


@pytest.fixture(scope="module")
def busy_store(tmp_path_factory):
    """A store of 40 fictional articles in which Mara Velloso is named in some 240 sentences (over the page's 200)."""
    from monitor.ingest.pipeline import ingest
    from monitor.store import Store

    rng = random.Random(14)
    folder = tmp_path_factory.mktemp("busy")
    for n in range(40):
        day = pd.Timestamp("2022-01-03") + pd.Timedelta(days=n)
        source = ["The Northbridge Courier", "Lakeside Ledger"][n % 2]
        (folder / f"{n}.txt").write_text(f"date {day:%Y-%m-%d}\ntitle: Council notes {n}\nsource: {source}\n"
                                         f"{article(rng, n)}\n")
    path = folder / "busy.duckdb"
    ingest(Store(path), [folder])
    return Store(path, read_only=True)


def naming(store, name: str, f: Filters) -> int:
    """The sentences naming `name` under `f`, counted from the mentions frame (the truth to compare with)."""
    where = "NOT a.is_copy" if f.unique_stories else "TRUE"
    return int(store.query("SELECT count(*) AS n FROM (SELECT DISTINCT m.article_id, m.sentence_id FROM mentions m "
                           f"JOIN articles a USING (article_id) WHERE m.entity = ? AND {where})",
                           [name])["n"].iloc[0])


@pytest.mark.parametrize("unique", [True, False])
def test_count_and_uncapped_sentences_equal_the_sentences_behind(busy_store, unique):
    f = Filters(unique_stories=unique)
    truth = naming(busy_store, "Mara Velloso", f)
    assert truth > 200
    assert aggregations.sentences_behind_count(busy_store, f, "Mara Velloso") == truth
    assert len(aggregations.sentences_behind(busy_store, f, "Mara Velloso", limit=None)) == truth
    assert len(aggregations.sentences_behind(busy_store, f, "Mara Velloso")) == 200  # the page's first 200
    one_week = (pd.Timestamp("2022-01-10"), pd.Timestamp("2022-01-17"))
    assert aggregations.sentences_behind_count(busy_store, f, "Mara Velloso", None, *one_week) == len(
        aggregations.sentences_behind(busy_store, f, "Mara Velloso", None, *one_week, limit=None)) > 0


def test_page_says_how_many_and_the_csv_holds_them_all(app, busy_store):
    import dashboard_drill

    truth = naming(busy_store, "Mara Velloso", Filters(unique_stories=True))  # the page counts a story once
    at = app(busy_store.path, {"entity": "Mara Velloso"})
    at.selectbox(key="drill_name").set_value("Mara Velloso").run()
    assert not at.exception
    captions = [c.value for c in at.caption]
    assert f"200 of {truth:,} sentences shown (newest first); the CSV holds all {truth:,}." in captions, captions
    assert at.get("download_button") and any(
        b.proto.label == f"CSV (all {truth:,})" for b in at.get("download_button")), "no CSV button for every one"
    data = dashboard_drill.all_sentences_csv(str(busy_store.path), busy_store.version(), Filters(unique_stories=True),
                                             "Mara Velloso", None, None, None, dashboard_drill.describe(Filters()))
    rows = pd.read_csv(io.BytesIO(data))
    assert len(rows) == truth and rows["view_filters"].str.contains("outlets: all").all()
