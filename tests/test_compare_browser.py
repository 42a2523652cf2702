"""The Compare queries page in a real browser: a link opens the comparison (a line per query), its CSV names
every query; a query renamed on the page goes into the address, and that address opens the same comparison in a
new tab."""
from __future__ import annotations

import csv
import io
import re
import urllib.parse

import pytest

from monitor.present.compare_state import SavedQuery, decode, encode
from tests.servers import WAIT_MS, expect_download, open_dashboard, wait_for_idle, wait_until, wait_visible

pytestmark = pytest.mark.browser
playwright = pytest.importorskip("playwright.sync_api")

QUERIES = [SavedQuery("Tram & budget", 'tram OR "tram budget"'),
           SavedQuery("Harbour", "harbour", ("Lakeside Ledger", "The Northbridge Courier"))]


def link(base: str, queries: list[SavedQuery]) -> str:
    return f"{base}/?" + urllib.parse.urlencode({"page": "Compare queries", "cq": [encode(q) for q in queries]},
                                                doseq=True)


def legend(page) -> list[str]:
    return page.locator(".st-key-chart_compare-coverage .legendtext").all_inner_texts()


def wait_legend(page, names: list[str]) -> None:
    texts = page.locator(".st-key-chart_compare-coverage .legendtext")
    wait_until(page, lambda ms: playwright.expect(texts).to_have_text(names, timeout=ms),
               f"the coverage chart never showed lines for {names}")


@pytest.fixture
def compared(page, fiction_server):
    page.set_default_timeout(WAIT_MS)
    page.set_viewport_size({"width": 1500, "height": 1100})
    open_dashboard(page, link(fiction_server, QUERIES))
    wait_legend(page, [q.name for q in QUERIES])
    return page


def test_a_link_opens_the_comparison_and_its_csv_names_every_query(compared, tmp_path):
    info = expect_download(compared, lambda: compared.locator(".st-key-dl_compare-coverage_csv button:visible")
                           .first.click(), "the coverage CSV")
    name = info.value.suggested_filename
    assert re.fullmatch(r"compare-coverage_tram-budget-harbour_2021-03-01-to-2021-03-24_[0-9a-f]{10}\.csv", name), name
    target = tmp_path / name
    info.value.save_as(target)
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert {r["name"] for r in rows} == {q.name for q in QUERIES}
    assert sum(int(r["articles"]) for r in rows if r["name"] == "Harbour") == 2
    said = rows[0]["view_filters"]
    assert 'Tram & budget: tram OR "tram budget"' in said
    assert "Harbour: harbour (outlets: Lakeside Ledger; The Northbridge Courier)" in said


def test_a_renamed_query_goes_into_the_address_and_opens_in_a_new_tab(compared):
    box = compared.locator(".st-key-cq_name_1").get_by_role("textbox")
    box.fill("Harbour (ledger)")
    box.press("Enter")
    wait_until(compared, lambda ms: compared.wait_for_url(lambda u: "ledger" in urllib.parse.unquote(u), timeout=ms),
               "the renamed query never reached the address")
    wait_for_idle(compared)
    shared = urllib.parse.parse_qs(urllib.parse.urlsplit(compared.url).query)["cq"]
    assert [decode(v).name for v in shared] == ["Tram & budget", "Harbour (ledger)"]
    other = compared.context.new_page()
    other.set_default_timeout(WAIT_MS)
    open_dashboard(other, compared.url)
    wait_legend(other, ["Tram & budget", "Harbour (ledger)"])
    overview = other.locator(".st-key-cq_open_1 a[href*='page=Overview']").first
    wait_visible(other, overview, "the renamed query's Overview link")
    opened = urllib.parse.parse_qs(urllib.parse.urlsplit(overview.get_attribute("href") or "").query)
    assert opened["page"] == ["Overview"] and opened["q"] == ["harbour"]
    assert opened["source"] == ["Lakeside Ledger", "The Northbridge Courier"]
