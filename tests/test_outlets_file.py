"""data/outlets.toml: groupings read, odd and hostile files refused with the file and the entry, never a crash."""
import tomllib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.read import outlet_groups
from monitor.read.outlet_groups import OutletsError, outlet_key

NAMES = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), NAMES, st.dates())
# What a parsed TOML file may hold anywhere: tables, lists and scalars, nested.
VALUES = st.recursive(SCALARS.filter(lambda v: v is not None),
                      lambda inner: st.lists(inner, max_size=4) | st.dictionaries(NAMES, inner, max_size=4),
                      max_leaves=12)


@given(document=st.dictionaries(st.sampled_from(["groupings", "group", "Groupings", "x"]), VALUES, max_size=3))
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_any_parsed_document_gives_groupings_or_a_clear_error(document):
    try:
        found = outlet_groups.parse(document, "/tmp/o.toml")
    except OutletsError as exc:
        assert str(exc).startswith("/tmp/o.toml: ")
        return
    for name, grouping in found.items():
        assert ":" not in name and grouping.name == name
        keys = [outlet_key(o) for _, outlets in grouping.groups for o in outlets]
        assert len(keys) == len(set(keys)) and all(keys)  # each outlet in one group, once


@given(text=st.text(max_size=200))
@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
def test_any_text_file_loads_or_is_refused_naming_the_file(tmp_path, text):
    path = tmp_path / "outlets.toml"
    path.write_text(text, encoding="utf-8", errors="replace")
    try:
        outlet_groups.load(path)
    except OutletsError as exc:
        assert str(exc).startswith(f"{path}: ")


@pytest.mark.parametrize("text, said", [
    ('[groupings.leaning]\nleft = ["A", 3]\n', "[groupings.leaning] left: entry 2 is a number"),
    ('[groupings.leaning]\nleft = "A"\n', "[groupings.leaning] left must be a list of outlet names, not text"),
    ('[groupings.leaning]\nleft = ["A"]\nright = ["  a "]\n', "'a' is in group 'left' of the same grouping"),
    ('[groupings."lean:ing"]\nleft = ["A"]\n', "cannot hold ':'"),
    ('[groupings.leaning]\nUngrouped = ["A"]\n', "'ungrouped' is the name of the outlets in no group"),
    ('groupings = 3\n', "'groupings' must be a table"),
    ('[groupings]\nleaning = ["A"]\n', "[groupings.leaning] must be a table of groups"),
    ('[outlets]\nleft = ["A"]\n', "unknown entry 'outlets'"),
    ('[groupings.leaning]\ndescription = 5\n', "description must be text"),
    ('[groupings.leaning\n', "not valid TOML"),
    ('[groupings.leaning]\nleft = ["", " "]\n', "entry 1 is text, not an outlet name"),
])
def test_wrong_files_are_refused_naming_the_file_and_the_entry(tmp_path, text, said):
    path = tmp_path / "outlets.toml"
    path.write_text(text)
    with pytest.raises(OutletsError) as caught:
        outlet_groups.load(path)
    assert str(caught.value).startswith(f"{path}: ") and said in str(caught.value)


def test_bytes_that_are_not_utf8_are_refused(tmp_path):
    path = tmp_path / "outlets.toml"
    path.write_bytes(b'[groupings.leaning]\nleft = ["Caf\xe9"]\n')
    with pytest.raises(OutletsError, match="cannot read the outlets file"):
        outlet_groups.load(path)


def test_a_missing_file_is_no_groupings_and_the_variable_points_elsewhere(tmp_path, monkeypatch):
    assert outlet_groups.load(tmp_path / "none.toml") == {}
    other = tmp_path / "mine.toml"
    other.write_text('[groupings.reach]\nnational = ["Lakeside  Ledger", "lakeside ledger"]\nlocal = []\n')
    monkeypatch.setenv("MONITOR_OUTLETS", str(other))
    reach = outlet_groups.load()["reach"]
    assert reach.groups == (("national", ("Lakeside Ledger",)), ("local", ()))
    assert reach.members("national") == ("lakeside ledger",)


@given(spaces=st.lists(st.sampled_from([" ", "  ", "\t", "\u00a0"]), min_size=2, max_size=2),
       case=st.sampled_from([str.upper, str.lower, str.title, str]))
def test_outlet_names_match_whatever_the_case_and_spaces(spaces, case):
    written = case(f"{spaces[0]}The{spaces[1]}Northbridge Courier ")
    assert outlet_key(written) == outlet_key("The Northbridge Courier")


def test_the_shipped_example_is_valid_toml_and_every_example_in_it_loads():
    shipped = outlet_groups.settings_path("outlets", None).read_text()
    assert outlet_groups.parse(tomllib.loads(shipped), "shipped") == {}  # all commented out: no groupings
    examples = shipped.split("Uncomment and edit, e.g.:", 1)[1]
    uncommented = "\n".join(line.removeprefix("#").removeprefix(" ") for line in examples.splitlines())
    assert set(outlet_groups.parse(tomllib.loads(uncommented), "example")) == {"leaning", "reach", "kind"}
