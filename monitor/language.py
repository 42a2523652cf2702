"""Which language an article is in (py3langid: its model ships in the package, nothing is fetched).

Only English text goes through the English NER pipeline; other languages are stored and
counted, not turned into junk entities.
"""
from __future__ import annotations

from functools import lru_cache

ANALYSED = frozenset({"en"})
UNDETERMINED = "und"
# Below this probability, or on very short text, the guess is not trusted.
MIN_PROBABILITY = 0.5
MIN_CHARS = 20
SAMPLE_CHARS = 3000  # the start of an article is enough, and keeps detection cheap


@lru_cache(maxsize=1)
def _identifier():  # -> py3langid LanguageIdentifier, built once per process
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect(text: str) -> str:
    """Return the ISO 639-1 code of the text's language, or "und" when too short or unsure."""
    sample = " ".join(text[:SAMPLE_CHARS].split())
    if len(sample) < MIN_CHARS:
        return UNDETERMINED
    code, probability = _identifier().classify(sample)
    return code if probability >= MIN_PROBABILITY else UNDETERMINED


def is_analysed(code: str) -> bool:
    """Return True when articles in this language go through the NLP ("und" gets the benefit of the doubt)."""
    return code in ANALYSED or code == UNDETERMINED
