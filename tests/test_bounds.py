"""Bounded work per article: only the first ANALYSED_CHARS characters (ANALYSED_TOKENS tokens) are analysed,
the whole text is stored, the report says so; inside the cap, no shape of text makes a piece the parser
cannot chew (MAX_PARAGRAPH characters, MAX_TOKENS tokens each).

Checked by what was analysed, never by how long it took: the times and memory are in the README.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor import cli
from monitor.ingest import batch, nlp
from monitor.ingest.pipeline import ingest
from monitor.ingest.watchlist import Watchlist
from monitor.store import Store
from tests.conftest import shared_data

FIRST = ("Mara Velloso, the mayor of Northbridge, opened the tram line on Tuesday. Velloso said the line would "
         "cut commuting times across the east of the city. ")
LATER = "Oskar Lindqvist, the harbour master of Eastbank, praised the ferry crews on Friday. "


def write(folder: Path, name: str, body: str) -> Path:
    """Write a .txt article (date, title, source, then ``body``) and return its path."""
    path = folder / name
    path.write_text(f"date 2024-08-13\ntitle: A long day\nsource: The Northbridge Courier\n{body}\n", encoding="utf-8")
    return path


def analysed(store: Store) -> tuple[str, set[str]]:
    """Return the text of every stored sentence, joined, and the surfaces of every mention."""
    sentences = " ".join(store.query("SELECT text FROM sentences ORDER BY article_id, sentence_id")["text"])
    return sentences, set(store.query("SELECT surface FROM raw_mentions")["surface"])


def test_only_the_first_analysed_chars_are_analysed_and_the_whole_text_is_stored(tmp_path: Path,
                                                                                capsys: pytest.CaptureFixture) -> None:
    """The real cap: a first part past ANALYSED_CHARS (one long run of letters, cheap for the model), then a
    paragraph naming someone the analysis must not reach. Before: all of it went through the NLP."""
    padding = "x" * (batch.ANALYSED_CHARS - len(FIRST) - 10)
    body = f"{FIRST.strip()}\n\n{padding}\n\n" + (LATER * 20).strip()
    path = write(tmp_path, "long.txt", body)
    store = Store(tmp_path / "s.duckdb")
    report = ingest(store, [path], watchlist=Watchlist())
    sentences, surfaces = analysed(store)
    assert "Mara Velloso" in surfaces and "Oskar Lindqvist" not in surfaces and "Lindqvist" not in sentences
    stored = store.query("SELECT text, n_sentences FROM articles")
    assert stored["text"][0] == body  # stored whole
    counts = report.files[str(path)]
    # Counted in the body's characters: the headline the NLP reads first is not part of them.
    assert counts.capped == 1 and counts.capped_longest == len(body)
    # No space near the cap (the run of letters): cut at the cap itself, less the headline's "A long day\n\n".
    assert counts.capped_analysed == batch.ANALYSED_CHARS - len("A long day\n\n")
    note = counts.capped_note()
    assert note == f"analysed the first {counts.capped_analysed:,} of {len(body):,} characters of 1 article"
    cli._print_report(report)
    assert f"{path}: added 1, unchanged 0, duplicates 0, skipped 0; {note} (stored whole)" in capsys.readouterr().err


def test_the_token_cap_bounds_text_of_tiny_tokens(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Text of one-character tokens ("a-a-a-..."), each costing the NER as much as a word: cut by tokens,
    well before the character cap. The cap lowered for the test, the mechanism the same."""
    monkeypatch.setattr(batch, "ANALYSED_TOKENS", 400)
    body = FIRST + "\n\n" + "a-" * 2_000 + "\n\n" + LATER
    path = write(tmp_path, "tiny.txt", body)
    store = Store(tmp_path / "s.duckdb")
    report = ingest(store, [path], watchlist=Watchlist())
    sentences, surfaces = analysed(store)
    assert "Mara Velloso" in surfaces and "Lindqvist" not in sentences
    assert len(re.findall(r"\w+|[^\w\s]", sentences)) <= 400
    assert report.files[str(path)].capped == 1 and "of 1 article" in report.files[str(path)].capped_note()


