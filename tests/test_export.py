"""Export bytes and file names."""
import io
import json
import re

import pandas as pd

from monitor.present import bundle, export


def test_csv_neutralises_formulas_but_not_numbers():
    frame = pd.DataFrame({"title": ["=HYPERLINK(\"x\")", "+1 555", "-cmd", "@SUM(A1)", "plain"],
                          "tone": [-0.5, 0.1, 0.0, 0.2, 0.3]}).astype({"title": "string"})
    text = export.to_bytes(frame, "csv").decode()
    back = pd.read_csv(io.StringIO(text))
    assert back["title"].tolist() == ["'=HYPERLINK(\"x\")", "'+1 555", "'-cmd", "'@SUM(A1)", "plain"]
    assert back["tone"].tolist() == [-0.5, 0.1, 0.0, 0.2, 0.3]


def test_parquet_and_json_round_trip():
    frame = pd.DataFrame({"entity": ["Mara Velloso"], "date": [pd.Timestamp("2031-05-06")]})
    assert pd.read_parquet(io.BytesIO(export.to_bytes(frame, "parquet"))).equals(frame)
    assert json.loads(export.to_bytes(frame, "json"))[0]["entity"] == "Mara Velloso"


def test_file_names_say_what_and_which_filter():
    # the readable part, then a hash of every filter (tests/test_export_provenance.py: distinct views, distinct names)
    assert re.fullmatch(r"mentions_mara-velloso-tomas-brandt_2031-05-01_[0-9a-f]{10}\.csv", export.file_name(
        "mentions", "csv", person=["Mara Velloso", "Tomas Brandt"], since="2031-05-01"))
    assert re.fullmatch(r"tone-over-time_[0-9a-f]{10}\.svg", export.file_name("Tone over time", "svg", topic=None))


# --- figures: HTML, PNG/SVG, zip -----------------------------------------------------------------

import asyncio  # noqa: E402
import threading  # noqa: E402 - figure tests below keep their imports together
import xml.etree.ElementTree as ET  # noqa: E402
import zipfile  # noqa: E402

import plotly.graph_objects as go  # noqa: E402
import pytest  # noqa: E402

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def small_figure(title: str = "Mentions of Mara Velloso") -> go.Figure:
    """A tiny line chart built with the plotly template, as monitor.present.charts builds them."""
    fig = go.Figure(layout={"template": "plotly", "title": {"text": title}})
    fig.add_trace(go.Scatter(x=["2031-05-05", "2031-05-12"], y=[3, 5], name="Mara Velloso"))
    return fig


def small_frame() -> pd.DataFrame:
    return pd.DataFrame({"period": pd.to_datetime(["2031-05-05", "2031-05-12"]),
                         "name": ["Mara Velloso"] * 2, "mentions": [3, 5]}).astype({"name": "string"})


@pytest.fixture
def kaleido_browser():
    """Skip unless kaleido can find a Chrome/Chromium here."""
    available, note = export.image_export_available()
    if not available:
        pytest.skip(f"no browser for kaleido: {note}")


@pytest.fixture
def no_browser(monkeypatch, tmp_path):
    """Point kaleido's browser search ($BROWSER_PATH is checked first) at a file that does not exist."""
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-such-chrome"))


def test_html_embeds_plotly_js_and_has_a_title():
    page = export.figure_html(small_figure("Tone of <b>Tomas Brandt</b> & co")).decode("utf-8")
    assert len(page) > 1_000_000  # plotly.js itself is inside
    # plotly.js mentions cdn.plot.ly itself (map data), so look for a script loaded from the web
    assert not re.search(r"<script[^>]*src=[\"']?(https?:)?//", page)
    assert "Plotly.newPlot" in page
    assert "<title>Tone of Tomas Brandt &amp; co</title>" in page
    assert "Mara Velloso" in page


@pytest.mark.browser
def test_png_and_svg_render(kaleido_browser):
    fig = small_figure()
    png = export.figure_image(fig, "png")
    assert png.startswith(PNG_SIGNATURE)
    svg = export.figure_image(fig, "svg")
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    assert b"Mentions of Mara Velloso" in svg


@pytest.mark.browser
def test_warm_exports_are_thread_safe(kaleido_browser):
    export.figure_image(small_figure(), "svg")  # make sure the server is up
    titles = ["Mara Velloso", "Tomas Brandt", "The Northbridge Courier", "Tone of Mara Velloso",
              "Mentions of Tomas Brandt"]
    results: dict[str, bytes] = {}

    def render(title: str) -> None:
        results[title] = export.figure_image(small_figure(title), "svg")

    threads = [threading.Thread(target=render, args=(t,)) for t in titles]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)  # only against a hang (~0.25 s each once the browser runs): speed is bench/'s to measure
    assert not any(thread.is_alive() for thread in threads), "an export never returned"
    for title in titles:  # each thread got its own figure back, not a neighbour's
        assert f">{title}<".encode() in results[title]


def test_unknown_image_format_is_refused():
    with pytest.raises(ValueError, match="png"):
        export.figure_image(small_figure(), "gif")


def test_no_browser_gives_a_clear_note(no_browser):
    import kaleido
    from choreographer.errors import ChromeNotFoundError

    available, note = export.image_export_available()
    assert not available
    assert "Chromium or Chrome" in note and "camera button" in note
    with pytest.raises(export.ImageExportError, match="apt-get install chromium"):
        export.figure_image(small_figure(), "png")
    with pytest.raises(ChromeNotFoundError):  # kaleido itself agrees: it would not find one either
        kaleido.Kaleido()


