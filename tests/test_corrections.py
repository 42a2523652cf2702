"""The analyst corrects the names: merge, split, rename, drop — written to the watchlist, applied to the store.

Fictional people and outlets only. The watchlist round-trips with its comments (hypothesis over entry sets);
each correction's effect on the entity map and the mentions; the same correction twice; undo; a file edited
by hand meanwhile is kept; a broken file is refused; the CLI; the dashboard's panel (AppTest).
"""
from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
import tomlkit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.cli import main
from monitor.ingest import corrections as cr
from monitor.ingest import watchlist_file as wf
from monitor.ingest.corrections import Correction
from monitor.ingest.pipeline import refresh_entities
from monitor.ingest.watchlist import Watchlist, WatchlistError
from monitor.read import frames
from monitor.store import Store
from tests.spans import store_with

# Each article names these (name, label) pairs; "Replay More Videos" is page furniture the model took for a person.
NAMES = [("Mara Velloso", "PERSON"), ("Velloso", "PERSON"), ("Tomas Brandt", "PERSON"), ("Brandt", "PERSON"),
         ("Mara Veloso", "PERSON"), ("Replay More Videos", "PERSON"), ("Ines Okafor", "PERSON")]
HAND = ('# my watchlist: kept as I wrote it\n[entities."Ines Okafor"]\ntype = "person"  # pinned by hand\n'
        'aliases = ["I. Okafor"]\n\n# --- outlets ---\n[ignore]\nnames = ["Lakeside Photo"]  # credits\n')


def write_store(path: Path, articles: int = 6) -> Store:
    """Return a store at `path` of `articles` fictional articles, each naming NAMES once per sentence, resolved."""
    store = store_with([(f"fic-{i}", f"2031-03-{i + 1:02d}", "Northbridge Courier", NAMES) for i in range(articles)],
                       str(path))
    refresh_entities(store, Watchlist())
    return store


@pytest.fixture
def setup(tmp_path):
    """Return (store, watchlist path holding HAND)."""
    path = tmp_path / "watchlist.toml"
    path.write_text(HAND, encoding="utf-8")
    store = write_store(tmp_path / "fic.duckdb")
    refresh_entities(store, Watchlist.load(path))
    return store, path


def counted(store: Store) -> dict[str, int]:
    """Return entity -> mentions in the public mentions frame."""
    sizes = frames.mentions(store, frames.Filters()).groupby("entity").size()
    return {str(e): int(n) for e, n in sizes.items()}


def surfaces(store: Store, entity: str) -> set[str]:
    """Return the surfaces the mentions frame counts under `entity`."""
    m = frames.mentions(store, frames.Filters())
    return set(m.loc[m["entity"] == entity, "surface"])


# ---- each correction's effect on the store ---------------------------------------------------------------
def test_merge_moves_the_variant_and_its_mentions(setup):
    store, path = setup
    assert counted(store)["Mara Veloso"] == 6
    done = cr.apply(store, Correction("merge", "Mara Veloso", "Mara Velloso"), path)
    assert done.changed and done.moves.to_dict("records") == [
        {"from_entity": "Mara Veloso", "to_entity": "Mara Velloso", "names": 1, "mentions": 6}]
    after = counted(store)
    assert "Mara Veloso" not in after and after["Mara Velloso"] == 18  # 6 x (full name, surname, variant)
    assert "Mara Veloso" in Watchlist.load(path).canonical.values() or \
        Watchlist.load(path).canonical_for("Mara Veloso") == "Mara Velloso"


def test_split_takes_the_spelling_out_and_leaves_the_rest(setup):
    store, path = setup
    assert surfaces(store, "Mara Velloso") == {"Mara Velloso", "Velloso"}
    cr.apply(store, Correction("split", "Velloso"), path)
    assert surfaces(store, "Mara Velloso") == {"Mara Velloso"} and surfaces(store, "Velloso") == {"Velloso"}
    cr.apply(store, Correction("split", "Brandt", "Brandt Holdings"), path)  # into another named entity
    assert surfaces(store, "Brandt Holdings") == {"Brandt"} and surfaces(store, "Tomas Brandt") == {"Tomas Brandt"}


def test_rename_keeps_every_spelling_under_the_new_name(setup):
    store, path = setup
    cr.apply(store, Correction("rename", "Tomas Brandt", "Tomás Brandt-Ruiz"), path)
    assert surfaces(store, "Tomás Brandt-Ruiz") == {"Tomas Brandt", "Brandt"} and "Tomas Brandt" not in counted(store)
    cr.apply(store, Correction("rename", "Ines Okafor", "Ines Okafor-Lund"), path)  # an entry of the user's
    loaded = Watchlist.load(path)
    assert loaded.types.get("Ines Okafor-Lund") == "person" and loaded.canonical_for("I. Okafor") == "Ines Okafor-Lund"
    assert "pinned by hand" in path.read_text()


