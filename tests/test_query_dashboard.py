"""The query box of the dashboard (AppTest): it filters the page, lives in the URL, and a bad query is a
message under the box, never a traceback."""
from __future__ import annotations


def articles_shown(at) -> str:
    return {m.label: m.value for m in at.metric}["Articles"]


def test_the_query_filters_the_page_and_the_caption_says_so(app, fiction_store):
    at = app(fiction_store.path)
    assert articles_shown(at) == "5"
    at.sidebar.text_input(key="q").set_value('tram OR "harbour plan"').run()
    assert not at.exception
    assert articles_shown(at) == "3"
    # the URL's q is written by the browser (a bound widget): tests/test_query_browser.py checks it
    assert any("text matching" in c.value for c in at.caption)


def test_a_link_with_a_query_opens_filtered(app, fiction_store):
    at = app(fiction_store.path, {"q": "flood*"})
    assert not at.exception
    assert at.sidebar.text_input(key="q").value == "flood*"
    assert articles_shown(at) == "1"


def test_a_bad_query_is_a_message_under_the_box(app, fiction_store):
    at = app(fiction_store.path)
    at.sidebar.text_input(key="q").set_value("tram AND (budget").run()
    assert not at.exception
    assert any("never closed" in e.value for e in at.sidebar.error)
    assert articles_shown(at) == "5"  # not applied, and the caption says so
    assert any("not applied" in c.value for c in at.caption)
