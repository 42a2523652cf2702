"""Downloads that say what they hold: file names (distinct per view, safe everywhere) and the filters inside files."""
from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import date

import pandas as pd
import plotly.graph_objects as go
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.present import bundle, export
from monitor.present.provenance import MAX_NAME, describe
from monitor.read.filters import Filters

SAFE_NAME = re.compile(r"[a-z0-9][a-z0-9_.-]*")
# Windows refuses these as a file's stem, with any extension
RESERVED = {"con", "prn", "aux", "nul", *(f"com{n}" for n in range(10)), *(f"lpt{n}" for n in range(10))}

# Labels as the data holds them: letters of any script, punctuation, markup, long runs, look-alikes
label = st.one_of(st.text(min_size=1, max_size=80),
                  st.sampled_from(["Mara Velloso", "mara-velloso", "Mara  Velloso", "MARA VELLOSO", "José Álvarez",
                                   "Jose Alvarez", "Владимир Петров", "=cmd|' /C calc'!A0", "../../etc/passwd",
                                   "CON", "a" * 300, "The Northbridge Courier", "Lakeside Ledger", "all"]))
day = st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 12, 31))
view = st.fixed_dictionaries({
    "kind": st.sampled_from(["person", "org", "place", "group"]),
    "names": st.lists(label, max_size=6).map(tuple),
    "chosen": st.booleans(),
    "topics": st.lists(label, max_size=4).map(tuple),
    "sources": st.lists(label, max_size=5).map(tuple),
    "since": day, "until": day,
    "query": st.one_of(st.just(""), st.text(max_size=60),
                       st.sampled_from(['"border wall"', "immigra* AND (Trump OR Biden) NOT Mexico"])),
    "min_mentions": st.integers(1, 500),
    "unique": st.booleans(),
    "freq": st.sampled_from(["D", "W", "M"]),
    "normalised": st.booleans(),
    "smooth": st.integers(1, 12),
})


def provenance_of(v: dict):
    """The Provenance the dashboard builds for a view (with a text query when Filters has one)."""
    extra = {"query": v["query"]} if "query" in Filters.__dataclass_fields__ else {}
    f = Filters(topics=v["topics"], sources=v["sources"], since=v["since"], until=v["until"],
                unique_stories=v["unique"], **extra)
    return describe(f, kind=v["kind"], names=v["names"], chosen=v["chosen"], dates=(v["since"], v["until"]),
                    min_mentions=v["min_mentions"], freq=v["freq"], normalised=v["normalised"], smooth=v["smooth"])


def assert_safe(name: str) -> None:
    assert SAFE_NAME.fullmatch(name), name
    assert len(name) <= MAX_NAME, (len(name), name)
    assert name.split(".")[0].split("_")[0] not in RESERVED and not name.endswith((".", " ")), name


@settings(max_examples=300, deadline=None)
@given(view, view, st.sampled_from(["csv", "zip", "png", "svg", "html"]),
       st.sampled_from(["person_mentions", "top-people", "sentences", "media-monitor"]))
def test_distinct_views_never_share_a_file_name_and_a_view_keeps_its_name(a, b, fmt, what):
    if "query" not in Filters.__dataclass_fields__:
        a, b = {**a, "query": ""}, {**b, "query": ""}
    name_a, name_b = provenance_of(a).file_name(what, fmt), provenance_of(b).file_name(what, fmt)
    assert_safe(name_a)
    assert provenance_of(dict(a)).file_name(what, fmt) == name_a  # the same view: the same name, every time
    if a != b:
        assert name_a != name_b, (a, b)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(["who", "topic", "outlet", "from", "to", "query"]),
                       st.one_of(label, st.lists(label, max_size=4)), max_size=5),
       st.dictionaries(st.sampled_from(["who", "topic", "outlet", "from", "to", "query"]),
                       st.one_of(label, st.lists(label, max_size=4)), max_size=5))
