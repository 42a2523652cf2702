"""Near-duplicate stories: the same wire copy, lightly edited, in several outlets.

Each article gets a MinHash signature of its word 3-shingles (datasketch); articles whose
estimated Jaccard similarity reaches THRESHOLD are one story. A story is counted once in
the dashboard by default; `copies` says how many outlets ran it.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

import numpy as np
import pandas as pd

NUM_PERM = 64
SHINGLE = 3
# Stored signatures must be compared with the scheme that made them (datasketch 2 asks for it).
SCHEME = "affine32"
THRESHOLD = 0.7
_WORD = re.compile(r"\w+")


@lru_cache(maxsize=1)
def _permutations() -> np.ndarray:
    """Return the MinHash permutations, drawn once: every MinHash would draw the same ones again."""
    from datasketch import MinHash

    return MinHash(num_perm=NUM_PERM, scheme=SCHEME).permutations


def preload() -> None:
    """Import datasketch and draw the permutations now (an ingest needs them to regroup stories anyway)."""
    _permutations()


def signature(text: str) -> bytes:
    """Return the MinHash signature of a text's word 3-shingles, as bytes for the store."""
    from datasketch import MinHash

    words = _WORD.findall(text.casefold())
    shingles = {" ".join(words[i:i + SHINGLE]) for i in range(max(len(words) - SHINGLE + 1, 1))}
    minhash = MinHash(num_perm=NUM_PERM, permutations=_permutations(), scheme=SCHEME)
    minhash.update_batch([s.encode("utf-8") for s in shingles])
    return minhash.hashvalues.astype(np.uint64).tobytes()


def _find(parent: dict[str, str], item: str) -> str:
    while parent[item] != item:
        parent[item] = parent[parent[item]]
        item = parent[item]
    return item


def _candidate_pairs(ids: list[str], signatures: list[bytes]) -> Iterable[tuple[str, str]]:
    """Yield pairs of article ids whose signatures agree on at least THRESHOLD of their values."""
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    # Shared: each MinHash would otherwise draw its own (identical) permutations, which was
    # 70% of regrouping the stories.
    permutations = _permutations()
    hashes, minhashes = {}, {}
    for aid, raw in zip(ids, signatures, strict=False):
        hashes[aid] = np.frombuffer(raw, dtype=np.uint64)
        minhashes[aid] = MinHash(num_perm=NUM_PERM, hashvalues=hashes[aid], permutations=permutations,
                                 scheme=SCHEME)
        lsh.insert(aid, minhashes[aid])
    for aid in ids:
        for other in lsh.query(minhashes[aid]):
            # LSH returns candidates; the estimated Jaccard confirms them
            if other > aid and float(np.mean(hashes[aid] == hashes[other])) >= THRESHOLD:
                yield aid, other


def group_stories(articles: pd.DataFrame) -> pd.DataFrame:
    """Return article_id -> story_id (the group's first article by date, then id) and copies (group size).

    `articles` has article_id, date and signature (bytes or None: such an article is its own story).
    """
    ordered = articles.sort_values(["date", "article_id"], na_position="last")
    parent = {aid: aid for aid in ordered["article_id"]}
    signed = ordered.dropna(subset=["signature"])
    for a, b in _candidate_pairs(signed["article_id"].tolist(), signed["signature"].tolist()):
        root_a, root_b = _find(parent, a), _find(parent, b)
        if root_a != root_b:
            parent[root_b] = root_a
    rank = {aid: n for n, aid in enumerate(ordered["article_id"])}
    roots = {aid: _find(parent, aid) for aid in parent}
    first: dict[str, str] = {}
    for aid, root in roots.items():
        if root not in first or rank[aid] < rank[first[root]]:
            first[root] = aid
    out = pd.DataFrame({"article_id": list(roots), "story_id": [first[r] for r in roots.values()]})
    out["copies"] = out.groupby("story_id")["article_id"].transform("size").astype("int64")
    return out
