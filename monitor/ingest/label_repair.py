"""Label repair from the shape of a line, before names are resolved: what the small model misses or mislabels.

Pure functions over an article's sentences (their text and the model's spans), no model. Each rule is
right for news in general; measured on CoNLL-2003 by bench/conll.py (bench/RESULTS.md):
- score lines ("Velkora 2 Brastani 1", "Kent 108-3 , Surrey 429-7", "NORTHBRIDGE 71 64 .526 10",
  "NORTHBRIDGE AT LAKESIDE"): the names in the score slots are teams, so organisations; the model calls
  a team named for its town a place, and many clubs a person or nothing. A country's name stays a place
  (a national side is counted as its country, as CoNLL does);
- a dateline ("NORTHBRIDGE , Freedonia 1996-08-30", "LAKESIDE (Reuters) -"): places;
- a full name with a country in parentheses ("Mara Velloso ( Norway )", sports results): a person;
- a name before a role and a person ("Velkora captain Mara Velloso"): the team or company, unless a place;
- initials and a surname ("D. Gough", "J. Ratcliffe"), as scorecards and wire copy write people: a person;
- a model span across a spaced dash ("Romania - Cosmin Velko", "SOCCER - LAKESIDE"): cut in two;
- one article, one meaning: a name these rules label one way only keeps that label in the article's
  other model spans of it.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache

from monitor.ingest.nlp import Entity, Sentence

# A name in a score slot: one to five capitalised words ("St Pauli", "NEC Nijmegen", "Roda JC"), with the
# particles of club names ("Atletico de Madrid").
_WORD = r"[A-Z][\w'&.\-]*"
_NAME = rf"{_WORD}(?: (?:{_WORD}|de|del|la|do|da|van|der|di)){{0,4}}"
_SCORE = r"\d{1,3}(?:-\d{1,3})?"
# A name followed by a score (not by a decimal or a time: "12.71 seconds").
_SLOT = re.compile(rf"(?<![\w(])({_NAME}) +(?={_SCORE}(?![\d.:]|,\d)(?:\s|$|[,;)(]))")
# A person and their country, as sports results write them: "Mara Velloso ( Freedonia )".
_WITH_COUNTRY = re.compile(rf"(?<![\w.])({_NAME}) ?\( ?({_NAME}) ?\)")
# A standings row: a name, then only numbers and dashes ("Haitai 64 2 43 .596 -").
_STANDING = re.compile(rf"^({_NAME})((?: +(?:-|\d*\.?\d+))){{3,}}\s*$")
# A fixture: two names around AT / V / VS.
_FIXTURE = re.compile(rf"^({_NAME}) (?:AT|at|v|vs\.?|VS\.?) ({_NAME})\s*\.?$")
_PARENTHESES = re.compile(r"\([^()]*\)")
# A team's or a company's role before a person's name: "Velkora captain Mara Velloso", "Brastani chairman
# Tomas Brandt". The role word is in small letters (a capitalised "Finance Minister" is a title, not this).
_ROLES = ("captain", "coach", "manager", "striker", "midfielder", "defender", "goalkeeper", "batsman", "bowler",
          "all-rounder", "spinner", "seamer", "wicketkeeper", "skipper", "forward", "winger", "pitcher", "rider",
          "driver", "team-mate", "teammate", "chairman", "chairwoman", "spokesman", "spokeswoman", "president",
          "chief", "executive", "director", "founder", "analyst", "economist", "boss", "owner", "player")
_ROLE_OWNER = re.compile(rf"(?<![\w.])({_NAME}) (?:{'|'.join(_ROLES)}) (?={_NAME})")
# A dateline: where a story was filed, at the start of its first line: "NORTHBRIDGE 1996-08-30",
# "LAKESIDE , Freedonia 1996-08-30", "NORTHBRIDGE (Reuters) -", "Lakeside, Ruritania (AP) --".
_DATELINE = re.compile(rf"^({_NAME})(?: ?, ({_NAME}))?(?: ?, ({_NAME}))?"
                       r"(?= +(?:\d{4}-\d\d-\d\d|\d{1,2}/\d{1,2}/\d{2,4}|[A-Z][a-z]{2}\.? \d{1,2}\b)\s*$"
                       r"| ?\( ?(?:Reuters|AP|AFP|UPI|Xinhua|dpa|Bloomberg) ?\) ?[-\u2013\u2014])")
# A spaced dash inside a model span joins two things, not one name: "Romania - Cosmin Velko", "SOCCER - LAKESIDE".
_SPACED_DASH = re.compile(r"\s+[-\u2013\u2014]+\s+")
# Initials, a space and a surname: "D. Gough", "J.P. Duminy", "T. O'Gorman"; not an abbreviation ("U.S. Steel").
_INITIALS_NAME = re.compile(r"(?<![\w.])((?:[A-Z]\.){1,2}) (?:O'|Mc|Mac)?[A-Z][a-z]+(?:-[A-Z][a-z]+)?\b(?!\.\w)")
# Initials that are a place's or an organisation's abbreviation ("U.S. Steel" is no person).
_ABBREVIATIONS = frozenset(["U.S.", "U.K.", "U.N.", "E.U.", "N.Y.", "D.C.", "S.A.", "N.V.", "B.V."])
# Capitalised words that start sentences after an initial ("World War I. The"): not surnames.
_NOT_SURNAMES = frozenset(["The", "This", "That", "These", "It", "He", "She", "They", "We", "In", "On", "At",
                           "But", "And", "A", "An", "As", "If", "Its", "His", "Her", "Their", "There", "Then"])


@lru_cache(maxsize=1)
def _countries() -> frozenset[str]:
    """Return the casefolded English names of the world's countries and territories (CLDR, via Babel)."""
    from babel import Locale

    names = set(Locale("en").territories.values())
    # the home nations play as countries; CLDR lists only the United Kingdom
    names |= {"England", "Scotland", "Wales", "Northern Ireland", "Britain", "Great Britain", "Ireland", "USA", "U.S."}
    return frozenset(n.casefold() for n in names)


