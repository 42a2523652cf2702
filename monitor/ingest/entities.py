"""Name-variant resolution and label repair.

Three levels, in this order:
1. within an article: a first name or surname alone is linked to the full name it
   abbreviates in the same article ("Trump" -> "Donald Trump", "Kamala" -> "Kamala Harris"),
   and names the model found once are searched for again where it missed them;
2. across the corpus (`build_entity_map`): a lone surname with no full name in its own
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

import pandas as pd

from monitor import schema
from monitor.ingest.names import (
    clean_name,
    is_org_like,
    is_person_shaped,
    key_tokens,
    name_key,
    role_context,
)
from monitor.ingest.nlp import Sentence
from monitor.ingest.watchlist import Watchlist

LABEL_TYPES = {"PERSON": "person", "ORG": "org", "GPE": "place", "LOC": "place", "FAC": "place", "NORP": "group"}
TYPE_PRIORITY = ("person", "org", "place", "group")
# Regions of a sentence that credit someone rather than mention them.
_CREDITS = [re.compile(p) for p in (
    r"\([^()]{0,80}/[^()]{0,80}\)",                                   # (Dan Kitwood/Getty Images)
    r"\b(?:Photo|Photograph|Picture|Image|Illustration|Video)s?(?: credit| by)?\s*[:|]\s*[^.;\n]{0,80}",
    r"\b(?:Photo|Picture|Image)s? (?:by|courtesy of) [^.;\n]{0,80}",
    r"\b(?:Reporting|Writing|Editing|Additional reporting|Compiled|Edited) by [^.;\n]{0,120}",
    r"[—–-]\s*[^—–()\n]{1,60}\(@\w{1,30}\)",                          # — Kamala HQ (@KamalaHQ) (embed)
    r"\bpic\.twitter\.com/\S+",
)]
_BYLINE_FILLER = frozenset({"By", "and", "in", "for", "of", "the", "&"})
# Shorter names than this are not searched for again (too many false hits: "US", "AI").
MIN_PROPAGATE = 3
# Watchlist terms are chosen by a person, so two letters will do ("US", "UK", "EU").
MIN_LISTED = 2


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
    origin: str  # ner | propagated | watchlist


def credit_regions(text: str) -> list[tuple[int, int]]:
    """Return the character ranges of a sentence that are credits, bylines or embed attributions."""
    regions = [m.span() for pattern in _CREDITS for m in pattern.finditer(text)]
    words = text.split()
    if (words and words[0] == "By" and len(words) <= 12 and len(words) > 1
            and all(w[0].isupper() or w in _BYLINE_FILLER for w in words)):
        regions.append((0, len(text)))  # the whole sentence is a byline
    return regions


def vote_label(name: str, label: str) -> str | None:
    """Return the label this mention votes for, repaired, or None when it is no entity.

    A PERSON span not written like a person's name is an organisation when its last
    word says so ("Getty Images", "Truth Social"), otherwise a fragment and dropped.
    """
    if is_org_like(name):
        return "ORG"
    if label == "PERSON" and not is_person_shaped(name):
        return None
    return label


def _overlaps(start: int, end: int, regions: Sequence[tuple[int, int]]) -> bool:
    return any(start < r_end and r_start < end for r_start, r_end in regions)


def sentence_credits(sentences: Sequence[Sentence]) -> list[list[tuple[int, int]]]:
    """Return each sentence's credit regions (computed once per article: both passes need them)."""
    return [credit_regions(sentence.text) for sentence in sentences]


def ner_mentions(sentences: Sequence[Sentence], watchlist: Watchlist,
                 credits: Sequence[Sequence[tuple[int, int]]] | None = None) -> list[Mention]:
    """Return the model's entity spans as cleaned, label-repaired mentions (no linking yet)."""
    credits = credits if credits is not None else sentence_credits(sentences)
    out: list[Mention] = []
    for sid, sentence in enumerate(sentences):
        regions = credits[sid]
        for ent in sentence.entities:
            if _overlaps(ent.start, ent.end, regions):
                continue
            name = clean_name(ent.text)
            label = ent.label
            if name and label != "PERSON" and is_person_shaped(name) and \
                    role_context(sentence.text[:ent.start], sentence.text[ent.end:ent.end + 40]):
                label = "PERSON"  # "Agriculture Secretary Richard Lyng": the model often says ORG
            vote = vote_label(name, label) if name else None
            if name is None or vote is None or watchlist.is_ignored(name):
                continue
            out.append(Mention(sid, ent.start, ent.end, name, name, vote, "ner"))
    return out


def _dominant(candidates: Sequence[str], counts: Counter) -> str | None:
    """Return the candidate mentioned at least twice as often as any other, or None."""
    ranked = sorted(candidates, key=lambda c: (-counts[c], c))
    if not ranked:
        return None
    if len(ranked) == 1 or counts[ranked[0]] >= 2 * counts[ranked[1]]:
        return ranked[0]
    return None


