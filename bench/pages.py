"""Titles and dates of real news pages, read as the monitor reads them, against the fundus project's expectations.

Usage: python bench/pages.py [--data DIR] [--no-write]

For each entry of ``../shared/data/html/fundus_us/EXPECTED.json`` the page (``.html.gz``) is read through
``monitor.ingest.sources.read_file`` — the code path of ``python -m monitor ingest page.html.gz`` — and compared:
titles exact and normalised-equal (NFKC, quotes and dashes unified, spaces collapsed, case folded); dates equal to
the day and to the minute in UTC (expected dates with an offset are converted; the two without one are taken as UTC,
which is how fundus stores them). Misses are listed with where the date came from (the page-date candidate chosen,
:func:`monitor.ingest.sources.html.explain_date`). Writes the ``pages`` section of bench/RESULTS.md.
"""
from __future__ import annotations

import argparse
import gzip
import json
import sys
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.results import SHARED_DATA, write_section
from monitor.ingest.sources import RawArticle, read_file

PAGES = SHARED_DATA / "html" / "fundus_us"
# Measured with the code of commit 5f33590 (before page dates were chosen by agreement), same data and rules.
BASELINE = {"pages": 28, "title_exact": 23, "title_normalised": 26, "day": 28, "minute": 26}
_FOLD = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"})


@dataclass
class Page:
    """One page's comparison: expected and got title and date (naive UTC), and the date's origin."""

    name: str
    title: str
    got_title: str | None
    date: datetime
    got_date: datetime | None
    origin: str
    naive_expected: bool = False


def normalised(title: str | None) -> str:
    """Return a title folded for a loose comparison: NFKC, straight quotes, hyphens, one space, case folded."""
    return " ".join(unicodedata.normalize("NFKC", title or "").translate(_FOLD).split()).casefold()


def expected_utc(value: str) -> datetime:
    """Return an expected ``publishing_date`` as naive UTC (a value without offset is taken as UTC)."""
    parsed = datetime.fromisoformat(value)
    return parsed.astimezone(UTC).replace(tzinfo=None) if parsed.tzinfo else parsed


def read_page(name: str, entry: dict[str, object], folder: Path) -> Page:
    """Return the comparison of one EXPECTED.json entry with what the monitor reads from its page."""
    files = entry["html"]
    path = folder / (files[0] if isinstance(files, list) else str(files))
    article = next((item for item in read_file(path) if isinstance(item, RawArticle)), None)
    origin = _origin(path) if article is not None else "page not read"
    return Page(name, str(entry["title"]), article.title if article else None,
                expected_utc(str(entry["publishing_date"])), article.date if article else None, origin,
                datetime.fromisoformat(str(entry["publishing_date"])).tzinfo is None)


def _origin(path: Path) -> str:
    """Return where the chosen date came from (the candidate), or the date_origin when that is unavailable."""
    try:
        from monitor.ingest.sources.html import explain_date
    except ImportError:  # why: the baseline code has no candidates to explain
        return "htmldate (trafilatura)"
    return explain_date(gzip.decompress(path.read_bytes()), path.name.removesuffix(".gz"))


def figures(pages: list[Page]) -> dict[str, int]:
    """Return the counts: pages, titles exact / normalised, dates to the day / to the minute."""
    def minute(value: datetime) -> datetime:
        return value.replace(second=0, microsecond=0)

    return {
        "pages": len(pages),
        "title_exact": sum(p.got_title == p.title for p in pages),
        "title_normalised": sum(normalised(p.got_title) == normalised(p.title) for p in pages),
        "day": sum(p.got_date is not None and p.got_date.date() == p.date.date() for p in pages),
        "minute": sum(p.got_date is not None and minute(p.got_date) == minute(p.date) for p in pages),
    }


def report(pages: list[Page], command: str) -> str:
    """Return the Markdown section: figures beside the baseline, then the misses."""
    now = figures(pages)
    rows = [("titles exact", "title_exact"), ("titles normalised-equal", "title_normalised"),
            ("dates to the day (UTC)", "day"), ("dates to the minute (UTC)", "minute")]
    lines = ["## Page titles and dates (fundus_us)", "", f"`{command}`", "",
             f"{now['pages']} real US news pages (`../shared/data/html/fundus_us`), read as "
             "`python -m monitor ingest page.html.gz` reads them.", "",
             "| measure | baseline (5f33590) | now |", "|---|---:|---:|"]
    lines += [f"| {label} | {BASELINE[key]}/{BASELINE['pages']} | {now[key]}/{now['pages']} |" for label, key in rows]
    naive = sum(1 for p in pages if p.naive_expected)
    lines += ["", f"Date misses (to the minute; the {naive} expected times without an offset are taken as UTC, as "
              "fundus stores them — a miss there may be the reference's local time):", "",
              "| page | expected (UTC) | got | from |", "|---|---|---|---|"]
    lines += [f"| {p.name} | {p.date:%Y-%m-%d %H:%M} | {_shown(p.got_date)} | {p.origin} |"
              for p in pages if p.got_date is None or p.got_date.replace(second=0, microsecond=0)
              != p.date.replace(second=0, microsecond=0)] or ["| (none) | | | |"]
    lines += ["", "Title misses (normalised):", "", "| page | expected | got |", "|---|---|---|"]
    lines += [f"| {p.name} | {_cell(p.title)} | {_cell(p.got_title)} |"
              for p in pages if normalised(p.got_title) != normalised(p.title)] or ["| (none) | | |"]
    return "\n".join(lines)


def _shown(value: datetime | None) -> str:
    return "none" if value is None else f"{value:%Y-%m-%d %H:%M}"


def _cell(text: str | None) -> str:
    """Return a title fit for a table cell (pipes escaped); titles are metadata, not article text."""
    return (text or "none").replace("|", "\\|")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=PAGES)
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone")
    args = parser.parse_args()
    expected_file = args.data / "EXPECTED.json"
    if not expected_file.exists():
        sys.exit(f"skipped: {expected_file} not found; put ../shared beside the project to run this benchmark")
    expected = json.loads(expected_file.read_text(encoding="utf-8"))
    pages = [read_page(name, entry, args.data) for name, entry in expected.items()]
    command = "python bench/pages.py" + ("" if args.data == PAGES else f" --data {args.data}")
    body = report(pages, command)
    print(body)
    if not args.no_write:
        print(f"\nwrote the pages section of {write_section('pages', body)}")
    print(f"\n{command}")


if __name__ == "__main__":
    main()