def is_country(name: str) -> bool:
    """Return True when ``name`` (any case) is a country's or territory's English name."""
    return " ".join(name.split()).casefold() in _countries()


def score_slots(text: str) -> list[tuple[int, int]]:
    """Return the character ranges of the team names in a score line, standings row or fixture ([] if none).

    Names inside parentheses are scorers or players, not teams, and are left out; a line with a single
    name before a number is prose ("beat Velkora 2-0"), not a score line.
    """
    bare = _PARENTHESES.sub(lambda m: " " * len(m.group()), text)
    for pattern in (_STANDING, _FIXTURE):
        found = pattern.match(bare)
        if found:
            return [found.span(g) for g in range(1, (pattern.groups or 0) + 1)
                    if found.group(g) and found.group(g)[0].isalpha()]
    slots = [m.span(1) for m in _SLOT.finditer(bare)]
    return slots if len(slots) >= 2 else []


def initial_names(text: str) -> list[tuple[int, int]]:
    """Return the character ranges of names written as initials and a surname ("D. Gough")."""
    out = []
    for found in _INITIALS_NAME.finditer(text):
        surname = found.group().replace(" ", ".").split(".")[-1]
        if surname not in _NOT_SURNAMES and found.group(1) not in _ABBREVIATIONS:
            out.append(found.span())
    return out


def role_owners(text: str, entities: Sequence[Entity]) -> list[tuple[int, int]]:
    """Return the ranges of the names whose role a person has ("Velkora" in "Velkora captain Mara Velloso").

    Only names the model called a person or missed: one it called a place or a group stays that
    ("Chicago manager ...", "German striker ...").
    """
    out = []
    for found in _ROLE_OWNER.finditer(text):
        start, end = found.span(1)
        labels = {e.label for e in entities if e.start < end and start < e.end}
        if labels <= {"PERSON"}:
            out.append((start, end))
    return out


def people_with_countries(text: str) -> list[tuple[int, int, tuple[int, int]]]:
    """Return (start, end, the country's range) of each full name followed by a country in parentheses.

    Only names of two words or more written like a person's: "Velkora ( Freedonia )" is a club.
    """
    from monitor.ingest.names import is_person_shaped

    out = []
    for found in _WITH_COUNTRY.finditer(text):
        name, country = found.group(1), found.group(2)
        if len(name.split()) >= 2 and is_person_shaped(name) and is_country(country):
            out.append((*found.span(1), found.span(2)))
    return out


