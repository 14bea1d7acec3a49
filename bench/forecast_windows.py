"""Benchmark (small): the forecast's CPU, choice and stored band coverage with 3 and with 6
backtest windows, alternately in one process, on forecast_speed.py's histories (four
channels, three years of 15-minute counts, 12 weeks ahead).

    uv run python bench/forecast_windows.py
"""

from __future__ import annotations

import os
import time

from forecast_speed import ZONE, histories

import watchhouse.forecasting.demand as demand


def main() -> None:
    """Forecast with 3, 6, 3 and 6 windows; print CPU, wall, models, MASE and coverage."""
    history = histories()
    for windows in (3, 6, 3, 6):
        options = demand.ForecastOptions(
            interval_minutes=15,
            horizon_days=84,
            timezone=ZONE,
            backtest_windows=windows,
            profile_weeks=8,
        )
        cpu, wall = time.process_time(), time.perf_counter()
        out = demand.forecast_demand(history, options=options)
        print(
            f"windows {windows}: CPU {time.process_time() - cpu:.1f} s, "
            f"wall {time.perf_counter() - wall:.1f} s, models {[f.model for f in out]}, "
            f"MASE {[round(f.score(f.model).mase, 3) for f in out]}, "
            f"coverage {[round(f.interval_coverage, 3) for f in out]}, "
            f"load {os.getloadavg()[0]:.1f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
