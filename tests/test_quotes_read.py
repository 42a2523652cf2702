"""Who said what on the read side (monitor/read/quotes.py), on a store of fictional quotations (tests/quoted_corpus.py):
speakers by hand, then every filter against a brute-force count over the unfiltered frames, corrections of names
reaching the speakers, the contracts (also when empty) and the README's data dictionary."""
from __future__ import annotations

import re
import shutil
from dataclasses import replace

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor import schema
from monitor.read import quotes
from monitor.read.filters import Filters
from monitor.store import Store
from tests import quoted_corpus
from tests.conftest import ROOT

ALL = Filters()
OUTLETS = sorted({a[1] for a in quoted_corpus.ARTICLES})
DAYS = sorted({a[0] for a in quoted_corpus.ARTICLES})


@pytest.fixture(scope="module")
def quoted(tmp_path_factory):
    return quoted_corpus.build(tmp_path_factory.mktemp("quoted"))


def by_text(frame: pd.DataFrame) -> dict[str, tuple]:
    return {str(r.text): (r.speaker if pd.notna(r.speaker) else None, r.speaker_kind) for r in frame.itertuples()}


# ---- by hand
def test_speakers_are_canonical_descriptions_kept_unknown_empty(quoted):
    frame = quotes.quotes_frame(quoted, ALL)
    schema.check(frame, schema.QUOTES, "quotes")
    said = by_text(frame)
    assert said["It is a reckless waste of money"] == ("Tomas Brandt", "person")  # "said Brandt"
    assert said["This line will bring wonderful jobs to the city"] == ("Mara Velloso", "person")  # "Velloso said"
    assert said["I am proud of this great project"][0] == "Mara Velloso"  # "she said"
    assert said["The budget is tight."] == ("A council spokesman", "description")
    assert said["Nobody listens to us"] == ("one voter", "description")
    # namesakes: "Marsh said" is the minister in one article, the footballer in the other
    assert said["Families will pay less"][0] == "Lena Marsh" and said["What a brilliant night"][0] == "Owen Marsh"
    assert frame["date"].is_monotonic_decreasing  # newest first
    assert set(frame["surface"]) >= {"Brandt", "Velloso", "A council spokesman"}  # as written


def test_most_quoted_beside_mentioned_with_two_tones(quoted):
    top = quotes.most_quoted(quoted, ALL)
    schema.check(top, schema.MOST_QUOTED, "most_quoted")
    assert dict(zip(top["name"], top["quotes"], strict=True)) == quoted_corpus.SPEAKERS
    assert "A council spokesman" not in set(top["name"])  # descriptions are not ranked
    brandt = top.set_index("name").loc["Tomas Brandt"]
    assert (brandt["quotes"], brandt["quoted_articles"]) == (3, 2)
    mentions = quoted.query("SELECT count(*) AS n, count(DISTINCT article_id) AS a, avg(tone) AS t FROM mentions "
                            "WHERE entity = 'Tomas Brandt'").iloc[0]
    assert (brandt["mentions"], brandt["articles"]) == (mentions["n"], mentions["a"])
    assert brandt["tone_toward"] == pytest.approx(mentions["t"])
    said = quotes.quotes_frame(quoted, ALL)
    assert brandt["quote_tone"] == pytest.approx(said.loc[said["speaker"] == "Tomas Brandt", "tone"].mean())
    assert brandt["quote_tone"] < -0.3 and brandt["quote_tone"] != pytest.approx(brandt["tone_toward"])
    assert top["quotes"].is_monotonic_decreasing


def test_attribution_counts(quoted):
    counts = quotes.attribution_counts(quoted, ALL).set_index("attribution")
    assert counts["quotes"].to_dict() == {"named": 6, "pronoun": 2, "description": 2, "unknown": 0}
    assert counts["share"].sum() == pytest.approx(1.0)
    nothing = quotes.attribution_counts(quoted, Filters(sources=("No Such Outlet",)))
    assert nothing["quotes"].sum() == 0 and nothing["share"].isna().all()


@pytest.mark.parametrize("spelling", ["Tomas Brandt", "tomas brandt", "Brandt"])
def test_quotes_of_one_speaker_by_any_spelling(quoted, spelling):
    mine = quotes.quotes_frame(quoted, Filters(entities=(spelling,)))
    assert set(mine["speaker"]) == {"Tomas Brandt"} and len(mine) == 3
    assert len(quotes.quotes_frame(quoted, ALL, "Tomas Brandt")) == quotes.quotes_count(quoted, ALL, "Tomas Brandt")


