"""The Profile page in Streamlit's AppTest: opened by URL (any spelling), an unknown name, a topic, the picker,
and the links to it from the Overview's top table and drill-down, which keep the view's filters."""
from __future__ import annotations

import urllib.parse

import pytest

PROFILE = {"page": "Profile"}


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def param(at, name: str) -> list[str]:
    """Return a URL parameter's values (AppTest gives one value as a string, several as a list)."""
    value = at.query_params[name]
    return value if isinstance(value, list) else [value]


def link_params(url: str) -> dict[str, list[str]]:
    assert url.startswith("?"), url
    return urllib.parse.parse_qs(url[1:])


@pytest.mark.parametrize("typed", ["Mara Velloso", "mara velloso", "MARA VELLOSO", "Velloso"])
def test_a_profile_opens_by_url_under_any_spelling(app, fiction_store, typed):
    at = app(fiction_store.path, {**PROFILE, "profile": typed, "profile_kind": "person"})
    assert not at.exception
    assert "Mara Velloso (person)" in [h.value for h in at.header]
    shown = metrics(at)
    assert (shown["Mentions"], shown["Articles"], shown["Outlets"]) == ("6", "4", "2")
    assert param(at, "profile") == ["Mara Velloso"]  # the URL names her as the store does
    subheaders = [s.value for s in at.subheader]
    for part in ("Strongest tone toward them", "Named with them", "Topics", "Outlets", "Spellings merged into them"):
        assert part in subheaders


def test_the_sidebar_filters_apply_and_the_page_says_so(app, fiction_store):
    at = app(fiction_store.path, {**PROFILE, "profile": "Mara Velloso", "source": "Lakeside Ledger"})
    assert (metrics(at)["Mentions"], metrics(at)["Outlets"]) == ("2", "1")
    assert any("filters apply" in c.value and "Lakeside Ledger" in c.value for c in at.caption)


def test_an_unknown_name_says_so_and_offers_the_closest(app, fiction_store):
    at = app(fiction_store.path, {**PROFILE, "profile": "Mara Veloso", "profile_kind": "person"})
    assert not at.exception
    assert any("no person called" in w.value and "Mara Veloso" in w.value for w in at.warning)
    closest = [b for b in at.button if b.label.startswith("Mara Velloso")]
    assert closest
    closest[0].click().run()
    assert "Mara Velloso (person)" in [h.value for h in at.header]
    assert param(at, "profile") == ["Mara Velloso"]


def test_a_topic_profile(app, fiction_store):
    at = app(fiction_store.path, {**PROFILE, "profile": "taxes and public finance", "profile_kind": "topic"})
    assert not at.exception
    assert "Taxes and public finance (topic)" in [h.value for h in at.header]
    assert metrics(at)["Hits"] == "4" and metrics(at)["Articles"] == "3"  # taxpayers, budget (twice), taxes
    subheaders = [s.value for s in at.subheader]
    assert "Keywords that matched" in subheaders and "Namesakes kept apart" not in subheaders
    # the first linked table: the names found in its articles, each linked to their profile
    named = next(d.value for d in at.dataframe if "profile" in d.value.columns)
    assert {"Tomas Brandt", "Mara Velloso"} <= set(named["name"])
    for url, name in zip(named["profile"], named["name"], strict=True):
        assert link_params(url)["profile"] == [name] and link_params(url)["page"] == ["Profile"]


def test_the_picker_opens_a_profile(app, fiction_store):
    at = app(fiction_store.path, PROFILE)
    assert not at.exception and not at.header.values[:-1]  # no subject yet: only the sidebar's header
    at.text_input(key="profile_find").set_value("brandt").run()
    at.button[0].click().run()
    assert "Tomas Brandt (person)" in [h.value for h in at.header]


def test_the_top_table_links_to_each_profile_keeping_the_filters(app, fiction_store):
    at = app(fiction_store.path, {"source": "Lakeside Ledger", "copies": "true", "from": "2021-03-02"})
    top = next(d.value for d in at.dataframe if "Profile" in d.value.columns)  # the top table
    for url, name in zip(top["Profile"], top["Name"], strict=True):
        params = link_params(url)
        assert params["page"] == ["Profile"] and params["profile"] == [name]
        assert params["profile_kind"] == ["person"]
        assert (params["source"], params["copies"], params["from"]) == (["Lakeside Ledger"], ["true"],
                                                                        ["2021-03-02"])


def test_the_drill_down_links_to_the_profile(app, fiction_store):
    at = app(fiction_store.path)
    at.selectbox(key="drill_name").set_value("Tomas Brandt").run()
    links = [m.value for m in at.markdown if "Open the profile of" in m.value]
    assert links and "profile=Tomas+Brandt" in links[0] and "page=Profile" in links[0]


@pytest.mark.parametrize("hostile", ["<script>alert(1)</script>", "[x](javascript:alert(1))", "![i](http://e/x.png)",
                                     "", " ", "a" * 5000])
def test_a_hostile_name_in_the_url_is_shown_as_text(app, fiction_store, hostile):
    at = app(fiction_store.path, {**PROFILE, "profile": hostile, "profile_kind": "<b>"})
    assert not at.exception
    assert at.text_input(key="profile_find")  # the search box, to find the one meant
    if hostile.strip():
        [said] = [w.value for w in at.warning]
        assert "called" in said
        # shown as written: Markdown's link and image syntax escaped, so neither a link nor an image is made
        assert "](" not in said.replace("\\](", "")
