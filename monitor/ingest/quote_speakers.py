"""Who said each quotation: a named person or organisation, a pronoun resolved to one, a description, or unknown.

Looked for in this order, in the text outside the marks (offsets in the analysed text):
1. the attribution after the quotation or between its parts (`," said Smith` / `," Smith, the mayor, said` /
   `," she said` / `," a campaign spokesman said` / `," according to Smith`): cue `same`, `pronoun`,
   `description` or `according`;
2. the attribution before it in its sentence (`Smith said: "` / `According to Smith, "`); a participle of saying
   after a comma or a verb of calling beside the subject (`Smith toured X with Jones, adding: "` / `He called her
   a "`) gives it to the sentence's subject, not to the names between;
3. a person named in the same sentence (`Smith called the plan "a reckless gamble"`): `same`;
4. the quotation before it, when nothing but its attribution stands between (the paragraph goes on with the
   same speaker): `continued`; else the sentence before or after naming someone with a verb of saying: `adjacent`;
5. unknown. A pronoun is the person mentioned last before the quotation (an organisation for "it", either for
   "they"/"we"), else the last speaker. A description means whom the article named when it can ("the mayor",
   "the company's press service", "the study" -> whoever conducted it); a short name the article spelled out
   ("the Israel Defense Forces (IDF)") is the full name's; a document or press office of a name's ("TNO's
   report said") is the name's. Whom a pronoun or a description means, and the types both share: quote_referents.py.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import partial

from monitor.ingest.entities import Mention
from monitor.ingest.quote_layout import Layout
from monitor.ingest.quote_marks import Span
from monitor.ingest.quote_referents import (
    LEAD,
    OPENING_WORDS,
    TITLE_GAP,
    UNKNOWN,
    Named,
    Speaker,
    acronyms,
    definite,
    placed,
    resolved,
    subject_like,
)
from monitor.ingest.quote_words import (
    ATTRIBUTING,
    DESCRIPTION,
    PRONOUN,
    previous_sentence,
    sentence_end,
    sentence_start,
)

# How far from its verb of saying an attribution's speaker may be, in characters ("Dana Holt, the
# harbour master of Northbridge since 2019, said" is about 60).
_NEAR = 70
# Before the verb, a name with its apposition ("Michael Ryan, head of the World Health Organization's
# emergencies program, said") may be further.
_NEAR_BEFORE = 110
# What may stand between a speaker's name and the verb after it: nothing, an apposition (", the mayor,"),
# an adverb or an auxiliary ("Holt also said", "Holt has said"); not "'s spokesman", not "House official".
_SUBJECT_GAP = re.compile(r"\s*(?:,(?:[^.;:!?]|\.(?!\s+[A-Z]))*,\s*|,\s*|(?:(?:\w+ly|also|has|have|had|then|later|"
                          r"once|would|will|was|is|further|again|previously|recently|first|still)\s+){1,2})?",
                          re.IGNORECASE)
# Or a document or a press office of the name's ("TNO's report said", "Acme's press service said"): its
# words are the name's (the gold: a statement's issuer is its speaker); not "Trump's spokesman", a person.
_OWNED = re.compile(r"['\u2019]s?\s+(?:[\w-]+\s+){0,2}?(?:report|statement|study|filing|letter|release|"
                    r"press (?:service|office|release)|website|blog|account|post|tweet|analysis|survey|findings|"
                    r"lawsuit|complaint|memo|guidance|announcement)\s+", re.IGNORECASE)
_QUOTED = re.compile(r"[\"\u201c][^\"\u201c\u201d]*[\"\u201d]")
# Capitalised words that are no name: a sentence's first word, a pronoun, a day.
_NOT_NAMES = frozenset(re.findall(r"\w+", "but and the then he she it they we i this that these those in on at as "
                                  "so yet also still when while after before later monday tuesday wednesday "
                                  "thursday friday saturday sunday"))
# A group of people with no determiner ("department officials said", "representatives of the ministry said");
# not "sources", which the gold counts as no speaker.
_GROUP = re.compile(r"(?:[\w'\u2019.-]+\s+){0,3}?(?:officials|experts|researchers|scientists|doctors|"
                    r"representatives|analysts|lawmakers|leaders|organi[sz]ers|authors|investigators|prosecutors|"
                    r"police|authorities|residents|workers|critics|economists|activists|spokespeople)"
                    r"(?:\s+(?:of|for|at|from|with|in)\s+(?:[\w'\u2019.-]+\s+){0,4}[\w'\u2019.-]+)?", re.IGNORECASE)
# Words that make a phrase something other than a description of a speaker.
_NOT_NOUN = re.compile(r"\b(?:is|was|are|were|be|been|has|have|had|will|would|can|could|should|may|might|did|does|"
                       r"do|said|says|\w+ing)\b", re.IGNORECASE)
# After a quotation that ends its sentence (`… journalists." A day later, it said`), the next sentence
# attributes it only when it opens with the attribution, in a few words (`." Reuters Editor-in-Chief Jane Holt
# said`).
_ENDED_WORDS = 5
# A quotation continues the one before when at most this much text (its attribution) stands between.
_CONTINUES = 200
_ACCORDING = re.compile(r"\b(?:according to|(?:as )?reported by|as told to)\s+", re.IGNORECASE)


def find_speakers(where: Layout, spans: Sequence[Span], mentions: Sequence[Mention]) -> list[Speaker]:
    """Return the speaker of each of `spans` (in order), found in `where.text` among the article's mentions."""
    text, names = where.text, placed(where, mentions, spans)
    out: list[Speaker] = []
    for i, span in enumerate(spans):
        found = _attributed(text, span, spans[i - 1] if i else None, names)
        if found is None:
            found = _carried(text, span, spans[i - 1] if i else None, out[-1] if out else None, names)
        if found.cue == "pronoun" and found.name is None:
            found = resolved(found, span, names, out, text)
        elif found.attribution == "description":
            found = definite(text, found, span, names)
        out.append(found)
    short = acronyms(text, names)
    return [Speaker(short[s.name], s.surface, s.attribution, s.cue) if s.name in short else s for s in out]


