"""How names are cleaned, compared and judged person-shaped."""
import pytest

from monitor.ingest.names import (
    clean_name,
    is_org_like,
    is_person_shaped,
    name_key,
    strip_titles,
)


@pytest.mark.parametrize("raw, clean", [
    ("Trump\u2019s", "Trump"), ("Harris\u2019", "Harris"), ("Mara Velloso's", "Mara Velloso"),
    ("the White House", "White House"), ("\u201cBrandt\u201d", "Brandt"), ("President Joe Biden", "Joe Biden"),
    ("Mayor Mara  Velloso", "Mara Velloso"), ("Donald J. Trump", "Donald J. Trump"),
])
def test_clean_name_tidies(raw, clean):
    assert clean_name(raw) == clean


@pytest.mark.parametrize("raw", ["X. He", "Dan Kitwood/Getty Images", "x.com", "@KamalaHQ", "monday",
                                 "Monday", "the economy", "a", "https://example.org"])
def test_clean_name_rejects_non_names(raw):
    assert clean_name(raw) is None


def test_name_key_ignores_case_periods_and_middle_initials():
    assert name_key("Donald J. Trump") == name_key("DONALD TRUMP") == "donald trump"
    assert name_key("U.S.") == name_key("US")
    assert name_key("Mara Velloso") != name_key("Mara Vellosa")


@pytest.mark.parametrize("name, person", [
    ("Mara Velloso", True), ("Velloso", True), ("Ludwig van Beethoven", True), ("J.K. Rowling", True),
    ("O\u2019Neil", True), ("Jean-Luc Brandt", True), ("Getty Images", False), ("Truth Social", False),
    ("Kamala HQ", False), ("DDOS", False), ("Route 66", False), ("Northbridge Courier", False),
])
def test_person_shape(name, person):
    assert is_person_shaped(name) is person


def test_org_words_and_titles():
    assert is_org_like("Northbridge Transit Authority") and not is_org_like("Tomas Brandt")
    assert strip_titles("Senator Tomas Brandt") == "Tomas Brandt"
    assert strip_titles("President") == "President"
