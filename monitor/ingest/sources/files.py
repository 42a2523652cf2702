"""Finding files in folders and loading their bytes: links, hidden files, gzip, size cap, unreadable files.

A folder's walk stays inside that folder: a symbolic link whose target (fully resolved)
lies outside it is reported, not read, unless ``follow_symlinks`` is set. Every entry of a
folder is either read or reported with its reason (hidden files and folders too). A file
found in a folder is read only when the file opened is the one that was listed (same
device and inode); without ``follow_symlinks`` it is opened from the folder down, one
component at a time, none of them followed if it has become a link (``O_NOFOLLOW``): a
file or folder swapped for a link between listing and reading is reported, not read.
"""
from __future__ import annotations

import errno
import gzip
import os
import stat
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from monitor.ingest.sources.model import Skipped

# 50 MB in SI units, the cap the dashboard's uploader applies too (Streamlit's browser counts 10**6 bytes to its MB):
# one cap for one file, whichever way it comes in.
DEFAULT_MAX_BYTES = 50 * 1000 * 1000
NOT_REGULAR = "not a regular file (a pipe, socket or device)"
CHANGED = "changed between listing the folder and reading it (replaced, perhaps by a link), not read"
# Their files claim to be regular (size 0) but stream without end or change as they are read.
PSEUDO_FILESYSTEMS = (Path("/proc"), Path("/sys"), Path("/dev"))
_OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC


@dataclass(frozen=True)
class Found:
    """A file to read. For one found in a folder: what the walk saw, which the opened file must match."""

    path: Path
    identity: tuple[int, int] | None = None  # (device, inode) when listed; None for a path the user named
    inside: Path | None = None               # the folder's real path it must be opened from (None: anywhere)
    below: Path | None = None                # its real path below ``inside``, opened without following links
    folder: str = ""                         # the folder as the user named it, for reasons


# --------------------------------------------------------------------------- walking

def iter_files(paths: Iterable[str | Path], follow_symlinks: bool = False) -> Iterator[Path | Skipped]:
    """Yield the files named by ``paths``, folders expanded recursively in sorted order, or Skipped items.

    See :func:`find_files`; this gives the paths alone.
    """
    for item in find_files(paths, follow_symlinks):
        yield item if isinstance(item, Skipped) else item.path


def find_files(paths: Iterable[str | Path], follow_symlinks: bool = False) -> Iterator[Found | Skipped]:
    """Yield a Found for each file named by ``paths`` or found in a named folder, a Skipped for the rest.

    Named paths are used as given (a named link is followed). In folders, every entry is
    either yielded or reported: hidden ones (name starting with "."), links that dangle,
    loop, point outside the folder (read with ``follow_symlinks``), to a folder (followed
    only with ``follow_symlinks`` and only outside the folder), or to something not a
    regular file; pipes, sockets and devices.
    """
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from _Walk(path, follow_symlinks).folder(path, None, follow=True)
        elif path.exists() or path.is_symlink():
            # A dangling link is passed on: reading it reports the OSError.
            yield Found(path)
        else:
            yield Skipped(str(path), "no such file or folder")


