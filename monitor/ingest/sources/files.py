"""Finding files in folders and loading their bytes: gzip, size cap, unreadable files."""
from __future__ import annotations

import gzip
import stat
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from monitor.ingest.sources.model import Skipped

DEFAULT_MAX_BYTES = 50 * 1024 * 1024


# --------------------------------------------------------------------------- walking

def iter_files(paths: Iterable[str | Path]) -> Iterator[Path | Skipped]:
    """Yield the files named by ``paths``, folders expanded recursively in sorted order.

    Hidden files and folders (name starting with ".") inside folders are left out; a
    path that does not exist yields a Skipped, and so does a link to a folder found
    inside a folder (not followed, so no loops). Named paths are used as given.
    """
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from _walk_folder(path)
        elif path.exists() or path.is_symlink():
            # A dangling link is passed on: reading it reports the OSError.
            yield path
        else:
            yield Skipped(str(path), "no such file or folder")


def _walk_folder(folder: Path) -> Iterator[Path | Skipped]:
    """Yield the non-hidden files under ``folder``, depth first, sorted by name."""
    try:
        entries = sorted(folder.iterdir(), key=lambda entry: entry.name)
    except OSError as exc:
        yield Skipped(str(folder), _os_reason(exc))
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_symlink() and entry.is_dir():
            # Not followed: a link back up the tree would loop forever.
            yield Skipped(str(entry), "symbolic link to a folder, not followed")
        elif entry.is_dir():
            yield from _walk_folder(entry)
        elif entry.is_file() or entry.is_symlink():
            # A dangling link is passed on: reading it reports the OSError.
            yield entry
        else:
            yield Skipped(str(entry), "not a regular file (a pipe, socket or device)")


# --------------------------------------------------------------------------- loading

def format_suffix(path: Path) -> tuple[str, bool]:
    """Return (lower-case format suffix without .gz, whether the file is gzipped)."""
    suffixes = [s.lower() for s in path.suffixes]
    gzipped = bool(suffixes) and suffixes[-1] == ".gz"
    if gzipped:
        suffixes = suffixes[:-1]
    return (suffixes[-1] if suffixes else ""), gzipped


def load_bytes(path: Path, gzipped: bool, max_bytes: int) -> bytes | Skipped:
    """Return the file's (gunzipped) bytes, or a Skipped saying why they cannot be had."""
    too_big = Skipped(str(path), f"larger than the {max_bytes:,} byte limit" + (" after gunzip" if gzipped else ""))
    try:
        info = path.stat()
        if not (stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode)):
            # Reading a pipe would block; a folder is left to fail with its own OSError.
            return Skipped(str(path), "not a regular file (a pipe, socket or device)")
        if not gzipped:
            if info.st_size > max_bytes:
                return too_big
            return path.read_bytes()
        with gzip.open(path, "rb") as handle:
            # One byte more than allowed tells "too big" without inflating it all.
            data = handle.read(max_bytes + 1)
        return too_big if len(data) > max_bytes else data
    except EOFError:
        return Skipped(str(path), "truncated gzip (the compressed data ends early)")
    except gzip.BadGzipFile as exc:
        return Skipped(str(path), f"not a valid gzip file: {exc}")
    except zlib.error as exc:
        return Skipped(str(path), f"corrupt gzip data: {exc}")
    except OSError as exc:
        return Skipped(str(path), _os_reason(exc))


def _os_reason(exc: OSError) -> str:
    """Return the OSError's own words (e.g. "cannot read: Permission denied")."""
    return f"cannot read: {exc.strerror or exc}"
