"""The dashboard in a real browser (Playwright + Debian's chromium) against a real server on 127.0.0.1."""
import csv
import io
import re

import pytest

from tests.servers import (
    WAIT_MS,
    expect_download,
    open_dashboard,
    streamlit_server,
    wait_for_idle,
    wait_until,
    wait_visible,
)

pytestmark = pytest.mark.browser
playwright = pytest.importorskip("playwright.sync_api")
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def server(seed_store):
    """`streamlit run dashboard.py` on the seed store, on a free loopback port; stopped afterwards."""
    with streamlit_server(seed_store.path) as (url, _):
        yield url


@pytest.fixture
def dashboard(page, server):
    page.set_default_timeout(WAIT_MS)  # every click and download: generous, each ends when it happens
    page.set_viewport_size({"width": 1500, "height": 1100})
    open_dashboard(page, server)
    return page


def legend(chart) -> list[str]:
    """The names a coverage chart draws, once plotly has drawn them (it draws after Streamlit's run has ended).

    The seed is one article, so its coverage chart is a bar per name (names on the y axis), not lines with a legend.
    """
    chart.locator(".ytick text").first.wait_for()
    return chart.locator(".ytick text").all_text_contents()


def pick_person(page, name: str) -> None:
    """Choose a person with the sidebar's multiselect, typing to search as a user does."""
    box = page.locator(".st-key-entities input")
    box.click()
    box.fill(name)
    page.get_by_role("option", name=name).first.click()
    page.keyboard.press("Escape")
    # The script writes the URL during the rerun the choice started: once it is there, wait for that run's end.
    wait_until(page, lambda ms: page.wait_for_function("() => window.location.search.includes('entity=')",
                                                       timeout=ms), "the choice never reached the URL")
    wait_for_idle(page)


def button(page, key: str):
    """The visible button of the widget with this key (Streamlit also renders a hidden copy)."""
    return page.locator(f".st-key-{key} button:visible").first


def test_filter_by_person_screenshot_and_downloads(dashboard, tmp_path):
    page = dashboard
    pick_person(page, "Donald Trump")
    assert "entity=Donald+Trump" in page.url or "entity=Donald%20Trump" in page.url
    assert legend(page.get_by_test_id("stPlotlyChart").first) == ["Donald Trump"]
    shot = tmp_path / "dashboard.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes().startswith(PNG)

    info = expect_download(page, lambda: button(page, "dl_person_mentions_csv").click())
    csv_path = tmp_path / "mentions.csv"
    info.value.save_as(csv_path)
    assert info.value.suggested_filename.startswith("person-mentions_donald-trump")
    rows = list(csv.DictReader(io.StringIO(csv_path.read_text())))
    assert {r["name"] for r in rows} == {"Donald Trump"} and int(rows[0]["mentions"]) > 10

    chart = page.get_by_test_id("stPlotlyChart").first
    chart.hover()
    info = expect_download(page, lambda: chart.get_by_role("button", name="Download plot as a PNG").click())
    assert re.fullmatch(r"person-mentions_donald-trump_.*_[0-9a-f]{10}\.png", info.value.suggested_filename)
    png = tmp_path / "modebar.png"
    info.value.save_as(png)
    assert png.read_bytes().startswith(PNG) and png.stat().st_size > 10_000


def test_server_side_png_and_offline_html(dashboard, tmp_path):
    page = dashboard
    info = expect_download(page, lambda: button(page, "dl_person_tone_png").click())
    target = tmp_path / "tone.png"
    info.value.save_as(target)
    assert target.read_bytes().startswith(PNG)
    info = expect_download(page, lambda: button(page, "dl_person_tone_html").click())
    html = tmp_path / "tone.html"
    info.value.save_as(html)
    text = html.read_text()
    assert "Plotly.newPlot" in text and "<script src=\"http" not in text


def test_view_survives_a_reload_and_the_camera_saves_svg(dashboard, server, tmp_path):
    page = dashboard
    open_dashboard(page, f"{server}/?entity=Elon+Musk&freq=W&img=svg")
    chart = page.get_by_test_id("stPlotlyChart").first
    assert legend(chart) == ["Elon Musk"]
    chart.hover()
    info = expect_download(page, lambda: chart.get_by_role("button", name=re.compile("Download plot", re.I)).click())
    assert re.fullmatch(r"person-mentions_elon-musk_.*_[0-9a-f]{10}\.svg", info.value.suggested_filename)
    target = tmp_path / "chart.svg"
    info.value.save_as(target)
    assert "<svg" in target.read_text()[:500]


def test_clicking_a_point_shows_the_sentences_behind_it(dashboard, server):
    page = dashboard
    open_dashboard(page, f"{server}/?entity=Donald+Trump")
    chart = page.get_by_test_id("stPlotlyChart").first
    assert page.locator("mark").count() == 0
    point = chart.locator(".trace .points path").first  # a bar: the seed is one article
    point.wait_for()
    point.click(force=True)
    # The sentences come with the rerun the click started: the first one shows it has, then wait for its end.
    wait_visible(page, page.locator("mark").first, "no sentence shown for the clicked point")
    wait_for_idle(page)
    marked = set(page.locator("mark").all_text_contents())
    assert marked <= {"Trump", "Donald Trump", "Trump\u2019s", "President Trump"} and "Trump" in marked
    assert page.locator("mark").count() >= 10
