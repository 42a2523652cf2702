"""A report as a PowerPoint deck (python-pptx): a title slide stating the view, one slide per chart, then the top
table, the alerts and the most quoted statements (split over as many slides as they need).

Charts are PNG at twice their size (PowerPoint's SVG support varies between versions and viewers). Text comes
through report.clean (controls shown as escapes: XML cannot hold most of them) and is set as text, never parsed.
"""
from __future__ import annotations

import io
from typing import Any

from pptx import Presentation
from pptx.util import Emu, Inches, Pt

from monitor.present import report
from monitor.present.report import ReportContent

SLIDE_W, SLIDE_H = Inches(13.333), Inches(7.5)  # 16:9
ROWS_PER_SLIDE = {"Most mentioned": 16, "Alerts": 12, "Most quoted statements": 6}


def pptx_bytes(content: ReportContent) -> bytes:
    """Return the report as a .pptx file's bytes."""
    deck = Presentation()
    deck.slide_width, deck.slide_height = SLIDE_W, SLIDE_H
    _title_slide(deck, content)
    images, note = report.chart_images(content, "png", width=report.CHART_WIDTH, scale=2)
    for chart, png in zip(content.charts, images, strict=True):
        _chart_slide(deck, report.chart_title(chart), png, chart.caption or note)
    for table in (report.top_table(content), report.alerts_table(content), report.quotes_table(content)):
        _table_slides(deck, table)
    buffer = io.BytesIO()
    deck.save(buffer)
    return buffer.getvalue()


def _slide(deck: Any, title: str) -> Any:
    """Return a new "title only" slide with its title set (plain text)."""
    slide = deck.slides.add_slide(deck.slide_layouts[5])
    slide.shapes.title.text = title
    slide.shapes.title.text_frame.paragraphs[0].font.size = Pt(26)
    return slide


def _title_slide(deck: Any, content: ReportContent) -> None:
    """Add the title slide: the report's title and the view's settings, one per line."""
    slide = deck.slides.add_slide(deck.slide_layouts[1])
    slide.shapes.title.text = content.title
    body = slide.placeholders[1].text_frame
    for i, (label, value) in enumerate(report.view_lines(content)):
        paragraph = body.paragraphs[0] if i == 0 else body.add_paragraph()
        paragraph.text = f"{label}: {value}"
        paragraph.font.size = Pt(13)


def _chart_slide(deck: Any, title: str, png: bytes | None, caption: str) -> None:
    """Add a slide with the chart's picture (fitted below the title) and its caption."""
    slide = _slide(deck, title)
    top, bottom = Inches(1.4), Inches(0.9)
    if png is not None:
        picture = slide.shapes.add_picture(io.BytesIO(png), Inches(0.5), top, height=SLIDE_H - top - bottom)
        if picture.width > SLIDE_W - Inches(1):  # too wide at that height: fit the width instead
            ratio = (SLIDE_W - Inches(1)) / picture.width
            picture.width, picture.height = Emu(int(picture.width * ratio)), Emu(int(picture.height * ratio))
        picture.left = Emu(int((SLIDE_W - picture.width) / 2))
    if caption:
        box = slide.shapes.add_textbox(Inches(0.5), SLIDE_H - bottom, SLIDE_W - Inches(1), Inches(0.6))
        box.text_frame.word_wrap = True
        box.text_frame.text = caption
        box.text_frame.paragraphs[0].font.size = Pt(12)


def _table_slides(deck: Any, table: report.Table) -> None:
    """Add a Table as slides of at most ROWS_PER_SLIDE rows each (a slide saying "none" for an empty one)."""
    per = next((n for start, n in ROWS_PER_SLIDE.items() if table.title.startswith(start)), 12)
    chunks = [table.rows[i:i + per] for i in range(0, len(table.rows), per)] or [()]
    for n, rows in enumerate(chunks):
        title = table.title + (f" ({n + 1}/{len(chunks)})" if len(chunks) > 1 else "")
        slide = _slide(deck, title)
        if not rows:
            box = slide.shapes.add_textbox(Inches(0.5), Inches(1.6), SLIDE_W - Inches(1), Inches(1))
            box.text_frame.text = table.empty
            continue
        _grid(slide, table, rows)


def _grid(slide: Any, table: report.Table, rows: tuple[tuple[str, ...], ...]) -> None:
    """Draw the header and `rows` as a PowerPoint table under the slide's title."""
    width = SLIDE_W - Inches(1)
    shape = slide.shapes.add_table(len(rows) + 1, len(table.header), Inches(0.5), Inches(1.4), width,
                                   Inches(0.3) * (len(rows) + 1))
    grid = shape.table
    weights = table.widths or (1.0,) * len(table.header)
    for i, weight in enumerate(weights):
        grid.columns[i].width = Emu(int(width * weight / sum(weights)))
    for r, row in enumerate([table.header, *rows]):
        for c, text in enumerate(row):
            cell = grid.cell(r, c)
            cell.text = text
            for paragraph in cell.text_frame.paragraphs:
                paragraph.font.size = Pt(12 if r == 0 else 11)
                paragraph.font.bold = r == 0
