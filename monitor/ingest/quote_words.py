"""The words around a quotation that say it is one and who said it: verbs of saying, pronouns, descriptions.

Shared by monitor/ingest/quote_marks.py (is this marked stretch someone's words, is it split by its
attribution) and monitor/ingest/quote_speakers.py (who said it).
"""
from __future__ import annotations

import bisect
import re
from functools import lru_cache

# Verbs of saying and writing, in the forms news attribution uses ("said", "says", "told", "according to").
_VERBS = ("said|says|say|saying|told|tells|tell|telling|added|adds|adding|wrote|writes|write|writing|asked|asks|"
          "tweeted|tweets|posted|posts|explained|explains|noted|notes|stated|states|declared|declares|argued|"
          "argues|warned|warns|continued|continues|recalled|recalls|replied|replies|responded|responds|insisted|"
          "insists|acknowledged|acknowledges|admitted|admits|claimed|claims|announced|announces|cautioned|"
          "cautions|urged|urges|suggested|suggests|stressed|stresses|emphasi[sz]ed|emphasi[sz]es|observed|"
          "observes|commented|comments|remarked|remarks|conceded|concedes|predicted|predicts|concluded|"
          "concludes|agreed|agrees|countered|counters|maintained|maintains|testified|testifies|shared|shares|"
          "reported|reports|joked|jokes|quipped|wondered|wonders|exclaimed|pleaded|begged|vowed|vows|promised|"
          "promises|boasted|complained|complains|lamented|laments|assured|reassured|advised|advises|echoed|"
          "repeated|mused|tells|told|texted|emailed|messaged|signed|speaking|spoke|reiterated|reiterates|"
          "elaborated|confirmed|confirms|denied|denies|questioned|answered|answers|recounted|recounts|remembered|"
          "reflected|offered|read|reads|implored|implores|pleads|explaining|noting|adding|warning|arguing|insisting|calling|called|describing|described|"
          "added|according to|went on|pointed out|points out|put it|puts it|writing")
# Lower case only (a sentence may open with "Said" or "According to"): "the United States", "Notes" and
# "Reports" are no verbs.
_OPENING = "Said|Says|According to|Asked|Writing|Speaking|"
SPEECH_VERB = r"\b(?:" + _OPENING + _VERBS + r")\b"
SPEECH = re.compile(SPEECH_VERB)
# The verbs that attribute a quotation with no other word ("called" and "described" need their object).
ATTRIBUTING = re.compile(r"\b(?:" + _OPENING + _VERBS.replace("calling|called|describing|described|", "") + r")\b")
PRONOUNS = {"he": "person", "she": "person", "i": "person", "they": "any", "we": "any", "it": "org"}
PRONOUN = re.compile(r"\b(he|she|they|i|we|it)\b", re.IGNORECASE)
# A description of a speaker the article does not name: a determiner, a few words ("a campaign spokesman",
# "one nurse", "the agency's director").
DESCRIPTION = re.compile(r"\b(?:a|an|the|one|another|two|three|some|several|many|his|her|their|its|our)"
                         r"\s+(?:[\w'\u2019.-]+\s+){0,6}?[\w'\u2019-]+", re.IGNORECASE)
# Abbreviations whose full stop ends no sentence.
_ABBREVIATIONS = frozenset(re.findall(r"\S+", "mr mrs ms dr st jr sr gov sen rep gen lt col prof no vs inc co corp "
                           "ltd mt ft sgt capt cmdr adm rev hon pres supt det insp u.s u.k e.g i.e etc jan feb mar apr "
                           "jun jul aug sep sept oct nov dec"))
_SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019)]*(?=\s)|\n\s*\n|\n[ \t]+(?=\S)")  # as quote_marks' paragraphs
# The attribution alone between two parts of a quotation: a speech verb and a few words, no sentence of its own.
_MAX_ATTRIBUTION_WORDS = 30


@lru_cache(maxsize=8)
def _ends(text: str) -> tuple[list[int], list[int], list[bool]]:
    """Return the sentence ends of `text` found once (abbreviations' full stops left out): where each stop (or
    paragraph break) starts, where it ends, and whether it is a paragraph break. Cached: every quotation of an
    article asks about the same text."""
    starts, ends, breaks = [], [], []
    for found in _SENTENCE_END.finditer(text):
        if not _abbreviation(text, found.start()):
            starts.append(found.start())
            ends.append(found.end())
            breaks.append(found.group().startswith("\n"))
    return starts, ends, breaks


def sentence_start(text: str, at: int, floor: int = 0) -> int:
    """Return where the sentence holding `at` starts: after the last sentence end before it (not an
    abbreviation's full stop), or `floor`."""
    _, ends, _ = _ends(text)
    found = bisect.bisect_right(ends, at) - 1
    return max(floor, ends[found]) if found >= 0 else floor


def previous_sentence(text: str, at: int) -> tuple[int, int]:
    """Return the (start, end) of the sentence before the one holding `at` (empty at the text's start)."""
    end = sentence_start(text, at)
    last = len(text[:end].rstrip()) - 1
    return (sentence_start(text, last), end) if last >= 0 else (0, 0)


def sentence_end(text: str, at: int) -> int:
    """Return where the sentence holding `at` ends: after its closing stop (and marks), or at the paragraph's end."""
    starts, ends, breaks = _ends(text)
    found = bisect.bisect_left(starts, at)
    if found >= len(starts):
        return len(text)
    return starts[found] if breaks[found] else ends[found]


def _abbreviation(text: str, stop: int) -> bool:
    """Return True when the full stop at `stop` ends an abbreviation or an initial ("Dr.", "U.S.", "J.")."""
    if text[stop] != ".":
        return False
    word = re.search(r"[\w.]+$", text[max(0, stop - 12):stop])
    token = word.group().lower() if word else ""
    return token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha() and text[stop - 1].isupper())


def is_attribution(gap: str) -> bool:
    """Return True when `gap` (the text between two marked stretches) is only an attribution: a speech verb
    among its first words, no sentence of its own before its end (`," she said, "` / `" said Mayor Dana Holt,
    who chairs the board. "`)."""
    words = gap.split()
    verb = ATTRIBUTING.search(gap)
    if not words or len(words) > _MAX_ATTRIBUTION_WORDS or not verb or len(gap[:verb.start()].split()) > 14:
        return False
    body = gap.strip().rstrip(".,:;\u2014\u2013- \"\u201c\u201d")
    return "\n" not in body and not re.search(r"[.!?;:](?:\s|$)", _without_abbreviations(body))


def _without_abbreviations(text: str) -> str:
    """Return `text` with the full stops of its abbreviations and initials removed."""
    return "".join(c for i, c in enumerate(text) if not (c == "." and _abbreviation(text, i)))
