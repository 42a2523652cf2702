"""The corpus-wide entity map: every name's canonical entity and type, and its namesakes to settle per article.

Run at each rebuild of the store's entity map over per-(name, label) counts: the user's watchlist pins
first, then the built-in groups (monitor/ingest/groups.toml: parties written several ways), then
monitor.ingest.namesakes merges one person's spellings and links lone surnames; every entity's type is
the weighted majority of its names' labels. What `resolve_names` returns also settles, per article,
the names several people share (the store's `name_links`).
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from monitor import schema
from monitor.ingest.entities import LABEL_TYPES, TYPE_PRIORITY, display_name, vote_weight
from monitor.ingest.groups import group_keys
from monitor.ingest.names import is_person_shaped, key_tokens, name_key
from monitor.ingest.namesakes import Corpus, analyse, link_articles
from monitor.ingest.watchlist import Watchlist

# A one-word name mostly labelled a place ("Washington") is never a person's surname. One labelled a
# person in PERSON_SHARE of its votes is. One labelled so less often may still be: the model calls lone
# surnames ORG ("Pence": 12 ORG, 6 PERSON in ReCOVery), but then at least SOME_PERSON of its votes must say
# person ("Bloomberg", mostly the news agency there: 12 of 62) and every full name ending with it must be
# clearly a person's (CLEAR_PERSON of its votes).
PLACE_SHARE = 0.5
PERSON_SHARE = 0.4
SOME_PERSON = 0.25
CLEAR_PERSON = 0.75


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
            votes[key][LABEL_TYPES[label]] += int(n) * vote_weight(name)
    return keys, variants, votes


def _majority(votes: Counter, name: str) -> str:
    """Return the type with most votes (ties in TYPE_PRIORITY order); by the name's shape if none."""
    if not votes:
        return "person" if is_person_shaped(name) else "org"
    best = max(votes.values())
    return next(t for t in TYPE_PRIORITY if votes.get(t) == best)


def _linkable(keys: Counter, votes: dict[str, Counter], people: set[str], groups: Mapping[str, str]) -> set[str]:
    """Return the one-word keys that may be a person's surname (see PLACE_SHARE and CLEAR_PERSON)."""
    ending: dict[str, list[str]] = defaultdict(list)
    for key in keys:
        words = key_tokens(key)
        if len(words) > 1:
            ending[words[-1]].append(key)
    out = set()
    for key in keys:
        words, total = key_tokens(key), sum(votes[key].values())
        if len(words) != 1 or key in groups or votes[key].get("place", 0) > PLACE_SHARE * total:
            continue
        person = votes[key].get("person", 0)
        if person >= PERSON_SHARE * total or (person >= SOME_PERSON * total and all(
                k in people and votes[k].get("person", 0) >= CLEAR_PERSON * sum(votes[k].values())
                for k in ending[words[0]])):
            out.add(key)
    return out


@dataclass
class Resolution:
    """A corpus's names resolved: the entity map, and what settles its ambiguous names per article."""

    entity_map: pd.DataFrame
    corpus: Corpus
    entities: dict[str, tuple[str, str]]  # a person's key -> (entity, type)

    def name_links(self, rows: pd.DataFrame) -> pd.DataFrame:
        """Return the store's `name_links` for `rows` (article_id, name, source, month): see link_articles."""
        return link_articles(self.corpus, rows, self.entities)


def resolve_names(stats: pd.DataFrame, watchlist: Watchlist | None = None) -> Resolution:
    """Return name -> canonical entity and type for every name in `stats`, and the corpus's namesakes.

    `stats` has one row per (name, label) with `n` mentions (label "" for mentions that
    do not vote). Ignored names are left out, so they drop out of the mentions. The watchlist
    pins first, then the built-in groups (monitor/ingest/groups.toml), then namesakes.analyse.
    """
    watchlist = watchlist or Watchlist()
    keys, variants, votes = _key_stats(stats)
    groups = {k: g for k, g in group_keys().items() if k not in watchlist.canonical}
    people = {k for k in keys if len(key_tokens(k)) > 1 and k not in groups and _majority(votes[k], k) == "person"}
    corpus = analyse(keys, people, _linkable(keys, votes, people, groups))
    for pinned in set(corpus.choices) & set(watchlist.canonical):
        del corpus.choices[pinned]
    members: dict[str, list[str]] = defaultdict(list)
    for key in keys:
        members[corpus.of(key)].append(key)
    entity_of: dict[str, str] = {}
    for rep, group in members.items():
        spelt: Counter = sum((variants[k] for k in group if len(key_tokens(k)) > 1 or k == rep), Counter())
        shown = next((watchlist.canonical[k] for k in [rep, *sorted(group)] if k in watchlist.canonical), None)
        entity_of.update({k: watchlist.canonical.get(k) or shown or groups.get(k) or display_name(spelt)
                          for k in group})
    type_of = _entity_types(entity_of, votes, corpus, watchlist, set(groups))
    rows = [(name, key, entity_of[key], type_of[key])
            for key, names in variants.items() if key not in watchlist.ignored for name in names]
    frame = schema.conform(pd.DataFrame(rows, columns=list(MAP_COLUMNS)), MAP_COLUMNS, "entity_map")
    chosen = {c for options in corpus.choices.values() for c in options}
    return Resolution(frame, corpus, {c: (entity_of[c], type_of[c]) for c in chosen if c in entity_of})


def _entity_types(entity_of: dict[str, str], votes: dict[str, Counter], corpus: Corpus, watchlist: Watchlist,
                  grouped: set[str]) -> dict[str, str]:
    """Return each key's entity type: the watchlist's, a group's, else the weighted majority of the
    entity's votes. A lone word linked to a full name casts no vote (the model labels lone surnames
    erratically); one shared by several people is a person, as they all are."""
    entity_votes: dict[str, Counter] = defaultdict(Counter)
    for key, entity in entity_of.items():
        if not (len(key_tokens(key)) == 1 and corpus.of(key) != key):
            entity_votes[entity].update(votes[key])
    out = {}
    for key, entity in entity_of.items():
        if entity in watchlist.types:
            out[key] = watchlist.types[entity]
        elif key in grouped and entity not in watchlist.canonical.values():
            out[key] = "group"
        elif key in corpus.choices and entity_of.get(corpus.of(key)) == entity and len(key_tokens(key)) == 1:
            out[key] = "person"
        else:
            out[key] = _majority(entity_votes[entity], entity)
    return out


def build_entity_map(stats: pd.DataFrame, watchlist: Watchlist | None = None) -> pd.DataFrame:
    """Return name -> canonical entity and type for every name in `stats` (see entity_map.resolve_names)."""
    return resolve_names(stats, watchlist).entity_map
