"""The full-text index beside the store: incremental, rebuilt when the store is not the one it indexed,
crash-safe; and the query as a filter of every frame and of `python -m monitor export --query`."""
from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from monitor import search_index
from monitor.read import frames
from monitor.read.filters import Filters
from monitor.read.query import QueryError
from monitor.store import Store
from tests.conftest import ROOT

HANG_GUARD_SECONDS = 120
WORDS = ["alder", "brook", "cedar", "delta", "ember", "fjord", "grove", "heron"]


def articles(start: int, count: int, words: int = 12) -> pd.DataFrame:
    """Fictional articles: article n holds WORDS[n % 8] and WORDS[(n + 3) % 8] among filler."""
    rows = []
    for n in range(start, start + count):
        text = " ".join(["filler"] * words + [WORDS[n % 8], "filler", WORDS[(n + 3) % 8]])
        rows.append({"article_id": f"a{n:06d}", "date": pd.Timestamp("2031-01-01") + pd.Timedelta(days=n % 300),
                     "source": "The Fenwick Gazette", "title": f"Report {n}", "text": text})
    return pd.DataFrame(rows)


def expected(ids: range, word: str) -> list[str]:
    return sorted(f"a{n:06d}" for n in ids if word in (WORDS[n % 8], WORDS[(n + 3) % 8]))


def indexed_ids(store: Store) -> int:
    path = search_index.index_path(store)
    assert path is not None
    with sqlite3.connect(path) as con:
        return con.execute("SELECT count(*) FROM ids").fetchone()[0]


def test_new_articles_are_indexed_and_nothing_again(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.duckdb")
    store.write_batch({"articles": articles(0, 40)})
    assert search_index.sync(store) == 40
    assert sorted(search_index.search(store, '"cedar"')) == expected(range(40), "cedar")
    store.write_batch({"articles": articles(40, 24)})
    assert search_index.sync(store) == 24  # only the new ones
    assert search_index.sync(store) == 0
    assert sorted(search_index.search(store, '"cedar"')) == expected(range(64), "cedar")


def test_a_search_catches_up_with_a_store_that_moved_on(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.duckdb")
    store.write_batch({"articles": articles(0, 16)})
    assert sorted(search_index.search(store, '"heron"')) == expected(range(16), "heron")  # built on first use
    store.write_batch({"articles": articles(16, 16)})
    assert sorted(search_index.search(store, '"heron"')) == expected(range(32), "heron")


def test_a_rebuilt_store_gets_a_rebuilt_index(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    store = Store(path)
    store.write_batch({"articles": articles(0, 16)})
    search_index.sync(store)
    path.unlink()
    store = Store(path)  # a new store at the same path, other articles: the old index must not answer
    store.write_batch({"articles": articles(100, 8)})
    assert sorted(search_index.search(store, '"alder"')) == expected(range(100, 108), "alder")
    assert indexed_ids(store) == 8


def test_indexing_killed_half_way_leaves_the_index_whole_and_behind(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    store = Store(path)
    count = 30_000
    for start in range(0, count, 10_000):
        store.write_batch({"articles": articles(start, 10_000, words=60)})
    del store
    code = f"from monitor.store import Store; from monitor import search_index; search_index.sync(Store({str(path)!r}))"
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT)
    wal = Path(str(path) + ".search.sqlite-wal")
    deadline = time.monotonic() + HANG_GUARD_SECONDS
    # Kill once the indexing transaction has written a good part of its pages (not yet committed).
    while proc.poll() is None and (not wal.exists() or wal.stat().st_size < 4_000_000):
        assert time.monotonic() < deadline, "the indexer never started writing"
        time.sleep(0.01)  # polling a condition, not a fixed wait
    if proc.poll() is not None:
        pytest.skip("the indexer finished before it could be killed (a machine much faster than this test assumes)")
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=HANG_GUARD_SECONDS)
    store = Store(path, read_only=True)
    assert indexed_ids(store) == 0  # nothing of the killed transaction
    assert sorted(search_index.search(store, '"fjord"')) == expected(range(count), "fjord")  # caught up
    assert indexed_ids(store) == count


def test_every_frame_follows_the_query(fiction_store: Store) -> None:
    f = Filters(query='tram AND NOT "harbour plan"')
    arts = frames.articles(fiction_store, f)
    assert set(arts["title"]) == {"Mara Velloso opens tram line", "Brandt attacks tram budget"}
    ids = set(arts["article_id"])
    assert set(frames.mentions(fiction_store, f)["article_id"]) <= ids
    assert len(frames.mentions(fiction_store, f)) > 0
    assert set(frames.topic_hits(fiction_store, f)["article_id"]) <= ids
    assert len(frames.articles(fiction_store, Filters(query="flood* NEAR/3 harbour"))) == 1
    assert len(frames.articles(fiction_store, Filters(query="NOT velloso"))) == 0
    with pytest.raises(QueryError, match="never closed"):
        frames.articles(fiction_store, Filters(query='"tram line'))


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "monitor", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=HANG_GUARD_SECONDS)


def test_cli_export_filters_by_the_query(fiction_store: Store, tmp_path: Path) -> None:
    out = tmp_path / "a.csv"
    done = run_cli("export", "articles", "--store", fiction_store.path, "--query", "election AND brandt",
                   "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert set(pd.read_csv(out)["title"]) == {"Brandt attacks tram budget", "Election campaign heats up"}
    bad = run_cli("export", "articles", "--store", fiction_store.path, "--query", "tram AND")
    assert bad.returncode == 2
    assert "--query: the query ends too early" in bad.stderr and "Traceback" not in bad.stderr


def test_migrate_builds_the_index_of_a_store_without_one(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    Store(path).write_batch({"articles": articles(0, 10)})
    done = run_cli("migrate", "--store", str(path))
    assert done.returncode == 0, done.stderr
    assert "10 articles indexed" in done.stdout
    assert indexed_ids(Store(path, read_only=True)) == 10
