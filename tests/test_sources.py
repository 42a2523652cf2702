"""Tests for monitor.ingest.sources: every format, header parsing, decoding, and skipping bad input.

Fixtures are written into tmp_path; people and outlets in them are fictional.
Real-data tests read ../shared/data and skip when it is absent.
"""
from __future__ import annotations

import csv
import gzip
import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.ingest.sources import (
    DEFAULT_MAX_BYTES,
    SUPPORTED_SUFFIXES,
    RawArticle,
    Skipped,
    iter_files,
    normalise_text,
    read_file,
    read_paths,
)
from tests.conftest import SEED, shared_data

BODY = (
    "Mara Velloso, the mayor of Northbridge, opened a new tram line on Tuesday.\n\n"
    "Velloso said the line would cut commuting times. Her rival Tomas Brandt called it a waste."
)


def write(folder: Path, name: str, content: str | bytes, *, gz: bool = False) -> Path:
    """Write ``content`` (UTF-8 when str) to folder/name, gzipped when asked; return the path."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def only(path: Path, **kwargs: object) -> RawArticle | Skipped:
    """Return the single item read from ``path``."""
    items = list(read_file(path, **kwargs))
    assert len(items) == 1, items
    return items[0]


def article(path: Path, **kwargs: object) -> RawArticle:
    """Return the single article read from ``path`` (fails on a Skipped)."""
    item = only(path, **kwargs)
    assert isinstance(item, RawArticle), item
    return item


# --------------------------------------------------------------------------- text headers

def test_seed_style_header_with_body_on_the_same_line(tmp_path: Path) -> None:
    text = " date 2024-08-13 US presidential hopeful Mara Velloso sat down for an interview on Monday evening " \
           "(12 August), marking her return.\n\nThe conversation lasted two hours.\n"
    got = article(write(tmp_path, "seed.txt", text))
    assert got.date == datetime(2024, 8, 13)
    assert got.date_origin == "header"
    assert got.text.startswith("US presidential hopeful Mara Velloso sat down")
    assert got.text.endswith("The conversation lasted two hours.")
    assert got.path == str(tmp_path / "seed.txt") and got.title is None


def test_project_seed() -> None:
    if not SEED.exists():
        pytest.skip(f"{SEED} not present")
    got = article(SEED)
    assert got.date == datetime(2024, 8, 13) and got.date_origin == "header"
    assert got.text.startswith("US presidential hopeful Donald Trump sat down")
    assert "date 2024" not in got.text


@pytest.mark.parametrize(
    "header",
    [
        "date: 2024-08-13\ntitle: Tram line opens\nsource: The Northbridge Courier\nurl: https://courier.example/tram\n",
        "Date: August 13, 2024\nTitle: Tram line opens\nSource: The Northbridge Courier\nURL: https://courier.example/tram\n\n",
        "  published 13 August 2024\n  title Tram line opens\n  outlet The Northbridge Courier\n  link https://courier.example/tram\n",
        "TITLE:Tram line opens\nPUBLISHER : The Northbridge Courier\n\nDATE:  2024-08-13\nLink: https://courier.example/tram\n",
    ],
)
def test_header_variants(tmp_path: Path, header: str) -> None:
    got = article(write(tmp_path, "a.txt", header + BODY))
    assert (got.date, got.date_origin) == (datetime(2024, 8, 13), "header")
    assert got.title == "Tram line opens"
    assert got.source == "The Northbridge Courier"
    assert got.url == "https://courier.example/tram"
    assert got.text == BODY


def test_header_date_with_time_zone(tmp_path: Path) -> None:
    got = article(write(tmp_path, "a.txt", "date Tue, 13 Aug 2024 10:00:00 EST\n" + BODY))
    assert got.date == datetime(2024, 8, 13, 15) and got.text == BODY


@pytest.mark.parametrize(
    "text",
    [
        "Title fights return to Northbridge on Friday, Mara Velloso said.\n\nMore follows.",
        "Date night in Northbridge is getting pricier.\n\nMore follows.",
        "Source of the leak remains unknown, officials said.",
        "link road plans were shelved by the council.",
    ],
)
def test_sentences_starting_with_header_words_stay_body(tmp_path: Path, text: str) -> None:
    got = article(write(tmp_path, "a.txt", text))
    assert got.text == text and got.title is None and got.source is None and got.url is None
    assert got.date_origin == "missing"


def test_unparseable_colon_date_header_is_consumed(tmp_path: Path) -> None:
    got = article(write(tmp_path, "a.txt", "date: unknown\ntitle: Tram\n" + BODY))
    assert got.text == BODY and got.title == "Tram" and got.date_origin == "missing"


def test_front_matter(tmp_path: Path) -> None:
    text = ('---\ntitle: "Tram line opens"\ndate: 2024-08-13T09:30:00+02:00\npublisher: The Northbridge Courier\n'
            "url: https://courier.example/tram\ntags: [transport]\n---\n\n" + BODY)
    got = article(write(tmp_path, "a.md", text))
    assert (got.date, got.date_origin) == (datetime(2024, 8, 13, 7, 30), "metadata")
    assert (got.title, got.source, got.url) == ("Tram line opens", "The Northbridge Courier", "https://courier.example/tram")
    assert got.text == BODY


def test_dateline_and_missing_dates(tmp_path: Path) -> None:
    dated = article(write(tmp_path, "a.txt", "NORTHBRIDGE, Aug. 13, 2024 (Courier) — " + BODY))
    assert (dated.date, dated.date_origin) == (datetime(2024, 8, 13), "dateline")
    undated = article(write(tmp_path, "b.txt", BODY))
    assert (undated.date, undated.date_origin) == (None, "missing")


def test_header_only_file_is_skipped(tmp_path: Path) -> None:
    got = only(write(tmp_path, "a.txt", "date: 2024-08-13\ntitle: Nothing else\n"))
    assert isinstance(got, Skipped) and "no body text" in got.reason


def test_text_normalisation(tmp_path: Path) -> None:
    raw = "First line.   \r\nSecond line.\t\r\n\r\n\r\n\r\n\r\nCafe\u0301 opened.  \n"
    got = article(write(tmp_path, "a.txt", raw))
    assert got.text == "First line.\nSecond line.\n\nCaf\u00e9 opened."
    assert normalise_text("a\r\rb") == "a\n\nb"


# --------------------------------------------------------------------------- encodings

@pytest.mark.parametrize(
    ("encoding", "text"),
    [
        ("cp1252", "Mara Velloso said the \u201cnew\u201d tram \u2013 a na\u00efve plan \u2013 "
                   "cost \u20ac5m in S\u00e3o Paulo."),
        ("latin-1", "Le journaliste \u00c9lodie Br\u00fcnner a \u00e9crit \u00e0 S\u00e3o Paulo, "
                    "o\u00f9 la crise s'aggrave."),
        ("utf-16", "Mara Velloso wrote in The Northbridge Courier about the \u00e9t\u00e9 harbour."),
        ("utf-16-le", "Mara Velloso wrote in The Northbridge Courier about the harbour strike."),
        ("utf-8-sig", "Mara Velloso wrote in The Northbridge Courier about the caf\u00e9."),
        ("cp1251", "\u041c\u0430\u0440\u0430 \u0412\u0435\u043b\u043b\u043e\u0441\u043e "
                   "\u043e\u0442\u043a\u0440\u044b\u043b\u0430 \u043d\u043e\u0432\u0443\u044e "
                   "\u043b\u0438\u043d\u0438\u044e \u0442\u0440\u0430\u043c\u0432\u0430\u044f."),
    ],
)
def test_legacy_and_utf16_encodings(tmp_path: Path, encoding: str, text: str) -> None:
    got = article(write(tmp_path, "a.txt", ("title: Harbour\n" + text + "\n").encode(encoding)))
    assert got.text == text and got.title == "Harbour"


def test_binary_and_empty_files_are_skipped(tmp_path: Path) -> None:
    binary = write(tmp_path, "blob.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    assert only(binary) == Skipped(str(binary), "binary or undecodable content (a PNG image)")
    empty = write(tmp_path, "empty.json", b"")
    assert only(empty) == Skipped(str(empty), "empty file")
    blank = write(tmp_path, "blank.csv", b"  \n\r\n")
    assert only(blank) == Skipped(str(blank), "empty file")


# --------------------------------------------------------------------------- file-level problems

def test_unsupported_suffix(tmp_path: Path) -> None:
    got = only(write(tmp_path, "report.pdf", b"%PDF-1.4"))
    assert isinstance(got, Skipped) and got.reason.startswith("unsupported file type .pdf (supported: .txt")
    assert ".jsonl" in got.reason
    assert "(no suffix)" in only(write(tmp_path, "README", "x")).reason


def test_gzip_files_and_truncated_gzip(tmp_path: Path) -> None:
    got = article(write(tmp_path, "a.txt.gz", "date 2024-08-13\n" + BODY, gz=True))
    assert got.text == BODY and got.date == datetime(2024, 8, 13)
    data = gzip.compress(("date 2024-08-13\n" + BODY * 50).encode())
    cut = write(tmp_path, "cut.txt.gz", data[: len(data) // 2])
    assert only(cut) == Skipped(str(cut), "truncated gzip (the compressed data ends early)")
    fake = only(write(tmp_path, "fake.json.gz", b"not gzip at all"))
    assert isinstance(fake, Skipped) and "not a valid gzip file" in fake.reason


def test_max_bytes(tmp_path: Path) -> None:
    assert DEFAULT_MAX_BYTES == 50 * 1000 * 1000
    plain = only(write(tmp_path, "a.txt", BODY), max_bytes=50)
    assert isinstance(plain, Skipped) and "50 byte limit" in plain.reason
    packed = only(write(tmp_path, "b.txt.gz", BODY * 20, gz=True), max_bytes=500)
    assert isinstance(packed, Skipped) and "after gunzip" in packed.reason
    assert isinstance(only(write(tmp_path, "c.txt", BODY), max_bytes=len(BODY)), RawArticle)


def test_dangling_symlink_and_directory(tmp_path: Path) -> None:
    link = tmp_path / "gone.txt"
    link.symlink_to(tmp_path / "missing.txt")
    got = only(link)
    assert isinstance(got, Skipped) and got.reason == "cannot read: No such file or directory"
    folder = tmp_path / "folder.txt"
    folder.mkdir()
    assert only(folder) == Skipped(str(folder), "cannot read: Is a directory")
    pipe = tmp_path / "pipe.txt"
    os.mkfifo(pipe)
    assert only(pipe) == Skipped(str(pipe), "not a regular file (a pipe, socket or device)")


def test_iter_files_order_hidden_and_missing(tmp_path: Path) -> None:
    for name in ["b.txt", "a/z.txt", "a/c/d.txt", "a/b.json", ".hidden.txt", ".git/x.txt", "a/.cache/y.txt"]:
        write(tmp_path / "in", name, BODY)
    single = write(tmp_path, "single.txt", BODY)
    root = tmp_path / "in"
    (root / "loop").symlink_to(root)
    (root / "dangling.txt").symlink_to(tmp_path / "gone.txt")
    got = list(iter_files([root, single, tmp_path / "nope.txt"]))
    hidden = 'hidden {} (its name starts with "."), {}; name it to read it'
    assert got == [
        Skipped(str(root / ".git"), hidden.format("folder", "not searched")),
        Skipped(str(root / ".hidden.txt"), hidden.format("file", "not read")),
        Skipped(str(root / "a/.cache"), hidden.format("folder", "not searched")),
        root / "a/b.json", root / "a/c/d.txt", root / "a/z.txt", root / "b.txt",
        Skipped(str(root / "dangling.txt"), f"symbolic link to {tmp_path / 'gone.txt'}, which does not exist"),
        Skipped(str(root / "loop"), f"symbolic link to the folder {root}, inside the folder {root}/ (read there), "
                                    "not followed"),
        single,
        Skipped(str(tmp_path / "nope.txt"), "no such file or folder")]


def test_read_paths_goes_on_after_bad_files(tmp_path: Path) -> None:
    write(tmp_path, "1.txt", BODY)
    write(tmp_path, "2.pdf", b"%PDF")
    write(tmp_path, "3.json", "{broken")
    write(tmp_path, "4.txt", "title: Last\n" + BODY)
    items = list(read_paths([tmp_path]))
    assert [type(i).__name__ for i in items] == ["RawArticle", "Skipped", "Skipped", "RawArticle"]
    assert items[-1].title == "Last"


# --------------------------------------------------------------------------- HTML

ARTICLE_HTML = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Tram line opens | The Northbridge Courier</title>
<meta property="og:title" content="Tram line opens | The Northbridge Courier">
<meta property="og:site_name" content="The Northbridge Courier">
<link rel="canonical" href="https://courier.example/2024/08/13/tram-line-opens">
{date_meta}
</head><body>
<nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav>
<article><h1>Tram line opens</h1>
<p>{first}</p>
<p>Velloso said the line would cut commuting times across town and bring new shops to the riverside quarter.</p>
<p>Her rival Tomas Brandt called the project a reckless waste of money and promised to campaign against it.</p>
<p>Commuters interviewed by the Courier on the first morning were mostly happy, though some complained about fares.</p>
</article>
<footer>Copyright 2024 The Northbridge Courier. All rights reserved.</footer>
</body></html>"""
FIRST = "Mara Velloso, the mayor of Northbridge, opened a new tram line on Tuesday morning with a short speech."
DATE_META = '<meta property="article:published_time" content="2024-08-13T09:30:00-04:00">'


