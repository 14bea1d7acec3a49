"""Benchmark: other ways to combine the backtest's candidates and to set the band's tails,
beside the product's own, on the public series of forecast_public.py, from one run each.

For every series and origin (as in forecast_public.py), the product's engine is run once with
every single candidate (MSTL, AutoETS, AutoARIMA, Theta, SeasonalNaive) in its final fit, and
with its held-out backtest intervals and the final forecast's expected counts and spreads
kept. Then, without refitting:

- combination rules: the daily forecast of each rule (the single best by backtest MASE, the
  mean of the best two, which the product uses, of the best three, medians, the mean of all,
  pools of the models within a share of the best, inverse-MASE weights to the power 1, 2,
  4 or 8) scored by daily MASE over the four origins, as a ratio to seasonal naive fitted
  directly (forecast_public.py);
- band rules: each tail's factor per demand-level bin as the pooled windows' quantile, the
  widest of the windows' own quantiles (the product's), their mean or median, the pooled
  quantile plus the windows' standard deviation, their mean plus half of it, halfway between
  the widest and the pooled, the windows' K/(K+1) quantile across the K windows, the second
  widest; the coverage of the held-out open intervals (inside, below,
  above; the mean of the origins').

    uv run --group bench python bench/forecast_rules.py [--series bank_calls flights ...]
"""

from __future__ import annotations

import argparse
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from forecast_public import HORIZON, MAKERS, _daily, _direct, _mase

from watchhouse.forecasting import backtest as bt
from watchhouse.forecasting import bands
from watchhouse.forecasting import demand as dm
from watchhouse.forecasting.demand import ForecastOptions
from watchhouse.services.planning_file import forecast_file, read_series

SINGLE = bt.SINGLE
kept: dict[str, Any] = {}
settings = {"windows": 3}  # backtest windows of every fit (forecast_nested.py --windows)


def _keep_everything() -> None:
    """Let the engine fit every single model at the end (its own choice unchanged) and keep
    what the rules need."""
    fit_members, run_backtest, fitted = bt._forecast, dm.backtest, dm.fit_and_forecast
    cross_fitted, band = dm.cross_fitted, bands.BandCalibration.band

    def members(frame: pd.DataFrame, names: set[str], **options: Any) -> pd.DataFrame:
        kept["members"] = fit_members(frame, set(names) | set(SINGLE), **options)
        return kept["members"]

    def tested(*args: Any, **options: Any) -> Any:
        kept["backtest"] = run_backtest(*args, **options)
        return kept["backtest"]

    def final(daily: Any, effects: Any, chosen: Any, *rest: Any) -> Any:
        out = fitted(daily, effects, chosen, *rest)
        channel = next(iter(daily))
        rows = kept["members"].sort_values("ds").reset_index(drop=True)
        factor = effects[channel].of([d.date() for d in rows["ds"]])
        kept["final"] = {m: rows[m].to_numpy() * factor for m in SINGLE}
        kept["days"] = [d.date() for d in rows["ds"]]
        return out

    def calibrate(held_out: Any, *, level: int) -> Any:
        kept["held_out"] = held_out
        return cross_fitted(held_out, level=level)

    def keep_band(self: bands.BandCalibration, mean: Any, spread: Any) -> Any:
        kept["spread"] = (mean, spread)
        return band(self, mean, spread)

    bt._forecast, dm.backtest, dm.fit_and_forecast = members, tested, final  # type: ignore[assignment]
    dm.cross_fitted = calibrate  # type: ignore[assignment]
    bands.BandCalibration.band = keep_band  # type: ignore[method-assign]


