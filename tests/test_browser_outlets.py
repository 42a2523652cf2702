"""The Outlets page in a real browser: choose a grouping, see each group's line, download the per-outlet CSV."""
import csv
import io
import re
import urllib.parse

import pytest

from tests.servers import WAIT_MS, expect_download, open_dashboard, streamlit_server, wait_for_idle, wait_until
from tests.test_outlets import TOML, labelled  # noqa: F401  (the labelled store fixture)

pytestmark = pytest.mark.browser
playwright = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def outlets_server(labelled, tmp_path_factory):  # noqa: F811
    """The dashboard on the labelled fictional store, with the outlets file's `leaning` grouping too."""
    toml = tmp_path_factory.mktemp("outlets") / "outlets.toml"
    toml.write_text(TOML)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MONITOR_OUTLETS", str(toml))  # the server inherits the environment
        with streamlit_server(labelled.path) as (url, _):
            yield url


def legend(page) -> set[str]:
    """The legend entries of the page's first chart."""
    return set(page.get_by_test_id("stPlotlyChart").first.locator(".legendtext").all_text_contents())


def test_choose_a_grouping_see_both_groups_and_download_the_outlet_breakdown(page, outlets_server, tmp_path):
    page.set_default_timeout(WAIT_MS)
    page.set_viewport_size({"width": 1500, "height": 1100})
    query = urllib.parse.urlencode({"page": "Outlets", "entity": "Mara Velloso"})
    open_dashboard(page, f"{outlets_server}/?{query}")
    wait_until(page, lambda ms: page.locator(".legendtext", has_text=re.compile(r"^left$")).first.wait_for(timeout=ms),
               "the leaning grouping's lines")
    assert {"left", "right", "ungrouped"} <= legend(page)
    # choose the records' label instead, as a user does
    page.locator(".st-key-grouping").get_by_role("combobox").click()
    page.get_by_role("option", name="political_bias", exact=True).click()
    # has_text with a string ignores case ("left" would do): an exact, case-sensitive pattern
    wait_until(page, lambda ms: page.locator(".legendtext", has_text=re.compile(r"^Left$")).first.wait_for(timeout=ms),
               "the political_bias grouping's lines")
    wait_for_idle(page)
    assert {"Left", "Right"} <= legend(page)
    assert "grouping=political_bias" in page.url
    info = expect_download(page, lambda: page.locator(".st-key-og_outlets_csv button:visible").first.click())
    name = info.value.suggested_filename
    target = tmp_path / name
    info.value.save_as(target)
    assert re.fullmatch(r"outlet-breakdown_mara-velloso_.*_[0-9a-f]{10}\.csv", name), name
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert {r["group"] for r in rows} == {"Left", "Right", "ungrouped"}
    assert "grouping: political_bias" in rows[0]["view_filters"]
    courier = next(r for r in rows if r["source"] == "The Northbridge Courier" and r["name"] == "Mara Velloso")
    assert (courier["articles"], courier["outlet_articles"]) == ("2", "2")
