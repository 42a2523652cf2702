"""Where a sentence credits someone rather than mentions them: bylines, photo credits, source lines,
"contributed to this report", embed attributions and page furniture.

No name inside a credit is a person mention (the same person named in the running text is one). The credit
forms are the ones news pages and newsletters use:
- a byline ("By Ines Okafor", "By Ines Okafor – Research Associate of ..."), a photo or reporting credit;
- a source line ("Source: Outlet, Ines Okafor") and a dated citation in brackets ("(Ines Okafor, April 1, 2020)");
- an author line: a paragraph that is nothing but one to three names the model calls persons ("Ines Okafor",
  "Okafor and Brandt"), as under each headline of a newsletter's list of pieces.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from monitor.ingest.embeds import attributions
from monitor.ingest.furniture import furniture_regions
from monitor.ingest.nlp import Sentence

_MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?"
          r"|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)")
# Regions of a sentence that credit someone rather than mention them.
_CREDITS = [re.compile(p) for p in (
    r"\([^()]{0,80}/[^()]{0,80}\)",                                   # (Dan Kitwood/Getty Images)
    r"\b(?:Photo|Photograph|Picture|Image|Illustration|Video)s?(?: credit| by)?\s*[:|]\s*[^.;\n]{0,80}",
    r"\b(?:Photo|Picture|Image)s? (?:by|courtesy of) [^.;\n]{0,80}",
    r"\([Cc]ourtesy(?: of)? [^()]{1,80}\)",                             # (Courtesy of Ines Okafor)
    r"\b(?:Reporting|Writing|Editing|Additional reporting|Compiled|Edited) by [^.;\n]{0,120}",
    r"\bpic\.twitter\.com/\S+",
    # "NPR's Ines Okafor contributed to this report.": a credit line, not a mention
    r"^[^.;\n]{0,120}\bcontributed (?:to )?(?:this |the )?(?:report|reporting|story|article)\b[^.;\n]{0,40}",
    # "Source: Outlet, Ines Okafor", "Written by: Ines Okafor": a line that says where the piece comes from
    r"^\W{0,3}(?:Sources?|Via|Credits?|Authors?|(?:Written|Posted|Published|Story|Words|Text) by)\s*:\s*[^.;\n]{0,120}",
    # "(Ines Okafor, April 1, 2020)": an author and a date in brackets cite a piece
    rf"\((?:By )?[A-Z][^()\d]{{1,60}},\s*{_MONTH}\.? \d{{1,2}},? \d{{4}}\)",
    # "By Ines Okafor – Research Associate at ...": the name before the dash is the byline's
    r"^\W{0,3}By (?:[A-Z][\w.'\u2019-]*\s+){0,3}[A-Z][\w.'\u2019-]*(?=\s*(?:[\u2013\u2014|]|-\s|,|$))",
)]
_BYLINE_FILLER = frozenset({"By", "and", "in", "for", "of", "the", "&"})
# Words that may join the names of an author line ("Okafor and Brandt", "Okafor, Brandt & Velloso").
_JOINERS = frozenset({"and", "&", ","})
_WORD = re.compile(r"[^\s,]+|,")


def credit_regions(text: str) -> list[tuple[int, int]]:
    """Return the character ranges of a sentence that are credits, bylines, embed attributions or page furniture.

    No name in them is a mention found by the model or by search; an embed's account is added apart
    (see `entities.embed_mentions`).
    """
    regions = [m.span() for pattern in _CREDITS for m in pattern.finditer(text)]
    regions += [(a.start, a.end) for a in attributions(text)] + furniture_regions(text)
    words = text.split()
    if (words and words[0] == "By" and len(words) <= 12 and len(words) > 1
            and all(w[0].isupper() or w in _BYLINE_FILLER for w in words)):
        regions.append((0, len(text)))  # the whole sentence is a byline
    return regions


def is_author_line(sentence: Sentence) -> bool:
    """Return True when the sentence is nothing but one to three names the model calls persons, joined by
    "and", "&" or commas, without a closing full stop or a comma at either end: an author line, not running
    text and not a piece of a list."""
    text = sentence.text.strip()
    people = [(e.start, e.end) for e in sentence.entities if e.label == "PERSON"]
    # A comma at either end continues a list of names over lines (a team's line-up): mentions, not credits.
    if not people or len(people) > 3 or text.endswith(("!", "?", ":", ",")) or text.startswith(",") or \
            (text.endswith(".") and not re.search(r"\b[A-Z]\.$", text)):
        return False
    return all(word.group() in _JOINERS or any(a <= word.start() and word.end() <= b for a, b in people)
               for word in _WORD.finditer(sentence.text))


def sentence_credits(sentences: Sequence[Sentence]) -> list[list[tuple[int, int]]]:
    """Return each sentence's credit regions (computed once per article: both passes need them)."""
    # A line after one ending in a comma is the end of a list of names, not an author line.
    after_comma = [i > 0 and sentences[i - 1].text.rstrip().endswith(",") for i in range(len(sentences))]
    return [[(0, len(s.text))] if is_author_line(s) and not listed else credit_regions(s.text)
            for s, listed in zip(sentences, after_comma, strict=True)]
