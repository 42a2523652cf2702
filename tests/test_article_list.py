"""The articles behind a view (monitor/read/article_list.py, the Articles page): every article the filters, the text
query and the chosen names keep, and no other; sorted as asked, paged without loss or repeat; the CSV holds every
row with its provenance; an opened article's text is escaped and its mentions marked where the NER found them."""
from __future__ import annotations

import csv
import html
import io
import re
from html.parser import HTMLParser

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor import schema
from monitor.present import article_text
from monitor.read import article_list, frames
from monitor.read.filters import Filters
from tests import article_corpus
from tests.conftest import ROOT

ONE_DAY = pd.Timedelta(days=1)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return article_corpus.build(tmp_path_factory.mktemp("articles"))


@pytest.fixture(scope="module")
def truth(store):
    """The corpus's articles, and per article the sentences naming each entity: from the public frames."""
    articles = frames.articles(store)
    named = frames.mentions(store).groupby(["article_id", "entity"]).size().rename("n").reset_index()
    return articles, named


def expected(truth, f: Filters, names: tuple[str, ...], texts: dict[str, str]) -> set[str]:
    """The ids the list must hold, computed from the frames (a one-word query: the word in the title or text)."""
    articles, named = truth
    keep = pd.Series(True, index=articles.index)
    if f.sources:
        keep &= articles["source"].isin(f.sources)
    if f.since is not None:
        keep &= articles["date"] >= pd.Timestamp(f.since)
    if f.until is not None:
        keep &= articles["date"] < pd.Timestamp(f.until) + ONE_DAY
    if f.unique_stories:
        keep &= articles["story_id"] == articles["article_id"]
    if names:
        keep &= articles["article_id"].isin(named[named["entity"].isin(names)]["article_id"])
    if f.query:
        keep &= articles["article_id"].map(lambda a: re.search(rf"\b{f.query}\b", texts[a]) is not None)
    return set(articles[keep]["article_id"])


@pytest.fixture(scope="module")
def texts(store):
    """The stored title and text of each article, lower-cased (the query's truth)."""
    return {r.article_id: f"{r.title}\n{r.text}".casefold() for r in
            store.query("SELECT article_id, title, text FROM articles").itertuples()}


views = st.fixed_dictionaries({
    "sources": st.lists(st.sampled_from(article_corpus.OUTLETS), max_size=2, unique=True).map(tuple),
    "names": st.lists(st.sampled_from(["Mara Velloso", "Tomas Brandt"]), max_size=2, unique=True).map(tuple),
    "query": st.sampled_from(["", "tramway", "residents"]),
    "unique": st.booleans(),
    "window": st.one_of(st.none(), st.tuples(st.integers(0, 60), st.integers(0, 30))),
    "sort": st.sampled_from(list(article_list.SORTS)),
    "size": st.integers(1, 40),
})


def filters_of(v: dict) -> Filters:
    since = until = None
    if v["window"]:
        since = pd.Timestamp("2022-01-03") + pd.Timedelta(days=v["window"][0])
        until = since + pd.Timedelta(days=v["window"][1])
    return Filters(sources=v["sources"], query=v["query"], unique_stories=v["unique"], since=since, until=until)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(v=views)
def test_list_holds_exactly_the_views_articles_in_order_and_pages_lose_none(store, truth, texts, v):
    f, names = filters_of(v), v["names"]
    whole = article_list.article_page(store, f, names, v["sort"], 0, None)
    schema.check(whole, schema.ARTICLE_LIST, "article_list")
    assert set(whole["article_id"]) == expected(truth, f, names, texts)
    assert len(whole) == whole["article_id"].nunique() == article_list.article_count(store, f, names)
    pages = [article_list.article_page(store, f, names, v["sort"], start, v["size"])
             for start in range(0, len(whole), v["size"])]
    joined = pd.concat(pages, ignore_index=True) if pages else whole
    assert joined["article_id"].tolist() == whole["article_id"].tolist()
    assert_sorted(whole, v["sort"])


def assert_sorted(frame: pd.DataFrame, sort: str) -> None:
    """The rows follow the sort's key (ties in any order)."""
    key = {"newest": -frame["date"].astype("int64"), "oldest": frame["date"].astype("int64"),
           "most copies": -frame["copies"], "most mentions": -frame["target_mentions"],
           "most negative": frame["target_tone"].fillna(frame["tone"]),
           "most positive": -frame["target_tone"].fillna(frame["tone"])}[sort]
    assert key.is_monotonic_increasing, (sort, key.tolist())


