"""The dashboard's chart blocks: one chart with its caption and downloads, and the point a click on it picked.

UI only, beside dashboard.py (which imports it and lays the blocks out). The figures themselves are built in
monitor.present.charts; the bytes of each download in monitor.present.export, made only when clicked.
"""
from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from monitor.present import charts, export


@st.cache_resource
def image_export() -> tuple[bool, str]:
    """Whether server-side PNG/SVG works here (checked once per process)."""
    return export.image_export_available()


def chart_block(key: str, fig, frame: pd.DataFrame, caption: str, *, stem_filters: dict, image_format: str,
                images: tuple[bool, str]):
    """Draw one chart with its caption and downloads (CSV, HTML, PNG, SVG); return its selection event.

    `stem_filters` name the files (export.file_name), `image_format` is the camera button's, and `images` is
    image_export(): whether the PNG/SVG downloads work here, and why not.
    """
    ok_images, image_note = images
    stem = export.file_name(key, "x", **stem_filters)[:-2]
    event = st.plotly_chart(fig, key=f"chart_{key}", config=charts.plot_config(stem, image_format), theme=None,
                            on_select="rerun", selection_mode="points", width="stretch")
    st.caption(caption)
    row = st.container(horizontal=True)
    # the bytes are made on click (a callable), not on every rerun for every chart
    row.download_button("CSV", partial(export.to_bytes, frame, "csv"), f"{stem}.csv", "text/csv", key=f"dl_{key}_csv",
                        icon=":material/download:", help="The data behind this chart")
    row.download_button("HTML", partial(export.figure_html, fig), f"{stem}.html", "text/html",
                        key=f"dl_{key}_html", icon=":material/download:", help="Interactive, works offline")
    for fmt in ("png", "svg"):
        row.download_button(fmt.upper(), partial(export.figure_image, fig, fmt), f"{stem}.{fmt}",
                            f"image/{'svg+xml' if fmt == 'svg' else 'png'}", key=f"dl_{key}_{fmt}",
                            icon=":material/download:", disabled=not ok_images,
                            help="Rendered on the server" if ok_images else image_note)
    return event


def clicked(event) -> tuple[str, pd.Timestamp] | None:
    """Return (name, period) of a clicked chart point, from the point's customdata."""
    points = (event or {}).get("selection", {}).get("points", []) if event else []
    for point in points:
        data = point.get("customdata")
        if data and len(data) >= 2:
            # the chart shows the name escaped for plotly (charts.plot_text): read back the name itself
            return charts.unescape_label(str(data[0])), pd.Timestamp(data[1])
    return None
