"""Working days: deadlines counted in working days, in the force's local time.

A working day is a weekday that is not a bank holiday. The bank holidays are passed in
(services compute them with the `holidays` package); nothing here reads a calendar or a clock.

How a deadline of N working days is counted:

1. The event's *counting day* is the local date it happened, unless it happened on a day
   that is not a working day or at or after the end of the working day (for example 17:00):
   then it counts from the next working day, as if it had happened first thing that day.
2. The deadline is the end of the working day N working days after the counting day.

So with N = 1 and the working day ending at 17:00, an event on Monday at 10:00 is due by
Tuesday 17:00; at 18:00 on Monday, or at any time on Saturday, by Wednesday 17:00 and
Tuesday 17:00 respectively. The local end of the day is turned into UTC in the force's zone,
so deadlines either side of the March and October clock changes fall at 17:00 local time.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from watchhouse.domain.clock import local_to_utc, require_aware, to_local

# The longest run of days without a working day that the counting will step over: enough for
# any real calendar (Christmas to New Year is at most six days), small enough to catch a bank
# holiday list that wrongly holds every day.
_MAX_NON_WORKING_RUN = 31


@dataclass(frozen=True)
class WorkingCalendar:
    """When the working day ends, in which zone, and which days are bank holidays."""

    zone: str
    day_ends: time
    bank_holidays: Container[date]

    def is_working_day(self, day: date) -> bool:
        """Monday to Friday, and not a bank holiday."""
        return day.weekday() < 5 and day not in self.bank_holidays

    def next_working_day(self, day: date) -> date:
        """The first working day after `day`."""
        candidate = day
        for _ in range(_MAX_NON_WORKING_RUN):
            candidate += timedelta(days=1)
            if self.is_working_day(candidate):
                return candidate
        raise ValueError(f"no working day within {_MAX_NON_WORKING_RUN} days after {day}")

    def counting_day(self, moment: datetime) -> date:
        """The working day an event counts from: its own day, or the next working day when it
        happened on a non-working day or after the working day ended."""
        local = to_local(require_aware(moment, "event time"), self.zone)
        day = local.date()
        if self.is_working_day(day) and local.time() < self.day_ends:
            return day
        return self.next_working_day(day)

    def add_working_days(self, day: date, days: int) -> date:
        """The working day `days` working days after `day` (`day` itself for 0)."""
        if days < 0:
            raise ValueError(f"working days must not be negative (got {days})")
        result = day
        for _ in range(days):
            result = self.next_working_day(result)
        return result

    def end_of(self, day: date) -> datetime:
        """The end of the working day on `day`, as a UTC moment."""
        return local_to_utc(datetime.combine(day, self.day_ends), self.zone)

    def deadline(self, moment: datetime, working_days: int) -> datetime:
        """The end of the working day `working_days` working days after the event."""
        return self.end_of(self.add_working_days(self.counting_day(moment), working_days))

    def working_days_between(self, first: date, last: date) -> int:
        """How many working days fall after `first` up to and including `last`."""
        count, day = 0, first
        while day < last:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count
