"""`python -m monitor alerts` (text and JSON lines) and `watch --alerts-file / --on-alert` on a store with one known
spike (tests/alerts_corpus.py); the watch rounds run against a loopback feed server that brings the spike in."""
from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pandas as pd
import pytest

from monitor.alerts_command import ALERTS_SEEN, WatchAlerts, saved_queries
from monitor.cli import main
from monitor.cli_values import UsageError
from monitor.ingest.feeds_file import Feed
from monitor.ingest.fetch import Fetcher
from monitor.ingest.watch import watch
from monitor.ingest.watchlist import Watchlist
from monitor.read import alerts
from monitor.read.filters import Filters
from monitor.store import Store
from tests import alerts_corpus as corpus
from tests.loopback import Server, rss, static
from tests.test_watch import run_cli

SPIKE = f"{corpus.SPIKE_DAY:%Y-%m-%d}"


@pytest.fixture(scope="module")
def spiked(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return corpus.shared(tmp_path_factory)


@pytest.fixture(scope="module")
def calm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The corpus without the spike day's scandal articles: what a watch starts from."""
    return corpus.build(tmp_path_factory.mktemp("calm"), spike=False)


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["alerts", *args])
    out, err = capsys.readouterr()
    return status, out, err


def test_the_store_read_finds_the_spike_and_nothing_before_it(spiked: Path) -> None:
    found = alerts.find_alerts(Store(spiked, read_only=True), Filters(unique_stories=True), "D")
    rows = found[(found["name"] == corpus.SPIKED) & (found["metric"] == "volume")]
    assert rows["period"].tolist() == [corpus.SPIKE_DAY]
    assert rows["articles"].iloc[0] >= corpus.SPIKE and rows["change"].iloc[0] > 2
    assert (found["period"] == corpus.SPIKE_DAY).all(), found  # the routine days alert on nothing


