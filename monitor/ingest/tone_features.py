"""What the tone model sees of one mention: the sentence cut into units, and the features of each mention.

VADER stays the lexicon underneath: its word valences (with its own negation words) are summed over
the words that bear on a mention — its clause, the words nearer to it than to any other name, a small
window on each side — and words quoted from a speaker are kept apart from words said about them.
`features_of` is shared by the runtime (`monitor.ingest.tone`) and the training script
(`bench/train_tone.py`), so both see the same features.
"""
from __future__ import annotations

import math
import operator
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

# Words, numbers with their dots, then any other non-space character on its own (punctuation, quotes).
_TOKEN = re.compile(r"[\w][\w'\u2019.-]*[\w]|\w|[^\w\s]")
# Clause edges: where what is said of one name usually stops bearing on the next.
_BOUNDARY_PUNCT = frozenset({",", ";", ":", "(", ")", "\u2014", "\u2013", "-", "[", "]", "?", "!"})
_BOUNDARY_WORDS = frozenset({"while", "whereas", "but", "although", "though", "however", "unlike", "yet"})
_QUOTE_OPEN, _QUOTE_CLOSE, _QUOTE_BOTH = "\u201c", "\u201d", '"'
_SPEECH = frozenset({"said", "says", "say", "told", "tells", "wrote", "writes", "added", "adds", "tweeted",
                     "stated", "argued", "argues", "claimed", "claims", "asked", "asks", "explained",
                     "according", "insisted", "insists", "noted", "notes", "declared", "responded"})
# What a mention is, not who: pronouns, dates and lower-case phrases ("the attack") are targets in
# NewsMTSC and are mostly neutral; no feature names a person, so no one gets a prior of their own.
_PRONOUNS = frozenset({"he", "she", "his", "her", "him", "they", "we", "us", "i", "me", "you", "it", "them", "their",
                       "hers", "our", "my", "your", "its", "himself", "herself"})
_DATES = frozenset({"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january",
                    "february", "march", "april", "may", "june", "july", "august", "september", "october",
                    "november", "december", "today", "yesterday"})
_WINDOW = 3       # words on each side that count as "next to" the mention
_NEGATION_REACH = 3  # VADER looks three words back for a negation
MENTION, OTHER = "<T>", "<O>"
_SUMS = ("clause", "own", "window", "dist", "quote_by", "quote_about", "plain", "all_pos", "all_neg", "own_pos",
         "own_neg")


@dataclass(frozen=True)
class Unit:
    """One word, punctuation mark or whole mention of a sentence, as the features see it."""

    word: str          # lower-case word, or MENTION-index marker for a mention
    mention: int       # index of the mention this unit is, or -1 for a word
    clause: int        # clause number within the sentence
    quoted: bool       # inside quotation marks
    valence: float     # VADER valence, sign flipped (and damped) when negated
    negated: bool


@lru_cache(maxsize=1)
def vader() -> tuple[Any, dict[str, float], frozenset[str]]:
    """Return VADER's analyser (shared with nlp), its lexicon and its negation words."""
    from vaderSentiment.vaderSentiment import NEGATE

    from monitor.ingest.nlp import load_vader

    analyser = load_vader()
    return analyser, analyser.lexicon, frozenset(NEGATE)


def sentence_tone(text: str) -> float:
    """Return VADER's compound score (-1..1) of the whole sentence: the `sentence_tone` column."""
    return float(vader()[0].polarity_scores(text)["compound"])