def _regions(text: str, span: Span, before: Span | None) -> tuple[list[tuple[int, int]], tuple[int, int]]:
    """Return the text after the quotation and between its parts (each an attribution's place), and the text
    before it in its sentence (from the previous quotation's end at the earliest)."""
    last = span.stretches[-1]
    after_start = last.close + 1 if last.closed else last.close
    floor = before.stretches[-1].close + 1 if before else 0
    opening = span.stretches[0].open
    gaps = [(a.close + 1, b.open) for a, b in zip(span.stretches, span.stretches[1:], strict=False) if a.closed]
    end = sentence_end(text, after_start) if after_start < len(text) else after_start
    after = (after_start, max(after_start, end))
    return [*gaps, after], (max(floor, sentence_start(text, opening, floor)), opening)


def _attributed(text: str, span: Span, before: Span | None, names: list[Named]) -> Speaker | None:
    """Return the speaker the quotation's own sentence gives (steps 1 to 3), None when it gives none.

    A partial quotation's speaker is the subject of the writer's sentence, before it: looked at first.
    """
    following, preceding = _regions(text, span, before)
    def before_it() -> Speaker | None:
        return _subject_said(text, span, names) or _before(text, preceding, names)

    finders: list[Callable[[], Speaker | None]] = [before_it]
    finders += [partial(_after, text, r, names) for r in following]
    if not span.partial:
        finders = finders[1:] + finders[:1]
    for finder in finders:
        found = finder()
        if found:
            return found
    person = [n for n in names if preceding[0] <= n.start < preceding[1] and n.kind == "person"]
    person += [n for n in names if following[-1][0] <= n.start < following[-1][1] and n.kind == "person"]
    return Speaker(person[0].name, person[0].surface, "named", "same") if person else None


# A participle of saying that attributes a quotation to the sentence's subject ("Holt toured the pier, adding:
# \"…\"", "…, calling it \"…\""), in its last words before the quotation.
_PARTICIPLE = re.compile(r",\s*(?:(?:also|then|later|again|further|even)\s+)?(?:writing|adding|saying|noting|"
                         r"explaining|arguing|insisting|warning|declaring|stating|claiming|posting|tweeting|"
                         r"quipping|joking|asking|calling|describing|telling\s+[\w ]{1,30}?)\b"
                         r"(?P<rest>[^.;!?\"\u201c\u201d]{0,80})$")