def test_drop_removes_a_junk_name_from_the_mentions(setup):
    store, path = setup
    cr.apply(store, Correction("drop", "Replay More Videos"), path)
    assert "Replay More Videos" not in counted(store)
    assert Watchlist.load(path).is_ignored("replay more videos")


@pytest.mark.parametrize("correction", [
    Correction("merge", "Mara Veloso", "Mara Velloso"), Correction("merge", "Tomas Brandt", "Ines Okafor"),
    Correction("split", "Velloso"), Correction("split", "Brandt", "Brandt Holdings"),
    Correction("rename", "Tomas Brandt", "Tom Brandt"), Correction("rename", "Ines Okafor", "Ines O. Lund"),
    Correction("drop", "Replay More Videos"), Correction("drop", "Mara Velloso")], ids=cr.describe)
def test_the_same_correction_twice_changes_nothing_and_undo_restores(setup, correction):
    store, path = setup
    before_counts, before_text = counted(store), path.read_text()
    first = cr.apply(store, correction, path)
    text, counts = path.read_text(), counted(store)
    assert first.changed and text != before_text and counts != before_counts
    again = cr.apply(store, correction, path)
    assert not again.changed and path.read_text() == text and counted(store) == counts
    cr.apply(store, first.correction, path, undoing=True)
    assert tomllib.loads(path.read_text()) == tomllib.loads(before_text)
    assert "my watchlist: kept as I wrote it" in path.read_text()
    assert counted(store) == before_counts


def test_preview_says_what_apply_does_and_writes_nothing(setup):
    store, path = setup
    text, version = path.read_text(), store.version()
    seen = cr.preview(store, Correction("merge", "Mara Veloso", "Mara Velloso"), path)
    assert path.read_text() == text and store.version() == version
    assert seen.moves.equals(cr.apply(store, Correction("merge", "Mara Veloso", "Mara Velloso"), path).moves)


@pytest.mark.parametrize("correction, said", [
    (Correction("merge", "Nobody Here", "Mara Velloso"), "not a name the store counts"),
    (Correction("merge", "Mara Velloso", "mara  velloso"), "same name"),
    (Correction("rename", "Mara Velloso", ""), "new name"),
    (Correction("undo-everything", "Mara Velloso"), "unknown correction")])
def test_a_correction_that_cannot_be_made_says_why_and_changes_nothing(setup, correction, said):
    store, path = setup
    text = path.read_text()
    with pytest.raises(cr.CorrectionError, match=said):
        cr.apply(store, correction, path)
    assert path.read_text() == text


# ---- the file: never clobbered, never broken ------------------------------------------------------------
def test_a_hand_edit_made_meanwhile_is_kept(setup, monkeypatch):
    store, path = setup
    real = wf.read_text
    calls = {"n": 0}

    def hand_edit_after_first_read(p):  # the analyst saves the file while the correction is being made
        calls["n"] += 1
        if calls["n"] == 2:
            p.write_text(real(p) + '\n[entities."Lio Marsh"]\naliases = ["Marsh"]\n', encoding="utf-8")
        return real(p)

    monkeypatch.setattr(wf, "read_text", hand_edit_after_first_read)
    cr.apply(store, Correction("merge", "Mara Veloso", "Mara Velloso"), path)
    loaded = Watchlist.load(path)
    assert loaded.canonical_for("Marsh") == "Lio Marsh" and loaded.canonical_for("Mara Veloso") == "Mara Velloso"


@pytest.mark.parametrize("broken", ['[entities."Mara Velloso"\naliases = [', '[entities."X"]\naliases = "X Y"\n',
                                    '[entities."X"]\ntype = "planet"\n'])
def test_a_broken_watchlist_is_refused_and_left_alone(setup, broken):
    store, path = setup
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(WatchlistError, match=str(path)):
        cr.apply(store, Correction("drop", "Replay More Videos"), path)
    assert path.read_text() == broken


PEOPLE = st.lists(st.tuples(st.sampled_from(["Ada", "Bruno", "Cleo", "D'Arcy", "Zoë", "Fynn"]),
                            st.sampled_from(["Quill", "Roan", "Ångström", "Tarn", "Nguyễn", "Voss-Lind"])),
                  min_size=2, max_size=6, unique=True).map(lambda ps: [f"{a} {b}" for a, b in ps])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(people=PEOPLE, comment=st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=30),
       kind=st.sampled_from(["merge", "split", "split-into", "rename", "drop"]), data=st.data())
