"""The command line: `python -m monitor ingest | watch | export | info | migrate | names | alerts | report`.

Exit status (the README's table says the same):
  0    done: everything was ingested;
  1    some inputs were skipped (each is listed with its reason); the rest is stored;
  2    a usage error: an unknown command or option, a bad number, an export's --since/--until that is not a
       YYYY-MM-DD day or a range that ends before it starts (and `watch` with no feeds listed); nothing touched;
  3    the store cannot be used: none there, not this project's (another application's DuckDB file), damaged or
       truncated, edited by hand, of another schema version, or a write failed (disk full, its write-ahead log
       not writable). One line names the file and the cause; every batch committed before it stays stored;
  4    the store is busy: another process held it past the wait (LOCK_WAIT_SECONDS): try again later;
  5    something else the run needs cannot be used: a settings file (watchlist, topics), an output file,
       the worker processes or the Dask cluster;
  70   an unexpected error, a bug: one line, and its traceback only with MONITOR_DEBUG=1 in the environment;
  130  interrupted (whole batches already written stay stored).
`watch` ends with 0 after its rounds or on Ctrl-C / SIGTERM. No error ends with 1, which `make run` (and any
script) may take for "some inputs skipped".
"""
from __future__ import annotations

import argparse
import os
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import NoReturn

import pandas as pd

from monitor import cli_values as values  # each option's text read, or a usage error
from monitor import search_index
from monitor.alerts_command import add_alerts, add_watch_alerts, run_alerts, watch_alerts
from monitor.cli_values import UsageError
from monitor.ingest.fetch import Fetcher
from monitor.ingest.fetch_types import FetchSettings
from monitor.ingest.names_command import add_names, run_names
from monitor.ingest.network import allow_hosts_from_env
from monitor.ingest.pipeline import IngestReport, ingest
from monitor.ingest.runners import DaskError, WorkerError, dask_client, default_workers
from monitor.ingest.sources import DEFAULT_MAX_BYTES
from monitor.ingest.terminal import printable
from monitor.ingest.topics import Taxonomy
from monitor.ingest.watchlist import Watchlist, WatchlistError
from monitor.present import export
from monitor.present.provenance import describe
from monitor.read import aggregations, frames, outlet_groups, outlets, search, timeseries
from monitor.read.outlet_groups import OutletGroup
from monitor.report_command import add_report, run_report
from monitor.store import Store, StoreBusy, StoreError, default_path
from monitor.tables import SCHEMA_VERSION

EXIT_OK, EXIT_SKIPPED, EXIT_USAGE, EXIT_STORE, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
EXIT_BUSY, EXIT_SETUP, EXIT_BUG = 4, 5, 70  # 70: EX_SOFTWARE of BSD's sysexits.h, "internal software error"
EXPORTS = ("articles", "mentions", "topics", "timeline")


