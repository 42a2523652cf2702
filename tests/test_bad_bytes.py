"""A bad byte costs at most the record it is in.

NUL and other stray control bytes, and bytes that are not UTF-8, inside a CSV row, a JSON Lines
line, a JSON document, a text or Markdown article or an HTML page: the record holding the byte
is kept without it (or, when the byte broke it, skipped alone with its reason), every other
record is read exactly as written. Binary files are still refused, UTF-16/32 still read.
Hypothesis strategies insert bad bytes at random places of generated files of each format.
People and outlets are fictional.
"""
from __future__ import annotations

import csv
import gzip
import io
import json
import zipfile
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.ingest.sources import RawArticle, Skipped, decode_bytes, normalise_text, read_file

# Bodies with accents and curly quotes, so that a UTF-8 file is recognisably UTF-8.
BODIES = (
    "Mara Vellóso, the mayor of Northbridge, opened the tram line on Tuesday.",
    "Tomás Brandt called the project \u201ca reckless waste\u201d in a speech to the council.",
    "Inès Okafor unveiled the harbour plan; Okafor said 300 jobs would follow.",
    "The Lakeside Ledger reported that Zoë Amsel resigned from the ferry board.",
    "Ørjan Falk\u2019s bakery reopened after the flood \u2014 customers queued for hours.",
    "Northbridge\u2019s council voted 7\u20132 for the new cycle lanes near the école.",
)
CONTROL_BYTES = [bytes([c]) for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F)]
INVALID_UTF8 = [b"\x80", b"\xbf", b"\xc0", b"\xc1", b"\xf5", b"\xff", b"\xe2\x82", b"\xf0\x9f"]


def body(n: int) -> str:
    """Return the n-th record's body: unique (its number) and non-ASCII."""
    return f"Record {n}. {BODIES[n % len(BODIES)]}"


def squeeze(text: str) -> str:
    """Return ``text`` without whitespace (a vertical tab or form feed becomes a space, the rest is removed)."""
    return "".join(text.split())


def write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def items_of(path: Path) -> list[RawArticle | Skipped]:
    return list(read_file(path))


# --------------------------------------------------------------------------- named cases

def test_a_nul_byte_in_a_csv_row_costs_nothing_else(tmp_path: Path) -> None:
    rows = "".join(f'{n},"{body(n)}"\n' for n in range(1, 4))
    data = ("id,text\n" + rows).encode().replace(b"Record 2.", b"Record\x00 2.")
    got = items_of(write(tmp_path, "a.csv", data))
    assert [item.text for item in got] == [body(1), body(2), body(3)]


def test_a_nul_byte_in_a_jsonl_line_costs_nothing_else(tmp_path: Path) -> None:
    lines = "".join(json.dumps({"text": body(n)}, ensure_ascii=False) + "\n" for n in range(1, 4))
    data = lines.encode().replace(b"Record 2.", b"Rec\x00ord 2.")
    assert [item.text for item in items_of(write(tmp_path, "a.jsonl", data))] == [body(1), body(2), body(3)]


def test_raw_control_bytes_inside_a_json_string_keep_the_document(tmp_path: Path) -> None:
    document = json.dumps([{"text": body(n), "title": f"T{n}"} for n in range(1, 4)], ensure_ascii=False).encode()
    data = document.replace(b"Record 1.", b"Record\x01 1.").replace(b'"T3"', b'"T\x003"')
    got = items_of(write(tmp_path, "a.json", data))
    assert [(item.text, item.title) for item in got] == [(body(n), f"T{n}") for n in range(1, 4)]


def test_escaped_nul_in_json_is_removed_too(tmp_path: Path) -> None:
    data = json.dumps({"text": "Mara\u0000 Velloso spoke.", "title": "Bell\u0007s"}).encode()
    got = items_of(write(tmp_path, "a.json", data))[0]
    assert (got.text, got.title) == ("Mara Velloso spoke.", "Bells")


@pytest.mark.parametrize("name", ["a.txt", "a.md"])
def test_a_nul_byte_in_a_text_article_is_removed(tmp_path: Path, name: str) -> None:
    data = f"title: Tram\n{body(1)}\n\n{body(2)}\n".encode().replace(b"mayor", b"ma\x00yor")
    got = items_of(write(tmp_path, name, data))
    assert [(item.title, item.text) for item in got] == [("Tram", f"{body(1)}\n\n{body(2)}")]


def test_a_nul_byte_in_an_html_page_is_removed(tmp_path: Path) -> None:
    page = ("<html><head><title>Tram line opens</title></head><body><article><h1>Tram line opens</h1>"
            + "".join(f"<p>{body(n)}</p>" for n in range(1, 5)) + "</article></body></html>")
    got = items_of(write(tmp_path, "a.html", page.encode().replace(b"Northbridge", b"North\x00bridge", 1)))
    assert len(got) == 1 and isinstance(got[0], RawArticle), got
    assert body(1) in got[0].text and "\x00" not in got[0].text