class _Walk:
    """One named folder's walk: its real path, the folders seen (so no loop), and whether links leave it."""

    def __init__(self, folder: Path, follow_symlinks: bool) -> None:
        self.named = str(folder).rstrip("/") + "/"
        self.start = folder
        self.root = Path(os.path.realpath(folder))
        self.follow_symlinks = follow_symlinks
        self.seen: set[tuple[int, int]] = set()

    def folder(self, path: Path, identity: tuple[int, int] | None, follow: bool) -> Iterator[Found | Skipped]:
        """Yield the entries of the folder at ``path``, sorted by name, if it is still the one listed."""
        names = self._list(path, identity, follow)
        if isinstance(names, Skipped):
            yield names
            return
        for name in names:
            yield from self.entry(path / name)

    def _list(self, path: Path, identity: tuple[int, int] | None, follow: bool) -> list[str] | Skipped:
        """Return the sorted names in a folder, opened without following a last link unless ``follow``."""
        try:
            fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC | (0 if follow else os.O_NOFOLLOW))
        except OSError as exc:
            if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                return Skipped(str(path), "changed while the folder was read (now a link or a file), not read")
            return Skipped(str(path), _os_reason(exc))
        try:
            info = os.fstat(fd)
            if identity is not None and (info.st_dev, info.st_ino) != identity:
                return Skipped(str(path), "changed while the folder was read (replaced), not read")
            if (info.st_dev, info.st_ino) in self.seen:
                return Skipped(str(path), "a folder already read (the links lead round in a loop), not read again")
            self.seen.add((info.st_dev, info.st_ino))
            with os.scandir(fd) as entries:
                return sorted(entry.name for entry in entries)
        except OSError as exc:
            return Skipped(str(path), _os_reason(exc))
        finally:
            os.close(fd)

    def entry(self, path: Path) -> Iterator[Found | Skipped]:
        """Yield what one folder entry gives: its file, its folder's files, or a Skipped saying why not."""
        try:
            info = path.lstat()
        except OSError as exc:
            yield Skipped(str(path), _os_reason(exc))
            return
        if path.name.startswith("."):
            kind, verb = ("folder", "not searched") if stat.S_ISDIR(info.st_mode) else ("file", "not read")
            yield Skipped(str(path), f'hidden {kind} (its name starts with "."), {verb}; name it to read it')
        elif stat.S_ISLNK(info.st_mode):
            yield from self.link(path)
        elif stat.S_ISDIR(info.st_mode):
            yield from self.folder(path, (info.st_dev, info.st_ino), follow=False)
        elif stat.S_ISREG(info.st_mode):
            yield self._found(path, info)
        else:
            yield Skipped(str(path), NOT_REGULAR)

    def link(self, path: Path) -> Iterator[Found | Skipped]:
        """Yield the file (or folder's files) a link leads to when it may be read, else a Skipped saying why."""
        target = _target(path)
        try:
            real = Path(os.path.realpath(path, strict=True))
            info = real.stat()
        except OSError as exc:
            yield Skipped(str(path), _broken_link_reason(target, exc))
            return
        inside = real == self.root or real.is_relative_to(self.root)
        if not inside and not self.follow_symlinks:
            what = "the folder " if stat.S_ISDIR(info.st_mode) else ""
            yield Skipped(str(path), f"symbolic link to {what}{real}, outside the folder {self.named}; "
                                     "--follow-symlinks reads it")
        elif stat.S_ISDIR(info.st_mode):
            if inside:
                # Its files are read where they are; following it could only read them twice or loop.
                yield Skipped(str(path), f"symbolic link to the folder {real}, inside the folder "
                                         f"{self.named} (read there), not followed")
            else:
                yield from self.folder(path, (info.st_dev, info.st_ino), follow=True)
        else:
            problem = _link_target_problem(real, info)
            yield Skipped(str(path), f"symbolic link to {real}, {problem}") if problem else \
                self._found(path, info, real)

    def _found(self, path: Path, info: os.stat_result, real: Path | None = None) -> Found:
        """Return the Found for a file listed with ``info`` (a link's: its target's, whose real path is ``real``)."""
        identity = (info.st_dev, info.st_ino)
        if self.follow_symlinks:
            return Found(path, identity, folder=self.named)
        # Without following, every folder on the way is a real one: its real path is the root's plus the rest.
        below = real.relative_to(self.root) if real is not None else path.relative_to(self.start)
        return Found(path, identity, self.root, below, self.named)


def _target(path: Path) -> str:
    """Return what a link points to, as written in it (its path, should reading the link fail)."""
    try:
        return os.readlink(path)
    except OSError:
        return str(path)


def _broken_link_reason(target: str, exc: OSError) -> str:
    """Return why a link cannot be followed: it dangles, loops, or its target cannot be looked at."""
    if exc.errno == errno.ELOOP:
        return f"symbolic link to {target}, a loop of links, not followed"
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        return f"symbolic link to {target}, which does not exist"
    return f"symbolic link to {target}: {_os_reason(exc)}"


def _link_target_problem(real: Path, info: os.stat_result) -> str | None:
    """Return why a link's target (a file) is not read, or None when it may be."""
    if not stat.S_ISREG(info.st_mode):
        return NOT_REGULAR
    for pseudo in PSEUDO_FILESYSTEMS:
        if real.is_relative_to(pseudo):
            return f"a file of the {pseudo} pseudo-filesystem (it may never end or change as it is read), not read"
    return None


