"""`python -m monitor names merge | split | rename | drop`: the analyst's corrections of names, scriptable.

Each writes the watchlist (--watchlist, else $MONITOR_WATCHLIST, else data/watchlist.toml) and re-resolves the
store's names with it, without NER (monitor/ingest/corrections.py); --dry-run says what would move and writes
nothing; --undo takes a correction back out of the watchlist. The dashboard's "Correct names" panel runs
these commands. Exit status as the other commands (monitor/cli.py); a correction that cannot be made (an
unknown name) is a usage error, 2, and changes nothing. Here, not in monitor/, because it is part of the ingest
stage's writing side (it may not import read or present, as the layout rule says; tests/test_layout.py).
"""
from __future__ import annotations

import argparse
import sys

from monitor.ingest import corrections
from monitor.ingest.terminal import printable
from monitor.store import Store

EXIT_OK, EXIT_USAGE = 0, 2
HELP = {
    "merge": ("NAME", "the entity merged away (its names become aliases of INTO)", "INTO", "the entity kept"),
    "split": ("NAME", "the spelling taken out of the entity it is counted under", "INTO",
              "the entity it goes to (default: an entity of its own)"),
    "rename": ("NAME", "the entity renamed", "NEW", "its new name"),
    "drop": ("NAME", "a junk name (an entity's name drops every spelling counted under it)", None, None),
}


def add_names(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the `names` command and its four corrections."""
    names = sub.add_parser("names", help="correct the names: merge, split, rename or drop (writes the watchlist)")
    kinds = names.add_subparsers(dest="correction", required=True)
    for kind, (first, first_help, second, second_help) in HELP.items():
        p = kinds.add_parser(kind, parents=[common], help=first_help)
        p.add_argument("name", metavar=first, help=first_help)
        if second:
            p.add_argument("target", metavar=second, nargs="?" if kind == "split" else None, default="",
                           help=second_help)
        p.add_argument("--watchlist", help="watchlist TOML written (default: $MONITOR_WATCHLIST or "
                                           "data/watchlist.toml)")
        p.add_argument("--dry-run", action="store_true", help="say what would change; write nothing")
        p.add_argument("--undo", action="store_true", help="take this correction back out of the watchlist")


def run_names(args: argparse.Namespace) -> int:
    """Make (or preview, or undo) one correction; print what moved. Returns the exit status."""
    wanted = corrections.Correction(args.correction, args.name, getattr(args, "target", "") or "")
    try:
        if args.dry_run:
            done = corrections.preview(Store(args.store, read_only=True), wanted, args.watchlist, args.undo)
        else:
            done = corrections.apply(Store(args.store), wanted, args.watchlist, args.undo)
    except corrections.CorrectionError as exc:
        print(f"usage error: {printable(exc)}", file=sys.stderr)
        return EXIT_USAGE
    said = corrections.describe(done.correction, args.undo)
    state = ("would change the watchlist" if args.dry_run else "watchlist written") if done.changed \
        else "the watchlist says so already"
    print(f"{printable(said)}: {state}", file=sys.stderr)
    for row in done.moves.itertuples(index=False):
        print(f"  {printable(row.from_entity)} -> {printable(row.to_entity)}: {row.mentions} mentions "
              f"({row.names} spellings)", file=sys.stderr)
    if done.moves.empty:
        print("  no mention changes entity", file=sys.stderr)
    return EXIT_OK
