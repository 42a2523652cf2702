"""A report to send: the view (filters and query stated at the top), its charts, the top table, alerts and quotes.

``ReportContent`` holds what a report says; ``render(content, fmt)`` returns it as a PDF (report_pdf), one
self-contained HTML file (report_html) or a PowerPoint deck (report_pptx). The content is built from the frames
and figures the dashboard's Overview already has (``content_of``) or, for the command line, read from the store
the same way (monitor.report_view).

Every value that came from outside (names, outlets, the query, quotations) passes through ``clean`` before any
format sees it: control and bidi-control characters are shown as escapes (``\\u202e``), never obeyed, and each
format then escapes the text for its own markup.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import PurePath
from typing import TYPE_CHECKING

import pandas as pd

from monitor.ingest.terminal import printable
from monitor.present.page import safe_url
from monitor.present.provenance import Provenance
from monitor.present.report_print import for_print, signed
from monitor.schema import tone_label

if TYPE_CHECKING:
    import plotly.graph_objects as go

FORMATS = ("pdf", "html", "pptx")
MEDIA_TYPES = {"pdf": "application/pdf", "html": "text/html",
               "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation"}
CHART_WIDTH = 700  # px: the dashboard's half-width charts; on an A4 page 12 px text prints at ~8 pt
MAX_QUOTES = 30
MAX_ALERTS = 40


@dataclass(frozen=True)
class ReportChart:
    """One chart of the report: its title, the figure (as the page draws it) and what it shows."""

    key: str
    title: str
    figure: go.Figure
    caption: str = ""


@dataclass(frozen=True)
class ReportContent:
    """What a report says; `alerts` and `quotes` are frames (empty until their read modules land)."""

    provenance: Provenance          # the view: filters, query, dates, names (stated at the top)
    store: str                      # the store's path
    charts: tuple[ReportChart, ...]
    top: pd.DataFrame               # TOP (monitor/schema.py): the most mentioned of the view's kind
    top_what: str = "people"
    alerts: pd.DataFrame = field(default_factory=pd.DataFrame)
    quotes: pd.DataFrame = field(default_factory=pd.DataFrame)
    title: str = "Media monitor report"
    made: datetime = field(default_factory=lambda: datetime.now(UTC))
    articles: int | None = None     # articles in the view, when known


@dataclass(frozen=True)
class Table:
    """A table as text: its caption, header and rows (every cell cleaned), ready for any format."""

    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    empty: str = "None in this view."
    widths: tuple[float, ...] = ()  # relative column widths (PDF, PowerPoint); equal when empty
    links: tuple[str | None, ...] = ()  # per row, the article's http(s) address (page.safe_url) when it has one
    link_column: int = -1               # the column whose cell links to it (HTML)


def clean(value: object) -> str:
    """Return a value as one line of plain text: controls and bidi controls shown as escapes, <NA> as ""."""
    if _missing(value):
        return ""
    return printable(str(value))


def _missing(value: object) -> bool:
    """Return True for a missing value: None, NaN, <NA>, NaT."""
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value)


def view_lines(content: ReportContent) -> list[tuple[str, str]]:
    """Return the (label, value) lines stated at the top: the view's settings, then the store and when it was made."""
    lines = [(clean(label), clean(value.split(": ", 1)[1] if ": " in value else value))
             for label, value in zip((k for k, _ in content.provenance.fields), content.provenance.lines(),
                                     strict=True)]
    if content.articles is not None:
        lines.insert(1, ("articles", f"{content.articles:,}"))
    # the store's file name: where it lies on the sender's disk is no business of the report's readers
    return [*lines, ("store", clean(PurePath(content.store).name or content.store)),
            ("made", f"{content.made:%Y-%m-%d %H:%M} UTC"), ("view id", content.provenance.view_id)]


def tone_text(value: object) -> str:
    """Return a tone as a signed number with its word ("+0.31 positive"): readable without colour."""
    if _missing(value):
        return ""
    tone = float(value)  # type: ignore[arg-type]
    return f"{signed(tone)} {tone_label(tone)}"


def top_table(content: ReportContent) -> Table:
    """Return the top table: name, mentions, articles, signed mean tone, % positive / negative, share of voice."""
    rows = content.top.sort_values("mentions", ascending=False, kind="stable")
    body = tuple((clean(name), f"{int(mentions):,}", f"{int(articles):,}", tone_text(tone), f"{positive:.0%}",
                  f"{negative:.0%}", f"{share:.1%}")
                 for name, mentions, articles, tone, positive, negative, share
                 in rows.loc[:, ["name", "mentions", "articles", "tone", "positive", "negative", "share_of_voice"]]
                 .itertuples(index=False, name=None))
    return Table(f"Most mentioned {content.top_what}",
                 ("Name", "Mentions", "Articles", "Mean tone", "% positive", "% negative", "Share of voice"),
                 body, widths=(3, 1.2, 1.2, 1.8, 1.2, 1.2, 1.4))


# Columns shown of the alerts and quotes frames (their contracts: the issue's), in this order, when present.
_ALERT_COLUMNS = {"period": "Period", "kind": "Kind", "name": "Name", "metric": "Metric", "direction": "Direction",
                  "value": "Value", "baseline": "Baseline", "score": "Score", "articles": "Articles"}
# The quotes frame (QUOTES: one row per quotation) or the most quoted table (MOST_QUOTED: one row per speaker).
_QUOTE_COLUMNS = {"date": "Date", "speaker": "Speaker", "text": "Quotation", "source": "Outlet", "tone": "Tone",
                  "name": "Speaker", "quotes": "Quoted", "mentions": "Mentioned", "quote_tone": "Tone of what they say",
                  "tone_toward": "Tone toward them"}
