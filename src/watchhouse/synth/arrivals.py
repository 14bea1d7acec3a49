"""When contacts arrive: daily, weekly and annual cycles, bank holidays, growth and surges."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import numpy as np

from watchhouse.synth.profile import SynthProfile

INTERVAL_SECONDS = 900
YEAR_SECONDS = 365.25 * 86400
LONDON = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class DemandShape:
    """Relative demand for each 15-minute interval of a period (mean about 1)."""

    starts: np.ndarray  # epoch seconds (UTC) of each interval start
    factor: np.ndarray  # relative demand of each interval

    def expected(self, per_year: float, growth: float, origin: float) -> np.ndarray:
        """Expected contacts in each interval for a channel of this yearly volume and growth."""
        years = (self.starts - origin) / YEAR_SECONDS
        per_interval = per_year * INTERVAL_SECONDS / YEAR_SECONDS
        return per_interval * self.factor * np.power(1.0 + growth, years)


def _bank_holidays(first: date, last: date) -> set[date]:
    years = range(first.year, last.year + 1)
    return set(holidays.country_holidays("GB", subdiv="ENG", years=years).keys())


def demand_shape(profile: SynthProfile, start: datetime, end: datetime) -> DemandShape:
    """The demand shape for [start, end) in UTC, read in London local time."""
    hour = np.asarray(profile.hour_of_day, dtype=float)
    hour = hour / hour.mean()
    dow = np.asarray(profile.day_of_week, dtype=float)
    dow = dow / dow.mean()
    first = int(start.timestamp()) // INTERVAL_SECONDS * INTERVAL_SECONDS
    starts = np.arange(first, int(end.timestamp()), INTERVAL_SECONDS, dtype=np.int64)
    bank = _bank_holidays(start.date() - timedelta(days=1), end.date())
    majors = {date.fromisoformat(d) for d in profile.major_incident_days}
    factor = np.empty(len(starts))
    for i, epoch in enumerate(starts.tolist()):
        local = datetime.fromtimestamp(epoch, UTC).astimezone(LONDON)
        day = local.date()
        f = hour[local.hour] * dow[local.weekday()]
        f *= 1.0 + profile.seasonal_amplitude * math.cos(
            2 * math.pi * (day.timetuple().tm_yday - 196) / 365.25
        )
        if day in bank:
            f *= profile.bank_holiday_factor
        if ((day.month, day.day) == (12, 31) and local.hour >= 18) or (
            (day.month, day.day) == (1, 1) and local.hour < 6
        ):
            f *= profile.new_years_eve_factor
        summer_weekend = day.month in (6, 7, 8) and (
            (local.weekday() == 4 and local.hour >= 18) or local.weekday() in (5, 6)
        )
        if summer_weekend:
            f *= profile.summer_weekend_factor
        if day in majors:
            f *= profile.major_incident_factor
        factor[i] = f
    return DemandShape(starts, factor)


def arrival_times(rng: np.random.Generator, shape: DemandShape, expected: np.ndarray) -> np.ndarray:
    """Poisson arrivals in each interval, spread uniformly within it; sorted epoch seconds."""
    counts = rng.poisson(expected)
    base = np.repeat(shape.starts, counts).astype(np.float64)
    times = base + rng.random(len(base)) * INTERVAL_SECONDS
    times.sort()
    return times
