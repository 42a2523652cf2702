"""Correcting names in a real browser: a merge chosen, previewed and applied, and the chart redrawn without the
merged name.

The real `streamlit run dashboard.py` on a copy of the fiction store, with its own watchlist (MONITOR_WATCHLIST).
"""
from __future__ import annotations

import shutil

import pytest

from monitor.ingest.watchlist import Watchlist
from tests.servers import WAIT_MS, open_dashboard, streamlit_server, wait_for_idle, wait_until, wait_visible

pytestmark = [pytest.mark.browser, pytest.mark.slow]
playwright = pytest.importorskip("playwright.sync_api")


@pytest.fixture
def dashboard(page, tmp_path, fiction_store, monkeypatch):
    """(page, watchlist path): the page on a server of its own (its store changes), opened and idle."""
    store = tmp_path / "fix.duckdb"
    shutil.copyfile(fiction_store.path, store)
    watchlist = tmp_path / "watchlist.toml"
    watchlist.write_text("# the newsroom's watchlist\n", encoding="utf-8")
    monkeypatch.setenv("MONITOR_WATCHLIST", str(watchlist))
    with streamlit_server(str(store)) as (url, _):
        page.set_default_timeout(WAIT_MS)
        page.set_viewport_size({"width": 1500, "height": 1100})
        open_dashboard(page, url)
        yield page, watchlist


def legend(page) -> str:
    """Return the text of the first chart (coverage per person): its legend names the people drawn."""
    return page.get_by_test_id("stPlotlyChart").first.inner_text()


def pick(page, label: str, option: str) -> None:
    """Choose `option` in the selectbox labelled `label` by typing it, as a user does.

    Open, type and click again until it takes: a rerun that lands while the menu is open (a loaded machine
    delays the one an earlier click started) redraws the box and closes the menu, and the option is gone.
    """
    box = page.get_by_role("combobox", name=label)

    def attempt(ms: float) -> None:
        box.click(timeout=ms)
        box.fill(option, timeout=ms)
        page.get_by_role("option", name=option, exact=True).click(timeout=ms)

    wait_until(page, attempt, f"{option!r} picked in {label!r}")
    wait_for_idle(page)


def test_a_merge_applied_from_the_page_redraws_the_chart(dashboard):
    page, watchlist = dashboard
    assert "Tomas Brandt" in legend(page)
    page.get_by_text("Correct names", exact=True).click()
    page.get_by_text("Merge", exact=True).click()
    wait_visible(page, page.get_by_role("combobox", name="Merge this entity"), "the merge's boxes")
    wait_for_idle(page)
    pick(page, "Merge this entity", "Tomas Brandt")
    pick(page, "into", "Mara Velloso")
    wait_visible(page, page.get_by_text("mentions change entity"), "the preview")
    page.get_by_role("button", name="Apply").click()
    wait_visible(page, page.get_by_text("watchlist written"), "the correction's outcome")
    wait_until(page, lambda ms: page.wait_for_function(
        "() => !document.querySelector('[data-testid=stPlotlyChart]').innerText.includes('Tomas Brandt')",
        timeout=ms), "the chart redrawn without the merged name")
    assert "Mara Velloso" in legend(page)
    assert Watchlist.load(watchlist).canonical_for("Tomas Brandt") == "Mara Velloso"
    assert "# the newsroom's watchlist" in watchlist.read_text()