class _Parser(argparse.ArgumentParser):
    """argparse's parser, its errors printable: "unrecognized arguments: ..." repeats the words given raw."""

    def error(self, message: str) -> NoReturn:
        super().error(printable(message))  # the words given, escaped: a line break in them stays visible


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m monitor", description="Media monitor: ingest and export.")
    sub = parser.add_subparsers(dest="command", required=True)
    common = _Parser(add_help=False)
    common.add_argument("--store", help=f"store file (default: $MONITOR_STORE or {default_path()})")
    ing = sub.add_parser("ingest", parents=[common], help="read articles into the store")
    ing.add_argument("paths", nargs="+", help="files, folders (searched recursively) or http(s) URLs")
    ing.add_argument("--topics", help="topic taxonomy TOML (default: data/topics.toml)")
    ing.add_argument("--watchlist", help="watchlist TOML (default: data/watchlist.toml)")
    ing.add_argument("--map", action="append", default=[], metavar="FIELD=COLUMN",
                     help="read FIELD (text, title, date, source, url) from COLUMN in JSON/CSV input")
    ing.add_argument("--batch-size", type=values.positive, default=200, metavar="N", help="articles per transaction")
    ing.add_argument("--max-bytes", type=values.positive, default=DEFAULT_MAX_BYTES, metavar="N",
                     help=f"skip files larger than N bytes, after gunzip (default {DEFAULT_MAX_BYTES:,}: 50 MB, "
                          "as in the dashboard)")
    ing.add_argument("--follow-symlinks", action="store_true",
                     help="in folders, read what symbolic links point to outside the folder (default: report and "
                          "skip them); links to pipes, devices and /proc files are never read")
    ing.add_argument("--workers", type=values.positive, metavar="N",
                     help=f"processes running the NLP (default: one per core, {default_workers()} here; "
                          "1 runs it in this process)")
    ing.add_argument("--dask", metavar="ADDRESS",
                     help="run the NLP on the Dask cluster whose scheduler is at ADDRESS (tcp://host:8786); "
                          "its workers need this project and its requirements installed")
    ing.add_argument("--quiet", action="store_true", help="no progress bar")
    _add_allow_host(ing)
    _add_watch(sub, common)
    exp = sub.add_parser("export", parents=[common], help="write a frame as CSV, Parquet or JSON")
    exp.add_argument("what", choices=EXPORTS)
    exp.add_argument("--format", choices=export.FORMATS, default="csv")
    exp.add_argument("-o", "--output", help="file to write, or an existing folder to write a file named after the "
                     "export, its filters and their hash (default: standard output)")
    exp.add_argument("--person", action="append", default=[], help="only this entity (any spelling); repeatable")
    exp.add_argument("--topic", action="append", default=[], help="only articles with this topic; repeatable")
    exp.add_argument("--source", action="append", default=[], help="only this outlet; repeatable")
    exp.add_argument("--since", type=values.day, help="first day, YYYY-MM-DD")
    exp.add_argument("--until", type=values.day, help="last day, YYYY-MM-DD")
    exp.add_argument("--query", default="", help='only articles whose text matches this query: words, "phrases", '
                     'immigra*, AND / OR / NOT, ( ), "trump wall"~10, trump NEAR/10 wall (README: Searching the text)')
    exp.add_argument("--outlet-group", metavar="GROUPING:GROUP", help="only the articles of this outlet group: "
                     "a grouping of the outlets file and one of its groups (leaning:left), or a record label and "
                     "its value (political_bias:Left); GROUPING:ungrouped for the rest")
    exp.add_argument("--outlets", help="outlets file (default: $MONITOR_OUTLETS or data/outlets.toml)")
    exp.add_argument("--freq", choices=sorted(timeseries.FREQS), default="D", help="timeline period")
    exp.add_argument("--all-copies", action="store_true",
                     help="timeline: count every copy of a syndicated story (default: each story once, as the "
                          "dashboard does); the other exports always list every copy")
    sub.add_parser("info", parents=[common], help="what the store holds")
    add_names(sub, common)
    add_alerts(sub, common)
    add_report(sub, common)  # monitor/report_command.py (exit 6: nothing to report)
    sub.add_parser("migrate", parents=[common],
                   help="bring a store made by an older monitor up to this one's schema (an ingest does it too)")
    return parser


