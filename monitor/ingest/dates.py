"""Publication dates: parse metadata dates and find the date in an article's dateline.

Every function here returns a *naive datetime in UTC* (aware inputs are converted to
UTC and the zone dropped; naive inputs are taken as they are) or ``None``.

A date is only accepted when its text names the day, the month and the year
explicitly: a bare weekday ("Monday"), a relative phrase ("2 days ago") or a year
alone would otherwise be completed from today's date or from a default, and a
guessed date is worse than no date for a time series. Dates before 1900-01-01 and
dates more than two days after now are rejected as implausible.

A date that is not plausible *as written* is rejected, never reinterpreted
(:func:`read_date` says why):

* numbers (JSON integers, digit-only strings): eight digits are ``YYYYMMDD`` (20240813 is
  13 August 2024) and must be a real calendar day; 9-11 digits are Unix seconds and 12-13
  digits Unix milliseconds, both from 1e8 s (1973-03-03) on; anything else (0, 1, negative
  numbers, 14+ digits, NaN) is no date;
* a date written year first (``2024-13-01``, ``2024/02/30``) is year-month-day or nothing:
  month 13 is not read as a day, and no other parser gets to try it;
* an impossible day in words (``February 30, 2024``) is no date either.

Time zones are honoured wherever a date is read: offsets (``+02:00``, ``-0500``, ``Z``), zone names
(``EST``, ``EDT``, ``PST``, ``CET``, ``CEST``, ``BST``, ``GMT``), ``GMT+2`` / ``UTC+02:00`` (two hours *east*
of Greenwich, not the POSIX reading), and the US regional names ``ET`` / ``CT`` / ``MT`` / ``PT``, which
follow daylight saving time (4:38 PM ET is 20:38 UTC in August, 21:38 UTC in January). A time without any
zone is kept as written: it is the page's own clock, and guessing a zone would be worse.
"""
from __future__ import annotations

import html
import math
import re
import time
import unicodedata
import warnings
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import dateparser
import dateparser.search
from dateparser.date import DateDataParser
from dateutil import parser as dateutil_parser

EARLIEST = datetime(1900, 1, 1)
# Time zones and clock skew can put a just-published article a little in the future.
FUTURE_SLACK = timedelta(days=2)

# dateparser settings, built once: these dicts are hashed on every call, and the
# parser below loads its language data only once.
_DATEPARSER_SETTINGS: dict[str, object] = {
    "REQUIRE_PARTS": ["day", "month", "year"],
    # No "relative-time": "yesterday" or "2 days ago" would be computed from today.
    "PARSERS": ["timestamp", "custom-formats", "absolute-time"],
    "RETURN_AS_TIMEZONE_AWARE": True,
    "TO_TIMEZONE": "UTC",
}
_SEARCH_SETTINGS: dict[str, object] = {
    "REQUIRE_PARTS": ["day", "month", "year"],
    "PARSERS": ["timestamp", "custom-formats", "absolute-time"],
}
# The languages of the news this project reads; naming them keeps dateparser from
# loading and trying every locale it knows (seconds per process, and more false hits).
DATE_LANGUAGES = ["en", "fr", "de", "es", "pt", "it", "nl", "ru"]
_DATE_PARSER = DateDataParser(languages=DATE_LANGUAGES, settings=_DATEPARSER_SETTINGS)

# Two defaults that differ in year, month and day: a part the text does not name is
# filled from the default, so the two parses disagree on it.
_DEFAULT_A = datetime(2000, 1, 1)
_DEFAULT_B = datetime(2004, 2, 2)

# Numbers: 8 digits are YYYYMMDD; from 1e8 (1973-03-03 in seconds) up to 1e11 Unix seconds,
# from 1e11 up to 1e14 Unix milliseconds (JavaScript). Smaller and larger numbers are no date.
_DIGITS = re.compile(r"\d+")
_YYYYMMDD = range(10_000_000, 100_000_000)
_EPOCH_FROM = 10**8
_MS_EPOCH_ABOVE = 10**11
_EPOCH_TO = 10**14
# A date written year first with numbers: year-month-day, nothing else.
_YEAR_FIRST = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?!\d)")
NOT_A_DATE = "not a date with day, month and year"
NOT_A_DAY = "not a calendar day (month 1-12, a day the month has)"
BAD_NUMBER = "a number that is neither YYYYMMDD nor Unix seconds/milliseconds from 1973 on"
TOO_EARLY = "before 1900-01-01"
TOO_LATE = "in the future"


