"""`python -m monitor alerts`: the spike alerts of a span (monitor/read/alerts.py) as a table or JSON lines; and
what `watch --alerts-file / --on-alert` does after each round: each alert not seen before, once.

"Seen" is kept in the store's meta table (key ALERTS_SEEN, a JSON list of alert keys), so a watch restarted on
the same store does not repeat an alert. The user's command (``--on-alert``) runs without a shell (its words
split as a POSIX shell would, shlex), once per new alert with the alert as one JSON line on its standard
input, within COMMAND_SECONDS; its failure (not found, a non-zero exit, a timeout) is reported and the watch
goes on. No mail server or webhook is assumed: a command such as `notify-send`, `mail` or `curl` does that.
"""
from __future__ import annotations

import argparse
import json
import math
import shlex
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from monitor import cli_values as values
from monitor.cli_values import UsageError
from monitor.ingest.terminal import printable
from monitor.read import alerts, search
from monitor.read.filters import Filters
from monitor.store import Store

COMMAND_SECONDS = 30.0  # an --on-alert command still running after this is stopped and reported
ALERTS_SEEN = "alerts:seen"
WATCH_LOOKBACK = 2      # periods before the store's newest article a watch round checks (late items land there)
SEEN_KEPT_DAYS = 120    # seen keys of older periods are forgotten: they cannot come back in a round's window
SHOWN = ("period", "kind", "name", "metric", "direction", "value", "baseline", "change", "score", "p_value",
         "articles", "total_articles")