def test_an_invalid_utf8_byte_costs_at_most_its_record(tmp_path: Path) -> None:
    rows = "".join(f'{n},"{body(n)}"\n' for n in range(1, 4))
    data = ("id,text\n" + rows).encode().replace(b"Record 2.", b"Record \xff2.")
    got = items_of(write(tmp_path, "a.csv", data))
    # Read as Latin-1/cp1252 the other rows would be mojibake ("VellÃ³so"): they are exact.
    assert [item.text for item in got] == [body(1), "Record \ufffd2. " + BODIES[2], body(3)]


def test_json_syntax_broken_by_an_invalid_byte_is_repaired(tmp_path: Path) -> None:
    document = json.dumps([{"text": body(n)} for n in range(1, 4)], ensure_ascii=False).encode()
    data = document.replace(b"}, {", b"}, \xff{").replace(b"\\u", b"\\\xc0u")
    assert [item.text for item in items_of(write(tmp_path, "a.json", data))] == [body(n) for n in range(1, 4)]


@pytest.mark.parametrize(("name", "data", "kind"), [
    ("a.txt", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<</Length 5>>stream\nx\x9c\x03\x00endstream", "a PDF document"),
    ("a.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "a PNG image"),
    ("a.json", b"PK\x03\x04" + bytes(200), "a zip archive (or an Office document)"),
    ("a.jsonl", bytes(range(32)) * 40 + b"a few words", "control bytes throughout"),
])
def test_binary_files_are_still_refused_with_their_kind(tmp_path: Path, name: str, data: bytes, kind: str) -> None:
    path = write(tmp_path, name, data)
    assert items_of(path) == [Skipped(str(path), f"binary or undecodable content ({kind})")]


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"])
def test_utf16_and_utf32_with_or_without_bom_are_read(tmp_path: Path, codec: str) -> None:
    rows = "".join(f'{n},"{body(n)}"\n' for n in range(1, 4))
    got = items_of(write(tmp_path, "a.csv", ("id,text\n" + rows).encode(codec)))
    assert [item.text for item in got] == [body(n) for n in range(1, 4)]


def test_nul_padding_after_a_crash_keeps_the_text(tmp_path: Path) -> None:
    data = f"title: Tram\n{body(1)}\n".encode() + bytes(8192)
    assert [item.text for item in items_of(write(tmp_path, "a.txt", data))] == [body(1)]


# --------------------------------------------------------------------------- variant generators


def csv_file(n: int) -> tuple[bytes, list[tuple[int, int]]]:
    """Return a CSV of ``n`` records and each data row's byte span (the header is the file's)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["id", "title", "text"])
    spans, start = [], len(out.getvalue().encode())
    for i in range(1, n + 1):
        writer.writerow([i, f"Title {i}", body(i)])
        end = len(out.getvalue().encode())
        spans.append((start, end))
        start = end
    return out.getvalue().encode(), spans


def jsonl_file(n: int) -> tuple[bytes, list[tuple[int, int]]]:
    """Return JSON Lines of ``n`` records and each line's byte span."""
    data, spans = b"", []
    for i in range(1, n + 1):
        line = json.dumps({"title": f"Title {i}", "text": body(i)}, ensure_ascii=i % 2 == 0).encode() + b"\n"
        spans.append((len(data), len(data) + len(line)))
        data += line
    return data, spans


def json_file(n: int) -> tuple[bytes, list[tuple[int, int]]]:
    """Return a JSON list of ``n`` records and each object's byte span."""
    data, spans = b"[", []
    for i in range(1, n + 1):
        obj = json.dumps({"title": f"Title {i}", "text": body(i)}, ensure_ascii=i % 2 == 0).encode()
        spans.append((len(data), len(data) + len(obj)))
        data += obj + (b", " if i < n else b"]")
    return data, spans


FORMATS = {"csv": csv_file, "jsonl": jsonl_file, "json": json_file}


def insert(data: bytes, insertions: list[tuple[float, bytes]], lowest: int) -> tuple[bytes, list[int]]:
    """Return ``data`` with each bad byte string inserted at a fraction of its length (never before
    ``lowest``), and the positions in the original data where they went.

    Each goes between two characters: a byte inside a UTF-8 sequence can complete another valid letter
    ("á" is C3 A1; C3 80 A1 reads "À" and a bad byte), a change no reader can tell from the text.
    """
    places = sorted((_boundary(data, lowest + int(at * (len(data) - lowest))), bad) for at, bad in insertions)
    out, last = b"", 0
    for place, bad in places:
        out += data[last:place] + bad
        last = place
    return out + data[last:], [place for place, _ in places]


def _boundary(data: bytes, place: int) -> int:
    """Return ``place`` moved back to the start of the UTF-8 character it falls in (continuation bytes: 80-BF)."""
    while 0 < place < len(data) and 0x80 <= data[place] <= 0xBF:
        place -= 1
    return place


bad_bytes = st.sampled_from(CONTROL_BYTES + INVALID_UTF8)
insertions_st = st.lists(st.tuples(st.floats(0, 1, exclude_max=True), bad_bytes), min_size=1, max_size=3)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(sorted(FORMATS)), n=st.integers(2, 6), insertions=insertions_st)
def test_generated_records_lose_at_most_the_damaged_ones(tmp_path_factory, kind, n, insertions) -> None:
    data, spans = FORMATS[kind](n)
    # The CSV header names the columns of every row: a byte that breaks it is the file's (not a row's).
    lowest = spans[0][0] if kind == "csv" else 0
    damaged_data, places = insert(data, insertions, lowest)
    path = write(tmp_path_factory.mktemp("bytes"), f"a.{kind}", damaged_data)
    items = items_of(path)
    # A byte at a boundary may belong to either neighbour.
    damaged = {i for i, (start, end) in enumerate(spans, start=1) for p in places if start <= p <= end}
    by_number = {int(item.path.rsplit("#", 1)[1]): item for item in items if "#" in item.path}
    assert all("#" in item.path for item in items), items  # never the whole file
    only_controls = all(bad in CONTROL_BYTES for _, bad in insertions)
    for i in range(1, n + 1):
        item = by_number.get(i)
        if i not in damaged:
            assert isinstance(item, RawArticle) and item.text == body(i), (i, item, damaged_data)
            assert item.title == f"Title {i}", (i, item)
        elif only_controls:
            # Removed; a vertical tab or form feed becomes a space (they separate words).
            assert isinstance(item, RawArticle) and squeeze(item.text) == squeeze(body(i)), (i, item)
        else:
            assert item is None or isinstance(item, RawArticle) or item.reason, (i, item)
    assert len(by_number) <= n, items


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(suffix=st.sampled_from(["txt", "md", "html"]), insertions=insertions_st)
def test_generated_single_articles_keep_their_text_but_the_bad_bytes(tmp_path_factory, suffix, insertions) -> None:
    paragraphs = [body(n) for n in range(1, 5)]
    if suffix == "html":
        data = ("<html><head><title>Tram line opens</title></head><body><article><h1>Tram line opens</h1>"
                + "".join(f"<p>{p}</p>" for p in paragraphs) + "</article></body></html>").encode()
        lowest = data.index(b"<p>")
    else:
        data, lowest = ("title: Tram line opens\n\n" + "\n\n".join(paragraphs) + "\n").encode(), 24
    damaged_data, places = insert(data, insertions, lowest)
    items = items_of(write(tmp_path_factory.mktemp("bytes"), f"a.{suffix}", damaged_data))
    assert len(items) == 1 and isinstance(items[0], RawArticle), (items, damaged_data)
    text, expected = normalise_text(items[0].text.replace("\ufffd", "")), normalise_text("\n\n".join(paragraphs))
    if suffix == "html":
        # A byte that breaks a tag may leave markup as text; every paragraph it did not touch is there as written.
        for paragraph in paragraphs:
            start = data.index(paragraph.encode()) - len(b"<p>")
            end = start + len(f"<p>{paragraph}</p>".encode())
            if not any(start <= place <= end for place in places):
                assert paragraph in text, (paragraph, text)
        return
    if all(bad in CONTROL_BYTES for _, bad in insertions):
        assert squeeze(text) == squeeze(expected)
    # What is left is the article with at most a few characters missing where the bytes went.
    assert len(squeeze(expected)) - 3 * len(insertions) <= len(squeeze(text)), (text, expected)
    assert _is_subsequence(squeeze(text), squeeze(expected)), (text, expected)


def _is_subsequence(short: str, long: str) -> bool:
    chars = iter(long)
    return all(c in chars for c in short)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(codec=st.sampled_from(["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"]),
       n=st.integers(1, 6), kind=st.sampled_from(["csv", "jsonl"]))
def test_generated_utf16_and_utf32_files_are_read_exactly(tmp_path_factory, codec, n, kind) -> None:
    data = FORMATS[kind](n)[0].decode("utf-8").encode(codec)
    items = items_of(write(tmp_path_factory.mktemp("wide"), f"a.{kind}", data))
    assert [item.text for item in items] == [body(i) for i in range(1, n + 1)]


def _binary_samples(payload: bytes) -> list[bytes]:
    """Return real binary formats wrapping ``payload``: gzip, zlib, zip, PNG-like and PDF-like."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("article.txt", payload)
    return [gzip.compress(payload), zlib.compress(payload), buffer.getvalue(),
            b"\x89PNG\r\n\x1a\n" + zlib.compress(payload), b"%PDF-1.4\n" + zlib.compress(payload)]


@settings(max_examples=30, deadline=None)
@given(payload=st.binary(min_size=64, max_size=4096))
def test_generated_binary_files_are_refused(payload: bytes) -> None:
    for sample in _binary_samples(payload):
        assert decode_bytes(sample) is None, sample[:20]
