"""A store of fictional articles for the Articles page's tests: more than one page of them (PAGE_SIZE is 50), from
three fictional outlets, naming fictional people, some of them about a tram (the text query's and the distinctive
words' subject), and a few stories syndicated to a second outlet (near-duplicates: copies and outlets).

Built by `build(folder)` (the ingest, the NER included): each test module makes its own with a module fixture.
"""
from __future__ import annotations

import random
from pathlib import Path

import pandas as pd

OUTLETS = ["The Northbridge Courier", "Lakeside Ledger", "Harbour Times"]
PEOPLE = ["Mara Velloso", "Tomas Brandt", "Ines Okafor"]
PLACES = ["the harbour", "the library", "the market hall", "the old mill", "the bus station", "the stadium"]
DEEDS = ["opened", "inspected", "praised", "criticised", "visited", "defended", "questioned", "reviewed"]
THINGS = ["budget", "plan", "timetable", "repairs", "lighting", "contract", "survey", "report"]
TRAM = ("The tramway depot needs new overhead wires, and the tramway engineers warned of delays on the tram "
        "line.")
ARTICLES = 70
TRAM_EVERY = 4        # every 4th article is about the tram
SYNDICATED = (5, 11)  # these articles are run again, nearly word for word, by the next outlet


def body(rng: random.Random, n: int) -> str:
    """Return the text of fictional article n: varied sentences naming the people, the tram in some."""
    lines = []
    for k in range(6):
        who = PEOPLE[(n + k) % len(PEOPLE)] if k % 3 else PEOPLE[n % len(PEOPLE)]
        lines.append(f"{who} {rng.choice(DEEDS)} the {rng.choice(THINGS)} of {rng.choice(PLACES)} on day "
                     f"{n * 7 + k} after {rng.randint(2, 900)} residents wrote about number {rng.randint(1, 10**6)}.")
    if n % TRAM_EVERY == 0:
        lines.insert(2, TRAM)
    return " ".join(lines)


def write(folder: Path) -> None:
    """Write the corpus's text files into `folder`."""
    rng = random.Random(14)
    for n in range(ARTICLES):
        day = pd.Timestamp("2022-01-03") + pd.Timedelta(days=n)
        source = OUTLETS[n % len(OUTLETS)]
        text = body(rng, n)
        title = f"Tram news {n}" if n % TRAM_EVERY == 0 else f"Council notes {n}"
        (folder / f"{n}.txt").write_text(f"date {day:%Y-%m-%d}\ntitle: {title}\nsource: {source}\n{text}\n")
        if n in SYNDICATED:
            copy = OUTLETS[(n + 1) % len(OUTLETS)]
            (folder / f"{n}-copy.txt").write_text(f"date {day:%Y-%m-%d}\ntitle: {title}\nsource: {copy}\n"
                                                  f"{text} Shared.\n")


# An article whose title and text hold markup (hostile data: shown as text, never run), dated after the others.
HOSTILE_TITLE = 'Tram <img id=injected-title src=x onerror="alert(1)"> hearing'
HOSTILE_TEXT = ("Mara Velloso spoke at the tramway hearing <script id=injected-script>alert(2)</script> and "
                "[a link](javascript:alert(3)) <b id=injected-bold>loudly</b> about the tram budget.")


def build(folder: Path, hostile: bool = False):
    """Return the store (read-only) holding the corpus, ingested into `folder`/articles.duckdb; `hostile`: with the
    hostile article too (ARTICLES + copies + 1)."""
    from monitor.ingest.pipeline import ingest
    from monitor.store import Store

    write(folder)
    if hostile:
        (folder / "hostile.txt").write_text(f"date 2022-03-20\ntitle: {HOSTILE_TITLE}\nsource: Harbour Times\n"
                                            f"{HOSTILE_TEXT}\n")
    path = folder / "articles.duckdb"
    ingest(Store(path), [folder])
    return Store(path, read_only=True)
