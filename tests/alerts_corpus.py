"""A store of fictional articles with one known spike, for the alerts' store, CLI, watch and page tests.

BASE_DAYS days of routine council news (DAILY articles a day naming the regulars), in which Margaret Holloway turns up
in one article every other day; then, on SPIKE_DAY, SPIKE more articles about her (a harbour scandal). The spike
day's articles are also offered as a feed (`spike_items`), so a watch round can bring the spike in.
People and outlets are invented.
"""
from __future__ import annotations

import random
from pathlib import Path

import pandas as pd

OUTLETS = ["The Northbridge Courier", "Lakeside Ledger", "Harbour Times"]
REGULARS = ["Mara Velloso", "Tomas Brandt", "Ines Okafor", "Jonas Pereira"]
SPIKED = "Margaret Holloway"
FIRST_DAY = pd.Timestamp("2024-03-01")
BASE_DAYS = 24
DAILY = 5
SPIKE = 16
SPIKE_DAY = FIRST_DAY + pd.Timedelta(days=BASE_DAYS)
PLACES = ["the harbour", "the library", "the market hall", "the old mill", "the bus station", "the stadium"]
DEEDS = ["opened", "inspected", "praised", "criticised", "visited", "defended", "questioned", "reviewed"]
THINGS = ["budget", "plan", "timetable", "repairs", "lighting", "contract", "survey", "report"]


def _routine(rng: random.Random, n: int, with_spiked: bool) -> str:
    """Return the text of routine article n: varied sentences naming the regulars (and Holloway once, if asked)."""
    lines = []
    for k in range(5):
        who = REGULARS[(n + k) % len(REGULARS)]
        lines.append(f"{who} {rng.choice(DEEDS)} the {rng.choice(THINGS)} of {rng.choice(PLACES)} on day "
                     f"{n * 7 + k} after {rng.randint(2, 900)} residents wrote about number {rng.randint(1, 10**6)}.")
    if with_spiked:
        lines.insert(2, f"{SPIKED} {rng.choice(DEEDS)} the {rng.choice(THINGS)} of {rng.choice(PLACES)} as well.")
    return " ".join(lines)


def _scandal(rng: random.Random, n: int) -> str:
    """Return the text of spike article n: about Holloway and the harbour contract, each worded its own way."""
    return (f"{SPIKED} faced questions over the harbour contract number {rng.randint(1, 10**6)} on day {n}. "
            f"Councillors said {SPIKED} had signed {rng.randint(2, 90)} payments without a vote. "
            f"{rng.choice(REGULARS)} {rng.choice(DEEDS)} the {rng.choice(THINGS)} of {rng.choice(PLACES)} "
            f"while {rng.randint(2, 900)} residents gathered at {rng.choice(PLACES)}.")


def articles() -> list[tuple[pd.Timestamp, str, str, str]]:
    """Return every article as (date, outlet, title, text): the routine days, then the spike day."""
    rng, out, n = random.Random(15), [], 0
    for day in range(BASE_DAYS + 1):
        for k in range(DAILY):
            date = FIRST_DAY + pd.Timedelta(days=day, hours=8 + k)
            out.append((date, OUTLETS[n % 3], f"Council notes {n}", _routine(rng, n, k == 0 and day % 2 == 0)))
            n += 1
    for k in range(SPIKE):
        date = SPIKE_DAY + pd.Timedelta(hours=9, minutes=k)
        out.append((date, OUTLETS[k % 3], f"Harbour contract questions {k}", _scandal(rng, n)))
        n += 1
    return out


def write(folder: Path, spike: bool = True) -> None:
    """Write the articles as text files into `folder` (without the spike day's scandal unless `spike`)."""
    folder.mkdir(parents=True, exist_ok=True)
    for i, (date, source, title, text) in enumerate(articles()):
        if spike or not title.startswith("Harbour contract"):
            (folder / f"{i:04d}.txt").write_text(f"date {date:%Y-%m-%d %H:%M}\ntitle: {title}\nsource: {source}\n"
                                                 f"{text}\n", encoding="utf-8")


def spike_items() -> list[tuple[str, str, str]]:
    """Return the spike day's scandal articles as (title, RFC 822 date, text), for a feed."""
    return [(title, f"{date:%a, %d %b %Y %H:%M:%S} GMT", text) for date, _source, title, text in articles()
            if title.startswith("Harbour contract")]


def build(folder: Path, spike: bool = True) -> Path:
    """Return the path of a store under `folder` holding the corpus (ingested with the NER)."""
    from monitor.ingest.pipeline import ingest
    from monitor.ingest.watchlist import Watchlist
    from monitor.store import Store

    write(folder / "articles", spike)
    path = folder / "alerts.duckdb"
    report = ingest(Store(path), [folder / "articles"], watchlist=Watchlist())
    assert report.total("added") == len(list((folder / "articles").glob("*.txt"))), report
    return path


def shared(tmp_path_factory) -> Path:
    """Return the corpus's store, built once per test session (the test modules share it; copy it to write)."""
    folder = tmp_path_factory.getbasetemp() / "alerts-corpus"
    path = folder / "alerts.duckdb"
    if not path.exists():
        build(folder)
    return path
