"""Uploads in a real browser: every file ingested, the new articles shown at once, and a Stop that stops.

The real `streamlit run dashboard.py` on a copy of the fiction store (five articles, 1-24 March 2021), driven
by chromium: files are put into the sidebar's uploader, "Ingest" clicked, and the page read as a user reads it.
"""
from __future__ import annotations

import re
import shutil

import pytest

from monitor.store import Store
from tests.servers import WAIT_MS, open_dashboard, streamlit_server, wait_for_idle, wait_until, wait_visible
from tests.test_upload import article

pytestmark = [pytest.mark.browser, pytest.mark.slow]
playwright = pytest.importorskip("playwright.sync_api")


@pytest.fixture
def store(tmp_path, fiction_store) -> str:
    path = tmp_path / "growing.duckdb"
    shutil.copyfile(fiction_store.path, path)
    return str(path)


@pytest.fixture
def dashboard(page, store):
    """The page, on a server of its own (its store changes), opened and idle."""
    with streamlit_server(store) as (url, _):
        page.set_default_timeout(WAIT_MS)
        page.set_viewport_size({"width": 1500, "height": 1100})
        open_dashboard(page, url)
        yield page


def articles_metric(page) -> str:
    return page.get_by_test_id("stMetric").filter(has_text="Articles").get_by_test_id("stMetricValue").inner_text()


def upload(page, files: list[tuple[str, bytes]]) -> None:
    """Open the sidebar's "Add articles" box, put the files into the uploader and click Ingest."""
    page.get_by_test_id("stSidebar").get_by_text("Add articles").click()
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
        [{"name": name, "mimeType": "text/plain", "buffer": data} for name, data in files])
    # each file is sent as soon as it is chosen, a spinner on its chip until it has arrived
    script = ("n => document.querySelectorAll('[data-testid=stFileChip]').length === n && "
              "!document.querySelector('[data-testid=stFileChipIconSpinner]')")
    wait_until(page, lambda ms: page.wait_for_function(script, arg=len(files), timeout=ms), "the files uploaded")
    page.get_by_role("button", name="Ingest").click()


def stored(store: str) -> int:
    return int(Store(store, read_only=True).query("SELECT count(*) AS n FROM articles")["n"].iloc[0])


def test_same_named_and_hidden_files_are_all_added_and_shown_at_once(dashboard, store):
    page = dashboard
    assert articles_metric(page) == "5"
    upload(page, [("visit.txt", article(1)), ("visit.txt", article(2)), (".notes.txt", article(3))])
    # the old box: "Added 1 articles" (one visit.txt overwrote the other, .notes.txt ignored), and the
    # page's figures stayed at 5 until a reload
    wait_visible(page, page.get_by_text("Added 3 articles"), "the upload's outcome")
    wait_for_idle(page)
    assert stored(store) == 8
    assert articles_metric(page) == "8"
    assert "to=" not in page.url


def test_stop_ends_the_ingest_and_the_page_says_what_it_kept(dashboard, store):
    page = dashboard
    upload(page, [(f"visit-{i}.txt", article(i, words=240)) for i in range(150)])
    stop = page.get_by_role("button", name="Stop")
    wait_visible(page, stop, "the Stop button of a running upload")
    wait_visible(page, page.get_by_text(re.compile(r"Ingesting 150 files: \d+ articles stored so far")),
                 "the progress line")
    stop.click()
    notice = page.get_by_text(re.compile(r"^Stopped\. \d+ articles from \d+ of the 150 files"))
    wait_visible(page, notice, "the stop's outcome")
    # then the ingest's last step, which the stop skipped, brings the stored articles into the charts
    wait_visible(page, page.get_by_text("Names and story groups are up to date"), "the step after the stop")
    wait_for_idle(page)
    kept = int(re.match(r"Stopped\. (\d+)", notice.inner_text()).group(1))
    assert kept < 150 and stored(store) == 5 + kept
    assert articles_metric(page) == f"{5 + kept:,}"
    assert page.get_by_role("button", name="Stop").count() == 0
