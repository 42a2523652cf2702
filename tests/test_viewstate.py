"""The view in the URL: old links upgraded for the bound widgets, the hand-kept dates and entities."""
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.present.viewstate import View, date_pins, hand_kept, moved_ends, shown_range, upgrade

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


def test_date_pins_keep_the_days_as_written_and_shown_range_clamps_them_to_the_store():
    first, last = date(2021, 3, 1), date(2021, 3, 24)

    def shown(params):
        return shown_range(date_pins(params), first, last)

    assert date_pins({"from": ["2021-03-02"]}) == (date(2021, 3, 2), None)
    assert shown({"from": ["2021-03-02"]}) == (date(2021, 3, 2), last)
    assert shown({"to": ["2021-03-10"]}) == (first, date(2021, 3, 10))
    # a link "to 31 December" keeps its day (the store may grow up to it) and shows the store's days meanwhile
    assert date_pins({"from": ["2020-01-01"], "to": ["2021-12-31"]}) == (date(2020, 1, 1), date(2021, 12, 31))
    assert shown({"from": ["2020-01-01"], "to": ["2021-12-31"]}) == (first, last)
    assert date_pins({"from": ["2021-13-40"], "to": ["yesterday"]}) == (None, None)
    assert date_pins({"from": ["2021-03-20"], "to": ["2021-03-02"]}) == (None, None)
    assert shown({"from": ["2030-01-01"]}) == (last, last)
    assert date_pins({"from": ["", "2021-03-05"]}) == (date(2021, 3, 5), None)  # the last one counts
    # the store's last day, chosen in a link, is a choice: pinned, not "up to the newest"
    assert date_pins({"to": ["2021-03-24"]}) == (None, last)


def test_a_range_left_to_the_store_follows_it_as_it_grows():
    first, last, later = date(2021, 3, 1), date(2021, 3, 24), date(2021, 4, 2)
    assert shown_range((None, None), first, last) == (first, last)
    assert shown_range((None, None), first, later) == (first, later)  # new articles come into view
    assert shown_range((None, last), first, later) == (first, last)   # a chosen last day stays


def test_moving_an_end_pins_it_and_moving_it_to_the_store_s_end_unpins_it():
    first, last = date(2021, 3, 1), date(2021, 3, 24)
    full = (first, last)
    assert moved_ends((None, None), full, (first, date(2021, 3, 5)), first, last) == (None, date(2021, 3, 5))
    assert moved_ends((None, date(2021, 3, 5)), (first, date(2021, 3, 5)), (date(2021, 3, 2), date(2021, 3, 5)),
                      first, last) == (date(2021, 3, 2), date(2021, 3, 5))
    assert moved_ends((date(2021, 3, 2), date(2021, 3, 5)), (date(2021, 3, 2), date(2021, 3, 5)), full,
                      first, last) == (None, None)


DAYS = st.dates(min_value=date(2020, 1, 1), max_value=date(2022, 12, 31))


@settings(max_examples=50, deadline=None)
@given(DAYS, st.integers(0, 400), st.integers(1, 400), st.lists(st.tuples(DAYS, DAYS), max_size=4))
def test_ends_the_user_never_chose_always_follow_the_store(first, span, growth, picks):
    """Any sequence of picks, then the store grows: an end never moved is the store's new end, and the
    days shown always lie in the store, in order."""
    last = first + timedelta(days=span)
    pins = (None, None)
    shown = shown_range(pins, first, last)
    moved = [False, False]
    for a, b in picks:
        chosen = (min(a, b), max(a, b))
        chosen = shown_range(chosen, first, last)  # a date_input keeps its days within min/max
        moved = [moved[0] or chosen[0] != shown[0], moved[1] or chosen[1] != shown[1]]
        pins = moved_ends(pins, shown, chosen, first, last)
        shown = shown_range(pins, first, last)
        assert shown == chosen
    grown = last + timedelta(days=growth)
    after = shown_range(pins, first, grown)
    assert first <= after[0] <= after[1] <= grown
    if not moved[1] or pins[1] is None:
        assert after[1] == grown
    else:
        assert after[1] == pins[1]


def test_hand_kept_parameters_leave_out_open_ends_and_no_entities():
    assert hand_kept(View()) == {"entity": [], "from": [], "to": []}
    view = View(entities=("Mara Velloso", "Tomas Brandt"), since=date(2021, 3, 2))
    assert hand_kept(view) == {"entity": ["Mara Velloso", "Tomas Brandt"], "from": ["2021-03-02"], "to": []}
