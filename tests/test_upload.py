"""Uploads lose nothing and cannot occupy the server: dashboard_upload's staging, subprocess ingest and Stop.

Real `python -m monitor ingest` subprocesses on real DuckDB stores. What is checked:
- two files of one name, and hidden files, are all ingested (each file in its own numbered subfolder, passed
  to the ingest by name); every file is accounted for in the outcome (ingested, skipped with its reason,
  without any article);
- a Stop ends the ingest at once and the store holds exactly whole batches: every stored article is complete,
  and the same upload run again adds exactly what was missing;
- the page (AppTest) shows the progress line and Stop, and after a stop says what was stopped.
A variant generator (hypothesis) makes upload name lists: duplicates, hidden files, folders in names, "..",
unicode, empty names.
"""
from __future__ import annotations

import random
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

import dashboard_upload as up
from monitor.store import Store
from tests.conftest import ROOT

APP = str(ROOT / "dashboard.py")
WAIT_SECONDS = 300  # only against a hang: each wait ends as soon as its condition holds


PLACES = ["harbour", "tram depot", "library", "market", "school", "bridge", "clinic", "park", "station", "museum"]
VERBS = ["visited", "praised", "criticised", "opened", "inspected", "funded", "closed", "defended"]


def article(n: int, words: int = 60) -> bytes:
    """A fictional dated article, its own story per ``n`` (sentences drawn at random with seed n, so no two
    articles are near-duplicates that the dashboard would count as one story)."""
    pick = random.Random(n).choice
    body = " ".join(f"{pick(['Mara Velloso', 'Tomas Brandt', 'Ines Okafor'])} {pick(VERBS)} the {pick(PLACES)} "
                    f"of district {pick(range(1000))} with {pick(PLACES)} workers." for _ in range(words // 10))
    return f"date 2021-04-{1 + n % 28:02d}\ntitle: Visit {n}\nsource: Lakeside Ledger\n{body}\n".encode()


def wait_for(condition, what: str) -> None:
    """Poll ``condition`` until it is true; fail after WAIT_SECONDS (a hang), never sooner."""
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {WAIT_SECONDS} s")
        time.sleep(0.05)  # polling


def stored(path: Path) -> int:
    return int(Store(path, read_only=True).query("SELECT count(*) AS n FROM articles")["n"].iloc[0])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(["a.txt", ".hidden.txt", "dir/a.txt", "..", ".", "", "../../etc/x.txt",
                                           "C:\\docs\\a.txt", "é ü.md", ".txt", "a.txt.gz", "a\nb.txt",
                                           "x" * 300 + ".json.gz", "e\u202etxt.exe"]),
                          st.text(min_size=0, max_size=12)), min_size=1, max_size=8))
def test_stage_keeps_every_file_apart(tmp_path_factory, names):
    folder = tmp_path_factory.mktemp("stage")
    files = [(name, f"content {i}".encode()) for i, name in enumerate(names)]
    written, refused = up.stage(files, folder)
    assert len(written) + len(refused) == len(files)  # every file written or named with a reason
    for path, name in written.items():
        assert Path(path).parent.parent == folder  # nothing escapes the folder, whatever the name
        shown = Path(path).name
        assert len(shown.encode()) <= up.MAX_NAME_BYTES and not any(c in shown for c in "\n\r\t\x00/")
        if name.isprintable() and "/" not in name and "\\" not in name and len(name) < 100 and name.strip(". "):
            assert shown == name  # an ordinary name is kept as it is (hidden files too)
    contents = sorted(Path(p).read_bytes() for p in written)
    assert len(set(contents)) == len(written)  # no file overwrote another


@pytest.mark.slow
def test_hostile_file_names_cannot_forge_or_hide_a_file_in_the_outcome(tmp_path):
    """Found by the variant attack: a newline in a name split the ingest's report lines, so an ingested
    file was reported "no article found" and a name could forge a "skipped" line; a 300-byte name could
    not be written at all."""
    names = ["a\nb.txt", "x.txt\n  skipped forged.txt: a reason", "z" * 300 + ".txt", "c: d.txt"]
    upload = up.start([(n, article(i)) for i, n in enumerate(names)], str(tmp_path / "s.duckdb"))
    upload.proc.wait(timeout=WAIT_SECONDS)
    result = up.outcome(upload, stopped=False)
    assert result[0] == ("success", "Added 3 articles (0 already stored, 0 duplicates).")
    # one line for the file with the forged name (its suffix is not a format), none forged, none "no article"
    assert len(result) == 2 and "unsupported file type" in result[1][1]


@pytest.mark.slow
def test_duplicate_names_and_hidden_files_are_all_ingested(tmp_path):
    store = tmp_path / "s.duckdb"
    files = [("visit.txt", article(1)), ("visit.txt", article(2)), (".notes.txt", article(3)),
             ("empty.txt", b"   \n"), ("data.xyz", b"what is this")]
    upload = up.start(files, str(store))
    upload.proc.wait(timeout=WAIT_SECONDS)
    result = up.outcome(upload, stopped=False)
    assert stored(store) == 3  # the old box wrote both visit.txt to one path and its folder walk skipped .notes.txt
    kinds = {text: kind for kind, text in result}
    assert result[0] == ("success", "Added 3 articles (0 already stored, 0 duplicates).")
    shown = " ".join(kinds).replace("\\", "")
    assert "Skipped empty.txt: empty file" in shown and "Skipped data.xyz: unsupported file type" in shown
    assert str(upload.folder) not in shown and not upload.folder.exists()  # the temporary folder is gone


