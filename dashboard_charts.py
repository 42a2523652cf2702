"""The dashboard's chart blocks: one chart with its caption and downloads, and the point a click on it picked.

UI only, beside dashboard.py (which imports it and lays the blocks out). The figures themselves are built in
monitor.present.charts; the bytes of each download in monitor.present.export, made only when clicked.
"""
from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from dashboard_store import cached
from monitor import schema
from monitor.present import bundle, charts, export, figure_base
from monitor.present.provenance import Provenance
from monitor.read.filters import Filters
from monitor.schema import SENTENCES_SHOWN


@st.cache_resource
def image_export() -> tuple[bool, str]:
    """Whether server-side PNG/SVG works here (checked once per process)."""
    return export.image_export_available()


def chart_block(key: str, fig, frame: pd.DataFrame, caption: str, *, provenance: Provenance, image_format: str,
                images: tuple[bool, str], selectable: bool = False):
    """Draw one chart with its caption and downloads (CSV, HTML, PNG, SVG); return its selection event (None
    unless `selectable`).

    `provenance` (the view's filters) names the files and is written into each (the CSV's view columns, the
    chart's subtitle); `image_format` is the camera button's, and `images` is image_export(): whether the
    PNG/SVG downloads work here, and why not. Only a `selectable` chart reruns the page on a click (its point
    opens the drill-down): selection costs the browser time before the chart is drawn (bench/RESULTS.md), and a
    click on a chart that opens nothing would rerun the page for nothing.
    """
    ok_images, image_note = images
    stem = provenance.stem(key)
    config = charts.plot_config(stem, image_format)
    event = (st.plotly_chart(fig, key=f"chart_{key}", config=config, theme=None, width="stretch", on_select="rerun",
                             selection_mode="points") if selectable else
             st.plotly_chart(fig, key=f"chart_{key}", config=config, theme=None, width="stretch"))
    st.caption(caption)
    # the chart's text alternative: its numbers as a table, for screen readers and for reading exact values.
    # Drawn only once opened (a lazy expander: opening it reruns): the Overview's six hidden data grids cost
    # the browser ~0.3 s before the first chart on a 100,000-article store, and 47 kB (bench/RESULTS.md).
    table = st.expander("The chart's data as a table", key=f"table_open_{key}", on_change="rerun")
    if table.open:
        with table:
            st.dataframe(frame, hide_index=True, width="stretch", key=f"table_{key}")
    row = st.container(horizontal=True)
    # the bytes are made on click (a callable), not on every rerun for every chart
    row.download_button("CSV", partial(export.to_bytes, frame, "csv", provenance), f"{stem}.csv", "text/csv",
                        key=f"dl_{key}_csv", icon=":material/download:", help="The data behind this chart")
    row.download_button("HTML", partial(export.figure_html, fig, provenance=provenance), f"{stem}.html", "text/html",
                        key=f"dl_{key}_html", icon=":material/download:", help="Interactive, works offline")
    for fmt in ("png", "svg"):
        row.download_button(fmt.upper(), partial(export.figure_image, fig, fmt, provenance=provenance), f"{stem}.{fmt}",
                            f"image/{'svg+xml' if fmt == 'svg' else 'png'}", key=f"dl_{key}_{fmt}",
                            icon=":material/download:", disabled=not ok_images,
                            help="Rendered on the server" if ok_images else image_note)
    return event if selectable else None


def clicked(event) -> tuple[str, pd.Timestamp] | None:
    """Return (name, period) of a clicked chart point, from the point's customdata."""
    points = (event or {}).get("selection", {}).get("points", []) if event else []
    for point in points:
        data = point.get("customdata")
        if data and len(data) >= 2:
            # the chart shows the name escaped for plotly (charts.plot_text): read back the name itself
            return figure_base.unescape_label(str(data[0])), pd.Timestamp(data[1])
    return None


def zip_bytes(shown: dict[str, tuple], top: pd.DataFrame, top_what: str, *, names: list[str], filters: Filters,
              provenance: Provenance, images: bool, path: str, version: int) -> bytes:
    """Return the "download everything" zip: every chart with its data, the top table and the sentences.

    Made only when clicked: the sentences are every one naming each of `names` under the filters (read
    then, not on every rerun), with a `name` column saying which name each row is for.
    """
    parts = [cached("sentences_behind", path, version, filters, name, None, None, None, None)
             .assign(name=name).astype({"name": "string"}) for name in names]
    sentences = pd.concat(parts, ignore_index=True) if parts else schema.empty(SENTENCES_SHOWN)
    tables = {top_what: (top, f"the table of the most mentioned {top_what.removeprefix('top-')}"),
              "sentences": (sentences, f"every sentence naming {', '.join(names)} under these filters, newest "
                                       "first; `name` says which (a sentence naming two is listed for each)")}
    return bundle.bundle_zip(shown, images=images, provenance=provenance, tables=tables)