def test_file_name_keyword_filters_that_differ_give_different_names(a, b):
    """file_name(**filters): "Mara Velloso" and "mara-velloso", or a name cut at 60 characters, no longer collide."""
    def kept(d):  # an empty value is no filter: the same view as leaving it out
        return {k: (list(v) if isinstance(v, list) else v) for k, v in d.items() if v not in ("", [], None)}
    name_a, name_b = export.file_name("mentions", "csv", **a), export.file_name("mentions", "csv", **b)
    assert_safe(name_a)
    assert (name_a == name_b) == (kept(a) == kept(b)), (a, b)


def test_names_keep_what_a_person_reads_first():
    f = Filters(sources=("The Northbridge Courier",), topics=("Elections",), since=date(2021, 3, 1),
                until=date(2021, 3, 31), unique_stories=False)
    name = describe(f, kind="person", names=("Mara Velloso", "Tomas Brandt")).file_name("person_mentions", "csv")
    assert re.fullmatch(r"person-mentions_mara-velloso-tomas-brandt_elections_the-northbridge-courier_"
                        r"2021-03-01-to-2021-03-31_every-copy-counted_[0-9a-f]{10}\.csv", name), name


def small_view(**kw):
    f = Filters(sources=("Lakeside Ledger", "=Evil Outlet"), topics=("Elections",), since=date(2021, 3, 1),
                until=date(2021, 3, 31), **{"unique_stories": True, **kw})
    return describe(f, kind="person", names=("Mara Velloso",), chosen=True, min_mentions=2, freq="W",
                    normalised=True, smooth=1)


def small_frame() -> pd.DataFrame:
    return pd.DataFrame({"name": ["Mara Velloso", "Tomas Brandt"], "mentions": [3, 5]}).astype({"name": "string"})


def test_csv_keeps_its_header_first_and_every_row_says_the_filters():
    about = small_view()
    back = pd.read_csv(io.BytesIO(export.to_bytes(small_frame(), "csv", about)))
    assert list(back.columns) == ["name", "mentions", "view_filters", "view_id"]
    assert back["mentions"].tolist() == [3, 5]
    for text in back["view_filters"]:
        for said in ("dates: 2021-03-01 to 2021-03-31", "people: Mara Velloso", "topics: Elections",
                     "outlets: Lakeside Ledger; =Evil Outlet", "minimum mentions: 2",
                     "copies: each syndicated story once", "period: week"):
            assert said in text, (said, text)
    assert set(back["view_id"]) == {about.view_id}
    # the outlets are named even when none was chosen: "all"
    assert "outlets: all" in export.to_bytes(small_frame(), "csv", describe(Filters())).decode()


def test_parquet_and_json_carry_the_filters():
    about = small_view()
    back = pd.read_parquet(io.BytesIO(export.to_bytes(small_frame(), "parquet", about)))
    assert back.attrs[export.PARQUET_KEY]["filters"]["outlets"] == ["Lakeside Ledger", "=Evil Outlet"]
    assert back["mentions"].tolist() == [3, 5]
    doc = json.loads(export.to_bytes(small_frame(), "json", about))
    assert doc["view_id"] == about.view_id and doc["filters"]["topics"] == ["Elections"]
    assert [r["mentions"] for r in doc["rows"]] == [3, 5]


def figure() -> go.Figure:
    fig = go.Figure(layout={"template": "plotly", "title": {"text": "Coverage per week", "subtitle": {"text": "x"}}})
    fig.add_trace(go.Scatter(x=["2021-03-01", "2021-03-08"], y=[3, 5], name="Mara Velloso"))
    return fig


def test_html_states_the_filters_under_the_title_and_in_its_head():
    fig = figure()
    page = export.figure_html(fig, provenance=small_view()).decode("utf-8")
    assert 'name="description" content="dates: 2021-03-01 to 2021-03-31' in page
    assert "outlets: Lakeside Ledger; =Evil Outlet" in page
    subtitle = export.labelled(fig, small_view()).layout.title.subtitle.text
    assert subtitle.startswith("x<br>") and "topics: Elections" in subtitle
    assert fig.layout.title.subtitle.text == "x"  # the page's own figure is left as it was


