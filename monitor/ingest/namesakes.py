"""Which person a name stands for when the corpus knows several people by it.

`analyse` looks at the corpus's names once per rebuild of the entity map (keys and their counts):
- spellings of one person become one: a nickname and its formal form with the same surname ("Bernie
  Sanders", "Bernard Sanders"), an inverted "Surname Given" of a person the corpus knows ("Trump Donald"),
  a name with and without its middle initials when only one set of initials is known ("Donald J. Trump");
- never one: different generational suffixes ("Donald Trump Jr."), different middle initials ("George W.
  Bush", "George H. W. Bush"), different formal given names;
- a lone surname with one owner links to that owner corpus-wide (the entity map); a lone surname several
  people own, or a bare name several initialled people share ("George Bush"), is ambiguous. A lone word
  is linked by the surname only, never as someone's first name ("Barron" of "Barron Trump" is no
  evidence for "Rob Barron": it makes the word ambiguous instead). "Trump Jr." / "Donald Jr." link only
  to a person with the same suffix.

`link_articles` then settles each ambiguous name per article (the store's `name_links`): the namesake
its own article names; else the one that dominates its month in its outlet; else its month across
outlets; else it stays as written. "Dominates": named in at least twice as many articles of that
period as any other namesake (or first-name owner), and in two at least (in its own article: twice
as many mentions, as within an article at ingest). Why a month: a namesake's
prominence changes with the news (Bill Clinton in 1998, Hillary Clinton in 2016), and a month of one
outlet is the narrowest period with enough articles to count; a whole corpus over years is too wide,
which is why no corpus-wide majority is used for a shared surname.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import combinations

import pandas as pd

from monitor.ingest.names import key_suffix, key_tokens, loose_key, middles_agree, name_key
from monitor.ingest.nicknames import same_given_name

LINK_COLUMNS = ["article_id", "name", "entity", "entity_type"]
# A namesake dominates a period when named in at least this many times the articles of any other,
# and in MIN_ARTICLES at least: one article is an anecdote (The New York Times of April 2020 names
# Melania Trump in full in one article and Donald Trump in none: it writes "President Trump").
DOMINANCE = 2.0
MIN_ARTICLES = 2
# Last, the whole store: only an overwhelming lead settles it ("Trump" in 2020 news, with Donald Trump
# named in 1,915 mentions and Eric Trump in 21), so a namesake with real coverage keeps the surname apart.
CORPUS_DOMINANCE = 10.0
CORPUS_MIN_ARTICLES = 10


@dataclass
class Corpus:
    """What `analyse` found: merges, and the names that need their article to be resolved."""

    rep: dict[str, str] = field(default_factory=dict)  # key -> key of the person it spells (merged keys only)
    choices: dict[str, tuple[str, ...]] = field(default_factory=dict)  # ambiguous key -> its namesakes
    rivals: dict[str, tuple[str, ...]] = field(default_factory=dict)  # ambiguous key -> first-name owners

    def of(self, key: str) -> str:
        """Return the key of the person `key` is a spelling of (itself when merged with none)."""
        seen = {key}
        while key in self.rep and self.rep[key] not in seen:
            key = self.rep[key]
            seen.add(key)
        return key


def analyse(keys: Counter, people: set[str], linkable: set[str]) -> Corpus:
    """Return the merges and ambiguous names of a corpus.

    `keys`: mention counts per key; `people`: the multi-word keys typed person; `linkable`: the one-word
    keys that may stand for a person (not mostly a place, say).
    """
    corpus = Corpus()
    _merge_inversions(keys, people, corpus)
    _merge_initials(keys, people, corpus)
    _merge_nicknames(keys, people, corpus)
    owners = {corpus.of(k) for k in people if k not in corpus.choices}
    _link_lone(keys, owners, linkable, corpus)
    for key, choices in list(corpus.choices.items()):  # initialled namesakes merged since by a nickname
        merged = tuple(sorted({corpus.of(c) for c in choices}))
        if len(merged) == 1 and not corpus.rivals.get(key):
            corpus.rep[key] = merged[0]
            del corpus.choices[key]
        else:
            corpus.choices[key] = merged
    return corpus


def _merge_inversions(keys: Counter, people: set[str], corpus: Corpus) -> None:
    """Merge "trump donald" into "donald trump" when the corpus has that person at least as often."""
    for key in keys:
        words = key.split()
        if len(words) == 2 and key not in corpus.rep:
            given_first = f"{words[1]} {words[0]}"
            if given_first in people and keys[given_first] >= keys[key]:
                corpus.rep[key] = given_first


def _merge_initials(keys: Counter, people: set[str], corpus: Corpus) -> None:
    """Merge a name with its middle names or initials when all the corpus writes agree ("Donald J. Trump",
    "Donald John Trump", "Donald Trump"); a bare name beside several that do not is ambiguous."""
    groups: dict[str, list[str]] = defaultdict(list)
    for key in people:
        if key not in corpus.rep:
            groups[loose_key(key)].append(key)
    for loose, members in groups.items():
        initialled = sorted(k for k in members if k != loose)
        if not one_person(initialled):
            if loose in members:
                corpus.choices[loose] = tuple(initialled)
            continue
        main = max(members, key=lambda k: (keys[k], k))
        for key in members:
            if key != main:
                corpus.rep[key] = main


def one_person(keys: list[str]) -> bool:
    """Return True when every two of `keys` (one given name and surname) agree on their middle names."""
    return all(middles_agree(a, b) for a, b in combinations(keys, 2))


def _merge_nicknames(keys: Counter, people: set[str], corpus: Corpus) -> None:
    """Merge people who differ only by a nickname and its formal form, into the most mentioned.

    Only where every two given names of the group are one name: "Bill" beside "William" and
    "Robert" (both listed for it) merges with neither.
    """
    totals: Counter = Counter()
    for key in keys:
        totals[corpus.of(key)] += keys[key]
    by_rest: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for key in {corpus.of(k) for k in people if k not in corpus.choices}:
        words = key.split()
        if len(words[0]) > 1:
            by_rest[tuple(words[1:])].append(key)
    for members in by_rest.values():
        for group in _cliques(members):
            main = max(group, key=lambda k: (totals[k], k))
            for key in group:
                if key != main:
                    corpus.rep[key] = main


def _cliques(members: list[str]) -> list[list[str]]:
    """Return the groups (of two or more) of keys whose given names are pairwise one name."""
    linked: dict[str, set[str]] = defaultdict(set)
    for a, b in combinations(sorted(members), 2):
        if same_given_name(a.split()[0], b.split()[0]):
            linked[a].add(b)
            linked[b].add(a)
    groups, done = [], set()
    for key in sorted(linked):
        if key in done:
            continue
        group = {key} | linked[key]
        done |= group
        if all(linked[m] >= group - {m} for m in group):
            groups.append(sorted(group))
    return groups


def _link_lone(keys: Counter, owners: set[str], linkable: set[str], corpus: Corpus) -> None:
    """Link each lone word to the one person whose surname it is, or mark it ambiguous."""
    by_surname: dict[str, list[str]] = defaultdict(list)
    by_given: dict[str, list[str]] = defaultdict(list)
    for owner in owners:
        words = key_tokens(owner)
        by_surname[words[-1]].append(owner)
        by_given[words[0]].append(owner)
    for key in keys:
        words = key_tokens(key)
        if len(words) != 1 or key not in linkable or key in owners:
            continue
        suffix = key_suffix(key)
        if suffix:  # "trump jr", "donald jr": only a person with that suffix
            found = {o for o in by_surname[words[0]] + by_given[words[0]] if key_suffix(o) == suffix}
            choices, rivals = sorted(found), []
        else:
            choices = sorted(set(by_surname[words[0]]))
            rivals = sorted(set(by_given[words[0]]) - set(choices))
        if len(choices) == 1 and not rivals:
            corpus.rep[key] = choices[0]
        elif choices:
            corpus.choices[key] = tuple(choices)
            corpus.rivals[key] = tuple(rivals)


def link_articles(corpus: Corpus, rows: pd.DataFrame, entities: Mapping[str, tuple[str, str]]) -> pd.DataFrame:
    """Return (article_id, name, entity, entity_type) for the ambiguous names each article settles.

    `rows`: one row per article and name, with the article's `source` and `month` (and the name's
    mentions in the article, `n`; one each without it); `entities`: the
    entity and type of each person's key. Names left ambiguous get no row: the entity map's (the name
    as written) stands.
    """
    if not corpus.choices or not len(rows):
        return pd.DataFrame({c: pd.Series(dtype="string") for c in LINK_COLUMNS})
    names = rows["name"].drop_duplicates()
    key_of = dict(zip(names, names.map(name_key), strict=True))
    keys = rows["name"].map(key_of)
    wanted = {p for k in corpus.choices for p in (*corpus.choices[k], *corpus.rivals.get(k, ()))}
    persons = keys.map(corpus.of)
    named = rows[~keys.isin(corpus.choices.keys()) & persons.isin(wanted)].assign(person=persons)
    ambiguous = rows[keys.isin(corpus.choices.keys())].assign(key=keys)
    present = _mention_counts(named)
    by_outlet = _article_counts(named, ["month", "source"])
    by_month = _article_counts(named, ["month"])
    articles = named.groupby("person")["article_id"].nunique()
    overall: Counter[str] = Counter({str(k): int(v) for k, v in articles.items()})
    out = []
    for article, name, key, source, month in ambiguous[["article_id", "name", "key", "source", "month"]].itertuples(
            index=False):
        levels: list[Mapping[str, int]] = [] if pd.isna(month) else [
            by_outlet.get((month, source), Counter()), by_month.get((month,), Counter())]
        chosen = choose(corpus.choices[key], corpus.rivals.get(key, ()), present.get(article, Counter()), levels)
        if chosen is None and not any(present.get(article, Counter()).get(p, 0)
                                      for p in (*corpus.choices[key], *corpus.rivals.get(key, ()))):
            chosen = _leader(list(corpus.choices[key]), list(corpus.rivals.get(key, ())), overall,
                             CORPUS_MIN_ARTICLES, CORPUS_DOMINANCE)
        if chosen is not None and chosen in entities:
            out.append((article, name, *entities[chosen]))
    return pd.DataFrame(out, columns=LINK_COLUMNS).astype("string")


def _mention_counts(named: pd.DataFrame) -> dict[str, Counter]:
    """Return article -> person -> the article's mentions of the person (column `n`, one each without it)."""
    out: dict[str, Counter] = defaultdict(Counter)
    weights = named["n"] if "n" in named else pd.Series(1, index=named.index)
    for article, person, n in zip(named["article_id"], named["person"], weights, strict=True):
        out[article][person] += int(n)
    return out


