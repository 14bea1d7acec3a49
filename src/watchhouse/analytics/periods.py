"""Periods in local time: which periods a range reports, their labels, and the calendar table
that puts each local day in its periods (so no engine needs date functions of its own)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import holidays
import pyarrow as pa

from watchhouse.analytics.model import Period


@dataclass(frozen=True)
class PeriodSpan:
    """One reported period: its first and last local day and its label."""

    period: Period
    start: date
    last: date
    label: str


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _starts(period: Period, first: date, last: date, week_start: int = 0) -> Iterable[date]:
    """Start days of the periods of this kind that begin within [first, last] (weeks begin on
    `week_start`: 0 Monday ... 6 Sunday)."""
    if period == Period.DAY:
        day = first
        step = timedelta(days=1)
    elif period == Period.WEEK:
        day = first + timedelta(days=(week_start - first.weekday()) % 7)
        step = timedelta(days=7)
    else:
        months = 3 if period == Period.QUARTER else 1
        day = _month_start(first)
        if period == Period.QUARTER:
            day = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
        while day < first:
            day = _add_months(day, months)
        while day <= last:
            yield day
            day = _add_months(day, months)
        return
    while day <= last:
        yield day
        day += step


def spans(period: Period, first: date, last: date, week_start: int = 0) -> list[PeriodSpan]:
    """The periods a range [first, last] reports: those starting within it (rolling 12 months:
    one window ending with each month that starts within it). Weeks begin on `week_start` (0
    Monday, the ISO week labelled 2024-W19; 6 Sunday, ...; other than Monday a week is
    labelled by its first day, "w/c 2024-05-05")."""
    if last < first:
        raise ValueError(f"the range ends ({last}) before it starts ({first})")
    if period == Period.ROLLING_12:
        result = []
        for month in _starts(Period.MONTH, first, last):
            window_start = _add_months(month, -11)
            window_last = _add_months(month, 1) - timedelta(days=1)
            label = f"12 months to {month:%Y-%m}"
            result.append(PeriodSpan(period, window_start, window_last, label))
        return result
    result = []
    for start in _starts(period, first, last, week_start):
        if period == Period.DAY:
            result.append(PeriodSpan(period, start, start, start.isoformat()))
        elif period == Period.WEEK:
            iso = start.isocalendar()
            label = f"{iso.year}-W{iso.week:02d}" if week_start == 0 else f"w/c {start}"
            result.append(PeriodSpan(period, start, start + timedelta(days=6), label))
        elif period == Period.MONTH:
            last_day = _add_months(start, 1) - timedelta(days=1)
            result.append(PeriodSpan(period, start, last_day, f"{start:%Y-%m}"))
        else:
            last_day = _add_months(start, 3) - timedelta(days=1)
            label = f"{start.year}-Q{(start.month - 1) // 3 + 1}"
            result.append(PeriodSpan(period, start, last_day, label))
    return result


def span_at(period: Period, period_start: date, week_start: int = 0) -> PeriodSpan:
    """The one period of this kind that starts on this day (refused if none does)."""
    if period == Period.ROLLING_12:
        found = spans(period, _add_months(period_start, 11), _add_months(period_start, 11))
    else:
        found = spans(period, period_start, period_start, week_start)
    if not found or found[0].start != period_start:
        raise ValueError(f"no {period.value} period starts on {period_start.isoformat()}")
    return found[0]


def calendar_table(periods: Sequence[PeriodSpan]) -> pa.Table:
    """Rows (period, period_start, day): every local day of every period, for the engine."""
    kinds: list[str] = []
    starts: list[date] = []
    days: list[date] = []
    for span in periods:
        day = span.start
        while day <= span.last:
            kinds.append(span.period.value)
            starts.append(span.start)
            days.append(day)
            day += timedelta(days=1)
    return pa.table(
        {
            "period": pa.array(kinds, pa.string()),
            "period_start": pa.array(starts, pa.date32()),
            "day": pa.array(days, pa.date32()),
        }
    )


def working_days_table(
    first: date, last: date, *, country: str = "GB", subdiv: str = "ENG"
) -> pa.Table:
    """Rows (day, workday_index): the number of working days (Monday to Friday, not a bank
    holiday) up to and including each day, so working days between two days is a difference."""
    bank = holidays.country_holidays(country, subdiv=subdiv, years=range(first.year, last.year + 1))
    days: list[date] = []
    index: list[int] = []
    count = 0
    day = first
    while day <= last:
        if day.weekday() < 5 and day not in bank:
            count += 1
        days.append(day)
        index.append(count)
        day += timedelta(days=1)
    return pa.table(
        {"day": pa.array(days, pa.date32()), "workday_index": pa.array(index, pa.int64())}
    )