def dateline_places(text: str) -> list[tuple[int, int]]:
    """Return the character ranges of the places of a dateline that starts ``text`` ([] when none does)."""
    found = _DATELINE.match(text)
    return [found.span(g) for g in (1, 2, 3) if found and found.group(g)] if found else []


def split_at_dashes(entity: Entity) -> list[Entity]:
    """Return the model span cut at spaced dashes: each piece keeps the label, but a piece written like
    a person's full name (two words or more) is a person, a country's name a place ("Romania - Cosmin Velko":
    a national side and its scorer)."""
    from monitor.ingest.names import is_person_shaped

    cuts = list(_SPACED_DASH.finditer(entity.text))
    if not cuts:
        return [entity]
    bounds = [0, *(c for m in cuts for c in m.span()), len(entity.text)]
    out = []
    for a, b in zip(bounds[::2], bounds[1::2], strict=True):
        piece = entity.text[a:b]
        if piece.strip():
            label = ("GPE" if is_country(piece) else "PERSON" if len(piece.split()) >= 2 and is_person_shaped(piece)
                     else entity.label)
            out.append(Entity(entity.start + a, entity.start + b, piece, label))
    return out


def repair(sentences: Sequence[Sentence]) -> list[Sentence]:
    """Return the sentences with the model's spans repaired from the shape of each line (see the module).

    Within the article, a name the lines label one way only ("Kent" in "Kent 108-3 , Velkora 214") has
    that label wherever the model spans it alone ("Kent stepped up a gear"): one article, one meaning.
    """
    pieces = [[piece for e in s.entities for piece in split_at_dashes(e)] for s in sentences]
    found = [_line_entities(s.text, entities) for s, entities in zip(sentences, pieces, strict=True)]
    labels: dict[str, set[str]] = {}
    for new in found:
        for entity, _ in new:
            labels.setdefault(entity.text, set()).add(entity.label)
    settled = {text: next(iter(kinds)) for text, kinds in labels.items() if len(kinds) == 1}
    out = []
    for sentence, entities, new in zip(sentences, pieces, found, strict=True):
        entities = [replace(e, label=settled.get(e.text, e.label)) for e in entities]
        for entity, keep_longer in new:
            entities = _put(entities, entity, keep_longer)
        out.append(sentence if entities == sentence.entities
                   else replace(sentence, entities=sorted(entities, key=lambda e: e.start)))
    return out


def _line_entities(text: str, entities: Sequence[Entity]) -> list[tuple[Entity, bool]]:
    """Return the spans the line's shape says, in the order they are put, each with `keep_longer` (see _put)."""
    def span(start: int, end: int, label: str) -> tuple[Entity, bool]:
        return Entity(start, end, text[start:end], label), label == "PERSON" and (start, end) in initials

    def team(start: int, end: int) -> tuple[Entity, bool]:
        return span(start, end, "GPE" if is_country(text[start:end]) else "ORG")

    initials = initial_names(text)
    out = [span(a, b, "GPE") for a, b in dateline_places(text)]
    out += [team(a, b) for a, b in role_owners(text, entities)]
    people = people_with_countries(text)
    out += [s for a, b, country in people for s in (span(a, b, "PERSON"), span(*country, "GPE"))]
    slots = score_slots(text)
    if len(slots) < 2:  # a golfer's rounds ("Mara Velloso ( Freedonia ) 69 70 71") are no team's standing
        slots = [(a, b) for a, b in slots if not any(a < end and start < b for start, end, _ in people)]
    out += [team(a, b) for a, b in slots]
    return out + [span(a, b, "PERSON") for a, b in initials]


def _put(entities: list[Entity], new: Entity, keep_longer: bool = False) -> list[Entity]:
    """Return ``entities`` with ``new`` in place of the spans it overlaps.

    ``keep_longer``: leave them as they are when one of them reaches beyond ``new`` (a model span
    "J. Smith Jones" is not cut to "J. Smith").
    """
    overlapping = [e for e in entities if e.start < new.end and new.start < e.end]
    if keep_longer and any(e.start < new.start or e.end > new.end for e in overlapping):
        return entities
    return [e for e in entities if e not in overlapping] + [new]