def _add_watch(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the `watch` command: poll feeds and ingest what is new."""
    from monitor.ingest.feeds_file import DEFAULT_FEEDS

    w = sub.add_parser("watch", parents=[common], help="poll feeds every so often and ingest what is new")
    w.add_argument("--feeds", default=str(DEFAULT_FEEDS), help=f"feeds TOML (default: {DEFAULT_FEEDS})")
    w.add_argument("--every", type=values.every, default="15m", help="time between rounds: 30s, 15m, 1h (default 15m)")
    w.add_argument("--rounds", type=values.positive, help="stop after N rounds (default: until Ctrl-C)")
    w.add_argument("--topics", help="topic taxonomy TOML (default: data/topics.toml)")
    w.add_argument("--watchlist", help="watchlist TOML (default: data/watchlist.toml)")
    _add_allow_host(w)
    add_watch_alerts(w)


def _add_allow_host(parser: argparse.ArgumentParser) -> None:
    """Add --allow-host: an internal host the fetcher may reach all the same (it refuses them by default)."""
    parser.add_argument("--allow-host", action="append", default=[], type=values.allow_host, metavar="HOST",
                        help="also fetch from this internal host name, IP address or network (CIDR), refused by "
                             "default (loopback, private, link-local...); repeatable; adds to $MONITOR_ALLOW_HOSTS")


def _fetch_settings(args: argparse.Namespace, also: frozenset[str] = frozenset()) -> FetchSettings:
    """Return the fetch settings of a command: the allow-list of $MONITOR_ALLOW_HOSTS, --allow-host and ``also``
    (the feeds file's ``allow_hosts`` for `watch`)."""
    return FetchSettings(allow_hosts=allow_hosts_from_env() | frozenset(args.allow_host) | also)


def _print_report(report: IngestReport) -> None:
    """Print the per-file table and totals of an ingest to stderr."""
    err = sys.stderr
    # Paths and reasons come from the input: printable() keeps each entry on one line, escapes shown.
    for path, r in sorted(report.files.items()):
        line = f"  {printable(path)}: added {r.added}, unchanged {r.unchanged}, duplicates {r.duplicates}"
        line += f", skipped {len(r.skipped)}" + (f", without a date {r.undated}" if r.undated else "")
        line += f"; {r.capped_note()} (stored whole)" if r.capped else ""
        print(line, file=err)
        for problem, n in sorted(r.date_problems.items()):
            if n:
                print(f"    date refused, stored without one: {problem} ({n})", file=err)
    for reason in report.skipped:
        print(f"  skipped {printable(reason)}", file=err)
    other = report.other_languages()
    if other:
        print("  stored, not analysed (language): "
              + ", ".join(f"{printable(code)} {n}" for code, n in other.most_common()), file=err)
    print(f"added {report.total('added')}, unchanged {report.total('unchanged')}, "
          f"duplicates {report.total('duplicates')}, skipped {len(report.skipped)}, "
          f"without a date {report.total('undated')} in {report.seconds:.1f} s"
          + (f"; NLP in {report.ran_on}" if report.model_loaded else " (model not loaded: nothing new)"), file=err)


def _ingest(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    mapping = values.mapping(args.map)  # before anything is created: a usage error leaves no store behind
    if args.dask:
        dask_client()  # likewise: without Dask installed, say which file to install before any work
    store = Store(args.store)
    taxonomy = Taxonomy.load(args.topics)
    watchlist = Watchlist.load(args.watchlist)
    with tqdm(desc="articles", unit=" art", disable=args.quiet or None, file=sys.stderr) as bar:
        report = ingest(store, args.paths, mapping=mapping, taxonomy=taxonomy,
                        watchlist=watchlist, batch_size=args.batch_size, progress=bar.update,
                        max_bytes=args.max_bytes, workers=args.workers or default_workers(), dask=args.dask,
                        fetch_settings=_fetch_settings(args), follow_symlinks=args.follow_symlinks)
    _print_report(report)
    return EXIT_SKIPPED if report.skipped else EXIT_OK


def _watch(args: argparse.Namespace) -> int:
    from monitor.ingest import watch
    from monitor.ingest.feeds_file import read_feeds_file

    found = read_feeds_file(args.feeds)
    for problem in found.problems:  # an entry that cannot be fetched is left out, not the end of the watch
        print(f"warning: {printable(problem)}", file=sys.stderr)
    feeds = found.feeds
    if not feeds:
        print(f"no feeds listed in {printable(args.feeds)}: add [[feed]] tables with url = \"https://...\"",
              file=sys.stderr)
        return EXIT_USAGE
    taxonomy, watchlist = Taxonomy.load(args.topics), Watchlist.load(args.watchlist)
    store = store_when_free(args.store, args.every)
    print(f"watching {len(feeds)} feeds every {args.every:g} s into {printable(store.path)} (Ctrl-C stops)",
          file=sys.stderr, flush=True)
    with watch.interrupt_on_signals():
        # watch() catches the interrupt itself, logs its summary and returns.
        watch.watch(store, feeds, every=args.every, rounds=args.rounds, taxonomy=taxonomy, watchlist=watchlist,
                    fetcher=Fetcher(_fetch_settings(args, found.allow_hosts)), after_round=watch_alerts(args, store))
    return EXIT_OK


def store_when_free(path: str | None, every: float, pause: Callable[[float], object] = time.sleep) -> Store:
    """Return the watch's store, opened writable; while another process holds it, say so and try again every round.

    A watch is left running: a store held at its start (a long ingest) is waited for like one held between rounds.
    """
    while True:
        try:
            return Store(path)
        except StoreBusy as exc:
            print(f"{printable(str(exc))}: trying again in {every:g} s", file=sys.stderr, flush=True)
            pause(every)


def _export(args: argparse.Namespace) -> int:
    if args.since and args.until and args.since > args.until:  # before the store is opened: a usage error
        raise UsageError(f"--since {args.since} is after --until {args.until}: the range holds no day")
    problem = search.check(args.query)
    if problem:  # before the store is opened, like the dates: a usage error, with where and why
        raise UsageError(f"--query: {problem}")
    store = Store(args.store, read_only=True)
    f = frames.Filters(entities=tuple(args.person), topics=tuple(args.topic), sources=tuple(args.source),
                        since=args.since, until=args.until, query=args.query,
                        outlet_group=_outlet_group(store, args.outlet_group, args.outlets))
    if args.what == "articles":
        frame = frames.articles(store, f)
    elif args.what == "mentions":
        frame = frames.mentions(store, f)
    elif args.what == "topics":
        frame = frames.topic_hits(store, f)
    else:
        # the dashboard's series (aggregations), so the export and the charts cannot disagree
        frame = aggregations.timeline(store, replace(f, unique_stories=not args.all_copies), args.freq)
    data = export.to_bytes(frame, args.format)
    if args.output:
        target = _output_path(args, f)
        target.write_bytes(data)
        print(f"wrote {len(frame)} rows to {printable(str(target))}", file=sys.stderr)
    else:
        sys.stdout.buffer.write(data)
    return EXIT_OK


def _outlet_group(store: Store, given: str | None, outlets_file: str | None) -> OutletGroup | None:
    """Return the outlet-group filter `--outlet-group` names (None without it); a UsageError for one that names
    no grouping, an OutletsError (exit 5) for an outlets file that cannot be used."""
    if not given:
        return None
    offered = outlets.groupings(store, outlet_groups.load(outlets_file))
    found = outlets.parse_group(given, offered)
    if found is None:
        listed = ", ".join(offered) or "none: no outlets file, no record labels stored"
        raise UsageError(f"--outlet-group {given!r}: write GROUPING:GROUP with one of the groupings ({listed})")
    return found


def _output_path(args: argparse.Namespace, f: frames.Filters) -> Path:
    """Return the file an export writes: -o itself, or in a folder -o, a name that says what the file holds
    (the export, its filters and their hash: the dashboard's names, so two different exports never clash)."""
    out = Path(args.output)
    if not out.is_dir():
        return out
    timeline = args.what == "timeline"
    about = describe(replace(f, unique_stories=timeline and not args.all_copies), names=tuple(args.person),
                     freq=args.freq if timeline else None)
    return out / about.file_name(args.what, args.format)


def _info(args: argparse.Namespace) -> int:
    s = frames.summary(Store(args.store, read_only=True))
    print(f"store {printable(s['path'])} (version {s['version']})")
    print(f"{s['articles']} articles from {s['sources']} sources, {s['first_date']} to {s['last_date']}"
          f" ({s['undated']} without a date)")
    print(f"{s['sentences']} sentences, {s['mentions']} mentions of {s['entities']} entities, "
          f"{s['topic_hits']} topic hits")
    people, topics = s["top_people"], s["top_topics"]
    assert isinstance(people, pd.DataFrame) and isinstance(topics, pd.DataFrame)  # summary's two tables
    print("top people: " + ", ".join(f"{printable(e)} ({n})" for e, n in people.itertuples(index=False)))
    print("top topics: " + ", ".join(f"{printable(t)} ({n})" for t, n in topics.itertuples(index=False)))
    return EXIT_OK


def _migrate(args: argparse.Namespace) -> int:
    """Open the store writable, which migrates an older schema (monitor/store_open.py); print what was done."""
    path = Path(args.store) if args.store else default_path()
    if not path.exists():  # a writable open would create a new store: not what `migrate` is for
        raise StoreError(f"{path}: no store here yet (ingest some articles first)")
    store = Store(path)
    done = (f"migrated from schema version {store.migrated_from} to {SCHEMA_VERSION}" if store.migrated_from
            else f"already at schema version {SCHEMA_VERSION}")
    print(f"store {printable(store.path)}: {done}")
    indexed = search_index.sync(store)  # the full-text index of a store that has none yet (or is behind)
    print(f"search index {printable(str(search_index.index_path(store)))}: "
          + (f"{indexed:,} articles indexed" if indexed else "up to date"))
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return its exit status (the module's docstring): one line on stderr for every error,
    never a traceback (but with MONITOR_DEBUG=1), never 1 (some inputs skipped) for an error."""
    try:
        args = _parser().parse_args(argv)  # a usage error exits 2 here (argparse's SystemExit)
        commands = {"ingest": _ingest, "watch": _watch, "export": _export, "info": _info, "migrate": _migrate,
                    "names": run_names, "alerts": run_alerts, "report": run_report}
        return commands[args.command](args)
    except UsageError as exc:
        print(f"usage error: {printable(exc)}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted: whole batches already written stay stored; run the same command again to finish",
              file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader of standard output went away (`export ... | head`): it had what it wanted. Later writes (the
        # interpreter's flush at exit) go to /dev/null, or Python would report the broken pipe after all.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except StoreBusy as exc:
        print(f"error: {printable(exc)} (try again later)", file=sys.stderr)
        return EXIT_BUSY
    except StoreError as exc:
        print(f"error: {printable(exc)}", file=sys.stderr)
        return EXIT_STORE
    except (WatchlistError, DaskError, WorkerError, ValueError, OSError) as exc:
        print(f"error: {printable(exc)}", file=sys.stderr)
        return EXIT_SETUP
    except Exception as exc:  # the last line of defence: a bug must not end with 1, "some inputs skipped"
        return _unexpected(exc)


def _unexpected(exc: Exception) -> int:
    """Print one line for an error nobody foresaw, its traceback too when $MONITOR_DEBUG is set; return EXIT_BUG."""
    if os.environ.get("MONITOR_DEBUG"):
        traceback.print_exception(exc, file=sys.stderr)
    said = " ".join(f"{type(exc).__name__}: {exc}".split())
    print(f"internal error: {printable(said)} (a bug: please report it; MONITOR_DEBUG=1 shows where it happened)",
          file=sys.stderr)
    return EXIT_BUG
