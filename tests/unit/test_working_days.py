"""Deadlines in working days: weekends, England and Wales bank holidays, events after the
working day ends, and the clock changes in Europe/London. Every case written out as a table."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import holidays
import pytest

from watchhouse.domain.working_days import WorkingCalendar

pytestmark = pytest.mark.unit

BANK_HOLIDAYS = frozenset(holidays.country_holidays("GB", subdiv="ENG", years=range(2025, 2029)))
LONDON = WorkingCalendar(zone="Europe/London", day_ends=time(17, 0), bank_holidays=BANK_HOLIDAYS)


def utc(y: int, mo: int, d: int, h: int = 12, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=UTC)


# (event in UTC, working days, deadline in UTC, why)
# In winter London is UTC+0, so 17:00 local is 17:00 UTC; in summer (BST) it is 16:00 UTC.
DEADLINES = [
    # ordinary weeks (January 2026, GMT)
    (utc(2026, 1, 12, 10), 1, utc(2026, 1, 13, 17), "Monday morning: Tuesday's close"),
    (utc(2026, 1, 12, 10), 5, utc(2026, 1, 19, 17), "Monday + 5: the next Monday"),
    (utc(2026, 1, 15, 10), 1, utc(2026, 1, 16, 17), "Thursday: Friday"),
    (utc(2026, 1, 16, 10), 1, utc(2026, 1, 19, 17), "Friday: over the weekend to Monday"),
    (utc(2026, 1, 16, 10), 5, utc(2026, 1, 23, 17), "Friday + 5: the next Friday"),
    (utc(2026, 1, 14, 9), 2, utc(2026, 1, 16, 17), "Wednesday + 2: Friday"),
    (utc(2026, 1, 15, 9), 2, utc(2026, 1, 19, 17), "Thursday + 2: Monday"),
    (utc(2026, 1, 12, 10), 0, utc(2026, 1, 12, 17), "0 working days: the same day's close"),
    # weekends: the event counts from Monday
    (utc(2026, 1, 17, 10), 1, utc(2026, 1, 20, 17), "Saturday: counts from Monday, due Tuesday"),
    (utc(2026, 1, 18, 23, 59), 1, utc(2026, 1, 20, 17), "Sunday night: due Tuesday"),
    (utc(2026, 1, 17, 10), 5, utc(2026, 1, 26, 17), "Saturday + 5: Monday week"),
    (utc(2026, 1, 17, 10), 0, utc(2026, 1, 19, 17), "Saturday, 0 days: Monday's close"),
    # after the working day ends
    (utc(2026, 1, 12, 16, 59), 1, utc(2026, 1, 13, 17), "16:59 is still Monday"),
    (utc(2026, 1, 12, 17, 0), 1, utc(2026, 1, 14, 17), "17:00 Monday counts from Tuesday"),
    (utc(2026, 1, 12, 22, 30), 1, utc(2026, 1, 14, 17), "Monday evening: due Wednesday"),
    (utc(2026, 1, 16, 18), 1, utc(2026, 1, 20, 17), "Friday evening: counts Monday, due Tuesday"),
    (utc(2026, 1, 13, 0, 1), 1, utc(2026, 1, 14, 17), "just after midnight: that day counts"),
    (utc(2026, 1, 13, 6), 1, utc(2026, 1, 14, 17), "before the day starts: that day counts"),
    # Easter 2026: Good Friday 3 April, Easter Monday 6 April (BST: 17:00 local = 16:00 UTC)
    (utc(2026, 4, 2, 10), 1, utc(2026, 4, 7, 16), "Maundy Thursday: over Easter to Tuesday"),
    (utc(2026, 4, 2, 10), 5, utc(2026, 4, 13, 16), "Maundy Thursday + 5"),
    (utc(2026, 4, 3, 10), 1, utc(2026, 4, 8, 16), "Good Friday counts from Tuesday"),
    (utc(2026, 4, 6, 10), 1, utc(2026, 4, 8, 16), "Easter Monday counts from Tuesday"),
    (utc(2026, 4, 2, 16, 30), 1, utc(2026, 4, 8, 16), "Maundy Thursday 17:30 BST: after hours"),
    # Christmas 2026: Friday 25, Boxing Day Saturday 26 observed Monday 28; New Year Friday 1
    (utc(2026, 12, 24, 10), 1, utc(2026, 12, 29, 17), "Christmas Eve: due the 29th"),
    (utc(2026, 12, 24, 10), 5, utc(2027, 1, 5, 17), "Christmas Eve + 5 (New Year's Day off)"),
    (utc(2026, 12, 25, 10), 1, utc(2026, 12, 30, 17), "Christmas Day counts from the 29th"),
    (utc(2026, 12, 28, 10), 1, utc(2026, 12, 30, 17), "Boxing Day (observed) is not working"),
    (utc(2026, 12, 31, 10), 1, utc(2027, 1, 4, 17), "New Year's Eve: over New Year's Day"),
    (utc(2026, 12, 31, 17, 30), 1, utc(2027, 1, 5, 17), "New Year's Eve evening"),
    # Christmas 2027: both days at a weekend, observed Monday 27 and Tuesday 28
    (utc(2027, 12, 24, 10), 1, utc(2027, 12, 29, 17), "Friday 24th 2027: due Wednesday 29th"),
    (utc(2027, 12, 24, 10), 2, utc(2027, 12, 30, 17), "Friday 24th 2027 + 2"),
    # other bank holidays
    (utc(2026, 5, 1, 10), 1, utc(2026, 5, 5, 16), "Friday before the May Day Monday"),
    (utc(2026, 5, 22, 10), 1, utc(2026, 5, 26, 16), "Friday before the spring holiday"),
    (utc(2026, 8, 28, 10), 1, utc(2026, 9, 1, 16), "Friday before the late summer holiday"),
    # the clock changes: 29 March 2026 (to BST) and 25 October 2026 (to GMT)
    (utc(2026, 3, 27, 10), 1, utc(2026, 3, 30, 16), "Friday in GMT, due Monday in BST"),
    (utc(2026, 3, 27, 16, 30), 1, utc(2026, 3, 30, 16), "16:30 GMT Friday is before 17:00"),
    (utc(2026, 3, 30, 16, 30), 1, utc(2026, 4, 1, 16), "16:30 UTC is 17:30 BST: after hours"),
    (utc(2026, 3, 30, 15, 59), 1, utc(2026, 3, 31, 16), "15:59 UTC is 16:59 BST: in hours"),
    (utc(2026, 10, 23, 10), 1, utc(2026, 10, 26, 17), "Friday in BST, due Monday in GMT"),
    (utc(2026, 10, 23, 16, 30), 1, utc(2026, 10, 27, 17), "16:30 UTC Friday is 17:30 BST"),
    (utc(2026, 10, 25, 0, 30), 1, utc(2026, 10, 27, 17), "the repeated hour on Sunday"),
    (utc(2026, 10, 26, 16, 30), 1, utc(2026, 10, 27, 17), "16:30 UTC Monday is 16:30 GMT"),
    (utc(2026, 3, 29, 0, 30), 1, utc(2026, 3, 31, 16), "the missing hour on Sunday"),
    # an event at 23:30 UTC on Sunday is 00:30 BST on Monday: Monday counts
    (utc(2026, 6, 14, 23, 30), 1, utc(2026, 6, 16, 16), "Sunday 23:30 UTC is Monday in BST"),
]


@pytest.mark.parametrize(
    ("event", "days", "expected", "why"), DEADLINES, ids=[row[3] for row in DEADLINES]
)
def test_deadline_in_working_days(event: datetime, days: int, expected: datetime, why: str) -> None:
    assert LONDON.deadline(event, days) == expected, why


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 1, 12), True),
        (date(2026, 1, 17), False),
        (date(2026, 1, 18), False),
        (date(2026, 1, 1), False),
        (date(2026, 4, 3), False),
        (date(2026, 4, 6), False),
        (date(2026, 12, 25), False),
        (date(2026, 12, 28), False),
        (date(2026, 12, 29), True),
        (date(2027, 12, 28), False),
    ],
)
def test_working_days_are_weekdays_that_are_not_bank_holidays(day: date, working: bool) -> None:
    assert LONDON.is_working_day(day) is working


def test_a_deadline_always_falls_at_the_end_of_a_working_day() -> None:
    zone_day_end = time(17, 0)
    for hour in range(0, 24, 3):
        for day in range(1, 32):
            event = utc(2026, 12, day, hour)
            for n in (0, 1, 2, 5):
                due = LONDON.deadline(event, n)
                local = due.astimezone(ZoneInfo("Europe/London"))
                assert local.time() == zone_day_end
                assert LONDON.is_working_day(local.date())
                assert due > event


def test_one_more_working_day_is_never_earlier() -> None:
    for day in range(1, 29):
        event = utc(2026, 2, day, 9)
        deadlines = [LONDON.deadline(event, n) for n in range(0, 8)]
        assert deadlines == sorted(deadlines)
        assert len(set(deadlines)) == len(deadlines)


def test_a_working_day_ending_at_18_moves_the_after_hours_cut_off() -> None:
    late = WorkingCalendar(zone="Europe/London", day_ends=time(18, 0), bank_holidays=BANK_HOLIDAYS)
    assert late.deadline(utc(2026, 1, 12, 17, 30), 1) == utc(2026, 1, 13, 18)


def test_a_naive_event_time_is_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        LONDON.deadline(datetime(2026, 1, 12, 10), 1)


def test_negative_working_days_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        LONDON.deadline(utc(2026, 1, 12), -1)


def test_a_calendar_with_no_working_days_is_refused_rather_than_looping() -> None:
    every_day = frozenset(date.fromordinal(date(2026, 1, 1).toordinal() + i) for i in range(400))
    closed = WorkingCalendar(zone="Europe/London", day_ends=time(17), bank_holidays=every_day)
    with pytest.raises(ValueError, match="no working day"):
        closed.deadline(utc(2026, 1, 12), 1)


def test_working_days_between_counts_after_the_first_up_to_the_last() -> None:
    assert LONDON.working_days_between(date(2026, 12, 24), date(2026, 12, 31)) == 3
    assert LONDON.working_days_between(date(2026, 1, 12), date(2026, 1, 12)) == 0
