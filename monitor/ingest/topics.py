"""Topic taxonomy: keyword rules read from TOML and matched against sentences.

A taxonomy file (default: ``data/topics.toml``) holds ``[topics.<id>]`` tables, each
with a ``label``, a ``description`` and a list of ``keywords``. A keyword matches as
whole words, case-insensitively; ``*`` stands for any run of word characters, a space
or hyphen between words matches any run of whitespace or a hyphen, and an apostrophe
matches a straight or curly one.

Each topic compiles to ONE regex, an alternation with one named group per keyword, so
``m.lastgroup`` names the keyword that matched. Because :meth:`Taxonomy.match` runs on
millions of sentences it is tuned for speed:

* Case-insensitivity comes from case-folding the sentence once (``str.casefold``) and
  compiling case-folded keywords *without* ``re.IGNORECASE``. IGNORECASE compiles
  letters to case-insensitive opcodes, which switch off the regex engine's quick
  first-character test on each alternative; on Reuters sentences that made matching
  about 3x slower. Case-folding also equates "ß" and "ss".
* A word-index pre-check (a few dict look-ups per word) picks the topics whose regex
  could possibly match; on news text that is about 2 of the 18, so most regexes
  never run. Pre-check and regexes read the same folded text, so they cannot disagree.
"""
from __future__ import annotations

import hashlib
import json
import re
import tomllib
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from monitor.settings import default_file, settings_path

ENV_VAR = "MONITOR_TOPICS"  # the variable settings.py reads for "topics"
DEFAULT_PATH = default_file("topics")

_TOPIC_KEYS = {"label", "description", "keywords"}
_ID_RE = re.compile(r"[a-z][a-z0-9_]*\Z")
# Word characters plus the few punctuation marks a keyword may contain.
_KEYWORD_RE = re.compile(r"\w[\w*'\u2019.& -]*\Z")
# A space or hyphen in a keyword: any whitespace run (line breaks included) or a
# hyphen, possibly with spaces around it ("denial-\nof-service"). Atomic: what follows
# never starts with a space or hyphen, so giving some back could not help a match.
_SEP = r"(?>\s*[-\u2010\u2011]\s*|\s+)"
_WORD_RE = re.compile(r"\w+")
# A keyword's pieces: separators, runs of wildcards (one is as good as many), apostrophes,
# runs of word characters, and single other characters ("." in "x.com", "&" in "s&p").
_PIECE_RE = re.compile(r"[\s-]+|\*+|['\u2019]|\w+|[^\w\s*'\u2019-]")
# Limits that keep a taxonomy's regexes small; matching time is bounded by their shape anyway.
MAX_KEYWORD_CHARS = 200
MAX_WILDCARDS = 10


class TaxonomyError(ValueError):
    """A taxonomy file or mapping is invalid; the message names the source and topic."""


@dataclass(frozen=True)
class Topic:
    """One topic: snake_case id, dashboard label, description and keywords as written."""

    id: str
    label: str
    description: str
    keywords: tuple[str, ...]


def keyword_pattern(keyword: str) -> str:
    """Return the regex source (no boundaries, no group) for one keyword.

    Matching time is bounded: no quantifier in it can backtrack into another. A run of
    word characters and wildcards ("primar*", "a*b*c") always covers a whole word of
    the text (what follows it in the keyword, or the keyword's end, needs a non-word
    character), so it compiles to a glob over that one word: each inner literal found at
    its first place (an atomic group; the first place is right whenever any place is),
    the last one checked at the word's end in a lookahead, the rest of the word taken
    possessively. Each word start is then tried in time linear in the word.
    """
    out: list[str] = []
    segment: list[str] = []  # the word characters and wildcards of the current word
    for piece in _PIECE_RE.findall(keyword.strip()):
        if piece[0] == "*" or _WORD_RE.match(piece):
            segment.append("*" if piece[0] == "*" else piece)
            continue
        out.append(_glob(segment))
        segment = []
        if piece in ("'", "\u2019"):
            out.append("['\u2019]")
        elif piece[0].isspace() or piece[0] == "-":
            out.append(_SEP)
        else:
            out.append(re.escape(piece))
    out.append(_glob(segment))
    return "".join(out)