_TONES = ("tone", "quote_tone", "tone_toward")
_WIDTHS = {"name": 2.4, "text": 6.0, "speaker": 2.0, "source": 1.8, "tone": 1.4, "period": 1.6, "quote_tone": 1.6,
           "tone_toward": 1.6}


def frame_table(frame: pd.DataFrame, title: str, columns: dict[str, str], limit: int, empty: str) -> Table:
    """Return a frame's first `limit` rows as a Table of the `columns` it has (all of its columns when none)."""
    keep = [c for c in columns if c in frame.columns] or [str(c) for c in frame.columns]
    rows = tuple(tuple(_cell(c, v) for c, v in zip(keep, row, strict=True))
                 for row in frame.loc[:, keep].head(limit).itertuples(index=False))
    more = f" (the first {limit} of {len(frame):,})" if len(frame) > limit else ""
    links: tuple[str | None, ...] = ()
    if "url" in frame.columns and "source" in keep:  # the outlet's cell links to the article (http(s) only)
        links = tuple(safe_url(u) if isinstance(u, str) else None for u in frame["url"].head(limit))
    return Table(title + more, tuple(columns.get(c, clean(c)) for c in keep), rows, empty,
                 tuple(_WIDTHS.get(c, 1.2) for c in keep), links, keep.index("source") if links else -1)


def _cell(column: str, value: object) -> str:
    """Return one cell's text: tone signed with its word, a direction with its arrow, days as YYYY-MM-DD."""
    if column in _TONES:
        return tone_text(value)
    if column == "direction":
        return {"up": "\u25b2 up", "down": "\u25bc down"}.get(str(value), clean(value))
    if isinstance(value, (pd.Timestamp, datetime)):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, float):
        return "" if pd.isna(value) else f"{value:+.2f}".replace("-", "\u2212") if column == "score" else f"{value:.2f}"
    return clean(value)


def alerts_table(content: ReportContent) -> Table:
    """Return the alerts as a Table (the first MAX_ALERTS)."""
    alerts = content.alerts
    if {"metric", "value", "baseline"} <= set(alerts.columns):  # a tone alert's value and baseline are tones
        tone = alerts["metric"].astype("string").eq("tone").fillna(False).to_numpy()
        alerts = alerts.assign(**{c: [tone_text(v) if t else f"{v:,.1f}" if v == v else ""
                                      for v, t in zip(alerts[c].astype("float64"), tone, strict=True)]
                                  for c in ("value", "baseline")})
    return frame_table(alerts, "Alerts", _ALERT_COLUMNS, MAX_ALERTS, "No alert in this view.")


def quotes_table(content: ReportContent) -> Table:
    """Return the most quoted statements as a Table (the first MAX_QUOTES, in the frame's order)."""
    return frame_table(content.quotes, "Most quoted statements", _QUOTE_COLUMNS, MAX_QUOTES,
                       "No quotation in this view.")


def chart_title(chart: ReportChart) -> str:
    """Return a chart's title as plain text (the figure's is escaped for plotly)."""
    return clean(chart.title)


def chart_images(content: ReportContent, fmt: str, *, width: int = CHART_WIDTH,
                 scale: float | None = None) -> tuple[list[bytes | None], str]:
    """Return each chart drawn for print as `fmt` (svg or png) bytes, and a note when they could not be drawn.

    Drawn by kaleido (monitor.present.export.figure_image); without a browser every image is None and the note
    says why, so the report is still made, with its tables.
    """
    from monitor.present.export import ImageExportError, figure_image

    images: list[bytes | None] = []
    for chart in content.charts:
        fig = for_print(chart.figure)
        try:
            images.append(figure_image(fig, fmt, width=width, height=int(fig.layout.height or width * 0.62),
                                       scale=scale))
        except ImageExportError as exc:
            return [None] * len(content.charts), f"The charts are not drawn: {exc}"
    return images, ""


def render(content: ReportContent, fmt: str) -> bytes:
    """Return the report as `fmt` (pdf, html or pptx) bytes."""
    if fmt not in FORMATS:
        raise ValueError(f"report format must be one of {FORMATS}, not {fmt!r}")
    from monitor.present import report_html, report_pdf, report_pptx

    makers: dict[str, Callable[[ReportContent], bytes]] = {
        "pdf": report_pdf.pdf_bytes, "html": report_html.html_bytes, "pptx": report_pptx.pptx_bytes}
    return makers[fmt](content)


def content_of(shown: dict[str, tuple], top: pd.DataFrame, provenance: Provenance, store: str, *,
               top_what: str, captions: dict[str, str] | None = None, alerts: pd.DataFrame | None = None,
               quotes: pd.DataFrame | None = None, articles: int | None = None) -> ReportContent:
    """Return the ReportContent of a page's charts: `shown` is {key: (figure, frame)} as the Overview keeps them."""
    charts = tuple(ReportChart(key, figure_title(fig), fig, (captions or {}).get(key, ""))
                   for key, (fig, _) in shown.items())
    return ReportContent(provenance, store, charts, top, top_what,
                         alerts if alerts is not None else pd.DataFrame(),
                         quotes if quotes is not None else pd.DataFrame(), articles=articles)


def figure_title(fig: go.Figure) -> str:
    """Return a figure's title as the words written (plotly's copy is escaped: plot_text)."""
    from monitor.present.figure_base import unescape_label

    return unescape_label(str(fig.layout.title.text or ""))


def titles(content: ReportContent) -> Sequence[str]:
    """Return the charts' titles, in order (what a reader looks for on the pages)."""
    return [chart_title(c) for c in content.charts]