@dataclass(frozen=True)
class DateReading:
    """What a date field said: the date, or why a value that was there is not used.

    ``date`` is a naive UTC datetime or None; ``problem`` is None when the date was read or
    the field was empty, else a short reason from a fixed set (so a report can count them).
    """

    date: datetime | None
    problem: str | None = None
# Only a gate before the (slower) dateline search: a dateline with an explicit year
# contains a four-digit number.
_HAS_YEAR = re.compile(r"\d{4}")
# "Aug." and "Sept." end a sentence for dateparser's search; dropping the period of a
# short capitalised abbreviation keeps "Aug. 13, 2024" in one piece.
_ABBREVIATION_DOT = re.compile(r"\b([A-Z][a-z]{2,3})\.")
# Character references; those html.unescape drops (&#5;) must still separate words.
_CHAR_REF = re.compile(r"&#?\w+;")
DATELINE_CHARS = 200
MAX_PREFIX_WORDS = 6
# "GMT+2" / "UTC+02:00": dateutil reads the POSIX way (two hours *west*); rewritten as an ISO offset first.
_GMT_OFFSET = re.compile(r"\b(?:GMT|UTC)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?\b")
# US regional zone names after a clock time: the offset depends on the date (daylight saving time).
_REGIONAL_ZONE = re.compile(r"(?<=\d|[mM.])\s*\b(ET|CT|MT|PT)\b")
_ZONE_AFTER = re.compile(r"\s*(?:[A-Z]{2,5}\b(?:\s*[+-]\d{1,2}(?::?\d{2})?)?|[+-]\d{2}:?\d{2})")
_OTHER_ZONE = re.compile(r"[+-]\d{2}:?\d{2}\b|\b(?:UTC|GMT|[CWE]ET|[A-Z]{1,3}[SD]T)\b|\dZ\b")
REGIONAL_ZONES = {"ET": ZoneInfo("America/New_York"), "CT": ZoneInfo("America/Chicago"),
                  "MT": ZoneInfo("America/Denver"), "PT": ZoneInfo("America/Los_Angeles")}


def parse_date(value: object) -> datetime | None:
    """Return ``value`` as a naive UTC datetime, or None when it is not a plausible date.

    Accepts str, datetime, date, int/float numbers (YYYYMMDD, epoch seconds or
    milliseconds: see the module's rules) and ``time.struct_time`` (feedparser's
    ``*_parsed`` fields, which are UTC). :func:`read_date` also says why a value is refused.
    """
    return read_date(value).date


