"""The dashboard on a store that changes under it (AppTest): new articles appear, store faults are named.

- A view of "all dates" follows the store: after an ingest (a running watch, an upload) a rerun shows the new
  articles and the URL gains no ``to``; a day the user chose stays chosen.
- A store that cannot be read says which file and why, and what to do; never "The store is empty". A busy store
  says so and retries. No store yet: the upload box is there to make one.
"""
from __future__ import annotations

import shutil
import threading
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from monitor.ingest.pipeline import ingest
from monitor.store import Store

LATER = [("2021-04-02", "Lakeside Ledger", "Tram extension approved",
          "Mara Velloso won approval for the tram extension. Tomas Brandt voted against it."),
         ("2021-04-09", "The Northbridge Courier", "Harbour reopens",
          "Ines Okafor reopened the harbour. Mara Velloso thanked the workers.")]


def write_articles(folder: Path, articles: list[tuple[str, str, str, str]]) -> Path:
    """Write fictional articles as text files in ``folder``; return the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for n, (day, source, title, body) in enumerate(articles):
        (folder / f"later-{n}.txt").write_text(f"date {day}\ntitle: {title}\nsource: {source}\n{body}\n")
    return folder


@pytest.fixture
def growing(tmp_path, fiction_store):
    """A copy of the fiction store (five articles, 1-24 March 2021) that a test may add to."""
    path = tmp_path / "growing.duckdb"
    shutil.copyfile(fiction_store.path, path)
    return path


def articles_shown(at: AppTest) -> int:
    return int({m.label: m.value for m in at.metric}["Articles"].replace(",", ""))


def test_new_articles_appear_when_the_store_grows_and_the_url_stays_open_ended(app, growing, tmp_path):
    at = app(growing)
    assert articles_shown(at) == 5 and "to" not in at.query_params
    ingest(Store(growing), [write_articles(tmp_path / "later", LATER)])
    at.run()  # what the auto-refresh (or the end of an upload) does: rerun the page
    assert not at.exception
    assert articles_shown(at) == 7  # the old code kept 5: its range still ended on 24 March
    assert "to" not in at.query_params and "from" not in at.query_params
    dates = at.sidebar.date_input(key="dates").value
    assert tuple(dates)[-1].isoformat() == "2021-04-09"


def test_a_last_day_the_user_chose_stays_chosen_as_the_store_grows(app, growing, tmp_path):
    at = app(growing, {"to": "2021-03-24"})  # the store's last day, chosen in the link
    assert articles_shown(at) == 5
    ingest(Store(growing), [write_articles(tmp_path / "later", LATER)])
    at.run()
    assert articles_shown(at) == 5 and at.query_params["to"] in ("2021-03-24", ["2021-03-24"])


def test_a_start_moved_in_the_widget_keeps_the_end_following(app, growing, tmp_path):
    from datetime import date

    at = app(growing)
    at.sidebar.date_input(key="dates").set_value((date(2021, 3, 10), date(2021, 3, 24))).run()
    assert articles_shown(at) == 3 and at.query_params == {"from": "2021-03-10"}
    ingest(Store(growing), [write_articles(tmp_path / "later", LATER)])
    at.run()
    assert articles_shown(at) == 5 and at.query_params == {"from": "2021-03-10"}


# ---- faults: each store below is not empty, and the page must not say it is

def truncated(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])


def foreign(path: Path) -> None:
    path.write_bytes(b"date,title\n2021-03-01,Not a database\n" * 100)


def other_duckdb(path: Path) -> None:
    path.unlink()
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE invoices (n INTEGER)")


def meta_emptied(path: Path) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute("DELETE FROM meta")


def articles_dropped(path: Path) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute("DROP TABLE articles CASCADE")


FAULTS = [truncated, foreign, other_duckdb, meta_emptied, articles_dropped]


@pytest.mark.parametrize("damage", FAULTS, ids=lambda f: f.__name__)
def test_a_damaged_store_is_named_not_called_empty(app, growing, damage):
    damage(growing)
    at = app(growing)
    assert not at.exception, at.exception
    shown = " ".join(e.value for e in [*at.info, *at.error, *at.warning]).replace("\\", "")
    assert "store is empty" not in shown.lower(), shown
    assert at.error and "growing.duckdb" in shown, shown
    assert "MONITOR_STORE" in shown  # what to do


def test_a_store_that_does_not_exist_yet_offers_the_upload_box(app, tmp_path):
    at = app(tmp_path / "new.duckdb")
    assert not at.exception and not at.error
    assert "no store at" in at.info[0].value.replace("\\", "") and at.get("expander")


def test_undated_articles_are_not_called_an_empty_store(app, tmp_path):
    folder = tmp_path / "undated"
    folder.mkdir()
    (folder / "a.txt").write_text("title: Quiet week\nsource: Lakeside Ledger\nMara Velloso said little this week.\n")
    ingest(Store(tmp_path / "u.duckdb"), [folder])
    at = app(tmp_path / "u.duckdb")
    assert not at.exception
    assert "holds 1 articles, none of them dated" in at.info[0].value.replace("\\", "")


def test_a_busy_store_says_busy_and_retrying(app, growing, monkeypatch):
    """Another process holds the store (a writer): the page says busy and polls, and shows the charts later."""
    import subprocess
    import sys

    import monitor.locking

    monkeypatch.setattr(monitor.locking, "LOCK_WAIT_SECONDS", 1.0)
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys\ncon = duckdb.connect(sys.argv[1])\n"
                               "print('held', flush=True)\nsys.stdin.read()", str(growing)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        at = app(growing)
        assert not at.exception and not at.error
        assert "busy" in at.warning[0].value and "retrying" in at.warning[0].value
    finally:
        holder.communicate("", timeout=60)
    at.run()
    assert not at.exception and articles_shown(at) == 5


def test_the_page_keeps_working_while_an_ingest_writes_beside_it(app, growing, tmp_path):
    """Reads between an ingest's batches: the page never fails while a CLI ingest runs beside it."""
    folder = write_articles(tmp_path / "later", LATER)
    done = threading.Event()
    errors: list[BaseException] = []

    def run() -> None:
        try:
            ingest(Store(growing), [folder], batch_size=1)
        except BaseException as exc:  # reported by the test below
            errors.append(exc)
        finally:
            done.set()

    thread = threading.Thread(target=run)
    thread.start()
    at = app(growing)
    thread.join()
    assert not errors and not at.exception
    at.run()
    assert articles_shown(at) == 7


def test_a_store_whose_change_counter_was_reset_by_hand_still_shows_its_articles(app, growing):
    """The old page read meta.version 0 as "empty" (a hand edit, or a store restored from an old backup)."""
    with duckdb.connect(str(growing)) as con:
        con.execute("UPDATE meta SET value = '0' WHERE key = 'version'")
    at = app(growing)
    assert not at.exception and not at.info
    assert articles_shown(at) == 5
