"""Tests for monitor.ingest.dates: metadata dates, header-line date prefixes and datelines."""
from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.ingest.dates import (
    BAD_NUMBER,
    NOT_A_DAY,
    TOO_EARLY,
    TOO_LATE,
    DateReading,
    dateline_date,
    parse_date,
    parse_date_prefix,
    read_date,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-08-13", datetime(2024, 8, 13)),
        ("2024-08-13T10:00:00Z", datetime(2024, 8, 13, 10)),
        ("2024-08-13T10:00:00+02:00", datetime(2024, 8, 13, 8)),
        ("2024-08-13 22:30:00-05:00", datetime(2024, 8, 14, 3, 30)),
        ("26-FEB-1987 15:01:01.79", datetime(1987, 2, 26, 15, 1, 1, 790000)),
        ("Tue, 13 Aug 2024 10:00:00 EST", datetime(2024, 8, 13, 15)),
        ("Tue, 13 Aug 2024 10:00:00 GMT", datetime(2024, 8, 13, 10)),
        ("Wed, 22 Jan 2014 20:31:31 +0600", datetime(2014, 1, 22, 14, 31, 31)),
        ("August 13, 2024", datetime(2024, 8, 13)),
        ("Aug. 13, 2024", datetime(2024, 8, 13)),
        ("13 August 2024", datetime(2024, 8, 13)),
        ("  13 August 2024  ", datetime(2024, 8, 13)),
        ("Seg, 24 Set 2018 19:42:40 -0300", datetime(2018, 9, 24, 22, 42, 40)),
        ("1723543200", datetime(2024, 8, 13, 10)),
        ("27-MAR-1987 00:02:59.13&#5;&#5;&#5;RM", datetime(1987, 3, 27, 0, 2, 59, 130000)),
        ("2024-08-13 (updated)", datetime(2024, 8, 13)),
    ],
)
def test_parse_date_strings(value: str, expected: datetime) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "garbage",
        "",
        "   ",
        "1850-06-01",
        "June 1, 1850",
        "2999-01-01",
        "Monday",
        "monday evening",
        "yesterday",
        "today",
        "now",
        "2 days ago",
        "in 3 years",
        "2024",
        "August 2024",
        "13 August",
        "2024-08",
        "not a date 2024",
    ],
)
def test_parse_date_rejects(value: str) -> None:
    assert parse_date(value) is None


def test_parse_date_future_window() -> None:
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    assert parse_date((now + timedelta(days=1)).isoformat()) == now + timedelta(days=1)
    assert parse_date((now + timedelta(days=3)).isoformat()) is None


def test_parse_date_objects() -> None:
    aware = datetime(2024, 8, 13, 12, tzinfo=timezone(timedelta(hours=-4)))
    assert parse_date(aware) == datetime(2024, 8, 13, 16)
    assert parse_date(aware).tzinfo is None
    assert parse_date(datetime(2024, 8, 13, 12)) == datetime(2024, 8, 13, 12)
    assert parse_date(date(2024, 8, 13)) == datetime(2024, 8, 13)
    assert parse_date(1723543200) == datetime(2024, 8, 13, 10)
    assert parse_date(1723543200000) == datetime(2024, 8, 13, 10)
    assert parse_date(time.gmtime(1723543200)) == datetime(2024, 8, 13, 10)
    assert parse_date(datetime(1899, 12, 31)) is None


@pytest.mark.parametrize("value", [None, True, 3.5e30, [2024, 8, 13], {"date": "2024-08-13"}, b"2024-08-13"])
def test_parse_date_other_types(value: object) -> None:
    assert parse_date(value) is None


def test_parse_date_prefix_seed_line() -> None:
    found = parse_date_prefix("2024-08-13 US presidential hopeful Mara Velloso sat down")
    assert found == (datetime(2024, 8, 13), "US presidential hopeful Mara Velloso sat down")


@pytest.mark.parametrize(
    ("line", "expected_date", "rest"),
    [
        ("2024-08-13", datetime(2024, 8, 13), ""),
        ("August 13, 2024 The Northbridge Courier said", datetime(2024, 8, 13), "The Northbridge Courier said"),
        ("2024-08-13 and then it rained", datetime(2024, 8, 13), "and then it rained"),
        ("Tue, 13 Aug 2024 10:00:00 EST Body text here", datetime(2024, 8, 13, 15), "Body text here"),
        ("13 August 2024 10:30 Mara Velloso", datetime(2024, 8, 13, 10, 30), "Mara Velloso"),
    ],
)
def test_parse_date_prefix_variants(line: str, expected_date: datetime, rest: str) -> None:
    assert parse_date_prefix(line) == (expected_date, rest)


@pytest.mark.parametrize("line", ["night out in the harbour", "Monday evening it rained", "", "12 August was hot"])
def test_parse_date_prefix_none(line: str) -> None:
    assert parse_date_prefix(line) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("WASHINGTON, Aug. 13, 2024 (AP) — Mara Velloso said on Tuesday", datetime(2024, 8, 13)),
        ("August 13, 2024 — The Northbridge Courier reported", datetime(2024, 8, 13)),
        ("NORTHBRIDGE, Sept. 3, 2024 /Wire/ -- Officials met", datetime(2024, 9, 3)),
        ("  LISBON, 13 August 2024 - Harbour workers struck", datetime(2024, 8, 13)),
    ],
)
def test_dateline_date_found(text: str, expected: datetime) -> None:
    assert dateline_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Mara Velloso sat down for an interview on Monday evening (12 August), marking her return.",
        "NORTHBRIDGE (Courier) - The council met on Tuesday.",
        "The council met.\nAugust 13, 2024 was the day it rained.",
        "x" * 210 + " August 13, 2024",
        "",
    ],
)
def test_dateline_date_none(text: str) -> None:
    assert dateline_date(text) is None


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=40))
def test_parse_date_never_raises_and_is_bounded(text: str) -> None:
    result = parse_date(text)
    if result is not None:
        assert result.tzinfo is None
        assert datetime(1900, 1, 1) <= result <= datetime.now() + timedelta(days=3)


