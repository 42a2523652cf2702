"""A report's charts made for paper: readable in black and white, one embedded font, SVG that svglib draws right.

The dashboard's figures tell names apart by colour and show tone in the heatmap by colour alone. Printed in
grey, neither survives, so the report draws a copy of each figure (`for_print`) where:
- every line's markers have a shape of their own and its line a dash of its own (the legend shows both);
- each heatmap cell writes its signed tone (+0.31 / −0.42) under its count, and the colour bar's ends say
  "negative" and "positive";
- the text is in the report's font (`FONT`), the one the PDF embeds, so the chart's text is measured and drawn
  in the same face.
"""
from __future__ import annotations

import base64
import io
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import plotly.graph_objects as go

# Shapes and dashes told apart in grey, in the order names are ranked (the first name gets the first of each).
SYMBOLS = ("circle", "square", "diamond", "triangle-up", "x", "cross", "triangle-down", "star")
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
MINUS = "\u2212"  # the minus sign: a hyphen is easy to miss in small print


@dataclass(frozen=True)
class Font:
    """The report's typeface: its family name (for the charts) and its TrueType files (for the PDF)."""

    family: str
    regular: str
    bold: str


# DejaVu Sans (Debian's fonts-dejavu-core, which Chromium brings) covers Latin, Greek, Cyrillic, Arabic, Hebrew
# and the arrows and signs the report uses; without it, Bitstream Vera (shipped inside reportlab: always there),
# from which DejaVu was made, so the look is the same and only rarer scripts lose their glyphs.
_DEJAVU = Path("/usr/share/fonts/truetype/dejavu")


@cache
def font() -> Font:
    """Return the report's font: DejaVu Sans when installed, else reportlab's own Bitstream Vera."""
    regular, bold = _DEJAVU / "DejaVuSans.ttf", _DEJAVU / "DejaVuSans-Bold.ttf"
    if regular.is_file() and bold.is_file():
        return Font("DejaVu Sans", str(regular), str(bold))
    import reportlab

    fonts = Path(reportlab.__file__).parent / "fonts"
    return Font("Bitstream Vera Sans", str(fonts / "Vera.ttf"), str(fonts / "VeraBd.ttf"))


def signed(value: float) -> str:
    """Return a tone as a signed number with a true minus sign: "+0.31", "−0.42", "0.00"."""
    text = f"{value:+.2f}"
    return "0.00" if text in ("+0.00", "-0.00") else text.replace("-", MINUS)


def for_print(fig: go.Figure) -> go.Figure:
    """Return a copy of the figure for paper: shapes and dashes per name, signed tone in heatmap cells, the font."""
    import plotly.graph_objects as go

    spec = fig.to_dict()  # a copy; rebuilt unvalidated below, as the charts are built (figure_base.figure_of)
    groups: dict[str, int] = {}
    for trace, given in zip(spec.get("data", []), fig.data, strict=True):
        if trace.get("type") == "heatmap":
            # the arrays as arrays (to_dict encodes them as base64)
            _signed_cells(trace, getattr(given, "z", None), getattr(given, "text", None))
        elif trace.get("type") == "scatter" and "markers" in trace.get("mode", ""):
            marker = trace.setdefault("marker", {})
            colours = marker.get("color")
            if isinstance(colours, (list, tuple)):  # one point per name (a single period): a shape per point
                marker["symbol"] = [SYMBOLS[i % len(SYMBOLS)] for i in range(len(colours))]
            else:
                _shape(trace, groups.setdefault(str(trace.get("legendgroup") or trace.get("name") or ""),
                                                len(groups)))
    layout = spec.setdefault("layout", {})
    if any(t.get("type") == "heatmap" for t in spec.get("data", [])):  # two lines per cell: taller rows
        layout["height"] = int((layout.get("height") or 450) * 1.3)
        layout.setdefault("title", {})["subtitle"] = {"text": "Number = sentences; under it, their mean tone "
                                                      "toward the name (also the colour)"}
    layout["font"] = {**layout.get("font", {}), "family": f"{font().family}, sans-serif"}
    return go.Figure(spec, _validate=False)


def _shape(trace: dict[str, Any], index: int) -> None:
    """Give a line trace the index'th marker shape and dash; hollow markers (thin periods) stay hollow."""
    symbol = SYMBOLS[index % len(SYMBOLS)]
    marker = trace["marker"]
    given = marker.get("symbol")
    if isinstance(given, (list, tuple)):
        marker["symbol"] = [f"{symbol}-open" if str(s).endswith("-open") else symbol for s in given]
    else:
        marker["symbol"] = symbol
    marker["size"] = max(8, marker.get("size") or 0)
    if "lines" in trace.get("mode", ""):
        trace["line"] = {**trace.get("line", {}), "dash": DASHES[index % len(DASHES)]}


def _signed_cells(trace: dict[str, Any], z: Any, text: Any) -> None:
    """Write each cell's signed tone (`z`) under its count (`text`), and name the colour bar's ends."""
    if z is None or text is None:
        return
    trace["text"] = [[f"{count}<br>{signed(tone)}" if count and tone == tone and tone is not None else count
                      for count, tone in zip(row_text, row_z, strict=False)]
                     for row_text, row_z in zip(text, z, strict=False)]
    trace["colorbar"] = {**trace.get("colorbar", {}), "tickvals": [-1, -0.5, 0, 0.5, 1],
                         "title": {"text": "mean tone", "side": "right"},
                         "ticktext": [f"{MINUS}1 negative", f"{MINUS}0.5", "0 neutral", "+0.5", "+1 positive"]}


# --- SVG as svglib needs it ---------------------------------------------------------------------

_DATA_PNG = re.compile(rb'(href="data:image/png;base64,)([A-Za-z0-9+/=]+)(")')


def flatten_images(svg: bytes) -> bytes:
    """Return the SVG with each embedded PNG laid on white (a heatmap's empty cells are transparent pixels,
    which reportlab draws black)."""
    from PIL import Image

    def on_white(match: re.Match[bytes]) -> bytes:
        image = Image.open(io.BytesIO(base64.b64decode(match[2]))).convert("RGBA")
        flat = Image.new("RGB", image.size, "white")
        flat.paste(image, mask=image.getchannel("A"))
        buffer = io.BytesIO()
        flat.save(buffer, "PNG")
        return match[1] + base64.b64encode(buffer.getvalue()) + match[3]

    return _DATA_PNG.sub(on_white, svg)
