"""Text from input made safe to print on a terminal.

File names, CSV headers, HTTP reason phrases, feed, entity and outlet names come from
outside. Printed raw, an escape sequence in them can recolour, clear or retitle the
terminal, a carriage return or line feed can overwrite a line or forge a report line of
its own, and a bidi override can make a line read backwards. :func:`printable` shows such
characters as Python escapes instead (``\\x1b``, ``\\n``, ``\\u202e``), so what was in the
input stays visible and each printed entry stays on one line.
"""
from __future__ import annotations

import re

# C0 controls (line ends and tab included), DEL, C1 controls; the bidi marks, embeddings,
# overrides and isolates; the line/paragraph separators; lone surrogates (not encodable).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(char: str) -> str:
    """Return the escape shown for one unsafe character."""
    code = ord(char)
    return _SHORT.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def printable(text: object) -> str:
    """Return ``str(text)`` with every control, bidi-control and separator character written as an escape.

    A backslash is left as it is: the escapes are for a person reading, not to be parsed back.
    """
    return _UNSAFE.sub(lambda m: _escape(m[0]), str(text))


def printable_lines(text: str) -> str:
    """Return ``text`` with each of its lines made :func:`printable`, the line breaks kept."""
    return "\n".join(printable(line) for line in text.split("\n"))
