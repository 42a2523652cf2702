"""Hostile article content in a real browser: shown as text everywhere, nothing runs, nothing loads.

A store is built from fictional articles whose titles, outlets, links and text carry HTML,
<script>, event handlers, javascript: links and Markdown (images pointing at a beacon on
loopback, links, emphasis, Streamlit's :colour[...] directives and $maths$). Entity names
cannot carry markup from article text (monitor.ingest.names rejects names with < > = / and the
like), so a watchlist pins two hostile canonical names to reach the legends, hovers,
multiselects and the table too. Then the real dashboard is opened in chromium.
"""
from __future__ import annotations

import csv
import io
import json
import re
import urllib.parse

import pytest

from monitor.ingest.pipeline import ingest
from monitor.ingest.topics import Taxonomy
from monitor.ingest.watchlist import Watchlist
from monitor.store import Store
from tests.loopback import Server, running, static
from tests.servers import WAIT_MS, expect_download, open_dashboard, streamlit_server, wait_for_idle, wait_visible

pytestmark = pytest.mark.browser
playwright = pytest.importorskip("playwright.sync_api")

SCRIPT_TITLE = "<script>window.__injected = 1; alert('title')</script> Velloso wins"
IMG_OUTLET = "<img id=injected-outlet src=x onerror=\"alert('outlet')\"> Courier"
FORMULA_TITLE = '=HYPERLINK("http://evil.example","Velloso")'
HOSTILE_TEXT = ("Mara Velloso praised the <b id=injected-bold>bold</b> harbour plan "
                "<img id=injected-text src=x onerror=\"alert('text')\"> on Monday.")
MARKDOWN_TEXT = ("Mara Velloso said **strong** words about :red[the tram], $x^2$ fares and "
                 "[a link](javascript:alert('md')). Velloso also posted ![beacon](BEACON) online.")
LINK_TEXT = ("Mara Velloso shared <a id=injected-link href=\"javascript:alert('a')\">a link</a> "
             "and <svg onload=\"alert('svg')\"></svg> with the council.")
# Pinned by the watchlist: what a name would look like if markup could get into one.
HTML_NAME = "Tomas <img id=injected-name src=x onerror=\"alert('name')\"> Brandt"
MARKDOWN_NAME = "Ines [Okafor](javascript:alert('md-name')) ![b](BEACON)"
# Tags plotly itself reads in labels (<a href> a clickable link, <b>, <br>, <span style>), from the settings files:
# a watchlist name and a topic label. And an outlet that is a bare address, which GFM links by itself.
LINK_NAME = ("Piet <a id=injected-plotly-link href=\"javascript:alert('plotly')\">Anders</a> <b>bold</b>"
             "<br>&lt;i&gt; www.anders.example")
LINK_TOPIC = ("<a href=\"https://evil.example/t\">Harbour</a> <span style=\"font-size:60px\">works</span> "
              "[x](http://evil.example) &amp;")
URL_OUTLET = "www.northbridge-ledger.example"
INJECTED_IDS = ("injected-outlet", "injected-bold", "injected-text", "injected-link", "injected-name",
                "injected-plotly-link")


@pytest.fixture(scope="module")
def beacon():
    """A loopback HTTP server that records every request (a hostile image or link that loads shows up there).

    Yields (url of beacon.png, the server).
    """
    with running(Server()) as server:
        server.routes["/beacon.png"] = static(b"", "image/png", status=204)
        yield server.url("/beacon.png"), server


