"""Frames and figures to files: CSV, Parquet, JSON, standalone HTML, PNG and SVG (the zip of them all: bundle.py).

Also file names that say what they hold. Plotly and kaleido are imported only when a figure is
exported, so the CLI's frame exports stay quick to start.
"""
from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import contextlib
import html
import io
import json
import os
import re
import shutil
import threading
from collections.abc import Coroutine, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pandas as pd

from monitor.present.provenance import Provenance, file_name, slug

if TYPE_CHECKING:
    import plotly.graph_objects as go

FORMATS = ("csv", "parquet", "json")
__all__ = ["FORMATS", "Provenance", "figure_html", "figure_image", "file_name", "neutralise", "slug",
           "to_bytes"]
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


# Columns added to a CSV that says what it holds: the first line stays the header, so a spreadsheet, pandas or
# csv.DictReader opens the file unchanged (a comment or note line above the header breaks them all), and each
# row keeps its provenance when it is sorted, filtered or pasted elsewhere. Parquet keeps the same in its
# key-value metadata, JSON in a top-level object.
VIEW_COLUMNS = ("view_filters", "view_id")
PARQUET_KEY = "media_monitor"  # pd.read_parquet(...).attrs[PARQUET_KEY]: {"filters", "view_id"}


def to_bytes(frame: pd.DataFrame, fmt: str = "csv", provenance: Provenance | None = None) -> bytes:
    """Return the frame encoded as CSV (UTF-8, formulas neutralised), Parquet or JSON records.

    With a `provenance`, the file says which filters made it: CSV gains the VIEW_COLUMNS (the settings on
    one line and their view_id) on every row; Parquet carries them in its metadata (read back as
    ``attrs[PARQUET_KEY]``); JSON becomes {"filters": {...}, "view_id": ..., "rows": [...]}.
    """
    if fmt == "csv":
        if provenance is not None:
            frame = frame.assign(view_filters=pd.Series(provenance.text(), index=frame.index, dtype="string"),
                                 view_id=pd.Series(provenance.view_id, index=frame.index, dtype="string"))
        return neutralise(frame).to_csv(index=False, date_format="%Y-%m-%dT%H:%M:%S").encode("utf-8")
    if fmt == "parquet":
        return _parquet(frame, provenance)
    if fmt == "json":
        rows = frame.to_json(orient="records", date_format="iso", force_ascii=False, indent=1)
        if provenance is None:
            return rows.encode("utf-8")
        head = {"filters": provenance.as_dict(), "view_id": provenance.view_id}
        return json.dumps({**head, "rows": json.loads(rows)}, ensure_ascii=False, indent=1).encode("utf-8")
    raise ValueError(f"format must be one of {FORMATS}, not {fmt!r}")


def _parquet(frame: pd.DataFrame, provenance: Provenance | None) -> bytes:
    """Return the frame as Parquet; with a provenance, its settings in the file's key-value metadata.

    Kept as the frame's attrs, which pandas writes into the file's "pandas" metadata and read_parquet gives
    back as ``frame.attrs[PARQUET_KEY]`` (other readers see it in the schema's key-value metadata).
    """
    buffer = io.BytesIO()
    if provenance is not None:
        frame = frame.copy()
        frame.attrs[PARQUET_KEY] = {"filters": provenance.as_dict(), "view_id": provenance.view_id}
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


# --- figures ---------------------------------------------------------------------------------

IMAGE_FORMATS = ("png", "svg")
NO_BROWSER_NOTE = ("Server-side PNG/SVG needs Chromium or Chrome: install it (e.g. apt-get install "
                   "chromium) or use the chart's camera button")
# Names choreographer (kaleido's browser driver) looks for on PATH, in its order.
_BROWSER_NAMES = ("google-chrome", "google-chrome-stable", "chrome", "chromium", "chromium-browser")
# A last resort only: kaleido gives up on one image after 90 s by itself and reports it.
_WATCHDOG_S = 120.0
_START_S = 60.0   # longest wait for the browser to start (it takes ~2.5 s)
_CLOSE_S = 20.0   # choreographer waits up to 9 s for the browser to quit, then kills it
T = TypeVar("T")


class ImageExportError(RuntimeError):
    """A PNG/SVG could not be rendered on the server; the message says what the user can do."""


