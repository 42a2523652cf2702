"""Ingest speed and memory, side by side in one run, written to bench/RESULTS.md.

    python bench/ingest.py [--articles 1500] [--runs 5] [--no-memory] [--no-profile]

On the first N Reuters-21578 articles with a body (converted with ../shared/tools/reuters_to_jsonl.py),
each round runs, each in a fresh process and in turn:
  naive     the full spaCy pipeline called per text, VADER per sentence (what a first script does)
  ceiling   spaCy with only the components monitor needs (senter, ner) over the same texts through nlp.pipe: NER alone
  workers1  monitor's ingest into a new store, NLP in this process (--workers 1)
  workers2  the same with two worker processes (--workers 2)
  reingest  the same corpus again into the workers1 store: nothing new, the model is not loaded
Every variant reads the same texts (monitor's readers) and is timed from before it imports spaCy
(and VADER) to the end of its work, model loading included: monitor imports them lazily, so its
ingest's time includes those imports too. Then (unless --no-memory) all 21,578 articles are ingested
with the CLI while the peak RSS of its whole process tree is sampled, and (unless --no-profile)
one workers1 ingest is profiled with pyinstrument.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.results import ROOT, reuters_jsonl, write_section

VARIANTS = ("naive", "ceiling", "workers1", "workers2", "reingest")


def texts_of(path: str) -> list[str]:
    """Return the texts monitor's NLP would read from `path` (same readers, same headline rule)."""
    from monitor.ingest.batch import analysed_text
    from monitor.ingest.sources import RawArticle, read_paths

    return [analysed_text(a) for a in read_paths([path]) if isinstance(a, RawArticle)]


def run_naive(texts: list[str]) -> dict:
    """The naive loop: full pipeline per text, VADER per sentence, entities collected."""
    from monitor.ingest.nlp import MODEL

    start = time.perf_counter()  # importing spaCy counts, as it does in monitor's ingest (imported lazily)
    import spacy
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    nlp, vader = spacy.load(MODEL), SentimentIntensityAnalyzer()
    ents = sentences = 0
    for text in texts:
        doc = nlp(text)
        for sent in doc.sents:
            vader.polarity_scores(sent.text)
            sentences += 1
        ents += len(doc.ents)
    return {"seconds": time.perf_counter() - start, "entities": ents, "sentences": sentences}


def run_ceiling(texts: list[str]) -> dict:
    """NER alone: only the components monitor uses, all texts through one nlp.pipe."""
    from monitor.ingest.nlp import EXCLUDE, MODEL, PIPE_BATCH

    start = time.perf_counter()  # importing spaCy counts, as it does in monitor's ingest (imported lazily)
    import spacy

    nlp = spacy.load(MODEL, exclude=list(EXCLUDE))
    nlp.enable_pipe("senter")
    ents = sentences = 0
    for doc in nlp.pipe(texts, batch_size=PIPE_BATCH):
        sentences += sum(1 for _ in doc.sents)
        ents += len(doc.ents)
    return {"seconds": time.perf_counter() - start, "entities": ents, "sentences": sentences}


def run_ingest(path: str, store: str, workers: int) -> dict:
    """monitor's ingest of `path` into `store` with `workers` processes."""
    from monitor.ingest import runners
    from monitor.ingest.pipeline import ingest
    from monitor.store import Store

    runners.use_fork()  # as `python -m monitor ingest` does
    start = time.perf_counter()
    report = ingest(Store(store), [path], workers=workers)
    counts = Store(store).query("SELECT (SELECT count(*) FROM articles) a, (SELECT count(*) FROM mentions) m")
    return {"seconds": time.perf_counter() - start, "added": report.total("added"),
            "unchanged": report.total("unchanged"), "model_loaded": report.model_loaded,
            "articles": int(counts.a[0]), "mentions": int(counts.m[0])}


def one(variant: str, path: str, store: str) -> dict:
    """Run one variant in this process and return its figures."""
    if variant in ("naive", "ceiling"):
        texts = texts_of(path)
        result = (run_naive if variant == "naive" else run_ceiling)(texts)
        return {**result, "texts": len(texts), "words": sum(len(t.split()) for t in texts)}
    if variant == "profile":
        return run_profile(path, store)
    return run_ingest(path, store, 2 if variant == "workers2" else 1)


