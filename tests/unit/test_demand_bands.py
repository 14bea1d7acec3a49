"""Prediction bands that hold where it matters: series with closed hours and skewed counts.

Each case simulates history and the four weeks after it with a fixed seed, forecasts, and
checks the 80% band on the held-out open intervals (expected demand above 5% of the average
interval): inside 75-85%, and each tail (below, above) 5-15%. The backtest's own cross-fitted
coverage, which the product stores and prints, is checked against the same ranges.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from watchhouse.forecasting.bands import HeldOut, fit_bands
from watchhouse.forecasting.demand import (
    ChannelForecast,
    ChannelHistory,
    ForecastOptions,
    forecast_demand,
    interval_starts,
)

pytestmark = pytest.mark.unit

ZONE = "Europe/London"
FIRST = date(2024, 1, 1)
DAYS, AHEAD = 420, 28
OPTIONS = ForecastOptions(
    interval_minutes=30, horizon_days=AHEAD, timezone=ZONE, backtest_windows=3
)


def _pattern(starts: np.ndarray, *, open_hours: tuple[int, int] | None, peak: float) -> np.ndarray:
    local = pd.to_datetime(starts, unit="s", utc=True).tz_convert(ZONE)
    hour = np.asarray(local.hour) + np.asarray(local.minute) / 60
    weekday = np.asarray(local.weekday)
    shape = 0.35 + 0.65 * np.sin(np.pi * np.clip((hour - 6) / 18, 0, 1)) ** 2
    weekly = np.where(weekday == 0, 1.25, np.where(weekday >= 5, 0.8, 1.0))
    mean = peak * shape * weekly
    if open_hours is not None:  # a bank's phone lines: weekdays only, office hours
        is_open = (hour >= open_hours[0]) & (hour < open_hours[1]) & (weekday < 5)
        mean = np.where(is_open, mean, 0.0)
    return mean


def _forecast_and_score(
    mean: np.ndarray, counts: np.ndarray, starts: np.ndarray
) -> tuple[ChannelForecast, float, float, float]:
    cut = starts.size - interval_starts(FIRST, AHEAD, interval_minutes=30, timezone=ZONE).size
    [forecast] = forecast_demand(
        [ChannelHistory("bank", starts[:cut], counts[:cut])], options=OPTIONS
    )
    actual = counts[cut:]
    is_open = forecast.mean > 0.05 * forecast.mean.mean()
    assert np.all(is_open[mean[cut:] > 1.0])  # every truly open interval is counted as open
    below = float(np.mean(actual[is_open] < forecast.lower[is_open]))
    above = float(np.mean(actual[is_open] > forecast.upper[is_open]))
    print(
        f"open coverage {1 - below - above:.3f} (below {below:.3f}, above {above:.3f}); "
        f"backtest {forecast.interval_coverage:.3f} ({forecast.coverage_below:.3f}, "
        f"{forecast.coverage_above:.3f}) over {forecast.open_intervals} open intervals"
    )
    return forecast, 1 - below - above, below, above


def _assert_honest(forecast: ChannelForecast, inside: float, below: float, above: float) -> None:
    assert 0.75 <= inside <= 0.85
    assert 0.05 <= below <= 0.15
    assert 0.05 <= above <= 0.15
    assert 0.75 <= forecast.interval_coverage <= 0.85  # what is stored and printed
    assert 0.05 <= forecast.coverage_below <= 0.15
    assert 0.05 <= forecast.coverage_above <= 0.15


def test_closed_hours_do_not_shrink_the_band_for_open_hours() -> None:
    starts = interval_starts(FIRST, DAYS + AHEAD, interval_minutes=30, timezone=ZONE)
    mean = _pattern(starts, open_hours=(8, 18), peak=40.0)
    rng = np.random.default_rng(20261206)
    counts = rng.poisson(rng.gamma(shape=np.maximum(mean, 1e-9) / 2, scale=2)).astype(float)
    forecast, inside, below, above = _forecast_and_score(mean, counts, starts)
    _assert_honest(forecast, inside, below, above)
    # over half the intervals are closed: a pooled |error| factor would have shrunk the band
    assert np.mean(mean == 0) > 0.5


def test_skewed_overdispersed_counts_get_a_longer_upper_tail() -> None:
    starts = interval_starts(FIRST, DAYS + AHEAD, interval_minutes=30, timezone=ZONE)
    mean = _pattern(starts, open_hours=None, peak=25.0)
    rng = np.random.default_rng(17)
    # negative binomial with size 2: variance mean + mean^2 / 2, long upper tail
    counts = rng.poisson(rng.gamma(shape=2.0, scale=mean / 2)).astype(float)
    forecast, inside, below, above = _forecast_and_score(mean, counts, starts)
    _assert_honest(forecast, inside, below, above)
    busy = forecast.mean > np.quantile(forecast.mean, 0.5)
    up = forecast.upper[busy] - forecast.mean[busy]
    down = forecast.mean[busy] - forecast.lower[busy]
    assert np.mean(up > down) > 0.9  # the band is not symmetric on skewed counts


def test_a_silent_or_constant_channel_is_forecast_without_error() -> None:
    starts = interval_starts(FIRST, 100, interval_minutes=60, timezone=ZONE)
    options = ForecastOptions(interval_minutes=60, horizon_days=14, timezone=ZONE)
    [silent] = forecast_demand(
        [ChannelHistory("fax", starts, np.zeros(starts.size))], options=options
    )
    assert silent.mean.sum() == pytest.approx(0.0, abs=1e-6)
    assert np.isnan(silent.interval_coverage) and silent.open_intervals == 0  # nothing open
    [steady] = forecast_demand(
        [ChannelHistory("feed", starts, np.ones(starts.size))], options=options
    )
    assert steady.mean.sum() == pytest.approx(14 * 24, rel=0.05)
    assert np.all(steady.lower <= steady.mean) and np.all(steady.mean <= steady.upper)


def test_a_backtest_window_whose_level_moved_widens_its_tail() -> None:
    # Three backtest windows of 300 open intervals; in the last, demand ran 30% above the
    # forecast (a season's turn, a timetable change). The upper band must reach that window's
    # own 90th percentile, which one quantile of the pooled windows would not.
    rng = np.random.default_rng(5)
    mean = np.full(300, 20.0)
    spread = np.sqrt(mean)
    steady = [HeldOut(mean, spread, rng.poisson(mean).astype(float)) for _ in range(2)]
    moved = HeldOut(mean, spread, rng.poisson(1.3 * mean).astype(float))
    calibration = fit_bands([*steady, moved], level=80)
    _, upper = calibration.band(mean, spread)
    assert np.mean(moved.actual > upper) <= 0.10
    pooled = np.concatenate([w.actual for w in (*steady, moved)])
    assert upper[0] > np.quantile(pooled, 0.9)  # wider than the pooled quantile
    # the steady windows' lower tail is not widened by the window that moved up
    lower, _ = calibration.band(mean, spread)
    assert np.mean(steady[0].actual < lower) <= 0.12
