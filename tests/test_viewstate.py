"""The view as URL parameters: round trip, defaults, bad values."""
from datetime import date

from monitor.present.viewstate import View, from_query, to_query


def test_round_trip():
    view = View(kind="org", entities=("Northbridge Transit", "Lakeside Ledger"), topics=("Economy and jobs",),
                sources=("The Northbridge Courier",), since=date(2021, 3, 1), until=date(2021, 3, 31),
                freq="W", min_mentions=3, normalised=False, smooth=4, image_format="svg")
    query = to_query(view)
    assert query["entity"] == ["Northbridge Transit", "Lakeside Ledger"] and query["norm"] == "0"
    assert from_query({k: v if isinstance(v, list) else [v] for k, v in query.items()}) == view


def test_defaults_are_left_out_of_the_url():
    assert to_query(View()) == {}
    assert from_query({}) == View()


def test_bad_values_fall_back_to_defaults():
    view = from_query({"kind": ["robot"], "freq": ["Y"], "min": ["lots"], "smooth": ["99"], "from": ["2021-13-40"],
                       "img": ["gif"], "entity": ["Mara Velloso", "Mara Velloso"]})
    assert (view.kind, view.freq, view.min_mentions, view.smooth, view.since, view.image_format) == \
        ("person", "auto", 1, 12, None, "png")
    assert view.entities == ("Mara Velloso",)