def test_a_period_and_a_limit(quoted):
    may = quotes.quotes_frame(quoted, ALL, "Tomas Brandt", pd.Timestamp("2021-05-10"), pd.Timestamp("2021-05-24"))
    assert len(may) == 2 and set(may["date"]) == {pd.Timestamp("2021-05-17")}
    assert quotes.quotes_count(quoted, ALL, "Tomas Brandt", pd.Timestamp("2021-05-10"),
                               pd.Timestamp("2021-05-24")) == 2
    newest = quotes.quotes_frame(quoted, ALL, limit=2)
    assert newest["text"].tolist() == ["What a brilliant night", "Families will pay less"]


def test_speaker_summary_of_someone_never_quoted(quoted):
    row = quotes.speaker_summary(quoted, ALL, "Northbridge").iloc[0]
    assert (row["quotes"], row["kind"]) == (0, "place") and row["mentions"] >= 1
    assert pd.isna(row["quote_tone"]) and pd.notna(row["tone_toward"])
    nobody = quotes.speaker_summary(quoted, ALL, "Nobody At All")
    schema.check(nobody, schema.MOST_QUOTED, "most_quoted")
    assert nobody["mentions"].tolist() == [0]


# ---- every filter, against a brute force over the unfiltered frames
def kept_articles(store: Store, f: Filters) -> set[str]:
    """The articles the filters keep, counted in pandas from the articles table."""
    arts = store.query("SELECT article_id, date, source, is_copy FROM articles")
    keep = pd.Series(True, index=arts.index)
    if f.sources:
        keep &= arts["source"].isin(f.sources)
    if f.since:
        keep &= arts["date"] >= pd.Timestamp(f.since)
    if f.until:
        keep &= arts["date"] < pd.Timestamp(f.until) + pd.Timedelta(days=1)
    if f.unique_stories:
        keep &= ~arts["is_copy"]
    if f.query:
        texts = store.query("SELECT article_id, lower(title || ' ' || text) AS t FROM articles")
        hits = set(texts.loc[texts["t"].str.contains(f.query.lower(), regex=False), "article_id"])
        keep &= arts["article_id"].isin(hits)
    return set(arts.loc[keep, "article_id"])