# A verb of calling right after the subject, its object before the quotation ("Holt called him a \"…\"",
# "Holt described it as \"…\"").
_CALLING = re.compile(r"\b(?:called|calls|described|describes|dubbed|dubs|labell?ed|branded)\b"
                      r"(?P<rest>(?:\s+[\w'\u2019]+){0,4}\s*)$")
# How many words a subject before its verb may have ("Dana Holt, the mayor, said").
_SUBJECT_WORDS = 6


def _subject_said(text: str, span: Span, names: list[Named]) -> Speaker | None:
    """Return the subject of the quotation's sentence when a participle of saying after a comma (", adding:",
    ", writing:") or a verb of calling beside the subject ("He called her a \"…\"") attributes the quotation to
    it: a name opening the sentence, or a pronoun there (resolved later as "he said" is); None otherwise.

    Names between the subject and the quotation ("…, on Truth Social, writing:") are not the speaker.
    """
    opening = span.stretches[0].open
    start = sentence_start(text, opening)
    head = _QUOTED.sub(lambda m: " " * len(m.group()), text[start:opening])  # terms in marks are no verbs
    verb = _PARTICIPLE.search(head)
    calling = None if verb else _CALLING.search(head)
    if verb is None and calling is None:
        return None
    found = verb or calling
    assert found is not None
    # Another verb of saying after it, or before it past the subject's words, has a subject of its own ("The
    # condition of Holt has improved, her office said, adding that …", ", adding that Brandt said: \"…\""):
    # the other rules' case; not one right after the subject ("He reiterated that to Channel 8, saying, …").
    earlier = ATTRIBUTING.search(head[:found.start()])
    if (earlier and len(head[:earlier.start()].split()) > _SUBJECT_WORDS) or ATTRIBUTING.search(found.group("rest")):
        return None
    return _opening_subject(text, start, start + found.start(), names, strict=calling is not None)


def _opening_subject(text: str, start: int, verb: int, names: list[Named], strict: bool) -> Speaker | None:
    """Return the person or organisation (else the pronoun) that opens the sentence at `start` (after a short
    lead phrase, "At that time, Holt"), before a verb at `verb`; `strict`: only when nothing but an apposition
    or an adverb stands between it and the verb. None when the sentence opens with neither."""
    lead = LEAD.match(text, start)
    for at in dict.fromkeys((start + len(text[start:verb]) - len(text[start:verb].lstrip()), lead.end() if lead
                             else start)):
        # Not "they" or "we": often a group the article names nowhere ("Celebrities … They made videos, telling").
        pronoun = re.match(r"(he|she)\b", text[at:verb], re.IGNORECASE)
        if pronoun:
            gap = text[at + pronoun.end():verb]
            return Speaker(None, pronoun.group(1), "pronoun", "pronoun") if not strict or \
                _SUBJECT_GAP.fullmatch(gap) else None
        # "Defense attorney Dana Holt": the person the opening words lead to, not a word the NER took for a name.
        first = [n for n in names if at <= n.start < verb and n.kind != "other" and subject_like(text, n)
                 and n.surface.lower() not in _NOT_NAMES and OPENING_WORDS.fullmatch(text[at:n.start])]
        if first:
            best = max(first, key=lambda n: (n.of("person"), n.start))
            if strict and not _SUBJECT_GAP.fullmatch(text[best.end:verb]):
                return None
            return Speaker(best.name, best.surface, "named", "same")
    return None


def _after(text: str, region: tuple[int, int], names: list[Named]) -> Speaker | None:
    """Return the speaker of an attribution that follows a quotation (`," said Smith.`), None without one."""
    start, end = region
    words = text[start:end]
    according = _ACCORDING.search(words)
    if according and not words[:according.start()].strip(" ,\u2014\u2013-"):
        return _according(text, start + according.end(), end, names)
    verb = ATTRIBUTING.search(words)
    # Words of another quotation on the way ("… crisis," and "the scars will last," Brewer wrote) do not count.
    if not verb or len(_QUOTED.sub(" ", words[:verb.start()]).split()) > 14:
        return None
    if _ended(text, start) and not _opens_attribution(words[:verb.start()]):
        return None
    at, verb_end = start + verb.start(), start + verb.end()
    return _around(text, start, at, verb_end, end, names)