def read_date(value: object) -> DateReading:
    """Return the date ``value`` names, or None with the reason it is refused (empty values: no reason)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return DateReading(None)
    if isinstance(value, bool):
        return DateReading(None, NOT_A_DATE)
    if isinstance(value, datetime):
        return _in_window(_to_naive_utc(value))
    if isinstance(value, date):
        return _in_window(datetime(value.year, value.month, value.day))
    if isinstance(value, time.struct_time):
        return _in_window(_from_struct(value))
    if isinstance(value, (int, float)):
        found = _from_number(value)
        return DateReading(None, found) if isinstance(found, str) else _in_window(found)
    if isinstance(value, str):
        return _read_text(value)
    return DateReading(None, NOT_A_DATE)


def _read_text(text: str) -> DateReading:
    """Return the reading of a metadata string: its date, or the reason it has none."""
    found = _parse_metadata_text(text)
    if found is not None:
        return DateReading(found)
    stripped = _clean_metadata(text).strip()
    if _DIGITS.fullmatch(stripped):
        number = _from_number(int(stripped))
        return DateReading(None, number) if isinstance(number, str) else _in_window(number)
    if _year_first(stripped) is None:
        return DateReading(None, NOT_A_DAY)
    # Parsed without the plausibility window: a real date outside it is refused for that reason.
    prefix = parse_date_prefix(stripped, any_era=True)
    return _in_window(prefix[0]) if prefix is not None else DateReading(None, NOT_A_DATE)


def _parse_metadata_text(text: str) -> datetime | None:
    """Return the date a metadata string names: the whole string, else its leading date.

    Converted corpora leave junk after the date (Reuters-21578 has
    "27-MAR-1987 00:02:59.13&#5;&#5;&#5;RM"): entities and control characters become
    spaces, and a date at the start of the string still counts.
    """
    cleaned = _clean_metadata(text)
    found = _parse_string(cleaned)
    if found is None:
        prefix = parse_date_prefix(cleaned)
        found = prefix[0] if prefix is not None else None
    return found


def _clean_metadata(text: str) -> str:
    """Return a metadata string with character references decoded and control characters as spaces."""
    cleaned = _CHAR_REF.sub(lambda ref: html.unescape(ref[0]) or " ", text)
    return "".join(" " if unicodedata.category(char) == "Cc" else char for char in cleaned)


def parse_date_prefix(
    line: str, *, any_era: bool = False, max_words: int = MAX_PREFIX_WORDS,
) -> tuple[datetime, str] | None:
    """Return (date, rest of the line) when ``line`` starts with an explicit date, else None.

    The date is the longest prefix of up to ``max_words`` (six) words that parses; words that do not
    change the result ("2024-08-13 and", where "and" is a filler to the parsers) are
    left to the rest. Used for header lines such as ``date 2024-08-13 The first...``.
    ``any_era`` also accepts dates before 1900 or in the future (the caller then knows
    where a garbage date ends; ``parse_date`` of the result says whether it is plausible).
    """
    words = line.split()
    found: tuple[int, datetime] | None = None
    for n in range(min(max_words, len(words)), 0, -1):
        parsed = _parse_string(" ".join(words[:n]), any_era)
        if parsed is not None:
            found = (n, parsed)
            break
    if found is None:
        return None
    n, parsed = found
    while n > 1 and _parse_string(" ".join(words[: n - 1]), any_era) == parsed:
        n -= 1
    return parsed, _after_words(line, n)


def dateline_date(text: str) -> datetime | None:
    """Return the date in the dateline at the start of ``text``, or None when there is none.

    Only the first line, and at most its first 200 characters, is searched, and the
    date must name day, month and year ("WASHINGTON, Aug. 13, 2024 (AP) —").
    """
    head = text.lstrip()[:DATELINE_CHARS].split("\n", 1)[0]
    if not _HAS_YEAR.search(head):
        return None
    head = _ABBREVIATION_DOT.sub(r"\1", head)
    found = dateparser.search.search_dates(head, languages=["en"], settings=_SEARCH_SETTINGS)
    for written, when in found or ():
        # Read again with the zone that follows it: the search leaves out "CT" and "MT" and takes "ET" for EST.
        plausible = _parse_string(_with_zone(head, written)) or _plausible(_to_naive_utc(when))
        if plausible is not None and _agrees(written, plausible):
            return plausible
    return None


def _with_zone(head: str, written: str) -> str:
    """Return ``written`` (a date found in ``head``) with the zone name or offset that follows it in ``head``."""
    at = head.find(written)
    zone = _ZONE_AFTER.match(head, at + len(written)) if at >= 0 else None
    return written + zone[0] if zone else written


def _parse_string(text: str, any_era: bool = False) -> datetime | None:
    """Return the plausible (any, with ``any_era``) naive-UTC date a string names explicitly, or None."""
    text = text.strip()
    if not text or len(text) > 100:
        return None
    text, regional = _zone_words(text)
    if _DIGITS.fullmatch(text):
        number = _from_number(int(text))
        parsed = number if isinstance(number, datetime) else None
    elif _year_first(text) is None:
        return None  # "2024-13-01": no day-first or other reading of an impossible date
    else:
        parsed = _parse_iso(text) or _parse_dateutil(text) or _parse_dateparser(text)
        parsed = parsed if parsed is not None and _agrees(text, parsed) else None
    if parsed is not None and regional is not None:
        parsed = _to_naive_utc(parsed.replace(tzinfo=regional))
    return parsed if any_era else _plausible(parsed)


def _zone_words(text: str) -> tuple[str, ZoneInfo | None]:
    """Return ``text`` with zone spellings the parsers misread made plain, and a regional zone it named.

    ``GMT+2`` becomes ``+02:00``; a US regional name (``4:38 PM ET``) is removed and returned, so the
    local time can be placed in that zone on that date. A text that also has an offset keeps its words.
    """
    text = _GMT_OFFSET.sub(lambda m: f" {m[1]}{int(m[2]):02d}:{m[3] or '00'}", text)
    found = _REGIONAL_ZONE.search(text)
    if found is None or _OTHER_ZONE.search(text[:found.start()] + " " + text[found.end():]):
        return text, None
    return text[:found.start()] + text[found.end():], REGIONAL_ZONES[found[1]]


def _year_first(text: str) -> date | bool | None:
    """Return the date a year-first numeric date at the start of ``text`` names, None when impossible.

    False when the text does not start with one (other forms are left to the parsers).
    """
    m = _YEAR_FIRST.match(text)
    if m is None:
        return False
    try:
        return date(int(m[1]), int(m[3]), int(m[4]))
    except ValueError:
        return None


def _agrees(text: str, parsed: datetime) -> bool:
    """Return False when a parser read a year-first numeric date as another day than year-month-day.

    A zone offset may move the UTC date by a day either way.
    """
    written = _year_first(text.strip())
    if not isinstance(written, date):
        return written is False
    return abs((parsed.date() - written).days) <= 1


def _parse_iso(text: str) -> datetime | None:
    """Return the datetime of a strict ISO 8601 date with a full date part, else None."""
    # isoparse accepts "2024" or "2024-08" (month precision): require YYYY-MM-DD.
    if len(text) < 10 or text[4:5] != "-" or text[7:8] != "-":
        return None
    try:
        return _to_naive_utc(dateutil_parser.isoparse(text))
    except (ValueError, OverflowError):
        return None


def _parse_dateutil(text: str) -> datetime | None:
    """Return dateutil's reading of ``text`` when it names day, month and year, else None."""
    try:
        with warnings.catch_warnings():
            # An unknown zone name ("EST", or a word such as "US" taken for one) would
            # otherwise be dropped silently and the time read as UTC.
            warnings.simplefilter("error", dateutil_parser.UnknownTimezoneWarning)
            first = dateutil_parser.parse(text, default=_DEFAULT_A)
            second = dateutil_parser.parse(text, default=_DEFAULT_B)
    except (ValueError, OverflowError, TypeError, dateutil_parser.UnknownTimezoneWarning):
        return None
    if first.date() != second.date():
        return None
    return _to_naive_utc(first)


