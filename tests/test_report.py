"""Reports (monitor.present.report*): checked as a person would, on a store of fictional articles.

The PDF's pages are rendered to pixels with pypdfium2 (not blank) and read back as text (the charts' titles are
there, drawn as text by the vector charts); the HTML is one file that loads nothing; the deck opens in python-pptx.
"""
from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.present import export, report, report_html
from monitor.present.provenance import Provenance
from monitor.present.report import ReportContent
from monitor.read.filters import Filters
from monitor.report_view import EmptyView, overview
from monitor.schema import TOP, empty

pdfium = pytest.importorskip("pypdfium2")
pptx = pytest.importorskip("pptx")
needs_browser = pytest.mark.skipif(not export.image_export_available()[0],
                                   reason="the charts are drawn by kaleido, which needs Chromium")


@pytest.fixture(scope="module")
def content(fiction_store) -> ReportContent:
    return overview(fiction_store, Filters(unique_stories=True))


@pytest.fixture(scope="module")
def rendered(content) -> dict[str, bytes]:
    return {fmt: report.render(content, fmt) for fmt in report.FORMATS}


def pdf_pages(data: bytes) -> list[tuple[str, list[int], float]]:
    """Return per page (its text, the types of its page objects, the variance of its grey pixels)."""
    doc = pdfium.PdfDocument(data)
    pages = []
    try:
        for page in doc:
            variance = float(np.asarray(page.render(scale=1).to_pil().convert("L"), dtype=float).var())
            text = page.get_textpage().get_text_range()
            pages.append((text, [obj.type for obj in page.get_objects()], variance))
    finally:
        doc.close()
    return pages


# --- PDF -----------------------------------------------------------------------------------------

@needs_browser
def test_pdf_pages_are_drawn_and_carry_every_chart_title(content, rendered):
    pages = pdf_pages(rendered["pdf"])
    assert len(pages) >= 3
    for n, (_, _, variance) in enumerate(pages, 1):
        assert variance > 50, f"page {n} is blank"
    text = re.sub(r"\s+", " ", " ".join(t for t, _, _ in pages))
    for title in report.titles(content):
        assert title in text, f"chart {title!r} is not on any page"
    assert "Most mentioned people" in text and "Mara Velloso" in text
    # the view is stated at the top of the first page
    first = re.sub(r"\s+", " ", pages[0][0])
    assert "dates" in first and "outlets" in first and "fiction.duckdb" in first


@needs_browser
def test_pdf_charts_are_vector_drawings_and_the_heatmap_keeps_its_cells(rendered):
    pages = pdf_pages(rendered["pdf"])
    paths = sum(types.count(pdfium.raw.FPDF_PAGEOBJ_PATH) for _, types, _ in pages)
    images = sum(types.count(pdfium.raw.FPDF_PAGEOBJ_IMAGE) for _, types, _ in pages)
    assert paths > 100  # lines, markers, bars, axes: shapes, not one picture per chart
    assert images >= 1  # the heatmap's cells (plotly draws them as one image inside the SVG)


def test_pdf_fonts_are_embedded(rendered):
    data = rendered["pdf"]
    assert b"/FontFile2" in data  # a TrueType font program inside the file
    for standard in (b"Helvetica", b"Times-Roman", b"Courier"):
        assert b"/BaseFont /" + standard not in data


def test_a_report_without_a_browser_still_has_its_tables(content, monkeypatch):
    def no_browser(*args, **kwargs):
        raise export.ImageExportError("Server-side PNG/SVG needs Chromium or Chrome")

    monkeypatch.setattr(export, "figure_image", no_browser)
    pages = pdf_pages(report.render(content, "pdf"))
    text = " ".join(t for t, _, _ in pages)
    assert "The charts are not drawn" in text and "Most mentioned people" in text
    html = report.render(content, "html").decode()
    assert "<svg" not in html and "The charts are not drawn" in html
    assert len(pptx.Presentation(io.BytesIO(report.render(content, "pptx"))).slides) >= 4


# --- HTML ----------------------------------------------------------------------------------------