def hostile_articles(beacon_url: str) -> list[dict[str, str]]:
    """Fictional articles whose every field is hostile, over two weeks."""
    rows = [
        (SCRIPT_TITLE, IMG_OUTLET, "javascript:alert('url')", HOSTILE_TEXT),
        (FORMULA_TITLE, "+Lakeside Ledger", "https://courier.example/a\" onmouseover=\"alert('href')",
         MARKDOWN_TEXT.replace("BEACON", beacon_url)),
        ("@Velloso answers", f"![beacon]({beacon_url}) [Ledger](javascript:alert('md-outlet'))", "",
         LINK_TEXT),
        ("-Velloso and Brandt", "The Northbridge Courier", "https://courier.example/b",
         "Mara Velloso met Tomas Brandt and Ines Okafor. Tomas Brandt attacked the plan. Ines Okafor praised it."),
        ("Anders at the harbour", URL_OUTLET, "https://ledger.example/c",
         "Piet Anders toured the harbour works. Mara Velloso joined Piet Anders at the harbour."),
    ]
    return [{"date": f"2021-03-{1 + 4 * n:02d}", "title": title, "source": source, "url": url,
             "text": f"{text} Tomas Brandt and Ines Okafor replied on day {n}."}
            for n, (title, source, url, text) in enumerate(rows)]


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory, beacon) -> str:
    folder = tmp_path_factory.mktemp("hostile")
    (folder / "hostile.jsonl").write_text("\n".join(json.dumps(a) for a in hostile_articles(beacon[0])))
    names = {HTML_NAME: ["Tomas Brandt", "Brandt"],
             MARKDOWN_NAME.replace("BEACON", beacon[0]): ["Ines Okafor", "Okafor"],
             LINK_NAME: ["Piet Anders", "Anders"]}
    watchlist = Watchlist.from_dict({"entities": {name: {"type": "person", "aliases": aliases}
                                                  for name, aliases in names.items()}})
    taxonomy = Taxonomy.from_dict({"topics": {"harbour": {"label": LINK_TOPIC, "keywords": ["harbour"]},
                                              "tram": {"label": "Trams", "keywords": ["tram"]}}})
    path = folder / "hostile.duckdb"
    report = ingest(Store(path), [folder], watchlist=watchlist, taxonomy=taxonomy)
    assert report.total("added") == 5, report
    return str(path)


@pytest.fixture(scope="module")
def server(hostile_store):
    """`streamlit run dashboard.py` on the hostile store, on a free loopback port."""
    with streamlit_server(hostile_store) as (url, _):
        yield url


