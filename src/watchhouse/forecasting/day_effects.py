"""Special days and their effect on a day's demand: bank holidays and a force's own events.

- Bank holidays come from the `holidays` package for a region: "ENG", "WLS", "SCT", "NIR"
  (the UK nations), or any country it knows with an optional subdivision ("GB-SCT", "US-NY",
  "FR", "DE-BY"); "none" for no holidays.
- A force's own events (`PlannedEvent`) are one of three kinds: `uplift` (a known factor:
  1.3 = 30% more contacts), `sunday` (the day is like a Sunday: Sunday's level against the
  weekday it falls on, and Sunday's intraday shape) or `holiday` (like a bank holiday: its
  effect is learnt from the history, by its name).
- Each holiday's effect is measured on the history: its day's demand against the same weekday
  one and two weeks either side. A holiday seen at least twice in the history gets its own
  factor (the median of its ratios); the others get the pooled median of every holiday's.
- Everything is estimated only from days up to a given one, so the backtest can estimate
  inside each fold.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

import holidays
import numpy as np
import pandas as pd

UK_NATIONS = ("ENG", "WLS", "SCT", "NIR")
EventKind = Literal["uplift", "sunday", "holiday"]
MIN_FACTOR, MAX_FACTOR = 0.02, 10.0


class HolidayRegionError(ValueError):
    """A holiday region the `holidays` package does not know."""


@dataclass(frozen=True, slots=True)
class PlannedEvent:
    """A known event the planner expects to change demand (e.g. a festival weekend)."""

    name: str
    first_day: date
    last_day: date
    uplift: float = 1.0  # 1.3 = 30% more contacts on each day of the event (kind "uplift")
    channels: frozenset[str] | None = None  # None: every channel
    kind: EventKind = "uplift"

    def covers(self, channel: str, day: date) -> bool:
        """True if the event applies to this channel on this local day."""
        in_range = self.first_day <= day <= self.last_day
        return in_range and (self.channels is None or channel in self.channels)

    def days(self) -> list[date]:
        """Every local day of the event."""
        span = (self.last_day - self.first_day).days
        return [self.first_day + timedelta(days=k) for k in range(span + 1)]


def region_holidays(region: str | None, first: date, last: date) -> dict[date, str]:
    """The public holidays of a region between two days (inclusive), by name."""
    if region is None or region.strip().lower() in ("", "none"):
        return {}
    code = region.strip().upper()
    country, _, subdivision = code.partition("-")
    if code in UK_NATIONS:
        country, subdivision = "GB", code
    years = range(first.year, last.year + 1)
    try:
        found = holidays.country_holidays(country, subdiv=subdivision or None, years=years)
    except NotImplementedError as exc:
        raise HolidayRegionError(
            f"unknown holiday region {region!r}: use ENG, WLS, SCT, NIR, a country code the "
            "holidays package knows (e.g. FR) with an optional subdivision (GB-SCT, US-NY), "
            "or none"
        ) from exc
    return {d: str(name) for d, name in found.items() if first <= d <= last}


def bank_holidays(first: date, last: date, region: str = "ENG") -> set[date]:
    """Bank holidays of a region between two days (inclusive)."""
    return set(region_holidays(region, first, last))


@dataclass(frozen=True, slots=True)
class SpecialDays:
    """A channel's special days: holidays by name (bank ones and `holiday` events), `sunday`
    events and `uplift` events."""

    holidays: Mapping[date, str]
    sundays: frozenset[date]
    uplifts: Mapping[date, float]

    def holiday_like(self) -> set[date]:
        """Days that take a holiday's or Sunday's intraday shape."""
        return set(self.holidays) | set(self.sundays)


def special_days(
    channel: str, bank: Mapping[date, str], events: Iterable[PlannedEvent]
) -> SpecialDays:
    """The special days that apply to one channel."""
    named = dict(bank)
    sundays: set[date] = set()
    uplifts: dict[date, float] = {}
    for event in events:
        for day in event.days():
            if not event.covers(channel, day):
                continue
            if event.kind == "holiday":
                named[day] = event.name
            elif event.kind == "sunday":
                sundays.add(day)
            else:
                uplifts[day] = uplifts.get(day, 1.0) * event.uplift
    return SpecialDays(named, frozenset(sundays), uplifts)


@dataclass(frozen=True, slots=True)
class DayEffects:
    """Multipliers on a day's demand, estimated from the history up to a day."""

    factors: dict[date, float]  # days not listed: 1.0
    pooled: float  # the pooled holiday factor (1.0 if the history has too few holidays)
    by_name: dict[str, float]  # holidays with a factor of their own

    def of(self, days: Sequence[date]) -> np.ndarray:
        """The multiplier of each day."""
        return np.array([self.factors.get(d, 1.0) for d in days])


def _ratio(values: Mapping[date, float], day: date, skip: set[date]) -> float | None:
    around = [
        values[d]
        for k in (-14, -7, 7, 14)
        if (d := day + timedelta(days=k)) in values and d not in skip
    ]
    if len(around) < 2 or np.mean(around) <= 0:
        return None
    return values[day] / float(np.mean(around))


def estimate_effects(
    daily: pd.Series, special: SpecialDays, *, until: date, days: Iterable[date]
) -> DayEffects:
    """Each special day's multiplier for `days`, learnt from the daily totals up to `until`
    (days with no data left out of `daily`)."""
    known = {d: float(v) for d, v in zip(daily.index.date, daily.to_numpy(), strict=True)}
    known = {d: v for d, v in known.items() if d <= until}
    skip = special.holiday_like() | set(special.uplifts)
    ratios: dict[str, list[float]] = {}
    for day, name in special.holidays.items():
        if day in known and (r := _ratio(known, day, skip)) is not None:
            ratios.setdefault(name, []).append(r)
    every = [r for rs in ratios.values() for r in rs]
    pooled = float(np.clip(np.median(every), MIN_FACTOR, MAX_FACTOR)) if len(every) >= 2 else 1.0
    by_name = {
        name: float(np.clip(np.median(rs), MIN_FACTOR, MAX_FACTOR))
        for name, rs in ratios.items()
        if len(rs) >= 2
    }
    sunday_ratio = _sunday_ratio(known, until, skip)
    factors: dict[date, float] = {}
    for day in days:
        factor = 1.0
        if day in special.holidays:
            factor *= by_name.get(special.holidays[day], pooled)
        elif day in special.sundays:
            factor *= sunday_ratio[day.weekday()]
        factor *= special.uplifts.get(day, 1.0)
        if factor != 1.0:
            factors[day] = factor
    return DayEffects(factors, pooled, by_name)


def _sunday_ratio(known: Mapping[date, float], until: date, skip: set[date]) -> list[float]:
    """Per weekday, the recent Sundays' median demand over that weekday's (8 weeks to until)."""
    recent = [(d, v) for d, v in known.items() if until - d < timedelta(weeks=8) and d not in skip]
    by_day: list[list[float]] = [[] for _ in range(7)]
    for day, value in recent:
        by_day[day.weekday()].append(value)
    sunday = float(np.median(by_day[6])) if by_day[6] else 0.0
    return [
        float(np.clip(sunday / np.median(v), MIN_FACTOR, MAX_FACTOR))
        if v and np.median(v) > 0 and by_day[6]
        else 1.0
        for v in by_day
    ]