def _origin(name: str, k: int, folder: Path) -> dict[str, Any]:
    series = MAKERS[name]()
    daily = _daily(series)
    origin = (pd.Timestamp(daily.index[-1]) - pd.Timedelta(days=HORIZON * (k + 1))).date()
    end = origin + pd.Timedelta(days=HORIZON)
    train = daily[daily.index <= origin]
    held = daily[(daily.index > origin) & (daily.index <= end)]
    source = folder / "series.csv"
    series.frame[series.frame["time"].str[:10] <= origin.isoformat()].to_csv(source, index=False)
    history, missing = read_series(
        source,
        time_column="time",
        count_column="count",
        interval_minutes=series.interval,
        timezone=series.timezone,
    )
    ends = (origin - train.index[-1]).days
    options = ForecastOptions(
        interval_minutes=series.interval,
        horizon_days=HORIZON + ends,
        timezone=series.timezone,
        holiday_region=series.holidays,
        backtest_windows=settings["windows"],
    )
    result = forecast_file(history, missing, options=options).forecast
    times = pd.to_datetime(series.frame["time"], format="ISO8601", utc=series.timezone != "UTC")
    local = times.dt.tz_convert(series.timezone) if series.timezone != "UTC" else times
    epoch = (local.dt.tz_convert("UTC") if series.timezone != "UTC" else local).astype("int64")
    by_start = dict(zip(epoch.to_numpy() // 10**9, series.frame["count"].to_numpy(), strict=True))
    days = pd.to_datetime(result.starts, unit="s", utc=True).tz_convert(series.timezone).date
    has_data = {d for d in local.dt.date if origin < d <= end}
    keep = np.array([d in has_data for d in days])
    actual = np.array([by_start.get(int(s), 0.0) for s in result.starts], dtype=float)
    naive = _direct(train, list(held.index), HORIZON + ends)["SeasonalNaive"][0]
    print(f"  {name} origin {origin}", flush=True)
    return kept_run(
        name,
        train=train,
        held=held,
        naive=naive,
        actual=actual,
        open_intervals=keep & (result.mean > 0.05 * result.mean[keep].mean()),
        starts=result.starts,
        zone=series.timezone,
        region=series.holidays,
    )


def kept_run(
    name: str,
    *,
    train: pd.Series,
    held: pd.Series,
    naive: np.ndarray,
    actual: np.ndarray,
    open_intervals: np.ndarray,
    starts: np.ndarray | None = None,
    zone: str = "UTC",
    region: str | None = None,
) -> dict[str, Any]:
    """One origin's run as the last fit kept it: every single candidate's forecast of the held
    days, its backtest MASE, the held-out intervals and the spread, beside seasonal naive."""
    at = [kept["days"].index(d) for d in held.index]
    scores = {s.model: s.mase for s in next(iter(kept["backtest"].scores.values()))}
    return {
        "series": name,
        "held": held,
        "train": train,
        "naive": _mase(held, naive, train),
        "forecast": {m: np.maximum(kept["final"][m][at], 0.0) for m in SINGLE},
        "scores": {m: scores[m] for m in SINGLE},
        "held_out": kept["held_out"],
        "mean_spread": kept["spread"],
        "actual": actual,
        "open": open_intervals,
        "windows": backtest_days(),
        "starts": starts,  # the scored intervals' starts (epoch s), their zone and holidays
        "zone": zone,
        "region": region,
    }


def backtest_days() -> list[pd.DataFrame]:
    """The last backtest's held-out days of its one channel: actual, imputed, every single."""
    [frames] = kept["backtest"].windows.values()
    return [w[["ds", "y", "imputed", *SINGLE]].copy() for w in frames]


Rule = Callable[[dict[str, Any]], np.ndarray]


def _ranked(r: dict[str, Any]) -> list[str]:
    return sorted(SINGLE, key=lambda m: r["scores"][m])


def _mean_of(names: list[str]) -> Rule:
    return lambda r: np.mean([r["forecast"][m] for m in names], axis=0)


def _best(k: int, median: bool = False) -> Rule:
    pick = np.median if median else np.mean
    return lambda r: pick([r["forecast"][m] for m in _ranked(r)[:k]], axis=0)


def _pool(share: float) -> Rule:
    def rule(r: dict[str, Any]) -> np.ndarray:
        best = min(r["scores"].values())
        near = [m for m in SINGLE if r["scores"][m] <= (1 + share) * best]
        return np.mean([r["forecast"][m] for m in near], axis=0)

    return rule


def _inverse(power: float = 1.0, among: int = len(SINGLE)) -> Rule:
    def rule(r: dict[str, Any]) -> np.ndarray:
        weights = {m: r["scores"][m] ** -power for m in _ranked(r)[:among]}
        return sum(r["forecast"][m] * w for m, w in weights.items()) / sum(weights.values())

    return rule


COMBINATIONS: dict[str, Rule] = {
    "best one": _best(1),
    "mean of best two (product)": _best(2),
    "mean of best three": _best(3),
    "median of best three": _best(3, median=True),
    "mean of best four": _best(4),
    "mean of all five": _best(5),
    "median of all five": _best(5, median=True),
    "mean of the four fitted": _mean_of(list(SINGLE[:4])),
    "pool within 10% of best": _pool(0.10),
    "pool within 20% of best": _pool(0.20),
    "inverse-MASE weights": _inverse(),
    "inverse-squared-MASE weights": _inverse(2.0),
    "inverse-MASE^4 weights": _inverse(4.0),
    "inverse-MASE^8 weights": _inverse(8.0),
    "best two, inverse-MASE weights": _inverse(1.0, 2),
}


def _tails(windows: list[bands.HeldOut], how: str, level: int = 80) -> bands.BandCalibration:
    """bands.fit_bands with another way to join the windows' quantiles."""
    mean = np.concatenate([w.mean for w in windows])
    spread = np.concatenate([w.spread for w in windows])
    actual = np.concatenate([w.actual for w in windows])
    origin = np.concatenate([np.full(w.mean.size, k) for k, w in enumerate(windows)])
    cut = bands.open_threshold(mean)
    is_open = mean > cut
    mean, origin = mean[is_open], origin[is_open]
    score = (actual[is_open] - mean) / spread[is_open]
    count = int(np.clip(mean.size // bands.MIN_PER_BIN, 1, bands.MAX_BINS))
    edges = np.quantile(mean, np.arange(1, count) / count) if count > 1 else np.zeros(0)
    edges = np.unique(edges)
    which = np.searchsorted(edges, mean, side="right")

    def tail(q: float) -> np.ndarray:
        side = -1 if q < 0.5 else 1
        factors = []
        for b in range(edges.size + 1):
            own = which == b if np.sum(which == b) >= 20 else np.ones(score.size, dtype=bool)
            each = np.array(
                [
                    np.quantile(score[own & (origin == k)], q)
                    for k in np.unique(origin[own])
                    if np.sum(own & (origin == k)) >= 20
                ]
            )
            pooled = float(np.quantile(score[own], q))
            if each.size < 2 or how == "pooled":
                factors.append(pooled)
            elif how == "widest (product)":
                factors.append(float(each.min() if side < 0 else each.max()))
            elif how == "mean":
                factors.append(float(each.mean()))
            elif how == "median":
                factors.append(float(np.median(each)))
            elif how == "pooled + sd":
                factors.append(pooled + side * float(each.std(ddof=1)))
            elif how == "widest and pooled, halfway":
                widest = float(each.min() if side < 0 else each.max())
                factors.append((widest + pooled) / 2)
            elif how == "across windows, K/(K+1) quantile":
                k = each.size
                factors.append(float(np.quantile(each, 1 / (k + 1) if side < 0 else k / (k + 1))))
            elif how == "second widest":
                factors.append(float(np.sort(each)[1] if side < 0 else np.sort(each)[-2]))
            else:  # mean + sd / 2
                factors.append(float(each.mean()) + side * float(each.std(ddof=1)) / 2)
        return np.array(factors)

    return bands.BandCalibration(edges, tail((100 - level) / 200), tail((100 + level) / 200), cut)


BAND_RULES = (
    "pooled",
    "widest (product)",
    "mean",
    "median",
    "pooled + sd",
    "mean + sd / 2",
    "widest and pooled, halfway",
    "across windows, K/(K+1) quantile",
    "second widest",
)


def combination_table(runs: list[dict[str, Any]], names: list[str]) -> pd.DataFrame:
    """Per rule and series: the origins' mean daily MASE over seasonal naive's."""
    table = {}
    for rule_name, rule in COMBINATIONS.items():
        table[rule_name] = {
            s: np.mean([_mase(r["held"], rule(r), r["train"]) for r in runs if r["series"] == s])
            / np.mean([r["naive"] for r in runs if r["series"] == s])
            for s in names
        }
    return pd.DataFrame(table).T


def band_table(
    runs: list[dict[str, Any]], names: list[str]
) -> dict[tuple[str, str], tuple[float, float]]:
    """Per band rule and series: (below, above) on the held-out open intervals, origins' mean."""
    rows = {}
    for how in BAND_RULES:
        for s in names:
            below, above = [], []
            for r in (r for r in runs if r["series"] == s):
                lower, upper = _tails(r["held_out"], how).band(*r["mean_spread"])
                actual = r["actual"][r["open"]]
                below.append(np.mean(actual < lower[r["open"]]))
                above.append(np.mean(actual > upper[r["open"]]))
            rows[(how, s)] = (float(np.mean(below)), float(np.mean(above)))
    return rows


def main() -> None:
    """Run every series' origins once, then print both tables."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--series", nargs="*", default=[*MAKERS])
    args = parser.parse_args()
    print(f"load {os.getloadavg()}")
    _keep_everything()
    runs = []
    with tempfile.TemporaryDirectory() as folder:
        for name in args.series:
            runs += [_origin(name, k, Path(folder)) for k in reversed(range(4))]
    print("\ndaily MASE over seasonal naive fitted directly (ratio of the origins' means):")
    print(combination_table(runs, args.series).round(3).to_string())
    rows = {
        key: f"{1 - b - a:.1%} ({b:.1%} / {a:.1%})"
        for key, (b, a) in band_table(runs, args.series).items()
    }
    print("\n80% band, held-out open intervals: inside (below / above), mean of the origins:")
    print(pd.Series(rows).unstack().to_string())
    print(f"load after {os.getloadavg()}")


if __name__ == "__main__":
    main()