def in_fresh_process(variant: str, path: str, store: str) -> dict:
    """Run one variant in a new Python process (no model or cache carried over) and return its figures."""
    out = subprocess.run([sys.executable, __file__, "--variant", variant, "--input", path, "--store", store],
                         check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def rounds(path: str, runs: int, work: Path) -> dict[str, list[dict]]:
    """Run every variant `runs` times, interleaved, and return their figures by variant."""
    results: dict[str, list[dict]] = {v: [] for v in VARIANTS}
    for r in range(runs):
        for variant in VARIANTS:
            store = work / (f"w2-{r}.duckdb" if variant == "workers2" else f"w1-{r}.duckdb")
            results[variant].append(in_fresh_process(variant, path, str(store)))
            print(f"round {r + 1}/{runs} {variant}: {results[variant][-1]['seconds']:.1f} s", flush=True)
    return results


def peak_rss(args: list[str]) -> dict:
    """Run a command and sample its process tree's summed RSS every 0.2 s; return peak and quartile peaks (MB)."""
    import psutil

    start = time.perf_counter()
    # stderr to a file: the ingest's report can outgrow a pipe nobody reads until the end
    with tempfile.TemporaryFile() as err:
        proc = psutil.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err)
        samples: list[tuple[float, float]] = []
        while proc.poll() is None:
            total = 0
            for p in [proc, *proc.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):  # a process that just ended
                    total += p.memory_info().rss
            samples.append((time.perf_counter() - start, total / 2**20))
            time.sleep(0.2)
        seconds = time.perf_counter() - start
        err.seek(0)
        tail = err.read().decode(errors="replace").strip().splitlines()[-1:]
    quarters = [max((mb for t, mb in samples if q * seconds / 4 <= t < (q + 1) * seconds / 4), default=0)
                for q in range(4)]
    return {"peak": max(mb for _, mb in samples), "quarters": quarters, "seconds": seconds,
            "status": proc.returncode, "summary": tail[0] if tail else ""}


# Where an ingest's time goes: the functions to find in the profile, by what they do.
STAGES = {
    "read and decode the input (readers, dates)": ("read_paths", "monitor/ingest/sources"),
    "language detection (py3langid)": ("detect", "monitor/ingest/language.py"),
    "VADER tone per sentence": ("tone", "monitor/ingest/nlp.py"),
    "names: resolve spans in each article": ("resolve_article", "monitor/ingest/entities.py"),
    "topics: keyword match per sentence": ("match", "monitor/ingest/topics.py"),
    "near-duplicate signatures (MinHash)": ("signature", "monitor/ingest/dedupe.py"),
    "store: write batches": ("write_batch", "monitor/store.py"),
    "store: regroup stories": ("refresh_stories", "monitor/ingest/pipeline.py"),
    "store: corpus-wide name map and mentions table": ("refresh_entities", "monitor/ingest/pipeline.py"),
    "load the spaCy model": ("load_model", "monitor/ingest/nlp.py"),
}


def run_profile(path: str, store: str) -> dict:
    """Profile one workers1 ingest in this process; return seconds per stage, spaCy's NER being the rest."""
    from pyinstrument import Profiler

    from monitor.ingest.pipeline import ingest
    from monitor.store import Store

    profiler = Profiler(interval=0.002)
    profiler.start()
    ingest(Store(store), [path], workers=1)
    session = profiler.stop()
    root = session.root_frame()
    stages = {label: _time_in(root, fn, file) for label, (fn, file) in STAGES.items()}
    # thinc's compiled kernels show up outside the Python call tree: spaCy's share is what is left.
    stages["spaCy senter + ner, and the rest"] = root.time - sum(stages.values())
    return {"seconds": root.time, "stages": stages}


def _time_in(frame, function: str, file: str) -> float:
    """Return the time spent in the outermost calls of `function` (defined in a file matching `file`)."""
    if frame.function == function and file in (frame.file_path or ""):
        return frame.time
    return sum(_time_in(child, function, file) for child in frame.children)


def median(results: list[dict], key: str = "seconds") -> float:
    return statistics.median(r[key] for r in results)


