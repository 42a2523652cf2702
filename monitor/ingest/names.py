"""How a name is written: cleaning, comparison keys, and what shape a person's name has.

Pure string functions, no model: they repair what the small spaCy model gets wrong in
news text (possessives inside spans, "the" before organisations, sentence fragments,
photo credits and platforms tagged as people).
"""
from __future__ import annotations

import re

from monitor.ingest.glyphs import fold_name

_QUOTES = "\"'“”\u2018\u2019`«»„"
_EDGE = _QUOTES + " .,;:!?()[]{}-–—*_|"
_POSSESSIVE = re.compile(r"(?:['\u2019]s|(?<=s)['\u2019])$")
# A break after a word (not an initial like "J.") or before a pronoun/article ends a sentence.
_SENTENCE_BREAK = re.compile(r"[a-z]{2}[.!?]\s+\S|[!?]\s+\S"
                             r"|\.\s+(?:He|She|It|They|We|I|The|This|That|But|And|His|Her|In|On|At|A)\b")
_NOT_A_NAME = re.compile(r"[/@#\\<>=+]|https?:|www\.|\.(?:com|org|net|co|uk)\b", re.IGNORECASE)
# Matched against a word's shape (see _shape): "A" for any capital, "a" for any small letter, so
# "José", "Łukasz" and "Марта" are name-shaped as "Jose" is.
_NAME_TOKEN = re.compile(r"^(?:[A-Z][a-zA-Z'\u2019\-]*[a-z][a-zA-Z'\u2019\-]*\.?|(?:[A-Z]\.){1,3}|[A-Z][a-z]?\.?"
                         r"|Mc[A-Z][a-z]+|O['\u2019][A-Z][a-z]+)$")
PARTICLES = frozenset({"de", "da", "di", "du", "del", "della", "der", "den", "van", "von", "bin", "al", "la", "le",
                       "ter", "dos", "das", "y"})
GENERATIONAL = frozenset({"jr", "sr", "ii", "iii", "iv"})
# Initials written together, periods between ("h.w", once the last period is stripped).
_INITIALS = re.compile(r"^(?:[^\W\d_]\.)+[^\W\d_]$")
TITLES = frozenset({"mr", "mrs", "ms", "dr", "sir", "dame", "lord", "lady", "president", "senator", "sen",
                    "rep", "gov", "governor", "prime", "minister", "secretary", "judge", "general", "gen",
                    "prof", "professor", "rev", "pope", "king", "queen", "prince", "princess", "vice",
                    "mayor", "councillor", "councilman", "councilwoman", "chancellor", "ambassador",
                    "chairman", "chairwoman", "premier", "speaker", "pres", "ayatollah", "hojatoleslam", "sheikh",
                    "cardinal", "archbishop", "rabbi", "imam", "emeritus", "lt", "col", "capt", "sgt", "adm",
                    "maj", "atty", "det", "insp", "supt"})
# A final word that makes a name an organisation, a product or a place, not a person.
ORG_WORDS = frozenset(["inc", "corp", "corporation", "company", "co", "ltd", "llc", "plc", "ag", "sa", "group",
                       "holdings", "bank", "banks", "party", "social", "media", "news", "times", "post", "journal",
                       "magazine", "images", "image", "photo", "photos", "press", "agency", "hq", "network", "networks",
                       "foundation", "institute", "university", "college", "school", "council", "committee",
                       "commission", "association", "department", "ministry", "office", "service", "services", "court",
                       "congress", "senate", "house", "federation", "union", "club", "airlines", "airways", "motors",
                       "technologies", "systems", "labs", "capital", "partners", "fund", "exchange", "reserve", "board",
                       "authority", "police", "army", "navy", "force", "forces", "campaign", "administration",
                       "industries", "international", "tv", "radio", "channel", "studios", "records", "bureau",
                       "center", "centre", "hospital", "church", "league", "organisation", "organization", "alliance",
                       "coalition", "movement", "project", "app", "platform", "courier", "herald", "tribune", "gazette",
                       "chronicle", "daily", "weekly", "review", "data", "tracker", "initiative", "program",
                       "programme", "act", "index", "survey", "report", "taskforce"])
# Words that, written just before a name ("Agriculture Secretary Richard Lyng") or just after
# it with a comma ("Beryl Sprinkel, chairman of ..."), say the name is a person's.
ROLE_WORDS = TITLES | frozenset(["minister", "secretary", "chairman", "chairwoman", "chair", "chief", "executive",
                                 "director", "governor", "spokesman", "spokeswoman", "spokesperson", "economist",
                                 "analyst", "commissioner", "treasurer", "deputy", "leader", "head", "official",
                                 "adviser", "advisor", "counsel", "attorney", "prosecutor", "candidate", "nominee",
                                 "hopeful", "billionaire", "investor", "founder", "owner", "banker", "trader",
                                 "manager", "president", "senator", "representative", "congressman", "congresswoman",
                                 "lawmaker", "mp", "envoy", "negotiator", "undersecretary", "comptroller", "dealer",
                                 "strategist", "executive-director", "ceo", "cfo", "coo", "md"])
MONTHS_AND_DAYS = frozenset(["january", "february", "march", "april", "may", "june", "july", "august", "september",
                             "october", "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday",
                             "saturday", "sunday", "today", "yesterday", "tomorrow"])


