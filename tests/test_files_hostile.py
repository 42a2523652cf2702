"""A folder's walk stays inside the folder, and every entry is either read or reported.

Links inside an article folder pointing outside it (/etc/passwd, /proc/self/environ, another
user's files), links that dangle or loop, links to folders, pipes and devices, hidden files, and
files or folders swapped for links between the walk listing them and the reader opening them.
A hypothesis strategy builds folder trees of all of these and checks the two rules on each.
People and outlets in the fixtures are fictional.
"""
from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import monitor.ingest.sources.registry as registry
from monitor.cli import _parser
from monitor.ingest.pipeline import ingest
from monitor.ingest.sources import RawArticle, Skipped, read_paths
from monitor.ingest.watchlist import Watchlist
from monitor.store import Store

BODY = ("Mara Velloso, the mayor of Northbridge, opened a new tram line on Tuesday. "
        "Her rival Tomas Brandt called it a waste of money.")
SECRET = "lakeside-vault-5521"  # only in files outside the folder the user names


def read_all(*paths: Path, follow: bool = False) -> list[RawArticle | Skipped]:
    """Return everything read from ``paths``, failing (not hanging) if the reading never ends."""
    got: list[RawArticle | Skipped] = []
    failed: list[BaseException] = []
    done = threading.Event()

    def run() -> None:
        try:
            got.extend(read_paths(list(paths), follow_symlinks=follow))
        except BaseException as exc:  # handed to the test: reading must never raise
            failed.append(exc)
        done.set()

    threading.Thread(target=run, daemon=True).start()
    # Generous: a few files take milliseconds; only a read that blocks for ever (a pipe) gets here.
    assert done.wait(120), "reading the folder never ended (a pipe or device was opened?)"
    if failed:
        raise failed[0]
    return got


def by_path(items: list[RawArticle | Skipped]) -> dict[str, RawArticle | Skipped]:
    """Return the items keyed by path (each path once)."""
    keyed = {item.path: item for item in items}
    assert len(keyed) == len(items), items
    return keyed


@pytest.fixture
def layout(tmp_path: Path) -> tuple[Path, Path]:
    """Return (the named folder holding one good article, a folder outside it holding a secret)."""
    inside, outside = tmp_path / "articles", tmp_path / "private"
    inside.mkdir()
    outside.mkdir()
    (inside / "good.txt").write_text(f"title: Tram\n{BODY}\n")
    (outside / "secret.txt").write_text(f"Secret note {SECRET} about the harbour fund. {BODY}\n")
    (outside / "sub").mkdir()
    (outside / "sub" / "deep.txt").write_text(f"Deep secret {SECRET}. {BODY}\n")
    return inside, outside


def leaked(items: list[RawArticle | Skipped]) -> list[str]:
    """Return the paths of articles that hold text from outside the folder, or from /etc and /proc."""
    return [i.path for i in items if isinstance(i, RawArticle) and (SECRET in i.text or "root:" in i.text
                                                                     or "PATH=" in i.text)]


# --------------------------------------------------------------------------- named cases

def test_links_out_of_the_folder_are_reported_not_read(layout: tuple[Path, Path]) -> None:
    inside, outside = layout
    (inside / "passwd.txt").symlink_to("/etc/passwd")
    (inside / "environ.txt").symlink_to("/proc/self/environ")
    (inside / "secret.txt").symlink_to(outside / "secret.txt")
    (inside / "relative.txt").symlink_to("../private/secret.txt")
    items = read_all(inside)
    assert leaked(items) == []
    got = by_path(items)
    assert isinstance(got[str(inside / "good.txt")], RawArticle)
    assert got[str(inside / "passwd.txt")] == Skipped(
        str(inside / "passwd.txt"), f"symbolic link to /etc/passwd, outside the folder {inside}/; "
                                    "--follow-symlinks reads it")
    for name in ("secret.txt", "relative.txt"):
        reason = got[str(inside / name)].reason
        assert reason == f"symbolic link to {outside / 'secret.txt'}, outside the folder {inside}/; " \
                         "--follow-symlinks reads it"
    environ = got[str(inside / "environ.txt")].reason
    assert environ.startswith("symbolic link to /proc/") and "outside the folder" in environ