@pytest.mark.parametrize("gz", [False, True])
def test_html_article(tmp_path: Path, gz: bool) -> None:
    page = ARTICLE_HTML.format(date_meta=DATE_META, first=FIRST)
    got = article(write(tmp_path, "tram.html" + (".gz" if gz else ""), page, gz=gz))
    assert got.title == "Tram line opens"
    assert (got.date, got.date_origin) == (datetime(2024, 8, 13, 13, 30), "metadata")
    assert got.source == "The Northbridge Courier"
    assert got.url == "https://courier.example/2024/08/13/tram-line-opens"
    assert got.text.startswith(FIRST + "\n\nVelloso said")
    assert "Home" not in got.text and "Copyright" not in got.text


def test_html_dateline_when_no_date_metadata(tmp_path: Path) -> None:
    page = ARTICLE_HTML.format(date_meta="", first="NORTHBRIDGE, Aug. 13, 2024 (Courier) — " + FIRST)
    page = page.replace("/2024/08/13/", "/news/")  # no date in the URL either
    got = article(write(tmp_path, "tram.htm", page))
    assert (got.date, got.date_origin) == (datetime(2024, 8, 13), "dateline")


def test_html_without_main_text(tmp_path: Path) -> None:
    page = "<html><head><title>Index</title></head><body><nav><a href='/'>Home</a></nav></body></html>"
    path = write(tmp_path, "index.html", page)
    assert only(path) == Skipped(str(path), "no main text found")


