"""Tests for monitor.ingest.dates: metadata dates, header-line date prefixes and datelines."""
from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.ingest.dates import dateline_date, parse_date, parse_date_prefix


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
