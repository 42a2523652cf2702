"""The command line, run as a user runs it: `python -m monitor ...` in a subprocess."""
import json
import shutil
import subprocess
import sys

import pandas as pd
import pytest

from monitor import schema
from monitor.ingest.pipeline import ingest
from monitor.read import aggregations
from monitor.read.filters import Filters
from monitor.store import Store
from monitor.tables import SCHEMA_VERSION
from tests.conftest import ROOT, SEEDS
from tests.corpus import write_corpus
from tests.old_schema import downgrade


def run(*args: str, store) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "monitor", *args, "--store", str(store)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    store = tmp_path_factory.mktemp("cli") / "cli.duckdb"
    first = run("ingest", str(SEEDS), "--quiet", store=store)
    return store, first


@pytest.mark.heavy
def test_ingest_prints_a_summary_and_exits_0(seeded):
    _store, first = seeded
    assert first.returncode == 0, first.stderr
    assert "added 1, unchanged 0, duplicates 0, skipped 0" in first.stderr


@pytest.mark.heavy
def test_reingest_is_unchanged_without_the_model(seeded):
    store, _ = seeded
    again = run("ingest", str(SEEDS), "--quiet", store=store)
    assert again.returncode == 0 and "added 0, unchanged 1" in again.stderr
    assert "model not loaded" in again.stderr


@pytest.mark.heavy
def test_skipped_input_exits_1_and_names_path_and_reason(tmp_path):
    bad = tmp_path / "in"
    bad.mkdir()
    (bad / "empty.txt").write_bytes(b"")
    (bad / "good.txt").write_text("date 2021-03-04\nMara Velloso opened the Northbridge depot.\n")
    result = run("ingest", str(bad), "--quiet", store=tmp_path / "s.duckdb")
    assert result.returncode == 1
    assert "empty.txt: empty file" in result.stderr and "added 1" in result.stderr


def test_usage_error_exits_2(tmp_path):
    assert run("frobnicate", store=tmp_path / "s.duckdb").returncode == 2


def test_missing_store_is_a_clear_error(tmp_path):
    result = run("info", store=tmp_path / "none.duckdb")
    assert result.returncode == 3 and "no store here yet" in result.stderr


@pytest.mark.heavy
def test_info(seeded):
    result = run("info", store=seeded[0])
    assert result.returncode == 0 and "1 articles" in result.stdout
    assert "top people: Donald Trump" in result.stdout


@pytest.mark.heavy
def test_export_formats_and_filters(seeded, tmp_path):
    store = seeded[0]
    out = tmp_path / "m.csv"
    result = run("export", "mentions", "--person", "Trump", "-o", str(out), store=store)
    assert result.returncode == 0, result.stderr
    frame = pd.read_csv(out)
    assert set(frame["entity"]) == {"Donald Trump"} and len(frame) > 10
    timeline = json.loads(run("export", "timeline", "--format", "json", "--freq", "W", store=store).stdout)
    assert list(timeline[0]) == list(schema.TIMELINE)  # the README's data dictionary
    topics = tmp_path / "t.parquet"
    run("export", "topics", "--format", "parquet", "-o", str(topics), "--until", "2024-08-12", store=store)
    assert len(pd.read_parquet(topics)) == 0
    articles = pd.read_csv(pd.io.common.StringIO(run("export", "articles", store=store).stdout))
    assert articles.loc[0, "date"].startswith("2024-08-13")


@pytest.mark.parametrize("args", [["--map", "bogus=x"], ["--map", "text"], ["--batch-size", "0"],
                                  ["--max-bytes", "-1"]])
def test_bad_options_are_usage_errors(tmp_path, args):
    result = run("ingest", str(SEEDS), *args, store=tmp_path / "s.duckdb")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert not (tmp_path / "s.duckdb").exists()


def test_max_bytes_skips_bigger_files(tmp_path):
    result = run("ingest", str(SEEDS), "--max-bytes", "1000", "--quiet", store=tmp_path / "s.duckdb")
    assert result.returncode == 1 and "limit" in result.stderr and "added 0" in result.stderr