def test_follow_symlinks_reads_outside_files_but_never_proc_devices_or_pipes(layout: tuple[Path, Path]) -> None:
    inside, outside = layout
    (inside / "secret.txt").symlink_to(outside / "secret.txt")
    (inside / "environ.txt").symlink_to("/proc/self/environ")
    (inside / "zero.txt").symlink_to("/dev/zero")
    os.mkfifo(outside / "pipe.txt")
    (inside / "pipe.txt").symlink_to(outside / "pipe.txt")
    (inside / "elsewhere").symlink_to(outside / "sub")
    got = by_path(read_all(inside, follow=True))
    assert SECRET in got[str(inside / "secret.txt")].text
    assert SECRET in got[str(inside / "elsewhere" / "deep.txt")].text
    assert "/proc pseudo-filesystem" in got[str(inside / "environ.txt")].reason
    for name in ("zero.txt", "pipe.txt"):
        assert got[str(inside / name)].reason.endswith("not a regular file (a pipe, socket or device)"), name


def test_follow_symlinks_is_an_ingest_option() -> None:
    args = _parser().parse_args(["ingest", "articles", "--follow-symlinks"])
    assert args.follow_symlinks is True
    assert _parser().parse_args(["ingest", "articles"]).follow_symlinks is False


def test_broken_links_each_get_their_reason(layout: tuple[Path, Path]) -> None:
    inside, outside = layout
    (inside / "dangling.txt").symlink_to(inside / "gone.txt")
    (inside / "loop-a.txt").symlink_to(inside / "loop-b.txt")
    (inside / "loop-b.txt").symlink_to(inside / "loop-a.txt")
    (inside / "null.txt").symlink_to("/dev/null")
    (inside / "up").symlink_to(inside)
    (inside / "out").symlink_to(outside)
    os.mkfifo(inside / "fifo.txt")
    (inside / "fifo-link.txt").symlink_to(inside / "fifo.txt")
    got = by_path(read_all(inside))
    reasons = {Path(path).name: item.reason for path, item in got.items() if isinstance(item, Skipped)}
    assert reasons == {
        "dangling.txt": f"symbolic link to {inside / 'gone.txt'}, which does not exist",
        "loop-a.txt": f"symbolic link to {inside / 'loop-b.txt'}, a loop of links, not followed",
        "loop-b.txt": f"symbolic link to {inside / 'loop-a.txt'}, a loop of links, not followed",
        "null.txt": f"symbolic link to /dev/null, outside the folder {inside}/; --follow-symlinks reads it",
        "up": f"symbolic link to the folder {inside}, inside the folder {inside}/ (read there), not followed",
        "out": f"symbolic link to the folder {outside}, outside the folder {inside}/; --follow-symlinks reads it",
        "fifo.txt": "not a regular file (a pipe, socket or device)",
        "fifo-link.txt": f"symbolic link to {inside / 'fifo.txt'}, not a regular file (a pipe, socket or device)",
    }


def test_hidden_files_and_folders_are_reported_and_not_entered(layout: tuple[Path, Path]) -> None:
    inside, _ = layout
    (inside / ".draft.txt").write_text(BODY)
    (inside / ".git" / "objects").mkdir(parents=True)
    (inside / ".git" / "objects" / "note.txt").write_text(BODY)
    got = by_path(read_all(inside))
    assert got[str(inside / ".draft.txt")].reason == \
        'hidden file (its name starts with "."), not read; name it to read it'
    assert got[str(inside / ".git")].reason == \
        'hidden folder (its name starts with "."), not searched; name it to read it'
    assert set(got) == {str(inside / name) for name in ("good.txt", ".draft.txt", ".git")}
    # Named, a hidden file is read: the user asked for it.
    assert isinstance(read_all(inside / ".draft.txt")[0], RawArticle)


def test_link_to_a_file_in_the_folder_is_read_and_stored_once(tmp_path: Path) -> None:
    inside = tmp_path / "articles"
    (inside / "2021").mkdir(parents=True)
    (inside / "2021" / "tram.txt").write_text(f"date 2021-05-06\n{BODY}\n")
    (inside / "latest.txt").symlink_to("2021/tram.txt")
    report = ingest(Store(tmp_path / "s.duckdb"), [inside], watchlist=Watchlist())
    assert (report.total("added"), report.total("duplicates"), report.skipped) == (1, 1, [])


@pytest.mark.parametrize("target", ["secret", "/dev/zero"])
def test_a_file_swapped_for_a_link_after_the_listing_is_not_opened(layout, monkeypatch, target: str) -> None:
    inside, outside = layout
    (inside / "later.txt").write_text(BODY)
    real_load = registry.load_bytes

    def swap_then_load(path: Path, *args: object, **kwargs: object) -> object:
        if path.name == "later.txt":  # listed as a file; a link by the time it is opened
            path.unlink()
            path.symlink_to(outside / "secret.txt" if target == "secret" else target)
        return real_load(path, *args, **kwargs)

    monkeypatch.setattr(registry, "load_bytes", swap_then_load)
    items = read_all(inside)
    assert leaked(items) == []
    # Refused by O_NOFOLLOW: the device a link may lead to is never opened (opening some acts on the machine).
    assert by_path(items)[str(inside / "later.txt")].reason == \
        "changed between listing the folder and reading it (replaced, perhaps by a link), not read " \
        "(a link now stands on its way)"