def external_references(page: str) -> list[str]:
    """Return every src/href/url() in the page that would load or open something outside it."""
    from lxml import html as lxml_html

    tree = lxml_html.fromstring(page.encode())
    found = [value for node in tree.iter() if isinstance(node.tag, str) for name, value in node.attrib.items()
             if name.rsplit("}", 1)[-1] in ("src", "href") and not value.startswith(("#", "data:"))]
    found += [u for u in re.findall(r"url\(([^)]*)\)", page) if not u.strip(" '\"").startswith(("#", "data:"))]
    found += re.findall(r"@import", page)
    return found


@needs_browser
def test_html_is_one_self_contained_file_with_each_chart_as_svg(content, rendered):
    page = rendered["html"].decode("utf-8")
    assert external_references(page) == []
    assert "<script" not in page.lower() and "<link" not in page.lower()
    figures = re.findall(r'<figure id="chart-[^"]*">.*?</figure>', page, re.S)
    assert len(figures) == len(content.charts)
    for figure, title in zip(figures, report.titles(content), strict=True):
        assert "<svg" in figure and "</svg>" in figure
        assert title.replace("&", "&amp;") in figure


def test_svg_links_scripts_and_handlers_are_removed():
    svg = (b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
           b'<script>alert(1)</script><a href="https://example.com/x"><text onclick="alert(2)">t</text></a>'
           b'<image xlink:href="https://example.com/i.png"/><image href="data:image/png;base64,AA=="/>'
           b'<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject>'
           b'<use href="#clip"/></svg>')
    out = report_html.safe_svg(svg)
    assert "script" not in out and "onclick" not in out and "foreignObject" not in out
    assert "example.com" not in out
    assert 'href="data:image/png;base64,AA=="' in out and 'href="#clip"' in out


# --- PowerPoint ----------------------------------------------------------------------------------

@needs_browser
def test_pptx_opens_with_a_slide_per_chart_and_the_tables(content, rendered):
    deck = pptx.Presentation(io.BytesIO(rendered["pptx"]))
    titles = [slide.shapes.title.text if slide.shapes.title is not None else "" for slide in deck.slides]
    assert titles[0] == content.title
    for title in report.titles(content):
        assert title in titles
    assert any(t.startswith("Most mentioned people") for t in titles)
    assert "Alerts" in titles and "Most quoted statements" in titles
    pictures = [shape for slide in deck.slides for shape in slide.shapes if shape.shape_type == 13]
    assert len(pictures) == len(content.charts)
    tables = [shape.table for slide in deck.slides for shape in slide.shapes if shape.has_table]
    assert any(table.cell(1, 0).text == "Mara Velloso" for table in tables)


# --- the view, tone without colour, hostile values -----------------------------------------------

def test_an_empty_view_is_said(fiction_store):
    with pytest.raises(EmptyView, match="no mention of people"):
        overview(fiction_store, Filters(sources=("No Such Outlet",)))


def test_tone_is_written_signed_with_its_word(content):
    cells = [row[3] for row in report.top_table(content).rows]
    assert cells and all(re.fullmatch(r"([+\u2212]\d\.\d\d (positive|negative|neutral))|0\.00 neutral", c)
                         for c in cells), cells


HOSTILE = ["<script>alert(1)</script>", '<img src="https://example.com/x.png">', "<a href='javascript:x'>y</a>",
           "\u202eevil\u202c", "\x1b[31mred", "nul\x00byte", "&amp; &lt;b&gt;", "שלום עולם", "مرحبا",
           '"><svg onload=alert(1)>', "line\nbreak\r\u2028"]


def hostile_content(value: str, fiction_charts: tuple = ()) -> ReportContent:
    """Return a report whose view, top table, alerts and quotes all hold `value`."""
    about = Provenance.of({"dates": "2021-03-01 to 2021-03-31", "query": value, "outlets": (value, "Lakeside")})
    top = pd.DataFrame({"name": [value], "mentions": [3], "articles": [2], "tone": [-0.4], "positive": [0.0],
                        "negative": [1.0], "share_of_voice": [0.5]}).astype(TOP)
    alerts = pd.DataFrame({"kind": ["person"], "name": [value], "period": [pd.Timestamp("2021-03-03")],
                           "metric": ["volume"], "value": [9.0], "baseline": [1.0], "score": [4.2],
                           "direction": ["up"], "articles": [5]})
    quotes = pd.DataFrame({"date": [pd.Timestamp("2021-03-03")], "speaker": [value], "text": [value],
                           "source": [value], "url": ["javascript:alert(1)"], "tone": [0.3]})
    return ReportContent(about, value, fiction_charts, top, "people", alerts, quotes)


