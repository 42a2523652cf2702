"""The profile reads (monitor/read/profile.py) on the fictional corpus: counts by hand, then every subject
against a brute-force count over the public frames (so a new corpus is checked the same way)."""
from __future__ import annotations

import itertools

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor import schema
from monitor.read import profile
from monitor.read.filters import Filters
from tests.conftest import store_of

ALL = Filters()

# Two namesakes (a surname shared, kept apart by the article each appears in), fictional people and outlets.
NAMESAKES = [
    ("2021-04-01", "The Northbridge Courier", "Budget day",
     "Finance minister Lena Marsh announced a new budget on Monday. Marsh said taxes would fall for families. "
     "Critics said the plan was careless."),
    ("2021-04-02", "Lakeside Ledger", "Derby win",
     "Owen Marsh scored twice in the derby on Saturday. Marsh celebrated with the fans after the match."),
    ("2021-04-05", "Lakeside Ledger", "Minister visits school",
     "Lena Marsh visited a school in Northbridge. Marsh promised more teachers. Parents welcomed the visit."),
]


@pytest.fixture(scope="module")
def namesake_store(tmp_path_factory):
    """A store of three fictional articles naming two people who share a surname."""
    return store_of(tmp_path_factory.mktemp("namesakes"), "namesakes", NAMESAKES)


def entities(store) -> list[tuple[str, str]]:
    """Return (entity, type) of every entity in the store."""
    frame = store.query("SELECT entity, mode(entity_type) AS kind FROM mentions GROUP BY entity ORDER BY entity")
    return list(zip(frame["entity"], frame["kind"], strict=True))


def topics(store) -> list[str]:
    return store.query("SELECT DISTINCT topic FROM topic_mentions ORDER BY topic")["topic"].tolist()


# ---- by hand, on tests/conftest.py's FICTION
def test_summary_of_a_person_by_hand(fiction_store):
    row = profile.summary(fiction_store, ALL, "Mara Velloso", "person").iloc[0]
    # Named in 6 sentences of 4 articles (all but the harbour-free 17 March one) in both outlets
    assert (row["mentions"], row["articles"], row["outlets"]) == (6, 4, 2)
    assert (row["first_seen"], row["last_seen"]) == (pd.Timestamp("2021-03-01"), pd.Timestamp("2021-03-24"))
    assert row["tone_n"] == 6 and row["tone"] > 0


def test_co_mentions_by_hand(fiction_store):
    named = profile.companions(fiction_store, ALL, "Mara Velloso", "person").set_index("name")
    # Brandt is named in three of her articles (1, 3 and 24 March), never in one of her sentences
    assert named.loc["Tomas Brandt", ["articles", "sentences"]].tolist() == [3, 0]
    assert pd.isna(named.loc["Tomas Brandt", "tone_toward_subject"])
    assert "Mara Velloso" not in named.index
    topics_of = profile.companions(fiction_store, ALL, "Mara Velloso", "person", "topic").set_index("name")
    # "help the economy": one of her sentences hits Economy and jobs
    assert topics_of.loc["Economy and jobs", ["articles", "sentences"]].tolist() == [1, 1]


def test_variants_by_hand(fiction_store):
    spelled = profile.variants(fiction_store, ALL, "Tomas Brandt", "person").set_index("surface")["mentions"]
    assert spelled.to_dict() == {"Tomas Brandt": 4, "Brandt": 2}


def test_most_and_least_outlets_with_a_floor(fiction_store):
    cover = profile.outlet_coverage(fiction_store, ALL, "Ines Okafor", schema.ENTITY_TYPES[2])
    shares = cover.set_index("source")["share"].to_dict()
    assert shares == {"The Northbridge Courier": 0.5, "Lakeside Ledger": 0.0}  # an outlet that never names her: 0
    most, least = profile.most_and_least(cover, floor=1, n=1)
    assert most["source"].tolist() == ["The Northbridge Courier"] and least["source"].tolist() == ["Lakeside Ledger"]
    most, least = profile.most_and_least(cover, floor=3, n=5)  # the two-article Courier is under the floor
    assert most["source"].tolist() == least["source"].tolist() == ["Lakeside Ledger"]


