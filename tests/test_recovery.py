"""ReCOVery 2020 (../shared/data/recovery_covid2020): real CSVs with embedded newlines and mojibake.

All 1,364 reliable rows are read with their own dates (rows without one are reported);
a sample of them goes through the whole ingest and keeps those dates in the store.
"""
import csv
from datetime import datetime

import pandas as pd
import pytest

from monitor.ingest.pipeline import ingest
from monitor.ingest.sources import RawArticle, read_paths
from monitor.read import frames
from monitor.store import Store
from tests.conftest import shared_data

pytestmark = pytest.mark.slow
SAMPLE = ["news-dataset-reuters.csv", "news-dataset_npr.csv", "news-dataset_washington_post.csv"]


def raw_dates(folder):
    """(file name, row number) -> publish_date as written in the CSV."""
    out = {}
    for path in sorted(folder.glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as handle:
            for n, row in enumerate(csv.DictReader(handle), start=1):
                out[(path.name, n)] = row["publish_date"]
    return out


def test_every_reliable_row_is_read_with_its_own_date():
    folder = shared_data("recovery_covid2020", "reliable")
    expected = raw_dates(folder)
    items = list(read_paths([folder]))
    assert len(items) == len(expected) == 1364 and all(isinstance(i, RawArticle) for i in items)
    for item in items:
        name, n = item.path.rsplit("/", 1)[-1].split("#")
        written = expected[(name, int(n))]
        if written:
            assert item.date_origin == "metadata" and item.date.date() == pd.Timestamp(written).date(), item.path
        else:
            assert item.date_origin in ("dateline", "missing")
    assert sum(not v for v in expected.values()) == 8


def test_a_sample_ingests_with_its_dates(tmp_path):
    folder = shared_data("recovery_covid2020", "reliable")
    sample = tmp_path / "sample"
    sample.mkdir()
    for name in SAMPLE:  # the first 20 rows of three outlets: enough to cover the whole path, quick
        frame = pd.read_csv(folder / name, dtype=str, keep_default_na=False).head(20)
        frame.to_csv(sample / name, index=False)
    store = Store(tmp_path / "rec.duckdb")
    report = ingest(store, [sample])
    articles = frames.articles(store)
    assert report.total("added") + report.total("duplicates") == 60 and not report.skipped
    expected = raw_dates(sample)
    for a in articles.itertuples():
        name, n = a.path.rsplit("/", 1)[-1].split("#")
        written = expected[(name, int(n))]
        if written:
            assert a.date.date() == pd.Timestamp(written).date() and a.date_origin == "metadata"
    assert articles["date"].min() >= datetime(2020, 1, 1)
    assert len(frames.mentions(store, frames.Filters(entity_types=("person",)))) > 50
