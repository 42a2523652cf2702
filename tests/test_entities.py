"""Name-variant resolution, label repair and credit removal, on hand-built spans (no model)."""
import re

import pandas as pd
import pytest

from monitor.ingest.credits import credit_regions
from monitor.ingest.entities import (
    link_within,
    resolve_article,
)
from monitor.ingest.entity_map import build_entity_map
from monitor.ingest.names import clean_name
from monitor.ingest.watchlist import Watchlist
from tests.spans import sentence

ARTICLE = [
    sentence("Mayor Mara Velloso opened the Northbridge depot on Tuesday.", ("Mara Velloso", "PERSON"),
             ("Northbridge", "GPE")),
    sentence("Velloso's critics, led by Tomas Brandt, called it reckless.", ("Velloso's", "ORG"),
             ("Tomas Brandt", "PERSON")),
    sentence("Brandt said Mara had ignored the council.", ("Brandt", "PERSON"), ("Mara", "GPE")),
    sentence("Later Velloso and Brandt met again.", ("Brandt", "PERSON")),  # the model missed Velloso
    sentence("The ceremony drew crowds. (Ines Okafor/Lumen Pictures)", ("Ines Okafor/Lumen Pictures", "PERSON")),
]


def resolved(sentences, watchlist=None):
    return [(m.sentence_id, m.surface, m.name, m.origin) for m in resolve_article(sentences, watchlist)]


def test_surname_and_first_name_link_to_full_name_in_article():
    names = {(sid, surface): name for sid, surface, name, _ in resolved(ARTICLE)}
    assert names[(1, "Velloso")] == "Mara Velloso"      # possessive stripped, ORG label overruled by linking
    assert names[(2, "Mara")] == "Mara Velloso"         # first name alone
    assert names[(2, "Brandt")] == "Tomas Brandt"


def test_missed_mentions_are_found_again_and_do_not_vote():
    rows = resolve_article(ARTICLE, Watchlist())
    again = [m for m in rows if m.sentence_id == 3 and m.name == "Mara Velloso"]
    assert len(again) == 1 and again[0].origin == "propagated" and again[0].label == ""


def test_photo_credit_is_not_a_mention():
    assert not [r for r in resolved(ARTICLE) if "Okafor" in r[1]]
    text = "The crowd cheered. (Ines Okafor/Lumen Pictures)"
    (start, end), = credit_regions(text)
    assert text[start:end] == "(Ines Okafor/Lumen Pictures)"


def test_bylines_embeds_and_reporting_lines_are_credits():
    assert credit_regions("By Ines Okafor and Pavel Ruiz") == [(0, 29)]
    embed = "Our statement pic.twitter.com/abc — Velloso HQ (@VellosoHQ) May 2, 2031"
    spans = [embed[a:b] for a, b in credit_regions(embed)]
    assert any("Velloso HQ (@VellosoHQ)" in s for s in spans) and any(s.startswith("pic.twitter") for s in spans)
    assert credit_regions("Reporting by Pavel Ruiz; Editing by Ines Okafor")
    assert credit_regions("By the way, Brandt disagreed.") == []


def test_ambiguous_surname_is_left_alone():
    article = [
        sentence("Ana Brandt and Tomas Brandt both spoke.", ("Ana Brandt", "PERSON"), ("Tomas Brandt", "PERSON")),
        sentence("Brandt left early.", ("Brandt", "PERSON")),
    ]
    assert link_within(resolve_article(article)) == {}
    assert [r[2] for r in resolved(article) if r[0] == 1] == ["Brandt"]


def stats(rows):
    return pd.DataFrame(rows, columns=["name", "label", "n"])


def test_label_majority_and_corpus_linking():
    frame = build_entity_map(stats([
        ("Tomas Brandt", "PERSON", 4), ("Brandt", "ORG", 3), ("Brandt", "PERSON", 3),
        ("Northbridge", "GPE", 5), ("Northbridge", "PERSON", 1), ("Washington", "GPE", 9),
        ("Ellen Washington", "PERSON", 1),
    ]))
    m = {n: (e, t) for n, _, e, t in frame.itertuples(index=False)}
    assert m["Brandt"] == ("Tomas Brandt", "person")       # lone surname -> corpus's full name
    assert m["Northbridge"] == ("Northbridge", "place")    # majority of labels
    assert m["Washington"] == ("Washington", "place")      # a place is not linked to a person


def test_corpus_link_needs_a_dominant_full_name():
    frame = build_entity_map(stats([("Ana Brandt", "PERSON", 3), ("Tomas Brandt", "PERSON", 2),
                                    ("Brandt", "PERSON", 4)]))
    assert dict(zip(frame.name, frame.entity, strict=False))["Brandt"] == "Brandt"


def test_watchlist_pins_names_types_groups_and_ignores():
    wl = Watchlist.from_dict({
        "entities": {"Pulse": {"type": "org", "aliases": ["Chirper", "Pulse Corp"]},
                     "Tomas Brandt": {"aliases": ["T. Brandt"]}},
        "ignore": {"names": ["Lumen Pictures"]},
    })
    frame = build_entity_map(stats([("Chirper", "PERSON", 2), ("Pulse", "ORG", 1), ("T. Brandt", "PERSON", 1),
                                    ("Lumen Pictures", "ORG", 1)]), wl)
    m = {n: (e, t) for n, _, e, t in frame.itertuples(index=False)}
    assert m["Chirper"] == ("Pulse", "org") and m["Pulse"] == ("Pulse", "org")
    assert m["T. Brandt"][0] == "Tomas Brandt"
    assert "Lumen Pictures" not in m