# --------------------------------------------------------------------------- JSON / JSONL / CSV

RECORD = {"Headline": "Tram line opens", "Body": BODY, "published_at": "2024-08-13T10:00:00Z",
          "Outlet": "The Northbridge Courier", "link": "https://courier.example/tram"}


@pytest.mark.parametrize(
    ("document", "paths"),
    [
        ([RECORD, RECORD], ["#1", "#2"]),
        ({"articles": [RECORD]}, ["#1"]),
        ({"Items": [RECORD, RECORD, RECORD]}, ["#1", "#2", "#3"]),
        (RECORD, [""]),
    ],
)
def test_json_shapes(tmp_path: Path, document: object, paths: list[str]) -> None:
    path = write(tmp_path, "a.json", json.dumps(document))
    items = list(read_file(path))
    assert [i.path for i in items] == [str(path) + suffix for suffix in paths]
    first = items[0]
    assert isinstance(first, RawArticle)
    assert (first.title, first.source, first.url) == ("Tram line opens", "The Northbridge Courier", "https://courier.example/tram")
    assert (first.date, first.date_origin, first.text) == (datetime(2024, 8, 13, 10), "metadata", BODY)


def test_json_bad_records(tmp_path: Path) -> None:
    records = [
        {"text": 42, "title": "Number"},
        {"content": ["a", "list"]},
        {"title": "No body here", "date": "2024-08-13"},
        "just a string",
        {"body": "   "},
        {"full_text": "NORTHBRIDGE, Aug. 13, 2024 — " + BODY, "date": "not a date", "title": 7,
         "source": {"id": "nc", "name": "The Northbridge Courier"}},
    ]
    path = write(tmp_path, "a.json", json.dumps(records))
    items = list(read_file(path))
    reasons = [i.reason for i in items[:5]]
    assert reasons == [
        "text field 'text' holds a number, not a string",
        "text field 'content' holds a list, not a string",
        "no text field (looked for text, body, content, body_text, article, full_text)",
        "record is a string, not an object",
        "empty text in field 'body'",
    ]
    assert [i.path for i in items] == [f"{path}#{n}" for n in range(1, 7)]
    last = items[5]
    assert isinstance(last, RawArticle) and last.title is None and last.source == "The Northbridge Courier"
    assert (last.date, last.date_origin) == (datetime(2024, 8, 13), "dateline")