filters = st.builds(
    Filters,
    sources=st.lists(st.sampled_from(OUTLETS), max_size=2, unique=True).map(tuple),
    since=st.sampled_from([None, *DAYS]).map(lambda d: d and pd.Timestamp(d).date()),
    until=st.sampled_from([None, *DAYS]).map(lambda d: d and pd.Timestamp(d).date()),
    unique_stories=st.booleans(),
    query=st.sampled_from(["", "budget", "tram", "campaign", "harbour"]),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(f=filters)
def test_every_filter_against_a_brute_force(quoted, f):
    everything = quotes.quotes_frame(quoted, ALL)
    kept = everything[everything["article_id"].isin(kept_articles(quoted, f))]
    frame = quotes.quotes_frame(quoted, f)
    assert sorted(frame["text"]) == sorted(kept["text"])
    assert quotes.quotes_count(quoted, f) == len(kept)
    top = quotes.most_quoted(quoted, f, None)
    named = kept[~kept["speaker_kind"].isin(["description", "unknown"])]
    assert dict(zip(top["name"], top["quotes"], strict=True)) == named["speaker"].value_counts().to_dict()
    mentions = quoted.query("SELECT entity, article_id FROM mentions")
    mentions = mentions[mentions["article_id"].isin(kept_articles(quoted, f))]
    for row in top.itertuples():
        assert row.mentions == int((mentions["entity"] == row.name).sum())
        # one speaker's row, read the fast way, is their row of the ranking
        pd.testing.assert_frame_equal(quotes.speaker_summary(quoted, f, str(row.name)),
                                      top[top["name"] == row.name].reset_index(drop=True))
    counts = quotes.attribution_counts(quoted, f).set_index("attribution")["quotes"]
    assert counts.sum() == len(kept)


def test_a_topic_keeps_the_articles_that_have_it(quoted):
    topics = quoted.query("SELECT DISTINCT topic FROM topic_hits ORDER BY topic")["topic"].tolist()
    assert topics
    for topic in topics:
        having = set(quoted.query("SELECT article_id FROM topic_hits WHERE topic = ?", [topic])["article_id"])
        frame = quotes.quotes_frame(quoted, Filters(topics=(topic,)))
        everything = quotes.quotes_frame(quoted, ALL)
        assert set(frame["text"]) == set(everything.loc[everything["article_id"].isin(having), "text"])


# ---- corrections of names reach the speakers
def test_a_rename_and_a_merge_apply_to_speakers(quoted, tmp_path):
    from monitor.ingest import corrections as cr
    from monitor.ingest.corrections import Correction

    copy = tmp_path / "copy.duckdb"
    shutil.copy(quoted.path, copy)
    store, watchlist = Store(copy), tmp_path / "watchlist.toml"
    cr.apply(store, Correction("rename", "Tomas Brandt", "Tomás Brandt-Ruiz"), watchlist)
    cr.apply(store, Correction("merge", "Owen Marsh", "Lena Marsh"), watchlist)
    top = quotes.most_quoted(store, ALL).set_index("name")["quotes"].to_dict()
    assert top["Tomás Brandt-Ruiz"] == 3 and "Tomas Brandt" not in top
    assert top["Lena Marsh"] == 2 and "Owen Marsh" not in top


# ---- the contracts
@pytest.mark.parametrize("f", [ALL, Filters(sources=("No Such Outlet",)), Filters(entities=("Nobody",))])
def test_frames_meet_their_contract_even_when_empty(quoted, f):
    schema.check(quotes.quotes_frame(quoted, f), schema.QUOTES, "quotes")
    schema.check(quotes.most_quoted(quoted, f), schema.MOST_QUOTED, "most_quoted")
    schema.check(quotes.most_quoted(quoted, f, 5, ["Mara Velloso", "Nobody"]), schema.MOST_QUOTED, "most_quoted")
    schema.check(quotes.attribution_counts(quoted, f), schema.QUOTE_ATTRIBUTION, "quote_attribution")
    schema.check(quotes.speaker_summary(quoted, f, "Mara Velloso"), schema.MOST_QUOTED, "most_quoted")


def test_readme_documents_every_quotes_column():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    frames = {"quotes": schema.QUOTES, "most_quoted": schema.MOST_QUOTED,
              "quote_attribution": schema.QUOTE_ATTRIBUTION}
    for name, columns in frames.items():
        section = readme.split(f"### `{name}`", 1)
        assert len(section) == 2, f"README has no data dictionary section for {name}"
        table = section[1].split("###", 1)[0].split("\n## ", 1)[0]
        assert re.findall(r"^\| `(\w+)` \|", table, flags=re.M) == list(columns), name


def test_the_entity_filter_of_a_kind(quoted):
    people = quotes.quotes_frame(quoted, Filters(entity_types=("person",)))
    assert set(people["speaker_kind"]) == {"person"}
    described = quotes.quotes_frame(quoted, replace(ALL, entity_types=("description",)))
    assert set(described["speaker"]) == {"A council spokesman", "one voter"}


# ---- end to end: the extractor's own quotes (monitor/ingest/quotes.py, run by the ingest), read the same way
def words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def test_the_ingest_s_quotes_read_with_their_canonical_speakers(tmp_path):
    store = quoted_corpus.build(tmp_path, by_hand=False)
    frame = quotes.quotes_frame(store, ALL)
    schema.check(frame, schema.QUOTES, "quotes")
    found = {words(str(r.text)): r for r in frame.itertuples()}
    expected = {"Velloso": "Mara Velloso", "Brandt": "Tomas Brandt"}
    for q in quoted_corpus.QUOTED:
        if q.attribution not in ("named", "description"):
            continue  # a pronoun's speaker is the extractor's to get right (tests/test_quotes.py)
        row = found.get(words(q.text))
        assert row is not None, f"{q.text!r} not read back ({sorted(found)})"
        want = expected.get(str(q.surface), q.surface)
        if q.surface == "Marsh":  # the namesakes, apart
            want = "Lena Marsh" if q.title == "Minister sets budget" else "Owen Marsh"
        assert (row.speaker, row.attribution) == (want, q.attribution), q
    top = quotes.most_quoted(store, ALL).set_index("name")["quotes"]
    assert top["Tomas Brandt"] == 3 and top["Lena Marsh"] == top["Owen Marsh"] == 1