def test_watchlist_terms_are_searched_in_text():
    wl = Watchlist.from_dict({"entities": {"Pulse": {"type": "org", "aliases": ["Chirper"]}}})
    rows = resolve_article([sentence("She posted on Chirper twice.")], wl)
    assert [(m.name, m.origin) for m in rows] == [("Chirper", "watchlist")]


def test_resolution_does_not_depend_on_mention_order():
    shuffled = list(reversed(ARTICLE))
    forward = {(s, n) for _, s, n, _ in resolved(ARTICLE)}
    backward = {(s, n) for _, s, n, _ in resolved(shuffled)}
    assert forward == backward


def test_hyphenated_pairs_count_both_people():
    article = [
        sentence("Mara Velloso met Tomas Brandt.", ("Mara Velloso", "PERSON"), ("Tomas Brandt", "PERSON")),
        sentence("The Velloso-Brandt meeting ran long."),
    ]
    names = sorted(m.name for m in resolve_article(article) if m.sentence_id == 1)
    assert names == ["Mara Velloso", "Tomas Brandt"]
    assert re.search("Velloso", article[1].text)


@pytest.mark.parametrize("short", ["Holt Jr.", "Marcus Jr.", "Holt Jr"])
@pytest.mark.parametrize("order", [0, 1])
def test_a_suffixed_short_form_links_in_its_article_to_the_son_not_the_father(short, order):
    suffix = short.split()[-1]
    people = [sentence(f"Marcus Holt spoke, then Marcus Holt {suffix} did.", ("Marcus Holt", "PERSON"),
                       (f"Marcus Holt {suffix}", "PERSON")),
              sentence("Marcus Holt left.", ("Marcus Holt", "PERSON"))]
    probe = sentence(f"Later {short} smiled.", (short, "PERSON"))
    article = [*people, probe] if order else [probe, *people]
    # (a span's final period is edge punctuation to clean_name: "Holt Jr." is stored as "Holt Jr")
    names = {name for _, surface, name, _ in resolved(article) if surface == short.rstrip(".")}
    assert names == {f"Marcus Holt {suffix}".rstrip(".")}


@pytest.mark.parametrize("initials", ["W.", "H. W."])
def test_a_surname_links_to_the_one_person_whose_name_the_article_writes_with_and_without_initials(initials):
    article = [sentence(f"George {initials} Varga arrived.", (f"George {initials} Varga", "PERSON")),
               sentence("George Varga waved.", ("George Varga", "PERSON")),
               sentence("Varga left.", ("Varga", "PERSON"))]
    names = {name for _, surface, name, _ in resolved(article) if surface == "Varga"}
    assert names <= {"George Varga", f"George {initials} Varga"} and len(names) == 1
    other = "P." if initials == "W." else "W."  # a second set of initials: two men, "Varga" is either
    article.insert(1, sentence(f"George {other} Varga replied.", (f"George {other} Varga", "PERSON")))
    assert {name for _, surface, name, _ in resolved(article) if surface == "Varga"} == {"Varga"}


@pytest.mark.parametrize("title", ["Ayatollah", "Hojatoleslam", "Sheikh", "Cardinal", "Rabbi", "Imam", "Pres.",
                                   "Lt.", "Col.", "Capt.", "Sgt."])
def test_a_religious_or_rank_title_is_not_part_of_the_name(title):
    assert clean_name(f"{title} Ines Okafor") == "Ines Okafor"


@pytest.mark.parametrize("line", ["NPR's Ines Okafor contributed to this report.",
                                  "Tomas Brandt and Ines Okafor contributed reporting from Lagos.",
                                  "Ines Okafor in Lagos contributed to this story."])
def test_a_contributed_line_is_a_credit_not_a_mention(line):
    assert credit_regions(line) and credit_regions(line)[0][0] == 0
    assert not credit_regions("Ines Okafor said she contributed to the fund.")


@pytest.mark.parametrize("full, short", [("Barend de Wit", "De Wit"), ("Barend de Wit", "de Wit"),
                                         ("Javier Perez de Vallo", "Perez de Vallo"),
                                         ("Karel van der Berg", "Van der Berg"), ("Ana dos Santos", "Dos Santos")])
def test_a_surname_with_its_particle_links_to_the_full_name(full, short):
    article = [sentence(f"Minister {full} spoke in Northbridge.", (full, "PERSON")),
               sentence(f"Later {short} said rates would fall.", (short, "PERSON"))]
    assert {m.surface: m.name for m in resolve_article(article)}[short] == full


def test_a_particle_surname_shared_by_two_full_names_is_left_alone():
    article = [sentence("Barend de Wit and Ilse de Wit met.", ("Barend de Wit", "PERSON"), ("Ilse de Wit", "PERSON")),
               sentence("De Wit said no.", ("De Wit", "PERSON"))]
    assert {m.surface: m.name for m in resolve_article(article)}["De Wit"] == "De Wit"
