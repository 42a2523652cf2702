"""The query language of the search box and of `export --query`: parsed, checked, and translated to SQLite FTS5.

Grammar (README, "Searching the text"), loosest binding first::

    query   := or
    or      := and ("OR" and)*
    and     := not ("AND"? not)*            two parts side by side mean AND
    not     := "NOT" not | near
    near    := leaf ("NEAR/" N leaf)?       the two within N words of each other, either order
    leaf    := word | word* | "a phrase" | "a phrase"~N | ( or )

Operators are written in capitals (lower-case "and" is a word to search for); words and phrases match any
case and any accent; ``*`` ends a word to match every word it begins (``immigra*``). ``"trump wall"~10``
is the phrase's words within 10 words of each other, in any order (FTS5's NEAR); ``trump NEAR/10 wall``
the same for two words or phrases. A query that cannot be read raises QueryError, saying where and why.

The parser is a lark grammar (a real parser, not pattern matching); the tree becomes the nodes below, which
`to_fts5` renders as an FTS5 MATCH expression and `matches` evaluates directly over a text (the reference the
tests compare the index with).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from lark import Lark, Token, Transformer
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken, VisitError

MAX_LENGTH = 2_000  # characters: longer is refused (a pasted article is not a query)
MAX_DISTANCE = 1_000  # words, for NEAR/N and "…"~N

_GRAMMAR = r"""
?start: or_
?or_: and_ (_OR and_)*
?and_: not_ (_AND? not_)*
?not_: _NOT not_ -> negate
     | near
?near: leaf (NEAR leaf)?
?leaf: WORD -> word
     | PHRASE -> phrase
     | "(" or_ ")"
