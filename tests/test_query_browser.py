"""The query box in a real browser: typing a query filters the page and writes `q` into the address bar;
a link with `q` opens filtered; a bad query is a message under the box."""
from __future__ import annotations

import urllib.parse

import pytest

from tests.servers import open_dashboard, wait_for_idle, wait_until, wait_visible

pytestmark = pytest.mark.browser
playwright = pytest.importorskip("playwright.sync_api")


def articles_metric(page):
    return page.get_by_test_id("stMetric").filter(has_text="Articles").get_by_test_id("stMetricValue")


def wait_articles(page, shown: str) -> None:
    metric = articles_metric(page)
    wait_until(page, lambda ms: playwright.expect(metric).to_have_text(shown, timeout=ms),
               f"the Articles figure never read {shown}")


def type_query(page, text: str) -> None:
    box = page.locator(".st-key-q").get_by_role("textbox")
    box.fill(text)
    box.press("Enter")


def test_typing_a_query_filters_and_goes_into_the_url(page, fiction_server):
    page.set_viewport_size({"width": 1500, "height": 1100})
    open_dashboard(page, fiction_server)
    wait_articles(page, "5")
    type_query(page, 'tram OR "harbour plan"')
    wait_articles(page, "3")
    wait_until(page, lambda ms: page.wait_for_url(lambda u: "q=" in u, timeout=ms), "q never reached the URL")
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(page.url).query)["q"] == ['tram OR "harbour plan"']
    type_query(page, "tram AND (budget")
    wait_visible(page, page.locator(".stSidebar").get_by_text("never closed"), "the bad query's message")
    wait_articles(page, "5")


def test_a_link_with_a_query_opens_filtered(page, fiction_server):
    page.set_viewport_size({"width": 1500, "height": 1100})
    open_dashboard(page, fiction_server + "?q=" + urllib.parse.quote("flood* NEAR/3 harbour"))
    wait_for_idle(page)
    wait_articles(page, "1")
