"""A record's label fields (political_bias, section ...): read from JSONL and CSV, stored, migrated, backfilled."""
import csv
import io
import json
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.ingest.pipeline import ingest
from monitor.ingest.sources import RawArticle, read_paths
from monitor.ingest.sources.labels import LABEL_FIELDS, field_key, label_fields, record_labels
from monitor.ingest.sources.records import read_csv, read_jsonl
from monitor.store import Store, StoreError
from monitor.tables import SCHEMA_VERSION
from tests.conftest import shared_data
from tests.old_schema import downgrade

BODY = "Mara Velloso, the mayor of Northbridge, opened a tram line on Tuesday. Velloso said it would help."
# Spellings of one field an export may use: the stored name is always political_bias.
SPELLINGS = st.sampled_from(["political_bias", "Political_Bias", "POLITICAL BIAS", "political-bias",
                             " political_bias ", "Political  Bias"])
VALUES = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zs", "Zl", "Zp")),
                 min_size=1, max_size=30)


def articles(items) -> list[RawArticle]:
    return [item for item in items if isinstance(item, RawArticle)]


@given(spelling=SPELLINGS, value=VALUES, section=VALUES)
@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
def test_jsonl_and_csv_records_keep_their_labels_whatever_the_spelling(spelling, value, section):
    record = {"text": BODY, "outlet": "The Northbridge Courier", spelling: value, "Section": [section, 7],
              "author": "Ines Okafor"}  # author: not a label field
    # a list's values each once, in order (a section "7" beside the 7 is one label)
    want = tuple(dict.fromkeys((("political_bias", value), ("section", section), ("section", "7"))))
    [jsonl] = articles(read_jsonl(json.dumps(record).encode(), "a.jsonl", None))
    assert jsonl.labels == want and jsonl.source == "The Northbridge Courier"
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["text", "outlet", spelling, "Section", "author"])
    writer.writerow([BODY, "The Northbridge Courier", value, section, "Ines Okafor"])
    [row] = articles(read_csv(out.getvalue().encode(), "a.csv", None))
    assert row.labels == (("political_bias", value), ("section", section))


@pytest.mark.parametrize("value", [None, "", "   ", {"name": "x"}, "x" * 201, float("nan")])
def test_what_is_no_label_is_left_out(value):
    assert record_labels({"bias": value}, LABEL_FIELDS) == ()


def test_the_fields_read_as_text_title_or_source_are_never_labels():
    record = {"category": "Lakeside Ledger", "text": BODY}
    [article] = articles(read_jsonl(json.dumps(record).encode(), "a.jsonl", {"source": "category"}))
    assert article.source == "Lakeside Ledger" and article.labels == ()


@pytest.mark.parametrize("given, expected", [
    ("desk, Beat", ("desk", "beat")), ("", ()), (" , ,", ()), ("Desk,desk", ("desk",))])
def test_the_label_fields_setting_replaces_the_default(given, expected):
    assert label_fields({"MONITOR_LABEL_FIELDS": given}) == expected
    assert label_fields({}) == LABEL_FIELDS
    assert field_key(" Political - Bias ") == "political_bias"