def test_invalid_json_file(tmp_path: Path) -> None:
    path = write(tmp_path, "a.json", '[\n {"text": "fine"},\n oops\n]')
    assert only(path) == Skipped(str(path), "invalid JSON at line 3: Expecting value")
    scalar = write(tmp_path, "b.json", "42")
    assert only(scalar) == Skipped(str(scalar), "JSON holds a number, not an object or a list of objects")


@pytest.mark.parametrize(("name", "gz"), [("a.jsonl", False), ("a.ndjson", False), ("a.jsonl.gz", True)])
def test_jsonl_broken_line_among_good_ones(tmp_path: Path, name: str, gz: bool) -> None:
    lines = [json.dumps({"text": "First story about Mara Velloso.", "date": "2024-08-13"}),
             '{"text": "broken',
             "",
             json.dumps({"text": "Third story about Tomas Brandt.", "date": "2024-08-14"})]
    path = write(tmp_path, name, "\n".join(lines) + "\n", gz=gz)
    items = list(read_file(path))
    assert [i.path for i in items] == [f"{path}#1", f"{path}#2", f"{path}#4"]
    assert isinstance(items[0], RawArticle) and items[0].date == datetime(2024, 8, 13)
    assert isinstance(items[1], Skipped)
    assert items[1].reason.startswith("invalid JSON at column 10: Unterminated string")
    assert isinstance(items[2], RawArticle) and items[2].text == "Third story about Tomas Brandt."