def test_watchlist_edits_keep_comments_and_other_entries_and_undo_exactly(people, comment, kind, data):
    """Any set of entries with comments: a correction keeps every comment and every other entry; its undo gives
    back the same entries."""
    text = f"# top: {comment}\n" + "".join(
        f'[entities."{p}"]\n# about {p}: {comment}\ntype = "person"  # {comment}\naliases = ["{p.split()[1]} {i}"]\n\n'
        for i, p in enumerate(people[1:])) + f'[ignore]\nnames = ["Photo Desk"]  # {comment}\n'
    doc = tomlkit.parse(text)
    a, b = people[0], data.draw(st.sampled_from(people[1:]))
    c = {"merge": Correction("merge", a, b), "split": Correction("split", f"{a} Jr", origin=b),
         "split-into": Correction("split", f"{a} Jr", b, origin=b), "rename": Correction("rename", b, a),
         "drop": Correction("drop", a, spellings=(a, a.split()[1]))}[kind]
    cr.edit(doc, c)
    edited = tomlkit.dumps(doc)
    assert all(line in edited for line in text.splitlines() if line.lstrip().startswith("#"))
    Watchlist.from_dict(tomllib.loads(edited))  # what is written loads
    others = {k: v for k, v in tomllib.loads(text)["entities"].items() if k not in (b,)}
    assert all(tomllib.loads(edited)["entities"].get(k) == v for k, v in others.items())
    again = tomlkit.parse(edited)
    cr.edit(again, c)
    assert tomlkit.dumps(again) == edited  # idempotent
    cr.undo(again, c)
    assert tomllib.loads(tomlkit.dumps(again)) == tomllib.loads(text)


# ---- the command line ------------------------------------------------------------------------------------
def test_cli_names_merge_dry_run_undo(setup, capsys):
    store, path = setup
    args = ["names", "merge", "Mara Veloso", "Mara Velloso", "--store", store.path, "--watchlist", str(path)]
    text = path.read_text()
    assert main([*args, "--dry-run"]) == 0 and path.read_text() == text
    assert "Mara Veloso -> Mara Velloso: 6 mentions" in capsys.readouterr().err
    assert main(args) == 0 and "Mara Veloso" not in counted(Store(store.path, read_only=True))
    assert main([*args, "--undo"]) == 0 and tomllib.loads(path.read_text()) == tomllib.loads(text)
    assert [line for line in path.read_text().splitlines() if line] == [line for line in text.splitlines() if line]
    assert main(["names", "drop", "Nobody Here", "--store", store.path, "--watchlist", str(path)]) == 0
    assert main(["names", "merge", "Nobody Here", "Mara Velloso", "--store", store.path,
                 "--watchlist", str(path)]) == 2
    assert "not a name the store counts" in capsys.readouterr().err


# ---- the dashboard's panel -------------------------------------------------------------------------------
def test_panel_previews_then_applies_a_merge(setup, app, monkeypatch):
    store, path = setup
    monkeypatch.setenv("MONITOR_WATCHLIST", str(path))
    at = app(store.path)
    assert not at.exception
    at.radio(key="fix_kind").set_value("merge").run()
    at.selectbox(key="fix_name").set_value("Mara Veloso").run()
    at.selectbox(key="fix_into").set_value("Mara Velloso").run()
    assert not at.exception
    assert any("6 mentions change entity" in c.value for c in at.caption), [c.value for c in at.caption]
    assert "Mara Veloso" in Store(store.path, read_only=True).query("SELECT entity FROM mentions")["entity"].tolist()
    at.button(key="fix_apply").click().run()
    assert not at.exception and any("watchlist written" in s.value for s in at.success)
    assert "Mara Veloso" not in counted(Store(store.path, read_only=True))
    assert Watchlist.load(path).canonical_for("Mara Veloso") == "Mara Velloso"
    at.button(key="fix_undo").click().run()
    assert not at.exception and "Mara Veloso" in counted(Store(store.path, read_only=True))


def test_panel_says_why_on_a_broken_watchlist(setup, app, monkeypatch):
    store, path = setup
    path.write_text('[entities."X"]\ntype = "planet"\n', encoding="utf-8")
    monkeypatch.setenv("MONITOR_WATCHLIST", str(path))
    at = app(store.path)
    at.radio(key="fix_kind").set_value("drop").run()
    at.selectbox(key="fix_name").set_value("Replay More Videos").run()
    assert not at.exception and any("planet" in e.value for e in at.error)
    assert not [b for b in at.button if b.key == "fix_apply"]


