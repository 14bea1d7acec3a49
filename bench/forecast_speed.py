"""Benchmark (small): the forecast alone, four channels, 12 weeks of 15-minute intervals from
three years, the default policy's backtest; to compare two versions side by side.

The history is made here (Poisson counts around a known daily, weekly and annual pattern, seed
1), so no Parquet force is needed. Run it with this checkout and with another (the baseline)
one after the other, e.g.:

    uv run python bench/forecast_speed.py
    PYTHONPATH=/path/to/baseline/src uv run python bench/forecast_speed.py
"""

from __future__ import annotations

import os
import time
from datetime import date

import numpy as np
import pandas as pd

import watchhouse.forecasting.demand as demand

ZONE = "Europe/London"
CHANNELS = {"999": 900, "101": 1500, "live_chat": 300, "online_report": 200}


def histories() -> list[demand.ChannelHistory]:
    """Three years of 15-minute counts for the four planned channels."""
    starts = demand.interval_starts(
        date(2022, 1, 1), 3 * 365 + 1, interval_minutes=15, timezone=ZONE
    )
    local = pd.to_datetime(starts, unit="s", utc=True).tz_convert(ZONE)
    hour = np.asarray(local.hour) + np.asarray(local.minute) / 60
    shape = (1 + 0.8 * np.cos(2 * np.pi * (hour - 15) / 24)) * np.where(
        np.asarray(local.weekday) >= 5, 1.3, 1.0
    )
    annual = 1 + 0.2 * np.cos(2 * np.pi * (np.asarray(local.dayofyear) - 196) / 365.25)
    rng = np.random.default_rng(1)
    return [
        demand.ChannelHistory(c, starts, rng.poisson(n / 96 * shape * annual).astype(float))
        for c, n in CHANNELS.items()
    ]


def main() -> None:
    """Time one forecast of every channel and print the models chosen."""
    history = histories()
    options = demand.ForecastOptions(
        interval_minutes=15, horizon_days=84, timezone=ZONE, backtest_windows=3, profile_weeks=8
    )
    began = time.perf_counter()
    forecasts = demand.forecast_demand(history, options=options)
    seconds = time.perf_counter() - began
    print(
        f"{demand.__file__}: {seconds:.1f} s, models {[f.model for f in forecasts]}, "
        f"load {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
