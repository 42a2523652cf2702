"""Characters that look like nothing or like other letters: the folding applied to article text and names.

A name written with a zero-width space, a byte-order mark or a soft hyphen inside it, with
a non-breaking space, in decomposed form ("e" + U+0301), or with a Cyrillic "\u0430" in a Latin
word looks the same on screen as the clean name but compares unequal, so it became a second
entity or was lost. Two functions undo that:

* :func:`fold_text` for article text (what spaCy reads and what is stored): invisible and
  format characters removed (Unicode's Default_Ignorable code points: zero-width characters,
  soft hyphens, bidi controls, word joiners, variation selectors, tag characters, ...), control
  characters other than tab and line feed removed, odd spaces made plain spaces, NFC, the
  width/font variants of letters folded (NFKC, but only for those: "™" or "½" stay), and
  lookalike letters in a mixed-script word folded to the word's main script.
* :func:`fold_name` for comparing names: all of that plus full NFKC.

Lookalikes come from Unicode's confusables data (UTS #39) as shipped by the
``confusable-homoglyphs`` package. Only a word that mixes Latin letters with another
script's is changed: a Cyrillic or Greek name written wholly in its own script stays itself.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache

from confusable_homoglyphs import categories, confusables  # type: ignore[import-untyped]

# Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties.txt) plus the other format
# characters (Cf) that render as nothing: none of them belongs inside a word.
_IGNORABLE = (
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f"
    "\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufffb\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff"
)
INVISIBLE = re.compile(f"[{_IGNORABLE}]")
# C0 and C1 controls and DEL are removed, except the whitespace ones (tab, line ends, vertical
# tab, form feed, the information separators), which become a space so no two words join.
CONTROL = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")
CONTROL_SPACE = re.compile("[\x0b\x0c\x1c-\x1f]")
# Every space separator but the plain space, and the Unicode line/paragraph separators.
ODD_SPACE = re.compile("[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
LINE_SEPARATOR = re.compile("[\x85\u2028\u2029]")
# One pass each for what is removed and what becomes a space (each pass scans the whole text).
_REMOVED = re.compile(f"{INVISIBLE.pattern}|{CONTROL.pattern}")
_SPACED = re.compile(f"{ODD_SPACE.pattern}|{CONTROL_SPACE.pattern}")
# Compatibility forms folded in article text: full- and half-width, mathematical and
# script letters, circled letters, Arabic presentation forms. Superscripts, fractions and
# symbols such as "™" keep their meaning as written.
_FOLDED_TAGS = frozenset({"<wide>", "<narrow>", "<font>", "<circle>", "<isolated>", "<initial>", "<medial>",
                          "<final>"})
_COMPAT_BLOCKS = ((0x2100, 0x24FF), (0xFB00, 0xFEFF), (0xFF00, 0xFFEF), (0x1D400, 0x1D7FF), (0x1EE00, 0x1EEFF),
                  (0x1F130, 0x1F189))
_WORD = re.compile(r"[^\W\d_]+")
# Letters of the Latin script (a quick test: a word wholly in them, or with none of them, is one script).
_LATIN = ("A-Za-z\u00aa\u00ba\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02af\u1d00-\u1dbf\u1e00-\u1eff\u2c60-\u2c7f"
          "\ua720-\ua7ff\uab30-\uab6f")
_ALL_LATIN = re.compile(f"[{_LATIN}]+")
_SOME_LATIN = re.compile(f"[{_LATIN}]")
# The blocks of the scripts with Latin lookalikes (Greek, Cyrillic, Armenian, Cherokee, Coptic, Lisu,
# the historic scripts of plane 1, ...): a quick test, as text without them has no word to fold.
_FOREIGN_BLOCK = re.compile("[\u0370-\u1cff\u1d26-\u1d2b\u1f00-\u1fff\u2c80-\u2dff\ua4d0-\ua6ff\uab70-\uabbf"
                            "\U00010000-\U0001ffff]")
# A Latin letter next to a letter of another script: without one, no word mixes scripts.
_MIXED = re.compile(f"[{_LATIN}][^\\W\\d_{_LATIN}]|[^\\W\\d_{_LATIN}][{_LATIN}]")
_SCRIPTS_KEPT = ("LATIN", "COMMON")


def _compat_class() -> re.Pattern[str]:
    """Return a regex matching one character whose compatibility form is folded in text."""
    codes = [code for low, high in _COMPAT_BLOCKS for code in range(low, high + 1)
             if unicodedata.decomposition(chr(code)).split(" ", 1)[0] in _FOLDED_TAGS
             or 0xFB00 <= code <= 0xFB06]  # the Latin ligatures ﬁ, ﬂ, ... (tagged <compat>)
    # As ranges: a class of thousands of single characters is scanned one by one (slow).
    ranges: list[list[int]] = []
    for code in codes:
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return re.compile("[" + "".join(f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges) + "]")


COMPAT = _compat_class()
# A quick test before COMPAT (a class of hundreds of ranges, slow to scan): the blocks it draws from.
_COMPAT_BLOCK = re.compile("[" + "".join(f"{chr(low)}-{chr(high)}" for low, high in _COMPAT_BLOCKS) + "]")
# Any character some step of fold_text changes (one scan instead of one per step).
_ANY_WORK = re.compile("[" + "".join(p.pattern[1:-1] for p in (INVISIBLE, CONTROL, CONTROL_SPACE, ODD_SPACE,
                                                                 LINE_SEPARATOR, _COMPAT_BLOCK, _FOREIGN_BLOCK)) + "]")


def _to_latin_table() -> dict[str, str]:
    """Return letter -> ASCII letter for the letters of other scripts that Unicode lists as lookalikes.

    A capital maps to a capital when one is listed one step away (Cyrillic "\u0406" is listed
    as "l", and "l" as "I"), so case survives the folding.
    """
    data = confusables.confusables_data
    table: dict[str, str] = {}
    for char, glyphs in data.items():
        if len(char) != 1 or not char.isalpha() or categories.alias(char) in _SCRIPTS_KEPT:
            continue
        near = [g["c"] for g in glyphs if len(g["c"]) == 1]
        far = [h["c"] for c in near for h in data.get(c, ()) if len(h["c"]) == 1]
        ascii_letters = [c for c in near + far if c.isascii() and c.isalpha()]
        if ascii_letters:
            same_case = [c for c in ascii_letters if c.isupper() == char.isupper()]
            table[char] = (same_case or ascii_letters)[0]
    return table


TO_LATIN = _to_latin_table()
# Latin letter -> its lookalike in each other script (the lowest code point wins: the basic block).
FROM_LATIN: dict[str, dict[str, str]] = {}
for _char, _latin in sorted(TO_LATIN.items(), reverse=True):
    FROM_LATIN.setdefault(categories.alias(_char), {})[_latin] = _char


@lru_cache(maxsize=65536)
def _script(char: str) -> str:
    """Return the script of a letter ("LATIN", "CYRILLIC", ...), per Unicode's Scripts data."""
    return str(categories.alias(char))