def labelled_corpus(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lines = [{"text": f"{BODY} Story {n} of the tram.", "outlet": outlet, "political_bias": bias,
              "date": f"2021-05-0{n + 1}"}
             for n, (outlet, bias) in enumerate([("The Northbridge Courier", "Left"), ("Lakeside Ledger", "Right")])]
    (folder / "a.jsonl").write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    (folder / "b.csv").write_text(f'text,publisher,Section\n"{BODY} A third story.",Harbour Herald,City\n')
    return folder


def stored_labels(store: Store) -> set[tuple[str, str, str]]:
    rows = store.query("SELECT a.source, l.field, l.value FROM article_labels l JOIN articles a USING (article_id)")
    return set(rows.itertuples(index=False, name=None))


LABELLED = {("The Northbridge Courier", "political_bias", "Left"), ("Lakeside Ledger", "political_bias", "Right"),
            ("Harbour Herald", "section", "City")}


def test_ingest_stores_the_labels_of_jsonl_and_csv_records(tmp_path):
    store = Store(tmp_path / "s.duckdb")
    ingest(store, [labelled_corpus(tmp_path / "in")])
    assert stored_labels(store) == LABELLED


def test_an_old_store_migrates_keeping_everything_and_a_second_ingest_brings_the_labels(tmp_path):
    path = tmp_path / "s.duckdb"
    corpus = labelled_corpus(tmp_path / "in")
    ingest(Store(path), [corpus])
    tables = ["articles", "sentences", "raw_mentions", "topic_hits", "entity_map", "name_links", "mentions",
              "topic_mentions"]
    with duckdb.connect(str(path)) as con:
        before = {t: _rows(con, t) for t in tables}
    downgrade(path, 3)
    with pytest.raises(StoreError, match=r"schema version 3, this monitor needs \d+: run `python -m monitor migrate"):
        Store(path, read_only=True)
    store = Store(path)
    assert store.migrated_from == 3 and SCHEMA_VERSION >= 4
    with duckdb.connect(str(path)) as con:
        after = {t: _rows(con, t) for t in tables}
    assert after == before and stored_labels(store) == set()  # a v3 store never had them
    version = store.version()
    ingest(store, [corpus])  # the same files again: nothing new, but the labels come in
    assert stored_labels(store) == LABELLED and store.version() > version
    version = store.version()
    ingest(store, [corpus])
    assert stored_labels(store) == LABELLED and store.version() == version  # never twice


def _rows(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple]:
    """Return a table's rows in a fixed order (the signature BLOB left out: long, and read as bytearray)."""
    columns = "* EXCLUDE (signature)" if table == "articles" else "*"
    return sorted(con.execute(f"SELECT {columns} FROM {table}").fetchall(), key=repr)


def test_recovery_csvs_come_out_with_their_political_bias():
    folder = shared_data("recovery_covid2020")
    files = sorted(folder.glob("*/*.csv"))
    read = articles(read_paths(files))
    biases = {value for a in read for field, value in a.labels if field == "political_bias"}
    assert len(read) > 1500
    assert {"Left", "Left-center", "Center", "Right-center", "Right"} <= biases
    with_bias = sum(any(f == "political_bias" for f, _ in a.labels) for a in read)
    # Every record whose political_bias cell is filled keeps it (some 200 of ReCOVery's are empty)
    filled = 0
    for file in files:
        with file.open(newline="", encoding="utf-8", errors="replace") as handle:
            filled += sum(bool((row.get("political_bias") or "").strip()) for row in csv.DictReader(handle))
    assert with_bias == filled > 1500
    per_outlet: dict[str, set[str]] = {}
    for a in read:
        per_outlet.setdefault(a.source or "", set()).update(v for f, v in a.labels if f == "political_bias")
    assert len(per_outlet) > 40


def test_recovery_articles_are_stored_with_their_outlets_political_bias(tmp_path):
    folder = shared_data("recovery_covid2020")
    # two small publishers' files: one labelled (Right), one whose cells are empty (no label, not "")
    files = [folder / "unreliable" / f"news-dataset_{name}.csv" for name in ("en_volve", "RealFarmacy")]
    if not all(f.exists() for f in files):
        pytest.skip(f"{files} not in ../shared/data")
    store = Store(tmp_path / "r.duckdb")
    ingest(store, files)
    rows = store.query("SELECT a.source, l.value FROM articles a LEFT JOIN article_labels l "
                       "ON l.article_id = a.article_id AND l.field = 'political_bias'")
    by_source = rows.groupby("source")["value"].agg(lambda v: set(v.dropna()))
    assert by_source["En Volve"] == {"Right"} and by_source["RealFarmacy"] == set()
