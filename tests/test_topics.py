"""Tests for monitor.ingest.topics: keyword rules, matching, article tagging and loading.

People and outlets in the sentences are fictional.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from monitor.ingest.topics import (
    DEFAULT_PATH,
    ENV_VAR,
    Taxonomy,
    TaxonomyError,
    Topic,
    index_token,
)

SMALL = {
    "settings": {"min_sentences": 1},
    "topics": {
        "immigration": {
            "label": "Immigration",
            "description": "Borders and migrants.",
            "keywords": ["immigra*", "Asylum Seeker*", "border wall", "women's shelter*"],
        },
        "economy": {
            "label": "Economy",
            "description": "Growth and prices.",
            "keywords": ["econom*", "tax", "tax cut*", "primar* surplus*"],
        },
        "tech": {
            "label": "Technology",
            "description": "Platforms and hacks.",
            "keywords": ["ai", "denial of service", "x.com", "s&p 500"],
        },
    },
}


@pytest.fixture()
def small() -> Taxonomy:
    return Taxonomy.from_dict(SMALL)


@pytest.fixture(scope="module")
def default() -> Taxonomy:
    return Taxonomy.load(DEFAULT_PATH)


def labels(hits: list[tuple[str, str]]) -> list[str]:
    return [label for label, _ in hits]


def write(tmp_path: Path, text: str, name: str = "topics.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ------------------------------------------------------------------ matching rules
def test_wildcard_matches_word_endings(small: Taxonomy) -> None:
    assert small.match("Immigrants queued in Northbridge.") == [("Immigration", "immigra*")]
    assert small.match("Immigration rose.") == [("Immigration", "immigra*")]
    assert small.match("The economists disagreed.") == [("Economy", "econom*")]


def test_wildcard_inside_a_phrase(small: Taxonomy) -> None:
    assert small.match("It ran primary surpluses for years.") == [("Economy", "primar* surplus*")]
    assert small.match("The primary school closed.") == []


def test_whole_words_only(small: Taxonomy) -> None:
    assert small.match("Mara Velloso said the taxi was late.") == []
    assert small.match("The paintbrush was Thai-made.") == []  # "ai" inside words
    assert small.match("Reimmigration is not a word here.") == []  # no hit mid-word
    # the regex itself, not only the pre-check, must respect word edges
    assert small.match("Taxi economy, then tax.") == [("Economy", "econom*")]
    assert small.match("Retax economy, then tax.") == [("Economy", "econom*")]


def test_wildcard_lets_a_word_grow(tmp_path: Path) -> None:
    tax = Taxonomy.from_dict({"topics": {"t": {"label": "T", "keywords": ["tax*"]}}})
    assert tax.match("Mara Velloso hailed a taxi.") == [("T", "tax*")]


def test_phrase_across_line_break_hyphen_and_spaces(small: Taxonomy) -> None:
    for text in ("a border\nwall", "a border-wall", "a border   wall", "a border -\n wall"):
        assert small.match(text) == [("Immigration", "border wall")], text
    for text in ("a denial-of-service attack", "a denial-\nof-service attack",
                 "a denial of\nservice attack"):
        assert small.match(text) == [("Technology", "denial of service")], text
    assert small.match("a borderwall") == []


def test_case_insensitive(small: Taxonomy) -> None:
    assert labels(small.match("IMMIGRATION AND THE ECONOMY")) == ["Immigration", "Economy"]
    assert small.match("An Ai model") == [("Technology", "ai")]
    assert small.match("asylum SEEKERS arrived") == [("Immigration", "Asylum Seeker*")]


def test_keyword_reported_as_written(small: Taxonomy) -> None:
    assert small.match("Two asylum seekers spoke to The Northbridge Courier.") == [
        ("Immigration", "Asylum Seeker*")]


def test_punctuation_inside_keywords(small: Taxonomy) -> None:
    assert small.match("The S&P 500 fell.") == [("Technology", "s&p 500")]
    assert small.match("Posted on X.com today.") == [("Technology", "x.com")]
    assert small.match("a women\u2019s shelters network") == [("Immigration", "women's shelter*")]


def test_first_and_most_specific_keyword_reported(small: Taxonomy) -> None:
    # leftmost hit wins ...
    assert small.match("The economy, then tax, says Mara Velloso.") == [("Economy", "econom*")]
    assert small.match("Tax, then the economy.") == [("Economy", "tax")]
    # ... and at one position the longer keyword wins
    assert small.match("Tax cuts were promised.") == [("Economy", "tax cut*")]


def test_several_topics_in_taxonomy_order(small: Taxonomy) -> None:
    hits = small.match("An AI tool on tax and immigration policy.")
    assert hits == [("Immigration", "immigra*"), ("Economy", "tax"), ("Technology", "ai")]


def test_no_hit_returns_empty_list(small: Taxonomy) -> None:
    assert small.match("") == []
    assert small.match("The Northbridge Courier printed a crossword.") == []


def test_index_token_picks_most_selective_word() -> None:
    assert index_token("on strike") == ("strike", False)
    assert index_token("primar* election*") == ("election", True)
    assert index_token("Immigra*") == ("immigra", True)
    assert index_token("s&p 500") == ("500", False)


def reference_topics(tax: Taxonomy, sentence: str) -> list[str]:
    """Straightforward per-keyword IGNORECASE matching, without the fast path."""
    found = []
    for topic in tax.topics:
        for kw in topic.keywords:
            body = re.escape(kw).replace(r"\*", r"\w*").replace(r"\ ", r"(?:\s+|\s*-\s*)")
            body = body.replace(r"\-", r"(?:\s+|\s*-\s*)").replace("'", "['\u2019]")
            if re.search(rf"(?<!\w){body}(?!\w)", sentence, re.IGNORECASE):
                found.append(topic.label)
                break
    return found


SENTENCES = [
    "Mara Velloso, the Northbridge mayor, promised tax cuts and a new school budget.",
    "Farmers said wheat and corn prices fell as the central bank raised interest rates.",
    "The Northbridge Courier reported that hackers took the council's website offline.",
    "Police arrested two men after the robbery; the trial opens in March.",
    "Asylum seekers crossed the border as ministers debated the immigration bill.",
    "Nurses at the city hospital went on strike over pay and pensions.",
    "Troops and missiles were moved north, the defence ministry said.",
    "The senator's campaign ran adverts on social media and television.",
    "Exports of coffee rose while tariffs on steel imports were cut.",
    "Shares in Velloso Holdings jumped after the merger was announced.",
    "Activists marched for trans rights and against racism.",
    "Wildfires and drought followed the hottest summer on record.",
    "The ambassador met the foreign minister ahead of the summit.",
    "Nothing in this sentence is about any topic at all.",
    "Teachers and students at Northbridge University protested tuition fees.",
    "Journalists accused the broadcaster of censorship.",
]


def test_fast_path_agrees_with_reference(default: Taxonomy) -> None:
    for sentence in SENTENCES:
        assert labels(default.match(sentence)) == reference_topics(default, sentence), sentence


# ------------------------------------------------------------ the default taxonomy
def test_default_file_shape(default: Taxonomy) -> None:
    assert 16 <= len(default.topics) <= 18
    assert all(isinstance(t, Topic) for t in default.topics)
    for topic in default.topics:
        assert 25 <= len(topic.keywords) <= 60, topic.id
        folded = [" ".join(k.casefold().replace("-", " ").split()) for k in topic.keywords]
        assert len(folded) == len(set(folded)), topic.id
        assert topic.label and topic.description, topic.id
    assert len({t.label for t in default.topics}) == len(default.topics)
    assert default.min_sentences == 1


def test_default_is_loaded_without_a_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    assert Taxonomy.load().fingerprint() == Taxonomy.load(DEFAULT_PATH).fingerprint()
    assert Path(__file__).resolve().parents[1] / "data" / "topics.toml" == DEFAULT_PATH


def test_seed_sentence_hits_immigration_and_economy(default: Taxonomy) -> None:
    sentence = ("The conversation, delayed by more than 40 minutes by tech issues, lasted for "
                "about two hours, during which the two controversial figures talked about "
                "immigration, the economy and the recent assassination attempt on Trump.")
    found = labels(default.match(sentence))
    assert "Immigration and borders" in found
    assert "Economy and jobs" in found


def test_seed_sentence_ddos_hits_technology(default: Taxonomy) -> None:
    sentence = ("Musk claimed the issues were down to a \u201cmassive DDOS,\u201d a "
                "denial-of-service attack")
    assert "Technology and platforms" in labels(default.match(sentence))


def test_default_keywords_are_whole_word(default: Taxonomy) -> None:
    assert "Technology and platforms" not in labels(default.match("Mara Velloso said so."))
    assert default.match("The taxi rank in Northbridge was quiet.") == []


# --------------------------------------------------------------------- articles
def test_article_topics_most_hit_first_ties_in_taxonomy_order(small: Taxonomy) -> None:
    hits = ["Technology", "Economy", "Technology", "Immigration", "Economy", "Technology"]
    assert small.article_topics(hits) == ["Technology", "Economy", "Immigration"]
    assert small.article_topics(["Technology", "Immigration"]) == ["Immigration", "Technology"]
    assert small.article_topics(["Economy", "Immigration"]) == ["Immigration", "Economy"]
    assert small.article_topics([]) == []


def test_article_topics_min_sentences() -> None:
    data = {**SMALL, "settings": {"min_sentences": 2}}
    tax = Taxonomy.from_dict(data)
    assert tax.min_sentences == 2
    assert tax.article_topics(["Economy", "Immigration", "Economy"]) == ["Economy"]


def test_article_topics_ignores_unknown_labels(small: Taxonomy) -> None:
    assert small.article_topics(["Sport", "Economy"]) == ["Economy"]


# ------------------------------------------------------------------- fingerprint
def test_fingerprint_stable_and_sensitive(small: Taxonomy) -> None:
    fp = small.fingerprint()
    assert re.fullmatch(r"[0-9a-f]{12}", fp)
    assert Taxonomy.from_dict(SMALL).fingerprint() == fp
    changed = {**SMALL, "topics": {**SMALL["topics"], "tech": {
        **SMALL["topics"]["tech"], "keywords": ["ai", "denial of service"]}}}
    assert Taxonomy.from_dict(changed).fingerprint() != fp
    reworded = {**SMALL, "topics": {**SMALL["topics"], "tech": {
        **SMALL["topics"]["tech"], "description": "Other words."}}}
    assert Taxonomy.from_dict(reworded).fingerprint() == fp
    stricter = {**SMALL, "settings": {"min_sentences": 3}}
    assert Taxonomy.from_dict(stricter).fingerprint() != fp


# ---------------------------------------------------------------------- loading
USER_FILE = """
[settings]
min_sentences = 2

