"""Near-duplicate stories and languages: grouped, counted once, stored but not analysed."""
import pandas as pd
import pytest

from monitor.ingest import language
from monitor.ingest.dedupe import group_stories, signature
from monitor.ingest.pipeline import ingest
from monitor.ingest.watchlist import Watchlist
from monitor.read import frames
from monitor.store import Store

WIRE = ("Mara Velloso, the mayor of Northbridge, opened a new tram line on Tuesday, promising shorter "
        "commutes and more jobs for the harbour district. Critics led by Tomas Brandt called the project a "
        "reckless waste of money and said the council had ignored the residents of the old quarter. "
        "Velloso said the second line would follow within two years if the budget allowed it.")
EDITED = WIRE.replace("on Tuesday", "on Tuesday morning").replace("more jobs", "new jobs") + \
    " Reporting by Ines Okafor."
OTHER = ("Heavy floods damaged the harbour on Friday. The council promised help for the families who lost "
         "their homes, and Tomas Brandt blamed poor flood defences for the damage to the shops.")
PORTUGUESE = ("A prefeita Mara Velloso inaugurou na terça-feira uma nova linha de bonde em Northbridge, "
              "prometendo viagens mais curtas e mais empregos para o bairro do porto.")


def frame(**texts):
    return pd.DataFrame({"article_id": list(texts), "date": pd.to_datetime(["2021-03-02"] * len(texts)),
                         "signature": [signature(t) for t in texts.values()]})


def test_edited_copies_are_one_story_and_others_are_not():
    groups = group_stories(frame(a=WIRE, b=EDITED, c=OTHER)).set_index("article_id")
    assert groups.loc["a", "story_id"] == groups.loc["b", "story_id"] == "a"
    assert groups.loc["c", "story_id"] == "c"
    assert groups.loc["a", "copies"] == 2 and groups.loc["c", "copies"] == 1


def test_the_earliest_copy_names_the_story():
    data = frame(late=WIRE, early=EDITED)
    data.loc[1, "date"] = pd.Timestamp("2021-03-01")
    groups = group_stories(data).set_index("article_id")
    assert set(groups["story_id"]) == {"early"}


def test_articles_without_a_signature_are_their_own_story():
    data = frame(a=WIRE)
    data.loc[1] = ["b", pd.Timestamp("2021-03-02"), None]
    assert group_stories(data).set_index("article_id")["copies"].to_dict() == {"a": 1, "b": 1}


@pytest.mark.parametrize("text, code", [(WIRE, "en"), (PORTUGUESE, "pt"), ("Hi.", "und"),
                                        ("Bürgermeisterin Mara Velloso eröffnete am Dienstag die neue "
                                         "Straßenbahnlinie in Northbridge.", "de")])
def test_language_detection(text, code):
    assert language.detect(text) == code


def test_ingest_groups_copies_counts_them_once_and_skips_other_languages(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name, day, source, text in [("wire", "2021-03-02", "The Northbridge Courier", WIRE),
                                    ("copy", "2021-03-03", "Lakeside Ledger", EDITED),
                                    ("flood", "2021-03-05", "Lakeside Ledger", OTHER),
                                    ("pt", "2021-03-02", "Jornal do Porto", PORTUGUESE)]:
        (folder / f"{name}.txt").write_text(f"date {day}\nsource: {source}\n{text}\n")
    store = Store(tmp_path / "s.duckdb")
    report = ingest(store, [folder], watchlist=Watchlist())
    assert report.total("added") == 4 and report.other_languages() == {"pt": 1}
    articles = frames.articles(store).set_index("source")
    assert articles.loc["Jornal do Porto", "language"] == "pt"
    assert articles.loc["Jornal do Porto", "n_sentences"] == 0
    courier = articles.loc["The Northbridge Courier"]
    assert courier["copies"] == 2 and courier["story_id"] == courier["article_id"]
    everything = frames.mentions(store, frames.Filters(entities=("Mara Velloso",)))
    once = frames.mentions(store, frames.Filters(entities=("Mara Velloso",), unique_stories=True))
    assert set(everything["article_id"]) > set(once["article_id"]) and len(set(once["article_id"])) == 1
    assert len(frames.articles(store, frames.Filters(unique_stories=True))) == 3
