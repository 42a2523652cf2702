"""Turning file bytes into text: byte-order marks, UTF-8, legacy code pages; text normalisation."""
from __future__ import annotations

import re
import unicodedata

import charset_normalizer

from monitor.ingest.sources.model import Skipped

# In English-language news, 8-bit text is cp1252 far more often than the Central
# European code pages that charset-normalizer may rank equal for short samples.
CP1252_CHAOS_MARGIN = 0.05
BINARY = "binary or undecodable content"

MANY_NEWLINES = re.compile(r"\n{3,}")
# A JSON "\ud800" escape decodes to a lone surrogate, which no encoder accepts (hashing,
# DuckDB): it becomes U+FFFD, as a broken byte does when decoding.
LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def decode_bytes(data: bytes) -> str | None:
    """Return ``data`` as text, or None when it looks binary or cannot be decoded.

    Order: a byte-order mark (UTF-8/16/32), then strict UTF-8, then charset-normalizer
    (cp1252, latin-1, UTF-16 without BOM, Cyrillic code pages, ...).
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                return None
    if b"\x00" in data:
        # NUL bytes: UTF-16/32 without a BOM, or binary.
        best = charset_normalizer.from_bytes(data).best()
        return str(best) if best is not None and best.encoding.startswith("utf_") else None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return _decode_legacy(data)


_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    # UTF-32 before UTF-16: the UTF-32-LE mark begins with the UTF-16-LE one.
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)


def _decode_legacy(data: bytes) -> str | None:
    """Return 8-bit text decoded with charset-normalizer's guess (cp1252 on a near tie)."""
    matches = charset_normalizer.from_bytes(data)
    best = matches.best()
    if best is None:
        return None
    for match in matches:
        if "cp1252" in match.could_be_from_charset and match.chaos <= best.chaos + CP1252_CHAOS_MARGIN:
            try:
                return data.decode("cp1252")
            except UnicodeDecodeError:
                break
    return str(best)


def normalise_text(text: str) -> str:
    """Return ``text`` in NFC with \\n line ends, no trailing spaces, at most one blank line in a row.

    Lone surrogates become U+FFFD.
    """
    text = LONE_SURROGATE.sub("\ufffd", text)
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return MANY_NEWLINES.sub("\n\n", text).strip()


def decoded(data: bytes, path: str) -> str | Skipped:
    """Return the decoded text of a file, or a Skipped for binary content."""
    text = decode_bytes(data)
    return Skipped(path, BINARY) if text is None else text