_OR: "OR"
_AND: "AND"
_NOT: "NOT"
NEAR.2: /NEAR\/[0-9]+/
PHRASE: /"[^"]*"(~[0-9]+)?/
WORD: /[^\s()"]+/
%ignore /\s+/
"""
# The basic lexer: AND, OR, NOT and NEAR/N are operators wherever they stand (never a word to search).
_PARSER = Lark(_GRAMMAR, parser="lalr", lexer="basic")
# unicode61's token characters are letters, digits and private-use characters; everything else separates
# words. `\w` minus "_" is the same for every letter and digit this reference is tested on.
_TOKEN = re.compile(r"[^\W_]+")


class QueryError(ValueError):
    """A query that cannot be read: the message says where (character N) and why, for the page."""


@dataclass(frozen=True)
class Words:
    """A word or phrase: its text as typed (FTS5 tokenizes it as it tokenized the articles); prefix: ends in *."""

    text: str
    prefix: bool = False


@dataclass(frozen=True)
class Near:
    """Two words or phrases within `distance` words of each other, in either order."""

    left: Words
    right: Words
    distance: int


@dataclass(frozen=True)
class And:
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    part: Node


Node = Words | Near | And | Or | Not


def tokens(text: str) -> list[str]:
    """Return the words of a text as the index sees them: lower case, accents dropped (é -> e), split at
    anything but letters and digits (FTS5's unicode61 tokenizer)."""
    bare = "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))
    return _TOKEN.findall(bare)


def parse(query: str) -> Node | None:
    """Return the query's tree, or None for an empty query (no restriction); raise QueryError when unreadable."""
    if not query.strip():
        return None
    if len(query) > MAX_LENGTH:
        raise QueryError(f"the query is {len(query):,} characters long; at most {MAX_LENGTH:,} are read")
    # Control characters separate words for the index too, and a NUL would end FTS5's string early.
    query = "".join(" " if unicodedata.category(c) in ("Cc", "Cs") else c for c in query)
    try:
        tree = _PARSER.parse(query)
    except UnexpectedInput as exc:
        raise QueryError(_explain(query, exc)) from None
    try:
        return _Build(query).transform(tree)
    except VisitError as exc:  # lark wraps what the transformer raises
        if isinstance(exc.orig_exc, QueryError):
            raise exc.orig_exc from None
        raise


def _explain(query: str, exc: UnexpectedInput) -> str:
    """Return where and why the parser stopped, in the user's words."""
    if isinstance(exc, UnexpectedEOF) or (isinstance(exc, UnexpectedToken) and exc.token.type == "$END"):
        if query.count("(") > query.count(")"):
            return f"a ( at character {query.index('(') + 1} is never closed: a ) is missing"
        last = query.split()[-1] if query.split() else query
        return f"the query ends too early, after {last!r}: a word, phrase or ( is missing"
    column = getattr(exc, "column", 0) or 0
    if isinstance(exc, UnexpectedCharacters):
        char = query[exc.pos_in_stream or 0]
        if char == '"':
            return f'at character {column}: this " opens a phrase that is never closed'
        return f"at character {column}: {char!r} cannot be read here"
    assert isinstance(exc, UnexpectedToken)
    token = str(exc.token)
    if token == ")":
        return f"at character {column}: this ) closes nothing"
    if token.startswith("NEAR/"):
        return f"at character {column}: {token} joins two words or phrases, one on each side (a NEAR/5 b)"
    if token in ("AND", "OR", "NOT"):
        return f"at character {column}: {token} needs a word, phrase or ( on each side"
    return f"at character {column}: {token!r} cannot come here (is a ( or ) missing?)"


class _Build(Transformer):
    """lark's tree -> the nodes above, checking what the grammar cannot (a lone *, a NEAR of NEARs)."""

    def __init__(self, query: str) -> None:
        super().__init__()
        self.query = query

    def word(self, items: list[Token]) -> Words:
        return self._words(items[0], str(items[0]))

    def phrase(self, items: list[Token]) -> Node:
        body, _, distance = str(items[0])[1:].rpartition('"')
        if not distance:
            return self._words(items[0], body)
        n = self._distance(items[0], distance[1:])
        parts = [w for w in body.split() if tokens(w)]
        if len(parts) != 2:
            raise QueryError(f"at character {items[0].column}: {items[0]!s} — a proximity phrase holds two "
                             "words (\"trump wall\"~10); for more, join pairs with AND")
        return Near(self._words(items[0], parts[0]), self._words(items[0], parts[1]), n)

    def near(self, items: list) -> Near:
        left, op, right = items
        if not isinstance(left, Words) or not isinstance(right, Words):
            raise QueryError(f"at character {op.column}: {op} joins two words or phrases, not a group in ( )")
        return Near(left, right, self._distance(op, str(op).split("/", 1)[1]))

    def negate(self, items: list) -> Not:
        return Not(items[0])

    def and_(self, items: list) -> And:
        return And(tuple(items))

    def or_(self, items: list) -> Or:
        return Or(tuple(items))

    def _distance(self, token: Token, digits: str) -> int:
        n = int(digits)
        if n > MAX_DISTANCE:
            raise QueryError(f"at character {token.column}: a distance of {n:,} words; at most {MAX_DISTANCE:,}")
        return n

    def _words(self, token: Token, text: str) -> Words:
        """Check one word or phrase: a * only at its end, a - or + not as an operator, something to search."""
        where = f"at character {token.column}"
        if text.startswith(("-", "+")) and len(text) > 1 and token.type == "WORD":
            raise QueryError(f"{where}: {text!r} — write NOT {text[1:]} to leave a word out (or AND to require it)")
        prefix = text.rstrip().endswith("*")
        body = text.rstrip().rstrip("*") if prefix else text
        if "*" in body:
            raise QueryError(f"{where}: {text!r} — a * can only end a word (immigra* finds immigrant, immigration)")
        if not tokens(body):
            raise QueryError(f"{where}: {text!r} has no letter or digit to search for")
        return Words(body, prefix)


# ---- FTS5 ------------------------------------------------------------------------------------------------
# The index (monitor/search_index.py) has the searchable columns title and body, and a column `everything`
# holding one word in every row: "NOT x" alone is "everything NOT x" (FTS5's NOT only subtracts).
SEARCHED = "{title body}"
EVERYTHING = '{everything} : "all"'


def to_fts5(node: Node) -> str:
    """Return the FTS5 MATCH expression of a query's tree (every part in parentheses: no precedence to trust)."""
    if isinstance(node, Words):
        return f"{SEARCHED} : {_string(node)}"
    if isinstance(node, Near):
        return f"{SEARCHED} : NEAR({_string(node.left)} {_string(node.right)}, {node.distance})"
    if isinstance(node, Not):
        return f"({EVERYTHING} NOT ({to_fts5(node.part)}))"
    if isinstance(node, Or):
        return "(" + " OR ".join(f"({to_fts5(p)})" for p in node.parts) + ")"
    kept = [p for p in node.parts if not isinstance(p, Not)]
    left = " AND ".join(f"({to_fts5(p)})" for p in kept) if kept else EVERYTHING
    dropped = "".join(f" NOT ({to_fts5(p.part)})" for p in node.parts if isinstance(p, Not))
    return f"(({left}){dropped})"


def _string(words: Words) -> str:
    """An FTS5 string ("..." with " doubled), with the prefix mark after it."""
    return '"' + words.text.replace('"', '""') + '"' + (" *" if words.prefix else "")


@lru_cache(maxsize=256)
def fts5_query(query: str) -> str | None:
    """Return the FTS5 expression for a user's query, None when it is empty; raise QueryError when unreadable."""
    node = parse(query)
    return None if node is None else to_fts5(node)


# ---- the reference: the query evaluated over a text, word by word --------------------------------------
def matches(node: Node, fields: tuple[str, ...]) -> bool:
    """Return whether the query matches a document made of `fields` (title, body): the brute-force meaning
    of the language, which the index must agree with. Words and phrases match within one field."""
    return _eval(node, [tokens(f) for f in fields])


def _eval(node: Node, fields: list[list[str]]) -> bool:
    if isinstance(node, Words):
        return any(_spans(node, f) for f in fields)
    if isinstance(node, Near):
        return any(_near(_spans(node.left, f), _spans(node.right, f), node.distance) for f in fields)
    if isinstance(node, Not):
        return not _eval(node.part, fields)
    if isinstance(node, Or):
        return any(_eval(p, fields) for p in node.parts)
    return all(_eval(p, fields) for p in node.parts)


def _spans(words: Words, field: list[str]) -> list[tuple[int, int]]:
    """Return (first, last) word positions of every occurrence of `words` in a field's words."""
    want = tokens(words.text)
    n = len(want)
    found = []
    for i in range(len(field) - n + 1):
        head, last = field[i:i + n - 1], field[i + n - 1]
        if head == want[:-1] and (last.startswith(want[-1]) if words.prefix else last == want[-1]):
            found.append((i, i + n - 1))
    return found


def _near(left: list[tuple[int, int]], right: list[tuple[int, int]], distance: int) -> bool:
    """FTS5's NEAR: some occurrence of each, in either order, with at most `distance` words between them."""
    for a in left:
        for b in right:
            first, second = (a, b) if a[0] <= b[0] else (b, a)
            if second[0] - first[1] - 1 <= distance:
                return True
    return False
