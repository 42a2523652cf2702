"""Label repair from a line's shape: teams in score lines are organisations, "D. Velloso" is a person.

Fictional clubs, towns and people; the model's spans are given (no model), as the small model gets
them wrong: a club named for its town as a place, a club as a person, a team or a scorer missed.
"""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.ingest.entities import resolve_article
from monitor.ingest.label_repair import initial_names, score_slots
from monitor.ingest.nlp import Entity, Sentence

SYLLABLES = ("vel", "ko", "ra", "bra", "sta", "ni", "lu", "zan", "mor", "de", "ton", "wick", "har", "bo", "ri")
CLUB_WORDS = ("", "", "", "Atletico ", "Olimpia ", "Dynamo ", "FC ", "Union ", "St ")


@st.composite
def club(draw) -> str:
    """A fictional club or town: one or two made-up capitalised words, in capitals a third of the time."""
    words = ["".join(draw(st.lists(st.sampled_from(SYLLABLES), min_size=2, max_size=3))).capitalize()
             for _ in range(draw(st.integers(1, 2)))]
    name = draw(st.sampled_from(CLUB_WORDS)) + " ".join(words)
    return name.upper() if draw(st.integers(0, 2)) == 0 else name


@st.composite
def score_line(draw) -> tuple[str, list[str]]:
    """A results row, standings row, fixture or cricket score line, and its team names."""
    a, b = draw(club()), draw(club())
    goals = st.integers(0, 9)
    kind = draw(st.sampled_from(("result", "scorers", "standing", "fixture", "cricket")))
    if kind == "result":
        return f"{a} {draw(goals)} {b} {draw(goals)}", [a, b]
    if kind == "scorers":
        return f"{a} {draw(goals)} ( Velloso 12th , Brandt 40th ) {b} {draw(goals)} ( Okafor 3rd ) .", [a, b]
    if kind == "standing":
        numbers = " ".join(str(draw(st.integers(0, 99))) for _ in range(draw(st.integers(3, 7))))
        return f"{a} {numbers} .{draw(st.integers(100, 999))} -", [a]
    if kind == "fixture":
        return f"{a} {draw(st.sampled_from(('AT', 'v', 'vs')))} {b}", [a, b]
    return f"{a} {draw(st.integers(100, 450))} , {b} {draw(st.integers(50, 450))}-{draw(st.integers(1, 9))} " \
           f"( M. Velloso 80 not out , T. Brandt 55 ) .", [a, b]


def model_spans(text: str, names: list[str], label: str) -> list[Entity]:
    """Spans the model might give: each name found, with one (wrong) label."""
    out, cursor = [], 0
    for name in names:
        start = text.index(name, cursor)
        out.append(Entity(start, start + len(name), name, label))
        cursor = start + len(name)
    return out


@settings(max_examples=80, deadline=None)
@given(score_line(), st.sampled_from(("GPE", "PERSON", "ORG", None)))
def test_teams_in_score_lines_are_organisations(line, label):
    text, teams = line
    spans = model_spans(text, teams, label) if label else []  # None: the model found no team
    mentions = resolve_article([Sentence(text, 0.0, spans)])
    voted = {m.surface: m.label for m in mentions if m.label}
    for team in teams:
        assert voted.get(team) == "ORG", (text, voted)


PROSE = ["Velkora beat Brastani 2-0 on Sunday .",                          # one name before a score: prose
         "1. Mara Velloso ( Northbridge ) 12.71 seconds",                  # an athlete's result, a time
         "Tomas Brandt ( Lakeside ) 69 70 71",                             # a golfer's rounds: a person
         "The council met at 10 Harbour Street with 45 residents ."]


def test_prose_and_results_of_people_are_left_alone():
    for text in PROSE:
        assert [text[a:b] for a, b in score_slots(text) if text[a:b] != "Tomas Brandt"] == [], text


def test_a_country_in_a_score_line_stays_a_place():
    text = "Portugal 2 Norway 1"
    mentions = resolve_article([Sentence(text, 0.0, model_spans(text, ["Portugal", "Norway"], "PERSON"))])
    assert {m.surface: m.label for m in mentions} == {"Portugal": "GPE", "Norway": "GPE"}


@st.composite
def initialled(draw) -> tuple[str, str]:
    """A line naming someone by initials and surname, as scorecards and wire copy do, and that name."""
    initials = "".join(f"{c}." for c in draw(st.lists(st.sampled_from("ABDGJKMRT"), min_size=1, max_size=2)))
    surname = draw(st.sampled_from(("Velloso", "Brandt", "Okafor", "McAllister", "O'Dowd", "Harwick-Lee")))
    name = f"{initials} {surname}"
    line = draw(st.sampled_from(("{} run out 12", "{} c Brandt b Okafor 45", "Bowling : {} 8-0-39-3",
                                 "The club signed {} on Tuesday .", "( {} 80 not out )")))
    return line.format(name), name


