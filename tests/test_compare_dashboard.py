"""The Compare queries page (AppTest): a link opens the comparison it holds, queries are added, edited and
removed on the page and the URL follows, five at most, a bad query is named beside it while the others draw."""
from __future__ import annotations

import urllib.parse

import pytest

from monitor.present import page
from monitor.present.compare_state import SavedQuery, decode, encode

PAGE = {"page": "Compare queries"}
CHARTS = 3  # coverage, tone, share of voice


def open_compare(app, store, *queries: SavedQuery, **params):
    at = app(store.path, {**PAGE, **params, **({"cq": [encode(q) for q in queries]} if queries else {})})
    assert not at.exception, at.exception
    return at


def rows(at) -> list[tuple[str, str]]:
    """The (name, query) of each row of the page, in order."""
    names = [t for t in at.text_input if t.key and t.key.startswith("cq_name_")]
    texts = [t for t in at.text_input if t.key and t.key.startswith("cq_query_")]
    return [(n.value, q.value) for n, q in zip(names, texts, strict=True)]


def in_url(at) -> list[SavedQuery]:
    values = at.query_params.get("cq", [])
    return [decode(v) for v in ([values] if isinstance(values, str) else values)]


def charts(at) -> int:
    return len(at.get("plotly_chart"))


def test_a_link_opens_its_comparison_and_draws_it(app, fiction_store):
    at = open_compare(app, fiction_store, SavedQuery("Tram", "tram"),
                      SavedQuery("Harbour & floods", 'harbour OR "heavy floods"', ("Lakeside Ledger",)))
    assert rows(at) == [("Tram", "tram"), ("Harbour & floods", 'harbour OR "heavy floods"')]
    assert at.multiselect(key=[m.key for m in at.multiselect if m.key.startswith("cq_source_")][1]).value == [
        "Lakeside Ledger"]
    assert charts(at) == CHARTS and not at.error
    links = [b.proto.url for b in at.get("link_button")]
    assert len(links) == 2 and "page=Overview" in links[1] and "source=Lakeside+Ledger" in links[1]
    assert urllib.parse.parse_qs(links[1].lstrip("?"))["q"] == ['harbour OR "heavy floods"']


def test_with_no_link_the_sidebar_query_is_the_first_row(app, fiction_store):
    at = open_compare(app, fiction_store, q="flood*")
    assert rows(at) == [("flood*", "flood*")]
    assert charts(at) == CHARTS


def test_with_nothing_to_compare_the_page_says_how_to_start(app, fiction_store):
    at = open_compare(app, fiction_store)
    assert rows(at) == [] and charts(at) == 0
    assert any("Add a query" in i.value for i in at.info)


def test_adding_editing_and_removing_queries_keeps_the_url_in_step(app, fiction_store):
    at = open_compare(app, fiction_store, SavedQuery("Tram", "tram"))
    at.button(key="cq_add").click().run()
    assert not at.error and len(rows(at)) == 2  # an empty new row is no error, and is not drawn
    new = [t.key for t in at.text_input if t.key.startswith("cq_query_")][-1]
    at.text_input(key=new).set_value("brandt NEAR/5 election").run()
    assert not at.exception
    # a row without a name is saved under the name its box shows as placeholder
    assert [(q.name, q.query) for q in in_url(at)] == [("Tram", "tram"), ("Query 2", "brandt NEAR/5 election")]
    assert rows(at)[1] == ("", "brandt NEAR/5 election") and charts(at) == CHARTS
    at.text_input(key=new.replace("query", "name")).set_value('Brandt "election"').run()
    assert in_url(at)[1].name == 'Brandt "election"'
    first = next(b.key for b in at.button if b.key and b.key.startswith("cq_remove_"))
    at.button(key=first).click().run()
    assert rows(at) == [('Brandt "election"', "brandt NEAR/5 election")]
    assert [q.query for q in in_url(at)] == ["brandt NEAR/5 election"]


@pytest.mark.parametrize("bad, why", [("tram AND (budget", "never closed"), ("*wall", "can only end a word"),
                                      ("NEAR/3 wall", "joins two words")])
