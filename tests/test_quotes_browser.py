"""The Quotes page in a real browser, on a store of fictional quotations (tests/quoted_corpus.py): opened from its
tab, it shows a quotation with its speaker; a speaker chosen goes into the address; the quotations download as a
CSV holding the words, the canonical speaker and the view's filters."""
import csv
import io
import urllib.parse

import pytest

from tests import quoted_corpus
from tests.servers import WAIT_MS, expect_download, open_dashboard, wait_for_idle, wait_visible

pytestmark = pytest.mark.browser
playwright = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def quoted_server(tmp_path_factory):
    """`streamlit run dashboard.py` on the quoted store; its URL."""
    from tests.servers import streamlit_server

    store = quoted_corpus.build(tmp_path_factory.mktemp("quoted_browser"))
    with streamlit_server(store.path) as (url, _):
        yield url


def test_the_quotes_tab_shows_who_said_what_and_downloads_it(page, quoted_server, tmp_path):
    page.set_default_timeout(WAIT_MS)
    page.set_viewport_size({"width": 1400, "height": 1000})
    open_dashboard(page, f"{quoted_server}/?{urllib.parse.urlencode({'source': 'Lakeside Ledger'})}")
    page.get_by_role("tab", name="Quotes").click()
    card = page.locator(".quote-card").filter(has_text="Families will pay less")
    wait_visible(page, card, "no card of the minister's quotation")
    wait_for_idle(page)
    assert card.locator(".quote-speaker").inner_text() == "Lena Marsh"  # "Marsh said", the minister's article
    footballer = page.locator(".quote-card").filter(has_text="What a brilliant night")
    assert footballer.locator(".quote-speaker").inner_text() == "Owen Marsh"
    assert page.locator(".quote-card").filter(has_text="reckless waste").count() == 0  # the Courier's: filtered out
    # choose a speaker: their quotations only, and the address says whom
    page.locator(".st-key-quote_speaker").get_by_role("combobox").click()
    page.get_by_role("option", name="Tomas Brandt", exact=True).click()
    wait_visible(page, page.locator(".quote-card").filter(has_text="the mayor failed us"), "no quotation of Brandt")
    page.wait_for_url(lambda url: "speaker=Tomas+Brandt" in url or "speaker=Tomas%20Brandt" in url)
    wait_for_idle(page)
    assert page.locator(".quote-card").filter(has_text="What a brilliant night").count() == 0
    info = expect_download(page, lambda: page.locator(".st-key-dl_quotations button:visible").first.click())
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert {r["speaker"] for r in rows} == {"Tomas Brandt"} and len(rows) == 2  # his two in the Ledger
    assert {r["text"] for r in rows} == {"Taxes are too high and families suffer", "the mayor failed us."}
    assert "Lakeside Ledger" in rows[0]["view_filters"] and "speaker: Tomas Brandt" in rows[0]["view_filters"]