# Issue 12: a date that is not plausible as written is refused with a reason, never reinterpreted.
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (20240813, datetime(2024, 8, 13)),          # a JSON integer YYYYMMDD, not 1970-08-23
        ("20240813", datetime(2024, 8, 13)),
        (20240813.0, datetime(2024, 8, 13)),
        (19870227, datetime(1987, 2, 27)),
        (1723543200, datetime(2024, 8, 13, 10)),    # Unix seconds
        (1723543200123, datetime(2024, 8, 13, 10, 0, 0, 123000)),  # Unix milliseconds
        ("1723543200000", datetime(2024, 8, 13, 10)),
        (100_000_000, datetime(1973, 3, 3, 9, 46, 40)),  # the first second counted as a timestamp
    ],
)
def test_numbers_are_yyyymmdd_or_unix_time(value: object, expected: datetime) -> None:
    assert read_date(value) == DateReading(expected)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (0, BAD_NUMBER),                 # not 1970-01-01
        (1, BAD_NUMBER),
        (-1723543200, BAD_NUMBER),
        (99_999_999, NOT_A_DAY),         # 8 digits, month 99
        (20241301, NOT_A_DAY),           # month 13
        (20240230, NOT_A_DAY),           # 30 February
        ("20240230", NOT_A_DAY),
        (2024813, BAD_NUMBER),           # 7 digits
        ("0", BAD_NUMBER),
        (10**14, BAD_NUMBER),            # 15 digits: microseconds are no format we read
        (float("nan"), BAD_NUMBER),
        (float("inf"), BAD_NUMBER),
        ("2024-13-01", NOT_A_DAY),       # not 13 January
        ("2024-13-01T10:00:00Z", NOT_A_DAY),
        ("2024/13/01", NOT_A_DAY),
        ("2024.13.01", NOT_A_DAY),
        ("2024-02-30", NOT_A_DAY),
        ("2023-02-29", NOT_A_DAY),
        ("18991231", TOO_EARLY),
        ("1 Jan 1899", TOO_EARLY),
        ("3000-01-01", TOO_LATE),
        (32503680000, TOO_LATE),         # the year 3000 in seconds
    ],
)
def test_implausible_dates_are_refused_with_a_reason(value: object, problem: str) -> None:
    assert read_date(value) == DateReading(None, problem)
    assert parse_date(value) is None


def test_empty_values_are_no_date_and_no_problem() -> None:
    assert read_date(None) == read_date("") == read_date("  ") == DateReading(None)


def test_a_leap_day_is_a_day() -> None:
    assert read_date("2024-02-29") == DateReading(datetime(2024, 2, 29))
    assert read_date(20240229) == DateReading(datetime(2024, 2, 29))


def test_an_impossible_year_first_date_is_no_header_prefix_or_dateline() -> None:
    assert parse_date_prefix("2024-13-01 The council met") is None
    assert dateline_date("NORTHBRIDGE, 2024-13-01 (Courier) - The council met") is None
    assert dateline_date("NORTHBRIDGE, 2024-08-13 (Courier) - The council met") == datetime(2024, 8, 13)


# Issue: dates to the minute. Offsets and zone names are honoured wherever a date is read.
@pytest.mark.parametrize("clock", ["16:38", "16:38:00", "4:38 PM", "4:38 p.m."])
@pytest.mark.parametrize(
    ("zone", "summer_hours", "winter_hours"),
    [("GMT+2", 2, 2), ("UTC+02:00", 2, 2), ("GMT-5", -5, -5), ("UTC-0330", -3.5, -3.5),
     ("ET", -4, -5), ("PT", -7, -8), ("CT", -5, -6), ("MT", -6, -7)],
)
def test_zone_spellings_are_honoured(clock: str, zone: str, summer_hours: float, winter_hours: float) -> None:
    """GMT+2 is two hours east of Greenwich (not dateutil's POSIX reading); ET and PT follow daylight saving time."""
    for month, hours in ((8, summer_hours), (1, winter_hours)):
        local = datetime(2024, month, 13, 16, 38)
        for text in (f"{local:%B} 13, 2024 {clock} {zone}", f"13 {local:%b} 2024, {clock} {zone}"):
            assert parse_date(text) == local - timedelta(hours=hours), text


def test_a_month_word_is_no_zone() -> None:
    assert parse_date("OCT 13, 2024 4:38 PM ET") == datetime(2024, 10, 13, 20, 38)
    assert parse_date("Aug 13, 2024 4:38 PM EST") == datetime(2024, 8, 13, 21, 38)  # EST as written, all year


@pytest.mark.parametrize(("zone", "hours"), [("ET", -4), ("CT", -5), ("MT", -6), ("PT", -7)])
def test_a_dateline_regional_zone_follows_summer_time(zone: str, hours: int) -> None:
    """The dateline search alone reads "ET" as EST all year; in August it is EDT."""
    text = f"NORTHBRIDGE, Aug. 13, 2024 11:38 PM {zone} (Courier) — The council met."
    assert dateline_date(text) == datetime(2024, 8, 13, 23, 38) - timedelta(hours=hours)
