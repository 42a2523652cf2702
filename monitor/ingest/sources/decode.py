"""Turning file bytes into text: byte-order marks, UTF-8, legacy code pages; text normalisation.

A stray byte costs at most the record it is in: control bytes (NUL and the like) are
removed, an invalid UTF-8 byte in UTF-8 text becomes U+FFFD, and only a file that is
mostly not text (a known binary signature, or control bytes throughout) is refused.
"""
from __future__ import annotations

import re
import unicodedata

import charset_normalizer

from monitor.ingest.glyphs import fold_text
from monitor.ingest.sources.model import Skipped

# In English-language news, 8-bit text is cp1252 far more often than the Central
# European code pages that charset-normalizer may rank equal for short samples.
CP1252_CHAOS_MARGIN = 0.05
BINARY = "binary or undecodable content"

MANY_NEWLINES = re.compile(r"\n{3,}")
# A JSON "\ud800" escape decodes to a lone surrogate, which no encoder accepts (hashing,
# DuckDB): it becomes U+FFFD, as a broken byte does when decoding.
LONE_SURROGATE = re.compile("[\ud800-\udfff]")

# C0 control characters other than tab, line feed and carriage return, and DEL. None of them
# occurs inside a UTF-8 multi-byte sequence or means anything in news text: removed when
# decoding. Vertical tab and form feed separate words (pages, lines of a spreadsheet cell), so
# decoding keeps them and each reader makes them a space where they are text (drop_stray):
# between JSON tokens or inside a \u escape, a space would break the syntax.
SEPARATORS = "\x0b\x0c"
_STRAY_CODES = [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F]
_STRAY_BYTES = bytes(code for code in _STRAY_CODES if chr(code) not in SEPARATORS)
_STRAY_TEXT = re.compile("[" + re.escape("".join(chr(code) for code in _STRAY_BYTES)) + "]")
_SEPARATOR_TEXT = re.compile(f"[{SEPARATORS}]")
# A separator before a continuation byte stands inside a UTF-8 sequence (text never puts one
# there): removed, so the character around it is whole again.
_BROKEN_RUN = re.compile("\ufffd+")
_SPLIT_SEQUENCE = re.compile(rb"[\x0b\x0c]+(?=[\x80-\xbf])")
# Long NUL runs are padding (a file cut short by a crash, a preallocated log), not content.
_NUL_PADDING = re.compile(rb"\x00{16,}")
# More control bytes than this share (NUL padding aside) and a file is binary, not text with
# strays: random or compressed data has about 11 %, and its remaining bytes fail decoding anyway.
BINARY_CONTROL_SHARE = 0.25
# A UTF-16/32 file without a byte-order mark shows itself by its NUL bytes: at least this share
# of the bytes, nearly all at the same offsets modulo the code unit size.
WIDE_NUL_SHARE = 0.05
# Signatures of binary formats people save beside articles (the first bytes of the file).
MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"),
    (b"PK\x03\x04", "a zip archive (or an Office document)"), (b"PK\x05\x06", "an empty zip archive"),
    (b"\x1f\x8b", "gzip data (name the file .gz)"), (b"\xfd7zXZ\x00", "xz data"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"), (b"Rar!\x1a\x07", "a RAR archive"), (b"\x28\xb5\x2f\xfd", "zstd data"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office document"), (b"\x7fELF", "a program (ELF)"),
    (b"SQLite format 3\x00", "an SQLite database"), (b"\x00asm", "WebAssembly"),
)
# Signatures a text could begin with too ("ID3 tags explained"): binary only when what follows is not text.
WEAK_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF document"), (b"GIF8", "a GIF image"), (b"BZh", "bzip2 data"), (b"OggS", "Ogg media"),
    (b"fLaC", "FLAC audio"), (b"ID3", "MP3 audio"), (b"RIFF", "RIFF media (WAV, AVI, WebP)"),
    (b"wOFF", "a web font"), (b"wOF2", "a web font"),
    # zlib streams ("x" then a check byte): a 19-byte one passed for text (found by test_bad_bytes' generator)
    (b"x\x01", "zlib data"), (b"x^", "zlib data"), (b"x\x9c", "zlib data"), (b"x\xda", "zlib data"),
)