def clean_name(text: str) -> str | None:
    """Return the name in a raw entity span, tidied, or None when it is not a name at all.

    Strips possessives ("Trump's" -> "Trump"), a leading "the", quotes and edge
    punctuation; rejects fragments across a sentence break ("X. He"), handles, URLs,
    paths and spans with no capital letter.
    """
    # Folded as names compare (invisible characters, odd spaces, lookalikes, NFKC): the name
    # shown is then the one a reader types, whatever the article hid in it.
    name = fold_name(text)
    name = re.sub(r"^(?:the|The|THE)\s+", "", name)
    name = strip_titles(_POSSESSIVE.sub("", name.strip(_EDGE)).strip(_EDGE))
    if len(name) < 2 or len(name.split()) > 6:
        return None
    if _SENTENCE_BREAK.search(name) or _NOT_A_NAME.search(name):
        return None
    if not any(ch.isupper() for ch in name) or name.casefold() in MONTHS_AND_DAYS:
        return None
    return name


def name_key(name: str) -> str:
    """Return the key under which spellings of one name compare equal.

    Case and periods do not matter: "Donald J. Trump" and "DONALD J TRUMP" share a key, and so do
    "U.S." and "US". Middle initials do ("george w bush", "george h w bush"): they tell namesakes
    apart, and `loose_key` drops them where a corpus has only one person by that name. Neither
    does how the name is encoded (NFKC: composed or decomposed accents, full-width letters),
    invisible characters inside it (zero-width spaces, BOMs, soft hyphens, bidi controls) or a
    lookalike letter of another script in a Latin word (see :mod:`monitor.ingest.glyphs`).
    """
    words = [w.strip(".") for w in fold_name(name).casefold().replace("\u2019", "'").split()]
    if len(words) > 1:  # "H.W." is two initials, as "H. W." is; a one-word "U.S." stays "us"
        words = [part for w in words for part in (w.split(".") if _INITIALS.match(w) else [w])]
    return " ".join(w.replace(".", "") for w in words if w)


def loose_key(key: str) -> str:
    """Return a key without its middle names and initials ("george h w bush" -> "george bush"), suffix kept."""
    words, suffix = key_tokens(key), key_suffix(key)
    if len(words) >= 3:
        words = [words[0], words[-1]]
    return " ".join([*words, suffix]) if suffix else " ".join(words)


def middles_agree(a: str, b: str) -> bool:
    """Return True when keys `a` and `b` may name one person by their middle names: as many, each the same
    or one the other's initial ("donald j trump", "donald john trump"; not "george h w bush", "george w bush")."""
    left, right = key_tokens(a)[1:-1], key_tokens(b)[1:-1]
    return len(left) == len(right) and all(
        x == y or (len(x) == 1 and y.startswith(x)) or (len(y) == 1 and x.startswith(y))
        for x, y in zip(left, right, strict=True))


def key_tokens(key: str) -> list[str]:
    """Return a key's words without generational suffixes (so "trump jr" ends in "trump")."""
    words = key.split()
    while len(words) > 1 and words[-1] in GENERATIONAL:
        words = words[:-1]
    return words


def key_suffix(key: str) -> str:
    """Return a key's generational suffixes ("donald trump jr" -> "jr"; "" when none)."""
    words = key.split()
    return " ".join(words[len(key_tokens(key)):])


def is_org_like(name: str) -> bool:
    """Return True when the name's last word marks an organisation (e.g. "Getty Images", "Truth Social")."""
    words = name.casefold().replace(".", "").split()
    return bool(words) and words[-1] in ORG_WORDS


def is_person_shaped(name: str) -> bool:
    """Return True when `name` is written like a person's name: 1-5 capitalised words, no digits.

    Particles (de, van, bin, ...) may be lower-case; an all-capitals word of three or
    more letters ("DDOS", "NATO") and an organisation word at the end rule it out.
    """
    words = name.split()
    if not 1 <= len(words) <= 5 or any(ch.isdigit() for ch in name) or is_org_like(name):
        return False
    if len(words) == 1 and len(name.strip(".")) < 2:
        return False
    for word in words:
        if word.casefold() in PARTICLES and (word is not words[0] or (len(words) > 1 and word.islower())):
            continue  # "Barend de Wit"; "du Plessis" written with its particle first
        if len(word) >= 3 and word.isalpha() and word.isupper():
            return False
        if not all(_NAME_TOKEN.match(_shape(part)) for part in word.split("-") if part):
            return False
    return True


def _shape(word: str) -> str:
    """Return ``word`` with each capital letter as "A" and each small letter as "a" (any script)."""
    return "".join("A" if c.isupper() else "a" if c.islower() else c for c in word)


def strip_titles(name: str) -> str:
    """Return the name without leading honorifics ("President Joe Biden" -> "Joe Biden")."""
    words = name.split()
    while len(words) > 1 and words[0].casefold().strip(".") in TITLES:
        words = words[1:]
    return " ".join(words)


def role_context(before: str, after: str) -> bool:
    """Return True when the words around a name say it is a person's.

    `before` is the sentence text just before the name, `after` the text just after:
    "Finance Minister | Kiichi Miyazawa | said" or "Beryl Sprinkel | , chairman of".
    """
    words = before.replace("\u2019", "'").split()
    if words and words[-1].strip(".,'\"").casefold() in ROLE_WORDS:
        return True
    tail = after.lstrip()
    if tail.startswith(","):
        following = tail[1:].split()[:3]
        return any(w.strip(".,").casefold() in ROLE_WORDS for w in following)
    return False