@settings(max_examples=60, deadline=None)
@given(initialled())
def test_initials_and_a_surname_are_a_person(case):
    text, name = case
    mentions = resolve_article([Sentence(text, 0.0, [])])
    assert (name, "PERSON") in {(m.surface, m.label) for m in mentions}, (text, mentions)


def test_abbreviations_and_sentence_ends_are_not_initials():
    for text in ("U.S. Steel raised prices .", "It was World War I. The end came .", "Shares in U.K. Lakeside fell ."):
        assert initial_names(text) == [], text


@st.composite
def dateline(draw) -> tuple[str, list[str]]:
    """A story's first line with its dateline (a fictional town, sometimes with a real country), and the places."""
    town = draw(club())
    town = town.split()[-1]  # a town, not a club
    country = draw(st.sampled_from((None, "Portugal", "Norway", "Kenya")))
    where = f"{town} , {country}" if country else town
    tail = draw(st.sampled_from((" 1996-08-30", " (Reuters) - Mara Velloso said on Tuesday",
                                 " ( AP ) -- The council met")))
    return where + tail, [town] + ([country] if country else [])


@settings(max_examples=60, deadline=None)
@given(dateline(), st.sampled_from(("PERSON", "ORG", None)))
def test_the_places_of_a_dateline_are_places(case, label):
    text, places = case
    spans = model_spans(text, places, label) if label else []
    voted = {m.surface: m.label for m in resolve_article([Sentence(text, 0.0, spans)])}
    for place in places:
        assert voted.get(place) == "GPE", (text, voted)


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(("Portugal", "Norway", "Kenya")),
       st.sampled_from(("Mara Velloso", "Tomas Brandt", "Ines Okafor")), st.sampled_from(("ORG", "PERSON", "GPE")))
def test_a_span_across_a_spaced_dash_is_cut(country, person, label):
    text = f"{country} - {person} ( 12th minute ) ."
    voted = {m.surface: m.label for m in resolve_article([Sentence(text, 0.0, model_spans(text, [text[:-17]], label))])}
    assert voted.get(country) == "GPE" and voted.get(person) == "PERSON", voted


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(("Mara Velloso", "Tomas Brandt", "Ines Okafor", "Jon de Wick")),
       st.sampled_from(("Portugal", "Norway", "Kenya", "New Zealand")), st.sampled_from(("ORG", "GPE", None)),
       st.sampled_from(("1. {} 12.71 seconds", "{} 69 70 71", "{} beat Luka Brandt ( Norway ) 6-4 6-2")))
def test_a_full_name_with_a_country_in_parentheses_is_a_person(person, country, label, line):
    text = line.format(f"{person} ( {country} )")
    spans = model_spans(text, [person], label) if label else []
    voted = {m.surface: m.label for m in resolve_article([Sentence(text, 0.0, spans)])}
    assert voted.get(person) == "PERSON" and voted.get(country) == "GPE", (text, voted)


@settings(max_examples=40, deadline=None)
@given(club(), st.sampled_from(("captain", "coach", "striker", "chairman", "batsman")),
       st.sampled_from(("Mara Velloso", "Tomas Brandt", "Ines Okafor")), st.sampled_from(("PERSON", None)))
def test_the_team_a_person_plays_for_is_an_organisation(team, role, person, label):
    text = f"At the ground , {team} {role} {person} made 80 not out ."
    spans = model_spans(text, [team, person], label) if label else model_spans(text, [person], "PERSON")
    voted = {m.surface: m.label for m in resolve_article([Sentence(text, 0.0, spans)])}
    assert voted.get(team) == "ORG" and voted.get(person) == "PERSON", (text, voted)


@settings(max_examples=40, deadline=None)
@given(score_line(), st.sampled_from(("{} stepped up a gear on Monday .", "Rain stopped {} on the first day .")))
def test_a_team_named_by_a_score_line_is_a_team_in_the_rest_of_the_article(line, prose):
    text, teams = line
    first = prose.format(teams[0])
    sentences = [Sentence(text, 0.0, []), Sentence(first, 0.0, model_spans(first, [teams[0]], "PERSON"))]
    mentions = resolve_article(sentences)
    assert {m.label for m in mentions if m.sentence_id == 1 and m.surface == teams[0]} == {"ORG"}, mentions

