"""In a real browser: a chart's data table is drawn when its expander is opened, and only then.

The tables are not drawn with the page (bench/dashboard.py: hidden data grids delayed the first chart);
opening one reruns the page and shows the chart's rows, the chart staying where it was.
"""
import pytest

from tests.servers import WAIT_MS, open_dashboard, wait_for_idle, wait_visible

pytestmark = pytest.mark.browser
playwright = pytest.importorskip("playwright.sync_api")

GRID = "[data-testid='stDataFrame']"


@pytest.mark.parametrize("chart", ["person_mentions", "person_tone", "topic_mentions", "share_of_voice"])
def test_a_chart_table_opens_with_its_rows(page, fiction_server, chart):
    page.set_default_timeout(WAIT_MS)
    page.set_viewport_size({"width": 1500, "height": 1100})
    open_dashboard(page, fiction_server)
    expanders = page.locator("[class*='st-key-table_open_']")
    mine = page.locator(f".st-key-table_open_{chart}")
    wait_visible(page, mine, f"no table expander beside {chart}")
    assert expanders.locator(GRID).count() == 0  # no table drawn with the page
    mine.locator("summary").click()
    wait_visible(page, mine.locator(GRID).first, f"the table of {chart} never showed")
    wait_for_idle(page)
    assert expanders.locator(GRID).count() == 1  # only the one opened
    assert mine.locator(GRID).locator("canvas").count() > 0  # the grid itself, drawn
