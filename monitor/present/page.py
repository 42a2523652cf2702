"""Text for the page: article text shown as text (escaped), names highlighted.

Article text comes from the web; it is always escaped here before any markup is added,
so titles or sentences containing HTML, scripts or Markdown are shown, never run.
"""
from __future__ import annotations

import html
import re
from urllib.parse import urlparse

from monitor.schema import tone_label

_TONE_COLOURS = {"positive": "#1a7f37", "neutral": "#6e7781", "negative": "#cf222e"}
# What Markdown and Streamlit's extensions read as syntax (links, images, emphasis, code,
# :colour[...] and :material/...: directives, $maths$, HTML, entities); a backslash before
# any ASCII punctuation shows it as itself.
_MARKDOWN_SYNTAX = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$&\"'=^])")
# GFM's autolink literals (https://..., www.x, a@b.c) are found again in the text after the Markdown is parsed
# (mdast-util-gfm-autolink-literal, in Streamlit's StreamlitMarkdown bundle: /(https?:\/\/|www(?=\.))…/gi and
# /…([-.\w+]+)@([-\w]+(?:\.[-\w]+)+)/u), so a backslash cannot stop them: a WORD JOINER (U+2060, invisible,
# no width, no line break) between "http(s)" and ":", "www" and ".", and before "@" breaks each pattern.
WORD_JOINER = "\u2060"
_AUTOLINK_START = re.compile(r"(?i)(?<=https)(?=:)|(?<=http)(?=:)|(?<=www)(?=\.)|(?=@)")


def markdown_text(text: str) -> str:
    """Return ``text`` escaped for Streamlit's Markdown (captions, alerts, metrics): shown as written.

    An outlet or name from an article must not become an image that loads from a remote
    server, a link (written as Markdown, or a bare URL or e-mail address, which GFM links by
    itself), emphasis or a coloured label when a caption mentions it. The one change a reader
    could notice: an invisible word joiner inside each bare URL or address (copied with it).
    """
    return _MARKDOWN_SYNTAX.sub(r"\\\1", _AUTOLINK_START.sub(WORD_JOINER, text))


def safe_url(url: str | None) -> str | None:
    """Return the URL when it is http(s), else None (no javascript:, data: or file: links)."""
    if not url:
        return None
    parsed = urlparse(url.strip())
    return url.strip() if parsed.scheme in ("http", "https") and parsed.netloc else None


def highlight(text: str, surfaces: list[str]) -> str:
    """Return `text` escaped as HTML with each surface form wrapped in <mark>."""
    names = sorted({s for s in surfaces if s}, key=len, reverse=True)
    if not names:
        return html.escape(text)
    pattern = re.compile("|".join(rf"(?<!\w){re.escape(n)}(?!\w)" for n in names))
    pieces, last = [], 0
    for match in pattern.finditer(text):
        pieces += [html.escape(text[last:match.start()]), f"<mark>{html.escape(match.group())}</mark>"]
        last = match.end()
    pieces.append(html.escape(text[last:]))
    return "".join(pieces)


def sentence_card(text: str, surfaces: list[str], tone: float, title: str | None, source: str,
                  day: str, url: str | None, copies: int = 1, sentence_tone: float | None = None,
                  target: str | None = None) -> str:
    """Return one drill-down entry as HTML: the sentence with names marked, tone, title, outlet, date, link.

    With a `target` (the entity picked), `tone` is the tone toward it and the sentence's own tone
    (`sentence_tone`) is shown beside it; without, `tone` is the sentence's. The border takes `tone`'s colour.
    """
    label = tone_label(tone)
    heading = html.escape(title or "(untitled)")
    link = safe_url(url)
    if link:
        heading = f'<a href="{html.escape(link, quote=True)}" target="_blank" rel="noopener noreferrer">{heading}</a>'
    tones = f"tone {tone:+.2f} ({label})"
    if target is not None:
        tones = f"tone toward {html.escape(target)} {tone:+.2f} ({label})"
        if sentence_tone is not None:
            tones += f" · sentence tone {sentence_tone:+.2f} ({tone_label(sentence_tone)})"
    return (
        f'<div style="margin:0 0 .9rem 0;padding:.4rem .7rem;border-left:4px solid {_TONE_COLOURS[label]}">'
        f'<div>{highlight(text, surfaces)}</div>'
        f'<div style="font-size:.8rem;color:#57606a">{heading} · {html.escape(source)} · {html.escape(day)} · '
        f'{tones}{f" · story run by {copies} outlets" if copies > 1 else ""}</div></div>'
    )
