"""One article's text for the page, its mentions marked by where the NER found them, each coloured by the tone
toward it (the Articles page). Article text is hostile data: every piece is escaped before any markup is added,
as in monitor/present/page.py, so a title or sentence holding HTML or a script is shown, never run.
"""
from __future__ import annotations

import html
from collections.abc import Callable, Collection, Iterable
from typing import Any

import pandas as pd

from monitor.present.page import safe_url
from monitor.schema import tone_label

# Background of a marked name by the tone toward it: blue / orange / grey tell apart without red-green vision.
MARK_COLOURS = {"positive": "#cfe3ff", "neutral": "#e8e8e8", "negative": "#ffd8b0"}
CHOSEN_STYLE = ";font-weight:600;border-bottom:2px solid #0550ae"


def _spans(text: str, marks: Iterable[tuple[int, int, str, float]]) -> list[tuple[int, int, str, float]]:
    """Return the marks that fit the text, in order, without overlaps (the earlier, then the longer, wins)."""
    kept: list[tuple[int, int, str, float]] = []
    end_of_last = 0
    for start, end, entity, tone in sorted(marks, key=lambda m: (m[0], -m[1])):
        if 0 <= start < end <= len(text) and start >= end_of_last:
            kept.append((start, end, entity, tone))
            end_of_last = end
    return kept


def marked_sentence(text: str, marks: Iterable[tuple[int, int, str, float]], chosen: Collection[str] = ()) -> str:
    """Return `text` escaped as HTML with each (start, end, entity, tone) span wrapped in a <mark> whose colour is
    the tone's label and whose tooltip names the entity and the tone; spans that do not fit are left out. The
    `chosen` entities' marks are bold and underlined (the names the analyst is reading about)."""
    pieces, last = [], 0
    for start, end, entity, tone in _spans(text, marks):
        label = tone_label(tone)
        tip = html.escape(f"{entity} · tone {tone:+.2f} ({label})", quote=True)
        extra = CHOSEN_STYLE if entity in chosen else ""
        pieces += [html.escape(text[last:start]),
                   f'<mark title="{tip}" data-entity="{html.escape(entity, quote=True)}" data-tone="{label}" '
                   f'style="background:{MARK_COLOURS[label]};padding:0 .15em;border-radius:.2em{extra}">'
                   f"{html.escape(text[start:end])}</mark>"]
        last = end
    pieces.append(html.escape(text[last:]))
    return "".join(pieces)


def article_body(sentences: pd.DataFrame, marks: pd.DataFrame, chosen: Collection[str] = ()) -> str:
    """Return the article's sentences as HTML paragraphs-in-one, mentions marked; a sentence hitting topics says
    which in its tooltip. `sentences` is ARTICLE_SENTENCES, `marks` ARTICLE_MARKS (monitor/schema.py); the `chosen`
    entities' marks stand out."""
    by_sentence: dict[int, list[tuple[int, int, str, float]]] = {}
    m: Any
    s: Any
    for m in marks.itertuples(index=False):
        tone = float(m.tone) if pd.notna(m.tone) else 0.0
        by_sentence.setdefault(int(m.sentence_id), []).append((int(m.start_char), int(m.end_char),
                                                               str(m.entity), tone))
    parts = []
    for s in sentences.itertuples(index=False):
        body = marked_sentence(str(s.text), by_sentence.get(int(s.sentence_id), []), chosen)
        topics = str(s.topics) if pd.notna(s.topics) else ""
        tip = html.escape(f"sentence tone {float(s.tone):+.2f}" + (f" · topics: {topics}" if topics else ""),
                          quote=True)
        parts.append(f'<span class="sentence" title="{tip}">{body}</span>')
    legend = " ".join(f'<mark style="background:{colour};padding:0 .3em">{word}</mark>'
                      for word, colour in MARK_COLOURS.items())
    return (f'<div style="font-size:.8rem;color:#57606a;margin-bottom:.4rem">Names marked by the tone toward them: '
            f'{legend} (hover a name for its tone, a sentence for its topics)</div>'
            f'<div class="article-text" style="line-height:1.6">{" ".join(parts)}</div>')


def heading(row: Any, names: tuple[str, ...] = ()) -> str:
    """Return an article's heading as HTML: its title (a link when its URL is http(s)), outlet, date, tone, the
    tone toward the chosen `names` when it names them, its copies and topics. `row` is an ARTICLE_LIST row."""
    title = html.escape(str(row["title"]) if pd.notna(row["title"]) else "(untitled)")
    link = safe_url(str(row["url"])) if pd.notna(row["url"]) else None
    if link:
        title = f'<a href="{html.escape(link, quote=True)}" target="_blank" rel="noopener noreferrer">{title}</a>'
    facts = [html.escape(str(row["source"])),
             f"{pd.Timestamp(row['date']):%d %b %Y}" if pd.notna(row["date"]) else "undated",
             f"tone {float(row['tone']):+.2f} ({tone_label(float(row['tone']))})" if pd.notna(row["tone"]) else ""]
    if names and pd.notna(row["target_tone"]):
        facts.append(f"tone toward {html.escape(', '.join(names))} {float(row['target_tone']):+.2f} "
                     f"({tone_label(float(row['target_tone']))}) in {int(row['target_mentions'])} sentences")
    if int(row["copies"]) > 1:
        facts.append(f"story run {int(row['copies'])} times by {int(row['outlets'])} outlets")
    if pd.notna(row["topics"]) and row["topics"]:
        facts.append("topics: " + html.escape(str(row["topics"])))
    return (f'<div class="article-heading"><div style="font-size:1.15rem;font-weight:600">{title}</div>'
            f'<div style="font-size:.85rem;color:#57606a">{" · ".join(f for f in facts if f)}</div></div>')


def name_list(people: pd.DataFrame, link: Callable[[str, str], str]) -> str:
    """Return the names an article mentions as HTML: each with its mentions and mean tone, linked by `link`
    (entity, entity_type) -> URL to its profile. `people` has entity, entity_type, mentions, tone."""
    items = []
    p: Any
    for p in people.itertuples(index=False):
        tone = float(p.tone) if pd.notna(p.tone) else 0.0
        href = html.escape(link(str(p.entity), str(p.entity_type)), quote=True)
        items.append(f'<a href="{href}" target="_self">{html.escape(str(p.entity))}</a> '
                     f'<span style="color:#57606a">({html.escape(str(p.entity_type))}, {int(p.mentions)}×, '
                     f'tone {tone:+.2f})</span>')
    return f'<div style="font-size:.85rem;margin:.3rem 0">Named: {" · ".join(items)}</div>'