def test_namesakes_kept_apart_are_listed(namesake_store):
    lena = next(e for e, _ in entities(namesake_store) if "Lena" in e)
    owen = next(e for e, _ in entities(namesake_store) if "Owen" in e)
    found = profile.namesakes(namesake_store, lena, "person")
    assert found[["name", "surface"]].values.tolist() == [[owen, "Marsh"]]
    shared = profile.variants(namesake_store, ALL, lena, "person").set_index("surface")["elsewhere"]
    assert shared["Marsh"] == 1  # Owen's lone "Marsh"


# ---- every subject against brute force over the mentions and topic hits
def subject_rows(store, name: str, kind: str) -> pd.DataFrame:
    if kind == "topic":
        frame = store.query("SELECT article_id, sentence_id, source, tone, keyword AS surface FROM topic_mentions "
                            "WHERE topic = ?", [name])
    else:
        frame = store.query("SELECT article_id, sentence_id, source, tone, surface FROM mentions WHERE entity = ?",
                            [name])
    return frame


def others(store, of: str) -> pd.DataFrame:
    if of == "topic":
        return store.query("SELECT article_id, sentence_id, topic AS name, tone FROM topic_mentions")
    return store.query("SELECT article_id, sentence_id, entity AS name, tone FROM mentions")


def brute_companions(store, name: str, kind: str, of: str) -> dict[str, tuple[int, int]]:
    mine = subject_rows(store, name, kind)
    rest = others(store, of)
    rest = rest[rest["name"] != name]
    out = {}
    for other, rows in rest.groupby("name"):
        articles = set(rows["article_id"]) & set(mine["article_id"])
        sentences = set(zip(rows["article_id"], rows["sentence_id"], strict=True)) & set(
            zip(mine["article_id"], mine["sentence_id"], strict=True))
        if articles:
            out[str(other)] = (len(articles), len(sentences))
    return out


@pytest.fixture(params=["fiction_store", "namesake_store", "seed_store"])
def any_store(request):
    return request.getfixturevalue(request.param)


def subjects(store) -> list[tuple[str, str]]:
    return entities(store) + [(t, "topic") for t in topics(store)]


def test_companions_match_a_brute_force_count(any_store):
    for (name, kind), of in itertools.product(subjects(any_store), ("entity", "topic")):
        got = profile.companions(any_store, ALL, name, kind, of, None)
        said = {r.name: (r.articles, r.sentences) for r in got.itertuples()}
        assert said == brute_companions(any_store, name, kind, of), (name, kind, of)
        assert got["articles"].is_monotonic_decreasing


def test_summary_variants_and_outlets_match_a_brute_force_count(any_store):
    articles = any_store.query("SELECT source, count(*) AS n FROM articles GROUP BY source").set_index("source")["n"]
    for name, kind in subjects(any_store):
        mine = subject_rows(any_store, name, kind)
        row = profile.summary(any_store, ALL, name, kind).iloc[0]
        assert (row["mentions"], row["articles"], row["outlets"]) == (
            len(mine), mine["article_id"].nunique(), mine["source"].nunique()), name
        spelled = profile.variants(any_store, ALL, name, kind).set_index("surface")["mentions"].to_dict()
        assert spelled == mine.groupby("surface").size().to_dict(), name
        cover = profile.outlet_coverage(any_store, ALL, name, kind).set_index("source")
        assert cover["outlet_articles"].to_dict() == articles.to_dict()
        expected = mine.groupby("source")["article_id"].nunique().reindex(articles.index, fill_value=0) / articles
        assert cover["share"].sort_index().round(9).to_dict() == expected.sort_index().round(9).to_dict(), name


def test_strongest_are_the_extremes_and_each_side_is_signed(any_store):
    for name, kind in subjects(any_store):
        got = profile.strongest(any_store, ALL, name, kind, 3)
        schema.check(got, schema.STRONGEST, "strongest")
        tones = subject_rows(any_store, name, kind)["tone"]
        negative, positive = got[got["side"] == "negative"], got[got["side"] == "positive"]
        assert (negative["tone"] <= -0.05).all() and (positive["tone"] >= 0.05).all()
        assert negative["tone"].is_monotonic_increasing and positive["tone"].is_monotonic_decreasing
        if (tones <= -0.05).any():
            assert negative["tone"].iloc[0] == pytest.approx(tones.min())
        if (tones >= 0.05).any():
            assert positive["tone"].iloc[0] == pytest.approx(tones.max())