def _ended(text: str, after: int) -> bool:
    """Return True when the quotation closing just before `after` ends its sentence: a stop inside the marks,
    and a capital (a new sentence) after them."""
    head = text[after:after + 3].lstrip()
    return after >= 2 and text[after - 2] in ".!?" and head[:1].isupper()


def _opens_attribution(head: str) -> bool:
    """Return True when the words before a verb of saying, in the sentence after a quotation that ended its own,
    are an attribution's subject (`… inserts." Petrovsky said.`, `." Dana Holt, the mayor, said`), not a
    sentence of its own (`… journalists." A day later, it said the …`)."""
    lead = head.split(",")[0].split()
    return len(lead) <= _ENDED_WORDS and ("," not in head or all(w[:1].isupper() for w in lead))


def _around(text: str, lo: int, verb: int, verb_end: int, hi: int, names: list[Named],
            inverted: bool = True) -> Speaker | None:
    """Return the speaker beside a verb of saying at [verb, verb_end): a name, a pronoun or a description just
    before it (from `lo`) or, `inverted` (an attribution after its quotation: `," said Smith`), just after it
    (to `hi`); a person before an organisation ("Michael Ryan, head of the WHO's emergencies program, said"),
    the nearer of two of a kind. Before its quotation, what follows the verb is what was said ("She said the
    U.S. plan was \"…\""), not who said it."""
    addressed = not inverted or re.fullmatch(r"told|tells?|telling", text[verb:verb_end], re.IGNORECASE)
    near = [n for n in names if max(lo, verb - _NEAR_BEFORE) <= n.start and n.end <= verb and n.kind != "other"
            and (_SUBJECT_GAP.fullmatch(text[n.end:verb]) or _OWNED.fullmatch(text[n.end:verb]))]
    near += [n for n in names if not addressed and verb_end <= n.start < min(hi, verb_end + _NEAR_BEFORE)
             and n.kind != "other" and TITLE_GAP.fullmatch(text[verb_end:n.start])]
    head = text[max(lo, verb - _NEAR_BEFORE):verb]
    tail = text[verb_end:min(hi, verb_end + _NEAR)]
    # "she said" before the verb; after it only inverted ("said she."), not a clause's subject ("said it is").
    pronoun = re.search(r"\b(he|she|they|it|we)(?:\s+[a-z]+){0,2}\s*$", head, re.IGNORECASE) or (
        None if addressed else re.match(
        r"\s*(he|she|they|it|we)\s*(?:[,.;:!?\u2014\u2013]|$)", tail, re.IGNORECASE))
    if pronoun:
        return Speaker(None, pronoun.group(1), "pronoun", "pronoun")
    if near:
        best = min(near, key=lambda n: (not n.of("person"), verb - n.end if n.end <= verb else n.start - verb_end))
        return Speaker(best.name, best.surface, "named", "same")
    if text[verb:verb_end].lower().endswith("ing") and text[lo:verb].rstrip().endswith(","):
        # "The agency offers advice, warning Americans to \"…\"": the sentence's subject speaks.
        first = [n for n in names if lo <= n.start < verb and n.kind != "other" and subject_like(text, n)]
        if first:
            best = min(first, key=lambda n: (not n.of("person"), n.start))
            return Speaker(best.name, best.surface, "named", "same")
    return _unlabelled(head, "" if addressed else tail, names) or _description(head, "" if addressed else tail)


