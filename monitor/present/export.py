"""Frames and figures to files: CSV, Parquet, JSON, standalone HTML, PNG, SVG and zip bytes.

Also file names that say what they hold. Plotly and kaleido are imported only when a figure is
exported, so the CLI's frame exports stay quick to start.
"""
from __future__ import annotations

import html
import io
import os
import re
import shutil
import threading
import time
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    import plotly.graph_objects as go

FORMATS = ("csv", "parquet", "json")
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy whose text cells cannot run as spreadsheet formulas (prefixed with ')."""
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_string_dtype(out[column]) and not pd.api.types.is_numeric_dtype(out[column]):
            values = out[column]
            risky = values.str.startswith(_FORMULA_START, na=False)
            out[column] = values.where(~risky, "'" + values)
    return out


def to_bytes(frame: pd.DataFrame, fmt: str = "csv") -> bytes:
    """Return the frame encoded as CSV (UTF-8, formulas neutralised), Parquet or JSON records."""
    if fmt == "csv":
        return neutralise(frame).to_csv(index=False, date_format="%Y-%m-%dT%H:%M:%S").encode("utf-8")
    if fmt == "parquet":
        buffer = io.BytesIO()
        frame.to_parquet(buffer, index=False)
        return buffer.getvalue()
    if fmt == "json":
        return frame.to_json(orient="records", date_format="iso", force_ascii=False, indent=1).encode("utf-8")
    raise ValueError(f"format must be one of {FORMATS}, not {fmt!r}")


def slug(text: str) -> str:
    """Return a file-name-safe, lower-case version of a label ("Donald Trump" -> "donald-trump")."""
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")[:60] or "all"


def file_name(what: str, fmt: str, **filters: object) -> str:
    """Return a file name naming the content and the filters, e.g. "mentions_donald-trump_2024-08.csv"."""
    parts = [slug(what)]
    for value in filters.values():
        if value in (None, "", (), []):
            continue
        if isinstance(value, (list, tuple)):
            value = "+".join(str(v) for v in value)
        parts.append(slug(str(value)))
    return "_".join(parts) + f".{fmt}"


# --- figures ---------------------------------------------------------------------------------

IMAGE_FORMATS = ("png", "svg")
NO_BROWSER_NOTE = ("Server-side PNG/SVG needs Chromium or Chrome: install it (e.g. apt-get install "
                   "chromium) or use the chart's camera button")
# Names choreographer (kaleido's browser driver) looks for on PATH, in its order.
_BROWSER_NAMES = ("google-chrome", "google-chrome-stable", "chrome", "chromium", "chromium-browser")
# A last resort only: kaleido gives up on one image after 90 s by itself and reports it.
_WATCHDOG_S = 120.0
# kaleido's sync server hands one shared pair of queues to every caller, so two threads at once
# could swap results: all server use goes through this lock.
_KALEIDO_LOCK = threading.Lock()


class ImageExportError(RuntimeError):
    """A PNG/SVG could not be rendered on the server; the message says what the user can do."""


def figure_html(fig: go.Figure, *, title: str | None = None, config: Mapping | None = None) -> bytes:
    """Return a standalone UTF-8 HTML page of the figure with plotly.js embedded (works offline).

    The page's <title> is `title`, else the figure's own title (tags stripped), else "Chart".
    """
    page = fig.to_html(include_plotlyjs=True, full_html=True,
                       config=dict(config) if config is not None else {"displaylogo": False})
    plain = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fig.layout.title.text or "")).strip()
    name = title or plain or "Chart"
    # after the charset declaration, which browsers look for in the page's first bytes
    charset = '<meta charset="utf-8" />'
    anchor = charset if charset in page else "<head>"
    page = page.replace(anchor, f"{anchor}\n    <title>{html.escape(name)}</title>", 1)
    return page.encode("utf-8")


def _browser_path() -> str | None:
    """Return the browser kaleido would launch here, or None when there is none.

    Follows choreographer's own search ($BROWSER_PATH first, then PATH, then the usual
    install places) so that "available" means what kaleido will actually find.
    """
    try:
        from choreographer.browsers.chromium import Chromium

        path = Chromium.find_browser(skip_local=False)
    except Exception:
        path = os.environ.get("BROWSER_PATH") or next(
            (found for name in _BROWSER_NAMES if (found := shutil.which(name))), None)
    return str(path) if path and Path(path).is_file() and os.access(path, os.X_OK) else None


def image_export_available() -> tuple[bool, str]:
    """Return (True, browser path) when kaleido can render PNG/SVG here, else (False, a note for the user)."""
    try:
        import kaleido  # noqa: F401
    except ImportError:
        return False, "Server-side PNG/SVG needs the kaleido package (pip install kaleido) " \
                      "or use the chart's camera button"
    path = _browser_path()
    return (True, path) if path else (False, NO_BROWSER_NOTE)


