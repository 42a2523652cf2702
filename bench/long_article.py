"""Ingest one long article (a .txt of N characters) and print the time, the peak RSS and what was analysed.

Usage: python bench/long_article.py CHARS [SHAPE] [--tree CHECKOUT]
SHAPE: prose (default), sentence (one long sentence, no punctuation), lines (one-character lines), names (only
names), hyph (``a-a-a-...``), punct (only punctuation). --tree runs another checkout's monitor/ (e.g. an older one
from `git worktree add /tmp/old <commit>`), for a before/after side by side. The model is loaded before the clock.
The README's "Analysed per article" figures come from `python bench/long_article.py 8388608` and `... 47185920`.
"""
import argparse
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

FIRST = ["Mara", "Tomas", "Ines", "Oskar", "Lena", "Pavel", "Greta", "Amos"]
LAST = ["Velloso", "Brandt", "Okafor", "Lindqvist", "Moreau", "Haddad", "Santos", "Ivers"]
VERBS = ["said", "warned", "praised", "criticised", "visited", "promised", "asked", "denied"]
THINGS = ["the tram line", "the harbour plan", "the budget", "the new schools", "the ferry strike",
          "the council", "the library", "the flood defences"]


def prose(rng: random.Random, n: int) -> str:
    out, size = [], 0
    while size < n:
        para = " ".join(f"{rng.choice(FIRST)} {rng.choice(LAST)} {rng.choice(VERBS)} {rng.choice(THINGS)} "
                        f"in Northbridge on Tuesday." for _ in range(rng.randint(3, 6)))
        out.append(para)
        size += len(para) + 2
    return "\n\n".join(out)[:n]


def make(shape: str, n: int) -> str:
    rng = random.Random(7)
    if shape == "prose":
        return prose(rng, n)
    if shape == "sentence":
        return " ".join(rng.choice(FIRST + LAST + ["and", "the", "of", "council", "tram"]) for _ in range(n))[:n]
    if shape == "lines":
        return "\n".join(rng.choice("abcdefgh") for _ in range(n // 2))
    if shape == "names":
        return " ".join(f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(n))[:n]
    if shape == "hyph":
        return "a-" * (n // 2)
    if shape == "punct":
        return "".join(rng.choice(".,;:!?-()\"'") for _ in range(n))
    raise SystemExit(f"unknown shape {shape}")



def run(shape: str, chars: int) -> str:
    """Ingest one generated article into a new store; return the line of figures."""
    from monitor.ingest import nlp
    from monitor.ingest.pipeline import ingest
    from monitor.ingest.watchlist import Watchlist
    from monitor.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "long.txt"
        path.write_text(f"date 2024-08-13\ntitle: A long day in Northbridge\nsource: The Northbridge Courier\n"
                        f"{make(shape, chars)}\n")
        store = Store(Path(tmp) / "s.duckdb")
        nlp.load_model()
        nlp.load_vader()  # the model's load is not counted
        base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        started = time.perf_counter()
        report = ingest(store, [path], watchlist=Watchlist(), max_bytes=60 * 1024 * 1024)
        seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        n = store.query("SELECT count(*) AS n, max(n_sentences) AS s FROM articles")
        m = store.query("SELECT count(*) AS n FROM raw_mentions")
        extra = "; ".join(getattr(r, "capped_note", lambda: "")() for r in report.files.values())
    return (f"shape={shape} chars={chars:,} seconds={seconds:.1f} peak_rss_mb={peak:.0f} (before ingest {base:.0f}) "
            f"articles={int(n['n'][0])} sentences={int(n['s'][0])} mentions={int(m['n'][0])} {extra}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chars", type=int)
    parser.add_argument("shape", nargs="?", default="prose")
    parser.add_argument("--tree", default=str(Path(__file__).resolve().parents[1]))
    args = parser.parse_args()
    sys.path.insert(0, args.tree)
    print(run(args.shape, args.chars), flush=True)


if __name__ == "__main__":
    main()
