"""The Overview's "Download report" in a real browser: the PDF and the HTML file of the view, made on click."""
import re
import urllib.parse

import pytest

from tests.servers import WAIT_MS, expect_download, open_dashboard

pytestmark = pytest.mark.browser
playwright = pytest.importorskip("playwright.sync_api")
pdfium = pytest.importorskip("pypdfium2")


@pytest.fixture
def view(page, fiction_server):
    """The dashboard showing Mara Velloso in one outlet."""
    page.set_default_timeout(WAIT_MS)
    page.set_viewport_size({"width": 1500, "height": 1100})
    query = urllib.parse.urlencode({"entity": "Mara Velloso", "source": "Lakeside Ledger"})
    open_dashboard(page, f"{fiction_server}/?{query}")
    return page


def download(page, key: str, tmp_path):
    """Click the download button with this widget key; return (suggested file name, bytes)."""
    info = expect_download(page, lambda: page.locator(f".st-key-{key} button:visible").first.click(),
                           what=f"the {key} download")
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    return info.value.suggested_filename, target.read_bytes()


def test_report_pdf_is_the_view_with_its_charts(view, tmp_path):
    name, data = download(view, "dl_report_pdf", tmp_path)
    assert re.fullmatch(r"report_mara-velloso_lakeside-ledger_.*_[0-9a-f]{10}\.pdf", name), name
    doc = pdfium.PdfDocument(data)
    try:
        text = " ".join(" ".join(page.get_textpage().get_text_range() for page in doc).split())
    finally:
        doc.close()
    for said in ("Lakeside Ledger", "Mara Velloso", "Share of voice", "Most mentioned people"):
        assert said in text, said


def test_report_html_is_one_file_with_the_view(view, tmp_path):
    name, data = download(view, "dl_report_html", tmp_path)
    assert name.endswith(".html")
    page = data.decode("utf-8")
    assert "Lakeside Ledger" in page and page.count("<svg") >= 6
    assert not re.search(r"""(src|href)\s*=\s*["']?https?:""", page)
