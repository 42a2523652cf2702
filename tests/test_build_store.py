"""bench/build_store.py: replicas of stored articles, with all their rows, shifted dates and their own stories."""
from __future__ import annotations

import shutil

import pandas as pd

from bench.build_store import counts, replicate
from monitor.ingest.pipeline import refresh_entities
from monitor.ingest.watchlist import Watchlist
from monitor.store import Store


def test_replicate_to_a_target(fiction_store, tmp_path):
    path = tmp_path / "big.duckdb"
    shutil.copyfile(fiction_store.path, path)
    store = Store(path)
    base = counts(store)
    assert replicate(store, 12) == 12 - base["articles"]
    refresh_entities(store, Watchlist.load())
    grown = counts(store)
    assert grown["articles"] == 12
    articles = store.query("SELECT article_id, date, story_id, copies, is_copy FROM articles")
    replicas = articles[articles["article_id"].str.contains("-r")]
    assert (replicas["story_id"] == replicas["article_id"]).all() and not replicas["is_copy"].any()
    assert (replicas["copies"] == 1).all()
    # each replica has its original's rows, and its date moved past the corpus's span
    first = store.query("SELECT min(date) AS d FROM articles WHERE article_id NOT LIKE '%-r%'")["d"].iloc[0]
    last = store.query("SELECT max(date) AS d FROM articles WHERE article_id NOT LIKE '%-r%'")["d"].iloc[0]
    assert (replicas["date"] > last).all() and last - first < pd.Timedelta(days=60)
    sentences = store.query("SELECT article_id, count(*) AS n FROM sentences GROUP BY ALL").set_index("article_id")["n"]
    for replica in replicas["article_id"]:
        assert sentences[replica] == sentences[replica.split("-r")[0]]
    assert grown["mentions"] > base["mentions"]
    assert store.query("SELECT count(*) AS n FROM mentions WHERE article_id LIKE '%-r1'")["n"].iloc[0] == \
        store.query("SELECT count(*) AS n FROM mentions WHERE article_id NOT LIKE '%-r%'")["n"].iloc[0]


def test_nothing_to_add(fiction_store, tmp_path):
    path = tmp_path / "same.duckdb"
    shutil.copyfile(fiction_store.path, path)
    assert replicate(Store(path), 3) == 0
