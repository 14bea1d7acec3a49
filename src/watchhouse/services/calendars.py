"""The force's working calendar: its zone, when the working day ends, and bank holidays from the
`holidays` package (England and Wales by default)."""

from __future__ import annotations

from collections.abc import Container
from datetime import date, time
from functools import lru_cache

import holidays

from watchhouse.domain.working_days import WorkingCalendar
from watchhouse.services.context import AppContext


@lru_cache(maxsize=8)
def bank_holidays(region: str) -> Container[date]:
    """The bank holidays of a UK region (ENG, WLS, SCT, NIR): the `holidays` package works out
    each year's the first time a day of that year is asked about."""
    found: Container[date] = holidays.country_holidays("GB", subdiv=region)
    return found


def working_calendar_for(*, zone: str, day_ends: time, region: str) -> WorkingCalendar:
    """A working calendar for a zone, a working-day end and a bank holiday region."""
    return WorkingCalendar(zone=zone, day_ends=day_ends, bank_holidays=bank_holidays(region))


def working_calendar(ctx: AppContext) -> WorkingCalendar:
    """The working calendar the force's policy describes."""
    code = ctx.policy.victims_code
    return working_calendar_for(
        zone=ctx.policy.force.timezone,
        day_ends=code.working_day_ends,
        region=code.bank_holiday_region,
    )