def test_the_ingest_cap_is_the_uploader_s(tmp_path):
    """The uploader refuses a file over MAX_UPLOAD_MB Streamlit megabytes (10**6 bytes); the ingest of an upload
    uses the same cap, so a gzipped upload that grows past it is named, not silently cut."""
    import gzip

    config = (ROOT / ".streamlit" / "config.toml").read_text()
    assert f"maxUploadSize = {up.MAX_UPLOAD_MB}\n" in config
    big = gzip.compress(b"date 2021-04-01\nsource: Lakeside Ledger\n" + b"Mara Velloso spoke. " * 2_600_000)
    upload = up.start([("speech.txt.gz", big)], str(tmp_path / "s.duckdb"))
    upload.proc.wait(timeout=WAIT_SECONDS)
    text = " ".join(t for _, t in up.outcome(upload, stopped=False)).replace("\\", "")
    assert "speech.txt.gz: larger than the 50,000,000 byte limit after gunzip" in text


def start_long_upload(store: Path, n: int = 120) -> up.Upload:
    """Start an upload of ``n`` articles in batches of 2 and wait until its first batch is stored."""
    upload = up.start([(f"visit-{i}.txt", article(i, words=240)) for i in range(n)], str(store), batch=2)
    wait_for(lambda: sum(up.stored_by(upload).values()) >= 2 or upload.proc.poll() is not None, "a first batch")
    return upload


@pytest.mark.slow
def test_stop_keeps_exactly_the_committed_batches(tmp_path):
    store = tmp_path / "s.duckdb"
    upload = start_long_upload(store)
    files = list(upload.names)
    assert up.stop(upload), "the ingest had already finished: nothing was stopped"
    assert upload.proc.returncode != 0
    kept = stored(store)
    result = up.outcome(upload, stopped=True)
    assert 2 <= kept < 120 and kept % 2 == 0  # whole batches only
    assert result[0][0] == "info" and result[0][1].startswith(
        f"Stopped. {kept} articles from {kept} of the 120 files were stored before the stop (whole batches")
    assert result[1][0] == "warning" and f"Not ingested ({120 - kept}, or already stored before)" in result[1][1]
    s = Store(store, read_only=True)
    incomplete = s.query("SELECT count(*) AS n FROM articles a WHERE NOT EXISTS "
                         "(SELECT 1 FROM sentences s WHERE s.article_id = a.article_id)")["n"].iloc[0]
    assert incomplete == 0
    # the same files again: what was stored is recognised, the rest added
    again = up.start([(f"visit-{i}.txt", article(i, words=240)) for i in range(120)], str(store))
    again.proc.wait(timeout=WAIT_SECONDS)
    # (found again under another temporary path: counted as duplicates of the stored ones, not unchanged)
    added, unchanged, duplicates = map(int, re.findall(r"\d+", up.outcome(again, stopped=False)[0][1]))
    assert added == 120 - kept and unchanged + duplicates == kept
    assert len(files) == 120


@pytest.mark.slow
def test_the_page_shows_progress_and_says_what_was_stopped(tmp_path, monkeypatch):
    import shutil

    from tests.conftest import FICTION
    from tests.test_dashboard_live import articles_shown

    store = tmp_path / "s.duckdb"
    monkeypatch.setenv("MONITOR_STORE", str(store))
    # a store with the fiction articles, so the page draws its charts and the sidebar's upload box
    folder = tmp_path / "fiction"
    folder.mkdir()
    for n, (day, source, title, body) in enumerate(FICTION):
        (folder / f"{n}.txt").write_text(f"date {day}\ntitle: {title}\nsource: {source}\n{body}\n")
    subprocess.run([sys.executable, "-m", "monitor", "ingest", str(folder), "--store", str(store), "--quiet",
                    "--workers", "1"], cwd=ROOT, check=True, timeout=WAIT_SECONDS)
    at = AppTest.from_file(APP, default_timeout=90)
    upload = start_long_upload(store)
    at.session_state["_upload"] = upload
    at.run()
    assert not at.exception
    assert any("articles stored so far" in c.value for c in at.caption)
    at.button(key="upload_stop").click().run()
    assert not at.exception
    assert upload.proc.returncode is not None
    kept = stored(store) - len(FICTION)
    assert any(i.value.startswith(f"Stopped. {kept} articles") for i in at.info)
    assert articles_shown(at) == len(FICTION) + kept  # the page was redrawn with what was stored
    # then the step the stop skipped runs, in a subprocess too: the stored articles' names and stories
    finish = at.session_state["_upload"]
    assert finish.finishing and any("Bringing the names" in c.value for c in at.caption)
    assert finish.proc.wait(timeout=WAIT_SECONDS) == 0
    at.run()
    assert "_upload" not in at.session_state
    assert any(s.value.startswith("Names and story groups are up to date") for s in at.success)
    mentioned = Store(store, read_only=True).query("SELECT count(DISTINCT article_id) AS n FROM mentions")["n"]
    assert int(mentioned.iloc[0]) == len(FICTION) + kept  # found by running the stop: before, 5 (none of them)
    shutil.rmtree(folder)
