"""Downloads in a real browser say what they hold: the file's name and its contents carry the view's filters."""
import csv
import io
import json
import re
import urllib.parse
import zipfile

import pytest

from tests.servers import WAIT_MS, expect_download, open_dashboard

pytestmark = pytest.mark.browser
playwright = pytest.importorskip("playwright.sync_api")


@pytest.fixture
def view(page, fiction_server):
    """The dashboard showing Mara Velloso in one outlet, every copy counted."""
    page.set_default_timeout(WAIT_MS)  # every click and download: generous, each ends when it happens
    page.set_viewport_size({"width": 1500, "height": 1100})
    query = urllib.parse.urlencode({"entity": "Mara Velloso", "source": "Lakeside Ledger", "copies": "true"})
    open_dashboard(page, f"{fiction_server}/?{query}")
    return page


def download(page, key: str, tmp_path):
    """Click the download button with this widget key; return (suggested file name, bytes)."""
    info = expect_download(page, lambda: page.locator(f".st-key-{key} button:visible").first.click())
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    return info.value.suggested_filename, target.read_bytes()


def test_top_table_csv_name_and_rows_state_the_filters(view, tmp_path):
    name, data = download(view, "dl_top_csv", tmp_path)
    assert re.fullmatch(r"top-people_mara-velloso_lakeside-ledger_2021-03-01-to-2021-03-24_every-copy-counted_"
                        r"[0-9a-f]{10}\.csv", name), name
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    assert rows and {"view_filters", "view_id"} <= set(rows[0])
    said = rows[0]["view_filters"]
    for part in ("outlets: Lakeside Ledger", "people: Mara Velloso", "copies: every copy counted",
                 "dates: 2021-03-01 to 2021-03-24", "topics: all"):
        assert part in said, (part, said)
    assert name.endswith(f"_{rows[0]['view_id']}.csv")


def test_zip_has_a_manifest_of_every_file_and_the_sentences(view, tmp_path):
    name, data = download(view, "dl_zip", tmp_path)
    assert re.fullmatch(r"media-monitor_mara-velloso_lakeside-ledger_.*_[0-9a-f]{10}\.zip", name), name
    archive = zipfile.ZipFile(io.BytesIO(data))
    manifest = json.loads(archive.read("manifest.json"))
    assert {f["file"] for f in manifest["files"]} == set(archive.namelist())
    assert manifest["filters"]["outlets"] == ["Lakeside Ledger"] and name.endswith(f"_{manifest['view_id']}.zip")
    assert {"top-people.csv", "sentences.csv", "person_mentions.csv", "README.txt"} <= set(archive.namelist())
    sentences = list(csv.DictReader(io.StringIO(archive.read("sentences.csv").decode("utf-8"))))
    assert sentences and {r["name"] for r in sentences} == {"Mara Velloso"}
    assert {r["source"] for r in sentences} == {"Lakeside Ledger"}