def test_cli_text_table(spiked: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = cli(capsys, "--store", str(spiked), "--since", "2024-03-20")
    line = next(line for line in out.splitlines() if corpus.SPIKED in line)
    assert status == 0 and line.split()[:2] == [SPIKE, line.split()[1]] and "volume" in line and " up " in line
    status, out, _ = cli(capsys, "--store", str(spiked), "--since", "2024-03-10", "--until", "2024-03-20")
    assert status == 0 and out.strip() == "no alerts in this span"


def test_cli_json_lines_with_a_saved_query(spiked: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = cli(capsys, "--store", str(spiked), "--since", SPIKE, "--json",
                         "--query", 'scandal="harbour contract"', "--query", "routine=residents")
    rows = [json.loads(line) for line in out.splitlines()]
    assert status == 0 and rows and all(r["period"] == SPIKE for r in rows)
    spike = next(r for r in rows if r["name"] == corpus.SPIKED and r["metric"] == "volume")
    assert spike["direction"] == "up" and spike["p_value"] <= 5e-5 and spike["articles"] >= corpus.SPIKE
    assert isinstance(spike["baseline"], float) and spike["query"] is None
    query = [r for r in rows if r["kind"] == "query"]
    assert [(r["name"], r["query"]) for r in query] == [("scandal", '"harbour contract"')]  # routine: no change
    assert query[0]["change"] is None  # never seen before: an infinite ratio is written as null


def test_cli_kind_keeps_one_kind(spiked: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = cli(capsys, "--store", str(spiked), "--since", SPIKE, "--json", "--kind", "query",
                         "--query", 's="harbour contract"')
    assert status == 0 and {json.loads(line)["kind"] for line in out.splitlines()} == {"query"}


@pytest.mark.parametrize("args, said", [
    (["--query", "no-equals"], "--query expects NAME=QUERY"),
    (["--query", "bad=(tram"], "--query bad: a ( at character 1 is never closed"),
    (["--since", "2024-03-20", "--until", "2024-03-01"], "is after --until"),
])
def test_cli_usage_errors(spiked: Path, capsys: pytest.CaptureFixture[str], args: list[str], said: str) -> None:
    status, _, err = cli(capsys, "--store", str(spiked), *args)
    assert status == 2 and said in err


def test_saved_queries_keep_the_last_of_a_name() -> None:
    assert saved_queries(["a=x", "b = y OR z", "a=w"]) == [("a", "w"), ("b", " y OR z")]
    with pytest.raises(UsageError, match="NAME=QUERY"):
        saved_queries(["=x"])


# ---- watch: a round brings the spike in; each new alert is written once, and the user's command runs

def feed_server(server: Server) -> str:
    """Serve the spike day's articles as one feed (full text in the feed); return its URL."""
    items = [(title, server.url(f"/news/{i}.html"), date, text[:80], text)
             for i, (title, date, text) in enumerate(corpus.spike_items())]
    server.routes["/feed.xml"] = static(rss("Harbour Times", items), "application/rss+xml")
    return server.url("/feed.xml")


def copy_store(source: Path, folder: Path) -> Store:
    """Return a writable copy of a store (and its search index, when it has one)."""
    target = folder / "watched.duckdb"
    shutil.copy(source, target)
    for index in source.parent.glob(source.name + ".*"):
        shutil.copy(index, folder / (target.name + index.name[len(source.name):]))
    return Store(target)


def recorder(folder: Path) -> tuple[list[str], Path]:
    """Return (argv of a command appending its stdin to a file, that file)."""
    out = folder / "received.jsonl"
    return [sys.executable, "-c", f"import sys; open({str(out)!r}, 'a').write(sys.stdin.read())"], out


def test_watch_writes_each_new_alert_once_and_runs_the_command(server: Server, calm: Path, tmp_path: Path) -> None:
    url = feed_server(server)
    store, logged = copy_store(calm, tmp_path), []
    command, received = recorder(tmp_path)
    sink = WatchAlerts(store, tmp_path / "alerts.jsonl", command, logged.append)
    fetcher = Fetcher(Server.settings(backoff=0.01))
    watch(store, [Feed(url, "Times")], every=0.01, rounds=2, fetcher=fetcher, watchlist=Watchlist(),
          log=logged.append, after_round=sink)
    written = [json.loads(line) for line in (tmp_path / "alerts.jsonl").read_text().splitlines()]
    assert any(r["name"] == corpus.SPIKED and r["period"] == SPIKE and r["metric"] == "volume" for r in written)
    assert len({json.dumps(r, sort_keys=True) for r in written}) == len(written)  # round 2: nothing again
    assert received.read_text().splitlines() == (tmp_path / "alerts.jsonl").read_text().splitlines()
    assert sum("alerts:" in line for line in logged) == 1, logged
    # A restart (a new watch on the same store) remembers what was handed on: nothing is written again.
    watch(store, [Feed(url, "Times")], every=0.01, rounds=1, fetcher=fetcher, watchlist=Watchlist(),
          log=logged.append, after_round=WatchAlerts(store, tmp_path / "alerts.jsonl", None, logged.append))
    assert len((tmp_path / "alerts.jsonl").read_text().splitlines()) == len(written)
    assert len(json.loads(store.meta(ALERTS_SEEN) or "[]")) == len(written)


@pytest.mark.parametrize("command, said", [
    ([sys.executable, "-c", "import sys; sys.stderr.write('mailbox full'); sys.exit(3)"], "exit status 3 mailbox full"),
    (["/nonexistent/notify-me"], "could not be run"),
])
def test_a_failing_command_is_reported_and_the_watch_goes_on(server: Server, calm: Path, tmp_path: Path,
                                                             command: list[str], said: str) -> None:
    url = feed_server(server)
    store, logged = copy_store(calm, tmp_path), []
    summary = watch(store, [Feed(url, "Times")], every=0.01, rounds=2, fetcher=Fetcher(Server.settings()),
                    watchlist=Watchlist(), log=logged.append,
                    after_round=WatchAlerts(store, tmp_path / "alerts.jsonl", command, logged.append))
    assert summary.rounds == 2 and any(said in line and corpus.SPIKED in line for line in logged), logged
    assert (tmp_path / "alerts.jsonl").read_text().strip()  # the file is written all the same


@pytest.mark.heavy
@pytest.mark.usefixtures("allow_loopback")
def test_cli_watch_alerts_file_and_command(server: Server, calm: Path, tmp_path: Path) -> None:
    """The real command line: `watch --alerts-file PATH --on-alert CMD` (the command's words split by shlex)."""
    url = feed_server(server)
    store = copy_store(calm, tmp_path).path
    feeds = tmp_path / "feeds.toml"
    feeds.write_text(f'[[feed]]\nurl = "{url}"\nname = "Times"\n')
    received = tmp_path / "received.jsonl"
    command = f"{sys.executable} -c \"import sys; open('{received}', 'a').write(sys.stdin.read())\""
    result = run_cli("watch", "--feeds", str(feeds), "--store", str(store), "--rounds", "1", "--alerts-file",
                     str(tmp_path / "alerts.jsonl"), "--on-alert", command)
    assert result.returncode == 0 and "alerts: " in result.stderr, result.stderr
    lines = (tmp_path / "alerts.jsonl").read_text().splitlines()
    assert lines and received.read_text().splitlines() == lines
    assert any(json.loads(line)["name"] == corpus.SPIKED for line in lines)
    assert run_cli("watch", "--on-alert", "'unclosed", "--store", str(store)).returncode == 2


def test_an_alert_does_not_depend_on_the_other_names_tested(spiked: Path) -> None:
    """The Overview's markers read only the drawn names: the same rows as the whole list has for them."""
    store = Store(spiked, read_only=True)
    for since in (None, corpus.SPIKE_DAY.date()):  # other dates tested beside it, too
        every = alerts.find_alerts(store, Filters(unique_stories=True, since=since), "D")
        for name in set(every["name"]):
            kinds = tuple(every.loc[every["name"] == name, "kind"].unique())
            alone = alerts.find_alerts(store, Filters(unique_stories=True, since=since), "D", kinds, names=[name])
            pd.testing.assert_frame_equal(alone, every[every["name"] == name].reset_index(drop=True))


def test_alert_periods_are_days_or_weeks(spiked: Path) -> None:
    with pytest.raises(ValueError, match="per day or week"):
        alerts.find_alerts(Store(spiked, read_only=True), Filters(), "M")
    weekly = alerts.find_alerts(Store(spiked, read_only=True), Filters(), "W")
    assert set(weekly["freq"]) <= {"week"} and (weekly["period"].dt.day_of_week == 0).all()
    assert pd.api.types.is_datetime64_dtype(weekly["period"])