def check_spans(text: str, spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Return the spans as int pairs; raise ValueError naming the span and the reason when one is not a
    non-empty character range inside `text`, TypeError when the text is not a string."""
    if not isinstance(text, str):
        raise TypeError(f"tone: sentence must be a str, not {type(text).__name__}")
    out = []
    for span in spans:
        try:
            # index(), not int(): 2.7 is not an offset, and must not quietly become 2
            start, end = operator.index(span[0]), operator.index(span[1])
            if len(span) != 2:
                raise ValueError(f"{len(span)} items")
        except (TypeError, ValueError, IndexError) as exc:
            raise ValueError(f"tone: mention span {span!r} is not a (start, end) pair of ints") from exc
        if not 0 <= start < end <= len(text):
            raise ValueError(f"tone: mention span {span!r} is not a non-empty range inside the "
                             f"{len(text)}-character sentence {text[:60]!r}")
        out.append((start, end))
    return out


def _owners(text: str, spans: Sequence[tuple[int, int]]) -> list[int]:
    """Return, for each character of `text`, the index of the first span covering it, or -1 (one pass
    over the spans: a sentence with hundreds of names costs no more per token than one with two)."""
    owner = [-1] * len(text)
    for index, (start, end) in enumerate(spans):
        for at in range(start, end):
            if owner[at] < 0:
                owner[at] = index
    return owner


def _owner(start: int, end: int, owner: Sequence[int]) -> int:
    """Return the index of the first span the token [start, end) overlaps, or -1."""
    found = [i for i in owner[start:end] if i >= 0]
    return min(found) if found else -1


def _norm(raw: str) -> str:
    """Return a token as the lexicon spells it: lower case, straight apostrophe, no possessive 's."""
    word = raw.lower().replace("\u2019", "'")
    return word[:-2] if word.endswith("'s") and len(word) > 2 else word


def units(text: str, spans: Sequence[tuple[int, int]]) -> list[Unit]:
    """Return the sentence's words and mentions (one unit per mention), with clause, quote and negation.

    Punctuation only moves the clause and quote state; a mention's tokens collapse into one unit so
    distances count words, not the length of a name.
    """
    _, lexicon, negate = vader()
    out: list[Unit] = []
    clause, quoted, reach = 0, False, 0
    owners = _owners(text, spans)
    for match in _TOKEN.finditer(text):
        raw = match.group()
        owner = _owner(match.start(), match.end(), owners)
        if owner >= 0:
            if not (out and out[-1].mention == owner):
                out.append(Unit(MENTION, owner, clause, quoted, 0.0, False))
            continue
        if raw in (_QUOTE_OPEN, _QUOTE_CLOSE, _QUOTE_BOTH):
            quoted = raw == _QUOTE_OPEN or (raw == _QUOTE_BOTH and not quoted)
            clause, reach = clause + 1, 0
            continue
        word = _norm(raw)
        if raw in _BOUNDARY_PUNCT or word in _BOUNDARY_WORDS:
            clause, reach = clause + 1, 0
        if not word[0].isalnum():
            continue
        negated = reach > 0
        reach = _NEGATION_REACH if (word in negate or word.endswith("n't")) else max(reach - 1, 0)
        valence = lexicon.get(word, 0.0) * (-0.74 if negated else 1.0)  # VADER's N_SCALAR
        out.append(Unit(word, -1, clause, quoted, valence, negated))
    return out


def squash(x: float) -> float:
    """Return a valence sum mapped into -1..1 the way VADER normalises its compound (alpha 15)."""
    return x / math.sqrt(x * x + 15)


def nearest(units_: Sequence[Unit]) -> list[int]:
    """Return, for each unit, the index of the mention unit it is nearest to (a clause edge costs ten
    words; ties go to the mention on the left, usually the subject), or -1 without mentions.

    Only four mentions can be nearest: the closest on each side, and the closest on each side within
    the unit's clause; so one pass each way instead of every unit against every mention."""
    left, right = _closest(units_, range(len(units_))), _closest(units_, range(len(units_) - 1, -1, -1))
    out = []
    for j, u in enumerate(units_):
        cost = [(abs(j - m) + (10 if units_[m].clause != u.clause else 0), m)
                for m in (*left[j], *right[j]) if m >= 0]
        out.append(min(cost)[1] if cost else -1)
    return out


def _closest(units_: Sequence[Unit], order: range) -> dict[int, tuple[int, int]]:
    """Return, for each unit, the last mention unit seen walking in `order` (itself included), and the
    last one of its own clause (-1 when none)."""
    last, last_in_clause = -1, {}
    out = {}
    for j in order:
        u = units_[j]
        if u.mention >= 0:
            last = last_in_clause[u.clause] = j
        out[j] = (last, last_in_clause.get(u.clause, -1))
    return out


def _is_speaker(units_: Sequence[Unit], pos: int) -> bool:
    """Return whether the mention at `pos` is outside quotes with a speech verb next to it while the
    sentence quotes someone: the quoted words are then said *by* it, not about it."""
    me = units_[pos]
    if me.quoted or not any(u.quoted for u in units_):
        return False
    near = units_[max(pos - _WINDOW, 0): pos + _WINDOW + 1]
    return any(u.word in _SPEECH and not u.quoted for u in near)


def stem(word: str) -> str:
    """Return a word without one common ending (-ing, -ed, -es, -s, -ly), so "attacks" and "attacked"
    share a weight: 7,758 training sentences are too few to learn every form (cross-validated on train:
    macro-F1 0.642 with, 0.639 without)."""
    for suffix in ("ing", "ed", "es", "s", "ly"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def _bigrams(units_: Sequence[Unit], pos: int) -> dict[str, float]:
    """Return the pairs of adjacent (stemmed) words in the mention's clause, the mention itself written
    <T> and other mentions <O>: "by <T>", "<T> was", "<O> accus"."""
    clause = units_[pos].clause
    words = [MENTION if j == pos else OTHER if u.mention >= 0 else stem(u.word) for j, u in enumerate(units_)]
    return {f"cb:{words[j]}_{words[j + 1]}": 1.0 for j in range(len(units_) - 1)
            if units_[j].clause == clause and units_[j + 1].clause == clause}


def _scoped(units_: Sequence[Unit], pos: int, owner: Sequence[int]) -> tuple[dict[str, float], dict[str, float]]:
    """Return the (stemmed) words by scope — sentence s:, clause c:, nearest name o:, window l:/r:, next
    word l1:/r1: — and the VADER valence sums by scope, for the mention at unit `pos`."""
    me, speaker = units_[pos], _is_speaker(units_, pos)
    f: dict[str, float] = {}
    sums = dict.fromkeys(_SUMS, 0.0)
    for j, u in enumerate(units_):
        if u.mention >= 0:
            continue
        w, v, d = ("!" if u.negated else "") + stem(u.word), u.valence, abs(j - pos)
        f["s:" + w] = 1.0
        sums["dist"] += v * math.exp(-d / 4)
        sums["all_pos" if v > 0 else "all_neg"] += v
        if u.clause == me.clause:
            f["c:" + w] = 1.0
            sums["clause"] += v
        if owner[j] == pos:
            f["o:" + w] = 1.0
            sums["own"] += v
            sums["own_pos" if v > 0 else "own_neg"] += v
        if d <= _WINDOW:
            f[("l:" if j < pos else "r:") + w] = 1.0
            sums["window"] += v
        if d == 1:
            f[("l1:" if j < pos else "r1:") + w] = 1.0
        quote = "quote_by" if speaker else "quote_about"
        sums[quote if u.quoted and not me.quoted else "plain"] += v
    return f, sums


def features(units_: Sequence[Unit], mention: int, compound: float,
             owner: Sequence[int] | None = None) -> dict[str, float]:
    """Return the model's features for one mention: words and valence sums by scope (`_scoped`), the
    word pairs of its clause, how many other mentions the sentence has, quote and position flags.

    Cross-validated on train (mean of macro-F1 on all targets and on sentences with 2+), the sentence's
    words and the clause's pairs together lifted 0.640 to 0.646."""
    pos = next(j for j, u in enumerate(units_) if u.mention == mention)
    me = units_[pos]
    owner = nearest(units_) if owner is None else owner  # once per sentence: it is O(words × names)
    f, sums = _scoped(units_, pos, owner)
    f.update(_bigrams(units_, pos))
    f.update({"v:" + k: squash(x) for k, x in sums.items()})
    others = sum(1 for u in units_ if u.mention >= 0) - 1
    # n:others1/2 also carry the multi-target neutral offset (bench/train_tone.py, `multi_neutral_offset`)
    f.update({"v:sentence": compound, "q:in": float(me.quoted), "q:speaker": float(_is_speaker(units_, pos)),
              f"n:others{min(others, 2)}": 1.0, "p:first": float(pos == 0),
              "p:clause_start": float(pos == 0 or units_[pos - 1].clause != me.clause)})
    return f


def shape(text: str, start: int, end: int) -> dict[str, float]:
    """Return the features of the mention's own form: pronoun, date, lower case, article, length, possessive.

    Cross-validated on train, these lifted macro-F1 from 0.648 to 0.654 (0.596 to 0.611 on sentences
    with two or more targets)."""
    mention = text[start:end]
    words = mention.lower().replace("\u2019", "'").split()
    f = {f"t:len{min(len(words), 4)}": 1.0}
    if len(words) == 1 and words[0] in _PRONOUNS:
        f["t:pron"] = 1.0
    if mention[:1].islower():
        f["t:lower"] = 1.0
    if len(words) <= 2 and any(w.strip(".,") in _DATES for w in words):
        f["t:day"] = 1.0
    if words and words[0] in ("the", "a", "an"):
        f["t:det"] = 1.0
    if text[end:end + 2] in ("'s", "\u2019s"):
        f["t:poss"] = 1.0
    return f


def features_of(text: str, spans: Sequence[tuple[int, int]], compound: float | None = None) -> list[dict[str, float]]:
    """Return one feature dict per span (the training script and the runtime share this)."""
    checked = check_spans(text, spans)
    units_ = units(text, checked)
    compound = sentence_tone(text) if compound is None else compound
    present, owner = {u.mention for u in units_ if u.mention >= 0}, nearest(units_)
    # a span over spaces only, or over a token an earlier overlapping span took, has no unit of its
    # own: it gets the sentence's features alone
    return [{**shape(text, *span),
             **(features(units_, i, compound, owner) if i in present else {"v:sentence": compound})}
            for i, span in enumerate(checked)]