def figure_image(fig: go.Figure, fmt: str, *, width: int | None = None, height: int | None = None,
                 scale: float | None = None) -> bytes:
    """Return the figure as PNG or SVG bytes, rendered by kaleido in a headless Chromium.

    PNG defaults to scale 2 (like the camera button), SVG to 1. One browser is kept running per
    process, so after the first export (~2.5 s) each takes a fraction of a second.
    Raises ImageExportError with a note for the user when no browser is available or rendering fails.
    """
    if fmt not in IMAGE_FORMATS:
        raise ValueError(f"image format must be one of {IMAGE_FORMATS}, not {fmt!r}")
    available, note = image_export_available()
    if not available:
        raise ImageExportError(note)
    opts = {"format": fmt, "width": width or fig.layout.width or 1000,
            "height": height or fig.layout.height or 500, "scale": scale or (2 if fmt == "png" else 1)}
    with _KALEIDO_LOCK:
        _ensure_server(note)
        try:
            return _call_server(fig.to_dict(), opts)
        except ImageExportError:
            raise
        except Exception as exc:  # kaleido/choreographer raise many kinds; the user needs one
            raise ImageExportError(f"Could not render the {fmt.upper()}: {exc}. "
                                   "Use the chart's camera button instead.") from exc


def _server():
    """Return kaleido's process-wide sync server object (a singleton inside kaleido)."""
    import kaleido

    return kaleido._global_server


def _server_alive() -> bool:
    """Return whether kaleido's sync server is open and its thread has not died."""
    server = _server()
    thread = getattr(server, "_thread", None)
    return server.is_running() and (thread is None or thread.is_alive())


def _ensure_server(browser: str) -> None:
    """Start kaleido's sync server once per process (a browser kept open); restart it if it died.

    Call with _KALEIDO_LOCK held. mathjax=False: the default loads MathJax from a CDN, and these
    charts have no LaTeX, so rendering never waits on the network.
    """
    import kaleido

    if _server().is_running() and not _server_alive():
        kaleido.stop_sync_server(silence_warnings=True)  # the thread died (browser crash): reset
    if not _server().is_running():
        kaleido.start_sync_server(path=browser, mathjax=False, silence_warnings=True)


def _call_server(fig_dict: dict, opts: dict) -> bytes:
    """Return the rendered bytes of one figure, failing instead of hanging if the server thread dies.

    kaleido's server call waits on its queue with no timeout; if the browser fails to start, the
    server thread dies and that wait never ends. So the call runs in a watched helper thread.
    Call with _KALEIDO_LOCK held.
    """
    import kaleido

    result: dict[str, object] = {}

    def work() -> None:
        try:  # goes through the running sync server (plotly's to_image would warn about kopts)
            result["bytes"] = kaleido.calc_fig_sync(fig_dict, opts=opts)
        except Exception as exc:
            result["error"] = exc

    worker = threading.Thread(target=work, name="kaleido-call", daemon=True)
    worker.start()
    deadline = time.monotonic() + _WATCHDOG_S
    while worker.is_alive():
        worker.join(0.05)
        if worker.is_alive() and not _server_alive():
            kaleido.stop_sync_server(silence_warnings=True)  # next call starts a fresh one
            raise ImageExportError("The image renderer (Chromium via kaleido) stopped. "
                                   "Try again, or use the chart's camera button.")
        if worker.is_alive() and time.monotonic() > deadline:
            raise ImageExportError("The image renderer did not answer. Use the chart's camera button.")
    if "error" in result:
        raise result["error"]  # type: ignore[misc]
    return result["bytes"]  # type: ignore[return-value]


def bundle_zip(items: Mapping[str, tuple[go.Figure, pd.DataFrame]], *, images: bool = True) -> bytes:
    """Return one zip holding, per chart stem, <stem>.html and <stem>.csv (its data), and, when
    `images` is true and a browser is available, <stem>.png and <stem>.svg.

    When images were asked for but cannot be made, README.txt in the zip says why.
    """
    stems = {_zip_stem(stem): pair for stem, pair in items.items()}
    if len(stems) != len(items):
        raise ValueError(f"chart stems collide once made file-safe: {list(items)}")
    available, note = image_export_available() if images else (False, "")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for stem, (fig, frame) in stems.items():
            archive.writestr(f"{stem}.html", figure_html(fig))
            archive.writestr(f"{stem}.csv", to_bytes(frame, "csv"))
            if available:
                try:
                    for fmt in IMAGE_FORMATS:
                        archive.writestr(f"{stem}.{fmt}", figure_image(fig, fmt))
                except ImageExportError as exc:  # keep what was made; say why the rest is missing
                    available, note = False, str(exc)
        if images and not available:
            archive.writestr("README.txt", f"PNG and SVG images are not included: {note}\n"
                                           "Each .html file is the interactive chart; open it in a "
                                           "browser and use its camera button to save an image.\n")
    return buffer.getvalue()


def _zip_stem(stem: str) -> str:
    """Return a stem safe as a zip member name (no folders, no '..'), keeping case and '_'."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", stem).strip(".-") or "chart"
