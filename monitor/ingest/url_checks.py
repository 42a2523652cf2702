"""Whether a URL is well-formed enough to fetch: its length, its characters, its scheme and its host's spelling.

A malformed URL is a FetchError with its reason, never another exception. Which hosts the
network policy lets the fetcher reach is :mod:`monitor.ingest.network`'s job, not this one's.
"""
from __future__ import annotations

import re
from urllib.parse import SplitResult, urlsplit

from monitor.ingest.fetch_types import FetchError
from monitor.ingest.network import literal_address

MAX_URL_LENGTH = 4096  # why: real article URLs stay far below; a longer one is a feed's garbage or an attack
_HOST_CHARS = re.compile(r"^[a-z0-9_.-]+$")


def split_url(url: str) -> SplitResult:
    """Return the parts of a URL that can be fetched; raise FetchError saying what is wrong with it."""
    if len(url) > MAX_URL_LENGTH:
        raise FetchError(url, f"malformed URL: longer than {MAX_URL_LENGTH:,} characters")
    odd = next((c for c in url if c.isspace() or not c.isprintable()), None)
    if odd is not None:
        raise FetchError(url, f"malformed URL: contains {'a space' if odd == ' ' else repr(odd)}")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  why: reading it checks it (a port out of range raises here)
    except ValueError as exc:
        raise FetchError(url, f"malformed URL: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        shown = f"{scheme}://" if scheme else "a URL without a scheme"
        raise FetchError(url, f"only http and https URLs can be fetched, not {shown}")
    host = (parts.hostname or "").lower()
    if not host:
        raise FetchError(url, "the URL names no host")
    if "\\" in parts.netloc or (literal_address(host) is None and not _valid_name(host)):
        raise FetchError(url, f"malformed URL: {host!r} is not a valid host name")
    return parts


def _valid_name(host: str) -> bool:
    """Return True for a host name that can be looked up (IDNA-encodable, letters, digits, hyphens, dots)."""
    try:
        ascii_name = host.rstrip(".").encode("idna").decode("ascii")
        for label in ascii_name.split("."):
            if label.startswith("xn--"):  # why: the idna codec lets any ASCII label through; decode it to check
                label[4:].encode("ascii").decode("punycode").encode("idna")
    except UnicodeError:
        return False
    return bool(_HOST_CHARS.match(ascii_name)) and len(ascii_name) <= 253 and ".." not in ascii_name
