"""The dashboard's URL in Streamlit's AppTest: old links open the same view, garbage opens a sane one.

Most sidebar widgets are bound to the URL (bind="query-params"). AppTest has no browser: it shows the URL
the server wrote (an old link upgraded, the hand-kept entity/from/to, a bad value removed) but not what a
bound widget writes when a user changes it, which the browser does: tests/test_browser_url.py checks that.
"""
from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from monitor.present.viewstate import BOUND
from tests.conftest import ROOT
from tests.test_viewstate import OLD_LINKS

APP = str(ROOT / "dashboard.py")
FIRST, LAST = date(2021, 3, 1), date(2021, 3, 24)  # the fiction store's days
DEFAULT = {"kind": "person", "entities": [], "topic": [], "source": [], "dates": (FIRST, LAST), "copies": False,
           "min": 1, "freq": "auto", "norm": True, "smooth": 1, "img": "png", "q": ""}
WIDGETS = {"kind": "radio", "entities": "multiselect", "topic": "multiselect", "source": "multiselect",
           "dates": "date_input", "copies": "toggle", "min": "number_input", "freq": "selectbox", "norm": "toggle",
           "smooth": "slider", "img": "radio", "q": "text_input"}


@pytest.fixture
def app(monkeypatch, fiction_store):
    """Open the dashboard on the fiction store with these query parameters set before its first run."""
    def make(params: dict | None = None):
        monkeypatch.setenv("MONITOR_STORE", str(fiction_store.path))
        at = AppTest.from_file(APP, default_timeout=90)
        for key, value in (params or {}).items():
            at.query_params[key] = value
        return at.run()
    return make


def view_of(at) -> dict:
    """The sidebar's values, by widget key."""
    return {key: getattr(at.sidebar, kind)(key=key).value for key, kind in WIDGETS.items()}


# The views OLD_LINKS (written by the version before) open, and the URL the dashboard turns each into.
OLD_LINK_VIEWS = [
    ({"kind": "place", "entities": ["Northbridge"], "dates": (date(2021, 3, 2), LAST), "freq": "W", "norm": False,
      "smooth": 4, "img": "svg", "copies": True},
     {"kind": "Places", "entity": "Northbridge", "from": "2021-03-02", "freq": "Week", "norm": "false",
      "smooth": "4", "img": "SVG", "copies": "true"}),
    ({"entities": ["Mara Velloso", "Tomas Brandt"], "dates": (FIRST, date(2021, 3, 10)), "freq": "D", "min": 2},
     {"entity": ["Mara Velloso", "Tomas Brandt"], "to": "2021-03-10", "freq": "Day", "min": "2"}),
    ({"topic": ["Elections and campaigns", "Taxes and public finance"], "source": ["Lakeside Ledger"],
      "dates": (date(2021, 3, 3), date(2021, 3, 17)), "norm": False, "smooth": 3},
     {"topic": ["Elections and campaigns", "Taxes and public finance"], "source": "Lakeside Ledger",
      "from": "2021-03-03", "to": "2021-03-17", "norm": "false", "smooth": "3"}),
    ({"kind": "group", "freq": "M", "img": "svg"}, {"kind": "Groups", "freq": "Month", "img": "SVG"}),
    # no organisations in the fiction store: the names drop out, as before. The link's days (all March) are kept
    # as written, the store's days shown meanwhile: a store that grows to 31 March comes into view.
    ({"kind": "org", "topic": ["Economy and jobs"], "source": ["The Northbridge Courier"], "freq": "W", "min": 3,
      "norm": False, "smooth": 4, "img": "svg", "copies": True},
     {"kind": "Organisations", "topic": "Economy and jobs", "source": "The Northbridge Courier", "freq": "Week",
      "min": "3", "norm": "false", "smooth": "4", "img": "SVG", "copies": "true", "from": "2021-03-01",
      "to": "2021-03-31"}),
]


@pytest.mark.parametrize(("link", "expected"), zip(OLD_LINKS, OLD_LINK_VIEWS, strict=True))
def test_old_links_open_the_same_view_and_the_url_takes_the_new_form(app, link, expected):
    view, url = expected
    at = app(link)
    assert not at.exception
    assert view_of(at) == {**DEFAULT, **view}
    assert at.query_params == url


