"""Whether two given names are one name: a nickname and its formal form ("Bernie"/"Bernard", "Bill"/"William").

The table is the `nicknames` package's (a maintained, hand-curated list of English names and their
nicknames, Apache-2.0), read once. Its pairs go both ways and are generous ("Andrew" lists "Andrea"),
so two names of the same length are never taken for one: a nickname is a shortening, or a spelling
("Hillary"/"Hilary"); two formal names ("William"/"Walter", "Andrew"/"Andrea") stay apart.
"""
from __future__ import annotations

from functools import lru_cache

from nicknames import NickNamer


@lru_cache(maxsize=1)
def _namer() -> NickNamer:
    """Return the package's table (parsed once: about 2,700 pairs)."""
    return NickNamer()


@lru_cache(maxsize=65536)
def same_given_name(a: str, b: str) -> bool:
    """Return True when given names `a` and `b` (lower-case) are one name, or a nickname and its formal form."""
    if a == b:
        return True
    if len(a) == len(b) or min(len(a), len(b)) < 2:
        return False
    namer = _namer()
    return b in namer.nicknames_of(a) or a in namer.nicknames_of(b)