def test_mapping_overrides_the_guess(tmp_path: Path) -> None:
    record = {"story": BODY, "text": "teaser only", "when": "13 August 2024", "paper": "Lakeside Ledger"}
    path = write(tmp_path, "a.jsonl", json.dumps(record) + "\n")
    got = article(path, mapping={"text": "story", "date": "WHEN", "source": "paper"})
    assert (got.text, got.date, got.source) == (BODY, datetime(2024, 8, 13), "Lakeside Ledger")
    missing = only(path, mapping={"text": "article_body"})
    assert isinstance(missing, Skipped) and missing.reason == "no text field 'article_body' (named in the mapping)"
    with pytest.raises(ValueError, match="unknown field"):
        list(read_paths([path], mapping={"body": "story"}))


CSV_TEXT = (
    ',news_id,url,publisher,publish_date,title,body_text\n'
    '0,11,https://courier.example/1,The Northbridge Courier,2020-05-19,"Tram, at last","First paragraph.\n\n'
    'Second ""quoted"" paragraph."\n'
    '1,12,https://ledger.example/2,Lakeside Ledger,,Harbour plan,"NORTHBRIDGE, May 20, 2020 - Ines Okafor spoke."\n'
    '2,13,https://ledger.example/3,Lakeside Ledger,2020-05-21,Empty,\n'
)


@pytest.mark.parametrize("gz", [False, True])
def test_csv_with_index_column_and_embedded_newlines(tmp_path: Path, gz: bool) -> None:
    path = write(tmp_path, "news.csv" + (".gz" if gz else ""), CSV_TEXT, gz=gz)
    first, second, third = list(read_file(path))
    assert isinstance(first, RawArticle)
    assert first.text == 'First paragraph.\n\nSecond "quoted" paragraph.'
    assert (first.title, first.source, first.date, first.path) == (
        "Tram, at last", "The Northbridge Courier", datetime(2020, 5, 19), f"{path}#1")
    assert isinstance(second, RawArticle) and (second.date, second.date_origin) == (datetime(2020, 5, 20), "dateline")
    assert third == Skipped(f"{path}#3", "empty text in field 'body_text'")


def test_csv_without_text_column(tmp_path: Path) -> None:
    path = write(tmp_path, "a.csv", "id,title,when\n1,Tram,2024-08-13\n2,Harbour,2024-08-14\n")
    assert only(path) == Skipped(str(path), "no text column (looked for text, body, content, body_text, article, "
                                            "full_text); columns: id, title, when")


