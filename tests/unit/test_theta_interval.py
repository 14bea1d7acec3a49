"""Theta's daily prediction interval (backtest._forecast) on simulated days whose true 80%
interval is known: a flat weekday level plus normal noise, sd 30, so the 80% half-width is
about 1.28 x 30 = 38.4 and about 80% of held-out weekdays fall inside it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from watchhouse.forecasting.backtest import _forecast

pytestmark = pytest.mark.unit

TRAIN, AHEAD, SD, LEVEL = 280, 28, 30.0, 80
TRUE_HALF = 1.2816 * SD


def _held_out(weekend: float, seed: int) -> tuple[float, float]:
    """(mean half-width, coverage) of Theta's 80% interval on the held-out weekdays."""
    rng = np.random.default_rng(seed)
    days = pd.date_range("2024-01-01", periods=TRAIN + AHEAD, freq="D")
    y = 1000 + rng.normal(0, SD, days.size)
    closed = np.isin(days.dayofweek, [5, 6])
    y[closed] *= weekend
    frame = pd.DataFrame({"unique_id": "calls", "ds": days[:TRAIN], "y": y[:TRAIN]})
    out = _forecast(frame, {"Theta"}, annual=False, horizon=AHEAD, level=LEVEL)
    lo, hi = out["Theta-lo"].to_numpy(), out["Theta-hi"].to_numpy()
    actual, weekday = y[TRAIN:], ~closed[TRAIN:]
    inside = (actual >= lo) & (actual <= hi)
    return float(np.mean((hi - lo)[weekday] / 2)), float(np.mean(inside[weekday]))


@pytest.mark.parametrize(
    "weekend",
    [
        0.0,  # closed weekends: statsforecast decomposes additively (the bank's case)
        0.5,  # quieter weekends: multiplicative decomposition
    ],
)
def test_theta_interval_has_the_asked_width_and_coverage(weekend: float) -> None:
    runs = [_held_out(weekend, seed) for seed in range(4)]
    half = np.mean([h for h, _ in runs])
    covered = np.mean([c for _, c in runs])
    # the closed-weekend case was 606 wide (16 x) and held every day before the correction
    assert 0.8 * TRUE_HALF < half < 1.4 * TRUE_HALF
    assert 0.65 <= covered <= 0.92
