"""Social-media embeds: the attribution line under an embedded post names the account that said it.

"... our statement pic.twitter.com/abc — Kamala HQ (@KamalaHQ) August 13, 2024" is the account's post,
quoted by the article: the account ("Kamala HQ") is mentioned, as an account, and the handle and the date are
not names. Unlike a photo credit or a byline (which credit someone for the page, not for what it says), the
account is kept as a mention (see ``entities.ner_mentions``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_MONTH = (r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?")
_DATE = rf"(?:{_MONTH}\s+\d{{1,2}},?\s+\d{{4}}|\d{{1,2}}\s+{_MONTH}\s+\d{{4}})"
# "— Name (@handle) Month D, YYYY" (Twitter/X, Threads, Bluesky-style), any dash, the date optional;
# "A post shared by Name (@handle)" (Instagram).
_ATTRIBUTION = re.compile(
    rf"(?:(?<![\w-])[—–]|(?<!\S)-{{1,2}}|\bA post shared by)\s*(?P<name>[^—–()\n@]{{1,60}}?)\s*"
    rf"\(@(?P<handle>[A-Za-z0-9_.]{{1,30}})\)(?:\s+(?:on\s+)?(?P<date>{_DATE}))?")
# What an account's display name may carry besides its name: emoji, flags, symbols.
_DECORATION = re.compile(r"[^\w\s.&'\u2019-]+")


@dataclass(frozen=True)
class Attribution:
    """An embed's attribution: the whole of it (start, end) and the account's display name within it."""

    start: int
    end: int
    name_start: int
    name_end: int
    handle: str


def attributions(text: str) -> list[Attribution]:
    """Return the embed attributions in `text` (a sentence), with where the account's name stands."""
    out = []
    for match in _ATTRIBUTION.finditer(text):
        start, end = match.span("name")
        raw = text[start:end]
        # The name shown is the display name without its decoration ("Black Midwife 🇳🇬" -> "Black Midwife").
        lead = len(raw) - len(raw.lstrip(" \"'“"))
        trimmed = _DECORATION.sub(" ", raw).rstrip()
        end = start + len(trimmed)
        if re.search(r"[^\W\d_]", trimmed):
            out.append(Attribution(match.start(), match.end(), start + lead, end, match.group("handle")))
    return out
