"""Name-variant resolution and label repair.

Three levels, in this order:
1. within an article: a first name or surname alone is linked to the full name it
   abbreviates in the same article ("Trump" -> "Donald Trump", "Kamala" -> "Kamala Harris"),
   and names the model found once are searched for again where it missed them;
2. across the corpus (monitor/ingest/entity_map.py, `build_entity_map`): a lone surname with no full name in its own
   article is linked to the full name that dominates across the corpus, and every
   entity's type is the weighted majority of the labels of all its mentions;
3. the user's watchlist pins canonical names, aliases, types and ignored names.
Bylines, photo credits and social-media embed attributions are not mentions.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from monitor.ingest import label_repair, short_names
from monitor.ingest.common_nouns import ends_in_plural_noun, is_common_noun, is_label, thing_head
from monitor.ingest.credits import sentence_credits
from monitor.ingest.embeds import attributions
from monitor.ingest.furniture import furniture_regions
from monitor.ingest.names import (
    PARTICLES,
    clean_name,
    is_org_like,
    is_person_shaped,
    key_suffix,
    key_tokens,
    loose_key,
    middles_agree,
    name_key,
    role_context,
)
from monitor.ingest.nlp import Sentence
from monitor.ingest.not_persons import (
    headline_pieces,
    is_common_word,
    is_family_plural,
    is_group,
    is_platform,
    is_the_thing,
    lowercase_words,
    not_a_name,
    part_of_org,
)
from monitor.ingest.watchlist import Watchlist

LABEL_TYPES = {"PERSON": "person", "ORG": "org", "GPE": "place", "LOC": "place", "FAC": "place", "NORP": "group"}
TYPE_PRIORITY = ("person", "org", "place", "group")
# Shorter names than this are not searched for again (too many false hits: "US", "AI").
MIN_PROPAGATE = 3


@dataclass(frozen=True)
class Mention:
    """One entity mention in an article, before corpus-level resolution.

    `name` is the article-level resolved name; `label` the vote it casts for the
    entity's type ("" for mentions found by search, which do not vote).
    """

    sentence_id: int
    start: int
    end: int
    surface: str
    name: str
    label: str
    origin: str  # ner | propagated | watchlist | embed


def vote_label(name: str, label: str) -> str | None:
    """Return the label this mention votes for, repaired, or None when it is no entity.

    A PERSON span not written like a person's name is an organisation when its last
    word says so ("Getty Images", "Truth Social"), otherwise a fragment and dropped; a group
    of people ("Latinos") votes NORP (group), a platform ("Zoom") ORG, a disease or a deity
    ("Covid", "God") nothing.
    """
    if label in ("PERSON", "ORG") and is_group(name):
        return "NORP"  # "Latinos", "Black Americans", "Senate Republicans": a group of people
    if label == "PERSON" and not_a_name(name):
        return None  # "Covid", "God", "Brexit": no one
    if label == "PERSON" and is_platform(name):
        return "ORG"  # "Twitter", "Zoom"
    if is_org_like(name):
        return "ORG"
    if label == "PERSON" and not is_person_shaped(name):
        return None
    return label


def _overlaps(start: int, end: int, regions: Sequence[tuple[int, int]]) -> bool:
    return any(start < r_end and r_start < end for r_start, r_end in regions)


def ner_mentions(sentences: Sequence[Sentence], watchlist: Watchlist,
                 credits: Sequence[Sequence[tuple[int, int]]] | None = None) -> list[Mention]:
    """Return the model's entity spans as cleaned, label-repaired mentions (no linking yet), and the
    accounts of embedded posts (`embed_mentions`).

    A span touching a credit is dropped (its name is the credit's); the parts of a span inside page
    furniture are cut off ("Mara Velloso Hide Caption"), and so are headline words ("Disavowing Obama"
    -> "Obama"); a family in the plural ("the Clintons") votes group.
    """
    credits = credits if credits is not None else sentence_credits(sentences)
    known, singles = _known_names(sentences, watchlist)
    lowercase = lowercase_words(s.text for s in sentences)
    out: list[Mention] = []
    for sid, sentence in enumerate(sentences):
        furniture = furniture_regions(sentence.text) if sentence.entities else []
        credited = [r for r in credits[sid] if r not in furniture]
        for ent in sentence.entities:
            if _overlaps(ent.start, ent.end, credited):
                continue
            for start, end in _pieces(sentence.text, ent.start, ent.end, furniture):
                mention = _ner_mention(sentence.text, sid, (start, end), ent.label,
                                       (known, singles, lowercase))
                if mention is not None and not watchlist.is_ignored(mention.name):
                    out.append(mention)
    return out + embed_mentions(sentences, watchlist, out)


def _ner_mention(text: str, sid: int, span: tuple[int, int], label: str,
                 article: tuple[set[str], set[str], set[str]]) -> Mention | None:
    """Return the mention of one (piece of a) model span, its label repaired, or None when it is no name.

    `article` holds the surnames of its people, its one-word person spans and the words it writes in lower case.
    """
    (start, end), (known, singles, lowercase) = span, article
    name = clean_name(text[start:end])
    if label == "PERSON" and name and ends_in_plural_noun(name, lowercase) and not (thing_head(name) or
                                                                                   is_group(name)):
        end = max(text.rfind(space, start, end) for space in " \n\t")  # "Trump Supporters" -> "Trump"
        name = clean_name(text[start:end])
    if name is None or (label == "PERSON" and not_a_person(name, text, (start, end), known, lowercase)):
        return None  # "Lockdowns", "Gallic Acid", "Guest: ...": a common word, a thing, a label
    if label == "PERSON" and thing_head(name) == "place":
        label = "GPE"  # "L.A. County"
    if label != "PERSON" and is_person_shaped(name) and role_context(text[:start], text[end:end + 40]):
        label = "PERSON"  # "Agriculture Secretary Richard Lyng": the model often says ORG
    if label == "PERSON" and is_family_plural(name, known | singles):
        label = "NORP"  # "the Clintons": the family, a group
    vote = vote_label(name, label)
    return None if vote is None else Mention(sid, start, end, name, name, vote, "ner")


def not_a_person(name: str, text: str, span: tuple[int, int], known: set[str], lowercase: set[str]) -> bool:
    """Return True when a PERSON span names no one: a word the article writes in lower case or a dictionary
    word no one is called by, unless it is the surname of a person the article names in full ("Lockdowns",
    "Agenda"); a thing whose last word is a common noun ("Gallic Acid"); a label before a colon ("Guest:");
    a piece of an organisation's name ("Bill" and Melinda Gates Foundation, "Aubrey Lanston" and Co)."""
    start, end = span
    if is_label(name, text[end:end + 3]) or part_of_org(name, text[end:end + 80]):
        return True
    if len(name.split()) > 1:
        return thing_head(name) == "thing"
    if name.casefold() in known or is_platform(name) or is_group(name):
        return False  # a platform or a group votes for its own type (`vote_label`)
    if is_common_word(name, lowercase, known) or is_the_thing(text, start, end):
        return True
    # "Agenda", "Rutin": a dictionary word no one is called by, unless a title says a person is ("President X")
    return is_common_noun(name) and not role_context(text[:start], text[end:end + 40])


def _pieces(text: str, start: int, end: int, regions: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Return the parts of the span text[start:end] outside `regions` (furniture), without headline words."""
    parts = [(start, end)]
    for r_start, r_end in sorted(regions):
        parts = [piece for a, b in parts for piece in ((a, min(b, r_start)), (max(a, r_end), b))
                 if piece[1] > piece[0]] if any(a < r_end and r_start < b for a, b in parts) else parts
    out = []
    for a, b in parts:
        raw = text[a:b]
        lead = len(raw) - len(raw.lstrip())
        out += [(a + lead + p, a + lead + q) for p, q in headline_pieces(raw.strip())]
    return out


def _known_names(sentences: Sequence[Sentence], watchlist: Watchlist) -> tuple[set[str], set[str]]:
    """Return the lower-cased surnames of the people the article names in full or the watchlist lists,
    and the one-word names its model spans call a person ("Clinton", for "the Clintons")."""
    spans = [c.split() for s in sentences for e in s.entities
             if e.label == "PERSON" and (c := clean_name(e.text)) and not thing_head(c)]
    listed = [term.split() for term, entity in watchlist.terms if watchlist.types.get(entity) == "person"]
    surnames = {words[-1].casefold() for words in [*spans, *listed] if len(words) > 1 or words in listed}
    return surnames, {words[0].casefold() for words in spans if len(words) == 1}


def embed_mentions(sentences: Sequence[Sentence], watchlist: Watchlist, found: Sequence[Mention]) -> list[Mention]:
    """Return the accounts of embedded posts ("— Kamala HQ (@KamalaHQ) August 13, 2024") as mentions.

    The account said what the embed quotes: it is mentioned. It votes for an organisation (an account),
    unless the article's model spans call the same name a person (then it is that person's post, no vote).
    """
    people = {name_key(m.name) for m in found if m.label == "PERSON"}
    out = []
    for sid, sentence in enumerate(sentences):
        for account in attributions(sentence.text):
            name = clean_name(sentence.text[account.name_start:account.name_end])
            if name is None or watchlist.is_ignored(name):
                continue
            label = "" if name_key(name) in people else "ORG"
            out.append(Mention(sid, account.name_start, account.name_end, name, name, label, "embed"))
    return out


def _dominant(candidates: Sequence[str], counts: Counter) -> str | None:
    """Return the candidate mentioned at least twice as often as any other, or None."""
    ranked = sorted(candidates, key=lambda c: (-counts[c], c))
    if not ranked:
        return None
    if len(ranked) == 1 or counts[ranked[0]] >= 2 * counts[ranked[1]]:
        return ranked[0]
    return None


def _one_person_per_name(keys: Counter, full_people: Sequence[str]) -> dict[str, str]:
    """Map each full key to the spelling it shares a person with in one article: "george bush" and
    "george w bush" are one man there, unless other middle initials ("george h w bush") are there too."""
    groups: dict[str, list[str]] = defaultdict(list)
    for key in full_people:
        groups[loose_key(key)].append(key)
    alias = {}
    for loose, members in groups.items():
        together = all(middles_agree(a, b) for a in members for b in members if loose not in (a, b))
        main = max(members, key=lambda k: (keys[k], k))
        alias.update({k: main if together else k for k in members})
    return alias


def _short_to_full(keys: Counter, full_people: Sequence[str]) -> dict[str, str]:
    """Map each one-word key to the dominant multi-word person key that starts or ends with it.

    A one-word key with a generational suffix ("trump jr", "donald jr") links only to a person with
    that suffix: "Donald Jr." is never Donald Trump.
    """
    alias = _one_person_per_name(keys, full_people)
    counts: Counter = Counter()
    by_token: dict[tuple[str, str], set[str]] = defaultdict(set)
    for full in full_people:
        main, words, suffix = alias[full], key_tokens(full), key_suffix(full)
        counts[main] += keys[full]
        for token in {words[0], words[-1]}:
            by_token[(token, "")].add(main)
            if suffix:
                by_token[(token, suffix)].add(main)
    links: dict[str, str] = {}
    for key in keys:
        words = key_tokens(key)
        if len(words) == 1 and key not in full_people:
            target = _dominant(sorted(by_token.get((words[0], key_suffix(key)), ())), counts)
            if target:
                links[key] = target
    return links | _particle_tails(keys, full_people, alias, counts)


def _particle_tails(keys: Counter, full_people: Sequence[str], alias: dict[str, str],
                    counts: Counter) -> dict[str, str]:
    """Map a surname written with its particle ("de kock", "perez de cuellar") to the one full name of the
    article that ends with it ("gerhard de kock", "javier perez de cuellar")."""
    links = {}
    for key in keys:
        words = key_tokens(key)
        if len(words) < 2 or not any(w in PARTICLES for w in words[:-1]):
            continue
        owners = {alias[f] for f in full_people if len(key_tokens(f)) > len(words)
                  and key_tokens(f)[-len(words):] == words and key_suffix(f) == key_suffix(key)}
        target = _dominant(sorted(owners), counts)
        if target and target != key:
            links[key] = target
    return links


def vote_weight(name: str) -> int:
    """A span's vote weighs its number of words: a full "First Last" span is stronger evidence."""
    return len(name.split())


def link_within(mentions: Sequence[Mention]) -> dict[str, str]:
    """Return name -> full name for one article's first names and surnames used alone."""
    keys: Counter = Counter()
    variants: dict[str, Counter] = defaultdict(Counter)
    votes: dict[str, Counter] = defaultdict(Counter)
    for m in mentions:
        key = name_key(m.name)
        keys[key] += 1
        variants[key][m.name] += 1
        votes[key][m.label] += vote_weight(m.name)
    full_people = [k for k in keys if len(key_tokens(k)) > 1 and votes[k].most_common(1)[0][0] == "PERSON"]
    links = _short_to_full(keys, full_people)
    return {
        name: display_name(variants[links[key]])
        for key, names in variants.items() if key in links for name in names
    }


def display_name(variants: Counter) -> str:
    """Return the spelling to show for a key: the most frequent, then the longest."""
    return sorted(variants.items(), key=lambda kv: (-kv[1], -len(kv[0]), kv[0]))[0][0]


def _search_terms(mentions: Sequence[Mention]) -> dict[str, str]:
    """Return surface -> resolved name for the names of one article worth searching again.

    Each spelling seen, and a person's surname unless two people of the article share it.
    """
    terms = {m.surface: m.name for m in mentions}
    terms.update({m.name: m.name for m in mentions})
    surnames: dict[str, set[str]] = defaultdict(set)
    for m in mentions:
        words = m.name.split()
        if m.label == "PERSON" and len(words) > 1:
            surnames[words[-1]].add(m.name)
    for surname, owners in surnames.items():
        if len(owners) == 1 and surname not in terms:
            terms[surname] = next(iter(owners))
    return {t: n for t, n in terms.items() if len(t) >= MIN_PROPAGATE}


@lru_cache(maxsize=256)
def _term_pattern(terms: tuple[str, ...]) -> re.Pattern[str] | None:
    """Return one case-sensitive whole-word regex for the terms, longest first, or None.

    Cached: the watchlist's terms are the same for every article.
    """
    if not terms:
        return None
    alternation = "|".join(re.escape(t) for t in sorted(set(terms), key=lambda t: (-len(t), t)))
    return re.compile(rf"(?<!\w)(?:{alternation})(?!\w)")


def propagate(sentences: Sequence[Sentence], mentions: Sequence[Mention], watchlist: Watchlist,
              credits: Sequence[Sequence[tuple[int, int]]] | None = None) -> list[Mention]:
    """Return further mentions of the article's names (and the watchlist's) where the model missed them."""
    found = _search_terms(mentions)
    # Terms of one or two characters ("X", "EU") are searched apart, with rules that keep them precise.
    listed = {term: term for term, _ in watchlist.terms if not short_names.is_short(term)}
    taken: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for m in mentions:
        taken[m.sentence_id].append((m.start, m.end))
    out: list[Mention] = []
    # The watchlist's pattern is the same for every article (compiled once): its terms the
    # article's own names already cover are skipped after matching, not left out of it.
    credits = credits if credits is not None else sentence_credits(sentences)
    for terms, skip, origin in ((found, {}, "propagated"), (listed, found, "watchlist")):
        pattern = _term_pattern(tuple(sorted(terms)))
        if pattern is None:
            continue
        for sid, sentence in enumerate(sentences):
            blocked = [*taken[sid], *credits[sid]]
            for match in pattern.finditer(sentence.text):
                if match.group() not in skip and not _overlaps(*match.span(), blocked) and \
                        not part_of_org(match.group(), sentence.text[match.end():match.end() + 80]):
                    out.append(Mention(sid, *match.span(), match.group(), terms[match.group()], "", origin))
                    taken[sid].append(match.span())
    hits = short_names.find([s.text for s in sentences], (t for t, _ in watchlist.terms), watchlist.siblings(),
                            watchlist.confirm)
    return out + [Mention(h.sentence_id, h.start, h.end, h.term, h.term, "", "watchlist") for h in hits
                  if not _overlaps(h.start, h.end, [*taken[h.sentence_id], *credits[h.sentence_id]])]


def resolve_article(sentences: Sequence[Sentence], watchlist: Watchlist | None = None) -> list[Mention]:
    """Return one article's mentions, with first names and surnames linked to full names."""
    watchlist = watchlist or Watchlist()
    sentences = label_repair.repair(sentences)  # score lines' teams, "D. Gough" (see label_repair)
    credits = sentence_credits(sentences)
    found = ner_mentions(sentences, watchlist, credits)
    links = link_within(found)
    # A first name or surname linked to a full name casts no vote of its own: the model labels
    # lone surnames erratically ("Lyng" as ORG), and the link already says it is that person.
    found = [Mention(m.sentence_id, m.start, m.end, m.surface, links[m.name], "", m.origin) if m.name in links
             else m for m in found]
    return sorted(found + propagate(sentences, found, watchlist, credits), key=lambda m: (m.sentence_id, m.start))