def ratio_table(res: dict[str, list[dict]]) -> list[str]:
    """Return the Markdown lines of the speed table and the target ratios."""
    m = {v: median(res[v]) for v in VARIANTS}
    words = res["ceiling"][0]["words"]
    lines = ["| variant | median s | runs (s) | words/s |", "|---|---:|---|---:|"]
    for v in VARIANTS:
        runs = ", ".join(f"{r['seconds']:.1f}" for r in res[v])
        lines.append(f"| {v} | {m[v]:.1f} | {runs} | {words / m[v]:,.0f} |")
    targets = [
        ("ingest, 2 workers (the default on 2 cores) vs naive loop", m["naive"] / m["workers2"], 3.0, "faster"),
        ("ingest (1 worker) vs naive loop, for reference", m["naive"] / m["workers1"], 1.0, "faster"),
        ("ingest (1 worker) vs NER ceiling", m["ceiling"] / m["workers1"], 0.8, "of the ceiling's speed"),
        ("2 workers vs 1 worker", m["workers1"] / m["workers2"], 1.7, "faster"),
        ("re-ingest vs first ingest", m["workers1"] / m["reingest"], 10.0, "faster"),
    ]
    lines += ["", "| ratio (of medians) | measured | target | met |", "|---|---:|---:|---|"]
    lines += [f"| {name} | {value:.2f}× {what} | ≥ {goal:g}× | {'yes' if value >= goal else '**no**'} |"
              for name, value, goal, what in targets]
    model = {r["model_loaded"] for r in res["reingest"]}
    lines.append(f"\nRe-ingest loaded the model: {'yes' if True in model else 'no'}; "
                 f"it found {res['reingest'][0]['unchanged']} articles unchanged.")
    return lines


def memory_lines(path: str, work: Path) -> list[str]:
    """Ingest all of Reuters-21578 with the CLI (default workers) and return the peak-RSS lines."""
    store = work / "all.duckdb"
    cmd = [sys.executable, "-m", "monitor", "ingest", path, "--store", str(store), "--quiet"]
    mem = peak_rss(cmd)
    quarters = ", ".join(f"{q:,.0f}" for q in mem["quarters"])
    growth = mem["quarters"][-1] / mem["quarters"][0] - 1
    skipped = " (records were skipped and reported: Reuters has records without a body)" if mem["status"] == 1 else ""
    return ["Command: `python -m monitor ingest reuters-all.jsonl --store all.duckdb` "
            "(default workers: one per core), peak RSS summed over the CLI process and its workers, "
            "sampled every 0.2 s.",
            "", f"- **peak RSS {mem['peak']:,.0f} MB** (target < 1,536 MB: "
            f"{'met' if mem['peak'] < 1536 else '**not met**'}), in {mem['seconds']:.0f} s, "
            f"exit status {mem['status']}{skipped}",
            f"- peak RSS per quarter of the run: {quarters} MB (last quarter {growth:+.0%} "
            "on the first, while the store grew from nothing to the whole corpus: the input is streamed)",
            f"- the CLI said: `{mem['summary']}`"]


def profile_lines(res: dict) -> list[str]:
    """Return the Markdown lines of where a workers1 ingest's time goes."""
    total = res["seconds"]
    lines = [f"pyinstrument over one `--workers 1` ingest of the same articles ({total:.1f} s in all, "
             "sampled every 2 ms):", "", "| stage | s | share |", "|---|---:|---:|"]
    for label, sec in sorted(res["stages"].items(), key=lambda kv: -kv[1]):
        lines.append(f"| {label} | {sec:.2f} | {sec / total:.0%} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1500)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-memory", action="store_true")
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--variant", choices=(*VARIANTS, "profile"), help=argparse.SUPPRESS)
    parser.add_argument("--input", help=argparse.SUPPRESS)
    parser.add_argument("--store", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.variant:  # one measurement, in a fresh process
        print(json.dumps(one(args.variant, args.input, args.store)))
        return
    work = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    sample = str(reuters_jsonl(work / f"reuters-{args.articles}.jsonl", limit=args.articles, body_only=True))
    res = rounds(sample, args.runs, work)
    words, texts = res["ceiling"][0]["words"], res["ceiling"][0]["texts"]
    body = [f"## Ingest speed: {texts:,} Reuters-21578 articles ({words:,} words), {args.runs} rounds", "",
            f"Command: `python bench/ingest.py --articles {args.articles} --runs {args.runs}`. Every variant runs "
            "in a fresh process, in turn within each round; times include loading the model.", "",
            *ratio_table(res),
            f"\nStored: {res['workers1'][0]['articles']:,} articles, {res['workers1'][0]['mentions']:,} mentions "
            f"(1 worker) and {res['workers2'][0]['articles']:,} / {res['workers2'][0]['mentions']:,} (2 workers)."]
    if not args.no_profile:
        body += ["", "## Where the time goes", "", *profile_lines(
            in_fresh_process("profile", sample, str(work / "profile.duckdb")))]
    if not args.no_memory:
        everything = str(reuters_jsonl(work / "reuters-all.jsonl"))
        body += ["", "## Memory: all 21,578 Reuters-21578 articles", "", *memory_lines(everything, work)]
    print(write_section("ingest", "\n".join(body)).read_text())


if __name__ == "__main__":
    main()
