"""Hostile and broken input: every file is either stored correctly or reported with its path and a reason.

One folder holds good articles among empty, binary, truncated, mis-encoded, malformed and
oversized files, records of the wrong type, garbage dates, a dangling link, a folder named
like a file and XML that tries entity tricks. It is read through the Python API and
ingested through the CLI as a user runs it (no traceback, exit status 1, good neighbours
stored). The people and outlets are fictional.
"""
from __future__ import annotations

import csv
import gzip
import io
import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from monitor.ingest.pipeline import ingest
from monitor.ingest.sources import DEFAULT_MAX_BYTES, RawArticle, Skipped, read_paths
from monitor.store import Store
from tests.conftest import ROOT

GOOD = ("Mara Velloso, the mayor of Northbridge, opened a new tram line on Tuesday. "
        "Velloso said the line would cut commuting times. Her rival Tomas Brandt called it a waste.")
SECRET = "northbridge-vault-7731"  # in a local file that an XML entity tries to pull in
NOT_UTF8_NAME = b"caf\xe9.txt"     # a latin-1 file name, as old archives have

STORED, SKIPPED = "stored", "skipped"
# Record path (relative to the folder) -> (outcome, words of the stored text or of the reason, date).
CASES: dict[str, tuple[str, str, datetime | None]] = {
    "empty.txt": (SKIPPED, "empty file", None),
    "blank.md": (SKIPPED, "empty file", None),
    "binary.txt": (SKIPPED, "binary or undecodable content", None),
    "image.html": (SKIPPED, "binary or undecodable content", None),
    "report.pdf": (SKIPPED, "unsupported file type .pdf", None),
    "pdf-named.txt": (SKIPPED, "binary or undecodable content", None),
    "truncated.jsonl.gz": (SKIPPED, "truncated gzip", None),
    "cp1252.txt": (STORED, "Mara Velloso\u2019s caf\u00e9 reopened \u2014 \u201cat last\u201d", datetime(2021, 3, 2)),
    "latin1.txt": (STORED, "M\u00e4ra Vell\u00f6so visited the \u00e9cole", datetime(2021, 3, 3)),
    "utf16.txt": (STORED, "addressed the harbour council", datetime(2021, 3, 4)),
    "utf16-no-bom.txt": (STORED, "addressed the ferry council", datetime(2021, 3, 5)),
    "invalid.json": (SKIPPED, "invalid JSON at line 1", None),
    "deep.json": (SKIPPED, "invalid JSON: nested too deeply to read", None),
    "mixed.jsonl#1": (STORED, "Line one:", datetime(2021, 3, 6)),
    "mixed.jsonl#2": (SKIPPED, "invalid JSON at column 10", None),
    "mixed.jsonl#3": (STORED, "Line three:", datetime(2021, 3, 7)),
    "types.json#1": (SKIPPED, "text field 'text' holds a number, not a string", None),
    "types.json#2": (SKIPPED, "text field 'text' holds a list, not a string", None),
    "types.json#3": (STORED, "Wrong types around:", None),
    "types.json#4": (SKIPPED, "record is a null, not an object", None),
    "types.json#5": (SKIPPED, "record is a string, not an object", None),
    "types.json#6": (SKIPPED, "empty text in field 'text'", None),
    "types.json#7": (SKIPPED, "text field 'body' holds an object, not a string", None),
    "types.json#8": (STORED, "Epoch date:", datetime(2021, 3, 3)),
    "types.json#9": (STORED, "Absurd date:", None),
    "notext.csv": (SKIPPED, "no text column (looked for text, body", None),
    "malformed.rss#1": (STORED, "salvaged from a feed", datetime(2021, 3, 8, 10)),
    "junk.rss": (SKIPPED, "not a readable feed", None),
    "scripts.html": (SKIPPED, "no main text found", None),
    "garbage-date.txt": (STORED, "Garbage date.", None),
    "future-date.txt": (STORED, "Future date.", None),
    "old-date.txt": (STORED, "Old date.", None),
    "dates.json#1": (STORED, "JSON garbage date.", None),
    "dates.json#2": (STORED, "JSON future date.", None),
    "dates.json#3": (STORED, "JSON old date.", None),
    "dangling.txt": (SKIPPED, "nowhere.txt, which does not exist", None),
    "folder.txt/inside.txt": (STORED, "Inside a folder.", datetime(2021, 3, 9)),
    "huge.txt": (SKIPPED, f"larger than the {DEFAULT_MAX_BYTES:,} byte limit", None),
    "surrogates.json": (STORED, "Mara \ufffd Velloso spoke", None),
    "caf\ufffd.txt": (STORED, "A file name that is not UTF-8.", datetime(2021, 3, 12)),
    "laughs.rss#1": (STORED, "Entity expansion", None),
    "external.rss#1": (STORED, "External entity", None),
    "formula.json": (STORED, "Formula title.", datetime(2021, 3, 13)),
    "good.txt": (STORED, "Good neighbour.", datetime(2021, 3, 10)),
}
FORMULA_TITLE = '=HYPERLINK("http://evil.example","Mara Velloso")'