def _glob(segment: list[str]) -> str:
    """Return the regex for one word written with wildcards: literals and "*" (runs already collapsed)."""
    literals = "".join(segment).split("*")
    if len(literals) == 1:
        return re.escape(literals[0])
    head, *inner, last = (re.escape(text) for text in literals)
    middle = "".join(rf"(?>\w*?{text})" for text in inner)
    end = rf"(?=\w*?{last}(?!\w))" if last else ""
    return rf"{head}{middle}{end}\w*+"


def compile_keywords(keywords: Iterable[str]) -> tuple[re.Pattern[str], dict[str, str]]:
    """Compile keywords to one whole-word regex meant for case-folded text.

    Returns the pattern and a map from group name to keyword as written. Longer
    keywords come first in the alternation so that, at one position, the most
    specific is reported ("tax cut*" rather than "tax").
    """
    ordered = sorted(keywords, key=len, reverse=True)
    groups = {f"k{i}": kw for i, kw in enumerate(ordered)}
    # The named group is an empty marker at the END of each alternative, so every
    # alternative starts with a literal character: the engine then skips it after a
    # one-character test instead of entering it at every word start.
    body = "|".join(f"{keyword_pattern(kw.casefold())}(?P<{name}>)"
                    for name, kw in groups.items())
    # Lookarounds rather than \b: they also hold next to "." or "&" in a keyword.
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)"), groups


def index_token(keyword: str) -> tuple[str, bool]:
    """Return the keyword's most selective word and whether it is only a prefix.

    Every match of the keyword contains a whole word equal to this token (or starting
    with it, for a wildcard token), which is what the pre-check relies on. Exact
    tokens beat prefixes and longer beats shorter, so "on strike" indexes "strike".
    """
    best = ("", True)
    for token in re.findall(r"[\w*]+", keyword.casefold()):
        stem, star, _ = token.partition("*")
        candidate = (stem, bool(star))
        if (not candidate[1], len(stem)) > (not best[1], len(best[0])):
            best = candidate
    return best


@dataclass(frozen=True)
class _Compiled:
    """A topic's regex and the group-name -> keyword map."""

    regex: re.Pattern[str]
    groups: dict[str, str]