@pytest.fixture(scope="module")
def syndicated(tmp_path_factory) -> Store:
    """A store of fictional articles, three of them run again, lightly edited, by another outlet."""
    folder = tmp_path_factory.mktemp("syndicated")
    write_corpus(folder / "in", 6, near_copies=3)
    store = Store(folder / "s.duckdb")
    ingest(store, [folder / "in"])
    assert store.query("SELECT count(*) AS n FROM articles WHERE is_copy")["n"].iloc[0] == 3
    return Store(store.path, read_only=True)


def exported_timeline(store: Store, tmp_path, *args: str) -> pd.DataFrame:
    out = tmp_path / "timeline.parquet"
    result = run("export", "timeline", "--format", "parquet", "-o", str(out), *args, store=store.path)
    assert result.returncode == 0, result.stderr
    return pd.read_parquet(out)


def dashboard_series(store: Store, f: Filters, freq: str) -> pd.DataFrame:
    """The dashboard's entity series for every entity under `f`, in the timeline's columns and order."""
    names = [n for kind in schema.ENTITY_TYPES for n in aggregations.entity_table(store, f, kind)["name"]]
    series = aggregations.entity_series(store, f, freq, names).rename(columns={"name": "entity"})
    return schema.conform(series.sort_values(["period", "entity"]), schema.TIMELINE, "timeline")


@pytest.mark.parametrize("args, f", [
    ((), Filters(unique_stories=True)),  # the default: a syndicated story once, as the dashboard's default
    (("--all-copies",), Filters()),
    (("--source", "Lakeside Ledger", "--since", "2021-01-05"), Filters(sources=("Lakeside Ledger",),
                                                                      since="2021-01-05", unique_stories=True)),
])
@pytest.mark.heavy
def test_the_timeline_export_is_the_dashboards_series(syndicated, tmp_path, args, f):
    for freq in ("D", "W"):
        exported = exported_timeline(syndicated, tmp_path, "--freq", freq, *args)
        pd.testing.assert_frame_equal(exported, dashboard_series(syndicated, f, freq))


@pytest.mark.heavy
def test_the_timeline_counts_a_syndicated_story_once_unless_asked(syndicated, tmp_path):
    once = exported_timeline(syndicated, tmp_path, "--freq", "M")
    every = exported_timeline(syndicated, tmp_path, "--freq", "M", "--all-copies")
    assert once["articles"].sum() < every["articles"].sum()
    person = exported_timeline(syndicated, tmp_path, "--freq", "M", "--person", "Velloso")
    assert set(person["entity"]) == {"Mara Velloso"}


@pytest.mark.heavy
def test_migrate_upgrades_an_older_store_and_then_it_reads(fiction_store, tmp_path):
    path = tmp_path / "old.duckdb"
    shutil.copyfile(fiction_store.path, path)
    downgrade(path, 1)
    refused = run("info", store=path)
    assert refused.returncode == 3 and "python -m monitor migrate" in refused.stderr
    done = run("migrate", store=path)
    assert done.returncode == 0 and f"migrated from schema version 1 to {SCHEMA_VERSION}" in done.stdout
    assert f"already at schema version {SCHEMA_VERSION}" in run("migrate", store=path).stdout
    assert run("info", store=path).returncode == 0
    missing = run("migrate", store=tmp_path / "none.duckdb")
    assert missing.returncode == 3 and "no store here yet" in missing.stderr
    assert not (tmp_path / "none.duckdb").exists()


def test_export_to_a_reader_that_went_away_is_not_an_error(seeded):
    """`export ... | head`: the reader closes the pipe before the export writes; that is what it wanted, not an error
    (before: exit 5 with "Broken pipe", and Python's own complaint at exit)."""
    store, _ = seeded
    proc = subprocess.Popen([sys.executable, "-m", "monitor", "export", "mentions", "--store", str(store)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    assert proc.stdout is not None
    proc.stdout.close()  # long before the export writes: the interpreter alone takes longer to start
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0 and err == "", err