def _article_counts(named: pd.DataFrame, by: list[str]) -> dict[tuple, Counter]:
    """Return period -> person -> the number of articles of that period naming the person."""
    counts = named.dropna(subset=["month"]).groupby([*by, "person"])["article_id"].nunique()
    out: dict[tuple, Counter] = defaultdict(Counter)
    for index, n in counts.items():
        *period, person = index if isinstance(index, tuple) else (index,)
        out[tuple(period)][person] = int(n)
    return out


def choose(choices: Iterable[str], rivals: Iterable[str], in_article: Mapping[str, int],
           levels: Iterable[Mapping[str, int]]) -> str | None:
    """Return the namesake an ambiguous name stands for, or None when it is not clear.

    The article's own (`in_article`: mentions per person): the namesake it names, or the dominant one
    of those it names; none when it names several and none dominates, or a first-name owner dominates.
    Else the dominant one at the first period (`levels`: articles per person, narrowest first) where a
    namesake dominates. A first-name owner dominating a period is no answer (the next period is asked):
    a real "Barron" is settled by his article, and headline junk ("Trump Supporters") must not stop it.
    """
    choices, rivals = list(choices), list(rivals)
    if any(in_article.get(c, 0) for c in choices + rivals):
        return _leader(choices, rivals, in_article, 1)
    for counts in levels:
        leader = _leader(choices, rivals, counts, MIN_ARTICLES)
        if leader is not None:
            return leader
    return None


def _leader(choices: list[str], rivals: list[str], counts: Mapping[str, int], least: int,
            dominance: float = DOMINANCE) -> str | None:
    """Return the namesake counted `least` times at least and `dominance` times any other (first-name owners
    included), or None."""
    ranked = sorted(choices + rivals, key=lambda c: (-counts.get(c, 0), c))
    top = counts.get(ranked[0], 0)
    if top >= least and (len(ranked) == 1 or top >= dominance * counts.get(ranked[1], 0)) and ranked[0] in choices:
        return ranked[0]
    return None