def inert(page: str) -> bool:
    """Return True when the page holds no element that runs, loads or links anything (the value stayed text)."""
    from lxml import html as lxml_html

    tree = lxml_html.fromstring(page.encode())
    nodes = [n for n in tree.iter() if isinstance(n.tag, str)]
    tags = {n.tag.rsplit("}", 1)[-1].lower() for n in nodes}
    handlers = [a for n in nodes for a in n.attrib if a.lower().startswith("on")]
    return not (tags & {"script", "img", "a", "iframe", "object", "embed", "link"}) and not handlers


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_come_out_inert(value):
    content = hostile_content(value)
    page = report.render(content, "html").decode("utf-8")
    assert external_references(page) == []
    assert inert(page)
    assert "\x00" not in page and "\x1b" not in page and "\u202e" not in page
    text = " ".join(t for t, _, _ in pdf_pages(report.render(content, "pdf")))
    assert "Alerts" in text and "Most quoted statements" in text
    deck = pptx.Presentation(io.BytesIO(report.render(content, "pptx")))
    shown = " ".join(cell.text for slide in deck.slides for shape in slide.shapes if shape.has_table
                     for row in shape.table.rows for cell in row.cells)
    assert report.clean(value) in shown


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=40))
def test_any_text_is_shown_as_written_in_html(value):
    page = report.render(hostile_content(value), "html").decode("utf-8")
    assert external_references(page) == []
    from lxml import html as lxml_html

    cells = [node.text_content() for node in lxml_html.fromstring(page.encode()).iter("bdi")]
    assert report.clean(value) in cells  # the name cell shows exactly the cleaned text: no markup was read


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=30))
def test_any_text_makes_a_pdf_and_a_deck(value):
    content = hostile_content(value)
    assert pdf_pages(report.render(content, "pdf"))
    assert len(pptx.Presentation(io.BytesIO(report.render(content, "pptx"))).slides) >= 4


def test_empty_alerts_and_quotes_say_so():
    about = Provenance.of({"dates": "start to end"})
    content = ReportContent(about, "s.duckdb", (), empty(TOP))
    page = report.render(content, "html").decode()
    assert "No alert in this view." in page and "No quotation in this view." in page


def test_alerts_say_direction_and_tone_in_words_and_signs():
    about = Provenance.of({"dates": "start to end"})
    alerts = pd.DataFrame({"kind": ["person", "topic"], "name": ["Mara Velloso", "Flooding"],
                           "period": [pd.Timestamp("2021-03-03"), pd.Timestamp("2021-03-10")],
                           "metric": ["volume", "tone"], "direction": ["up", "down"], "value": [9.0, -0.42],
                           "baseline": [1.5, 0.1], "score": [4.2, -3.1], "articles": [9, 4]})
    table = report.alerts_table(ReportContent(about, "s.duckdb", (), empty(TOP), alerts=alerts))
    rows = [dict(zip(table.header, row, strict=True)) for row in table.rows]
    assert rows[0]["Direction"] == "\u25b2 up" and rows[1]["Direction"] == "\u25bc down"
    assert rows[0]["Value"] == "9.0" and rows[0]["Baseline"] == "1.5" and rows[0]["Score"] == "+4.20"
    assert rows[1]["Value"] == "\u22120.42 negative" and rows[1]["Baseline"] == "+0.10 positive"
    assert rows[1]["Score"] == "\u22123.10" and rows[1]["Period"] == "2021-03-10"


def test_the_most_quoted_table_keeps_the_two_tones_apart():
    about = Provenance.of({"dates": "start to end"})
    most = pd.DataFrame({"name": ["Ines Okafor"], "kind": ["person"], "quotes": [4], "mentions": [9],
                         "quote_tone": [0.5], "tone_toward": [-0.2]})
    table = report.quotes_table(ReportContent(about, "s.duckdb", (), empty(TOP), quotes=most))
    row = dict(zip(table.header, table.rows[0], strict=True))
    assert row["Tone of what they say"] == "+0.50 positive" and row["Tone toward them"] == "\u22120.20 negative"