@pytest.mark.parametrize("names", [("Mara Velloso",), ("Mara Velloso", "Tomas Brandt")])
def test_tone_toward_and_mentions_of_the_chosen_names(store, names):
    rows = article_list.article_page(store, Filters(), names, "most mentions", 0, None)
    m = frames.mentions(store)
    m = m[m["entity"].isin(names)].groupby("article_id")["tone"].agg(["size", "mean"])
    got = rows.set_index("article_id")
    assert (got["target_mentions"] == m.loc[got.index, "size"]).all()
    assert got["target_tone"].to_numpy() == pytest.approx(m.loc[got.index, "mean"].to_numpy())
    for people in got["people"]:
        assert 1 <= len(people.split("; ")) <= article_list.TOP_FEW


def test_without_names_no_target_and_sorting_by_mentions_is_refused(store):
    rows = article_list.article_page(store, Filters(), (), "newest", 0, 5)
    assert rows["target_tone"].isna().all() and (rows["target_mentions"] == 0).all()
    with pytest.raises(ValueError, match="sort must be one of"):
        article_list.article_page(store, Filters(), (), "loudest")


def test_syndicated_story_counts_its_copies_and_outlets(store):
    rows = article_list.article_page(store, Filters(unique_stories=False), (), "most copies", 0, None)
    copied = rows[rows["copies"] > 1]
    assert len(copied) == 2 * len(article_corpus.SYNDICATED)
    assert (copied["outlets"] == 2).all() and (rows[rows["copies"] == 1]["outlets"] == 1).all()
    once = article_list.article_page(store, Filters(unique_stories=True), (), "most copies", 0, None)
    assert len(once[once["copies"] > 1]) == len(article_corpus.SYNDICATED)


@pytest.mark.parametrize("f", [Filters(), Filters(query="tramway"), Filters(sources=("Harbour Times",)),
                               Filters(since=pd.Timestamp("2022-01-20"), until=pd.Timestamp("2022-02-10"))])
def test_top_outlets_add_up_to_the_view_and_against_their_own_totals(store, truth, f):
    top = article_list.top_outlets(store, f, (), None)
    schema.check(top, schema.TOP_OUTLETS, "top_outlets")
    assert top["articles"].sum() == article_list.article_count(store, f)
    assert top["share"].sum() == pytest.approx(1.0)
    articles = truth[0]
    dated = articles[(articles["date"] >= pd.Timestamp(f.since or "1900-01-01"))
                     & (articles["date"] < pd.Timestamp(f.until or "2100-01-01") + ONE_DAY)]
    for r in top.itertuples():
        assert r.outlet_total == (dated["source"] == r.source).sum()
        assert r.of_outlet == pytest.approx(r.articles / r.outlet_total)


def test_marks_stand_where_their_names_are_written(store):
    for aid in store.query("SELECT article_id FROM articles LIMIT 8")["article_id"]:
        sentences = article_list.article_sentences(store, aid).set_index("sentence_id")
        marks = article_list.article_marks(store, aid)
        assert not marks.empty
        for m in marks.itertuples():
            assert sentences.loc[m.sentence_id, "text"][m.start_char:m.end_char] == m.surface