# ---- a busy store: said, and nothing changed -------------------------------------------------------------
# Takes the store's lock as soon as it is free (the page may be reading it), says so, keeps it until stdin closes.
HOLD = """
import duckdb, sys, time
deadline = time.monotonic() + 120
while True:
    try:
        con = duckdb.connect(sys.argv[1])
        break
    except duckdb.Error:
        if time.monotonic() > deadline:
            raise
        time.sleep(0.05)  # polling for the lock, as Store does
print('held', flush=True)
sys.stdin.readline()
"""


@pytest.fixture
def hold(setup):
    """Return hold(): the store held writable by another process from then until release() (or the test's end)."""
    import subprocess
    import sys

    store, _ = setup
    procs: list[subprocess.Popen] = []

    def release() -> None:
        for proc in procs:
            if proc.poll() is None:
                assert proc.stdin is not None
                proc.stdin.close()
                proc.wait(timeout=60)

    def start() -> Callable[[], None]:
        proc = subprocess.Popen([sys.executable, "-c", HOLD, store.path], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, text=True)
        procs.append(proc)
        assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
        return release

    yield start
    release()


def test_cli_on_a_busy_store_exits_4_and_leaves_the_watchlist(setup, hold, monkeypatch, capsys):
    import monitor.locking

    store, path = setup
    monkeypatch.setattr(monitor.locking, "LOCK_WAIT_SECONDS", 0.5)  # the wait before "busy": short, not a timing
    text = path.read_text()
    hold()
    assert main(["names", "drop", "Replay More Videos", "--store", store.path, "--watchlist", str(path)]) == 4
    assert "try again later" in capsys.readouterr().err
    assert path.read_text() == text


def test_panel_on_a_store_busy_when_applying_says_so(setup, hold, app, monkeypatch):
    import sys

    import dashboard_corrections
    import monitor.locking

    store, path = setup
    monkeypatch.setenv("MONITOR_WATCHLIST", str(path))
    monkeypatch.setattr(monitor.locking, "LOCK_WAIT_SECONDS", 0.5)  # the page's own reads, while held
    real = dashboard_corrections._command
    releases: list[Callable[[], None]] = []

    def held_then_short_wait(*args, **kwargs):
        """An ingest takes the store once the page has read it, before the correction is applied; the real
        command then waits a short while before "busy"."""
        releases.append(hold())
        words = real(*args, **kwargs)[3:]
        return [sys.executable, "-c", "import sys, monitor.locking as l; l.LOCK_WAIT_SECONDS = 0.5; "
                                      f"from monitor.cli import main; sys.exit(main({words!r}))"]

    monkeypatch.setattr(dashboard_corrections, "_command", held_then_short_wait)
    text = path.read_text()
    at = app(store.path)
    at.radio(key="fix_kind").set_value("drop").run()
    at.selectbox(key="fix_name").set_value("Replay More Videos").run()
    at.button(key="fix_apply").click().run()  # the page's rerun then finds the store busy too, and says so
    releases.pop()()
    at.run()
    assert not at.exception
    said = [e.value for e in [*at.warning, *at.error, *at.success]]
    assert any("The store is busy" in w.value and "nothing was changed" in w.value for w in at.warning), said
    assert path.read_text() == text


@pytest.mark.parametrize("odd", ['Dana "DJ" Holt', "Back\\slash Quill", "Tab\tQuill", "Ines [Okafor]", "#Quill = 1"])
def test_names_toml_must_escape_are_written_and_read_back(tmp_path, odd):
    """A name with quotes, a backslash, brackets or a hash is an entity name, an alias and an ignored name."""
    path = tmp_path / "watchlist.toml"
    path.write_text(HAND, encoding="utf-8")
    for c in (Correction("merge", odd, "Mara Velloso"), Correction("split", "Velloso", odd, origin="Mara Velloso"),
              Correction("drop", odd, spellings=(odd,))):
        assert wf.update(path, lambda doc, c=c: cr.edit(doc, c))
        loaded = Watchlist.load(path)
        assert loaded.canonical_for(odd) in ("Mara Velloso", " ".join(odd.split())) or loaded.is_ignored(odd)
        assert wf.update(path, lambda doc, c=c: cr.undo(doc, c))
        assert tomllib.loads(path.read_text()) == tomllib.loads(HAND)