@pytest.mark.parametrize("names", [2, 3, 6])
def test_printed_lines_differ_by_shape_and_dash_not_colour_alone(names, fiction_store):
    from monitor.present import charts
    from monitor.present.report_print import for_print
    from monitor.read import aggregations as agg

    people = ["Mara Velloso", "Tomas Brandt", "Ines Okafor", "A", "B", "C"][:names]
    series = agg.entity_series(fiction_store, Filters(), "W", people)
    for fig in (charts.mentions_chart(series, normalised=True, colors=charts.colors_for(people), title="t"),
                charts.tone_chart(series, colors=charts.colors_for(people), title="t")):
        lines = [t for t in for_print(fig).data if "markers" in (t.mode or "")]
        assert len(lines) == names
        shapes = [str(t.marker.symbol if isinstance(t.marker.symbol, str) else t.marker.symbol[0]).removesuffix("-open")
                  for t in lines]
        assert len(set(shapes)) == names, shapes
        assert len({t.line.dash for t in lines}) == min(names, 6)


def test_printed_heatmap_cells_write_their_signed_tone(content):
    from monitor.present.report_print import for_print

    (heatmap,) = [c.figure for c in content.charts if c.key == "by_topic"]
    cells = [cell for row in for_print(heatmap).data[0].text for cell in row if cell]
    assert cells and all(re.fullmatch(r"\d+<br>([+\u2212]\d\.\d\d|0\.00)", cell) for cell in cells), cells
    ticks = for_print(heatmap).data[0].colorbar.ticktext
    assert ticks[0].endswith("negative") and ticks[-1].endswith("positive")


def test_html_links_only_to_the_articles_themselves():
    about = Provenance.of({"dates": "start to end"})
    quotes = pd.DataFrame({"date": [pd.Timestamp("2021-03-03")] * 3, "speaker": ["Ines Okafor"] * 3,
                           "text": ["We will build it", "Soon", "Never"], "source": ["Lakeside Ledger"] * 3,
                           "url": ["https://ledger.example/tram", "javascript:alert(1)", None], "tone": [0.1] * 3})
    page = report.render(ReportContent(about, "s.duckdb", (), empty(TOP), quotes=quotes), "html").decode()
    assert external_references(page) == ["https://ledger.example/tram"]
    assert 'rel="noopener noreferrer"' in page and "javascript:" not in page


def test_long_tables_run_over_pages_with_their_header_repeated():
    about = Provenance.of({"dates": "start to end"})
    n = report.MAX_QUOTES + 5
    quotes = pd.DataFrame({"date": [pd.Timestamp("2021-03-03")] * n, "speaker": [f"Speaker {i}" for i in range(n)],
                           "text": [f"Statement number {i} " + "about the harbour plan and its cost " * 6
                                    for i in range(n)], "source": ["Lakeside Ledger"] * n, "tone": [0.1] * n})
    pages = pdf_pages(report.render(ReportContent(about, "s.duckdb", (), empty(TOP), quotes=quotes), "pdf"))
    holding = [text for text, _, _ in pages if "Statement number" in text]
    assert len(holding) >= 2
    assert all("Quotation" in text and "Speaker" in text for text in holding)  # the header on every page
    every = " ".join(text for text, _, _ in pages)
    assert f"Speaker {report.MAX_QUOTES - 1}" in every and f"Speaker {report.MAX_QUOTES}" not in every
    assert f"the first {report.MAX_QUOTES} of {n}" in every


def test_without_dejavu_the_report_embeds_reportlabs_own_vera(monkeypatch, tmp_path):
    from pathlib import Path

    from monitor.present import report_print

    monkeypatch.setattr(report_print, "_DEJAVU", tmp_path / "no-fonts-here")
    report_print.font.cache_clear()
    try:
        face = report_print.font()
        assert face.family == "Bitstream Vera Sans"
        assert Path(face.regular).is_file() and Path(face.bold).is_file()
    finally:
        report_print.font.cache_clear()