[topics.harbour]
label = "Harbour affairs"
description = "The Northbridge harbour."
keywords = ["harbour*", "ferry", "dock workers"]
"""


def test_load_user_file(tmp_path: Path) -> None:
    tax = Taxonomy.load(write(tmp_path, USER_FILE))
    assert [t.id for t in tax.topics] == ["harbour"]
    assert tax.min_sentences == 2
    assert tax.match("Dock\nworkers at the harbours") == [("Harbour affairs", "dock workers")]


def test_load_accepts_str_path(tmp_path: Path) -> None:
    assert len(Taxonomy.load(str(write(tmp_path, USER_FILE))).topics) == 1


def test_env_var_selects_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, str(write(tmp_path, USER_FILE)))
    assert [t.label for t in Taxonomy.load().topics] == ["Harbour affairs"]
    # an explicit path still wins over the variable
    assert len(Taxonomy.load(DEFAULT_PATH).topics) >= 16


def test_list_of_topics_form() -> None:
    tax = Taxonomy.from_dict({"topics": [
        {"id": "harbour", "label": "Harbour", "keywords": ["ferry"]},
        {"id": "rail", "label": "Rail", "keywords": ["train*"]},
    ]})
    assert [t.id for t in tax.topics] == ["harbour", "rail"]


# ----------------------------------------------------------------------- errors
BAD_FILES = {
    "invalid toml": ('[topics.a]\nlabel = A\nkeywords = ["x"]\n', r"invalid TOML.*line 2, column 9"),
    "duplicate id": ('[topics.a]\nlabel = "A"\nkeywords = ["x"]\n'
                     '[topics.a]\nlabel = "B"\nkeywords = ["y"]\n', r"invalid TOML.*line 4"),
    "missing keywords": ('[topics.a]\nlabel = "A"\n', r"topic 'a': missing keywords"),
    "empty list": ('[topics.a]\nlabel = "A"\nkeywords = []\n', r"topic 'a': keywords must be"),
    "empty keyword": ('[topics.a]\nlabel = "A"\nkeywords = ["x", "  "]\n',
                      r"topic 'a': empty keyword"),
    "regex chars": ('[topics.a]\nlabel = "A"\nkeywords = ["immigra(nt|tion)"]\n',
                    r"topic 'a': bad keyword 'immigra\(nt\|tion\)'"),
    "leading star": ('[topics.a]\nlabel = "A"\nkeywords = ["*coin"]\n',
                     r"topic 'a': bad keyword '\*coin'.*start with a letter"),
    "duplicate keyword": ('[topics.a]\nlabel = "A"\nkeywords = ["Tax cut", "tax-cut"]\n',
                          r"topic 'a': duplicate keyword 'tax-cut'"),
    "missing label": ('[topics.a]\nkeywords = ["x"]\n', r"topic 'a': missing or empty label"),
    "duplicate label": ('[topics.a]\nlabel = "A"\nkeywords = ["x"]\n'
                        '[topics.b]\nlabel = "a"\nkeywords = ["y"]\n',
                        r"topic 'b': label 'a' already used by 'a'"),
    "unknown key": ('[topics.a]\nlabel = "A"\nkeyword = ["x"]\n', r"topic 'a': unknown key"),
    "bad id": ('[topics.Economy]\nlabel = "A"\nkeywords = ["x"]\n', r"'Economy' must be snake_case"),
    "no topics": ('[settings]\nmin_sentences = 1\n', r"no topics"),
    "bad min_sentences": ('[settings]\nmin_sentences = 0\n[topics.a]\nlabel = "A"\n'
                          'keywords = ["x"]\n', r"min_sentences must be an integer >= 1"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_file_errors_name_file_and_problem(tmp_path: Path, case: str) -> None:
    text, problem = BAD_FILES[case]
    path = write(tmp_path, text, name="bad_topics.toml")
    with pytest.raises(TaxonomyError, match=re.escape(str(path)) + ": .*" + problem):
        Taxonomy.load(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(TaxonomyError, match=r"nope\.toml: topic file not found"):
        Taxonomy.load(tmp_path / "nope.toml")


def test_duplicate_id_in_list_form() -> None:
    data = {"topics": [{"id": "a", "label": "A", "keywords": ["x"]},
                       {"id": "a", "label": "B", "keywords": ["y"]}]}
    with pytest.raises(TaxonomyError, match=r"<taxonomy>: duplicate topic id 'a'"):
        Taxonomy.from_dict(data)


def test_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        Taxonomy.from_dict({"topics": {}})