_NOTE_WIDTH = 130  # characters per line of the filters under a chart's title (fits a 1000 px image)
_NOTE_LINE_PX = 17


def labelled(fig: go.Figure, provenance: Provenance) -> go.Figure:
    """Return a copy of the figure whose subtitle also states the filters behind it (for files, not the page).

    The top margin grows by a line per line of filters, so they never cover the plot or its legend.
    """
    import textwrap

    out = type(fig)(fig)  # a copy: the page's own figure keeps its look
    note = textwrap.wrap(provenance.text(), _NOTE_WIDTH, break_long_words=True)
    # plotly reads tags and entities in labels: escape the data (names, outlets, the query), join with <br>
    lines = [html.escape(line, quote=False) for line in note]
    old = out.layout.title.subtitle.text
    out.update_layout(title_subtitle_text="<br>".join(([old] if old else []) + lines),
                      margin_t=(out.layout.margin.t or 80) + _NOTE_LINE_PX * len(lines))
    return out


def figure_html(fig: go.Figure, *, title: str | None = None, config: Mapping | None = None,
                provenance: Provenance | None = None) -> bytes:
    """Return a standalone UTF-8 HTML page of the figure with plotly.js embedded (works offline).

    The page's <title> is `title`, else the figure's own title (tags stripped), else "Chart". With a
    `provenance`, the chart's subtitle states the filters, and so does the page's description.
    """
    if provenance is not None:
        fig = labelled(fig, provenance)
    page = fig.to_html(include_plotlyjs=True, full_html=True,
                       config=dict(config) if config is not None else {"displaylogo": False})
    plain = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fig.layout.title.text or "")).strip()
    name = title or plain or "Chart"
    # after the charset declaration, which browsers look for in the page's first bytes
    charset = '<meta charset="utf-8" />'
    anchor = charset if charset in page else "<head>"
    head = f"<title>{html.escape(name)}</title>"
    if provenance is not None:
        head += (f'\n    <meta name="description" content="{html.escape(provenance.text())}" />'
                 f'\n    <meta name="media-monitor-view-id" content="{provenance.view_id}" />')
    page = page.replace(anchor, f"{anchor}\n    {head}", 1)
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
                 scale: float | None = None, provenance: Provenance | None = None) -> bytes:
    """Return the figure as PNG or SVG bytes, rendered by kaleido in a headless Chromium.

    PNG defaults to scale 2 (like the camera button), SVG to 1. One browser is kept running per
    process, so after the first export (~2.5 s) each takes a fraction of a second.
    With a `provenance`, the subtitle states the filters (labelled). Raises ImageExportError with a note
    for the user when no browser is available or rendering fails.
    """
    if fmt not in IMAGE_FORMATS:
        raise ValueError(f"image format must be one of {IMAGE_FORMATS}, not {fmt!r}")
    top = fig.layout.margin.t or 80
    if provenance is not None:
        fig = labelled(fig, provenance)
    grown = 0 if height else (fig.layout.margin.t or 80) - top  # the filters' lines add height, not squeeze
    available, note = image_export_available()
    if not available:
        raise ImageExportError(note)
    opts = {"format": fmt, "width": width or fig.layout.width or 1000,
            "height": (height or fig.layout.height or 500) + grown, "scale": scale or (2 if fmt == "png" else 1)}
    try:
        renderer = _get_renderer(note)
    except Exception as exc:
        raise ImageExportError(f"The image renderer (Chromium via kaleido) could not start: {_reason(exc)}. "
                               "Use the chart's camera button instead.") from exc
    try:
        return renderer.render(fig.to_dict(), opts)
    except Exception as exc:  # kaleido/choreographer raise many kinds; the user needs one
        if _browser_broke(exc):
            _discard(renderer)  # why: the next export starts a fresh browser instead of failing the same way
        raise _render_error(fmt, exc) from exc


class _Unanswered(Exception):
    """The browser did not answer within the watchdog's limit."""