def test_articles_under_the_cap_are_analysed_whole_and_reported_as_nothing(tmp_path: Path) -> None:
    path = write(tmp_path, "short.txt", FIRST + "\n\n" + LATER)
    store = Store(tmp_path / "s.duckdb")
    report = ingest(store, [path], watchlist=Watchlist())
    assert "Oskar Lindqvist" in analysed(store)[1]
    assert report.files[str(path)].capped == 0 and report.files[str(path)].capped_note() == ""


def test_the_note_over_several_articles_names_the_longest() -> None:
    from monitor.ingest.pipeline import FileReport

    counts = FileReport()
    counts.cap(199_990, 8_388_608)
    counts.cap(199_995, 300_000)
    assert counts.capped_note() == "analysed the first 199,990 of the longest 8,388,608 characters of 2 articles"


@pytest.mark.slow
def test_every_real_article_is_far_under_the_cap() -> None:
    """The caps leave real news alone: the longest ReCOVery and Reuters articles are well under both."""
    import csv

    csv.field_size_limit(1 << 30)
    texts = []
    for name in sorted(shared_data("recovery_covid2020").glob("*/*.csv")):
        with name.open(newline="", encoding="utf-8", errors="replace") as f:
            texts += [row.get("body_text") or "" for row in csv.DictReader(f)]
    for name in sorted(shared_data("reuters21578").glob("reut2-*.sgm")):
        texts += re.findall(r"<BODY>(.*?)</BODY>", name.read_text(encoding="latin-1"), re.S)
    assert len(texts) > 20_000
    assert max(map(len, texts)) * 2 < batch.ANALYSED_CHARS
    assert all(batch.capped(t) == t for t in texts)
    assert max(len(re.findall(r"\w+|[^\w\s]", t)) for t in texts) * 2 < batch.ANALYSED_TOKENS


# --------------------------------------------------------------------------- pathological shapes (generator)

NAMES = ["Mara Velloso", "Tomas Brandt", "Ines Okafor", "Oskar Lindqvist"]
BLOCKS = st.one_of(
    st.builds(lambda n: " ".join(NAMES[i % 4] for i in range(n)), st.integers(1, 3000)),        # only names
    st.builds(lambda c, n: c * n, st.sampled_from([".", "!", ",", "-", "?!", "...", "\u2605", "a-", "a,", "x"]),
              st.integers(1, 12_000)),                                                          # marks, no spaces
    st.builds(lambda n: "\n".join("abcdefgh"[i % 8] for i in range(n)), st.integers(1, 12_000)),  # 1-char lines
    st.builds(lambda n: " ".join(["the council and the tram"] * n), st.integers(1, 2_000)),   # no punctuation
    st.text(min_size=0, max_size=300),                                                          # anything at all
    st.sampled_from(["\n\n", " ", ". ", "\n", '." ']),
)
SHAPES = st.lists(BLOCKS, min_size=1, max_size=8).map("".join)


@settings(max_examples=50, deadline=None)
@given(text=SHAPES)
def test_generated_shapes_reach_the_parser_in_bounded_pieces_and_nothing_is_lost(text: str) -> None:
    pieces = nlp.paragraphs(text)
    for piece in pieces:
        assert 0 < len(piece) <= nlp.MAX_PARAGRAPH
        assert nlp.token_start(piece, nlp.MAX_TOKENS) is None, "a piece over MAX_TOKENS tokens"
    assert "".join("".join(pieces).split()) == "".join(text.split())  # every character, in order


@settings(max_examples=50, deadline=None)
@given(text=SHAPES, chars=st.integers(50, 40_000), tokens=st.integers(5, 5_000))
def test_generated_shapes_are_capped_within_both_limits(text: str, chars: int, tokens: int) -> None:
    part = batch.capped(text, chars, tokens)
    assert text.startswith(part) and len(part) <= chars
    assert nlp.token_start(part, tokens) is None
    if part != text:  # cut: at a space when one is near, so no word is analysed half
        assert len(part) >= min(chars, len(text)) - 1_000 or nlp.token_start(text, tokens, chars) is not None


@settings(max_examples=20, deadline=None)
@given(text=SHAPES)
def test_spacy_sees_no_piece_far_over_max_tokens(text: str) -> None:
    """The model's own tokenizer agrees with the estimate within a factor of two on every generated shape."""
    tokenizer = nlp.load_model().tokenizer
    for piece in nlp.paragraphs(text):
        assert len(tokenizer(piece)) <= 2 * nlp.MAX_TOKENS