def _short_to_full(keys: Counter, full_people: Sequence[str]) -> dict[str, str]:
    """Map each one-word key to the dominant multi-word person key that starts or ends with it."""
    by_token: dict[str, list[str]] = defaultdict(list)
    for full in full_people:
        words = key_tokens(full)
        by_token[words[0]].append(full)
        by_token[words[-1]].append(full)
    links: dict[str, str] = {}
    for key in keys:
        words = key_tokens(key)
        if len(words) == 1 and key not in full_people:
            target = _dominant(sorted(set(by_token.get(words[0], []))), keys)
            if target:
                links[key] = target
    return links


def _weight(name: str) -> int:
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
        votes[key][m.label] += _weight(m.name)
    full_people = [k for k in keys if len(key_tokens(k)) > 1 and votes[k].most_common(1)[0][0] == "PERSON"]
    links = _short_to_full(keys, full_people)
    return {
        name: _display(variants[links[key]])
        for key, names in variants.items() if key in links for name in names
    }


def _display(variants: Counter) -> str:
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
    listed = {term: term for term, _ in watchlist.terms if len(term) >= MIN_LISTED}
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
                if match.group() not in skip and not _overlaps(*match.span(), blocked):
                    out.append(Mention(sid, *match.span(), match.group(), terms[match.group()], "", origin))
                    taken[sid].append(match.span())
    return out


def resolve_article(sentences: Sequence[Sentence], watchlist: Watchlist | None = None) -> list[Mention]:
    """Return one article's mentions, with first names and surnames linked to full names."""
    watchlist = watchlist or Watchlist()
    credits = sentence_credits(sentences)
    found = ner_mentions(sentences, watchlist, credits)
    links = link_within(found)
    # A first name or surname linked to a full name casts no vote of its own: the model labels
    # lone surnames erratically ("Lyng" as ORG), and the link already says it is that person.
    found = [Mention(m.sentence_id, m.start, m.end, m.surface, links[m.name], "", m.origin) if m.name in links
             else m for m in found]
    return sorted(found + propagate(sentences, found, watchlist, credits), key=lambda m: (m.sentence_id, m.start))


MAP_COLUMNS = {"name": "string", "key": "string", "entity": "string", "entity_type": "string"}


def _key_stats(stats: pd.DataFrame) -> tuple[Counter, dict[str, Counter], dict[str, Counter]]:
    """Return per key: mention counts, spellings with counts, and weighted type votes."""
    keys: Counter = Counter()
    variants: dict[str, Counter] = defaultdict(Counter)
    votes: dict[str, Counter] = defaultdict(Counter)
    for name, label, n in stats[["name", "label", "n"]].itertuples(index=False):
        key = name_key(name)
        keys[key] += int(n)
        variants[key][name] += int(n)
        if label in LABEL_TYPES:
            votes[key][LABEL_TYPES[label]] += int(n) * _weight(name)
    return keys, variants, votes


def _majority(votes: Counter, name: str) -> str:
    """Return the type with most votes (ties in TYPE_PRIORITY order); by the name's shape if none."""
    if not votes:
        return "person" if is_person_shaped(name) else "org"
    best = max(votes.values())
    return next(t for t in TYPE_PRIORITY if votes.get(t) == best)


def _corpus_links(keys: Counter, votes: dict[str, Counter]) -> dict[str, str]:
    """Link one-word keys that mostly vote person to the dominant full person name of the corpus."""
    full_people = [k for k in keys if len(key_tokens(k)) > 1 and _majority(votes[k], k) == "person"]
    links = _short_to_full(keys, full_people)
    # A one-word name that is mostly a place or an organisation ("Washington") stays itself.
    return {k: v for k, v in links.items() if votes[k].get("person", 0) >= 0.4 * sum(votes[k].values())}


def build_entity_map(stats: pd.DataFrame, watchlist: Watchlist | None = None) -> pd.DataFrame:
    """Return name -> canonical entity and type for every name in `stats`.

    `stats` has one row per (name, label) with `n` mentions (label "" for mentions that
    do not vote). Ignored names are left out, so they drop out of the mentions.
    """
    watchlist = watchlist or Watchlist()
    keys, variants, votes = _key_stats(stats)
    links = _corpus_links(keys, votes)
    entity_of: dict[str, str] = {}
    for key in keys:
        target = links.get(key, key)
        entity_of[key] = (watchlist.canonical.get(key) or watchlist.canonical.get(target)
                          or _display(variants[target]))
    entity_votes: dict[str, Counter] = defaultdict(Counter)
    for key, entity in entity_of.items():
        entity_votes[entity].update(votes[key])
    rows = [
        (name, key, entity_of[key],
         watchlist.types.get(entity_of[key]) or _majority(entity_votes[entity_of[key]], entity_of[key]))
        for key, names in variants.items() if key not in watchlist.ignored for name in names
    ]
    return schema.conform(pd.DataFrame(rows, columns=list(MAP_COLUMNS)), MAP_COLUMNS, "entity_map")