def test_a_folder_swapped_for_a_link_after_the_listing_is_not_read(layout, monkeypatch) -> None:
    inside, outside = layout
    (inside / "sub").mkdir()
    (inside / "sub" / "deep.txt").write_text(BODY)
    real_load = registry.load_bytes

    def swap_then_load(path: Path, *args: object, **kwargs: object) -> object:
        if path.parent.name == "sub" and (inside / "sub").is_dir() and not (inside / "sub").is_symlink():
            (inside / "sub").rename(inside.parent / "moved")
            (inside / "sub").symlink_to(outside / "sub")  # holds a deep.txt too: the secret one
        return real_load(path, *args, **kwargs)

    monkeypatch.setattr(registry, "load_bytes", swap_then_load)
    items = read_all(inside)
    assert leaked(items) == []
    assert by_path(items)[str(inside / "sub" / "deep.txt")].reason.startswith("changed between listing")


def test_a_folder_swapped_before_it_is_opened_is_reported(layout, monkeypatch) -> None:
    inside, outside = layout
    (inside / "sub").mkdir()
    (inside / "sub" / "deep.txt").write_text(BODY)
    real_open = os.open

    def swap_then_open(path: object, flags: int, *args: object, **kwargs: object) -> int:
        if str(path) == str(inside / "sub") and not (inside / "sub").is_symlink():
            (inside / "sub").rename(inside.parent / "moved")
            (inside / "sub").symlink_to(outside / "sub")
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", swap_then_open)
    items = read_all(inside)
    assert leaked(items) == []
    assert by_path(items)[str(inside / "sub")].reason.startswith("changed while the folder was read")


def test_a_link_retargeted_between_resolving_and_reading_is_not_read(layout, monkeypatch) -> None:
    inside, outside = layout
    (inside / "2021").mkdir()
    (inside / "2021" / "tram.txt").write_text(BODY)
    (inside / "latest.txt").symlink_to("2021/tram.txt")
    real_realpath = os.path.realpath

    def resolve_then_swap(path: object, *args: object, **kwargs: object) -> str:
        resolved = real_realpath(path, *args, **kwargs)
        if str(path) == str(inside / "latest.txt"):
            # The walk saw a target inside; the folder on the way is then swapped for a link out.
            (inside / "2021").rename(inside.parent / "moved")
            (inside / "2021").symlink_to(outside / "sub")
            os.link(outside / "sub" / "deep.txt", outside / "sub" / "tram.txt")
        return resolved

    monkeypatch.setattr(os.path, "realpath", resolve_then_swap)
    items = read_all(inside)
    assert leaked(items) == []
    assert by_path(items)[str(inside / "latest.txt")].reason.startswith("changed between listing the folder")


def test_swapping_race_never_leaks(layout: tuple[Path, Path]) -> None:
    """A thread keeps swapping a file and a folder for links out while the folder is read again and again."""
    inside, outside = layout
    (inside / "sub").mkdir()
    (inside / "sub" / "deep.txt").write_text(BODY)
    (inside / "flip.txt").write_text(BODY)
    stop = threading.Event()
    swaps = 0

    def swap() -> None:
        nonlocal swaps
        while not stop.is_set():
            for name, target in (("flip.txt", outside / "secret.txt"), ("sub", outside / "sub")):
                path, spare = inside / name, inside.parent / f"spare-{name}"
                path.rename(spare)
                path.symlink_to(target)
                time.sleep(0.001)  # not a wait: it lets the reader run while the link is there
                path.unlink()
                spare.rename(path)
                time.sleep(0.001)
            swaps += 1

    racer = threading.Thread(target=swap, daemon=True)
    racer.start()
    try:
        for _ in range(200):
            assert leaked(read_all(inside)) == []
    finally:
        stop.set()
        racer.join(60)
    assert swaps > 0


# --------------------------------------------------------------------------- variant generator: folder trees

KINDS = ("file", "hidden file", "hidden folder", "folder", "link out", "link in", "link folder out",
         "link folder in", "chain out", "chain in", "loop", "dangling", "dev null", "fifo", "fifo link",
         "proc link", "link out via relative")


@dataclass
class Tree:
    """A built tree: the named folder, and each entry directly visible to the walk with its kind."""

    root: Path
    outside: Path
    entries: dict[Path, str]