def fold_word(word: str) -> str:
    """Return a word of letters with the lookalikes of a mixed-script word folded to one script.

    A word of one script comes back unchanged. A word mixing Latin with another script is
    written in Latin when every foreign letter has a Latin lookalike ("M\u0430rta" with a Cyrillic
    "\u0430"), however many there are: the news read here is mostly Latin, and a count would let
    a disguise that swaps most letters win. Else it is written in the other script when that
    script has a lookalike for every Latin letter ("\u041ca\u0440\u0442\u0430" with a Latin "a": "\u0442"
    has no Latin lookalike); otherwise it is left as it is.
    """
    scripts = Counter(_script(c) for c in word)
    latin = scripts.pop("LATIN", 0)
    scripts.pop("COMMON", None)
    if not latin or not scripts:
        return word
    if all(c in TO_LATIN for c in word if _script(c) not in _SCRIPTS_KEPT):
        return "".join(TO_LATIN.get(c, c) for c in word)
    back = FROM_LATIN.get(next(iter(scripts)), {})
    if len(scripts) == 1 and all(c in back for c in word if _script(c) == "LATIN"):
        return "".join(back[c] if _script(c) == "LATIN" else c for c in word)
    return word


def fold_lookalikes(text: str) -> str:
    """Return ``text`` with every mixed-script word folded by :func:`fold_word` (ASCII text is returned as is)."""
    if text.isascii() or _FOREIGN_BLOCK.search(text) is None or _MIXED.search(text) is None:
        return text
    return _WORD.sub(lambda m: m[0] if _one_script(m[0]) else fold_word(m[0]), text)


def _one_script(word: str) -> bool:
    """Return True when a word surely has no letters to fold: all Latin, or no Latin at all."""
    return word.isascii() or _ALL_LATIN.fullmatch(word) is not None or _SOME_LATIN.search(word) is None


def drop_invisible(text: str) -> str:
    """Return ``text`` without invisible/format characters and controls; odd spaces, whitespace controls plain."""
    return _SPACED.sub(" ", LINE_SEPARATOR.sub("\n", _REMOVED.sub("", text)))


def fold_text(text: str) -> str:
    """Return article text with invisible characters gone, NFC, width/font forms and lookalikes folded.

    Line ends are expected as \\n already; no line or paragraph is joined or split except at
    U+2028/U+2029 (which become \\n).
    """
    if text.isascii():
        return CONTROL_SPACE.sub(" ", CONTROL.sub("", text))
    if _ANY_WORK.search(text) is None:  # most news: curly quotes and accents, nothing to fold
        return unicodedata.normalize("NFC", text)
    text = unicodedata.normalize("NFC", drop_invisible(text))
    if _COMPAT_BLOCK.search(text):
        text = COMPAT.sub(lambda m: unicodedata.normalize("NFKC", m[0]), text)
    # Folding a lookalike base letter can make it compose with a following accent: NFC again.
    return unicodedata.normalize("NFC", fold_lookalikes(text))


@lru_cache(maxsize=65536)  # the same names come back in every article and in every entity map
def fold_name(name: str) -> str:
    """Return a name folded for comparison: :func:`fold_text` plus full NFKC, whitespace collapsed.

    Folded before NFKC as well as after, so a name and its article text's folding share a key: NFKC alone can
    split a word the lookalike folding reads whole (an "A", a superscript two and an Armenian letter: the
    superscript is part of the word, the 2 NFKC makes of it is not), and fold_text of the text would then fold
    a letter that NFKC-first folding left as it was.
    """
    folded = fold_text(unicodedata.normalize("NFKC", fold_text(drop_invisible(name))))
    return " ".join(unicodedata.normalize("NFKC", folded).split())
