"""The words and two-word phrases that set a view apart from the whole store (Media Cloud's "top words" panel,
made distinctive rather than merely frequent).

The ranking is the log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008, "Fightin'
Words", section 3.5.1): each term's share in the view against its share in the store, smoothed by a prior
proportional to the store's own counts, divided by its standard error (a z-score). A word frequent everywhere
("said") scores near zero however common it is; a word the view uses far more than the store scores high, and
more so the more evidence there is. Counts are document frequencies (each article counts a term once), so one
long article repeating a word cannot carry it.

Both sides are samples, as in Media Cloud (which samples ~1,000 stories): up to VIEW_SAMPLE articles of the
view and STORE_SAMPLE of the store, each picked by a hash of the article id (a stable, unbiased choice: the
same view gives the same words on every run). The text is tokenised here (Unicode letters, lower-cased; numbers
and spaCy's English stop words out; a phrase is two adjacent words with no stop word and no punctuation between).
"""
from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import pairwise

import pandas as pd

from monitor import schema
from monitor.read.filters import Filters, article_scope
from monitor.schema import DISTINCTIVE
from monitor.store import Store

VIEW_SAMPLE = 1_000
STORE_SAMPLE = 3_000
TEXT_CHARS = 6_000  # of each article read (its lead and body; a very long one does not dominate the time)
PRIOR = 500.0       # alpha_0: the prior's weight in pseudo-documents (Monroe et al. use a few hundred to ~1,000)
MIN_DOCS = 3        # a term in fewer articles of the view's sample is not ranked (too little evidence)
MIN_Z = 1.96        # terms over-represented beyond chance (two-sided 5%); a view like the store shows few or none

_TINY = 1e-9
_WORD = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)*")
# Between two words, anything other than spaces breaks a phrase ("oil, gas" is no phrase "oil gas").
_CLAUSE = re.compile(r"[^\w\s'\u2019]+|\d+")


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """Return spaCy's English stop words (lower-case) with the possessive endings and single letters they lack."""
    from spacy.lang.en.stop_words import STOP_WORDS  # a runtime dependency already (the NER); loaded on first use

    return frozenset({w.casefold().replace("\u2019", "'") for w in STOP_WORDS} | {"s", "t", "mr", "mrs", "ms"})


def terms(text: str) -> set[str]:
    """Return the distinct words and two-word phrases of a text (lower-case, stop words and numbers out)."""
    stops = stop_words()
    found: set[str] = set()
    for clause in _CLAUSE.split(text.casefold()):
        words = [w.replace("\u2019", "'") for w in _WORD.findall(clause)]
        words = [w[:-2] if w.endswith("'s") else w for w in words]
        kept = [w if (len(w) > 1 and w not in stops) else None for w in words]
        found.update(w for w in kept if w)
        found.update(f"{a} {b}" for a, b in pairwise(kept) if a and b)
    return found


@dataclass(frozen=True)
class DocCounts:
    """How many documents of a sample hold each term, and how many documents there are."""

    counts: Counter[str]
    docs: int

    @classmethod
    def of(cls, texts: Iterable[str]) -> DocCounts:
        """Return the document frequencies of the texts' terms."""
        counts: Counter[str] = Counter()
        n = 0
        for text in texts:
            counts.update(terms(text or ""))
            n += 1
        return cls(counts, n)


def log_odds(view: DocCounts, store: DocCounts, prior: float = PRIOR, min_docs: int = MIN_DOCS,
             min_z: float = MIN_Z, limit: int | None = 30) -> pd.DataFrame:
    """Return DISTINCTIVE: the view's terms most over-represented against the store (z >= min_z), highest first.

    Per term w, with y its counts, n the sums of all terms' counts, and alpha_w = prior * y_store / n_store:
    delta = log((y_v + a) / (n_v + a0 - y_v - a)) - log((y_s + a) / (n_s + a0 - y_s - a)),
    var = 1 / (y_v + a) + 1 / (y_s + a); z = delta / sqrt(var). A term of the view that the store's sample
    lacks (the view reaches outside it) gets the prior of a term seen half a time.
    """
    n_view, n_store = sum(view.counts.values()), sum(store.counts.values())
    rows = []
    for term, y_v in view.counts.items():
        if y_v < min_docs:
            continue
        y_s = store.counts.get(term, 0)
        alpha = prior * max(y_s, 0.5) / max(n_store, 1)
        # the odds' denominators: every other term's counts (floored: a corpus of one term has none)
        delta = (math.log((y_v + alpha) / max(n_view + prior - y_v - alpha, _TINY))
                 - math.log((y_s + alpha) / max(n_store + prior - y_s - alpha, _TINY)))
        z = delta / math.sqrt(1 / (y_v + alpha) + 1 / (y_s + alpha))
        rows.append((term, "phrase" if " " in term else "word", y_v, y_v / max(view.docs, 1), y_s,
                     y_s / max(store.docs, 1), delta, z))
    frame = pd.DataFrame(rows, columns=list(DISTINCTIVE))
    frame = frame[frame["z"] >= min_z].sort_values(["z", "term"], ascending=[False, True])
    return schema.conform(frame if limit is None else frame.head(limit), DISTINCTIVE, "distinctive")


def _sample_texts(store: Store, where: str, params: list, size: int) -> list[str]:
    """Return the title and text (cut to TEXT_CHARS) of up to `size` articles under `where`, picked by hash."""
    frame = store.query(
        f"SELECT coalesce(a.title, '') || '\n' || left(coalesce(a.text, ''), {TEXT_CHARS}) AS body FROM articles a "
        f"WHERE {where} ORDER BY hash(a.article_id), a.article_id LIMIT ?", [*params, size])
    return frame["body"].tolist()


def store_counts(store: Store, size: int = STORE_SAMPLE) -> DocCounts:
    """Return the document frequencies of a sample of the whole store (every copy, every date)."""
    return DocCounts.of(_sample_texts(store, "TRUE", [], size))


def view_counts(store: Store, f: Filters, names: tuple[str, ...] = (), size: int = VIEW_SAMPLE) -> DocCounts:
    """Return the document frequencies of a sample of the view (the filters, mentioning any of `names`)."""
    where, params = article_scope(store, replace(f, entities=names, entity_types=()), "a")
    return DocCounts.of(_sample_texts(store, where, params, size))
