"""Credits are not mentions: author lines under headlines, source lines, dated citations, bylines with a dash.

Fictional people and outlets. Each credit form is paired with the same name in running text, which stays a
mention, so a rule that drops names wholesale fails.
"""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.ingest.credits import credit_regions, is_author_line
from tests.spans import people, sentence

NAMES = ["Ines Okafor", "Tomas Brandt", "J. Morrow Tilden", "Nadia Velloso-Ruiz", "Pavel de Wit"]
JOINERS = [" and ", " & ", ", "]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(NAMES), min_size=1, max_size=3, unique=True), st.sampled_from(JOINERS),
       st.sampled_from(["", " "]))
def test_an_author_line_under_a_headline_is_a_credit(authors, joiner, pad):
    line = pad + joiner.join(authors)
    article = [sentence("Why Northbridge Needs More Buses"),
               sentence(line, *((a, "PERSON") for a in authors)),
               sentence("The Northbridge Courier"),
               sentence("Transit planners met on Monday.")]
    assert people(article) == set()
    article.append(sentence(f"{authors[0]} said the plan was late.", (authors[0], "PERSON")))
    assert people(article) == {authors[0]}


@pytest.mark.parametrize("text", ["Ines Okafor said no.", "Ines Okafor.", "Ines Okafor and the council",
                                  "Ines Okafor?", "Meet Ines Okafor", "Ines Okafor ,", ", Ines Okafor",
                                  "Tomas Brandt , Ines Okafor ,"])
def test_a_sentence_with_more_than_names_is_not_an_author_line(text):
    names = [(n, "PERSON") for n in ("Ines Okafor", "Tomas Brandt") if n in text]
    assert not is_author_line(sentence(text, *names))


@pytest.mark.parametrize("line, name", [
    ("Source: Northbridge Courier, Ines Okafor", "Ines Okafor"),
    ("Sources: Tomas Brandt and the Harbor Ledger", "Tomas Brandt"),
    ("Written by: Nadia Velloso", "Nadia Velloso"),
    ("The council met again. (Ines Okafor, April 1, 2020)", "Ines Okafor"),
    ("(By Tomas Brandt, Sept. 12, 2019)", "Tomas Brandt"),
    ("By Ines Okafor \u2013 Research Associate of the Centre for Transit", "Ines Okafor"),
    ("By Tomas Brandt | Northbridge Courier", "Tomas Brandt"),
    ("By Nadia Velloso, Staff Writer", "Nadia Velloso"),
])
def test_source_lines_dated_citations_and_dashed_bylines_are_credits(line, name):
    start = line.index(name)
    assert any(a <= start and start + len(name) <= b for a, b in credit_regions(line))
    article = [sentence(line, (name, "PERSON")), sentence(f"{name} spoke at the depot.", (name, "PERSON"))]
    assert people(article) == {name}


@pytest.mark.parametrize("text", ["By the way, Brandt disagreed.", "By Monday, Ines Okafor had left.",
                                  "The source: Ines Okafor said it first.", "(Ines Okafor, the mayor, agreed)"])
def test_running_text_that_looks_like_a_credit_keeps_its_name(text):
    article = [sentence(text, *[(n, "PERSON") for n in ("Ines Okafor", "Brandt") if n in text])]
    assert people(article)


def test_the_last_line_of_a_list_of_names_is_no_author_line():
    article = [sentence("Ines Okafor , Pavel de Wit , Nadia Velloso ,", ("Ines Okafor", "PERSON"),
                        ("Pavel de Wit", "PERSON"), ("Nadia Velloso", "PERSON")),
               sentence("Tomas Brandt", ("Tomas Brandt", "PERSON"))]
    assert people(article) == {"Ines Okafor", "Pavel de Wit", "Nadia Velloso", "Tomas Brandt"}


def test_an_article_without_sentences_has_no_credits():
    from monitor.ingest.credits import sentence_credits
    assert sentence_credits([]) == []