# A title written before a name ("said Rep. Dana Holt", "Sen. Holt said"), and a nickname in marks inside a
# name ("Jesus \u201cChuy\u201d Garcia"): neither is the name.
_TITLE = re.compile(r"^[\s,]*(?:(?:Rep|Sen|Gov|Lt|Gen|Col|Capt|Sgt|Dr|Mr|Mrs|Ms|Prof|Rev|Hon|Supt|Det|Adm|Maj|"
                    r"Cmdr|Atty|Amb|Pres|Sec|Insp|Cpl|Pvt|Fr|Sr|St)\.|(?:Representative|Senator|Governor|"
                    r"Lieutenant|General|Colonel|Captain|Sergeant|Doctor|Professor|Reverend|President|Mayor|"
                    r"Judge|Justice|Chancellor|Minister|Secretary|Commissioner|Sheriff|Chief|Speaker|Pastor|"
                    r"Father|Rabbi|Imam|Ambassador|Councilman|Councilwoman|Congressman|Congresswoman)\s)\s*")
_NICKNAME = re.compile(r"\s[\"\u201c'\u2018][A-Z][\w'\u2019.-]*[\"\u201d'\u2019](?=\s+[A-Z])")


_AFTER_PREPOSITION = re.compile(r"\b(?:in|of|at|from|for|on|with|by|near|to)\s*$")


def _unlabelled(head: str, tail: str, names: list[Named]) -> Speaker | None:
    """Return the speaker written as a capitalised name beside the verb that the NER missed there: the person
    found elsewhere in the article ("Brafman said" -> Benjamin Brafman), else the words as written ("reports
    Zero Hedge."), a speaker with no name key; None when there is none."""
    head, tail = _NICKNAME.sub(" ", head), _NICKNAME.sub(" ", tail)
    found = re.search(r"((?:\b[A-Z][\w'\u2019&.-]*\s+){0,3}\b[A-Z][\w'\u2019&-]+)(?:\s+[a-z]+ly)?\s*,?\s*$",
                      head) or re.match(
        r"[\s,]*((?:[A-Z][\w'\u2019&.-]*\s+){0,4}[A-Z][\w'\u2019&-]+)\s*(?:[,.;:!?(]|$)", _TITLE.sub("", tail))
    # A capitalised word after a preposition is a place or a firm inside a description ("an emergency room
    # doctor in Chicago wrote"), not the speaker's name.
    words = found.group(1).split() if found and not _AFTER_PREPOSITION.search(head[:found.start(1)]) else []
    while words and (words[0].lower() in _NOT_NAMES or _TITLE.fullmatch(words[0] + " ")):
        words = words[1:]
    if not words or len(words[-1]) < 3:
        return None
    # The person of that surname the article names, unless the name written gives another first name
    # ("Rep. Jesus Garcia" is not the "Tania Linares Garcia" quoted before).
    same = [n for n in names if n.of("person") and n.name.split()[-1] == words[-1]
            and (len(words) == 1 or words[0] in n.name.split())]
    if same:
        return Speaker(same[-1].name, words[-1], "named", "same")
    return Speaker(None, " ".join(words), "description", "same")


def _description(head: str, tail: str) -> Speaker | None:
    """Return a described speaker (`a campaign spokesman said` / `said one nurse,`), None when there is none.

    After the verb, the description runs to a stop or a comma, in a few words (not a clause that goes on);
    either way a noun phrase, no pronoun or verb in it ("an opinion column claiming Chicago was" is none).
    """
    clause = re.sub(r"\s+[a-z]+ly$", "", re.split(r"[,;:\u2014\u2013\"\u201c\u201d]", head)[-1].strip())
    clause = re.sub(r"^(?:(?:as|and|but|so|yet|or)\s+)+", "", clause, flags=re.IGNORECASE)  # "As a nurse wrote, \"…\""
    if (DESCRIPTION.fullmatch(clause) or _GROUP.fullmatch(clause)) and _noun_phrase(clause):
        return Speaker(None, clause, "description", "description")
    lead = re.split(r"[,;:.\u2014\u2013]|\s(?:when|who|whose|which|that|as|after|before|while|because|during|"
                    r"in an?|on)\s", tail.lstrip(" ,"), maxsplit=1)[0]
    phrase = lead.strip()
    if len(phrase.split()) <= 8 and DESCRIPTION.fullmatch(phrase) and _noun_phrase(phrase):
        return Speaker(None, phrase, "description", "description")
    return None