def build(base: Path, kinds: list[str], nested: list[list[str]]) -> Tree:
    """Build a folder of entries of ``kinds`` (and sub-folders of ``nested``) beside an outside folder."""
    root, outside = base / "in", base / "out"
    (outside / "dir").mkdir(parents=True)
    (outside / "secret.txt").write_text(f"Outside {SECRET}. {BODY}\n")
    (outside / "dir" / "secret2.txt").write_text(f"Outside folder {SECRET}. {BODY}\n")
    os.mkfifo(outside / "pipe.txt")
    tree = Tree(root, outside, {})
    _fill(tree, root, kinds, nested)
    return tree


def _fill(tree: Tree, folder: Path, kinds: list[str], nested: list[list[str]]) -> None:
    folder.mkdir(parents=True)
    (folder / "anchor.txt").write_text(f"Anchor of {folder.name}. {BODY}\n")
    tree.entries[folder / "anchor.txt"] = "file"
    for n, kind in enumerate(kinds):
        path = folder / (("." if kind.startswith("hidden") else "") + f"e{n}.txt")
        _make(tree, folder, path, kind)
        tree.entries[path] = kind
    for n, sub in enumerate(nested):
        _fill(tree, folder / f"d{n}", sub, [])


def _make(tree: Tree, folder: Path, path: Path, kind: str) -> None:
    out = tree.outside
    if kind in ("file", "hidden file"):
        path.write_text(f"Inside {path.name}. {BODY}\n")
    elif kind == "hidden folder":
        path.mkdir()
        (path / "x.txt").write_text(BODY)
    elif kind == "folder":
        path.mkdir()
    links = {"link out": out / "secret.txt", "link in": folder / "anchor.txt", "link folder out": out / "dir",
             "link folder in": folder, "dangling": folder / "missing.txt", "dev null": Path("/dev/null"),
             "fifo link": out / "pipe.txt", "proc link": Path("/proc/self/environ"),
             "link out via relative": Path(os.path.relpath(out / "secret.txt", folder))}
    if kind in links:
        path.symlink_to(links[kind])
    elif kind == "chain out":
        hop = out / f"hop-{len(tree.entries)}-{path.name}"
        hop.symlink_to(out / "secret.txt")
        path.symlink_to(hop)
    elif kind == "chain in":
        hop = folder / f"hop-{path.name}"
        hop.symlink_to(folder / "anchor.txt")
        tree.entries[hop] = "link in"
        path.symlink_to(hop)
    elif kind == "loop":
        path.symlink_to(path.with_suffix(".loop"))
        path.with_suffix(".loop").symlink_to(path)
        tree.entries[path.with_suffix(".loop")] = "loop"
    elif kind == "fifo":
        os.mkfifo(path)


SKIPPED_KINDS = {"hidden file", "hidden folder", "link folder in", "dangling", "dev null", "fifo", "fifo link",
                 "proc link", "loop"}
OUTSIDE_KINDS = {"link out", "chain out", "link folder out", "link out via relative"}

kinds_st = st.lists(st.sampled_from(KINDS), max_size=6)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kinds=kinds_st, nested=st.lists(kinds_st, max_size=2), follow=st.booleans())
def test_generated_trees_stay_inside_and_account_for_every_entry(tmp_path_factory, kinds, nested, follow) -> None:
    tree = build(tmp_path_factory.mktemp("tree"), kinds, nested)
    items = read_all(tree.root, follow=follow)
    got = by_path(items)
    if not follow:
        assert leaked(items) == []
    for path, kind in tree.entries.items():
        item = got.get(str(path))
        if kind in ("folder", "link folder out") and (kind == "folder" or follow):
            continue  # an empty folder yields nothing; a followed one yields its files
        assert item is not None, (path, kind, items)
        if kind in SKIPPED_KINDS or (kind in OUTSIDE_KINDS and not follow):
            assert isinstance(item, Skipped) and item.reason, (path, kind, item)
        else:
            assert isinstance(item, RawArticle), (path, kind, item)
            assert (SECRET in item.text) == (kind in OUTSIDE_KINDS), (path, kind, item)
    if follow:
        linked_out = [p for p, k in tree.entries.items() if k == "link folder out"]
        for link in linked_out:
            # Followed once; a second link to the same folder is the loop guard's to report.
            assert str(link / "secret2.txt") in got or any(str(link) == p for p in got), (link, items)
    # Nothing but the entries (and, followed, the files of linked folders) was read.
    expected = {str(p) for p in tree.entries}
    assert all(p in expected or "/e" in p for p in got), sorted(set(got) - expected)
