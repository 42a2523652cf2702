"""Labels are inert: a name, topic or outlet from settings or articles is shown as its characters, never as markup.

Variant generators (hypothesis) of hostile labels: HTML tags, plotly's own tags (<a href>, <b>, <br>,
<span style>), javascript: links, Markdown links and images, bare URLs and e-mail addresses (which GFM
links by itself), HTML entities, unbalanced tags, mixed with ordinary words. They go through every chart
builder, and the figure JSON is checked the way plotly reads it (its pseudo-HTML parser is emulated below:
tags it knows, the entities it decodes); and through page.markdown_text, checked against the two
patterns GFM's autolink literal uses on parsed text (copied from Streamlit's bundle). The real browser
checks are in tests/test_browser_injection.py.
"""
from __future__ import annotations

import html
import json
import re

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.present import charts
from monitor.present.page import markdown_text
from tests.test_charts import make_matrix, make_series, make_top

HOSTILE_PIECES = [
    '<a href="javascript:alert(1)">x</a>', "<a href='http://evil.example'>", "<b>", "</b>", "<br>", "<i>",
    '<span style="font-size:80px">', "<sup>", "<em>", "<img src=x onerror=alert(1)>", "<script>", "</a>",
    "[x](http://evil.example)", "![b](http://127.0.0.1:9/b.png)", "www.example.com", "WWW.Example.org",
    "http://evil.example/p?q=1", "HTTPS://evil.example", "mara@courier.example", "&lt;b&gt;", "&amp;", "&#60;a&#62;",
    "&#x3C;b&#x3E;", "&quot;", "<", ">", "&", "<a", "href=", "%{customdata[0]}", "<extra>", ":red[x]", "$x$",
]
WORDS = st.sampled_from(["Mara", "Velloso", "Courier", "Ledger", " ", "·", "é", "Ines Okafor"])
LABELS = st.lists(st.one_of(st.sampled_from(HOSTILE_PIECES), WORDS, st.text(max_size=4)), min_size=1,
                  max_size=6).map("".join).filter(lambda s: s.strip() != "")

WORD_JOINER = "\u2060"  # what markdown_text may add inside a bare URL (page.WORD_JOINER)
# plotly.js (src/lib/svg_text_utils.js): the tags it turns into markup, and the entities it decodes.
PLOTLY_TAG = re.compile(r"<(/?)(a|b|br|i|em|sup|sub|s|u|span)\b[^>]*>", re.IGNORECASE)
PLOTLY_ENTITIES = {"mu": "μ", "amp": "&", "lt": "<", "gt": ">", "nbsp": "\u00a0", "times": "×", "plusmn": "±",
                   "deg": "°"}


def plotly_shows(text: str) -> tuple[str, bool]:
    """Return (the characters plotly draws for ``text``, whether it would read any markup in it)."""
    markup = bool(PLOTLY_TAG.search(text))

    def entity(match: re.Match) -> str:
        code = match.group(1)
        if code.startswith("#x"):
            return chr(int(code[2:], 16))
        if code.startswith("#"):
            return chr(int(code[1:]))
        return PLOTLY_ENTITIES.get(code, match.group(0))

    return re.sub(r"&(#\d+|#x[\da-fA-F]+|[a-z]+);", entity, text), markup


def labels_in(spec: dict) -> list[str]:
    """Every string plotly would draw as a label: trace names, category ticks, customdata[0], titles."""
    out = []
    for trace in spec["data"]:
        out.append(trace.get("name", ""))
        for axis in ("x", "y"):
            values = trace.get(axis)
            if isinstance(values, list) and values and isinstance(values[0], str) and trace["type"] != "scatter":
                out += values
        out += [row[0] for row in trace.get("customdata") or [] if trace["type"] == "scatter"]
    layout = spec["layout"]
    out += [layout["title"]["text"], layout["title"]["subtitle"]["text"]]
    out += [layout[a]["title"]["text"] for a in ("xaxis", "yaxis")]
    return out


def check_inert(fig) -> dict:
    """Assert plotly reads no markup in any label of the figure; return the figure's JSON."""
    spec = json.loads(fig.to_json())
    for label in labels_in(spec):
        assert not plotly_shows(label)[1], label
    return spec


