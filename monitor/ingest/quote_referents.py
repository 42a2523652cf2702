"""Whom a quotation's "he", "she", "the company" or "the study" means: the name the article meant by them.

The speaker finder (monitor/ingest/quote_speakers.py) finds an attribution beside a quotation; when it is a pronoun
or a definite description, this module resolves it to a name mentioned before (the last speaker of the right
gender, a name opening its sentence, the organisation or author the article names), and keeps the types both
modules share: `Speaker` (what a quotation gets), `Named` (a name placed in the text).
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from monitor.ingest.entities import Mention
from monitor.ingest.quote_layout import Layout
from monitor.ingest.quote_marks import Span
from monitor.ingest.quote_words import PRONOUNS, previous_sentence, sentence_start

# And between the verb and a name after it: a title ("said Sen.", "said former Mayor"), not "said one".
TITLE_GAP = re.compile(r"[\s,]*(?!(?:a|an|one|the|another|some|two|three|several|many)\b)(?:[\w.\u2019'&-]+\s+){0,10}",
                        re.IGNORECASE)


# How far back a pronoun looks first for the person it means (about two paragraphs).
_PRONOUN_BACK = 700


# Lower-case words that stand before a person's name as a title.
_TITLES = frozenset(re.findall(r"\w+", "secretary spokesman spokeswoman spokesperson officer attorney adviser advisor "
                                     "aide strategist pollster analyst chief counselor counsellor manager host"))


# How far back "the company" may find the organisation it means.
_ORG_BACK = 600


# After a person's mention, the first gendered pronoun within this many characters says how the article
# refers to them.
_GENDER_WINDOW = 250


_GENDERED = re.compile(r"\b(he|him|his|she|her|hers)\b", re.IGNORECASE)


# The head nouns of a definite description that means someone the article names ("the company said", "said
# the official"), and the kind of name it means.
_ROLES = {**dict.fromkeys(re.findall(r"\w+", "company firm agency organization organisation group department "
                                     "ministry government administration network newspaper paper retailer bank "
                                     "university hospital team club airline automaker carmaker union council board "
                                     "commission authority office center centre foundation charity institute lab "
                                     "laboratory service party campaign"), "org"),
          **dict.fromkeys(re.findall(r"\w+", "president governor mayor senator minister secretary official premier "
                                     "chancellor ceo founder chairman chairwoman chair director commissioner judge "
                                     "lawmaker congressman congresswoman representative doctor professor researcher "
                                     "scientist leader executive entrepreneur economist analyst actor actress "
                                     "singer author writer coach player star businessman businesswoman "
                                     "billionaire investor physician nurse epidemiologist virologist lawyer "
                                     "attorney activist candidate nominee spokesman spokeswoman spokesperson"),
                          "person"),
          # The works that speak for their makers ("the study notes that \"…\"").
          **dict.fromkeys(re.findall(r"\w+", "study report paper survey analysis research filing lawsuit"), "work")}
_KINDS = {"PERSON": "person", "ORG": "org"}


@dataclass(frozen=True)
class Speaker:
    """Who said a quotation: `name` the mention's name key (None when not a named entity), `surface` as written
    (the resolved name's surface for a pronoun; None when unknown), how it was found (`attribution`, `cue`)."""

    name: str | None
    surface: str | None
    attribution: str  # named | pronoun | description | unknown
    cue: str  # same | adjacent | according | pronoun | continued | description | none


UNKNOWN = Speaker(None, None, "unknown", "none")


@dataclass(frozen=True)
class Named:
    """A name mention placed in the text: its offsets, name key, surface and kind (person, org or other)."""

    start: int
    end: int
    name: str
    surface: str
    kind: str
    labels: frozenset[str]

    def of(self, kind: str) -> bool:
        """Return True when the NER called any mention of this name a `kind` (person or org) in the article."""
        return {"person": "PERSON", "org": "ORG"}[kind] in self.labels


# What may stand before a subject's name: a title or two ("Former President", "Acme chief executive").
# Not an article, a preposition or a conjunction ("Since Holt said ...": Holt is a clause's subject).
OPENING_WORDS = re.compile(r"(?:(?!(?:a|an|one|the|another|some|in|on|at|of|for|with|by|to|from|since|because|"
                            r"when|if|although|though|while|after|before|as|that|who|and|but|or)\b)"
                            r"[\w.\u2019'&-]+\s+){0,3}", re.IGNORECASE)


# What may open a sentence before its subject: a short phrase and a comma ("At that time, Holt ...").
LEAD = re.compile(r"\s*(?:[A-Z][^,;:!?\"\u201c\u201d]{0,40},\s*)?")  # "In the U.K., Holt ..."


def genders(text: str, names: list[Named]) -> dict[str, str]:
    """Return name -> "m" or "f" for the people the article refers to as he or she: the pronoun that most often
    comes first after their mentions, within the next _GENDER_WINDOW characters ("Holt ... She said")."""
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for n in names:
        if n.of("person"):
            found = _GENDERED.search(text, n.end, n.end + _GENDER_WINDOW)
            if found:
                votes[n.name]["f" if found.group(1).lower() in ("she", "her", "hers") else "m"] += 1
    return {name: count.most_common(1)[0][0] for name, count in votes.items()}


def resolved(found: Speaker, span: Span, names: list[Named], earlier: list[Speaker], text: str) -> Speaker:
    """Return a pronoun's speaker: the last person (an organisation for "it", either for "they"/"we")
    mentioned before the quotation as a sentence's subject would be (not "Trump's statement", not "echoed
    Trump"), in the _PRONOUN_BACK characters before it, else the last one mentioned there, else the same
    further back, else the last named speaker; the pronoun itself when there is none. "He" is never a person
    the article calls "she", nor the other way round."""
    pronoun = (found.surface or "").lower()
    wanted = PRONOUNS.get(pronoun, "person")
    opening = span.stretches[0].open
    other = {"he": "f", "she": "m"}.get(pronoun)
    gender = genders(text, names) if other else {}
    before = [n for n in names if n.end <= opening and _fits(n, wanted) and gender.get(n.name) != other]
    near = [n for n in before if n.start >= opening - _PRONOUN_BACK]
    last = [n for n in near if n.start >= previous_sentence(text, opening)[0]]
    # A subject with no lower-case title before it, or one that opens its sentence ("As expected, Holt took aim
    # at ..."), before one that is subject-like by its title only ("the same way he treats outgoing president
    # Brandt").
    for choice in ([n for n in last if subject_like(text, n)], last,
                   [n for n in near if _opens(text, n) or _untitled_subject(text, n)],
                   [n for n in near if subject_like(text, n)],
                   near, [n for n in before if subject_like(text, n)], before):
        if choice:
            return Speaker(choice[-1].name, choice[-1].surface, "pronoun", "pronoun")
    named = [s for s in earlier if s.name]
    if named:
        return Speaker(named[-1].name, named[-1].surface, "pronoun", "pronoun")
    return found


def _opens(text: str, name: Named) -> bool:
    """Return True when `name` is its sentence's subject at its start, after a short lead phrase at most
    ("At that time, Holt", "Former Mayor Holt")."""
    start = sentence_start(text, name.start)
    lead = LEAD.match(text, start)
    return any(OPENING_WORDS.fullmatch(text[at:name.start]) for at in (start, lead.end() if lead else start)) \
        and subject_like(text, name)


def _untitled_subject(text: str, name: Named) -> bool:
    """Return True when a mention is a clause's subject with no lower-case word before it and a verb after it
    ("…, Holt says"), not one by a title after another word ("treats outgoing president Brandt") nor a list's
    or an apposition's ("the White House, Osterman and …", "the University of Wisconsin, Madison, is")."""
    before = text[max(0, name.start - 30):name.start].rstrip()
    after = text[name.end:name.end + 30]
    return subject_like(text, name) and not re.search(r"\b[a-z]+$", before) \
        and bool(re.match(r"\s+(?!(?:and|or|but|of|in|on|at|to|for|with|from)\b)[a-z]+\b", after))


def _fits(name: Named, wanted: str) -> bool:
    """Return True when a pronoun of kind `wanted` (person, org or any) may mean `name`: "it" no person."""
    if wanted == "org":
        return name.of("org") and not name.of("person")
    return name.of("person") if wanted == "person" else name.kind != "other"


def subject_like(text: str, name: Named) -> bool:
    """Return True when a mention stands where a subject does: not a possessive, not after a lower-case word
    (a verb's or a preposition's object) other than a title ("press secretary Kayleigh McEnany") or a
    possessive ("Bow & Arrow Brewing Co.'s Sheppard")."""
    if re.match(r"['\u2019]s?\b", text[name.end:name.end + 2]):
        return False
    before = text[max(0, name.start - 30):name.start].rstrip()
    word = re.search(r"(?<!['\u2019])\b[a-z]+$", before)
    return not word or word.group() in _ROLES or word.group() in _TITLES


def definite(text: str, found: Speaker, span: Span, names: list[Named]) -> Speaker:
    """Return the named speaker a definite description means, else the description: "the mayor" -> the person
    the article calls so ("Mayor Lori Lightfoot", "Holt, the mayor,"), else the one named as a subject would be
    in the quotation's sentence or the one before; "the company" -> the organisation named last in the
    _ORG_BACK characters before; "the study" -> whoever the article says conducted it."""
    # "the company's press service" means the company: the possessive's noun is the role.
    noun = re.match(r"the\s+(?:[\w-]+\s+){0,2}?([\w-]+)['\u2019]s\s", found.surface or "", re.IGNORECASE) or \
        re.fullmatch(r"the\s+(?:[\w'\u2019-]+\s+){0,3}?([\w-]+)", found.surface or "", re.IGNORECASE)
    role = noun.group(1).lower() if noun else ""
    kind = _ROLES.get(role)
    opening = span.stretches[0].open
    if kind == "work":
        meant = _author(text, role, names, opening)
    elif kind == "person":
        meant = _person_meant(text, role, span, names)
    elif kind == "org":
        meant = _org_meant(text, opening, span.stretches[-1].close, names)
    else:
        meant = None
    return Speaker(meant, found.surface, "named", "description") if meant else found


def _person_meant(text: str, role: str, span: Span, names: list[Named]) -> str | None:
    """Return the name of the person "the <role>" means: the one titled so before the quotation, else the
    person named as a subject would be in its sentence or the one before, else the one the sentence before
    calls he or she; None when there is none."""
    opening, end = span.stretches[0].open, span.stretches[-1].close
    titled = [n for n in names if n.end <= opening and n.of("person") and _titled(text, n, role)]
    if titled:
        return titled[-1].name
    start = previous_sentence(text, opening)[0]
    near = [n for n in names if start <= n.start < end and n.of("person") and not any(c.isdigit() for c in n.name)]
    near = [n for n in near if subject_like(text, n)] or near
    if near:
        return near[-1].name
    # "But he says ... \"...\" said the entrepreneur": the person the sentence before calls he or she.
    pronoun = re.search(r"\b(he|she)\b", text[start:sentence_start(text, opening)], re.IGNORECASE)
    if pronoun:
        return resolved(Speaker(None, pronoun.group(1), "pronoun", "pronoun"), span, names, [], text).name
    return None


def _org_meant(text: str, opening: int, end: int, names: list[Named]) -> str | None:
    """Return the name of the organisation "the company" means: the last named in the _ORG_BACK characters
    before (a subject first); the small NER types many a firm a facility ("Acme, the chain that ..."), taken
    when no organisation is named; None when there is none."""
    start = max(0, opening - _ORG_BACK)
    window = [n for n in names if start <= n.start < end and not any(c.isdigit() for c in n.name)]
    for typed in ([n for n in window if n.of("org") and "GPE" not in n.labels],  # "the department" is no city
                  [n for n in window if "FAC" in n.labels and not n.of("person") and subject_like(text, n)]):
        near = [n for n in typed if subject_like(text, n)] or typed
        if near:
            return near[-1].name
    return None


_AUTHORED = r"(?:conducted|led|written|authored|published|released|carried out|done|commissioned|issued|by)"


def _author(text: str, role: str, names: list[Named], opening: int) -> str | None:
    """Return the name of whoever the article says made "the <role>" (a study, a report) before the quotation:
    "a study conducted by vaccine researcher Dana Holt", "Holt's study"; None when it says nobody."""
    out = None
    for said in re.finditer(rf"\b{role}\b[^.;\n]{{0,60}}?\b{_AUTHORED}\s+(?:by\s+)?", text[:opening],
                            re.IGNORECASE):
        after = [n for n in names if said.end() <= n.start < said.end() + 40 and n.kind != "other"
                 and TITLE_GAP.fullmatch(text[said.end():n.start])]
        out = min(after, key=lambda n: n.start).name if after else out
    owners = [n for n in names if n.end < opening and n.kind != "other"
              and re.match(rf"['\u2019]s?\s+(?:[\w-]+\s+){{0,2}}?{role}\b", text[n.end:n.end + 40], re.IGNORECASE)]
    if owners and (out is None or owners[-1].start > text.rfind(out, 0, opening)):
        return owners[-1].name
    return out


def _titled(text: str, name: Named, role: str) -> bool:
    """Return True when the article gives `name` the title `role` beside it ("Mayor Lori Lightfoot",
    "Chicago Mayor Lightfoot", "Lightfoot, the city's mayor,")."""
    before = text[max(0, name.start - 30):name.start]
    after = text[name.end:name.end + 50]
    return bool(re.search(rf"\b{role}\.?\s+$", before, re.IGNORECASE)
                or re.match(rf",\s+(?:the|a|an)\s+(?:[\w'\u2019-]+\s+){{0,4}}?{role}\b", after, re.IGNORECASE))


def placed(where: Layout, mentions: Sequence[Mention], spans: Sequence[Span]) -> list[Named]:
    """Return the mentions at their offsets in the text, in order, leaving out those inside a quotation's words.

    A name is a person's when the NER called any of its mentions in the article a person (the small model
    often calls a well-known surname an organisation elsewhere), else an organisation's when it called one so.
    """
    votes: dict[str, set[str]] = defaultdict(set)  # the labels of each name's mentions
    for m in mentions:
        votes[m.name].add(m.label)
    # A surname left apart from its full name (two Fischers in one article) is still a person's.
    surnames = {name.split()[-1] for name, labels in votes.items() if "PERSON" in labels and " " in name}
    # And an organisation's short name ("Abbott" of "Abbott Laboratories") an organisation's.
    shorts = {name.split()[0] for name, labels in votes.items() if "ORG" in labels and " " in name}
    for name, labels in votes.items():
        if name in surnames:
            labels.add("PERSON")
        if name in shorts:
            labels.add("ORG")
    inside = [p for span in spans for p in span.parts]
    out = []
    for m in mentions:
        if not (0 <= m.sentence_id < len(where.starts) and 0 <= m.start < m.end):
            continue
        start, end = where.offset(m.sentence_id, m.start), where.offset(m.sentence_id, m.end - 1) + 1
        if end > where.ends[m.sentence_id]:  # a span that does not fit its sentence (a store edited by hand)
            continue
        if any(a <= start < b for a, b in inside):
            continue
        kind = next((kind for label, kind in _KINDS.items() if label in votes[m.name]), "other")
        out.append(Named(start, end, m.name, m.surface, kind, frozenset(votes[m.name])))
    return sorted(out, key=lambda n: n.start)


_ACRONYM = re.compile(r"\s*\(([A-Z][A-Za-z&]{1,7})\)")


def acronyms(text: str, names: list[Named]) -> dict[str, str]:
    """Return short name -> full name for the names the article spells out once ("the Israel Defense Forces
    (IDF)"), so a speaker called by the short name later is the full name's (the NER keeps the two apart)."""
    out: dict[str, str] = {}
    for n in names:
        found = _ACRONYM.match(text, n.end)
        if found and found.group(1) != n.name and " " in n.name:
            out.setdefault(found.group(1), n.name)
    return out
