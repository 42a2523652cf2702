"""What the model calls a person but names no one: things made of common words, labels, feasts, "the X",
pieces of an organisation's name, author and source lines. Fictional people and outlets; generated variants.

Each case pairs the false person with a real one written the same way, so a rule that drops names wholesale fails.
"""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.ingest.common_nouns import census_names, dictionary_words, is_common_noun, thing_head
from tests.spans import entity_types, people, sentence

# Common nouns and adjectives no one is called by (dictionary words, not census names).
THING_FIRST = ["Gallic", "Citric", "Infrared", "Herbal", "Freedom", "Vaccine", "Colloidal", "Organic", "Liquid",
               "Digital"]
THING_HEAD = ["Acid", "Sauna", "Pub", "Agenda", "Ointment", "Extract", "Powder", "Capsule", "Therapy", "Syrup"]
# Fictional people whose surname is also an English word (the census knows them as surnames).
WORD_SURNAMES = ["Mara Baker", "Tomas Rice", "Ines Price", "Pavel Young", "Lena Bush", "Oskar Fox", "Ada Stone"]
GIVEN = ["Mara", "Tomas", "Ines", "Pavel", "Lena", "Oskar", "Ada", "Jorge", "Nadia"]


def test_the_word_lists_are_loaded():
    assert len(dictionary_words()) > 100_000 and len(census_names()) > 80_000
    assert is_common_noun("Acid") and is_common_noun("County") and not is_common_noun("Bush")
    assert thing_head("Pope Francis") is None and thing_head("Grace Park") is None and thing_head("Elon Musk") is None
    assert not is_common_noun("Xi") and not is_common_noun("Velloso")


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(THING_FIRST), st.sampled_from(THING_HEAD), st.sampled_from(WORD_SURNAMES),
       st.sampled_from(["{t} helps, {p} wrote.", "{p} swears by {t} every day.", "Try {t} now, says {p}."]))
def test_a_thing_of_common_words_is_not_a_person_beside_a_person_named_by_words(first, head, person, frame):
    thing = f"{first} {head}"
    text = frame.format(t=thing, p=person)
    article = [sentence(text, (thing, "PERSON"), (person, "PERSON")),
               sentence(f"Later {head} was sold out.", (head, "PERSON"))]
    assert people(article) == {person}


@pytest.mark.parametrize("given_name", GIVEN)
@pytest.mark.parametrize("head", ["Acid", "Agenda", "Sauna"])
def test_a_given_name_before_a_word_keeps_the_person(given_name, head):
    # "Elon Musk", "Emmanuel Macron": a dictionary word as surname, a name before it
    assert thing_head(f"{given_name} {head}") is None
    assert people([sentence(f"{given_name} {head} spoke.", (f"{given_name} {head}", "PERSON"))])


@pytest.mark.parametrize("place", ["L.A. County", "Orange County", "Harbor Island", "Velloso County", "Salt Valley"])
def test_a_county_the_model_calls_a_person_is_a_place(place):
    article = [sentence(f"Officials in {place} reported 40 new cases.", (place, "PERSON"))]
    assert entity_types(article).get(place) == "place"


@pytest.mark.parametrize("label", ["Guest", "Host", "Female", "Male", "Moderator", "Producer"])
@pytest.mark.parametrize("person", ["Jane Orlova", "Tomas Brandt"])
def test_a_label_before_a_colon_is_not_a_person(label, person):
    article = [sentence(f"{label}: {person}", (label, "PERSON"), (person, "PERSON"))]
    assert people(article) == {person}


def test_a_surname_that_is_also_a_label_word_stays_a_person_without_the_colon():
    article = [sentence("Ines Guest chaired the panel.", ("Ines Guest", "PERSON")),
               sentence("Guest said the hall was full.", ("Guest", "PERSON"))]
    assert people(article) == {"Ines Guest"}


@pytest.mark.parametrize("feast, frame", [
    ("Eid", "Families in Northbridge marked {f} at the end of the fast."),
    ("Eid", "{f} prayers were held in 110 mosques."),
    ("Easter", "He wants the shops open by {f}."),
    ("Diwali", "Lights went up for {f} on Friday."),
    ("Ramadan", "During {f} the market opens at dusk."),
    ("Hanukkah", "{f} candles were lit in the square."),
])
def test_a_feast_is_not_a_person(feast, frame):
    article = [sentence(frame.format(f=feast), (feast, "PERSON")),
               sentence("Mayor Ines Okafor greeted them.", ("Ines Okafor", "PERSON"))]
    assert people(article) == {"Ines Okafor"}


