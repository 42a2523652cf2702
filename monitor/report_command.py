"""`python -m monitor report`: the Overview of a view as a PDF, HTML or PowerPoint file, for a cron job to send.

    python -m monitor report --store S [--query Q] [--since D] [--until D] [--person NAME]... [--topic T]...
                             [--outlet O]... [--kind person|org|place|group] [--freq D|W|M]
                             [--format pdf|html|pptx] -o FILE

The format comes from --format, else from FILE's suffix (.pdf, .html/.htm, .pptx). `-o` may name an existing
folder: the file is then named after the view (its filters and their hash, as the dashboard names downloads).
The file is written whole or not at all (a temporary file renamed), so a mail job never sends half a report.

Exit status, as every command's (monitor/cli.py), and one more:
  2  a usage error (a bad day or query, an unknown format, no -o): nothing read or written;
  3  / 4  the store cannot be used / is busy;
  5  the output file cannot be written;
  6  nothing to report: no mention matches the view (the message says what was asked); nothing written.
Without Chromium the charts cannot be drawn: the report is written with its tables and says so (a warning).
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from monitor import cli_values as values
from monitor.cli_values import UsageError
from monitor.ingest.terminal import printable
from monitor.present import report
from monitor.present.viewstate import KINDS
from monitor.read import search
from monitor.read.filters import Filters
from monitor.report_view import EmptyView, Shape, overview
from monitor.store import Store

EXIT_EMPTY = 6
SUFFIXES = {".pdf": "pdf", ".html": "html", ".htm": "html", ".pptx": "pptx"}


def add_report(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the `report` command to the CLI's subcommands."""
    r = sub.add_parser("report", parents=[common], help="write the view's report: PDF, HTML or PowerPoint")
    r.add_argument("-o", "--output", required=True,
                   help="file to write (.pdf, .html, .pptx), or an existing folder (a name that says the view)")
    r.add_argument("--format", choices=report.FORMATS, help="pdf | html | pptx (default: from the -o suffix)")
    r.add_argument("--query", default="", help="only articles whose text matches this query (as `export --query`)")
    r.add_argument("--since", type=values.day, help="first day, YYYY-MM-DD")
    r.add_argument("--until", type=values.day, help="last day, YYYY-MM-DD")
    r.add_argument("--person", action="append", default=[], metavar="NAME",
                   help="draw this name (any spelling; repeatable; default: the five most mentioned)")
    r.add_argument("--topic", action="append", default=[], help="only articles with this topic; repeatable")
    r.add_argument("--outlet", action="append", default=[], help="only this outlet; repeatable")
    r.add_argument("--kind", choices=list(KINDS), default="person", help="people, organisations, places or groups")
    r.add_argument("--freq", choices=("D", "W", "M"), help="the time charts' period (default: from the dates)")
    r.add_argument("--all-copies", action="store_true",
                   help="count every copy of a syndicated story (default: each story once, as the dashboard)")


def run_report(args: argparse.Namespace) -> int:
    """Write the report the arguments ask for; return the exit status."""
    fmt = _format(args)
    if args.since and args.until and args.since > args.until:
        raise UsageError(f"--since {args.since} is after --until {args.until}: the range holds no day")
    problem = search.check(args.query)
    if problem:
        raise UsageError(f"--query: {problem}")
    out = Path(args.output)
    if not out.is_dir() and not out.parent.is_dir():  # before any work: the report would have nowhere to go
        raise OSError(f"{out.parent}: no such folder, so {out.name} cannot be written there")
    store = Store(args.store, read_only=True)
    filters = Filters(topics=tuple(args.topic), sources=tuple(args.outlet), since=args.since, until=args.until,
                      unique_stories=not args.all_copies, query=args.query.strip())
    try:
        content = overview(store, filters, Shape(kind=args.kind, names=_names(store, args.person), freq=args.freq))
    except EmptyView as exc:
        print(f"nothing to report: {printable(exc)}; widen the dates, clear a topic or outlet, or change the "
              "query (no file written)", file=sys.stderr)
        return EXIT_EMPTY
    from monitor.present.export import image_export_available

    drawable, why = image_export_available()
    if not drawable:
        print(f"warning: the charts are left out: {why}", file=sys.stderr)
    data = report.render(content, fmt)
    target = _target(out, content, fmt)
    _write(target, data)
    print(f"wrote the {fmt.upper()} report ({len(data):,} bytes, {len(content.charts)} charts) to "
          f"{printable(str(target))}", file=sys.stderr)
    return 0


def _format(args: argparse.Namespace) -> str:
    """Return the format: --format, else the -o suffix; a UsageError when neither says one."""
    if args.format:
        return str(args.format)
    suffix = Path(args.output).suffix.lower()
    if suffix in SUFFIXES:
        return SUFFIXES[suffix]
    if Path(args.output).is_dir():
        return "pdf"
    raise UsageError(f"-o {args.output!r}: name a .pdf, .html or .pptx file, or give --format pdf|html|pptx")


def _names(store: Store, given: list[str]) -> tuple[str, ...]:
    """Return the canonical names of --person (any spelling); a spelling no one is known by is kept as written
    (its line stays at zero) and said on stderr."""
    from monitor.read.filters import resolve_entity

    found = {name: resolve_entity(store, name) for name in given}
    for name in (n for n, canonical in found.items() if canonical is None):
        print(f"warning: --person {printable(name)!r}: no one in the store is known by this name", file=sys.stderr)
    return tuple(dict.fromkeys(canonical or name for name, canonical in found.items()))


def _target(out: Path, content: report.ReportContent, fmt: str) -> Path:
    """Return the file to write: -o itself, or in a folder -o, a name that says the view."""
    return out / content.provenance.file_name("report", fmt) if out.is_dir() else out


def _mode(target: Path) -> int:
    """Return the permissions the report gets: the replaced file's, else a new file's under the umask."""
    if target.exists():
        return target.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _write(target: Path, data: bytes) -> None:
    """Write `data` to `target` whole: a temporary file beside it, renamed over it (an OSError if it cannot)."""
    if not target.parent.is_dir():
        raise OSError(f"{target.parent}: no such folder, so {target.name} cannot be written there")
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent or Path("."))
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(temp, _mode(target))  # mkstemp makes it private (0600); a report is a file like any other
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