@pytest.fixture
def watched(page):
    """The page, with every dialog (alert, confirm) recorded and dismissed."""
    dialogs: list[str] = []

    def record(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", record)
    page.set_default_timeout(WAIT_MS)  # every click and download: generous, each ends when it happens
    page.set_viewport_size({"width": 1500, "height": 1100})
    return page, dialogs


def open_view(page, server: str, **params: str | list[str]) -> None:
    """Open the dashboard with these query parameters; return once its run has ended."""
    open_dashboard(page, f"{server}/?{urllib.parse.urlencode(params, doseq=True)}")


def assert_nothing_injected(page, dialogs: list[str], beacon: Server) -> None:
    """No dialog, no element the content tried to add, no request to the beacon, no script state."""
    assert dialogs == []
    for element_id in INJECTED_IDS:
        assert page.locator(f"[id='{element_id}']").count() == 0, element_id
    assert page.locator("img[src='x'], img[src*='beacon'], a[href^='javascript'], svg[onload]").count() == 0
    assert page.evaluate("() => window.__injected") is None
    assert [request.path for request in beacon.requests] == []


def test_charts_table_and_filters_show_hostile_names_as_text(watched, server, beacon):
    page, dialogs = watched
    open_view(page, server)
    charts = page.get_by_test_id("stPlotlyChart")
    charts.first.locator(".legendtext").first.wait_for()  # plotly draws once Streamlit's run has ended
    legend = charts.first.locator(".legendtext").all_text_contents()
    assert "Tomas <img id=injected-name src=x onerror=\"alert('name')\"> Brandt" in legend
    assert any(text.startswith("Ines [Okafor](javascript:") for text in legend), legend
    point = charts.first.locator(".scatterlayer .trace .points path").first
    point.hover(force=True)
    page.locator(".hoverlayer .hovertext").first.wait_for()
    page.locator(".st-key-entities").click()  # the people multiselect lists the names as options
    options = page.get_by_role("option").all_text_contents()
    assert any(o.startswith(HTML_NAME) for o in options), options
    page.keyboard.press("Escape")
    assert_nothing_injected(page, dialogs, beacon[1])


def drill_down(page, name: str) -> None:
    """Pick ``name`` in the drill-down's name box (any topic, every period) and wait for its sentences."""
    box = page.locator(".st-key-drill_name").get_by_role("combobox")
    box.click()
    box.fill(name)  # typing, as a user does: more reliable than the menu's first paint
    page.get_by_role("option", name=name, exact=True).click()
    # The sentences come with the rerun the choice started: the first one shows it has, then wait for its end.
    wait_visible(page, page.locator("mark").first, f"no sentence shown for {name}")
    wait_for_idle(page)


def test_drill_down_cards_show_hostile_titles_outlets_and_text_as_text(watched, server, beacon):
    page, dialogs = watched
    open_view(page, server, entity="Mara Velloso")
    drill_down(page, "Mara Velloso")
    assert page.locator("mark").count() >= 4  # a sentence from each hostile article
    for shown in (SCRIPT_TITLE, IMG_OUTLET, "<b id=injected-bold>bold</b>", "**strong**", ":red[the tram]",
                  "$x^2$", FORMULA_TITLE, "[Ledger](javascript:alert('md-outlet'))"):
        assert page.get_by_text(shown, exact=False).first.is_visible(), shown
    # The title with a javascript: URL is not a link; the one with an http URL keeps its quote inside href.
    assert page.locator("a", has_text="Velloso wins").count() == 0
    assert page.locator("a[onmouseover]").count() == 0
    assert_nothing_injected(page, dialogs, beacon[1])


def test_selected_hostile_outlet_and_names_in_captions_stay_text(watched, server, beacon, hostile_store):
    page, dialogs = watched
    outlets = Store(hostile_store, read_only=True).query("SELECT DISTINCT source FROM articles")["source"]
    outlet = next(s for s in outlets if s.startswith("![beacon]"))
    open_view(page, server, source=outlet, entity=[HTML_NAME, "Mara Velloso"])
    # (a bare address carries an invisible word joiner, page.markdown_text's guard against GFM's autolinks)
    captions = [c.replace("\u2060", "") for c in page.get_by_test_id("stCaptionContainer").all_text_contents()]
    assert any(f"outlets: {outlet}" in caption for caption in captions), captions
    assert any(f"in articles mentioning {HTML_NAME}, Mara Velloso" in caption for caption in captions), captions
    assert_nothing_injected(page, dialogs, beacon[1])


def test_sentences_csv_download_neutralises_formulas(watched, server, tmp_path):
    page, _ = watched
    open_view(page, server, entity="Mara Velloso")
    drill_down(page, "Mara Velloso")
    info = expect_download(page, lambda: page.locator(".st-key-dl_sentences_csv button:visible").first.click())
    target = tmp_path / "sentences.csv"
    info.value.save_as(target)
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    titles = {row["title"] for row in rows}
    assert "'" + FORMULA_TITLE in titles and "'@Velloso answers" in titles and "'-Velloso and Brandt" in titles
    assert "'+Lakeside Ledger" in {row["source"] for row in rows}
    for row in rows:
        for cell in row.values():
            # a negative number ("-0.25", a tone) is a number to a spreadsheet, not a formula
            assert not cell.startswith(("=", "+", "-", "@")) or _is_number(cell), cell


def _is_number(cell: str) -> bool:
    """Return True when the cell is a plain decimal number as the CSV writer prints one ("-0.25", "-3e-05")."""
    return re.fullmatch(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?", cell) is not None


def assert_no_link_in_charts(page) -> None:
    """No <a> in any chart's SVG (legend, ticks, titles, hover): plotly made no label a link."""
    assert page.locator("[data-testid=stPlotlyChart] svg a").count() == 0
    assert page.locator("[data-testid=stPlotlyChart] svg [style*='60px']").count() == 0


def test_plotly_tags_in_settings_labels_show_as_text_in_legends_ticks_and_hover(watched, server, beacon):
    """A watchlist name and a topic label with <a href>, <b>, <br>, <span style>: shown as written, no link."""
    page, dialogs = watched
    open_view(page, server, entity=[LINK_NAME, "Mara Velloso"])
    charts = page.get_by_test_id("stPlotlyChart")
    charts.first.locator(".legendtext").first.wait_for()
    legend = charts.first.locator(".legendtext").all_text_contents()
    assert LINK_NAME in legend, legend  # every character as written, "&lt;i&gt;" too (not decoded to "<i>")
    # the topic charts' legends and the heatmap's ticks carry the topic label, as written
    texts = " ".join(page.locator("[data-testid=stPlotlyChart] svg text").all_text_contents())
    assert LINK_TOPIC in texts, texts[:2000]
    point = charts.first.locator(".scatterlayer .trace").first.locator(".points path").first
    point.hover(force=True)
    page.locator(".hoverlayer .hovertext").first.wait_for()
    assert_no_link_in_charts(page)
    assert_nothing_injected(page, dialogs, beacon[1])


def test_a_bare_address_as_outlet_is_not_linked_in_the_caption(watched, server, beacon):
    page, dialogs = watched
    open_view(page, server, source=URL_OUTLET)
    captions = page.get_by_test_id("stCaptionContainer")
    shown = [c.replace("\u2060", "") for c in captions.all_text_contents()]
    assert any(f"outlets: {URL_OUTLET}" in c for c in shown), shown
    assert captions.locator("a").count() == 0  # the old caption linked the address
    assert page.get_by_test_id("stMain").locator("a[href*='northbridge-ledger']").count() == 0
    assert_nothing_injected(page, dialogs, beacon[1])
