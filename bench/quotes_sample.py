"""Draw the articles of the quotation gold set (tests/gold/quotes/) and load them as the monitor reads them.

    python bench/quotes_sample.py          # writes tests/gold/quotes/sample.json (record ids only, no text)
    python bench/quotes_sample.py --heldout  # writes tests/gold/quotes/heldout.json: a second draw, held out

ReCOVery 2020 (../shared/data/recovery_covid2020): 12 reliable and 12 unreliable articles, each from an
outlet of its own, spread round-robin over the months, bodies of 1,500-5,000 characters with at least one
quotation mark (an article without one has no quotation to find; a few are drawn anyway, below), not among
the person-mention gold's records (tests/gold/sample.json); then 3 more without any quotation mark, to count
false quotations. Real US news pages (../shared/data/html/fundus_us): 6 drawn at random. Seeded: the draw is
the same on every machine. `load_records()` returns each record with its text: `RawArticle.text` from
`monitor.ingest.sources.read_paths`, the text the gold's offsets index.
"""
from __future__ import annotations

import json
import random
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.names_sample import RECOVERY_PARTS, _relative, recovery_articles  # noqa: E402
from bench.results import SHARED_DATA  # noqa: E402
from monitor.ingest.sources import RawArticle, read_paths  # noqa: E402

SEED = 20261201
SAMPLE = ROOT / "tests" / "gold" / "quotes" / "sample.json"
# The second draw: annotated after the extractor was tuned on the first (quotes_a/b), to measure it on articles
# nobody had looked at while tuning: 5 reliable, 5 unreliable, 4 pages, none of the first draw's.
HELDOUT = ROOT / "tests" / "gold" / "quotes" / "heldout.json"
HELDOUT_SEED = 20261202
NAMES_SAMPLE = ROOT / "tests" / "gold" / "sample.json"
FUNDUS = SHARED_DATA / "html" / "fundus_us"
PER_PART = 12
WITHOUT_MARKS = 3
FUNDUS_N = 6
CHARS = (1_500, 5_000)
MARKS = ('"', "\u201c", "\u201d")


@dataclass(frozen=True)
class Record:
    """One sampled article: its record path ("reliable/x.csv#12", "fundus_us/APNews_2023_04_28.html.gz")."""

    record: str
    article: RawArticle


def _pool(articles: list[RawArticle], part: str, taken: set[str], quoted: bool) -> list[RawArticle]:
    """Return the part's 2020 articles of the right length, not taken, with (or without) a quotation mark."""
    return sorted((a for a in articles if f"/{part}/" in a.path and a.date is not None and a.date.year == 2020
                   and CHARS[0] <= len(a.text) <= CHARS[1] and _relative(a.path) not in taken
                   and any(m in a.text for m in MARKS) == quoted), key=lambda a: a.path)


def draw(rng: random.Random, per_part: int = PER_PART, without: int = WITHOUT_MARKS, pages_n: int = FUNDUS_N,
         drawn: dict[str, list[str]] | None = None) -> dict[str, list[str]]:
    """Return the drawn record paths: `recovery` (quoted articles, then the ones without marks) and `fundus`,
    none of the person-mention gold's records nor of `drawn` (an earlier draw)."""
    articles = recovery_articles()
    taken = set(json.loads(NAMES_SAMPLE.read_text())["recovery"]) if NAMES_SAMPLE.exists() else set()
    taken |= set((drawn or {}).get("recovery", []))
    chosen: list[str] = []
    for part in RECOVERY_PARTS:
        outlets: set[str] = set()
        pool = _pool(articles, part, taken, True)
        by_month: dict[int, list[RawArticle]] = {}
        for a in pool:
            by_month.setdefault(a.date.month, []).append(a)  # type: ignore[union-attr]
        while sum(1 for c in chosen if c.startswith(part + "/")) < per_part:
            for month in sorted(by_month):
                options = [a for a in by_month[month] if a.path.split("#")[0] not in outlets]
                if options and sum(1 for c in chosen if c.startswith(part + "/")) < per_part:
                    pick = rng.choice(options)
                    outlets.add(pick.path.split("#")[0])
                    chosen.append(_relative(pick.path))
    plain = [_relative(a.path) for part in RECOVERY_PARTS for a in _pool(articles, part, taken, False)]
    chosen += rng.sample(plain, min(without, len(plain)))
    used = set((drawn or {}).get("fundus", []))
    pages = sorted(p.name for p in FUNDUS.glob("*.html.gz") if "fundus_us/" + p.name not in used)
    return {"recovery": chosen, "fundus": ["fundus_us/" + p for p in sorted(rng.sample(pages, pages_n))]}


def load_records(sample: Path = SAMPLE) -> list[Record]:
    """Return the sampled records of `sample` (tests/gold/quotes/sample.json; HELDOUT for the second draw) with
    their text, as the monitor reads them."""
    spec = json.loads(sample.read_text())
    found = {_relative(a.path): a for a in recovery_articles()}
    out = [Record(rec, found[rec]) for rec in spec["recovery"]]
    for rec in spec["fundus"]:
        items = [a for a in read_paths([FUNDUS / rec.split("/", 1)[1]]) if isinstance(a, RawArticle)]
        out.append(Record(rec, items[0]))
    return out


def main() -> None:
    """Write the sample file (or, with --heldout, the second draw's)."""
    if not (SHARED_DATA / "recovery_covid2020").is_dir():
        raise SystemExit(f"no {SHARED_DATA}/recovery_covid2020: nothing to draw from")
    if "--heldout" in sys.argv[1:]:
        first = json.loads(SAMPLE.read_text())
        out, spec = HELDOUT, {"seed": HELDOUT_SEED, **draw(random.Random(HELDOUT_SEED), 5, 0, 4, first)}
    else:
        out, spec = SAMPLE, {"seed": SEED, **draw(random.Random(SEED))}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(spec, indent=1) + "\n")
    print(f"wrote {out}: {len(spec['recovery'])} ReCOVery records, {len(spec['fundus'])} pages")


if __name__ == "__main__":
    main()
