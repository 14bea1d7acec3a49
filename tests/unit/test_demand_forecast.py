"""Demand forecasts: better than the seasonal naive baseline on history with a known pattern."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from watchhouse.forecasting.demand import (
    BASELINE,
    ChannelForecast,
    ChannelHistory,
    ForecastInputError,
    ForecastOptions,
    PlannedEvent,
    bank_holidays,
    forecast_demand,
    interval_starts,
)

pytestmark = pytest.mark.unit

ZONE = "Europe/London"
FIRST = date(2023, 1, 2)
BANK_HOLIDAY_FACTOR = 0.7


def _expected(starts: np.ndarray, per_day: float) -> np.ndarray:
    """A known pattern: intraday peak mid-afternoon, busy weekends, a summer high, holidays low."""
    local = pd.to_datetime(starts, unit="s", utc=True).tz_convert(ZONE)
    hour = local.hour + local.minute / 60
    intraday = 1 + 0.8 * np.cos(2 * np.pi * (hour - 15) / 24)
    weekly = np.where(local.weekday >= 5, 1.3, 1.0)
    annual = 1 + 0.25 * np.cos(2 * np.pi * (local.dayofyear - 196) / 365.25)
    bank = bank_holidays(FIRST, FIRST + timedelta(days=4 * 365))
    holiday = np.where(np.isin(local.date, list(bank)), BANK_HOLIDAY_FACTOR, 1.0)
    slots = len(starts) / ((starts[-1] - starts[0] + 1800) / 86400)
    return per_day / slots * intraday * weekly * annual * holiday


def _history(days: int, per_day: float, seed: int) -> tuple[ChannelHistory, np.ndarray]:
    starts = interval_starts(FIRST, days, interval_minutes=30, timezone=ZONE)
    mean = _expected(starts, per_day)
    counts = np.random.default_rng(seed).poisson(mean).astype(float)
    return ChannelHistory("999", starts, counts), mean


OPTIONS = ForecastOptions(interval_minutes=30, horizon_days=28, timezone=ZONE, backtest_windows=2)


@pytest.fixture(scope="module")
def known_pattern() -> tuple[ChannelHistory, ChannelHistory, np.ndarray]:
    """Three years of history and the four weeks after it (actuals and their true mean)."""
    full, mean = _history(3 * 365 + 28, per_day=900, seed=7)
    cut = full.starts.size - interval_starts(FIRST, 28, interval_minutes=30, timezone=ZONE).size
    history = ChannelHistory("999", full.starts[:cut], full.counts[:cut])
    actual = ChannelHistory("999", full.starts[cut:], full.counts[cut:])
    return history, actual, mean[cut:]


@pytest.fixture(scope="module")
def plain(known_pattern: tuple[ChannelHistory, ChannelHistory, np.ndarray]) -> ChannelForecast:
    """The forecast of the known pattern with no planned events."""
    [forecast] = forecast_demand([known_pattern[0]], options=OPTIONS)
    return forecast


def test_forecast_beats_seasonal_naive_on_a_known_pattern(
    known_pattern: tuple[ChannelHistory, ChannelHistory, np.ndarray], plain: ChannelForecast
) -> None:
    history, actual, _ = known_pattern
    forecast = plain
    assert forecast.starts.tolist() == actual.starts.tolist()
    week = 7 * 48
    naive = np.tile(history.counts[-week:], 4)  # the baseline: the same slot last week
    model_error = np.mean(np.abs(actual.counts - forecast.mean))
    naive_error = np.mean(np.abs(actual.counts - naive))
    print(f"{forecast.model}: MAE {model_error:.2f} against seasonal naive {naive_error:.2f}")
    assert model_error < 0.85 * naive_error
    assert forecast.model != BASELINE
    assert forecast.score(forecast.model).mase < forecast.score(BASELINE).mase
    # every candidate's backtest score is reported beside the chosen one
    reported = {s.model for s in forecast.scores}
    assert {"MSTL", "AutoETS", "AutoARIMA", "Theta", "Ensemble", BASELINE} <= reported


def test_prediction_intervals_cover_about_their_level(
    known_pattern: tuple[ChannelHistory, ChannelHistory, np.ndarray], plain: ChannelForecast
) -> None:
    _, actual, _ = known_pattern
    forecast = plain
    inside = (actual.counts >= forecast.lower) & (actual.counts <= forecast.upper)
    print(f"held-out 80% band coverage {inside.mean():.3f}, backtest {forecast.interval_coverage}")
    assert 0.74 <= inside.mean() <= 0.86  # Poisson noise around the known pattern
    assert 0.74 <= forecast.interval_coverage <= 0.86  # the backtest's, cross-fitted
    chosen = forecast.score(forecast.model)
    assert 0.0 <= chosen.coverage <= 1.0  # the daily model's own, before calibration


def test_overdispersed_intraday_noise_widens_the_band_to_its_level() -> None:
    # Gamma-Poisson (negative binomial) noise, variance 4 x the mean in every interval: a band
    # from Poisson noise alone would cover far less than 80% of the intervals.
    starts = interval_starts(FIRST, 400 + 28, interval_minutes=30, timezone=ZONE)
    mean = _expected(starts, 900)
    rng = np.random.default_rng(11)
    counts = rng.poisson(rng.gamma(shape=mean / 3, scale=3)).astype(float)
    cut = starts.size - interval_starts(FIRST, 28, interval_minutes=30, timezone=ZONE).size
    history = ChannelHistory("101", starts[:cut], counts[:cut])
    [forecast] = forecast_demand([history], options=OPTIONS)
    held_out = counts[cut:]
    inside = (held_out >= forecast.lower) & (held_out <= forecast.upper)
    print(f"overdispersed: coverage {inside.mean():.3f}, backtest {forecast.interval_coverage}")
    assert 0.74 <= inside.mean() <= 0.86
    assert 0.74 <= forecast.interval_coverage <= 0.86
    poisson_only = np.sqrt(forecast.mean) * 1.2816  # z for 80%, the Poisson half-width
    assert np.median((forecast.upper - forecast.mean) / poisson_only) > 1.6


def test_bank_holidays_are_learnt_from_history_and_put_back(
    plain: ChannelForecast,
) -> None:
    assert plain.bank_holiday_factor == pytest.approx(BANK_HOLIDAY_FACTOR, abs=0.08)


def test_planned_event_uplifts_only_its_days_and_channels(
    known_pattern: tuple[ChannelHistory, ChannelHistory, np.ndarray], plain: ChannelForecast
) -> None:
    history, actual, _ = known_pattern

    days = pd.to_datetime(actual.starts, unit="s", utc=True).tz_convert(ZONE).date
    festival = days[len(days) // 2]
    events = [
        PlannedEvent("festival", festival, festival, 1.5),
        PlannedEvent("chat outage", festival, festival, 3.0, channels=frozenset({"live_chat"})),
    ]
    [uplifted] = forecast_demand([history], options=OPTIONS, events=events)
    on = days == festival
    assert np.allclose(uplifted.mean[on], plain.mean[on] * 1.5)
    assert np.allclose(uplifted.mean[~on], plain.mean[~on])


def test_too_little_history_is_refused_with_how_much_is_needed() -> None:
    short, _ = _history(30, per_day=100, seed=1)
    with pytest.raises(ForecastInputError, match="need at least 56 whole days"):
        forecast_demand([short], options=OPTIONS)


def test_a_gap_in_the_history_is_missing_not_zero() -> None:
    full, _ = _history(120, per_day=400, seed=1)
    counts = full.counts.copy()
    counts[30 * 48 : 44 * 48] = np.nan  # two weeks with no data, not two closed weeks
    [gappy] = forecast_demand([ChannelHistory("101", full.starts, counts)], options=OPTIONS)
    [whole] = forecast_demand([full], options=OPTIONS)
    assert gappy.mean.sum() == pytest.approx(whole.mean.sum(), rel=0.1)


def test_decreasing_interval_starts_are_refused() -> None:
    full, _ = _history(60, per_day=100, seed=1)
    backwards = ChannelHistory("101", full.starts[::-1].copy(), full.counts)
    with pytest.raises(ForecastInputError, match="101: interval starts must be increasing"):
        forecast_demand([backwards], options=OPTIONS)
