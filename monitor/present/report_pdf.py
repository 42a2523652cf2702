"""A report as PDF (reportlab): A4, the view stated at the top, vector charts, paginated tables, font embedded.

Charts are vector: kaleido draws each as SVG and svglib turns it into reportlab shapes, so the chart's text stays
text (searchable, sharp at any zoom) in the same embedded TrueType font as the rest of the page. A PNG would be
lighter to make but blurs when printed or zoomed and its words could not be found or copied.
Tables repeat their header on every page they run onto. Every cell is a Paragraph of escaped text: reportlab
reads tags (<a href>, <img src>) in a Paragraph, and names and quotations come from outside.
"""
from __future__ import annotations

import io
from functools import cache
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, TableStyle
from reportlab.platypus import Table as Grid

from monitor.present import report
from monitor.present.report import ReportContent
from monitor.present.report_print import flatten_images, font

SANS, SANS_BOLD = "ReportSans", "ReportSans-Bold"
MARGIN = 16 * mm
WIDTH = A4[0] - 2 * MARGIN


@cache
def _fonts() -> None:
    """Register the report's TrueType font with reportlab (embedded in every PDF) and with svglib (the charts)."""
    from reportlab.lib.fonts import addMapping
    from svglib.fonts import register_font

    face = font()
    pdfmetrics.registerFont(TTFont(SANS, face.regular))
    pdfmetrics.registerFont(TTFont(SANS_BOLD, face.bold))
    addMapping(SANS, 0, 0, SANS)  # <b> in a paragraph picks the bold file; there is no italic
    addMapping(SANS, 1, 0, SANS_BOLD)
    addMapping(SANS, 0, 1, SANS)
    addMapping(SANS, 1, 1, SANS_BOLD)
    register_font(face.family, face.regular, rlgFontName=SANS)
    register_font(face.family, face.bold, weight="bold", rlgFontName=SANS_BOLD)


@cache
def _styles() -> dict[str, ParagraphStyle]:
    """Return the paragraph styles, all in the embedded font."""
    base = getSampleStyleSheet()
    def style(name: str, parent: str, **kw: Any) -> ParagraphStyle:
        return ParagraphStyle(name, parent=base[parent], fontName=kw.pop("fontName", SANS), **kw)
    return {"title": style("r-title", "Title", fontName=SANS_BOLD, fontSize=18, alignment=0),
            "h2": style("r-h2", "Heading2", fontName=SANS_BOLD, fontSize=12, spaceBefore=8, spaceAfter=4),
            "body": style("r-body", "BodyText", fontSize=8.5, leading=11),
            "cell": style("r-cell", "BodyText", fontSize=7.5, leading=9.5),
            "head": style("r-head", "BodyText", fontName=SANS_BOLD, fontSize=7.5, leading=9.5),
            "note": style("r-note", "BodyText", fontSize=7.5, leading=9.5, textColor=colors.HexColor("#444444"))}


def _p(text: str, style: str) -> Paragraph:
    """Return a Paragraph of plain text (escaped: reportlab would read tags in it)."""
    return Paragraph(escape(text), _styles()[style])


def pdf_bytes(content: ReportContent) -> bytes:
    """Return the report as PDF bytes."""
    _fonts()
    images, note = report.chart_images(content, "svg")
    story: list[Flowable] = [_p(content.title, "title"), _view_table(content), Spacer(1, 4 * mm)]
    if note:
        story.append(_p(note, "note"))
    for chart, svg in zip(content.charts, images, strict=True):
        story.append(_chart(chart, svg))
    for table in (report.top_table(content), report.alerts_table(content), report.quotes_table(content)):
        story += _table(table)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                            bottomMargin=MARGIN, title=content.title, author="Media monitor",
                            # the canvas starts in the embedded font: its default (Helvetica) is not embedded
                            initialFontName=SANS,
                            subject=" · ".join(f"{k}: {v}" for k, v in report.view_lines(content)))
    footer = f"{content.title} · view {content.provenance.view_id} · made {content.made:%Y-%m-%d %H:%M} UTC"
    doc.build(story, onFirstPage=_footer(footer), onLaterPages=_footer(footer))
    return buffer.getvalue()


def _footer(text: str) -> Any:
    """Return the page callback writing `text` and the page number at the foot of each page."""
    def draw(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(SANS, 7)
        canvas.drawString(MARGIN, 9 * mm, text)
        canvas.drawRightString(A4[0] - MARGIN, 9 * mm, f"page {doc.page}")
        canvas.restoreState()
    return draw


def _view_table(content: ReportContent) -> Grid:
    """Return the view's settings as a two-column table (label, value)."""
    rows = [[_p(label, "head"), _p(value, "cell")] for label, value in report.view_lines(content)]
    table = Grid(rows, colWidths=[32 * mm, WIDTH - 32 * mm], hAlign="LEFT")
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("FONTNAME", (0, 0), (-1, -1), SANS),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                               ("TOPPADDING", (0, 0), (-1, -1), 1), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    return table


def _chart(chart: report.ReportChart, svg: bytes | None) -> Flowable:
    """Return a chart's drawing (scaled to the page's width; its title is in it) and caption, kept on one page;
    without a drawing, its title as a heading."""
    parts: list[Flowable] = [Spacer(1, 3 * mm)]
    if svg is None:
        parts.append(_p(report.chart_title(chart), "h2"))
    else:
        from svglib.svglib import svg2rlg

        drawing = svg2rlg(io.BytesIO(flatten_images(svg)))
        if drawing is not None:
            factor = WIDTH / drawing.width
            drawing.scale(factor, factor)
            drawing.initialFontName = SANS  # type: ignore[attr-defined]  # its default font, else Helvetica (not embedded)
            drawing.width, drawing.height = WIDTH, drawing.height * factor
            parts.append(drawing)
    if chart.caption:
        parts.append(_p(chart.caption, "note"))
    return KeepTogether(parts)


def _table(table: report.Table) -> list[Flowable]:
    """Return a Table's heading and body (its header repeated on each page), or the note that it is empty."""
    heading: list[Flowable] = [CondPageBreak(40 * mm), _p(table.title, "h2")]
    if not table.rows:
        return [*heading, _p(table.empty, "body")]
    weights = table.widths or (1.0,) * len(table.header)
    widths = [WIDTH * w / sum(weights) for w in weights]
    rows = [[_p(h, "head") for h in table.header]] + [[_p(cell, "cell") for cell in row] for row in table.rows]
    body = Grid(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
    body.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"), ("FONTNAME", (0, 0), (-1, -1), SANS),  # Helvetica by default
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.HexColor("#999999")),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f2f2f2")])]))
    return [*heading, body]