def _noun_phrase(phrase: str) -> bool:
    """Return True when `phrase` reads as a noun phrase: no pronoun, auxiliary or verb form in it."""
    return not PRONOUN.search(phrase) and not _NOT_NOUN.search(phrase)


def _according(text: str, start: int, end: int, names: list[Named]) -> Speaker:
    """Return the speaker named or described after "according to" (between `start` and `end`)."""
    named = [n for n in names if start <= n.start < min(end, start + _NEAR) and n.kind != "other"]
    if named:
        best = min(named, key=lambda n: (not n.of("person"), n.start))
        return Speaker(best.name, best.surface, "named", "according")
    phrase = re.split(r"[,;:.\u2014\u2013]", text[start:end], maxsplit=1)[0].strip()
    return Speaker(None, phrase, "description", "according") if phrase else UNKNOWN


def _before(text: str, region: tuple[int, int], names: list[Named]) -> Speaker | None:
    """Return the speaker of an attribution before a quotation (`Smith said: "` / `According to Smith, "`)."""
    start, end = region
    words = text[start:end]
    verbs = list(ATTRIBUTING.finditer(words))
    said = _around(text, start, start + verbs[-1].start(), start + verbs[-1].end(), end, names, False) \
        if verbs else None
    if said and said.attribution != "description":  # "she wrote, according to the Seattle Times": she
        return said
    according = list(_ACCORDING.finditer(words))
    return _according(text, start + according[-1].end(), end, names) if according else said


def _carried(text: str, span: Span, before: Span | None, last: Speaker | None, names: list[Named]) -> Speaker:
    """Return the speaker of a quotation whose sentence names none: someone the sentence before names beside a
    verb of saying (or as its subject, in the same paragraph); else the previous quotation's speaker when it is
    near; else someone the sentence after names beside a verb of saying."""
    opening = span.stretches[0].open
    previous = previous_sentence(text, opening)
    # The sentence before is the previous quotation's own (`"…," he said on the podcast. "…"`): it goes on.
    if before and last and last.attribution != "unknown" and before.stretches[-1].close >= previous[0]:
        return Speaker(last.name, last.surface, last.attribution, "continued")
    found = _before(text, previous, names) or _subject(text, previous, names)
    if found and found.attribution in ("named", "pronoun") and found.cue != "according":
        return Speaker(found.name, found.surface, found.attribution, "adjacent" if found.name else "pronoun")
    if before and last and last.attribution != "unknown" and _continues(text, before, opening):
        return Speaker(last.name, last.surface, last.attribution, "continued")
    last_close = span.stretches[-1].close + 1
    following = (sentence_end(text, last_close), sentence_end(text, sentence_end(text, last_close) + 1))
    after = _before(text, following, names)
    if after and after.attribution == "named" and after.cue != "according":
        return Speaker(after.name, after.surface, "named", "adjacent")
    # A source named for a fact in the sentence before ("…, according to the agency."): the weakest sign.
    if found and found.attribution == "named":
        return Speaker(found.name, found.surface, "named", "adjacent")
    return UNKNOWN


def _subject(text: str, region: tuple[int, int], names: list[Named]) -> Speaker | None:
    """Return the subject of the sentence in `region` when it is a person or a pronoun that opens it in the
    quotation's own paragraph ("He was diagnosed the next day. \"The dust is settled now.\"")."""
    start, end = region
    if "\n" in text[start:end].strip():
        return None
    first = [n for n in names if start <= n.start < end and n.kind == "person"]
    if first and not text[start:first[0].start].strip():
        return Speaker(first[0].name, first[0].surface, "named", "adjacent")
    pronoun = re.match(r"\s*(he|she)\b", text[start:end], re.IGNORECASE)
    return Speaker(None, pronoun.group(1), "pronoun", "pronoun") if pronoun else None


def _continues(text: str, before: Span, opening: int) -> bool:
    """Return True when the previous quotation ends near the one opening at `opening`: at most _CONTINUES
    characters and two paragraph breaks between them."""
    gap = text[before.stretches[-1].close + 1:opening]
    return len(gap) <= _CONTINUES and gap.count("\n\n") <= 2