class Taxonomy:
    """Topics with their keyword rules compiled once."""

    def __init__(self, topics: Iterable[Topic], min_sentences: int = 1) -> None:
        self.topics: tuple[Topic, ...] = tuple(topics)
        self.min_sentences: int = min_sentences
        self._order = {t.label: i for i, t in enumerate(self.topics)}
        self._compiled = [_Compiled(*compile_keywords(t.keywords)) for t in self.topics]
        self._build_index()

    # ----------------------------------------------------------------- loading
    @classmethod
    def load(cls, path: str | Path | None = None) -> Taxonomy:
        """Read a taxonomy file and return it compiled.

        ``None`` means the default file: ``$MONITOR_TOPICS`` if set, else
        ``data/topics.toml`` in the repository. Raises :class:`TaxonomyError`.
        """
        path = settings_path("topics", path)
        try:
            with path.open("rb") as fh:
                data = tomllib.load(fh)
        except FileNotFoundError:
            raise TaxonomyError(f"{path}: topic file not found") from None
        except tomllib.TOMLDecodeError as exc:
            # tomllib's message carries the line and column of the problem.
            raise TaxonomyError(f"{path}: invalid TOML: {exc}") from None
        return cls.from_dict(data, source=str(path))

    @classmethod
    def from_dict(cls, data: Mapping, source: str = "<taxonomy>") -> Taxonomy:
        """Build a taxonomy from parsed TOML (``settings`` and ``topics`` tables).

        ``topics`` may be a table of tables keyed by id, or a list of tables each
        with an ``id``. Raises :class:`TaxonomyError` naming ``source`` and the topic.
        """
        if not isinstance(data, Mapping):
            raise TaxonomyError(f"{source}: expected a table at the top level")
        min_sentences = _min_sentences(data.get("settings", {}), source)
        topics: list[Topic] = []
        seen_ids: set[str] = set()
        seen_labels: dict[str, str] = {}
        for tid, table in _topic_tables(data.get("topics"), source):
            if tid in seen_ids:
                raise TaxonomyError(f"{source}: duplicate topic id '{tid}'")
            topic = _topic(tid, table, source)
            if topic.label.casefold() in seen_labels:
                other = seen_labels[topic.label.casefold()]
                raise TaxonomyError(
                    f"{source}: topic '{tid}': label '{topic.label}' already used by '{other}'")
            seen_ids.add(tid)
            seen_labels[topic.label.casefold()] = tid
            topics.append(topic)
        return cls(topics, min_sentences)

    # ---------------------------------------------------------------- matching
    def _build_index(self) -> None:
        """Map index words and prefixes to bitmasks of the topics they may hit."""
        self._exact: dict[str, int] = {}
        self._prefix: dict[str, int] = {}
        for bit, topic in enumerate(self.topics):
            for kw in topic.keywords:
                token, is_prefix = index_token(kw)
                table = self._prefix if is_prefix else self._exact
                table[token] = table.get(token, 0) | (1 << bit)
        self._prefix_lengths = tuple(sorted({len(p) for p in self._prefix}))

    def _candidates(self, folded: str) -> int:
        """Return a bitmask of the topics whose regex may match the folded sentence.

        A superset: every keyword match contains its index word (see
        :func:`index_token`), so no topic the regexes would hit is left out.
        """
        mask = 0
        exact, prefix, lengths = self._exact, self._prefix, self._prefix_lengths
        for word in set(_WORD_RE.findall(folded)):
            mask |= exact.get(word, 0)
            for n in lengths:
                if n > len(word):
                    break
                mask |= prefix.get(word[:n], 0)
        return mask

    def match(self, sentence: str) -> list[tuple[str, str]]:
        """Return ``[(topic_label, keyword), ...]``, one pair per topic hit.

        ``keyword`` is the taxonomy keyword, as written in the file, of the leftmost
        hit in the sentence. Topics come in taxonomy order; no hit gives ``[]``.
        """
        folded = sentence.casefold()
        mask = self._candidates(folded)
        hits: list[tuple[str, str]] = []
        bit = 0
        while mask:
            if mask & 1:
                compiled = self._compiled[bit]
                m = compiled.regex.search(folded)
                # Every alternative ends in a named group, so a match always has a lastgroup.
                if m is not None and m.lastgroup is not None:
                    hits.append((self.topics[bit].label, compiled.groups[m.lastgroup]))
            mask >>= 1
            bit += 1
        return hits

    def article_topics(self, hits: Iterable[str]) -> list[str]:
        """Return the labels hit by at least ``min_sentences`` sentences.

        ``hits`` holds one topic label per hitting sentence of one article. Most hit
        first, ties in taxonomy order; labels not in the taxonomy are ignored.
        """
        counts = Counter(label for label in hits if label in self._order)
        kept = [label for label, n in counts.items() if n >= self.min_sentences]
        return sorted(kept, key=lambda label: (-counts[label], self._order[label]))

    def fingerprint(self) -> str:
        """Return a 12-hex-digit hash of everything that affects tagging.

        Covers ids, labels, keywords (in order) and ``min_sentences``; descriptions
        are left out since editing one changes no result.
        """
        content = {
            "min_sentences": self.min_sentences,
            "topics": [[t.id, t.label, list(t.keywords)] for t in self.topics],
        }
        blob = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:12]

    def __repr__(self) -> str:
        return f"Taxonomy({len(self.topics)} topics, min_sentences={self.min_sentences})"


# ------------------------------------------------------------------ validation
def _min_sentences(settings: object, source: str) -> int:
    """Return ``settings.min_sentences`` (default 1), checked to be an int >= 1."""
    if not isinstance(settings, Mapping):
        raise TaxonomyError(f"{source}: [settings] must be a table")
    value = settings.get("min_sentences", 1)
    # bool is an int subclass; "min_sentences = true" is a mistake, not 1.
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise TaxonomyError(
            f"{source}: settings.min_sentences must be an integer >= 1, got {value!r}")
    return value


