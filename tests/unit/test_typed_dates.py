"""Dates and times are one text field each (one tab stop): DD/MM/YYYY and DD/MM/YYYY HH:MM,
ISO forms accepted too; anything else refused naming the format."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from watchhouse.web.forms import FormReader, read_date, read_local_datetime

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("typed", ["07/12/2026", "7/12/2026", "07.12.2026", "2026-12-07"])
def test_a_date_typed_in_the_uk_order_or_iso(typed: str) -> None:
    assert read_date(typed) == date(2026, 12, 7)


@pytest.mark.parametrize(
    ("typed", "moment"),
    [
        ("07/12/2026 01:30", datetime(2026, 12, 7, 1, 30)),
        ("7/12/2026 1:30:05", datetime(2026, 12, 7, 1, 30, 5)),
        ("2026-12-07T01:30", datetime(2026, 12, 7, 1, 30)),
    ],
)
def test_a_time_typed_in_the_uk_order_or_iso(typed: str, moment: datetime) -> None:
    assert read_local_datetime(typed) == moment


def test_bad_dates_are_refused_naming_the_format() -> None:
    reader = FormReader({"date_of_birth": "31/02/2026", "presented_at": "tomorrow"})
    assert reader.date("date_of_birth") is None
    assert reader.local_time("presented_at", "Europe/London") is None
    assert [p.reason for p in reader.problems] == [
        "give a date as DD/MM/YYYY",
        "give a date and time as DD/MM/YYYY HH:MM (seconds optional)",
    ]
