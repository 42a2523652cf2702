"""The Overview's "Download report" buttons: the view's charts, top table, alerts and quotes as PDF, HTML or
PowerPoint (monitor.present.report), each made only when its button is clicked.

UI only, beside dashboard_overview.py (which calls `report_buttons` where its other downloads are). A report
takes a few seconds (its charts are drawn by kaleido), so nothing is built on a rerun: each button is given a
callable, which Streamlit runs on the click. The alerts and quotes are read then too: `frames` is a callable
returning {"alerts": ..., "quotes": ...} (e.g. cached reads of monitor.read.alerts / monitor.read.quotes).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial

import pandas as pd
import streamlit as st

from dashboard_context import PageContext
from dashboard_store import read
from monitor.present import report
from monitor.present.viewstate import KINDS

LABELS = {"pdf": "PDF", "html": "HTML", "pptx": "PowerPoint"}
Frames = Callable[[], dict[str, pd.DataFrame]]


def report_bytes(fmt: str, shown: dict[str, tuple], top: pd.DataFrame, ctx: PageContext,
                 frames: Frames | None = None) -> bytes:
    """Return the view's report as `fmt` bytes (run on the click, not on every rerun)."""
    extra = frames() if frames is not None else {}
    content = report.content_of(shown, top, ctx.about, ctx.path, top_what=KINDS[ctx.view.kind].lower(),
                                alerts=extra.get("alerts"), quotes=extra.get("quotes"))
    return report.render(content, fmt)


def view_frames(ctx: PageContext) -> dict[str, pd.DataFrame]:
    """Return the view's alerts (every kind, over the span drawn: per day when by day, else per week) and its most
    quoted statements, read through the dashboard's cache (the Alerts and Quotes pages' reads)."""
    spanned = replace(ctx.filters, since=ctx.span[0].date(), until=ctx.span[1].date())
    return {"alerts": read("alerts", "find_alerts", ctx.path, ctx.version, spanned, "D" if ctx.freq == "D" else "W"),
            "quotes": read("quotes", "top_statements", ctx.path, ctx.version, ctx.filters)}


def report_buttons(ctx: PageContext, shown: dict[str, tuple], top: pd.DataFrame, frames: Frames | None = None) -> None:
    """Draw the three "Download report" buttons of the view (`frames`: its alerts and quotes, read on the click;
    view_frames when None)."""
    frames = frames if frames is not None else partial(view_frames, ctx)
    row = st.container(horizontal=True)
    for fmt, label in LABELS.items():
        row.download_button(f"Report ({label})", partial(report_bytes, fmt, shown, top, ctx, frames),
                            ctx.about.file_name("report", fmt), report.MEDIA_TYPES[fmt], key=f"dl_report_{fmt}",
                            icon=":material/description:", on_click="ignore",
                            help="The view's filters, charts, top table, alerts and quotes, made when clicked")
    ok_images, note = ctx.image_export
    st.caption("Download report: the filters and query stated at the top, then the charts, the top table, the "
               "alerts and the most quoted statements; readable printed in black and white."
               + ("" if ok_images else f" {note}: the report holds its tables only."))
