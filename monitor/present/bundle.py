"""The "download everything" zip: every chart (HTML, its CSV, PNG and SVG when a browser is there), extra tables,
and a manifest (manifest.json for programs, README.txt for people) saying what each file holds and the filters.

Built on monitor.present.export's single-file writers.
"""
from __future__ import annotations

import html
import io
import json
import re
import zipfile
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from monitor.present.export import (
    IMAGE_FORMATS,
    ImageExportError,
    figure_html,
    figure_image,
    image_export_available,
    to_bytes,
)
from monitor.present.provenance import Provenance

if TYPE_CHECKING:
    import plotly.graph_objects as go


def bundle_zip(items: Mapping[str, tuple[go.Figure, pd.DataFrame]], *, images: bool = True,
               provenance: Provenance | None = None, tables: Mapping[str, tuple[pd.DataFrame, str]] | None = None,
               about: Mapping[str, str] | None = None) -> bytes:
    """Return one zip holding, per chart stem, <stem>.html and <stem>.csv (its data), and, when `images` is
    true and a browser is available, <stem>.png and <stem>.svg; per `tables` stem (frame, what it holds),
    <stem>.csv; and manifest.json plus README.txt listing every file, what it holds and the filters.

    `about` says what each chart shows (default: its title). With a `provenance`, every CSV carries the
    view's columns, and every chart its filters under the title. When images were asked for but cannot be
    made, README.txt says why.
    """
    charts = {_zip_stem(stem): pair for stem, pair in items.items()}
    extra = {_zip_stem(stem): pair for stem, pair in (tables or {}).items()}
    if len(charts) != len(items) or len(extra) != len(tables or {}) or set(charts) & set(extra):
        raise ValueError(f"file stems collide once made file-safe: {list(items)} {list(tables or {})}")
    available, note = image_export_available() if images else (False, "")
    listing: list[dict[str, Any]] = []
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        def put(name: str, data: bytes, holds: str, frame: pd.DataFrame | None = None) -> None:
            archive.writestr(name, data)
            listing.append({"file": name, "holds": holds, **_shape(frame)})

        for stem, (fig, frame) in charts.items():
            what = (about or {}).get(stem) or _plain_title(fig) or stem
            put(f"{stem}.html", figure_html(fig, provenance=provenance), f"chart: {what} (interactive, offline)")
            put(f"{stem}.csv", to_bytes(frame, "csv", provenance), f"the data behind the chart: {what}", frame)
            if available:
                try:
                    for fmt in IMAGE_FORMATS:
                        put(f"{stem}.{fmt}", figure_image(fig, fmt, provenance=provenance),
                            f"chart: {what} ({fmt.upper()} image)")
                except ImageExportError as exc:  # keep what was made; say why the rest is missing
                    available, note = False, str(exc)
        for stem, (frame, holds) in extra.items():
            put(f"{stem}.csv", to_bytes(frame, "csv", provenance), holds, frame)
        missing = note if images and not available else None
        _write_manifest(archive, listing, provenance, missing)
    return buffer.getvalue()


def _shape(frame: pd.DataFrame | None) -> dict[str, Any]:
    """Return {"rows", "columns"} of a frame written to the zip; {} for a file that is no table."""
    return {} if frame is None else {"rows": len(frame), "columns": [str(c) for c in frame.columns]}


def _plain_title(fig: go.Figure) -> str:
    """Return the figure's title with tags removed and entities decoded."""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fig.layout.title.text or "")).strip())


def _write_manifest(archive: zipfile.ZipFile, listing: list[dict[str, Any]], provenance: Provenance | None,
                    missing_images: str | None) -> None:
    """Add manifest.json (for programs) and README.txt (for people): the filters and every file with what it holds."""
    from datetime import UTC, datetime

    own = [{"file": "README.txt", "holds": "this list, for people"},
           {"file": "manifest.json", "holds": "this list, for programs"}]
    files = own + listing
    manifest = {"made_by": "media monitor", "created": datetime.now(UTC).isoformat(timespec="seconds"),
                "filters": provenance.as_dict() if provenance else {},
                "view_id": provenance.view_id if provenance else None,
                "images_missing_because": missing_images, "files": files}
    archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
    lines = ["Media monitor download", "", "Filters behind every file:"]
    lines += [f"  {line}" for line in (provenance.lines() if provenance else ["(not recorded)"])]
    if provenance:
        lines.append(f"  view id: {provenance.view_id} (also in each CSV's view_id column)")
    lines += ["", "Files:"]
    lines += [f"  {f['file']}: {f['holds']}" + (f" ({f['rows']:,} rows)" if "rows" in f else "") for f in files]
    if missing_images is not None:
        lines += ["", f"PNG and SVG images are not included: {missing_images}",
                  "Each .html file is the interactive chart; open it in a browser and use its camera button "
                  "to save an image."]
    archive.writestr("README.txt", "\n".join(lines) + "\n")


def _zip_stem(stem: str) -> str:
    """Return a stem safe as a zip member name (no folders, no '..'), keeping case and '_'."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", stem).strip(".-") or "chart"
