"""Time the report (PDF, HTML, PowerPoint) of a view, and draw the README's pictures of one (docs/report-*.png).

    python bench/report.py [--recovery-store PATH] [--runs 3] [--pages-from seed|recovery] [--no-pictures]

Corpora: the seed (seeds/, ingested into a temporary store) and ReCOVery (../shared/data/recovery_covid2020:
a store of it given with --recovery-store, read only, else ingested here into a temporary folder, which takes a
few minutes). The ReCOVery view is 2020-01-01 to 2020-07-24 by week (its one 2010 article left out).

Measured, median of --runs after one cold run: reading the view into a ReportContent (monitor.report_view:
the Overview's queries and figures) and rendering each format (the six charts drawn by kaleido in Chromium, then
reportlab / HTML / python-pptx). The cold run includes starting Chromium once. Aggregates only: the pictures show
charts and the top table (names and counts), never article text.

Writes the "report" section of bench/RESULTS.md. A benchmark, not a test: it asserts nothing about speed.
"""
from __future__ import annotations

import argparse
import shlex
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.results import SHARED_DATA, write_section  # noqa: E402

RECOVERY = SHARED_DATA / "recovery_covid2020"
DOCS = ROOT / "docs"


def ingested(paths: list[Path], target: Path) -> Path:
    """Return `target`, a store of `paths` ingested by the real pipeline (kept when it is there already)."""
    from monitor.ingest.pipeline import ingest
    from monitor.store import Store

    if not target.exists():
        ingest(Store(target), [str(p) for p in paths])
    return target


def timed(action, runs: int) -> tuple[float, list[float]]:
    """Return (the cold run's seconds, the warm runs' seconds) of `action()`."""
    seconds = []
    for _ in range(runs + 1):
        start = time.perf_counter()
        action()
        seconds.append(time.perf_counter() - start)
    return seconds[0], seconds[1:]


def measure(path: Path, filters, shape, runs: int) -> dict[str, tuple[float, list[float]]]:
    """Return the timings of reading the content and rendering each format, on the store at `path`."""
    from monitor.present import report
    from monitor.report_view import overview
    from monitor.store import Store

    store = Store(path, read_only=True)
    content = overview(store, filters, shape)
    out: dict[str, tuple[float, list[float]]] = {"content": timed(lambda: overview(store, filters, shape), runs)}
    for fmt in report.FORMATS:
        out[fmt] = timed(lambda fmt=fmt: report.render(content, fmt), runs)
    return out


def pictures(path: Path, filters, shape, pages: int = 2) -> list[Path]:
    """Write the first `pages` pages of the view's PDF as docs/report-N.png; return their paths."""
    import pypdfium2 as pdfium

    from monitor.present import report
    from monitor.report_view import overview
    from monitor.store import Store

    data = report.render(overview(Store(path, read_only=True), filters, shape), "pdf")
    doc = pdfium.PdfDocument(data)
    written = []
    try:
        for n in range(min(pages, len(doc))):
            target = DOCS / f"report-{n + 1}.png"
            doc[n].render(scale=1.5).to_pil().convert("RGB").save(target, optimize=True)
            written.append(target)
    finally:
        doc.close()
    return written


def button_cost(path: Path, reruns: int = 15) -> tuple[float, float]:
    """Return (median seconds of a rerun of the dashboard's Overview on `path`, median seconds of it spent in
    dashboard_report.report_buttons), in Streamlit's AppTest: what the buttons add to every rerun."""
    import os

    from streamlit.testing.v1 import AppTest

    import dashboard_overview

    real, spent = dashboard_overview.report_buttons, []

    def timed_buttons(*args, **kwargs):
        start = time.perf_counter()
        real(*args, **kwargs)
        spent.append(time.perf_counter() - start)

    os.environ["MONITOR_STORE"] = str(path)
    dashboard_overview.report_buttons = timed_buttons
    try:
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=300).run()
        runs = []
        for _ in range(reruns):
            start = time.perf_counter()
            at.run()
            runs.append(time.perf_counter() - start)
    finally:
        dashboard_overview.report_buttons = real
    return statistics.median(runs), statistics.median(spent[1:])


def row(corpus: str, what: str, timing: tuple[float, list[float]]) -> str:
    cold, warm = timing
    return (f"| {corpus} | {what} | {cold * 1000:,.0f} ms | {statistics.median(warm) * 1000:,.0f} ms "
            f"(min {min(warm) * 1000:,.0f}, max {max(warm) * 1000:,.0f}, n={len(warm)}) |")


def main(argv: list[str] | None = None) -> int:
    from monitor.read.filters import Filters
    from monitor.report_view import Shape

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--recovery-store", type=Path, help="a store of ReCOVery (else ingested here)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pages-from", choices=("seed", "recovery"), default="recovery")
    parser.add_argument("--no-pictures", action="store_true")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="bench-report-"))
    views = {"seed": (ingested([ROOT / "seeds"], work / "seed.duckdb"), Filters(unique_stories=True), Shape())}
    if args.recovery_store or RECOVERY.exists():
        store = args.recovery_store or ingested([RECOVERY], work / "recovery.duckdb")
        views["recovery"] = (store, Filters(since=pd_day("2020-01-01"), until=pd_day("2020-07-24"),
                                            unique_stories=True), Shape(freq="W"))
    else:
        print(f"ReCOVery not found under {RECOVERY}: timing the seed only", file=sys.stderr)
    lines = ["| corpus | step | first run | then, median |", "|---|---|---|---|"]
    for corpus, (path, filters, shape) in views.items():
        for what, timing in measure(path, filters, shape, args.runs).items():
            lines.append(row(corpus, "read the view (queries + figures)" if what == "content"
                             else f"render {what.upper()}", timing))
            print(lines[-1], flush=True)
    if not args.no_pictures and args.pages_from in views:
        for written in pictures(*views[args.pages_from]):
            print(f"wrote {written.relative_to(ROOT)}")
    rerun, buttons = button_cost(*views.get("recovery", views["seed"])[:1])
    command = "python bench/report.py " + shlex.join(sys.argv[1:] if argv is None else argv)
    body = ("## Reports (PDF, HTML, PowerPoint)\n\nThe Overview of a view as a report: reading the view, then each "
            "format with its six charts drawn by kaleido (Chromium; the seed's first PDF includes starting it, ~2 s). "
            "ReCOVery (1,912 articles stored): 2020-01-01 to 2020-07-24 by week, the five most mentioned people. "
            "That is what a click on \"Download report\" costs. "
            "A rerun of the Overview does not build one (its buttons "
            f"hold callables): of a rerun's {rerun * 1000:,.0f} ms (median, AppTest, the store above), "
            f"`report_buttons` takes {buttons * 1000:.2f} ms.\n\n"
            + "\n".join(lines) + f"\n\n`{command.strip()}`")
    write_section("report", body)
    return 0


def pd_day(text: str):
    """Return a YYYY-MM-DD day as a date."""
    from datetime import date

    return date.fromisoformat(text)


if __name__ == "__main__":
    sys.exit(main())