def add_alerts(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the `alerts` command."""
    a = sub.add_parser("alerts", parents=[common], help="spikes and tone shifts against the previous 14 periods")
    a.add_argument("--since", type=values.day, help="first day tested, YYYY-MM-DD (default: the last 7 days "
                   "of the store); the baseline reaches back before it")
    a.add_argument("--until", type=values.day, help="last day tested, YYYY-MM-DD (default: the store's last)")
    a.add_argument("--query", action="append", default=[], metavar="NAME=QUERY",
                   help="a saved text query to watch as well (README: Searching the text); repeatable")
    a.add_argument("--kind", action="append", choices=alerts.KINDS, default=[],
                   help="only alerts of this kind; repeatable (default: all)")
    a.add_argument("--freq", choices=alerts.ALERT_FREQS, default="D", help="period: D (day, default) or W (week)")
    a.add_argument("--all-copies", action="store_true",
                   help="count every copy of a syndicated story (default: each story once, as the dashboard)")
    a.add_argument("--json", action="store_true", help="one JSON object per line instead of a table")


def add_watch_alerts(w: argparse.ArgumentParser) -> None:
    """Add `watch`'s --alerts-file and --on-alert."""
    w.add_argument("--alerts-file", metavar="PATH",
                   help="after each round, append every new spike alert to PATH as one JSON line")
    w.add_argument("--on-alert", metavar="CMD", type=_command,
                   help="after each round, run CMD (no shell) once per new alert, the alert as JSON on its stdin; "
                        f"stopped after {COMMAND_SECONDS:g} s; a failure is reported and the watch goes on")


def _command(text: str) -> list[str]:
    """Return --on-alert's words (shlex), or a usage error for a command that cannot be split or is empty."""
    try:
        words = shlex.split(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"cannot split {text!r} into words: {exc}") from None
    if not words:
        raise argparse.ArgumentTypeError("an empty command")
    return words


def saved_queries(pairs: Sequence[str]) -> list[tuple[str, str]]:
    """Return --query NAME=QUERY pairs; a UsageError for a malformed pair or a query that cannot be read."""
    out: dict[str, str] = {}
    for pair in pairs:
        name, sep, query = pair.partition("=")
        if not sep or not name.strip() or not query.strip():
            raise UsageError(f"--query expects NAME=QUERY, got {pair!r}")
        problem = search.check(query)
        if problem:
            raise UsageError(f"--query {name.strip()}: {problem}")
        out[name.strip()] = query
    return list(out.items())


def run_alerts(args: argparse.Namespace) -> int:
    """Print the alerts of the span; return 0 (none found is not an error)."""
    if args.since and args.until and args.since > args.until:
        raise UsageError(f"--since {args.since} is after --until {args.until}: the range holds no day")
    queries = saved_queries(args.query)
    store = Store(args.store, read_only=True)
    since = args.since or _days_before_last(store, 6)
    f = Filters(since=since, until=args.until, unique_stories=not args.all_copies)
    found = alerts.find_alerts(store, f, args.freq, tuple(args.kind) or alerts.KINDS, queries)
    if args.json:
        for row in records(found):
            print(json.dumps(row, ensure_ascii=False))
    else:
        print(table(found))
    return 0


def _days_before_last(store: Store, days: int) -> date | None:
    """Return the day `days` before the store's newest article (None for a store without dates)."""
    last = store.query("SELECT max(date) AS last FROM articles")["last"].iloc[0]
    return None if pd.isna(last) else (pd.Timestamp(last).normalize() - pd.Timedelta(days=days)).date()


def records(frame: pd.DataFrame) -> list[dict[str, object]]:
    """Return the alerts as JSON-ready dicts: the period as YYYY-MM-DD, NaN and infinity as null."""
    out = []
    for row in frame.to_dict("records"):
        clean: dict[str, object] = {}
        for column, value in row.items():
            key = str(column)
            if isinstance(value, pd.Timestamp):
                clean[key] = value.date().isoformat()
            elif (isinstance(value, float) and not math.isfinite(value)) or value is pd.NA:
                clean[key] = None
            else:
                clean[key] = value.item() if hasattr(value, "item") else value
        out.append(clean)
    return out


def table(frame: pd.DataFrame) -> str:
    """Return the alerts as a text table (names escaped: they come from the articles), or a line saying none."""
    if frame.empty:
        return "no alerts in this span"
    shown = frame.loc[:, list(SHOWN)].copy()
    shown["period"] = shown["period"].dt.strftime("%Y-%m-%d")
    shown["name"] = shown["name"].map(printable)
    for column, digits in (("value", 2), ("baseline", 2), ("change", 2), ("score", 1)):
        shown[column] = shown[column].round(digits)
    shown["p_value"] = shown["p_value"].map(lambda p: f"{p:.1e}")
    return shown.to_string(index=False)


def key_of(row: dict[str, object]) -> str:
    """Return the alert's identity: the same spike found again in a later round has the same key (the period is
    its fourth field from the end: a name may hold a "|")."""
    return "|".join(str(row[k]) for k in ("kind", "name", "period", "freq", "metric", "direction"))


@dataclass
class WatchAlerts:
    """What a watch does after each round: find the recent alerts, hand on the ones not seen before."""

    store: Store
    file: Path | None
    command: list[str] | None
    log: Callable[[str], None]

    def __call__(self) -> None:
        """Check the newest periods; write and run each new alert; remember them. Never raises (but Ctrl-C)."""
        try:
            new = self.new_alerts()
        except Exception as exc:  # why: the alerts are an extra; a failure must not end the watch
            self.log(f"alerts: could not be checked: {type(exc).__name__}: {printable(str(exc))}")
            return
        for row in new:
            line = json.dumps(row, ensure_ascii=False)
            self.write(line)
            self.run(line, row)
        if new:
            self.log(f"alerts: {len(new)} new")

    def new_alerts(self) -> list[dict[str, object]]:
        """Return the alerts of the newest periods not handed on before, and mark them seen in the store."""
        since = _days_before_last(self.store, WATCH_LOOKBACK - 1)
        if since is None:
            return []
        found = records(alerts.find_alerts(self.store, Filters(since=since, unique_stories=True), "D"))
        seen: list[str] = json.loads(self.store.meta(ALERTS_SEEN) or "[]")
        known = set(seen)
        new = [row for row in found if key_of(row) not in known]
        if new:
            oldest = str(pd.Timestamp(since) - pd.Timedelta(days=SEEN_KEPT_DAYS))[:10]
            kept = [k for k in seen if k.split("|")[-4] >= oldest] + [key_of(row) for row in new]
            self.store.set_meta(ALERTS_SEEN, json.dumps(kept))
        return new

    def write(self, line: str) -> None:
        """Append one alert to the alerts file; a failure is reported."""
        if self.file is None:
            return
        try:
            with self.file.open("a", encoding="utf-8") as out:
                out.write(line + "\n")
        except OSError as exc:
            self.log(f"alerts: could not write {printable(str(self.file))}: {printable(str(exc))}")

    def run(self, line: str, row: dict[str, object]) -> None:
        """Run the user's command with the alert on its stdin; report its failure."""
        if not self.command:
            return
        what = f"alerts: {printable(shlex.join(self.command))} for {printable(str(row['name']))}"
        try:
            done = subprocess.run(self.command, input=(line + "\n").encode(), capture_output=True,
                                  timeout=COMMAND_SECONDS, check=False)
        except subprocess.TimeoutExpired:
            self.log(f"{what}: stopped after {COMMAND_SECONDS:g} s")
            return
        except OSError as exc:
            self.log(f"{what}: could not be run: {printable(str(exc))}")
            return
        if done.returncode:
            said = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
            self.log(f"{what}: exit status {done.returncode} {printable(said[0])}".rstrip())


def watch_alerts(args: argparse.Namespace, store: Store) -> Callable[[], None] | None:
    """Return the after-round step of `watch` for its --alerts-file / --on-alert (None without either)."""
    if not args.alerts_file and not args.on_alert:
        return None
    file = Path(args.alerts_file) if args.alerts_file else None
    return WatchAlerts(store, file, args.on_alert, lambda text: print(text, file=sys.stderr, flush=True))
