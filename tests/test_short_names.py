"""Watchlist names of one or two characters: found where the context says they are the name, nowhere else.

The platform "X" (aliases "Twitter", "X Corp") is the case the seed showed; "Q" (alias "Qorum", fictional)
and the two-letter "NB" (the fictional Northbridge Board) check the mechanism is not an X special case.
"""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.ingest.watchlist import Watchlist
from tests.spans import mentions_of, sentence

WATCHLIST = Watchlist.from_dict({"entities": {
    "X": {"type": "org", "aliases": ["Twitter", "X Corp"]},
    "Q": {"type": "org", "aliases": ["Qorum"]},
    "NB": {"type": "org", "aliases": ["Northbridge Board"]},
}})
PEOPLE = ["Mara Velloso", "Tomas Brandt", "Ines Okafor"]
# The term confirmed by a word beside it, or by another name of its entity in the sentence.
CONFIRMED = [
    "{p} sat down for an interview on {t} on Monday.",
    "{p} posted to {t} late at night.",
    "{t}'s owner {p} fired the staff.",
    "{t}, formerly {alias}, lost advertisers.",
    "{t} (formerly {alias}) lost advertisers.",
    "The {t} platform fell over during {p}'s event.",
    "Glitches plagued the talk between {t} owner {p} and the mayor.",
    "{t} CEO {p} resigned.",
    "{p} bought {alias} and rebranded it as {t}.",
    "These remarks echo a post {p} made on {t} in March.",
]
# Unconfirmed but plausible: a mention only in an article that confirms the term elsewhere.
PLAUSIBLE = ["{t} falters after a cyber attack", "{p} mocked the governor and {t} on his own website."]
# Never the platform, whatever the article says elsewhere.
NEVER = [
    "{p} read a biography of Malcolm {t}.", "Generation {t} voters stayed home.", "An {t}-ray showed the break.",
    "Louis {t} ruled France.", "{p} watched the SpaceX launch.", "Let x be the number of voters.",
    "{p} named the baby {t} Æ A-12.", "{t}. The first point is the budget.", "Brand {t} sold well.",
    "The plan has the {t} factor.", "Mr. {t} declined to comment.", "The {t} and Y axes were swapped.",
    "Multiply 3 {t} 4 to get twelve.", "The {t} Games return to Northbridge.", "{t}) Budget lines follow.",
]
TERMS = {"X": "Twitter", "Q": "Qorum"}


def _found(article, term):
    return [(m.sentence_id, m.surface) for m in mentions_of(article, WATCHLIST) if m.surface == term]


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(TERMS)), st.sampled_from(CONFIRMED), st.sampled_from(PEOPLE))
def test_a_confirmed_short_name_is_found(term, template, person):
    text = template.format(t=term, p=person, alias=TERMS[term])
    assert _found([sentence(text)], term) == [(0, term)], text


@settings(max_examples=80, deadline=None)
@given(st.sampled_from(sorted(TERMS)), st.sampled_from(CONFIRMED), st.sampled_from(PLAUSIBLE + NEVER),
       st.sampled_from(PEOPLE))
def test_one_sense_per_article_but_never_in_another_name(term, confirming, other, person):
    """A confirmed mention makes the article's plausible ones count too; "Malcolm X" and the like never do."""
    article = [sentence(confirming.format(t=term, p=person, alias=TERMS[term])),
               sentence(other.format(t=term, p=person))]
    found = _found(article, term)
    assert (0, term) in found
    assert ((1, term) in found) == (other in PLAUSIBLE), article[1].text


@pytest.mark.parametrize("text", [t.format(t="X", p="Ines Okafor") for t in NEVER])
def test_a_letter_in_another_name_a_list_or_a_formula_is_never_a_mention(text):
    article = [sentence(text), sentence("Ines Okafor spoke on X on Monday.")]
    assert _found(article, "X") == [(1, "X")]


@pytest.mark.parametrize("text", [t.format(t="X", p="Ines Okafor") for t in PLAUSIBLE])
def test_a_plausible_letter_needs_the_article_to_confirm_it(text):
    assert _found([sentence(text)], "X") == []
    assert _found([sentence(text), sentence("Ines Okafor spoke on X on Monday.")], "X") == [(0, "X"), (1, "X")]


PLAIN = ["The NB said the budget was late.", "Tomas Brandt wrote to the NB on Monday.",
         "NB officials met in Northbridge."]
NOT_NB = ["MAYOR TELLS NB TO FIX THE TRAMS NOW",   # all capitals: a shouted headline
          "Lakeside NB won the cup.",              # part of another name
          "Rows NB and NC were swapped."]          # among other letters


@pytest.mark.parametrize("plain", PLAIN)
@pytest.mark.parametrize("other", NOT_NB)
def test_two_letter_names_need_exact_case_and_a_plain_context(plain, other):
    assert _found([sentence(plain), sentence(other)], "NB") == [(0, "NB")]


def test_a_watchlist_entity_can_ask_for_confirmation():
    wl = Watchlist.from_dict({"entities": {"NB": {"type": "org", "confirm": True}}})
    plain = [sentence("The NB said the budget was late.")]
    cued = [sentence("The NB said the budget was late."), sentence("Brandt posted on NB on Monday.")]
    assert mentions_of(plain, wl) == []
    assert [m.sentence_id for m in mentions_of(cued, wl)] == [0, 1]


def test_confirm_must_be_a_boolean():
    from monitor.ingest.watchlist import WatchlistError

    with pytest.raises(WatchlistError, match=r"'NB': confirm must be true or false"):
        Watchlist.from_dict({"entities": {"NB": {"confirm": "yes"}}})