def json_lines(*records: object) -> str:
    return "\n".join(json.dumps(record) for record in records)


def _xml_files(folder: Path) -> dict[str, str]:
    """Feeds that try a billion-laughs expansion and an external entity (a local file)."""
    secret = folder.parent / "secret.txt"
    secret.write_text(SECRET)
    levels = '<!ENTITY a "ha">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9))
    item = '<item><title>{title}</title><description>{body}</description></item>'
    return {
        "laughs.rss": f'<?xml version="1.0"?><!DOCTYPE rss [{levels}]><rss version="2.0"><channel><title>x</title>'
                      + item.format(title="Laughs", body=f"Entity expansion: {GOOD} &j;") + "</channel></rss>",
        "external.rss": f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY leak SYSTEM "file://{secret}">]>'
                        '<rss version="2.0"><channel><title>x</title>'
                        + item.format(title="Leak", body=f"External entity: {GOOD} [&leak;]") + "</channel></rss>",
    }


def _record_files() -> dict[str, str | bytes]:
    """JSON, JSONL and CSV files with broken records among good ones."""
    whole = gzip.compress(json_lines(*({"text": f"{GOOD} {n}"} for n in range(60))).encode())
    return {
        "truncated.jsonl.gz": whole[: len(whole) // 2],
        "invalid.json": '{"text": "Mara Velloso", "title": ',
        "deep.json": "[" * 100_000 + "]" * 100_000,
        "mixed.jsonl": json_lines({"text": f"Line one: {GOOD}", "date": "2021-03-06"}) + '\n{"text": "broken\n'
                       + json_lines({"text": f"Line three: {GOOD}", "date": "2021-03-07"}),
        "types.json": json.dumps([
            {"text": 12345}, {"text": ["a", "list"]},
            {"text": f"Wrong types around: {GOOD}", "title": ["a", "list"], "date": {"y": 2021}, "source": 42,
             "url": False},
            None, "a string", {"text": "   "}, {"body": {"nested": True}},
            {"text": f"Epoch date: {GOOD}", "date": 1614729600}, {"text": f"Absurd date: {GOOD}", "date": 1e300}]),
        "dates.json": json.dumps([{"text": f"JSON garbage date. {GOOD}", "date": "not a date"},
                                  {"text": f"JSON future date. {GOOD}", "date": "2999-12-31T00:00:00Z"},
                                  {"text": f"JSON old date. {GOOD}", "date": "1850-01-01"}]),
        "notext.csv": "title,date,source\nTram opens,2021-03-08,The Northbridge Courier\n",
        "surrogates.json": '{"text": "Mara \\ud800 Velloso spoke at the harbour.", "title": "Bad \\udfff title"}',
        "formula.json": json.dumps({"title": FORMULA_TITLE, "source": "+Lakeside Ledger", "url": "@cmd|'/c calc'!A0",
                                    "date": "2021-03-13", "text": f"Formula title. {GOOD}"}),
    }


def write_bad_corpus(folder: Path) -> None:
    """Write every case of CASES into ``folder``."""
    files: dict[str, str | bytes] = {
        "empty.txt": b"",
        "blank.md": b"  \n\n\t",
        "binary.txt": bytes(range(256)) * 16,
        "image.html": b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8,
        "report.pdf": b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<</Type/Catalog>>endobj\n%%EOF\n",
        "pdf-named.txt": b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\nstream\n" + gzip.compress(b"x" * 100) + b"\nendstream\n",
        "cp1252.txt": ("date 2021-03-02\ntitle: Caf\u00e9 \u2018reopens\u2019\nMara Velloso\u2019s caf\u00e9 reopened "
                       "\u2014 \u201cat last\u201d, she said. Tomas Brandt was not there.\n").encode("cp1252"),
        "latin1.txt": ("date 2021-03-03\nM\u00e4ra Vell\u00f6so visited the \u00e9cole in Northbridge. "
                       "Tom\u00e1s Brandt stayed away.\n").encode("latin-1"),
        "utf16.txt": f"date 2021-03-04\nMara Velloso addressed the harbour council. {GOOD}\n".encode("utf-16"),
        "utf16-no-bom.txt": f"date 2021-03-05\nMara Velloso addressed the ferry council. {GOOD}\n".encode("utf-16-le"),
        "malformed.rss": "<rss version='2.0'><channel><title>The Northbridge Courier</title><item><title>Tram</title>"
                         f"<description>Text salvaged from a feed. {GOOD}</description>"
                         "<pubDate>Mon, 08 Mar 2021 10:00:00 GMT</pubDate>",
        "junk.rss": "<<<not a feed>>> at all & ;",
        "scripts.html": "<html><head><script>alert('x')</script></head><body>"
                        "<script>document.write('Mara Velloso '.repeat(50))</script></body></html>",
        "garbage-date.txt": f"date: the day after tomorrow-ish\nGarbage date. {GOOD}\n",
        "future-date.txt": f"date 2999-01-01\nFuture date. {GOOD}\n",
        "old-date.txt": f"date 1850-05-01\nOld date. {GOOD}\n",
        "folder.txt/inside.txt": f"date 2021-03-09\ntitle: Inside\nInside a folder. {GOOD}\n",
        "good.txt": f"date 2021-03-10\ntitle: Good neighbour\nsource: The Northbridge Courier\n"
                    f"Good neighbour. {GOOD}\n",
        **_record_files(),
        **_xml_files(folder),
    }
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    (folder / "dangling.txt").symlink_to(folder / "nowhere.txt")
    with open(folder / "huge.txt", "wb") as handle:
        handle.truncate(DEFAULT_MAX_BYTES + 1)  # sparse: over the cap without writing 50 MB
    with open(os.path.join(os.fsencode(folder), NOT_UTF8_NAME), "wb") as handle:
        handle.write(f"date 2021-03-12\nA file name that is not UTF-8. {GOOD}\n".encode())


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("bad") / "in"
    write_bad_corpus(folder)
    return folder


def relative(path: str, folder: Path) -> str:
    return path.removeprefix(f"{folder}/")


def test_every_case_is_read_or_skipped_with_its_reason(corpus):
    items = {relative(item.path, corpus): item for item in read_paths([corpus])}
    assert sorted(items) == sorted(CASES)
    for where, (outcome, words, day) in CASES.items():
        item = items[where]
        if outcome == SKIPPED:
            assert isinstance(item, Skipped) and words in item.reason, (where, item)
        else:
            assert isinstance(item, RawArticle) and words in item.text, (where, item)
            assert item.date == day, (where, item.date)
            # A garbage date header is consumed, never left as the body's first line.
            assert not item.text.startswith("date"), where


def test_entity_tricks_neither_expand_nor_read_local_files(corpus):
    items = {relative(item.path, corpus): item for item in read_paths([corpus])}
    assert len(items["laughs.rss#1"].text) < 2 * len(GOOD)
    assert SECRET not in items["external.rss#1"].text


@pytest.fixture(scope="module")
def cli_run(corpus, tmp_path_factory) -> tuple[subprocess.CompletedProcess, Path]:
    """`python -m monitor ingest` of the whole bad corpus, as a user runs it."""
    store = tmp_path_factory.mktemp("bad-store") / "s.duckdb"
    done = subprocess.run([sys.executable, "-m", "monitor", "ingest", str(corpus), "--store", str(store), "--quiet"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    return done, store


@pytest.mark.heavy
def test_cli_reports_each_skipped_input_without_a_traceback(cli_run, corpus):
    done, _ = cli_run
    assert "Traceback" not in done.stderr
    assert done.returncode == 1, done.stderr
    for where, (outcome, reason, _) in CASES.items():
        if outcome == SKIPPED:
            assert f"skipped {corpus}/{where}: " in done.stderr and reason in done.stderr, where
    stored = sum(outcome == STORED for outcome, _, _ in CASES.values())
    assert f"added {stored}, unchanged 0, duplicates 0, skipped {len(CASES) - stored}," in done.stderr


@pytest.mark.heavy
def test_cli_stores_every_good_article_once_with_its_date(cli_run, corpus):
    _, store = cli_run
    rows = Store(store, read_only=True).query("SELECT path, date, text FROM articles")
    stored = {relative(row.path, corpus): row for row in rows.itertuples()}
    expected = {where: (words, day) for where, (outcome, words, day) in CASES.items() if outcome == STORED}
    assert sorted(stored) == sorted(expected)
    for where, (words, day) in expected.items():
        assert words in stored[where].text, where
        date = stored[where].date
        assert (None if pd.isna(date) else date.to_pydatetime()) == day, where


@pytest.mark.heavy
def test_cli_exit_0_when_nothing_is_skipped(cli_run, corpus):
    _, store = cli_run
    done = subprocess.run([sys.executable, "-m", "monitor", "ingest", str(corpus / "good.txt"),
                           str(corpus / "folder.txt"), "--store", str(store), "--quiet"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "added 0, unchanged 2" in done.stderr


@pytest.mark.parametrize("args", [
    ["ingest"],                                   # no paths
    ["ingest", "x.txt", "--batch-size", "many"],
    ["ingest", "x.txt", "--no-such-option"],
    ["frobnicate"],
])
def test_usage_errors_exit_2(tmp_path, args):
    done = subprocess.run([sys.executable, "-m", "monitor", *args, "--store", str(tmp_path / "s.duckdb")],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "usage:" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "s.duckdb").exists()


def test_malformed_map_is_a_usage_error(tmp_path):
    done = subprocess.run([sys.executable, "-m", "monitor", "ingest", "x.txt", "--map", "text",
                           "--store", str(tmp_path / "s.duckdb")], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "FIELD=COLUMN" in done.stderr


@pytest.mark.heavy
def test_cli_export_neutralises_cells_a_spreadsheet_would_run(cli_run, tmp_path):
    _, store = cli_run
    target = tmp_path / "articles.csv"
    done = subprocess.run([sys.executable, "-m", "monitor", "export", "articles", "-o", str(target),
                           "--store", str(store)], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    hostile = next(row for row in rows if row["path"].endswith("formula.json"))
    assert (hostile["title"], hostile["source"], hostile["url"]) == (
        "'" + FORMULA_TITLE, "'+Lakeside Ledger", "'@cmd|'/c calc'!A0")
    for row in rows:
        for cell in row.values():
            # Numbers stay numbers (a negative tone starts with "-"); no text cell starts a formula.
            assert not cell.startswith(("=", "+", "@")) and (not cell.startswith("-") or float(cell) < 0), cell


@pytest.mark.parametrize("command", [["info"], ["ingest", "x.txt"], ["export", "articles"]])
def test_a_file_that_is_not_a_store_is_a_clear_error(tmp_path, command):
    store = tmp_path / "s.duckdb"
    store.write_bytes(bytes(range(256)) * 64)
    done = subprocess.run([sys.executable, "-m", "monitor", *command, "--store", str(store)],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 3 and "Traceback" not in done.stderr
    assert f"{store}: cannot open the store" in done.stderr and "not a valid DuckDB database" in done.stderr


def test_ingest_size_cap_is_a_parameter(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "short.txt").write_text(f"date 2021-03-10\n{GOOD}\n")
    (folder / "long.txt").write_text(f"date 2021-03-11\n{GOOD * 10}\n")
    report = ingest(Store(tmp_path / "s.duckdb"), [folder], max_bytes=len(GOOD) * 2)
    assert report.total("added") == 1
    assert report.skipped == [f"{folder / 'long.txt'}: larger than the {len(GOOD) * 2:,} byte limit"]
