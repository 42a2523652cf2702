"""Where an article's sentences lie in its analysed text, so quotations and mentions share one set of offsets.

The NLP reads paragraphs with their whitespace collapsed to single spaces (monitor.ingest.nlp.paragraphs), and
a sentence's mention offsets count in that collapsed text. Each sentence is found in the collapsed text with
str.find (C speed: a walk per character cost the ingest 2 ms an article), and an offset maps back through the
few places where the collapsing shortened the text (a paragraph break, a double space).
"""
from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

from monitor.ingest.nlp import Sentence

_LONG_SPACE = re.compile(r"\s{2,}")


@dataclass(frozen=True)
class Layout:
    """The text quotations are found in and where each sentence is in it.

    `aligned` is False when the sentences were not found in the text given: `text` is then the sentences
    joined by spaces (paragraphs unknown), and its offsets are not the analysed text's.
    """

    text: str
    aligned: bool
    starts: list[int]  # each sentence's start in the collapsed text
    shifts: list[int]  # where the collapsed text and `text` shift against each other, in the collapsed text
    shifted: list[int]  # and the offset in `text` of that character
    ends: list[int]  # each sentence's end in `text`

    def offset(self, sentence: int, char: int) -> int:
        """Return the offset in `text` of character `char` of sentence `sentence`."""
        at = self.starts[sentence] + char
        shift = bisect.bisect_right(self.shifts, at) - 1
        return self.shifted[shift] + at - self.shifts[shift]

    def sentence_at(self, offset: int) -> int:
        """Return the id of the sentence holding (or, between sentences, following) `offset` in `text`."""
        return min(bisect.bisect_right(self.ends, offset), max(len(self.ends) - 1, 0))


def layout(text: str, sentences: Sequence[Sentence]) -> Layout:
    """Return where each sentence of `text` (the analysed text they were split from) lies in it; a Layout of
    the sentences themselves when one cannot be found (a store edited by hand)."""
    collapsed = " ".join(text.split())
    lead = len(text) - len(text.lstrip())
    shifts, shifted, removed = [0], [lead], lead
    for run in _LONG_SPACE.finditer(text, lead, len(text.rstrip())):
        removed += run.end() - run.start() - 1  # the run is one space in the collapsed text
        shifts.append(run.end() - removed)
        shifted.append(run.end())
    starts, cursor = [], 0
    for sentence in sentences:
        found = collapsed.find(sentence.text, cursor) if sentence.text else -1
        if found < 0:
            return _joined(sentences)
        starts.append(found)
        cursor = found + len(sentence.text)
    return _made(text, True, starts, shifts, shifted, sentences)


def _made(text: str, aligned: bool, starts: list[int], shifts: list[int], shifted: list[int],
          sentences: Sequence[Sentence]) -> Layout:
    """Return the Layout with each sentence's end in `text` worked out."""
    where = Layout(text, aligned, starts, shifts, shifted, [])
    where.ends.extend(where.offset(s, len(sentence.text) - 1) + 1 for s, sentence in enumerate(sentences))
    return where


def _joined(sentences: Sequence[Sentence]) -> Layout:
    """Return a Layout whose text is the sentences joined by spaces (no shift: the text is its own collapse)."""
    starts, at = [], 0
    for sentence in sentences:
        starts.append(at)
        at += len(sentence.text) + 1
    return _made(" ".join(s.text for s in sentences), False, starts, [0], [0], sentences)