def test_zip_holds_charts_top_table_sentences_and_a_manifest_of_every_file():
    about = small_view(unique_stories=False)
    sentences = pd.DataFrame({"text": ["Mara Velloso opened the line."], "name": ["Mara Velloso"]})
    data = bundle.bundle_zip({"person_mentions": (figure(), small_frame())}, images=False, provenance=about,
                             tables={"top-people": (small_frame(), "the most mentioned people"),
                                     "sentences": (sentences, "every sentence naming Mara Velloso")})
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = set(archive.namelist())
    assert names == {"README.txt", "manifest.json", "person_mentions.html", "person_mentions.csv",
                     "top-people.csv", "sentences.csv"}
    manifest = json.loads(archive.read("manifest.json"))
    assert {f["file"] for f in manifest["files"]} == names  # every file listed, and only those
    assert all(f["holds"] for f in manifest["files"])
    assert manifest["filters"]["copies"] == "every copy counted" and manifest["view_id"] == about.view_id
    assert {f["file"]: f.get("rows") for f in manifest["files"]}["sentences.csv"] == 1
    readme = archive.read("README.txt").decode()
    assert "outlets: Lakeside Ledger; =Evil Outlet" in readme and "sentences.csv" in readme
    back = pd.read_csv(io.BytesIO(archive.read("sentences.csv")))
    assert back["view_id"].tolist() == [about.view_id] and back["name"].tolist() == ["Mara Velloso"]


def test_a_text_query_is_named_in_the_file_and_its_name():
    if "query" not in Filters.__dataclass_fields__:
        pytest.skip("Filters has no text query here")
    about = describe(Filters(query='"border wall" AND Trump'), kind="person", names=("Mara Velloso",))
    assert 'query: "border wall" AND Trump' in about.lines()
    assert "_border-wall-and-trump_" in about.file_name("sentences", "csv")
    assert "query" not in describe(Filters(), kind="person").as_dict()  # none: not said


@pytest.mark.browser
def test_png_and_svg_carry_the_filters_under_the_title():
    available, note = export.image_export_available()
    if not available:
        pytest.skip(f"no browser for kaleido: {note}")
    svg = export.figure_image(figure(), "svg", provenance=small_view()).decode("utf-8")
    words = " ".join(re.sub(r"<[^>]+>", " ", svg).split())  # the filters wrap over several lines (tspans)
    assert "outlets: Lakeside Ledger; =Evil Outlet" in words and "dates: 2021-03-01 to 2021-03-31" in words
    assert export.figure_image(figure(), "png", provenance=small_view()).startswith(b"\x89PNG")


def test_cli_export_into_a_folder_names_the_file_after_its_filters(fiction_store, tmp_path):
    from monitor.cli import main

    for source in ("Lakeside Ledger", "The Northbridge Courier"):
        assert main(["export", "mentions", "--store", str(fiction_store.path), "--source", source,
                     "-o", str(tmp_path)]) == 0
    names = sorted(p.name for p in tmp_path.iterdir())
    shape = r"mentions_[a-z0-9-]+_start-to-end_every-copy-counted_[0-9a-f]{10}\.csv"
    assert len(names) == 2 and all(re.fullmatch(shape, n) for n in names), names
    assert any("lakeside-ledger" in n for n in names) and any("northbridge-courier" in n for n in names)


@settings(max_examples=100, deadline=None)
@given(view, st.lists(st.tuples(st.one_of(st.none(), label), st.one_of(st.none(), label),
                                st.one_of(st.none(), day)), min_size=2, max_size=2, unique=True))
def test_drill_down_choices_of_one_view_get_their_own_names(v, picks):
    """The drill-down's CSV: the view's name plus its own choice (name, topic, period), each choice its own file."""
    names = set()
    for name, topic, period in picks:
        about = provenance_of({**v, "query": ""}).with_fields(
            {"sentences naming": name or "", "sentences hitting topic": topic or "", "week starting": period or ""})
        names.add(about.file_name("sentences", "csv"))
        assert_safe(about.file_name("sentences", "csv"))
    empty = [p for p in picks if not any(p)]  # (None, None, None) and ("", ...) are the same: no choice
    assert len(names) == 2 or len(empty) == 2
