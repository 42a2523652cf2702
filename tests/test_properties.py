"""Property-based tests (hypothesis): readers, dates and name resolution never crash on arbitrary input.

Readers: arbitrary bytes, text and structured-but-broken documents written as .txt, .md,
.json, .jsonl, .csv, .html, .xml and .rss files each yield only RawArticle or Skipped
items, with their path and a reason. Dates: parse_date never raises and returns None or a
plausible naive date. Names: build_entity_map and resolve_article never raise, and the
same input in any order resolves to the same canonical names. Example counts are kept
small so the file runs in seconds.
"""
from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.ingest.dates import dateline_date, parse_date, parse_date_prefix
from monitor.ingest.entities import LABEL_TYPES, resolve_article
from monitor.ingest.entity_map import build_entity_map
from monitor.ingest.glyphs import fold_text
from monitor.ingest.nlp import Entity, Sentence
from monitor.ingest.sources import RawArticle, Skipped, read_paths
from monitor.ingest.sources.records import FIELD_CANDIDATES
from monitor.ingest.watchlist import Watchlist

SUFFIXES = (".txt", ".md", ".json", ".jsonl", ".csv", ".html", ".xml", ".rss")
ORIGINS = {"metadata", "header", "dateline", "missing"}
FEW = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Any character, surrogates included, with the troublesome ones drawn often.
NASTY_TEXT = st.text(st.characters(exclude_categories=[]) | st.sampled_from(list("\ud800\udfff\x00\ufeff\u2028<&\"")),
                     max_size=60)