@pytest.mark.parametrize("text", ["We must support the Velmark.", "The Velmark must take sides with the nation.",
                                  "Ministers met at the Velmark, he said."])
def test_the_x_with_nothing_after_is_a_thing(text):
    assert "Velmark" not in people([sentence(text, ("Velmark", "PERSON"))])


@pytest.mark.parametrize("text", ["The Velmark administration said no.", "Velmark said the plan would pass."])
def test_a_name_modifying_a_noun_or_leading_a_sentence_stays_a_person(text):
    assert people([sentence(text, ("Velmark", "PERSON"))]) == {"Velmark"}


@pytest.mark.parametrize("tail", [" and Co Inc.", " & Co", " and Sons", ", Inc.", ", Ltd"])
def test_a_name_that_opens_a_firms_name_is_not_a_person(tail):
    text = f"Prices fell, said Nadia Brandt, economist at Aubrey Lanston{tail} in Northbridge."
    article = [sentence(text, ("Nadia Brandt", "PERSON"), ("Aubrey Lanston", "PERSON"))]
    assert people(article) == {"Nadia Brandt"}


@pytest.mark.parametrize("first, org", [("Mara", "Foundation"), ("Tomas", "Institute"), ("Paul", "Prize")])
def test_a_first_name_that_opens_a_couples_foundation_is_not_a_person(first, org):
    text = f"Grants from the {first} and Linda Okafor {org} grew, said Nadia Brandt."
    article = [sentence(text, (first, "PERSON"), ("Nadia Brandt", "PERSON"))]
    assert people(article) == {"Nadia Brandt"}


@pytest.mark.parametrize("org", ["International Monetary Fund (IMF) head", "White House officials",
                                 "Republican Party leaders", "Harbor University staff"])
def test_a_person_beside_an_organisation_stays_a_person(org):
    for name in ("Paul Velmark", "Velmark"):
        text = f"Talks were held with Federal Reserve chief {name} and {org} on Monday."
        assert people([sentence(text, (name, "PERSON"))]) == {name}


def test_a_name_followed_by_and_a_person_stays_a_person():
    article = [sentence("Aubrey Lanston and Nadia Brandt met the Co-Founder, Lanston, Co-Chair.",
                        ("Aubrey Lanston", "PERSON"), ("Nadia Brandt", "PERSON"))]
    assert people(article) == {"Aubrey Lanston", "Nadia Brandt"}


@pytest.mark.parametrize("word", ["Agenda", "Rutin", "Coriander"])
def test_a_lone_dictionary_word_is_not_a_person_unless_a_title_says_so(word):
    assert word not in people([sentence(f"Of course, {word} ID2030 wants everyone counted.", (word, "PERSON"))])
    assert people([sentence(f"President {word} said the plan would pass.", (word, "PERSON"))]) == {word}


@pytest.mark.parametrize("person", ["Mara Baker", "Tomas Brandt", "Ines Okafor"])
@pytest.mark.parametrize("word", ["Supporters", "Dreams", "Exposes", "Voters", "Fans"])
def test_a_plural_noun_glued_to_a_name_in_a_headline_is_cut_off(person, word):
    article = [sentence(f"Don't Underestimate {person} {word}", (f"{person} {word}", "PERSON")),
               sentence(f"Her {word.lower()} met on Monday.")]
    assert people(article) == {person}


@pytest.mark.parametrize("person", ["Monica Velles", "Leah Pells", "Guy Hellers", "Freddy Pinas", "Ana Paes"])
def test_a_foreign_surname_that_ends_like_a_plural_is_kept(person):
    # Webster's lists "pell", "heller", "pina": old or rare words the article never writes in lower case
    article = [sentence(f"5. {person} ( Canada ) 4:09.95", (person, "PERSON")),
               sentence(f"The debut of {person} , who won .", (person, "PERSON"))]
    assert people(article) == {person}


@pytest.mark.parametrize("person", ["Jeff Sessions", "Mara Woods", "Ines Sanders", "Pavel Hanks", "Ada Jobs"])
def test_a_surname_that_looks_plural_is_kept(person):
    assert people([sentence(f"{person} spoke on Monday.", (person, "PERSON"))]) == {person}
