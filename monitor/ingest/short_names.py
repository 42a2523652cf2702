"""Very short watchlist names ("X", "Q", "EU", "AI"): searched for only where the context says they are the name.

A name of one or two characters is everywhere in text that is not about it: "Malcolm X", "Generation X",
"X-ray", "Louis X", "SpaceX", "x" as a variable, list markers ("X. The ..."), "US" in an all-capitals
headline. So a short term (at most SHORT characters) is matched with rules the longer terms need not:

every short term:
  - exact case and a whole word (no letter or digit against it: "SpaceX", "X2", "x");
  - not in an all-capitals stretch of text (a headline in capitals says "US" for "us");
  - not after a capitalised word that makes it part of a longer name ("Malcolm X", "Brand X", "Louis X",
    "Generation X"), unless that word is a cue ("On X") or a possessive ("Musk's X");
  - not among other single letters ("X and Y", "X, Y, Z") nor against a digit or an operator ("3 X 4", "X = 2");

a single character, besides:
  - not joined by a hyphen ("X-ray", "X-Men"), not a list marker ("X. The ...", "X) ...");
  - not before a capitalised word that continues a name ("X Games", "X Æ A-12"), cue words aside ("X CEO");
  - and confirmed by the context, one of: a cue word next to it ("on X", "posted to X", "X's", "X owner",
    "X CEO", "the X platform", "X, formerly Twitter", "X (formerly Twitter)"); another name of the same
    entity in the sentence ("... bought Twitter ... rebranded it as X"); or a confirmed mention of it
    elsewhere in the same article (one sense per article: "X falters after ..." in a story about the platform).

Two-letter terms ("EU", "UN", "AI", "US") are acronyms written in capitals, rarely anything else in mixed-case
text, so they need no confirmation; a watchlist entity can ask for it with ``confirm = true``.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

# Terms of at most this many characters are short.
SHORT = 2
# Terms of at most this many characters must be confirmed by their context.
CONFIRM = 1
# A word just before the term that says it is a platform or an organisation ("posted on X").
LEFT_CUES = frozenset({"on", "to", "onto", "via", "joined", "joins", "join", "quit", "quits", "left", "leaves",
                       "leaving", "rejoined", "banned", "ban", "boycott", "boycotting"})
# A word just after the term that says so ("X owner", "X CEO", "the X platform").
RIGHT_CUES = frozenset({"owner", "owners", "ceo", "chief", "boss", "platform", "app", "site", "account", "accounts",
                        "post", "posts", "posted", "user", "users", "feed", "feeds", "timeline", "handle",
                        "profile", "spokesperson", "spokesman", "spokeswoman", "staff", "employees", "executive",
                        "executives", "chairman", "chairwoman", "founder", "board", "algorithm", "premium",
                        "officials", "headquarters", "inc", "corp", "corp.", "spaces", "livestream"})
# After the term: "X's", "X, formerly Twitter", "X (formerly Twitter)", "X, previously known as ...".
_RIGHT_PHRASE = re.compile(r"^(?:['\u2019]s\b|\s*[,(]\s*(?:formerly|previously|once|then)\b"
                           r"|,?\s+(?:the\s+)?(?:social[ -]media|micro-?blogging)\b)", re.IGNORECASE)
# Capitalised at a sentence start, these do not make the term part of a longer name ("The EU", "In X").
FUNCTION_WORDS = frozenset({"the", "a", "an", "in", "at", "for", "from", "by", "with", "of", "and", "but", "or",
                            "as", "after", "before", "when", "while", "if", "so", "this", "that", "these", "those",
                            "our", "their", "his", "her", "its", "my", "your", "about", "against", "without",
                            "than", "then", "like", "unlike", "did", "does", "do", "is", "was", "will", "would",
                            "can", "could", "should", "how", "why", "what", "where", "who", "now", "also"})
# A word just after a single letter that makes it a letter, not a name ("X factor", "X chromosome").
LETTER_NOUNS = frozenset({"factor", "factors", "chromosome", "chromosomes", "axis", "ray", "rays", "rated", "rating",
                          "marks", "coordinate", "coordinates", "variable", "value", "values", "amount", "number"})
_OPERATOR = re.compile(r"[=+*/×÷<>^%]|\d")


@dataclass(frozen=True)
class ShortHit:
    """A short term found in a sentence: its sentence, offsets and the term as listed."""

    sentence_id: int
    start: int
    end: int
    term: str


def is_short(term: str) -> bool:
    """Return True when `term` is short enough to need the rules of this module."""
    return len(term.strip()) <= SHORT


def needs_confirmation(term: str) -> bool:
    """Return True when a term this long is only a mention where its context confirms it."""
    return len(term.strip()) <= CONFIRM


@lru_cache(maxsize=64)
def _pattern(terms: tuple[str, ...]) -> re.Pattern[str]:
    """Return one case-sensitive regex for the terms: no letter, digit or underscore on either side."""
    alternation = "|".join(re.escape(t) for t in sorted(set(terms), key=lambda t: (-len(t), t)))
    return re.compile(rf"(?<![\w@#$])(?:{alternation})(?![\w@])")


def all_capitals(text: str) -> bool:
    """Return True when most words of three letters or more are written in capitals (a shouted headline)."""
    words = [w for w in re.findall(r"[^\W\d_]{3,}", text)]
    return len(words) >= 2 and sum(w.isupper() for w in words) > 0.6 * len(words)


def _prev_word(before: str) -> tuple[str, bool]:
    """Return the word just before (possessive kept) and whether only spaces separate it from the term."""
    match = re.search(r"(\S+)(\s*)$", before)
    if not match:
        return "", False
    return match.group(1), match.group(2) in (" ", "")


def _next_word(after: str) -> str:
    match = re.match(r"\s+(\S+)", after)
    return match.group(1).strip(".,;:!?)\"'\u201d") if match else ""


def _capitalised(word: str) -> bool:
    return bool(word) and word[0].isupper()


def _possessive(word: str) -> bool:
    return word.endswith(("'s", "\u2019s", "s'", "s\u2019"))


def _part_of_longer_name(before: str, after: str, single: bool) -> bool:
    """Return True when a capitalised word beside the term makes it part of another name."""
    prev, adjacent = _prev_word(before)
    prev_clean = prev.strip("\"'\u201c\u2018(")
    word = prev.casefold()
    if adjacent and prev == prev_clean and _capitalised(prev) and not _possessive(prev) \
            and word not in LEFT_CUES and word not in FUNCTION_WORDS \
            and (prev[-1].isalpha() or (prev[-1] == "." and len(prev) <= 5)):
        return True  # "Malcolm X", "Brand X", "Louis X", "Mr. X"; not "On X", "The EU", "Musk's X", "said: X"
    nxt = _next_word(after)
    if single and after[:1] == " " and nxt.casefold() in LETTER_NOUNS:
        return True
    if single and after[:1] == " " and _capitalised(nxt) and nxt.casefold() not in RIGHT_CUES and nxt.isalpha() \
            and not nxt.isupper():
        return True  # "X Games", "X Factor"; not "X CEO"
    return single and nxt in {"Æ", "AE"}


def _noise(before: str, after: str, single: bool) -> bool:
    """Return True for a variable, a formula, a roman numeral in a list or a hyphenated compound."""
    near = before[-3:] + " " + after[:3]
    if _OPERATOR.search(before[-2:]) or _OPERATOR.search(after[:2]):
        return True
    if re.search(r"(?:^|[\s,(])[A-Z](?:[\s,)]|$)", before[-8:] + " ") and re.search(r"(?:\band\b|\bor\b|,)", near):
        return True  # "Y and X", "W, X"
    if re.match(r"\s*(?:,|and|or|&)\s*[A-Z](?:\W|$)", after):
        return True  # "X and Y", "X, Y"
    if not single:
        return False
    if after[:1] == "-" or before[-1:] == "-":
        return True  # "X-ray", "X-Men", "Gen-X"
    # a list marker or a numbered heading: "X. The ...", "X) ...", at the start of a line or sentence
    return not before.strip(" \"'\u201c(") and bool(re.match(r"[.)]\s", after + " ")) and not after.startswith("...")


def _cued(before: str, after: str) -> bool:
    """Return True when a word or phrase beside the term says it names a platform or an organisation."""
    prev, _ = _prev_word(before)
    if prev.strip("\"'\u201c(").casefold() in LEFT_CUES:
        return True
    if _RIGHT_PHRASE.match(after):
        return True
    return _next_word(after).casefold() in RIGHT_CUES


def plausible(text: str, start: int, end: int) -> bool:
    """Return True when the short term at text[start:end] passes every precision rule (not the confirmation)."""
    before, after = text[:start], text[end:]
    single = end - start <= CONFIRM
    return not (_part_of_longer_name(before, after, single) or _noise(before, after, single))


def find(texts: Sequence[str], terms: Iterable[str], siblings: dict[str, frozenset[str]],
         confirm: frozenset[str] = frozenset()) -> list[ShortHit]:
    """Return the mentions of the short `terms` in one article's sentences `texts`.

    `siblings` gives each term the other names of its entity (whose presence in a sentence confirms it);
    `confirm` lists the short terms that need confirmation besides those of one character.
    """
    listed = tuple(sorted({t for t in terms if is_short(t)}))
    if not listed:
        return []
    pattern = _pattern(listed)
    candidates: list[tuple[ShortHit, bool]] = []
    for sid, text in enumerate(texts):
        if all_capitals(text):
            continue
        for match in pattern.finditer(text):
            start, end = match.span()
            if not plausible(text, start, end):
                continue
            term = match.group()
            others = siblings.get(term, frozenset())
            sure = _cued(text[:start], text[end:]) or any(_contains(text, other) for other in others)
            candidates.append((ShortHit(sid, start, end, term), sure))
    sure_terms = {hit.term for hit, sure in candidates if sure}
    return [hit for hit, sure in candidates
            if sure or hit.term in sure_terms or not (needs_confirmation(hit.term) or hit.term in confirm)]


def _contains(text: str, term: str) -> bool:
    """Return True when `term` occurs in `text` as a whole word, in its exact case."""
    return len(term) > SHORT and re.search(rf"(?<!\w){re.escape(term)}(?!\w)", text) is not None