def _parse_dateparser(text: str) -> datetime | None:
    """Return dateparser's reading of ``text`` (named zones, other languages), else None."""
    try:
        found = _DATE_PARSER.get_date_data(text).date_obj
    except (ValueError, OverflowError, TypeError):
        return None
    return _to_naive_utc(found) if found is not None else None


def _to_naive_utc(value: datetime) -> datetime:
    """Return ``value`` converted to UTC without tzinfo; naive values are kept as they are."""
    if value.tzinfo is None or value.utcoffset() is None:
        return value.replace(tzinfo=None)
    return value.astimezone(UTC).replace(tzinfo=None)


def _from_struct(value: time.struct_time) -> datetime | None:
    """Return the naive datetime of a UTC struct_time, or None when out of range."""
    try:
        return datetime(*value[:6])
    except (ValueError, TypeError):
        return None


def _from_number(value: float) -> datetime | str:
    """Return the naive UTC datetime a number names (YYYYMMDD, epoch seconds or ms), else the reason."""
    if not math.isfinite(value) or (value < _EPOCH_FROM and int(value) not in _YYYYMMDD) or value >= _EPOCH_TO:
        return BAD_NUMBER
    if value < _EPOCH_FROM:
        if value != int(value):
            return BAD_NUMBER
        digits = str(int(value))
        try:
            return datetime(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
        except ValueError:
            return NOT_A_DAY
    seconds = value / 1000 if value >= _MS_EPOCH_ABOVE else value
    try:
        return datetime.fromtimestamp(seconds, tz=UTC).replace(tzinfo=None)
    except (ValueError, OverflowError, OSError):
        return BAD_NUMBER


def _in_window(value: datetime | None) -> DateReading:
    """Return the reading of a date: kept between 1900-01-01 and two days from now, else refused with why."""
    if value is None:
        return DateReading(None, NOT_A_DATE)
    if value < EARLIEST:
        return DateReading(None, TOO_EARLY)
    if _plausible(value) is None:
        return DateReading(None, TOO_LATE)
    return DateReading(value)


def _plausible(value: datetime | None) -> datetime | None:
    """Return ``value`` when it lies between 1900-01-01 and two days from now, else None."""
    if value is None:
        return None
    now = datetime.now(UTC).replace(tzinfo=None)
    if value < EARLIEST or value > now + FUTURE_SLACK:
        return None
    return value


def _after_words(line: str, n: int) -> str:
    """Return what follows the first ``n`` whitespace-separated words of ``line``."""
    rest = line.lstrip()
    for _ in range(n):
        parts = rest.split(None, 1)
        rest = parts[1] if len(parts) > 1 else ""
    return rest