class Tags(HTMLParser):
    """Collects the tags and the text of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


PIECES = [*"<>&\"' /=abc\n*_[]()!:\u2060", "<script>", "<img src=x>", "</mark>", "&amp;", "javascript:", "-->"]
HOSTILE = st.lists(st.sampled_from(PIECES), max_size=20).map("".join)


@settings(max_examples=200, deadline=None)
@given(text=HOSTILE, spans=st.lists(st.tuples(st.integers(-3, 40), st.integers(-3, 40), HOSTILE,
                                               st.floats(-1, 1)), max_size=5))
def test_marked_text_is_inert_and_says_the_same(text, spans):
    out = article_text.marked_sentence(text, spans)
    parsed = Tags()
    parsed.feed(out)
    parsed.close()
    assert set(parsed.tags) <= {"mark"}  # the only tag is the marks'; the text's own are shown, not parsed
    assert "".join(parsed.text) == text
    assert len(parsed.tags) == len(article_text._spans(text, spans))


def test_the_chosen_names_marks_stand_out_and_carry_their_tone():
    text = "Mara Velloso met Tomas Brandt."
    out = article_text.marked_sentence(text, [(0, 12, "Mara Velloso", -0.4), (17, 29, "Tomas Brandt", 0.3)],
                                       chosen={"Tomas Brandt"})
    marks = re.findall(r"<mark ([^>]*)>([^<]*)</mark>", out)
    assert [m[1] for m in marks] == ["Mara Velloso", "Tomas Brandt"]
    assert 'data-tone="negative"' in marks[0][0] and 'data-tone="positive"' in marks[1][0]
    assert article_text.CHOSEN_STYLE in marks[1][0] and article_text.CHOSEN_STYLE not in marks[0][0]


def test_heading_escapes_its_title_and_links_only_web_urls():
    row = pd.Series({"title": "<b>Hi</b>", "url": "javascript:alert(1)", "source": "Lakeside <Ledger>",
                     "date": pd.Timestamp("2022-01-03"), "tone": 0.2, "target_tone": float("nan"),
                     "target_mentions": 0, "copies": 1, "outlets": 1, "topics": ""})
    out = article_text.heading(row)
    assert "<b>" not in out and html.escape("<b>Hi</b>") in out and "href" not in out
    row["url"] = "https://example.org/a?b=1&c=2"
    assert 'href="https://example.org/a?b=1&amp;c=2"' in article_text.heading(row)


@pytest.mark.parametrize("name, columns", [("article_list", schema.ARTICLE_LIST),
                                           ("top_outlets", schema.TOP_OUTLETS),
                                           ("distinctive_terms", schema.DISTINCTIVE)])
def test_readme_documents_the_articles_pages_frames(name, columns):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split(f"### `{name}`", 1)
    assert len(section) == 2, f"README has no data dictionary section for {name}"
    documented = re.findall(r"^\| `(\w+)` \|", section[1].split("###", 1)[0], flags=re.M)
    assert documented == list(columns)


# ---- the page (AppTest): the list follows the filters, pages, sorts; its CSV holds every row

def table(at) -> pd.DataFrame:
    return next(d for d in at.dataframe if d.proto.id and "articles_table" in d.proto.id).value


def count_note(at) -> str:
    return next(m.value for m in at.markdown if " of " in m.value and "articles" in m.value)


def test_page_lists_pages_and_sorts(app, store):
    at = app(store.path, {"page": "Articles", "copies": "true"})
    assert not at.exception
    assert len(table(at)) == 50 and count_note(at) == "**1–50 of 72** articles"
    at.button(key="articles_next").click().run()
    assert len(table(at)) == 22 and count_note(at) == "**51–72 of 72** articles"
    at.selectbox(key="articles_sort").set_value("oldest").run()  # a new order starts at its first page
    first = table(at)
    assert count_note(at).startswith("**1–50") and first["date"].is_monotonic_increasing
    assert first["title"].iloc[0] == "Tram news 0"


@pytest.mark.parametrize("params, check", [
    ({"q": "tramway"}, lambda t: t["title"].str.startswith("Tram news").all() and len(t) == 18),
    ({"source": "Harbour Times"}, lambda t: (t["source"] == "Harbour Times").all() and len(t) == 23),
    ({"entity": "Tomas Brandt"}, lambda t: (t["target_mentions"] > 0).all() and t["target_tone"].notna().all()),
])
def test_page_follows_the_query_outlet_and_chosen_names(app, store, params, check):
    at = app(store.path, {"page": "Articles", "copies": "true", **params})
    assert not at.exception
    assert check(table(at)), table(at)


def test_opening_an_article_shows_its_marked_text(app, store):
    at = app(store.path, {"page": "Articles", "q": "tramway"})
    box = at.selectbox(key="articles_open")
    box.set_value(table(at)["article_id"].iloc[0]).run()
    shown = " ".join(h.proto.body for h in at.get("html"))
    assert "<mark" in shown and "tramway" in shown and "profile=" in shown


def test_csv_holds_every_article_with_the_views_provenance(store):
    import dashboard_articles
    from monitor.present.provenance import describe

    f = Filters(sources=("Lakeside Ledger",), query="residents")
    about = describe(f, kind="person", names=("Mara Velloso",)).with_fields({"sorted by": "oldest"})
    data = dashboard_articles.all_articles_csv(store.path, store.version(), f, ("Mara Velloso",), "oldest", about)
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    assert len(rows) == article_list.article_count(store, f, ("Mara Velloso",)) > 0
    assert [r["source"] for r in rows] == ["Lakeside Ledger"] * len(rows)
    assert {r["view_id"] for r in rows} == {about.view_id}
    said = rows[0]["view_filters"]
    assert "outlets: Lakeside Ledger" in said and "query: residents" in said and "Mara Velloso" in said
    assert about.file_name("articles", "csv").startswith("articles_")