def series_of(names: list[str]) -> pd.DataFrame:
    frame = make_series(names=("A", "B"))
    mapping = dict(zip(("A", "B"), names, strict=True))
    return frame.assign(name=frame["name"].map(mapping).astype("string"))


@settings(max_examples=40, deadline=None)
@given(st.lists(LABELS, min_size=2, max_size=2, unique=True), LABELS)
def test_hostile_names_show_as_text_in_every_chart(names, title_word):
    series = series_of(names)
    colors = charts.colors_for(names)
    title = f"Coverage of {title_word}"
    figs = [charts.mentions_chart(series, normalised=True, colors=colors, title=title),
            charts.tone_chart(series, colors=colors, title=title)]
    for fig in figs:
        spec = check_inert(fig)
        assert plotly_shows(spec["layout"]["title"]["text"])[0] == title
        legend = [plotly_shows(t["name"])[0] for t in spec["data"] if t.get("showlegend") is not False]
        assert sorted(legend) == sorted(names)  # shown exactly as written
        # the click contract: the dashboard reads the name back from customdata[0]
        clicked = {html.unescape(row[0]) for t in spec["data"] for row in t.get("customdata") or []}  # unescape_label
        assert clicked == set(names)
    top = make_top().iloc[:2].assign(name=pd.array(names, dtype="string"))
    fig = charts.share_of_voice_chart(top, colors=colors, title=title)
    check_inert(fig)
    assert {plotly_shows(y)[0] for y in fig.data[0].y} == set(names)


@settings(max_examples=40, deadline=None)
@given(st.lists(LABELS, min_size=2, max_size=2, unique=True), st.lists(LABELS, min_size=2, max_size=2, unique=True))
def test_hostile_names_and_topics_show_as_text_in_the_heatmap(names, topics):
    matrix = make_matrix()
    matrix = matrix.assign(name=matrix["name"].map(dict(zip(("Mara Velloso", "Tomas Brandt"), names, strict=True))),
                           topic=matrix["topic"].map(dict(zip(("Economy", "Health"), topics, strict=True))))
    fig = charts.heatmap_chart(matrix.astype({"name": "string", "topic": "string"}), title="By topic")
    check_inert(fig)
    trace = fig.data[0]
    assert {plotly_shows(x)[0] for x in trace.x} == set(names)
    assert {plotly_shows(y)[0] for y in trace.y} == set(topics)


def test_a_link_in_a_name_was_a_link_before():
    """The named case: a watchlist name with <a href> became a clickable link in the legend."""
    name = 'Mara <a href="javascript:alert(1)">Velloso</a>'
    fig = charts.mentions_chart(series_of([name, "Tomas Brandt"]), normalised=True,
                                colors=charts.colors_for([name]), title="t")
    legend = json.loads(fig.to_json())["data"][0]["name"]
    assert "<a" not in legend and plotly_shows(legend) == (name, False)


# GFM autolink literal, as Streamlit's Markdown runs it on parsed text (mdast-util-gfm-autolink-literal).
# JavaScript's \w is ASCII; the e-mail pattern's look-behind (start, space, punctuation, symbol) is left out:
# without it the check is stricter.
GFM_URL = re.compile(r"(https?://|www(?=\.))([-.\w]+)([^ \t\r\n]*)", re.IGNORECASE | re.ASCII)
GFM_EMAIL = re.compile(r"([-.\w+]+)@([-\w]+(?:\.[-\w]+)+)", re.ASCII)


def parsed(markdown: str) -> str:
    """The text a Markdown parser makes of backslash escapes (each escaped punctuation shown as itself)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown)


@settings(max_examples=50, deadline=None)
@given(LABELS)
def test_markdown_text_leaves_nothing_gfm_would_link(label):
    text = parsed(markdown_text(label))
    assert text.replace(WORD_JOINER, "") == label  # the characters as written
    assert GFM_URL.search(text) is None and GFM_EMAIL.search(text) is None


def test_bare_urls_in_an_outlet_were_linked_before():
    """The named case: an outlet "www.example.com" was auto-linked in the caption (escaping alone left it)."""
    for outlet in ("www.example.com", "Courier http://evil.example/x", "tips@courier.example"):
        text = parsed(markdown_text(outlet))
        assert GFM_URL.search(text) is None and GFM_EMAIL.search(text) is None, outlet
