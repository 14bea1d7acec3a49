"""Store in UTC, show in Europe/London, and get the clock changes right."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from watchhouse.domain.attendance import attendance_status
from watchhouse.domain.clock import format_local, local_to_utc, require_aware, to_local

pytestmark = pytest.mark.unit

LONDON = "Europe/London"
ONE_SECOND = timedelta(seconds=1)

# (year, last Sunday of March, last Sunday of October): the clocks change at 01:00 UTC.
CHANGE_DAYS = [(2025, 30, 26), (2026, 29, 25), (2027, 28, 31)]


def utc(*parts: int) -> datetime:
    """A UTC moment."""
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


# --- storing and showing ----------------------------------------------------------


def test_require_aware_returns_the_same_instant_in_utc() -> None:
    bst = datetime(2026, 7, 1, 9, 0, tzinfo=ZoneInfo(LONDON))
    stored = require_aware(bst)
    assert stored == utc(2026, 7, 1, 8, 0)
    assert stored.tzinfo is UTC


def test_require_aware_converts_a_fixed_offset_to_utc() -> None:
    moment = datetime(2026, 1, 1, 12, 0, tzinfo=timezone(timedelta(hours=-5)))
    assert require_aware(moment) == utc(2026, 1, 1, 17, 0)
    assert require_aware(moment).utcoffset() == timedelta(0)


def test_require_aware_refuses_a_naive_time_and_names_it() -> None:
    with pytest.raises(ValueError, match="created_at must carry a time zone"):
        require_aware(datetime(2026, 1, 1, 12, 0), "created_at")


def test_winter_time_in_london_is_utc() -> None:
    assert format_local(utc(2026, 1, 15, 14, 30), LONDON) == "15 Jan 2026 14:30:00 GMT"


def test_summer_time_in_london_is_an_hour_ahead_of_utc() -> None:
    assert format_local(utc(2026, 7, 15, 14, 30), LONDON) == "15 Jul 2026 15:30:00 BST"


def test_format_local_of_nothing_is_empty_text() -> None:
    assert format_local(None, LONDON) == ""


def test_format_local_accepts_a_custom_format() -> None:
    assert format_local(utc(2026, 7, 15, 14, 30), LONDON, "%H:%M") == "15:30"


def test_to_local_refuses_a_naive_time() -> None:
    with pytest.raises(ValueError, match="must carry a time zone"):
        to_local(datetime(2026, 7, 15, 14, 30), LONDON)


def test_to_local_keeps_the_instant() -> None:
    moment = utc(2026, 7, 15, 14, 30)
    local = to_local(moment, LONDON)
    assert local == moment
    assert (local.hour, local.tzname()) == (15, "BST")


# --- spring forward -----------------------------------------------------------------


@pytest.mark.parametrize(("year", "march", "_october"), CHANGE_DAYS)
def test_spring_forward_jumps_from_one_gmt_to_two_bst_at_one_utc(
    year: int, march: int, _october: int
) -> None:
    change = utc(year, 3, march, 1, 0)
    assert format_local(change - ONE_SECOND, LONDON) == f"{march} Mar {year} 00:59:59 GMT"
    assert format_local(change, LONDON) == f"{march} Mar {year} 02:00:00 BST"


def test_spring_forward_2026_last_second_of_gmt_and_first_second_of_bst() -> None:
    assert format_local(utc(2026, 3, 29, 0, 59, 59), LONDON) == "29 Mar 2026 00:59:59 GMT"
    assert format_local(utc(2026, 3, 29, 1, 0, 0), LONDON) == "29 Mar 2026 02:00:00 BST"


def test_the_missing_spring_hour_is_read_as_moved_forward_by_the_gap() -> None:
    # 01:30 does not exist in London on 29 March 2026: it is read as 01:30 GMT = 02:30 BST.
    stored = local_to_utc(datetime(2026, 3, 29, 1, 30), LONDON)
    assert stored == utc(2026, 3, 29, 1, 30)
    assert format_local(stored, LONDON) == "29 Mar 2026 02:30:00 BST"


def test_local_times_either_side_of_the_spring_gap_read_back_to_utc() -> None:
    assert local_to_utc(datetime(2026, 3, 29, 0, 59, 59), LONDON) == utc(2026, 3, 29, 0, 59, 59)
    assert local_to_utc(datetime(2026, 3, 29, 2, 0), LONDON) == utc(2026, 3, 29, 1, 0)


def test_fifteen_minutes_across_the_spring_change_is_fifteen_minutes() -> None:
    created = utc(2026, 3, 29, 0, 50)  # 00:50 GMT
    arrived = utc(2026, 3, 29, 1, 5)  # 02:05 BST on the wall clock
    status = attendance_status(
        created_at=created, arrived_at=arrived, now=arrived, target=timedelta(minutes=15)
    )
    assert status.elapsed == timedelta(minutes=15)
    assert status.breached is False


# --- fall back ----------------------------------------------------------------------


@pytest.mark.parametrize(("year", "_march", "october"), CHANGE_DAYS)
def test_fall_back_returns_from_two_bst_to_one_gmt_at_one_utc(
    year: int, _march: int, october: int
) -> None:
    change = utc(year, 10, october, 1, 0)
    assert format_local(change - ONE_SECOND, LONDON) == f"{october} Oct {year} 01:59:59 BST"
    assert format_local(change, LONDON) == f"{october} Oct {year} 01:00:00 GMT"


def test_the_repeated_autumn_hour_is_told_apart_by_fold() -> None:
    first = to_local(utc(2026, 10, 25, 0, 30), LONDON)
    second = to_local(utc(2026, 10, 25, 1, 30), LONDON)
    assert (first.hour, first.minute) == (second.hour, second.minute) == (1, 30)
    assert (first.fold, first.tzname()) == (0, "BST")
    assert (second.fold, second.tzname()) == (1, "GMT")
    assert format_local(utc(2026, 10, 25, 0, 30), LONDON) == "25 Oct 2026 01:30:00 BST"
    assert format_local(utc(2026, 10, 25, 1, 30), LONDON) == "25 Oct 2026 01:30:00 GMT"


def test_a_repeated_local_time_reads_as_the_first_one_unless_fold_is_set() -> None:
    assert local_to_utc(datetime(2026, 10, 25, 1, 30), LONDON) == utc(2026, 10, 25, 0, 30)
    assert local_to_utc(datetime(2026, 10, 25, 1, 30, fold=1), LONDON) == utc(2026, 10, 25, 1, 30)


def test_local_to_utc_round_trips_with_to_local_through_the_repeated_hour() -> None:
    for minutes in range(0, 181, 5):
        moment = utc(2026, 10, 24, 23, 30) + timedelta(minutes=minutes)
        wall = to_local(moment, LONDON).replace(tzinfo=None)
        assert local_to_utc(wall, LONDON) == moment


def test_local_to_utc_of_an_aware_time_just_converts_it() -> None:
    aware = datetime(2026, 7, 1, 12, 0, tzinfo=ZoneInfo(LONDON))
    assert local_to_utc(aware, "Asia/Tokyo") == utc(2026, 7, 1, 11, 0)


def test_fifteen_minutes_across_the_autumn_change_is_fifteen_minutes_in_utc() -> None:
    created = utc(2026, 10, 25, 0, 55)  # 01:55 BST
    arrived = utc(2026, 10, 25, 1, 10)  # 01:10 GMT: earlier on the wall clock
    assert arrived - created == timedelta(minutes=15)
    status = attendance_status(
        created_at=created, arrived_at=arrived, now=arrived, target=timedelta(minutes=15)
    )
    assert status.elapsed == timedelta(minutes=15)
    assert status.breached is False


def test_local_times_across_the_autumn_change_are_measured_in_utc_not_wall_clock() -> None:
    # Python subtracts two datetimes sharing one tzinfo by wall clock (-45 min here);
    # the rules convert to UTC first and get 15 minutes.
    created = to_local(utc(2026, 10, 25, 0, 55), LONDON)
    arrived = to_local(utc(2026, 10, 25, 1, 10), LONDON)
    assert arrived - created == timedelta(minutes=-45)
    status = attendance_status(
        created_at=created, arrived_at=arrived, now=arrived, target=timedelta(minutes=15)
    )
    assert status.elapsed == timedelta(minutes=15)
    assert status.breached is False
