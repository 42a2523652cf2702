"""The view in the URL: old links upgraded for the bound widgets, the hand-kept dates and entities."""
from datetime import date

import pytest

from monitor.present.viewstate import View, date_range, hand_kept, upgrade

# Links in the format every version before bind="query-params" wrote: these dicts are what its
# viewstate.to_query returned for the views in the comments (lists for repeated keys).
OLD_LINKS = [
    # View(kind="place", entities=("Northbridge",), since=date(2021, 3, 2), freq="W", normalised=False,
    #      smooth=4, image_format="svg", all_copies=True)
    {"kind": "place", "entity": ["Northbridge"], "from": "2021-03-02", "freq": "W", "norm": "0", "smooth": "4",
     "img": "svg", "copies": "all"},
    # View(entities=("Mara Velloso", "Tomas Brandt"), until=date(2021, 3, 10), freq="D", min_mentions=2)
    {"entity": ["Mara Velloso", "Tomas Brandt"], "to": "2021-03-10", "freq": "D", "min": "2"},
    # View(sources=("Lakeside Ledger",), topics=("Elections and campaigns", "Taxes and public finance"),
    #      since=date(2021, 3, 3), until=date(2021, 3, 17), smooth=3, normalised=False)
    {"topic": ["Elections and campaigns", "Taxes and public finance"], "source": ["Lakeside Ledger"],
     "from": "2021-03-03", "to": "2021-03-17", "norm": "0", "smooth": "3"},
    # View(kind="group", image_format="svg", freq="M")
    {"kind": "group", "freq": "M", "img": "svg"},
    # View(kind="org", ..., min_mentions=3, normalised=False, ...): every parameter at once
    {"kind": "org", "entity": ["Northbridge Transit", "Lakeside Ledger"], "topic": ["Economy and jobs"],
     "source": ["The Northbridge Courier"], "from": "2021-03-01", "to": "2021-03-31", "freq": "W", "min": "3",
     "norm": "0", "smooth": "4", "img": "svg", "copies": "all"},
]
# What each becomes: the bound widgets' labels; the rest as it was.
UPGRADED = [
    {"kind": "Places", "entity": ["Northbridge"], "from": "2021-03-02", "freq": "Week", "norm": "false",
     "smooth": "4", "img": "SVG", "copies": "true"},
    {"entity": ["Mara Velloso", "Tomas Brandt"], "to": "2021-03-10", "freq": "Day", "min": "2"},
    {"topic": ["Elections and campaigns", "Taxes and public finance"], "source": ["Lakeside Ledger"],
     "from": "2021-03-03", "to": "2021-03-17", "norm": "false", "smooth": "3"},
    {"kind": "Groups", "freq": "Month", "img": "SVG"},
    {"kind": "Organisations", "entity": ["Northbridge Transit", "Lakeside Ledger"], "topic": ["Economy and jobs"],
     "source": ["The Northbridge Courier"], "from": "2021-03-01", "to": "2021-03-31", "freq": "Week", "min": "3",
     "norm": "false", "smooth": "4", "img": "SVG", "copies": "true"},
]


def as_lists(query: dict) -> dict[str, list[str]]:
    """A query dict the way st.query_params.get_all gives it: a list per name."""
    return {k: v if isinstance(v, list) else [v] for k, v in query.items()}


@pytest.mark.parametrize(("old", "new"), zip(OLD_LINKS, UPGRADED, strict=True))
def test_old_links_are_rewritten_for_the_bound_widgets(old, new):
    assert upgrade(as_lists(old)) == as_lists(new)


def test_a_link_in_the_new_format_is_left_alone():
    assert upgrade({"entity": ["Mara Velloso"], "topic": ["Education"], "min": ["2"], "smooth": ["3"],
                    "from": ["2021-03-02"], "kind": ["Places"], "norm": ["false"], "copies": ["true"]}) is None


@pytest.mark.parametrize("old", OLD_LINKS)
def test_upgrade_is_idempotent(old):
    once = upgrade(as_lists(old)) or as_lists(old)
    assert upgrade(once) is None  # else the dashboard would rerun for ever


def test_upgrade_drops_unknown_names_and_a_min_that_would_crash_the_widget():
    # Streamlit's integer number_input raises OverflowError on these (found with bind="query-params").
    for bad in ("inf", "-inf", "1e400", "nan", "lots", "2.5", " 5", ""):
        assert upgrade({"min": [bad], "freq": ["Week"]}) == {"freq": ["Week"]}, bad
    assert upgrade({"dates": ["2021-03-01"], "utm_source": ["x"], "topic": ["Education"]}) == {"topic": ["Education"]}
    # values no widget can take are left to the widgets, which drop them (tested in test_dashboard_url.py)
    assert upgrade({"kind": ["robot"], "freq": ["Y"], "smooth": ["99"]}) is None


def test_date_range_clamps_to_the_store_and_falls_back_to_it():
    first, last = date(2021, 3, 1), date(2021, 3, 24)
    assert date_range({"from": ["2021-03-02"]}, first, last) == (date(2021, 3, 2), last)
    assert date_range({"to": ["2021-03-10"]}, first, last) == (first, date(2021, 3, 10))
    assert date_range({"from": ["2020-01-01"], "to": ["2021-12-31"]}, first, last) == (first, last)
    assert date_range({"from": ["2021-13-40"], "to": ["yesterday"]}, first, last) == (first, last)
    assert date_range({"from": ["2021-03-20"], "to": ["2021-03-02"]}, first, last) == (first, last)
    assert date_range({"from": ["2030-01-01"]}, first, last) == (last, last)
    assert date_range({"from": ["", "2021-03-05"]}, first, last) == (date(2021, 3, 5), last)  # the last one counts


def test_hand_kept_parameters_leave_out_open_ends_and_no_entities():
    assert hand_kept(View()) == {"entity": [], "from": [], "to": []}
    view = View(entities=("Mara Velloso", "Tomas Brandt"), since=date(2021, 3, 2))
    assert hand_kept(view) == {"entity": ["Mara Velloso", "Tomas Brandt"], "from": ["2021-03-02"], "to": []}
