"""The Profile page in a real browser: the top table's link opens the profile (its own URL, the view's filters
kept), and a profile table downloads with the filters and the profile in its name and rows."""
import csv
import io
import re
import urllib.parse

import pytest

from tests.servers import WAIT_MS, expect_download, open_dashboard, wait_for_idle, wait_visible

pytestmark = pytest.mark.browser
playwright = pytest.importorskip("playwright.sync_api")

# Streamlit's data grid (a canvas): the header row's and each row's height in pixels
HEADER_PX, ROW_PX = 36, 35


def click_link_cell(page, grid, row: int) -> None:
    """Click the last column (the profile link) of `row` (0-based) in a canvas data grid."""
    grid.scroll_into_view_if_needed()
    box = grid.get_by_test_id("data-grid-canvas").bounding_box()
    x, y = box["x"] + box["width"] - 60, box["y"] + HEADER_PX + ROW_PX * (row + 0.5)
    page.mouse.move(x, y)
    page.mouse.click(x, y)


def test_top_table_link_opens_the_profile_and_its_table_downloads(page, fiction_server, tmp_path):
    page.set_default_timeout(WAIT_MS)
    page.set_viewport_size({"width": 1500, "height": 1100})
    open_dashboard(page, f"{fiction_server}/?{urllib.parse.urlencode({'source': 'Lakeside Ledger'})}")
    # the top table: the first table after its heading
    top = page.locator("xpath=//*[self::h3][contains(., 'Most mentioned')]/following::*[@data-testid='stDataFrame'][1]")
    with page.context.expect_page() as opened:
        click_link_cell(page, top, 0)  # Tomas Brandt: the most mentioned in the Ledger
    profile = opened.value
    profile.set_default_timeout(WAIT_MS)
    wait_visible(profile, profile.get_by_role("heading", name="Tomas Brandt (person)"), "no profile heading")
    wait_for_idle(profile)
    params = urllib.parse.parse_qs(urllib.parse.urlsplit(profile.url).query)
    assert params["page"] == ["Profile"] and params["profile"] == ["Tomas Brandt"]
    assert params["source"] == ["Lakeside Ledger"]  # the view's filters came with the link
    info = expect_download(profile, lambda: profile.locator(".st-key-dl_profile_named_with button:visible")
                           .first.click())
    name = info.value.suggested_filename
    assert re.fullmatch(r"profile-named-with_.*lakeside-ledger.*_[0-9a-f]{10}\.csv", name), name
    assert "tomas-brandt" in name
    target = tmp_path / name
    info.value.save_as(target)
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert [r["name"] for r in rows] == ["Mara Velloso", "Northbridge"]  # named in his Ledger articles
    said = rows[0]["view_filters"]
    assert "profile: Tomas Brandt" in said and "outlets: Lakeside Ledger" in said
