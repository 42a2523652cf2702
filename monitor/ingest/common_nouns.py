"""Capitalised common nouns the model calls a person: "Gallic Acid", "L.A. County", "Agenda", "Female".

A word is a common noun here when an English dictionary lists it in lower case (Webster's Second, from the
`english-words` package) and the US Census lists it neither as a surname nor as a given name (the 1990
lists: 88,799 surnames, 5,163 given names, from the `names` package). The census is what keeps names that are
also words ("Bush", "Baker", "Rice", "Price", "Young", "Hope") persons: a person's last name is almost always
in it, a chemical's or a county's last word almost never. Names the census lacks ("Fauci", "Khamenei") are
not dictionary words either, so they pass.

Two lists rather than a frequency table: word frequencies are lower case only, so "bush" and "county" look
alike there; what tells them apart is whether people are called so.
"""
from __future__ import annotations

import re
from collections.abc import Collection
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from monitor.ingest.names import TITLES

# Shorter words are initials or name particles ("Al", "Li", "Xi", "Wu"): never judged as words.
MIN_LETTERS = 3
# Heads that make the span a place, not a thing: "L.A. County", "Harbor Island" vote for a place.
PLACE_HEADS = frozenset({"county", "city", "town", "township", "village", "parish", "borough", "state",
                         "province", "district", "island", "islands", "river", "valley", "lake", "bay", "beach",
                         "park", "square", "street", "avenue", "road", "boulevard", "bridge", "harbor", "harbour",
                         "mountain", "mountains", "canyon", "desert", "coast", "peninsula", "airport", "station",
                         "stadium", "arena"})
# A word written before a colon that labels what follows ("Guest: Ines Okafor", "Female: 49% of cases"):
# a role or a field name, never a person, even where it is also a surname ("Guest", "Host").
LABEL_WORDS = frozenset({"host", "hosts", "guest", "guests", "female", "male", "females", "males", "source",
                         "sources", "author", "authors", "editor", "editors", "reporter", "reporters", "moderator",
                         "interviewer", "narrator", "speaker", "speakers", "caller", "anchor", "producer", "producers",
                         "correspondent", "panelist", "panelists", "contributor", "contributors", "photographer",
                         "credit", "credits", "note", "update", "related", "via", "transcript", "translation",
                         "question", "answer", "audience", "witness", "other", "total", "unknown"})
_LABEL = re.compile(r"\s*:")


@lru_cache(maxsize=1)
def dictionary_words() -> frozenset[str]:
    """Return the words Webster's Second writes in lower case (about 210,000)."""
    # imported on first use: 0.1 s to read its list; the package ships no type information
    from english_words import get_english_words_set  # type: ignore[import-untyped]

    return frozenset(w for w in get_english_words_set(["web2"], lower=False, alpha=True) if w.islower())


@lru_cache(maxsize=4)  # one entry per list asked for: all names, given names
def census_names(parts: tuple[str, ...] = ("dist.all.last", "dist.female.first", "dist.male.first")) -> frozenset[str]:
    """Return the lower-cased names of the 1990 US Census lists named (surnames and given names by default)."""
    # Found through the distribution, not `import names`: a module named names.py earlier on sys.path (the
    # project's bench/names.py when a bench script runs) would shadow the package.
    dist = metadata.distribution("names")
    return frozenset(line.split(maxsplit=1)[0].casefold() for part in parts
                     for line in Path(str(dist.locate_file(f"names/{part}"))).read_text(encoding="ascii").splitlines()
                     if line.strip())


def given_names() -> frozenset[str]:
    """Return the lower-cased given names of the 1990 US Census (5,163)."""
    return census_names(("dist.female.first", "dist.male.first"))


def _plain(word: str) -> str:
    """Return a word lower-cased, without surrounding punctuation or a possessive."""
    w = word.casefold().strip(".,'\u2019")
    return w[:-2] if w.endswith(("'s", "\u2019s")) else w


def is_common_noun(word: str) -> bool:
    """Return True when `word` is a dictionary word no one is called by ("Acid", "County"; not "Bush")."""
    w = _plain(word)
    if len(w) < MIN_LETTERS or not w.isalpha():
        return False
    return w in dictionary_words() and w not in census_names()


def _is_word(word: str) -> bool:
    """Return True for a dictionary word of three letters or more (a name's word too: "Silver", "Rice")."""
    w = _plain(word)
    return len(w) >= MIN_LETTERS and w.isalpha() and w in dictionary_words()


def thing_head(name: str) -> str | None:
    """Return what a name of two words or more made of common words names instead of a person, or None.

    "place" when its last word is a place noun ("L.A. County", "Harbor Island"); "thing" when every word is a
    dictionary word ("Gallic Acid", "Freedom Pub", "Colloidal Silver"). A given name first ("Mara Baker",
    "Grace Park"), a title first ("Pope Francis") or a word no dictionary has ("Elon Musk", "Emmanuel Macron")
    keeps it a person's.
    """
    words = name.split()
    if len(words) < 2 or not _is_word(words[-1]):
        return None
    first = _plain(words[0])
    if first in given_names() or first in TITLES:
        return None
    if words[-1].casefold() in PLACE_HEADS:
        return "place"
    return "thing" if all(_is_word(w) for w in words[:-1]) else None


def ends_in_plural_noun(name: str, lowercase: Collection[str]) -> bool:
    """Return True when a name of two words or more ends in a plural noun or a verb in -s that the article
    also writes in lower case and no one is called by ("Trump Supporters", "Rachel Carson Dreams",
    "Kennedy Exposes"): a headline's word glued to the name. Surnames that look plural ("Sessions",
    "Woods") are census names; foreign ones ("Seles", "Pells") are not words the article writes in lower case."""
    words = name.split()
    if len(words) < 2:
        return False
    w = _plain(words[-1])
    if not w.endswith("s") or w.endswith("ss") or not w.isalpha() or w in census_names():
        return False
    singular = [form for form in (w[:-1], w[:-2] if w.endswith("es") else "") if len(form) >= MIN_LETTERS]
    in_text = w in lowercase or any(form in lowercase for form in singular)
    return in_text and any(form in dictionary_words() for form in singular)


def is_label(word: str, after: str) -> bool:
    """Return True when a one-word span followed by `after` is a label before a colon ("Guest: ...")."""
    return word.casefold() in LABEL_WORDS and bool(_LABEL.match(after))
