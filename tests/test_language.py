"""Language detection: English wire copy of every shape is analysed, other languages are not.

The English shapes that were dropped (CoNLL-2003 and Reuters-21578): score tables and results lists
(called Portuguese, Polish, Dutch, Italian or Nigerian Pidgin by the classifier), earnings briefs
("Shr 27 cts vs 29 cts", called Pidgin), standings. Generated here with fictional clubs and firms.
"""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.ingest import language

SYLLABLES = ("ba", "hia", "co", "rin", "ti", "ans", "gua", "ra", "ni", "vel", "ko", "sta", "mar", "do", "lu",
             "zan", "pe", "tro", "vi", "la", "nor", "ska", "wro", "cla", "sla", "bre", "mo", "ena")
PREFIXES = ("", "", "Atletico ", "Sporting ", "Real ", "Dynamo ", "FC ", "Olimpia ", "Wisla ", "Slask ")


@st.composite
def club(draw) -> str:
    """A fictional club: one or two made-up words, sometimes after a common club word."""
    words = [draw(st.lists(st.sampled_from(SYLLABLES), min_size=2, max_size=4)) for _ in
             range(draw(st.integers(1, 2)))]
    return draw(st.sampled_from(PREFIXES)) + " ".join("".join(w).capitalize() for w in words)


@st.composite
def results_report(draw) -> str:
    """An English results story as wire copy: headline, dateline, one line of prose, then score lines."""
    league = draw(st.sampled_from(("BRAZILIAN", "POLISH", "DUTCH", "ITALIAN", "SLOVAK", "GERMAN")))
    intro = draw(st.sampled_from((
        f"Results of {league.lower().capitalize()} first division soccer matches on Saturday :",
        "Results of midweek matches in the championship .",
        "Leading results at the grand prix meeting on Friday :")))
    rows = [f"{draw(club())} {draw(st.integers(0, 6))} {draw(club())} {draw(st.integers(0, 6))}"
            for _ in range(draw(st.integers(6, 14)))]
    headline = f"SOCCER - {league} FIRST DIVISION RESULTS ."
    return "\n\n".join([headline, f"{draw(club()).upper()} 1996-08-2{draw(st.integers(0, 9))}", intro, *rows])


NUMBER_WORDS = ("one", "two", "three", "five", "six", "eight", "nine")
MONTHS = ("January", "March", "April", "June", "September", "October")


@st.composite
def earnings_brief(draw) -> str:
    """A wire earnings or dividend brief: abbreviations, figures and a few words, no English function word."""
    def cts() -> str:
        amount = draw(st.one_of(st.integers(1, 90).map(str), st.sampled_from(NUMBER_WORDS)))
        return f"{draw(st.sampled_from(('', 'profit ', 'loss ')))}{amount} cts"

    def figure() -> str:
        sign = draw(st.sampled_from(("", "profit ", "loss ")))
        return f"{sign}{draw(st.integers(1, 999))},{draw(st.integers(100, 999))}"
    date = draw(st.one_of(st.integers(1, 28).map(str), st.sampled_from(NUMBER_WORDS)))
    day = f"{draw(st.sampled_from(MONTHS))} {date}"
    if draw(st.booleans()):
        lines = [f"Qtly div {cts()} vs {cts()}{draw(st.sampled_from(('', ' prior')))}", f"Pay {day}", f"Record {day}"]
    else:
        lines = [f"Shr {cts()} vs {cts()}", f"Net {figure()} vs {figure()}", f"Revs {figure()} vs {figure()}",
                 draw(st.sampled_from(("Six mths", "Nine mths", "12 mths", "1st half"))), f"Shr {cts()} vs {cts()}"]
    return "\n    ".join(lines)


@settings(max_examples=60, deadline=None)
@given(results_report())
def test_score_tables_in_english_reports_are_english(text):
    assert language.is_analysed(language.detect(text)), text


@settings(max_examples=60, deadline=None)
@given(earnings_brief())
def test_earnings_briefs_are_analysed(text):
    assert language.is_analysed(language.detect(text)), text


NOT_ENGLISH = {
    "pt": ("A prefeita Mara Velloso inaugurou na terça-feira uma nova linha de bonde em Northbridge, "
           "prometendo viagens mais curtas e mais empregos para o bairro do porto."),
    "de": ("Die Bürgermeisterin Mara Velloso eröffnete am Dienstag die neue Straßenbahnlinie in Northbridge "
           "und versprach kürzere Wege für die Pendler."),
    "es": ("La alcaldesa Mara Velloso inauguró el martes una nueva línea de tranvía en Northbridge y "
           "prometió más empleos para el barrio del puerto."),
    "ru": ("Мэр Мара Веллосо во вторник открыла новую линию трамвая в Нортбридже и пообещала жителям "  # noqa: RUF001
           "более короткие поездки."),
    "pcm": ("Di mayor Mara Velloso don open di new tram line for Northbridge, she sey dem go get work wey "
            "dey pay well for di pikin dem wey dey di harbour side."),
}


def test_other_languages_stay_other_languages_with_tables_around_them():
    for code, prose in NOT_ENGLISH.items():
        assert language.detect(prose) == code, code
        # the same prose over a results table of fictional clubs is still not English
        table = "\n\n".join(f"Velkora {i} Brastani {i + 1}" for i in range(8))
        assert language.detect(f"{prose}\n\n{table}") == code, code
