"""The quotations of a text, found from its quotation marks (who said them is monitor/ingest/quote_speakers.py).

Marks are paired within a paragraph (a blank line or, in wire copy, an indented line starts one): curly marks
by their shape, straight ones by what is on either side (a mark after a space opens, one before a space or a
stop closes); a mark inside a word is an apostrophe ("dollar's", wire copy's `country"s`), never a
quotation's. A quotation left open at a paragraph's end goes on when the next paragraph opens with a mark
(news style: each paragraph of a long quotation opens with a mark, only the last closes). Parts joined by an
attribution alone (`"We will win," she said, "and soon."`, or `," Holt added,` ending a paragraph) are one
quotation. Single marks count only where the text has no double ones (an outlet that uses them as its only
marks); inside a double-marked quotation they are its words.
Not quotations: fewer than three words not followed by an attribution (a term, a scare quote, a
nickname), a stretch introduced as a name ("so-called", "dubbed", "titled"), words in title case.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from monitor.ingest.quote_words import SPEECH, SPEECH_VERB, is_attribution, sentence_start

DOUBLE = "\"\u201c\u201d\u201e\u00ab\u00bb"
SINGLE = "'\u2018\u2019"
_MARKS = {marks: re.compile("[" + re.escape(marks) + "]") for marks in (DOUBLE, SINGLE)}
_OPENERS = "\u201c\u201e\u00ab\u2018"
_BEFORE_OPEN = "([{\u2014\u2013-/"  # what may stand before an opening mark instead of a space
_AFTER_CLOSE = ".,;:!?)]}\u2014\u2013-\u2026"  # and after a closing one
# A blank line, or a new line indented (wire copy such as Reuters-21578 marks its paragraphs so): a quotation
# mark's pair is looked for within one paragraph, so a stray mark cannot pair over the rest of the article.
_PARAGRAPH = re.compile(r"\n\s*\n|\n[ \t]+(?=\S)")
_WORD = re.compile(r"\w+(?:['\u2019-]\w+)*")
# Words that introduce a name, a term or a title rather than someone's words.
_NAMING = re.compile(r"(?:so-called|dubbed|titled|entitled|named|nicknamed|known as|referred to as|the (?:term|"
                     r"phrase|words?|slogan|hashtags?|motto|label|headline|topics?)|labell?ed(?: as)?|branded(?: as)?|"
                     r"headlined|coined|billed as|termed|trending|considered|deemed|designated(?: as)?|classified as|"
                     r"listed as|, called|(?:is|are|was|were|be|been|being) called|programme|operation|book|film|"
                     r"movie|song|album|documentary|podcast|program|show|series|episode|magazine|newspaper|article|essay|op-ed|"
                     r"column|publish(?:es|ed|ing)?)[\s,]*$", re.IGNORECASE)
_SMALL = frozenset(re.findall(r"\w+", "a an the of and or in on at to for by with from as is it its vs"))
MIN_WORDS = 3


@dataclass(frozen=True)
class Stretch:
    """Words between one opening mark (at `open`) and its closing mark (at `close`; the paragraph's end
    when it is left open), in paragraph `paragraph`."""

    open: int
    close: int
    paragraph: int
    closed: bool


@dataclass(frozen=True)
class Span:
    """One quotation: the offsets of its parts' words (marks and outer spaces excluded), the stretches they
    come from, and whether it is a partial quotation (inside the writer's sentence)."""

    parts: tuple[tuple[int, int], ...]
    stretches: tuple[Stretch, ...]
    partial: bool


def paragraphs(text: str) -> list[tuple[int, int]]:
    """Return the (start, end) of each paragraph of `text` (blank lines between them, as nlp.paragraphs)."""
    out, at = [], 0
    for gap in _PARAGRAPH.finditer(text):
        out.append((at, gap.start()))
        at = gap.end()
    out.append((at, len(text)))
    return [(a, b) for a, b in out if text[a:b].strip()]


def _kind(text: str, i: int, start: int, end: int) -> str:
    """Return whether the mark at `i` opens, closes or may do either ("open", "close", "either")."""
    before = text[i - 1] if i > start else " "
    after = text[i + 1] if i + 1 < end else " "
    opens = before.isspace() or before in _BEFORE_OPEN or before in DOUBLE + SINGLE
    closes = after.isspace() or after in _AFTER_CLOSE or after in DOUBLE + SINGLE
    if text[i] in _OPENERS:  # a curly opener, unless written where only a closer fits
        return "close" if closes and not opens else "open"
    if text[i] in "\u201d\u00bb\u2019":
        return "open" if opens and not closes else "close"
    return "open" if opens and not closes else "close" if closes and not opens else "either"


def _stretches(text: str, marks: str) -> list[Stretch]:
    """Return the marked stretches of `text`, paired paragraph by paragraph, marks from `marks`.

    Curly marks nest (a quotation quoting someone: its inner pair is its words); straight ones cannot. A
    quotation whose inner quotation is never closed ends at its last closing mark, unless the next
    paragraph opens with a mark (it goes on there).
    """
    out: list[Stretch] = []
    spans = paragraphs(text)
    for number, (start, end) in enumerate(spans):
        opened: int | None = None
        depth, inner = 0, None
        for mark in _MARKS[marks].finditer(text, start, end):
            i = mark.start()
            if _apostrophe(text, i, start, end):
                continue
            kind = _kind(text, i, start, end)
            if opened is None:
                opened, depth, inner = (i, 1, None) if kind != "close" else (None, 0, None)
            elif kind == "open" and text[i] in _OPENERS and text[opened] in _OPENERS:
                depth += 1  # a curly opener inside a curly quotation: a nested quotation
            elif kind != "open" and depth > 1:
                depth, inner = depth - 1, i
            elif kind != "open":
                out.append(Stretch(opened, i, number, True))
                opened, depth = None, 0
            else:  # an opener while one is open: the first was never closed
                opened = i
        if opened is not None:
            goes_on = number + 1 < len(spans) and text[spans[number + 1][0]] in marks
            out.append(Stretch(opened, inner, number, True) if inner and not goes_on else
                       Stretch(opened, end, number, False))
    return out


def _apostrophe(text: str, i: int, start: int, end: int) -> bool:
    """Return True when a single mark or a straight double one stands inside a word ("dollar's", "don\u2019t",
    wire copy's "country"s"): an apostrophe, which neither opens nor closes a quotation (a quotation never
    starts or ends inside a word)."""
    return text[i] in SINGLE + '"' and start < i < end - 1 and text[i - 1].isalnum() and text[i + 1].isalnum()


def _single_marks_only(text: str) -> bool:
    """Return True when the text has no double quotation mark: its single marks are its quotation marks."""
    return not any(mark in text for mark in DOUBLE)  # a substring search per mark: C speed, not a loop per character


def _words(text: str, stretch: Stretch) -> tuple[int, int]:
    """Return the (start, end) of the stretch's words: between the marks, outer spaces excluded."""
    start, end = stretch.open + 1, stretch.close
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _goes_on(text: str, first: Stretch, second: Stretch, after: str) -> bool:
    """Return True when `second` continues `first`'s quotation: the next paragraph opening with a mark after
    one left open; or, after an attribution alone (`," she said. "`, in the same paragraph or ending it),
    a stretch with no attribution of its own (`after`: the text that follows it)."""
    if not first.closed:
        return second.paragraph == first.paragraph + 1 and not text[_paragraph_start(text, second.open):
                                                                       second.open].strip()
    # An attribution follows a part that ends as a clause does, inside its marks or just after them.
    ended = text[first.close - 1] in ",.!?\u2026\u2014-" or text[first.close + 1:first.close + 2] == ","
    gap = text[first.close + 1:second.open]
    if not ended or second.paragraph > first.paragraph + 1 or is_partial(text, first) or not is_attribution(gap):
        return False
    # Over a paragraph break: an attribution left unfinished (`," Holt added,` then the next paragraph), or a
    # paragraph that is all quotation, with no attribution of its own.
    return second.paragraph == first.paragraph or gap.rstrip().endswith(",") or (
        gap.rstrip().endswith(".") and second.closed and not after.split("\n")[0].strip(" .,;\u2014\u2013-"))


def _paragraph_start(text: str, at: int) -> int:
    """Return where the paragraph holding `at` starts."""
    found = [m.end() for m in _PARAGRAPH.finditer(text, 0, at)]
    return found[-1] if found else 0


def _grouped(text: str, stretches: list[Stretch]) -> list[list[Stretch]]:
    """Return the stretches grouped into quotations (a split or multi-paragraph one is one group)."""
    groups: list[list[Stretch]] = []
    for stretch in stretches:
        after = text[stretch.close + 1:stretch.close + 80]
        if groups and _goes_on(text, groups[-1][-1], stretch, after):
            groups[-1].append(stretch)
        else:
            groups.append([stretch])
    return groups


def find_quotes(text: str) -> list[Span]:
    """Return the quotations of `text` in order, each with its parts' offsets and whether it is partial."""
    marks = SINGLE if _single_marks_only(text) else DOUBLE
    out = []
    # A title or a term in marks inside an attribution (`," he said on the "Money Life" podcast. "`) does not
    # keep the parts around it apart.
    stretches = [s for s in _stretches(text, marks) if not _thing(text, s)]
    for group in _grouped(text, stretches):
        parts = tuple(p for p in (_words(text, s) for s in group) if p[1] > p[0])
        if parts and is_quotation(text, group, parts):
            out.append(Span(parts, tuple(group), is_partial(text, group[0])))
    return out


def is_quotation(text: str, group: list[Stretch], parts: tuple[tuple[int, int], ...]) -> bool:
    """Return True when the marked words are someone's words: not a term, a name, a title or a scare quote."""
    words = [w for a, b in parts for w in _WORD.findall(text[a:b])]
    before = text[max(0, group[0].open - 40):group[0].open]
    after = text[group[-1].close + 1:group[-1].close + 60]
    attributed = len(group) > 1 or _attributed_after(after) or before.rstrip().endswith(":")
    if len(words) < MIN_WORDS:
        # A short full sentence with its attribution ("No," she said) is a quotation; a word or two else is a term.
        return attributed and text[parts[0][0]].isupper() and text[parts[-1][1] - 1] in ",.!?"
    if not attributed and (_NAMING.search(before) or _modifier(text, group, len(words))):
        return False
    return attributed or not _title_case(words)


def _thing(text: str, stretch: Stretch) -> bool:
    """Return True when one marked stretch names a thing (a title, a term) rather than quoting words: no
    attribution after it, and a word or two without a clause's punctuation, a naming word before it, or title case."""
    start, end = _words(text, stretch)
    words = _WORD.findall(text[start:end])
    before = text[max(0, stretch.open - 40):stretch.open]
    if not words or _attributed_after(text[stretch.close + 1:stretch.close + 60]) or before.rstrip().endswith(":"):
        return False
    if len(words) < MIN_WORDS:
        return text[end - 1] not in ",.!?"
    return bool(_NAMING.search(before)) or _modifier(text, [stretch], len(words)) or _title_case(words)


def _modifier(text: str, group: list[Stretch], words: int) -> bool:
    """Return True for a few marked words used as a modifier: after a determiner, before a lower-case noun,
    no stop inside ("a 'right to work' state", "the 'zero Covid' policy")."""
    before = text[max(0, group[0].open - 12):group[0].open]
    after = text[group[-1].close + 1:group[-1].close + 20]
    last = text[group[-1].close - 1] if group[-1].close > 0 else ""
    return words <= 5 and bool(re.search(r"\b(?:a|an|the|its|their|his|her|our|this|that)\s*$", before, re.I)) \
        and bool(re.match(r"\s[a-z]+\b", after)) and not SPEECH.match(after.strip()) and last.isalnum()


def _attributed_after(after: str) -> bool:
    """Return True when a speech verb follows the closing mark within the attribution's few words."""
    head = re.split(r"[.!?;](?:\s|$)", after, maxsplit=1)[0]
    return bool(re.match(r"^\s*,?\s*(?:\S+\s+){0,5}?" + SPEECH_VERB, head))


def _title_case(words: list[str]) -> bool:
    """Return True when the words are written as a title or a name: every word that is not small capitalised."""
    big = [w for w in words if w.lower() not in _SMALL]
    return bool(big) and all(w[0].isupper() or w[0].isdigit() for w in big)


def is_partial(text: str, first: Stretch) -> bool:
    """Return True when the quotation starts inside the writer's sentence (not at its start, nor after a colon
    or a speech verb introducing a full sentence)."""
    head = text[sentence_start(text, first.open):first.open].rstrip()
    if not head or head.endswith(":"):
        return False
    starts_upper = first.open + 1 < len(text) and text[first.open + 1:first.open + 3].lstrip()[:1].isupper()
    return not (starts_upper and (head.endswith(",") or re.search(SPEECH_VERB + r"$", head)))
