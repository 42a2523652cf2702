"""Spans the model types as a person that are not one: families in the plural, groups, headline words.

Each case is a class, generated over several spellings, determiners and positions (fictional people).
"""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.spans import entity_types, people, sentence

# (surname, its plural): the plural is told from the surname named in the article, or by its ending alone.
FAMILIES = [("Velloso", "Vellosos"), ("Brandt", "Brandts"), ("Okafor", "Okafors"), ("Marchetty", "Marchettys"),
            ("Strash", "Strashes"), ("Pellich", "Pelliches"), ("Dunmore", "Dunmores")]
DETERMINERS = ["the ", "The ", "", "both "]
PLACES = [
    "{det}{plural} arrived at the gala on Friday.",
    "Reporters waited for {det}{plural} outside the hall.",
    "Nobody had invited {det}{plural}.",
    "Critics said {det}{plural}' foundation was a front.",
]


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(FAMILIES), st.sampled_from(DETERMINERS), st.sampled_from(PLACES), st.booleans())
def test_a_family_in_the_plural_is_never_a_person(family, det, place, named):
    surname, plural = family
    text = place.format(det=det, plural=plural)
    text = text[0].upper() + text[1:]
    article = [sentence(text, (plural, "PERSON"))]
    # the article names one of them (always, for a plural its ending alone does not tell)
    if named or not plural.endswith(("ys", "shes", "ches")):
        article.insert(0, sentence(f"Ana {surname} opened the gala.", (f"Ana {surname}", "PERSON")))
    types = entity_types(article)
    assert types.get(plural) in (None, "group"), types
    assert plural not in people(article)


GROUPS = ["Latinos", "Hispanics", "Democrats", "Republicans", "Brits", "Muslims", "Evangelicals", "Catholics",
          "Californians", "Koreans", "Taiwanese", "Israelis", "Black Americans", "Senate Republicans", "Latinas",
          "Britons", "Mormons", "Sikhs", "Pakistanis", "White Evangelicals"]
GROUP_PLACES = ["{g} turned out in large numbers.", "Polls show {g} moving away from Velloso.",
                "Velloso courted {g} in Northbridge.", "Among {g}, support fell."]


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(GROUPS), st.sampled_from(GROUP_PLACES))
def test_group_words_are_groups_or_nothing_never_persons(group, place):
    text = place.format(g=group)
    article = [sentence(text, (group, "PERSON"))]
    types = entity_types(article)
    assert not any(t == "person" for e, t in types.items() if group in e or e in group), types


HEADLINES = [
    ("Disavowing Velloso: The Council Turns", "Disavowing Velloso", "Velloso"),
    ("Meet Mara Velloso, The Mayor Nobody Expected", "Meet Mara Velloso", "Mara Velloso"),
    ("Ridiculing Tomas Brandt Became A Sport", "Ridiculing Tomas Brandt", "Tomas Brandt"),
    ("Why Velloso Lost The Vote", "Why Velloso", "Velloso"),
    ("Okafor Slams Brandt Over Ferry Plan", "Okafor Slams Brandt", "Okafor"),
    ("Inside Ines Okafor's Campaign", "Inside Ines Okafor", "Ines Okafor"),
    ("Abandoning Pavel Ruiz Was A Mistake", "Abandoning Pavel Ruiz", "Pavel Ruiz"),
]


@pytest.mark.parametrize("headline, span, name", HEADLINES)
def test_headline_words_glued_to_a_name_are_cut_off(headline, span, name):
    article = [sentence(headline, (span, "PERSON"))]
    found = people(article)
    assert name in found, found
    assert span == name or span not in found
    assert all(not w.endswith("ing") and w not in {"Meet", "Why", "Slams", "Inside"} for p in found for w in p.split())


REAL = ["Irving Brandt", "Sterling Okafor", "Meiying Wu", "Ana Evans", "Pavel Harris", "Lena Williams", "Tomas Jones"]


@pytest.mark.parametrize("name", REAL)
def test_real_names_that_look_like_those_stay_people(name):
    """Given names ending in -ing, surnames ending in -s: kept, beside a family plural and a headline word."""
    surname = name.split()[-1]
    article = [sentence(f"{name} spoke at the gala.", (name, "PERSON")),
               sentence(f"Later {surname} left early.", (surname, "PERSON")),
               sentence("Ana Velloso and the Vellosos came too.", ("Ana Velloso", "PERSON"), ("Vellosos", "PERSON")),
               sentence("Praising Velloso Is Easy", ("Praising Velloso", "PERSON"))]
    assert people(article) == {name, "Ana Velloso"}


@pytest.mark.parametrize("word", ["Lockdowns", "Gyms", "Reopenings", "Apart"])
def test_a_common_word_capitalised_in_a_headline_is_not_a_person(word):
    article = [sentence(f"{word} Return To Northbridge", (word, "PERSON")),
               sentence(f"The city said {word.lower()} would be reviewed in May.")]
    assert word not in people(article)


@pytest.mark.parametrize("word, kind", [("Covid", None), ("Corona", None), ("Coronavirus", None), ("God", None),
                                        ("Brexit", None), ("Mother Nature", None), ("Zoom", "org"),
                                        ("Twitter", "org"), ("TikTok", "org")])
@pytest.mark.parametrize("place", ["{w} changed everything for Velloso.", "Velloso thanked {w} on Monday."])
def test_lone_words_that_name_no_person(word, kind, place):
    article = [sentence(place.format(w=word), (word, "PERSON"))]
    assert entity_types(article).get(word) == kind