class _Renderer:
    """One headless browser kept open (a ``kaleido.Kaleido``) on an event loop thread of its own.

    Any thread may render through it: each call is a task on that loop and waits for its own result
    with a deadline, so a browser that dies or hangs gives an error, never a request that waits
    forever. kaleido queues the calls for its tab, so calls from several threads at once are safe.
    """

    def __init__(self, browser: str) -> None:
        self._loop = asyncio.new_event_loop()
        threading.Thread(target=_serve, args=(self._loop,), name="kaleido-loop", daemon=True).start()
        try:
            self._kaleido = self._run(_new_kaleido(browser), _START_S)
            self._run(self._kaleido.open(), _START_S)
        except BaseException:
            threading.Thread(target=self.close, name="kaleido-close", daemon=True).start()
            raise

    def render(self, fig_dict: dict, opts: dict) -> bytes:
        """Return the rendered image; raise kaleido's error, or _Unanswered past the watchdog's limit."""
        return self._run(self._kaleido.calc_fig(fig_dict, opts=opts), _WATCHDOG_S)

    def close(self) -> None:
        """Close the browser (and its temporary files), then stop the loop."""
        with contextlib.suppress(Exception):  # why: a browser that died may fail to close as well
            self._run(self._kaleido.close(), _CLOSE_S)
        self._loop.call_soon_threadsafe(self._loop.stop)

    def _run(self, coroutine: Coroutine[Any, Any, T], seconds: float) -> T:
        """Return the coroutine's result, run on the loop; cancel it and raise _Unanswered after ``seconds``."""
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        try:
            return future.result(seconds)
        except concurrent.futures.TimeoutError:
            if future.done():
                raise  # why: kaleido's own per-image timeout is a TimeoutError too, and it did answer
            future.cancel()
            raise _Unanswered from None


_renderer: _Renderer | None = None
_renderer_lock = threading.Lock()  # why: one browser per process, even when two sessions export at once


def _get_renderer(browser: str) -> _Renderer:
    """Return the process's renderer, starting its browser on first use (or after a failure)."""
    global _renderer
    with _renderer_lock:
        if _renderer is None:
            _renderer = _Renderer(browser)
        return _renderer


def _discard(renderer: _Renderer) -> None:
    """Forget a renderer and close it in the background; the next export starts a new one."""
    global _renderer
    with _renderer_lock:
        if _renderer is renderer:
            _renderer = None
    threading.Thread(target=renderer.close, name="kaleido-close", daemon=True).start()


def close_renderer() -> None:
    """Close the browser kept for image exports, if any (at exit; a later export starts a new one)."""
    global _renderer
    with _renderer_lock:
        renderer, _renderer = _renderer, None
    if renderer is not None:
        renderer.close()


atexit.register(close_renderer)  # why: the browser's temporary profile and page are removed on close


def _serve(loop: asyncio.AbstractEventLoop) -> None:
    """Run the renderer's event loop until it is stopped, then close it."""
    asyncio.set_event_loop(loop)
    loop.run_forever()
    loop.close()


async def _new_kaleido(browser: str) -> Any:
    """Return an unopened kaleido.Kaleido for ``browser``, made on the loop that will run it.

    mathjax=False: the default loads MathJax from a CDN, and these charts have no LaTeX, so
    rendering never waits on the network.
    """
    import kaleido

    return kaleido.Kaleido(path=browser, mathjax=False)


def _browser_broke(exc: Exception) -> bool:
    """Return True when a render failed because the browser hung, died or lost its channel (not the figure)."""
    from choreographer.errors import BrowserClosedError, BrowserFailedError, ChannelClosedError

    return isinstance(exc, (_Unanswered, BrowserClosedError, BrowserFailedError, ChannelClosedError))


def _render_error(fmt: str, exc: Exception) -> ImageExportError:
    """Return the error for the user of a render that failed with ``exc``."""
    if isinstance(exc, _Unanswered):
        return ImageExportError("The image renderer did not answer. Use the chart's camera button.")
    if _browser_broke(exc):
        return ImageExportError("The image renderer (Chromium via kaleido) stopped. "
                                "Try again, or use the chart's camera button.")
    return ImageExportError(f"Could not render the {fmt.upper()}: {exc}. Use the chart's camera button instead.")


def _reason(exc: BaseException) -> str:
    """Return an error's first message (choreographer's carry several lines), without a final period."""
    return str(exc.args[0] if exc.args else type(exc).__name__).rstrip(".")
