"""The command line, run as a user runs it: `python -m monitor ...` in a subprocess."""
import json
import subprocess
import sys

import pandas as pd
import pytest

from tests.conftest import ROOT, SEEDS


def run(*args: str, store) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "monitor", *args, "--store", str(store)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    store = tmp_path_factory.mktemp("cli") / "cli.duckdb"
    first = run("ingest", str(SEEDS), "--quiet", store=store)
    return store, first


def test_ingest_prints_a_summary_and_exits_0(seeded):
    _store, first = seeded
    assert first.returncode == 0, first.stderr
    assert "added 1, unchanged 0, duplicates 0, skipped 0" in first.stderr


def test_reingest_is_unchanged_without_the_model(seeded):
    store, _ = seeded
    again = run("ingest", str(SEEDS), "--quiet", store=store)
    assert again.returncode == 0 and "added 0, unchanged 1" in again.stderr
    assert "model not loaded" in again.stderr


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


def test_info(seeded):
    result = run("info", store=seeded[0])
    assert result.returncode == 0 and "1 articles" in result.stdout
    assert "top people: Donald Trump" in result.stdout


def test_export_formats_and_filters(seeded, tmp_path):
    store = seeded[0]
    out = tmp_path / "m.csv"
    result = run("export", "mentions", "--person", "Trump", "-o", str(out), store=store)
    assert result.returncode == 0, result.stderr
    frame = pd.read_csv(out)
    assert set(frame["entity"]) == {"Donald Trump"} and len(frame) > 10
    timeline = json.loads(run("export", "timeline", "--format", "json", "--freq", "W", store=store).stdout)
    assert {"period", "entity", "mentions", "tone", "tone_low", "tone_high"} <= set(timeline[0])
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
