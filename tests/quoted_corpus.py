"""A store of fictional articles with direct quotations by fictional people, and their `quotes` rows written by
hand (what the extractor should find), so the read side and the pages are tested apart from the extractor.

`build(folder)`: the articles go through the real ingest (articles, sentences, mentions, entity_map and
name_links exist as in any store), then the store's `quotes` are replaced by QUOTED's rows: each names its
article by title, its quoted words, the speaker as written in the article (looked up in the article's
`raw_mentions`, so its name key is the ingest's own) or a description, and how it was found.
"""
from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from monitor.ingest.tone import sentence_tone
from monitor.store import Store

ARTICLES = [
    ("2021-05-03", "The Northbridge Courier", "Velloso opens tram line",
     'Mayor Mara Velloso opened the new tram line on Monday. "This line will bring wonderful jobs to the city," '
     'Velloso said. Tomas Brandt disagreed. "It is a reckless waste of money," said Brandt.'),
    ("2021-05-10", "Lakeside Ledger", "Harbour plan unveiled",
     'Ines Okafor unveiled a harbour plan on Friday. "We will build it," she said, "and soon." '
     'A council spokesman said: "The budget is tight." Mara Velloso praised the plan.'),
    ("2021-05-17", "Lakeside Ledger", "Brandt launches campaign",
     'Tomas Brandt launched his campaign in Northbridge. "Taxes are too high and families suffer," Brandt said. '
     'According to Brandt, "the mayor failed us." "Nobody listens to us," one voter said.'),
    ("2021-06-02", "The Northbridge Courier", "Velloso answers critics",
     'Mara Velloso answered her critics on Tuesday. "I am proud of this great project," she said. '
     'Tomas Brandt was not convinced.'),
    ("2021-06-09", "Lakeside Ledger", "Minister sets budget",
     'Finance minister Lena Marsh presented the budget. "Families will pay less," Marsh said. '
     'Critics called the plan careless.'),
    ("2021-06-12", "Lakeside Ledger", "Derby win",
     'Owen Marsh scored twice in the derby on Saturday. "What a brilliant night," Marsh said after the match.'),
]


class Quoted(NamedTuple):
    """One quotation of ARTICLES: its article's title, the words, the speaker as written, how found."""

    title: str
    text: str
    surface: str | None  # as written in the article (a name, a description), None when unknown
    attribution: str     # named | pronoun | description | unknown
    cue: str
    named: str | None = None  # for a pronoun: the name it resolved to, as written in the article


QUOTED = [
    Quoted("Velloso opens tram line", "This line will bring wonderful jobs to the city", "Velloso", "named", "same"),
    Quoted("Velloso opens tram line", "It is a reckless waste of money", "Brandt", "named", "same"),
    Quoted("Harbour plan unveiled", "We will build it … and soon.", "Ines Okafor", "pronoun", "pronoun",
           "Ines Okafor"),
    Quoted("Harbour plan unveiled", "The budget is tight.", "A council spokesman", "description", "description"),
    Quoted("Brandt launches campaign", "Taxes are too high and families suffer", "Brandt", "named", "same"),
    Quoted("Brandt launches campaign", "the mayor failed us.", "Brandt", "named", "according"),
    Quoted("Brandt launches campaign", "Nobody listens to us", "one voter", "description", "description"),
    Quoted("Velloso answers critics", "I am proud of this great project", "Mara Velloso", "pronoun", "pronoun",
           "Mara Velloso"),
    Quoted("Minister sets budget", "Families will pay less", "Marsh", "named", "same"),
    Quoted("Derby win", "What a brilliant night", "Marsh", "named", "same"),
]
# What the read side should make of them: the canonical speakers and their quotations.
SPEAKERS = {"Tomas Brandt": 3, "Mara Velloso": 2, "Ines Okafor": 1, "Lena Marsh": 1, "Owen Marsh": 1}


def write(folder: Path) -> None:
    """Write ARTICLES as text files in `folder`."""
    for n, (day, source, title, body) in enumerate(ARTICLES):
        (folder / f"{n}.txt").write_text(f"date {day}\ntitle: {title}\nsource: {source}\n{body}\n")


def build(folder: Path, by_hand: bool = True) -> Store:
    """Ingest ARTICLES into `folder/quoted.duckdb`, write QUOTED as its quotes (`by_hand`; else the
    extractor's are kept), and return it read-only."""
    from monitor.ingest.pipeline import ingest

    write(folder)
    path = folder / "quoted.duckdb"
    report = ingest(Store(path), [folder])
    assert report.total("added") == len(ARTICLES), report
    if not by_hand:
        return Store(path, read_only=True)
    with Store(path).connect() as con:
        con.execute("DELETE FROM quotes")  # the extractor's own (when it runs): these tests read QUOTED's
        for row in _rows(con):
            con.execute("INSERT INTO quotes VALUES (?, ?, ?, ?, NULL, NULL, ?, ?, ?, ?, ?, ?, ?)", row)
    return Store(path, read_only=True)


def _rows(con) -> list[tuple]:
    """Return QUOTED as `quotes` rows: the article and sentence found by their text, the speaker's name key
    from the article's raw_mentions written as the speaker is."""
    rows, order = [], {}
    for q in QUOTED:
        article = con.execute("SELECT article_id FROM articles WHERE title = ?", [q.title]).fetchone()[0]
        first = q.text.split(" … ")[0]
        sentence = con.execute("SELECT min(sentence_id) FROM sentences WHERE article_id = ? AND contains(text, ?)",
                               [article, first]).fetchone()[0]
        assert sentence is not None, q
        name = None
        if q.attribution in ("named", "pronoun"):
            written = q.named or q.surface
            found = con.execute("SELECT min(name) FROM raw_mentions WHERE article_id = ? AND surface = ?",
                                [article, written]).fetchone()
            name = found[0]
            assert name is not None, f"{written!r} is not a mention of {q.title!r}"
        quote_id = order.get(article, 0)
        order[article] = quote_id + 1
        rows.append((article, quote_id, sentence, sentence, q.text, name, q.surface, q.attribution, q.cue,
                     False, sentence_tone(q.text)))
    return rows
