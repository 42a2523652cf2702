"""The view in the address bar, in a real browser: bound widgets write their parameters, old links are upgraded.

A widget with bind="query-params" writes the URL from the browser, which AppTest does not run; this is
where that is checked, together with the parameters the dashboard writes by hand (entity, from, to).
"""
from __future__ import annotations

import re
import urllib.parse

import pytest

from tests.servers import open_dashboard, wait_for_idle, wait_until
from tests.test_dashboard_url import OLD_LINK_VIEWS
from tests.test_viewstate import OLD_LINKS, as_lists

pytestmark = pytest.mark.browser
playwright = pytest.importorskip("playwright.sync_api")


def open_view(page, url: str) -> None:
    page.set_viewport_size({"width": 1500, "height": 1100})
    open_dashboard(page, url)


def query(page) -> dict[str, list[str]]:
    return urllib.parse.parse_qs(urllib.parse.urlsplit(page.url).query)


# The address bar's parameters as {name: [values]}, in the page (each change is a rerun away).
_PARAMS_JS = """expected => {
    const got = {};
    for (const [k, v] of new URLSearchParams(window.location.search)) (got[k] = got[k] || []).push(v);
    const keys = o => Object.keys(o).sort();
    return JSON.stringify(keys(got)) === JSON.stringify(keys(expected))
        && keys(got).every(k => JSON.stringify(got[k]) === JSON.stringify(expected[k]));
}"""


def wait_for_query(page, expected: dict[str, list[str]]) -> None:
    """Wait until the address bar holds exactly these parameters, then for the run to end."""
    wait_until(page, lambda ms: page.wait_for_function(_PARAMS_JS, arg=expected, timeout=ms),
               f"the address bar never held {expected} (last: {query(page)})")
    wait_for_idle(page)


def choose(page, key: str, option: str | re.Pattern) -> None:
    """Pick an option of the selectbox or multiselect with this key, as a user does."""
    page.locator(f".st-key-{key}").get_by_role("combobox").click()
    page.get_by_role("option", name=option, exact=isinstance(option, str)).click()
    page.keyboard.press("Escape")


def test_an_old_link_is_upgraded_in_the_address_bar(page, fiction_server):
    open_view(page, f"{fiction_server}/?{urllib.parse.urlencode(OLD_LINKS[0], doseq=True)}")
    wait_for_query(page, as_lists(OLD_LINK_VIEWS[0][1]))
    caption = page.get_by_test_id("stCaptionContainer").first.inner_text()
    assert caption.startswith("02 Mar 2021 – 24 Mar 2021 · by week") and "every copy counted" in caption


def test_widgets_write_the_url_and_a_reload_keeps_the_view(page, fiction_server):
    open_view(page, fiction_server)
    choose(page, "freq", "Week")
    wait_for_query(page, {"freq": ["Week"]})
    page.locator(".st-key-norm label").click()
    wait_for_query(page, {"freq": ["Week"], "norm": ["false"]})
    choose(page, "topic", "Economy and jobs")
    wait_for_query(page, {"freq": ["Week"], "norm": ["false"], "topic": ["Economy and jobs"]})
    page.locator(".st-key-img").get_by_text("SVG").click()
    expected = {"freq": ["Week"], "norm": ["false"], "topic": ["Economy and jobs"], "img": ["SVG"]}
    wait_for_query(page, expected)
    # a parameter the dashboard writes itself must not lose the ones the bound widgets wrote
    choose(page, "entities", re.compile(r"^Mara Velloso \(\d+\)$"))  # the label carries the count
    wait_for_query(page, {**expected, "entity": ["Mara Velloso"]})

    page.reload()
    open_dashboard(page, page.url)
    wait_for_query(page, {**expected, "entity": ["Mara Velloso"]})
    caption = page.get_by_test_id("stCaptionContainer").first.inner_text()
    assert "by week · topics: Economy and jobs" in caption
    chart = page.get_by_test_id("stPlotlyChart").first
    chart.locator(".legendtext, .ytick text").first.wait_for()  # plotly draws once Streamlit's run has ended
    # one week holds the topic's articles: the coverage chart is then a bar per name (names on the y axis)
    drawn = chart.locator(".legendtext").all_text_contents() or chart.locator(".ytick text").all_text_contents()
    assert drawn == ["Mara Velloso"]

    choose(page, "freq", "Automatic")  # back to the default: the parameter goes
    wait_for_query(page, {"norm": ["false"], "topic": ["Economy and jobs"], "img": ["SVG"], "entity": ["Mara Velloso"]})