def test_an_upgraded_link_opens_the_same_view_again(app):
    at = app(OLD_LINK_VIEWS[0][1])
    assert view_of(at) == {**DEFAULT, **OLD_LINK_VIEWS[0][0]} and at.query_params == OLD_LINK_VIEWS[0][1]


HOSTILE = [
    ({"kind": "robot", "freq": "Y", "min": "lots", "smooth": "99", "from": "2021-13-40", "img": "gif",
      "entity": ["Mara Velloso", "Mara Velloso"], "utm_source": "mail"},
     {"entities": ["Mara Velloso"]}, {"entity": "Mara Velloso"}),
    # Streamlit's integer number_input raised OverflowError on these before the upgrade dropped them
    ({"min": "inf"}, {}, {}),
    ({"min": "-inf", "smooth": "inf"}, {}, {}),
    ({"min": "1e400", "smooth": "nan"}, {}, {}),
    ({"topic": ["<script>", "Education"], "source": ["", "Nope"], "norm": "maybe", "copies": "yes", "min": "0",
      "smooth": "0", "kind": ""},
     {"topic": ["Education"]}, {"topic": "Education"}),
    ({"from": "2021-03-20", "to": "2021-03-02"}, {}, {}),
    ({"from": "2030-01-01", "to": "1999-01-01"}, {}, {}),
    ({"from": "2030-01-01"}, {"dates": (LAST, LAST)}, {"from": "2030-01-01"}),  # a day chosen: kept as written
    ({"kind": ["", "Groups"], "freq": ["Week", "Month"], "smooth": ["3", "5"]},
     {"kind": "group", "freq": "M"}, {"kind": ["", "Groups"], "freq": ["Week", "Month"]}),
    ({"entity": "<script>alert(1)</script>", "dates": ["2021-03-05", "2021-03-06"], "norm": "1", "copies": "all"},
     {"copies": True}, {"copies": "true"}),
]


@pytest.mark.parametrize(("params", "view", "url"), HOSTILE)
def test_hostile_urls_open_a_sane_view(app, params, view, url):
    at = app(params)
    assert not at.exception
    assert view_of(at) == {**DEFAULT, **view}
    assert at.query_params == url
    assert len(at.get("plotly_chart")) == 6 or any("No mentions match" in i.value for i in at.info)


def test_changing_the_hand_kept_widgets_rewrites_the_url(app):
    at = app({"entity": "Mara Velloso", "from": "2021-03-02"})
    at.sidebar.multiselect(key="entities").set_value(["Tomas Brandt", "Mara Velloso"]).run()
    at.sidebar.date_input(key="dates").set_value((FIRST, date(2021, 3, 5))).run()
    assert at.query_params == {"entity": ["Tomas Brandt", "Mara Velloso"], "to": "2021-03-05"}
    at.sidebar.multiselect(key="entities").set_value([]).run()
    at.sidebar.date_input(key="dates").set_value((FIRST, LAST)).run()
    assert at.query_params == {}  # the whole store and the top names: nothing to say
    assert not at.exception


def test_a_bound_widget_follows_the_url_and_keeps_its_value_across_reruns(app):
    at = app({"freq": "Week", "kind": "Places"})
    at.sidebar.selectbox(key="freq").set_value("D").run()
    at.sidebar.toggle(key="norm").set_value(False).run()
    assert view_of(at) == {**DEFAULT, "kind": "place", "freq": "D", "norm": False}


def test_the_bound_widgets_are_the_parameters_the_upgrade_knows(app):
    at = app()
    bound = {getattr(at.sidebar, kind)(key=key).proto.query_param_key for key, kind in WIDGETS.items()}
    bound |= {tabs.proto.tab_container.query_param_key for tabs in at.get("tab_container")}  # the pages: `page`
    bound |= {at.sidebar.selectbox(key="group").proto.query_param_key}  # the outlet group (dashboard_outlets)
    # `grouping`: the Outlets page's own box, there only with groupings (tests/test_outlets_page.py checks it)
    assert bound - {""} == set(BOUND) - {"grouping"}  # "": not bound (the hand-kept entities and dates)