def test_csv_mapping(tmp_path: Path) -> None:
    path = write(tmp_path, "a.csv", "Story,When\n\"Ines Okafor spoke.\",13 August 2024\n")
    got = article(path, mapping={"text": "story", "date": "when"})
    assert (got.text, got.date, got.path) == ("Ines Okafor spoke.", datetime(2024, 8, 13), f"{path}#1")


# --------------------------------------------------------------------------- feeds

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
<title>The Northbridge Courier</title><link>https://courier.example</link><description>News</description>
<item><title>Tram line opens</title><link>https://courier.example/tram</link>
<pubDate>Tue, 13 Aug 2024 10:00:00 EST</pubDate>
<description>Short teaser.</description>
<content:encoded><![CDATA[<p>Mara Velloso opened a <b>new</b> tram line &amp; spoke.</p><p>Tomas Brandt objected.</p>
<script>track()</script>]]></content:encoded></item>
<item><title>Harbour plan</title><link>https://courier.example/harbour</link>
<description>&lt;p&gt;Ines Okafor unveiled a harbour plan.&lt;br/&gt;Jobs would follow.&lt;/p&gt;</description></item>
<item><title>Headline only</title></item>
<item><link>https://courier.example/empty</link></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Lakeside Ledger</title><id>urn:ledger</id>
<updated>2024-08-14T08:00:00+02:00</updated>
<entry><title>Ferry strike</title><id>urn:1</id><link href="https://ledger.example/ferry"/>
<published>2024-08-14T08:00:00+02:00</published><updated>2024-08-15T08:00:00+02:00</updated>
<content type="html">&lt;p&gt;Ferry crews walked out.&lt;/p&gt;&lt;p&gt;Talks resume Friday.&lt;/p&gt;</content></entry>
</feed>"""


@pytest.mark.parametrize("name", ["courier.rss", "courier.xml", "courier.rss.gz"])
def test_rss_feed(tmp_path: Path, name: str) -> None:
    path = write(tmp_path, name, RSS, gz=name.endswith(".gz"))
    first, second, third, fourth = list(read_file(path))
    assert isinstance(first, RawArticle)
    assert first.text == "Mara Velloso opened a new tram line & spoke.\n\nTomas Brandt objected."
    assert (first.title, first.url, first.source) == (
        "Tram line opens", "https://courier.example/tram", "The Northbridge Courier")
    assert (first.date, first.date_origin, first.path) == (datetime(2024, 8, 13, 15), "metadata", f"{path}#1")
    assert second.text == "Ines Okafor unveiled a harbour plan.\nJobs would follow." and second.date_origin == "missing"
    assert third.text == "Headline only"
    assert fourth == Skipped(f"{path}#4", "feed item has neither text nor title")


def test_atom_feed(tmp_path: Path) -> None:
    got = article(write(tmp_path, "ledger.atom", ATOM))
    assert (got.title, got.source, got.url) == ("Ferry strike", "Lakeside Ledger", "https://ledger.example/ferry")
    assert (got.date, got.text) == (datetime(2024, 8, 14, 6), "Ferry crews walked out.\n\nTalks resume Friday.")


def test_broken_feeds(tmp_path: Path) -> None:
    broken = only(write(tmp_path, "bad.rss", "<rss><channel><title>x</title><item><title>unclosed"))
    assert isinstance(broken, (Skipped, RawArticle))  # feedparser may salvage the item
    binary = write(tmp_path, "blob.atom", bytes(range(256)) * 4)
    assert only(binary) == Skipped(str(binary), "binary or undecodable content")
    garbage = only(write(tmp_path, "junk.rss", "this is not xml at all <<<"))
    assert isinstance(garbage, Skipped) and garbage.reason.startswith("not a readable feed: ")
    empty = only(write(tmp_path, "empty.rss",
                        '<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>'))
    assert isinstance(empty, Skipped) and empty.reason == "feed has no items"
    other = write(tmp_path, "config.xml", '<?xml version="1.0"?><config><feed>no</feed></config>')
    assert only(other) == Skipped(str(other), "XML file is not an RSS or Atom feed (root element <config>)")
    sitemap = write(tmp_path, "sitemap.xml", "<!-- <rss> --><urlset><url>x</url></urlset>")
    assert only(sitemap).reason == "XML file is not an RSS or Atom feed (root element <urlset>)"


def test_supported_suffixes_documented() -> None:
    assert SUPPORTED_SUFFIXES == (".txt", ".md", ".html", ".htm", ".json", ".jsonl", ".ndjson", ".csv",
                                  ".rss", ".atom", ".rdf", ".xml")


# --------------------------------------------------------------------------- real data

FEED_COUNTS = {
    "rss-parser__guardian.rss": 55,
    "node-feedparser__tpm.atom": 20,
    "node-feedparser__wapowellness.xml": 29,
    "node-feedparser__category-feed.xml": 1,
    "node-feedparser__mediacontent-dupes.xml": 1,
    "node-feedparser__iconv.xml": 10,
    "rss-parser__encoding.rss": 40,
    "rss-parser__uolNoticias.rss": 15,
    "rss-parser__heise.atom": 15,
}


@pytest.mark.slow
def test_real_feeds() -> None:
    folder = shared_data("feeds")
    for name, count in FEED_COUNTS.items():
        items = list(read_file(folder / name))
        assert len(items) == count and all(isinstance(i, RawArticle) for i in items), name
        assert all(i.date is not None and i.date_origin == "metadata" for i in items), name
    wapo = list(read_file(folder / "node-feedparser__wapowellness.xml"))
    assert wapo[0].date == datetime(2012, 8, 21, 15, 33)  # "Tue, 21 Aug 2012 10:33:00 EST"
    guardian = list(read_file(folder / "rss-parser__guardian.rss"))
    assert guardian[0].source == "The Guardian" and guardian[0].date == datetime(2018, 1, 31, 7, 26, 5)
    russian = list(read_file(folder / "node-feedparser__iconv.xml"))
    assert russian[0].source.startswith("\u041d\u043e\u0432\u043e\u0441\u0442\u0438")  # "Новости", windows-1251
    portuguese = list(read_file(folder / "rss-parser__uolNoticias.rss"))
    assert portuguese[0].date == datetime(2018, 9, 24, 22, 42, 40)  # "Seg, 24 Set 2018 19:42:40 -0300"
    assert "Not\u00edcias" in next(iter(read_file(folder / "rss-parser__encoding.rss"))).source


def _same_title(got: str | None, expected: str) -> bool:
    """Compare titles ignoring surrounding spaces and straight vs typographic quotes."""
    loose = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})
    return got is not None and " ".join(got.split()).translate(loose) == " ".join(expected.split()).translate(loose)


def _same_day(got: datetime | None, expected: str) -> bool:
    """True when ``got`` (naive UTC) falls on the expected date's UTC or local calendar day."""
    want = datetime.fromisoformat(expected)
    days = {want.date(), want.astimezone(UTC).date()} if want.tzinfo else {want.date()}
    return got is not None and got.date() in days