def _topic_tables(topics: object, source: str) -> Iterator[tuple[str, Mapping]]:
    """Yield ``(id, table)`` from a table of topics or a list of topics with ``id``."""
    if isinstance(topics, Mapping):
        items: Iterable[tuple[object, object]] = topics.items()
    elif isinstance(topics, list):
        items = [(t.get("id") if isinstance(t, Mapping) else None, t) for t in topics]
    else:
        raise TaxonomyError(f"{source}: no topics (expected [topics.<id>] tables)")
    if not items:
        raise TaxonomyError(f"{source}: no topics (expected [topics.<id>] tables)")
    for tid, table in items:
        if not isinstance(tid, str) or not _ID_RE.match(tid):
            raise TaxonomyError(f"{source}: topic id {tid!r} must be snake_case")
        if not isinstance(table, Mapping):
            raise TaxonomyError(f"{source}: topic '{tid}' must be a table")
        yield tid, {k: v for k, v in table.items() if k != "id"}


def _topic(tid: str, table: Mapping, source: str) -> Topic:
    """Return the validated :class:`Topic` for one table."""
    where = f"{source}: topic '{tid}'"
    unknown = set(table) - _TOPIC_KEYS
    if unknown:
        raise TaxonomyError(f"{where}: unknown key(s) {sorted(unknown)}; "
                            f"expected {sorted(_TOPIC_KEYS)}")
    label = table.get("label")
    if not isinstance(label, str) or not label.strip():
        raise TaxonomyError(f"{where}: missing or empty label")
    description = table.get("description", "")
    if not isinstance(description, str):
        raise TaxonomyError(f"{where}: description must be a string")
    return Topic(tid, label.strip(), description.strip(), _keywords(table, where))


def _check_size(keyword: str, where: str) -> None:
    """Raise TaxonomyError for a keyword over MAX_KEYWORD_CHARS characters or MAX_WILDCARDS wildcard runs."""
    if len(keyword) > MAX_KEYWORD_CHARS:
        raise TaxonomyError(f"{where}: keyword {keyword[:40]!r}... is {len(keyword)} characters long; "
                            f"at most {MAX_KEYWORD_CHARS} are allowed")
    wildcards = len(re.findall(r"\*+", keyword))
    if wildcards > MAX_WILDCARDS:
        raise TaxonomyError(f"{where}: keyword {keyword!r} has {wildcards} * wildcards; "
                            f"at most {MAX_WILDCARDS} are allowed")


def _keywords(table: Mapping, where: str) -> tuple[str, ...]:
    """Return the topic's keywords, checked: present, non-empty, legal, no duplicates."""
    keywords = table.get("keywords")
    if keywords is None:
        raise TaxonomyError(f"{where}: missing keywords")
    if not isinstance(keywords, list) or not keywords:
        raise TaxonomyError(f"{where}: keywords must be a non-empty list of strings")
    seen: dict[str, str] = {}
    for kw in keywords:
        if not isinstance(kw, str):
            raise TaxonomyError(f"{where}: keyword {kw!r} is not a string")
        if not kw.strip():
            raise TaxonomyError(f"{where}: empty keyword")
        if not _KEYWORD_RE.match(kw.strip()):
            raise TaxonomyError(
                f"{where}: bad keyword {kw!r}: must start with a letter or digit and "
                "contain only letters, digits, spaces, hyphens, ' . & and * wildcards")
        _check_size(kw.strip(), where)
        # Same rule written twice (case or spacing differs) is a copy-paste slip.
        key = " ".join(kw.casefold().replace("-", " ").split())
        if key in seen:
            raise TaxonomyError(f"{where}: duplicate keyword {kw!r} (same as {seen[key]!r})")
        seen[key] = kw
    return tuple(kw.strip() for kw in keywords)