# --------------------------------------------------------------------------- loading

def format_suffix(path: Path) -> tuple[str, bool]:
    """Return (lower-case format suffix without .gz, whether the file is gzipped)."""
    suffixes = [s.lower() for s in path.suffixes]
    gzipped = bool(suffixes) and suffixes[-1] == ".gz"
    if gzipped:
        suffixes = suffixes[:-1]
    return (suffixes[-1] if suffixes else ""), gzipped


def load_bytes(path: Path, gzipped: bool, max_bytes: int, listed: Found | None = None) -> bytes | Skipped:
    """Return the file's (gunzipped) bytes, or a Skipped saying why they cannot be had.

    ``listed`` is what a folder's walk saw: the file opened must be that one (see :class:`Found`).
    At most ``max_bytes`` + 1 bytes are ever read, whatever size the file claims.
    """
    try:
        if listed is None or listed.identity is None:
            mode = path.stat().st_mode
            if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
                # Not even opened: opening a pipe waits for a writer, a device may act on it.
                return Skipped(str(path), NOT_REGULAR)
        elif listed.below is None and _identity(path.stat()) != listed.identity:
            return Skipped(str(path), CHANGED)  # before opening: it may be a device now
        fd = _open_listed(path, listed)
        with open(fd, "rb") as handle:
            info = os.fstat(fd)
            problem = _opened_problem(info, listed)
            if problem is not None:
                return Skipped(str(path), problem)
            return _read_capped(handle, info, path, gzipped, max_bytes)
    except EOFError:
        return Skipped(str(path), "truncated gzip (the compressed data ends early)")
    except gzip.BadGzipFile as exc:
        return Skipped(str(path), f"not a valid gzip file: {exc}")
    except zlib.error as exc:
        return Skipped(str(path), f"corrupt gzip data: {exc}")
    except OSError as exc:
        if listed is not None and listed.below is not None and exc.errno in (errno.ELOOP, errno.ENOTDIR):
            return Skipped(str(path), f"{CHANGED} (a link now stands on its way)")
        return Skipped(str(path), _os_reason(exc))


def _identity(info: os.stat_result) -> tuple[int, int]:
    """Return a file's (device, inode)."""
    return info.st_dev, info.st_ino


def _open_listed(path: Path, listed: Found | None) -> int:
    """Return a descriptor for the file: one found inside a folder opened from that folder down without
    following a link at any step (the folders on the way were real when listed, and must still be);
    any other by its path."""
    if listed is None or listed.inside is None or listed.below is None:
        return os.open(path, _OPEN_FLAGS)
    fd = os.open(listed.inside, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        for part in listed.below.parts[:-1]:
            step = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=fd)
            os.close(fd)
            fd = step
        return os.open(listed.below.name, _OPEN_FLAGS | os.O_NOFOLLOW, dir_fd=fd)
    finally:
        os.close(fd)


def _opened_problem(info: os.stat_result, listed: Found | None) -> str | None:
    """Return why the file opened (``info``: its fstat) must not be read, or None when it may be."""
    if stat.S_ISDIR(info.st_mode):
        return "cannot read: Is a directory"
    if not stat.S_ISREG(info.st_mode):
        return NOT_REGULAR
    if listed is None or listed.identity is None:
        return None
    if _identity(info) != listed.identity:
        return CHANGED
    return None


def _read_capped(handle: BinaryIO, info: os.stat_result, path: Path, gzipped: bool, max_bytes: int) -> bytes | Skipped:
    """Return at most ``max_bytes`` (gunzipped) bytes from ``handle``, or a Skipped when there are more."""
    too_big = Skipped(str(path), f"larger than the {max_bytes:,} byte limit" + (" after gunzip" if gzipped else ""))
    if not gzipped and info.st_size > max_bytes:
        return too_big
    stream: BinaryIO | gzip.GzipFile = gzip.GzipFile(fileobj=handle, mode="rb") if gzipped else handle
    # One byte more than allowed tells "too big" without reading it all (a /proc file claims size 0).
    data = stream.read(max_bytes + 1)
    return too_big if len(data) > max_bytes else data


def _os_reason(exc: OSError) -> str:
    """Return the OSError's own words (e.g. "cannot read: Permission denied")."""
    return f"cannot read: {exc.strerror or exc}"
