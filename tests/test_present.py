"""Article text on the page is shown as text: escaped, names marked, only http(s) links."""
import re

from monitor.present.page import WORD_JOINER, highlight, markdown_text, safe_url, sentence_card


def test_highlight_marks_whole_names_and_escapes_the_rest():
    out = highlight("Velloso <b>met</b> Brandt & Vellosos.", ["Velloso", "Brandt"])
    assert out == "<mark>Velloso</mark> &lt;b&gt;met&lt;/b&gt; <mark>Brandt</mark> &amp; Vellosos."


def test_hostile_text_never_becomes_markup():
    card = sentence_card('<script>alert("x")</script> <img src=x onerror=alert(1)>', ["<script>"], -0.4,
                         '<a href="javascript:alert(1)">title</a>', "<i>Outlet</i>", "01 Mar 2021",
                         "javascript:alert(1)")
    assert "<script" not in card and "<img" not in card and "<i>" not in card
    assert "<a href" not in card  # the javascript: link is dropped; the title is shown as text
    assert "&lt;script&gt;" in card and "negative" in card


def test_only_http_links():
    assert safe_url("https://northbridge-courier.example/a") == "https://northbridge-courier.example/a"
    for bad in ("javascript:alert(1)", "file:///etc/passwd", "data:text/html,x", "", None, "//x"):
        assert safe_url(bad) is None
    card = sentence_card("Text.", [], 0.2, "Tram", "Courier", "01 Mar 2021", "https://x.example/\"onmouseover=1")
    assert 'href="https://x.example/&quot;onmouseover=1"' in card


def test_markdown_text_leaves_no_markdown_syntax_active():
    hostile = "![beacon](http://127.0.0.1:9/b.png) [Courier](javascript:alert(1)) **s** :red[t] $x$ <i>a</i> &amp;"
    escaped = markdown_text(hostile)
    assert re.search(r"(?<!\\)[!\[\]()*:$<>&]", escaped) is None
    assert re.sub(r"\\(.)", r"\1", escaped).replace(WORD_JOINER, "") == hostile  # shown exactly as written
    assert markdown_text("Mara Velloso") == "Mara Velloso"