@contextmanager
def written(data: bytes, suffix: str) -> Iterator[Path]:
    """Yield a fresh file holding ``data`` (hypothesis runs many examples: tmp_path is per test)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"input{suffix}"
        path.write_bytes(data)
        yield path


def assert_read_cleanly(data: bytes, suffix: str) -> None:
    """Read ``data`` as a file with ``suffix``: only articles or skips, each well formed."""
    latest = datetime.now(UTC).replace(tzinfo=None) + timedelta(days=3)
    with written(data, suffix) as path:
        for item in read_paths([path]):
            assert isinstance(item, (RawArticle, Skipped)), item
            assert item.path.split("#", 1)[0] == str(path)
            if isinstance(item, Skipped):
                assert item.reason.strip()
                continue
            assert item.text.strip() and item.date_origin in ORIGINS
            assert item.date is None or datetime(1900, 1, 1) <= item.date <= latest
            item.text.encode("utf-8")  # storable: no lone surrogates


# ---- readers ------------------------------------------------------------------------------

@FEW
@given(st.binary(max_size=3000), st.sampled_from(SUFFIXES))
def test_any_bytes_in_any_format(data: bytes, suffix: str) -> None:
    assert_read_cleanly(data, suffix)


@FEW
@given(st.text(max_size=1500), st.sampled_from(SUFFIXES), st.sampled_from(["utf-8", "utf-16", "cp1252"]))
def test_any_text_in_any_format_and_encoding(text: str, suffix: str, encoding: str) -> None:
    assert_read_cleanly(text.encode(encoding, errors="replace"), suffix)


FIELD_NAMES = sorted({name for names in FIELD_CANDIDATES.values() for name in names})
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | NASTY_TEXT,
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.sampled_from(FIELD_NAMES) | st.text(max_size=8), inner, max_size=6),
    max_leaves=20,
)


@FEW
@given(JSON_VALUES)
def test_any_json_document_and_json_lines(document: object) -> None:
    assert_read_cleanly(json.dumps(document).encode(), ".json")
    lines = document if isinstance(document, list) else [document]
    assert_read_cleanly("\n".join(json.dumps(line) for line in lines).encode(), ".jsonl")


RECORDS = st.lists(st.fixed_dictionaries(
    {"text": NASTY_TEXT}, optional={"title": JSON_VALUES, "date": JSON_VALUES | NASTY_TEXT, "source": JSON_VALUES,
                                    "url": NASTY_TEXT}), min_size=1, max_size=4)


@FEW
@given(RECORDS)
def test_any_json_records(records: list[dict[str, object]]) -> None:
    assert_read_cleanly(json.dumps(records).encode(), ".json")


CELLS = st.text(max_size=40) | st.sampled_from(["", "2021-03-01", "Mara Velloso spoke.", '"', "a,b", "\n"])


@FEW
@given(st.lists(st.sampled_from(FIELD_NAMES) | st.text(max_size=8), min_size=1, max_size=5),
       st.lists(st.lists(CELLS, max_size=6), max_size=5))
def test_any_csv_table(header: list[str], rows: list[list[str]]) -> None:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    assert_read_cleanly(buffer.getvalue().encode(), ".csv")


MARKUP = st.lists(st.sampled_from([
    "<html>", "</html>", "<head>", "<title>", "</title>", "<body>", "<article>", "</article>", "<p>", "</p>",
    "<script>", "</script>", "<![CDATA[", "]]>", "<!--", "-->", "&amp;", "&#0;", "&bogus;",
    '<meta name="date" content="',
    '">', "<rss>", "<channel>", "<item>", "</item>", "<title>", "<description>", "<pubDate>", "</pubDate>",
    "<feed xmlns='http://www.w3.org/2005/Atom'>", "<entry>", "<!DOCTYPE x [<!ENTITY e 'x'>]>", "&e;",
    "Mara Velloso opened the tram line on Monday. ", "2021-03-01", "Sat, 31 Dec 9999 23:59:59 GMT", "\x00",
]) | st.text(max_size=30), max_size=40)


@FEW
@given(MARKUP, st.sampled_from([".html", ".xml", ".rss"]))
def test_any_markup_soup(parts: list[str], suffix: str) -> None:
    assert_read_cleanly("".join(parts).encode("utf-8", errors="replace"), suffix)


# ---- dates --------------------------------------------------------------------------------

ANY_DATE_INPUT = (st.text(max_size=60) | st.integers() | st.floats() | st.booleans() | st.none()
                  | st.datetimes() | st.datetimes(timezones=st.timezones()) | st.dates()
                  | st.binary(max_size=10) | st.builds(time.gmtime, st.integers(0, 2**31)))


@settings(max_examples=150, deadline=None)
@given(ANY_DATE_INPUT)
def test_parse_date_never_raises_and_is_plausible(value: object) -> None:
    found = parse_date(value)
    assert found is None or (found.tzinfo is None and datetime(1900, 1, 1) <= found
                             <= datetime.now(UTC).replace(tzinfo=None) + timedelta(days=3))


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=80), st.booleans())
def test_date_prefixes_and_datelines_never_raise(line: str, any_era: bool) -> None:
    found = parse_date_prefix(line, any_era=any_era)
    assert found is None or (isinstance(found[0], datetime) and isinstance(found[1], str))
    assert dateline_date(line) is None or isinstance(dateline_date(line), datetime)


def test_a_garbage_date_header_is_still_a_header() -> None:
    assert parse_date_prefix("1850-05-01 The rest") is None
    assert parse_date_prefix("1850-05-01 The rest", any_era=True) == (datetime(1850, 5, 1), "The rest")
    assert parse_date(date(1850, 5, 1)) is None


# ---- names --------------------------------------------------------------------------------

WORDS = ["Mara", "Velloso", "Tomas", "Brandt", "Ines", "Okafor", "de", "Van", "J.", "Jr", "The", "Inc", "Courier",
         "MARA", "velloso", "Velloso\u2019s", "Northbridge", "O'Neil"]
NAMES = st.lists(st.sampled_from(WORDS), min_size=1, max_size=4).map(" ".join) | st.text(min_size=1, max_size=20)
LABELS = st.sampled_from([*LABEL_TYPES, "", "MISC"])
STATS = st.lists(st.tuples(NAMES, LABELS, st.integers(1, 50)), max_size=25, unique_by=lambda row: row[:2])
WATCHLISTS = st.builds(
    lambda canon, ignore: Watchlist.from_dict({"entities": {c: {"aliases": [a]} for c, a in canon},
                                               "ignore": {"names": ignore}}),
    # a name or alias of invisible characters only is a WatchlistError (tests/test_inert_text.py)
    st.lists(st.tuples(NAMES.filter(lambda n: fold_text(n).strip()), NAMES.filter(lambda n: fold_text(n).strip())),
             max_size=3),
    st.lists(NAMES, max_size=2))


def entity_map(rows: list[tuple[str, str, int]], watchlist: Watchlist) -> dict[str, tuple[str, str]]:
    """Return name -> (entity, type) from build_entity_map over ``rows`` (name, label, n)."""
    stats = pd.DataFrame(rows, columns=["name", "label", "n"])
    frame = build_entity_map(stats, watchlist)
    assert list(frame.columns) == ["name", "key", "entity", "entity_type"]
    return {name: (entity, kind) for name, _, entity, kind in frame.itertuples(index=False)}


@FEW
@given(STATS, WATCHLISTS, st.randoms(use_true_random=False))
def test_entity_map_never_raises_and_ignores_row_order(rows, watchlist, chance) -> None:
    expected = entity_map(rows, watchlist)
    assert set(expected) <= {name for name, _, _ in rows}
    assert all(kind in {"person", "org", "place", "group"} for _, kind in expected.values())
    shuffled = list(rows)
    chance.shuffle(shuffled)
    assert entity_map(shuffled, watchlist) == expected


@st.composite
def sentences(draw) -> list[Sentence]:
    """Sentences made of name-like words, with entity spans on some of them."""
    out = []
    for _ in range(draw(st.integers(1, 4))):
        words = draw(st.lists(st.sampled_from([*WORDS, "said", "met", "and", ".", "(Photo/Agency)"]),
                              min_size=1, max_size=12))
        text = " ".join(words)
        entities, start = [], 0
        for word in words:
            begin = text.index(word, start)
            start = begin + len(word)
            if draw(st.booleans()):
                entities.append(Entity(begin, start, word, draw(LABELS)))
        out.append(Sentence(text=text, tone=0.0, entities=entities))
    return out


def canonical(found) -> list[tuple[int, int, int, str]]:
    return sorted((m.sentence_id, m.start, m.end, m.name) for m in found)


@FEW
@given(sentences(), WATCHLISTS, st.randoms(use_true_random=False))
def test_resolve_article_never_raises_and_ignores_entity_order(article, watchlist, chance) -> None:
    expected = canonical(resolve_article(article, watchlist))
    for sentence in article:
        chance.shuffle(sentence.entities)
    assert canonical(resolve_article(article, watchlist)) == expected