class FakeKaleido:
    """Stands in for kaleido.Kaleido (no browser): opens at once, renders as the test says."""

    made = 0
    render = None  # an async function (fig, opts) -> bytes

    def __init__(self, **kwargs):
        assert kwargs == {"path": "/fake/chrome", "mathjax": False}
        type(self).made += 1

    async def open(self):
        pass

    async def calc_fig(self, fig, opts=None):
        return await type(self).render(fig, opts)

    async def close(self):
        pass


@pytest.fixture
def fake_kaleido(monkeypatch):
    """Make figure_image start FakeKaleido renderers; the kept real one (if any) is closed first."""
    import kaleido

    export.close_renderer()
    monkeypatch.setattr(kaleido, "Kaleido", type("Fake", (FakeKaleido,), {"made": 0}))
    monkeypatch.setattr(export, "image_export_available", lambda: (True, "/fake/chrome"))
    yield kaleido.Kaleido
    export.close_renderer()


def test_renderer_is_kept_and_called_from_many_threads(fake_kaleido):
    async def render(fig, opts):
        await asyncio.sleep(0.05)
        return f"{fig['layout']['title']['text']} {opts['format']} {opts['scale']}".encode()

    fake_kaleido.render = render
    titles = [f"Chart {n}" for n in range(6)]
    results: dict[str, bytes] = {}
    threads = [threading.Thread(target=lambda t=t: results.update({t: export.figure_image(small_figure(t), "png")}))
               for t in titles]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert results == {t: f"{t} png 2".encode() for t in titles}
    assert export.figure_image(small_figure("SVG"), "svg") == b"SVG svg 1" and fake_kaleido.made == 1


def test_dead_renderer_raises_and_the_next_export_starts_a_new_one(fake_kaleido):
    from choreographer.errors import BrowserClosedError

    async def crash(fig, opts):
        raise BrowserClosedError("the browser closed")

    fake_kaleido.render = crash
    with pytest.raises(export.ImageExportError, match=r"stopped\. Try again"):
        export.figure_image(small_figure(), "png")

    async def fine(fig, opts):
        return b"png"

    fake_kaleido.render = fine
    assert export.figure_image(small_figure(), "png") == b"png" and fake_kaleido.made == 2


def test_a_figure_that_fails_keeps_the_browser(fake_kaleido):
    async def reject(fig, opts):
        if fig["layout"]["title"]["text"] == "bad":
            raise ValueError("plotly.js refused the figure")
        return b"ok"

    fake_kaleido.render = reject
    with pytest.raises(export.ImageExportError, match=r"Could not render the PNG: plotly\.js refused the figure"):
        export.figure_image(small_figure("bad"), "png")
    assert export.figure_image(small_figure("good"), "png") == b"ok" and fake_kaleido.made == 1


def test_stuck_renderer_is_given_up_by_the_watchdog(fake_kaleido, monkeypatch):
    async def stuck(fig, opts):
        await asyncio.Event().wait()

    fake_kaleido.render = stuck
    monkeypatch.setattr(export, "_WATCHDOG_S", 0.3)
    with pytest.raises(export.ImageExportError, match="did not answer"):
        export.figure_image(small_figure(), "svg")


def test_renderer_that_cannot_start_says_so(fake_kaleido):
    from choreographer.errors import BrowserFailedError

    async def fail():
        raise BrowserFailedError("The browser seemed to close immediately after starting.", "more")

    fake_kaleido.open = lambda self: fail()
    with pytest.raises(export.ImageExportError, match="could not start: The browser seemed to close immediately "
                                                      r"after starting\. Use the chart's camera button"):
        export.figure_image(small_figure(), "png")


@pytest.mark.browser
def test_bundle_zip_members_and_contents(kaleido_browser):
    data = bundle.bundle_zip({"mentions": (small_figure(), small_frame()),
                              "tone": (small_figure("Tone"), small_frame())})
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert sorted(archive.namelist()) == sorted(["README.txt", "manifest.json"] + [
        f"{stem}.{ext}" for stem in ("mentions", "tone") for ext in ("html", "csv", "png", "svg")])
    back = pd.read_csv(io.BytesIO(archive.read("mentions.csv")))
    assert back["name"].tolist() == ["Mara Velloso"] * 2 and back["mentions"].tolist() == [3, 5]
    assert b"<title>Tone</title>" in archive.read("tone.html")
    assert archive.read("tone.png").startswith(PNG_SIGNATURE)
    assert ET.fromstring(archive.read("mentions.svg")).tag.endswith("svg")


def test_bundle_zip_without_browser_says_why(no_browser):
    data = bundle.bundle_zip({"mentions": (small_figure(), small_frame())})
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert sorted(archive.namelist()) == ["README.txt", "manifest.json", "mentions.csv", "mentions.html"]
    assert "Chromium or Chrome" in archive.read("README.txt").decode()


def test_bundle_zip_without_images_and_with_unsafe_stems():
    data = bundle.bundle_zip({"../tone over time": (small_figure(), small_frame())}, images=False)
    assert sorted(zipfile.ZipFile(io.BytesIO(data)).namelist()) == [
        "README.txt", "manifest.json", "tone-over-time.csv", "tone-over-time.html"]