@pytest.mark.slow
def test_real_fundus_pages_titles_and_dates() -> None:
    folder = shared_data("html", "fundus_us")
    expected = json.loads((folder / "EXPECTED.json").read_text(encoding="utf-8"))
    titles = dates = 0
    for entry in expected.values():
        items = list(read_file(folder / entry["html"][0]))
        got = items[0]
        assert isinstance(got, RawArticle), got
        titles += _same_title(got.title, entry["title"])
        dates += bool(entry["publishing_date"]) and _same_day(got.date, entry["publishing_date"])
    print(f"\nfundus pages: titles {titles}/{len(expected)}, dates {dates}/{len(expected)}")
    assert titles / len(expected) >= 0.9, f"titles {titles}/{len(expected)}"
    assert dates / len(expected) >= 0.85, f"dates {dates}/{len(expected)}"


@pytest.mark.slow
def test_real_recovery_csv() -> None:
    path = shared_data("recovery_covid2020", "reliable", "news-dataset-reuters.csv")
    items = list(read_file(path))
    assert items and all(isinstance(i, RawArticle) for i in items)
    assert items[0].path == f"{path}#1" and items[0].source == "Reuters"
    assert items[0].text.startswith("(Reuters) - ") and "\n\n" in items[0].text
    with path.open(newline="", encoding="utf-8") as handle:
        raw_dates = [row["publish_date"] for row in csv.DictReader(handle)]
    assert len(items) == len(raw_dates)
    for got, raw in zip(items, raw_dates, strict=False):
        # Every row with a publish_date has it as metadata; the empty ones fall back.
        assert (got.date_origin == "metadata") == bool(raw), (got.path, raw)
        assert got.date is None or datetime(2020, 1, 1) <= got.date <= datetime(2020, 12, 31)
