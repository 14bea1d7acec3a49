"""The daily-level design: totals forecast per day, spread by an intraday profile; and the
cleaning of unusual days before the daily models are fitted (backtest.clean)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from watchhouse.forecasting.backtest import clean
from watchhouse.forecasting.demand import (
    ChannelHistory,
    ForecastOptions,
    forecast_demand,
    interval_starts,
)

pytestmark = pytest.mark.unit

ZONE = "Europe/London"
FIRST = date(2024, 1, 1)
DAYS, AHEAD = 364, 28
WEEKLY = np.array([1.2, 1.0, 1.0, 1.0, 1.1, 1.4, 0.9])  # Monday .. Sunday
OPTIONS = ForecastOptions(
    interval_minutes=60, horizon_days=AHEAD, timezone=ZONE, backtest_windows=2, holiday_region=None
)


def _profile() -> np.ndarray:
    """A known intraday shape per hour (quiet night, afternoon peak), summing to 1."""
    hour = np.arange(24)
    shape = 0.2 + np.exp(-0.5 * ((hour - 15) / 3.5) ** 2)
    return shape / shape.sum()


def _series(odd_days: dict[int, float] | None = None) -> tuple[ChannelHistory, np.ndarray]:
    """Hourly Poisson counts: known daily totals (a weekly cycle) spread by the known profile;
    odd_days multiplies the whole of some days (day index: factor)."""
    starts = interval_starts(FIRST, DAYS + AHEAD, interval_minutes=60, timezone=ZONE)
    local = pd.to_datetime(starts, unit="s", utc=True).tz_convert(ZONE)
    day = (np.asarray(local.tz_localize(None).normalize().asi8) // 86_400_000_000_000).astype(int)
    day -= day[0]
    totals = 2400 * WEEKLY[np.asarray(local.weekday)]
    hours = np.asarray(local.hour)
    mean = totals * _profile()[hours]
    # 23- and 25-hour days: scale so each day's mean still sums to its total
    per_day = np.bincount(day, weights=mean)
    mean = mean * (totals / per_day[day])
    if odd_days:
        for index, factor in odd_days.items():
            mean = np.where(day == index, mean * factor, mean)
    counts = np.random.default_rng(3).poisson(mean).astype(float)
    return ChannelHistory("999", starts, counts), mean


def _cut() -> int:
    """Intervals in the history (its spring and autumn days have 23 and 25 hours)."""
    return int(interval_starts(FIRST, DAYS, interval_minutes=60, timezone=ZONE).size)


def test_daily_totals_and_the_intraday_profile_are_recovered() -> None:
    history, mean = _series()
    cut = _cut()
    [forecast] = forecast_demand(
        [ChannelHistory("999", history.starts[:cut], history.counts[:cut])], options=OPTIONS
    )
    assert forecast.starts.tolist() == history.starts[cut:].tolist()
    local = pd.to_datetime(forecast.starts, unit="s", utc=True).tz_convert(ZONE)
    frame = pd.DataFrame(
        {"day": local.date, "hour": local.hour, "forecast": forecast.mean, "true": mean[cut:]}
    )
    daily = frame.groupby("day")[["forecast", "true"]].sum()
    error = np.abs(daily["forecast"] / daily["true"] - 1)
    print(f"{forecast.model}: daily totals within {error.max():.3f} (median {error.median():.3f})")
    assert error.median() < 0.03  # Poisson noise on 2,400 a day is about 2%
    assert error.max() < 0.08
    shares = frame.groupby("hour")["forecast"].sum() / frame["forecast"].sum()
    assert np.allclose(shares.to_numpy(), _profile(), atol=0.004)  # the known shape


def test_an_unusual_day_before_the_origin_is_not_copied_forward() -> None:
    # The last Saturday before the origin had three times its usual demand (a storm, a big
    # event no calendar named): next Saturdays are forecast at their usual level.
    history, mean = _series({DAYS - 2: 3.0})
    cut = _cut()
    [forecast] = forecast_demand(
        [ChannelHistory("999", history.starts[:cut], history.counts[:cut])], options=OPTIONS
    )
    local = pd.to_datetime(forecast.starts, unit="s", utc=True).tz_convert(ZONE)
    saturdays = np.asarray(local.weekday) == 5
    ratio = forecast.mean[saturdays].sum() / mean[cut:][saturdays].sum()
    print(f"{forecast.model}: Saturdays forecast at {ratio:.3f} of their true level")
    assert ratio == pytest.approx(1.0, abs=0.06)


def test_clean_replaces_only_unusual_days_by_their_weekday_median() -> None:
    rng = np.random.default_rng(5)
    y = np.tile(WEEKLY * 1000, 20) + rng.normal(0, 20, 140)
    odd = y.copy()
    odd[[30, 71, 139]] = [3000.0, 200.0, 2500.0]  # a storm, an outage, the last day
    cleaned = clean(odd)
    changed = np.flatnonzero(cleaned != odd)
    assert changed.tolist() == [30, 71, 139]
    for index in changed:
        assert cleaned[index] == pytest.approx(WEEKLY[index % 7] * 1000, rel=0.05)
    assert np.array_equal(clean(y), y)  # ordinary noise is left alone
