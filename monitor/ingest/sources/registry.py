"""The readers by file suffix, and reading files, folders and URLs through them."""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from monitor.ingest.fetch import Fetcher
from monitor.ingest.sources.feeds import read_feed, read_xml
from monitor.ingest.sources.files import (
    DEFAULT_MAX_BYTES,
    Found,
    find_files,
    format_suffix,
    load_bytes,
)
from monitor.ingest.sources.html import read_html
from monitor.ingest.sources.model import Item, Reader, Skipped
from monitor.ingest.sources.records import (
    check_mapping,
    read_csv,
    read_json,
    read_jsonl,
)
from monitor.ingest.sources.text import read_text
from monitor.ingest.sources.web import WebInput, is_url, read_url

READERS: dict[str, Reader] = {
    ".txt": read_text,
    ".md": read_text,
    ".html": read_html,
    ".htm": read_html,
    ".json": read_json,
    ".jsonl": read_jsonl,
    ".ndjson": read_jsonl,
    ".csv": read_csv,
    ".rss": read_feed,
    ".atom": read_feed,
    ".rdf": read_feed,
    ".xml": read_xml,
}
# The suffixes read_file accepts; any of them may also end in .gz (x.jsonl.gz).
SUPPORTED_SUFFIXES: tuple[str, ...] = tuple(READERS)


def read_paths(
    paths: Iterable[str | Path | WebInput],
    mapping: Mapping[str, str] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    fetcher: Fetcher | None = None,
    follow_symlinks: bool = False,
) -> Iterator[Item]:
    """Yield every article (or Skipped) in ``paths``, one file or URL in memory at a time.

    ``paths`` holds files, folders, and http(s) URLs (read by ``monitor.ingest.sources.web``
    with ``fetcher``, default settings when None; ``max_bytes`` and ``mapping`` are for files).
    In a folder, a symbolic link to something outside it is reported, not read, unless
    ``follow_symlinks`` (see :func:`monitor.ingest.sources.files.find_files`).
    """
    check_mapping(mapping)
    for raw in paths:
        # Written out (not is_url alone) so that both branches know raw's type.
        if isinstance(raw, WebInput) or (isinstance(raw, str) and is_url(raw)):
            yield from read_url(raw, fetcher)
            continue
        for item in find_files([raw], follow_symlinks):
            if isinstance(item, Skipped):
                yield item
            else:
                yield from _read_found(item, mapping, max_bytes)


def read_file(
    path: Path,
    mapping: Mapping[str, str] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Iterator[Item]:
    """Yield the articles in one file, or Skipped items for what cannot be read.

    ``mapping`` maps our field names (text, title, date, source, url) to the column
    or key names of a JSON / JSONL / CSV file; other formats ignore it.
    """
    check_mapping(mapping)
    yield from _read_found(Found(Path(path)), mapping, max_bytes)


def _read_found(found: Found, mapping: Mapping[str, str] | None, max_bytes: int) -> Iterator[Item]:
    """Yield the articles in a file named or found in a folder (then it must be the one listed)."""
    path = found.path
    suffix, gzipped = format_suffix(path)
    reader = READERS.get(suffix)
    if reader is None:
        shown = suffix + (".gz" if gzipped else "") or "(no suffix)"
        supported = ", ".join(SUPPORTED_SUFFIXES)
        yield Skipped(str(path), f"unsupported file type {shown} (supported: {supported}, each optionally .gz)")
        return
    data = load_bytes(path, gzipped, max_bytes, found)
    if isinstance(data, Skipped):
        yield data
    elif not data.strip(b" \t\r\n\x00"):
        yield Skipped(str(path), "empty file")
    else:
        yield from reader(data, str(path), mapping)