def test_filters_apply_to_the_profile(fiction_store):
    ledger = Filters(sources=("Lakeside Ledger",))
    row = profile.summary(fiction_store, ledger, "Mara Velloso", "person").iloc[0]
    assert (row["mentions"], row["articles"], row["outlets"]) == (2, 2, 1)
    late = Filters(since=pd.Timestamp("2021-03-20").date())
    assert profile.companions(fiction_store, late, "Mara Velloso", "person")["name"].tolist() == [
        "Northbridge", "Tomas Brandt"]


# ---- finding a subject by a spelling
def misspellings(name: str) -> list[str]:
    """Return spellings a user might type: cases, the surname alone, a letter dropped or doubled."""
    last = name.split()[-1]
    return [name.upper(), name.casefold(), last, last[:-1], last[:2] + last[2] * 2 + last[3:],
            name[:3] + name[4:]]


@pytest.mark.parametrize("name", ["Mara Velloso", "Tomas Brandt"])
def test_a_misspelled_name_finds_the_person(fiction_store, name):
    for typed in misspellings(name):
        found = profile.find_subjects(fiction_store, typed, 3)["name"].tolist()
        assert name in found, (typed, found)
    for typed in (name.upper(), name.split()[-1]):
        assert profile.resolve_subject(fiction_store, typed, None) == (name, "person"), typed


@st.composite
def typo(draw, names=("Mara Velloso", "Tomas Brandt")) -> tuple[str, str]:
    """Return (a name, a spelling of it a user might type): any case, one letter dropped, doubled or changed."""
    name = draw(st.sampled_from(names))
    chars = [c.upper() if draw(st.booleans()) else c.lower() for c in name]
    where = draw(st.integers(1, len(chars) - 2))  # the first letter kept: names are looked up by how they begin
    edit = draw(st.sampled_from(["drop", "double", "change", "none"]))
    if edit == "drop":
        del chars[where]
    elif edit == "double":
        chars.insert(where, chars[where])
    elif edit == "change" and chars[where] != " ":
        chars[where] = draw(st.sampled_from("aeiou"))
    return name, "".join(chars)


@given(typo())
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_a_misspelled_name_is_among_the_closest(fiction_store, case):
    name, typed = case
    assert name in profile.find_subjects(fiction_store, typed, 3)["name"].tolist(), typed


def test_topics_resolve_in_any_case_and_unknown_names_do_not(fiction_store):
    for topic in topics(fiction_store):
        assert profile.resolve_subject(fiction_store, topic.upper(), "topic") == (topic, "topic")
        assert profile.resolve_subject(fiction_store, topic.casefold(), None) == (topic, "topic")
    assert profile.resolve_subject(fiction_store, "Quentin Zarathustra", None) is None
    assert profile.resolve_subject(fiction_store, "Mara Velloso", "topic") is None  # asked for a topic
    assert profile.find_subjects(fiction_store, "Quentin Zarathustra").empty


@pytest.mark.parametrize(("read", "args", "contract"), [
    ("summary", (ALL,), schema.PROFILE_SUMMARY), ("strongest", (ALL,), schema.STRONGEST),
    ("companions", (ALL,), schema.COMPANIONS), ("outlet_coverage", (ALL,), schema.OUTLET_COVERAGE),
    ("variants", (ALL,), schema.VARIANTS), ("namesakes", (), schema.NAMESAKES)])
def test_frames_meet_their_contract_even_when_empty(fiction_store, read, args, contract):
    nothing = Filters(sources=("No Such Outlet",)) if args else None
    for name, kind in [("Mara Velloso", "person"), ("Education", "topic"), ("Nobody", "person")]:
        for filters in ([ALL, nothing] if args else [None]):
            call = (fiction_store, filters, name, kind) if args else (fiction_store, name, kind)
            schema.check(getattr(profile, read)(*call), contract, read)


def test_readme_documents_every_profile_column():
    import re

    from tests.conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    frames = {"profile_summary": schema.PROFILE_SUMMARY, "profile_strongest": schema.STRONGEST,
              "profile_companions": schema.COMPANIONS, "profile_outlets": schema.OUTLET_COVERAGE,
              "profile_variants": schema.VARIANTS, "profile_namesakes": schema.NAMESAKES}
    for name, columns in frames.items():
        section = readme.split(f"### `{name}`", 1)
        assert len(section) == 2, f"README has no data dictionary section for {name}"
        table = section[1].split("###", 1)[0].split("\n## ", 1)[0]
        assert re.findall(r"^\| `(\w+)` \|", table, flags=re.M) == list(columns), name