def decode_bytes(data: bytes) -> str | None:
    """Return ``data`` as text without stray control characters, or None when it is binary.

    Vertical tabs and form feeds are kept (see SEPARATORS): readers pass text through drop_stray.

    Order: a byte-order mark (UTF-8/16/32), UTF-16/32 by the place of its NUL bytes, then
    (stray control bytes removed) UTF-8 (an invalid byte among UTF-8 text becomes U+FFFD),
    then charset-normalizer (cp1252, latin-1, Cyrillic code pages, ...).
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return _STRAY_TEXT.sub("", _decode_wide(data, codec))
    if binary_kind(data) is not None:
        return None
    wide = _wide_codec(data)
    if wide is not None:
        return _STRAY_TEXT.sub("", _decode_wide(data, wide))
    cleaned = data.translate(None, _STRAY_BYTES)
    if b"\x0b" in cleaned or b"\x0c" in cleaned:
        cleaned = _SPLIT_SEQUENCE.sub(b"", cleaned)
    text = _decode_utf8(cleaned)
    return text if text is not None else _decode_legacy(cleaned)


_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    # UTF-32 before UTF-16: the UTF-32-LE mark begins with the UTF-16-LE one.
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)


def binary_kind(data: bytes) -> str | None:
    """Return what binary data looks like ("a PDF document", "control bytes throughout"), or None for text."""
    for signature, kind in MAGIC:
        if data.startswith(signature):
            return kind
    weak = next((kind for signature, kind in WEAK_MAGIC if data.startswith(signature)), None)
    if data[4:8] == b"ftyp":
        weak = "MP4/QuickTime media"
    if weak is not None and not _text_head(data):
        return weak
    sample = _NUL_PADDING.sub(b"", data[:65536])
    if _wide_codec(data) is None and sample:
        controls = len(sample) - len(sample.translate(None, _STRAY_BYTES))
        if controls > BINARY_CONTROL_SHARE * len(sample):
            return "control bytes throughout"
    return None


def _text_head(data: bytes) -> bool:
    """Return True when the first KiB of ``data`` is UTF-8 text without control bytes."""
    head = data[:1024]
    if head.translate(None, _STRAY_BYTES) != head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(head) - 3  # only a character cut by the 1 KiB cut
    return True


def _wide_codec(data: bytes) -> str | None:
    """Return "utf-32-le/-be" or "utf-16-le/-be" when the NUL bytes sit where that encoding puts them."""
    # Padding is left out: its NULs sit at every offset, and say nothing of the text's encoding.
    sample = _NUL_PADDING.sub(b"", data[:65536])
    nuls = sample.count(0)
    if nuls < 4 or nuls < WIDE_NUL_SHARE * len(sample):
        return None
    # NULs at each offset modulo 4: Latin text in UTF-32-LE fills offsets 1-3 and leaves offset 0
    # (the letter itself); in UTF-16-LE it fills offsets 1 and 3.
    at = [sample[offset::4].count(0) for offset in range(4)]
    quarter = len(sample) / 4
    if min(at[2], at[3]) > 0.9 * quarter and at[0] < 0.5 * quarter:
        return "utf-32-le"
    if min(at[0], at[1]) > 0.9 * quarter and at[3] < 0.5 * quarter:
        return "utf-32-be"
    even, odd = at[0] + at[2], at[1] + at[3]
    if odd > 0.9 * nuls:
        return "utf-16-le"
    if even > 0.9 * nuls:
        return "utf-16-be"
    return None


def _decode_wide(data: bytes, codec: str) -> str:
    """Return UTF-8-sig/16/32 text; a broken code unit becomes U+FFFD, a last odd byte is dropped."""
    unit = 4 if "32" in codec else 2 if "16" in codec else 1
    return data[: len(data) - len(data) % unit].decode(codec, errors="replace")


def _decode_utf8(data: bytes) -> str | None:
    """Return ``data`` as UTF-8, invalid bytes as U+FFFD, when it is UTF-8 text; None when it is not.

    It is UTF-8 when strictly so, or when it holds at least as many well-formed non-ASCII
    characters as broken places (runs of broken bytes): UTF-8 text with stray damage, not a
    legacy code page (whose accented letters are almost never well-formed UTF-8).
    """
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", errors="replace")
    # One stray byte inside a character breaks it into several: count the place once.
    broken = len(_BROKEN_RUN.findall(text)) - data.count("\ufffd".encode())
    well_formed = len(text) - len(text.encode("ascii", errors="ignore")) - text.count("\ufffd")
    return text if well_formed >= broken else None


def _decode_legacy(data: bytes) -> str | None:
    """Return 8-bit text decoded with charset-normalizer's guess (cp1252 on a near tie).

    A guess that would change ASCII (UTF-16 of a short text, EBCDIC) is not taken: cp1252
    instead, so the ASCII records of a file are read as written whatever its stray bytes.
    """
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
    if not _keeps_ascii(best.encoding):
        return data.decode("cp1252", errors="replace")
    return str(best)


def _keeps_ascii(codec: str) -> bool:
    """Return True when ``codec`` decodes printable ASCII and line ends as themselves."""
    sample = bytes(range(0x20, 0x7F)) + b"\t\r\n"
    try:
        return sample.decode(codec) == sample.decode("ascii")
    except (UnicodeDecodeError, LookupError):
        return False


def drop_stray(text: str) -> str:
    """Return ``text`` without stray control characters; vertical tab and form feed become spaces.

    For decoded text, and for values that arrive escaped, past the byte level (a JSON "\\u0000").
    """
    # Two regular expressions, not str.translate: ten times faster on a 50 MB text.
    return _SEPARATOR_TEXT.sub(" ", _STRAY_TEXT.sub("", text))


def normalise_text(text: str) -> str:
    """Return ``text`` in NFC with \\n line ends, no trailing spaces, at most one blank line in a row.

    Lone surrogates become U+FFFD. Invisible and control characters are removed, odd spaces
    become plain ones, and width/font forms and lookalike letters in mixed-script words are
    folded (:func:`monitor.ingest.glyphs.fold_text`): the model then reads the words a person
    sees, so a zero-width space or a Cyrillic "\u0430" cannot split or hide a name.
    """
    text = LONE_SURROGATE.sub("\ufffd", text)
    text = fold_text(unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n")))
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return MANY_NEWLINES.sub("\n\n", text).strip()


def decoded(data: bytes, path: str, keep_separators: bool = False) -> str | Skipped:
    """Return the decoded text of a file, or a Skipped for binary content (naming its kind when known).

    Vertical tabs and form feeds become spaces unless ``keep_separators`` (JSON: see SEPARATORS).
    """
    text = decode_bytes(data)
    if text is not None:
        # decode_bytes removed the other strays already; `in` is a fast test on a long text.
        separated = not keep_separators and ("\x0b" in text or "\x0c" in text)
        return _SEPARATOR_TEXT.sub(" ", text) if separated else text
    kind = binary_kind(data)
    return Skipped(path, f"{BINARY} ({kind})" if kind else BINARY)