def test_a_bad_query_is_named_beside_it_and_the_others_draw(app, fiction_store, bad, why):
    at = open_compare(app, fiction_store, SavedQuery("Tram", "tram"), SavedQuery("Broken one", bad),
                      SavedQuery("Harbour", "harbour"))
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "Broken one" in errors[0] and why in errors[0]
    assert charts(at) == CHARTS and len(at.get("link_button")) == 2  # no Overview link for the bad one
    assert [q.query for q in in_url(at)] == ["tram", bad, "harbour"]  # the link keeps what was typed


def test_five_queries_at_most(app, fiction_store):
    seven = [SavedQuery(f"Q{n}", word) for n, word in
             enumerate(["tram", "harbour", "flood*", "velloso", "brandt", "jobs", "election"])]
    at = open_compare(app, fiction_store, *seven)
    assert [name for name, _ in rows(at)] == ["Q0", "Q1", "Q2", "Q3", "Q4"]
    assert any("2 more saved queries" in w.value for w in at.warning)
    assert at.button(key="cq_add").disabled
    assert len(in_url(at)) == 5


def test_a_hostile_link_is_a_warning_not_a_traceback(app, fiction_store):
    at = app(fiction_store.path, {**PAGE, "cq": ["x" * 10_000, '["a"', encode(SavedQuery("Tram", "tram"))]})
    assert not at.exception
    assert rows(at) == [("Tram", "tram")]
    assert sum("could not be read" in w.value for w in at.warning) == 2
    assert any("10,000 characters" in w.value for w in at.warning)


def test_the_tone_toward_the_chosen_names_is_one_click_away(app, fiction_store):
    at = open_compare(app, fiction_store, SavedQuery("Tram", "tram"), SavedQuery("Harbour", "harbour"),
                      entity=["Mara Velloso"])
    tone = at.radio(key="cq_tone")
    assert not tone.disabled
    tone.set_value("Toward the chosen names").run()
    assert not at.exception and charts(at) == CHARTS
    without = open_compare(app, fiction_store, SavedQuery("Tram", "tram"))
    assert without.radio(key="cq_tone").disabled


def test_an_outlet_the_store_lacks_is_left_out_and_said(app, fiction_store):
    at = open_compare(app, fiction_store, SavedQuery("Tram", "tram", ("The Gazette of Nowhere", "Lakeside Ledger")))
    assert any("The Gazette of Nowhere" in w.value for w in at.warning)
    kept = next(m for m in at.multiselect if m.key.startswith("cq_source_"))
    assert kept.value == ["Lakeside Ledger"] and charts(at) == CHARTS


@pytest.mark.parametrize("name", ["![x](http://127.0.0.1:9/x.png)", "<b>bold</b> [link](javascript:alert(1))",
                                  ":red[alarm] **loud** `code` $x$"])
def test_a_hostile_name_is_shown_as_written(app, fiction_store, name):
    at = open_compare(app, fiction_store, SavedQuery(name, "tram"), SavedQuery(name, "tram AND ("))
    assert rows(at)[0][0] == name
    helps = [b.proto.help for b in at.get("link_button")] + [b.proto.help for b in at.button
                                                               if b.key and b.key.startswith("cq_remove_")]
    assert len(helps) == 3 and len(at.error) == 1
    for text in helps + [e.value for e in at.error]:
        # the name's Markdown characters escaped: shown as written, never read as a link, an image or markup
        assert name not in text and page.markdown_text(name) in text, text


@pytest.mark.parametrize("own, topics", [((), ()), (("Lakeside Ledger",), ()), ((), ("economy",))])
def test_a_querys_own_outlets_replace_the_sidebars_outlets_and_group(own, topics):
    from types import SimpleNamespace

    from dashboard_compare import _filters_of
    from monitor.read.filters import Filters
    from monitor.read.outlet_groups import OutletGroup

    group = OutletGroup("leaning", "left", outlets=("the northbridge courier",))
    sidebar = Filters(sources=("The Northbridge Courier",), topics=("floods",), outlet_group=group, query="old",
                      unique_stories=True)
    f = _filters_of(SimpleNamespace(filters=sidebar), SavedQuery("Q", "tram", own, topics))  # type: ignore[arg-type]
    assert f.query == "tram" and f.unique_stories
    assert (f.sources, f.outlet_group) == ((own, None) if own else (sidebar.sources, group))
    assert f.topics == (topics or sidebar.topics)
