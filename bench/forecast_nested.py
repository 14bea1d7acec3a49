"""Benchmark: a nested test of the combination and band rules of forecast_rules.py. Each rule
is **chosen** on the synthetic force's channels (series the public benchmark never sees) and
only then **scored** on the public series of forecast_public.py, so the public figures are
not the ones the rule was picked on.

Choose: three years of the default synthetic force (contacts.parquet of `watchhouse synth`
or bench/planning.py), the planned channels at 15 minutes, Europe/London, England's bank
holidays; `--synthetic-origins` origins 28 days apart ending 28 days before the history's
end, each forecasting the next 28 days with the product's engine (default backtest: three
windows). Every single candidate's final forecast, its backtest scores and the held-out
intervals are kept (as forecast_rules.py) and every rule is scored without refitting:

- combination rule: the lowest mean over channels of (the origins' mean daily MASE over
  seasonal naive's, naive = the last week repeated, on the raw daily totals);
- band rule: the lowest mean over channels of |inside - 80%| + |below - 10%| + |above - 10%|
  on the held-out open intervals (origins' mean).

Score: the same tables on the public series (four origins each, as forecast_public.py), the
chosen rules marked, beside the product's current rules.

    uv run --group bench python bench/forecast_nested.py --parquet /tmp/forecast_pq \\
        [--synthetic-origins 8] [--series bank_calls flights mpls_stops births] [--windows 6]

`--windows N` fits every origin (synthetic and public) with N backtest windows (default 3,
the policy's); the bank's short history caps its own.
"""

from __future__ import annotations

import argparse
import os
import pickle
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from forecast_public import HORIZON, MAKERS
from forecast_rules import (
    BAND_RULES,
    _keep_everything,
    _origin,
    band_table,
    combination_table,
    kept_run,
    settings,
)
from planning import _history

from watchhouse.forecasting.demand import ChannelHistory, ForecastOptions, forecast_demand
from watchhouse.policy import load_policy

PRODUCT_COMBINATION = "mean of best two (product)"
PRODUCT_BAND = "widest (product)"


def _local_days(starts: np.ndarray, zone: str) -> np.ndarray:
    return np.asarray(pd.to_datetime(starts, unit="s", utc=True).tz_convert(zone).date)


def level_shifted(history: ChannelHistory, zone: str, rng: np.random.Generator) -> ChannelHistory:
    """The channel's counts times a step level: a new level every 28 to 84 local days, each
    the last times exp(N(0, 0.08)), the first 1 (a choose set whose level moves)."""
    days = _local_days(history.starts, zone)
    first = days[0]
    number = np.array([(d - first).days for d in days])
    level = np.ones(number.max() + 1)
    at = 0
    while True:
        at += int(rng.integers(28, 85))
        if at > number.max():
            break
        level[at:] = level[at - 1] * float(np.exp(rng.normal(0.0, 0.08)))
    return ChannelHistory(history.channel, history.starts, history.counts * level[number])


def synthetic_runs(
    parquet: Path, origins: int, shift_seed: int | None = None
) -> list[dict[str, Any]]:
    """Every planned channel's outer origins, kept as forecast_rules._origin keeps them."""
    policy = load_policy()
    zone = policy.force.timezone
    channels = [c.value for c in policy.planning.channels]
    histories, _ = _history(parquet / "contacts.parquet", channels)
    if shift_seed is not None:
        rng = np.random.default_rng(shift_seed)
        histories = [level_shifted(h, zone, rng) for h in histories]
    runs = []
    for history in histories:
        days = _local_days(history.starts, zone)
        daily = pd.Series(history.counts).groupby(days).sum().astype(float)
        daily = daily.iloc[1:-1]  # whole local days only
        for k in reversed(range(origins)):
            origin = daily.index[-1 - HORIZON * (k + 1)]
            end = daily.index[-1 - HORIZON * k]
            cut = int(np.searchsorted(days, origin, side="right"))
            options = ForecastOptions(
                interval_minutes=15,
                horizon_days=HORIZON,
                timezone=zone,
                backtest_windows=settings["windows"],
            )
            began = time.process_time()
            [result] = forecast_demand(
                [ChannelHistory(history.channel, history.starts[:cut], history.counts[:cut])],
                options=options,
            )
            train = daily[daily.index <= origin]
            held = daily[(daily.index > origin) & (daily.index <= end)]
            naive = np.tile(train.to_numpy()[-7:], HORIZON // 7 + 1)[: held.size]
            where = np.searchsorted(history.starts, result.starts)
            actual = history.counts[np.minimum(where, history.counts.size - 1)]
            print(
                f"  {history.channel} origin {origin}: {result.model} "
                f"({time.process_time() - began:.1f} s CPU)",
                flush=True,
            )
            runs.append(
                kept_run(
                    history.channel,
                    train=train,
                    held=held,
                    naive=naive,
                    actual=actual,
                    open_intervals=result.mean > 0.05 * result.mean.mean(),
                    starts=result.starts,
                    zone=zone,
                    region=options.holiday_region,
                )
            )
    return runs


def _band_miss(below: float, above: float) -> float:
    return abs(1 - below - above - 0.8) + abs(below - 0.1) + abs(above - 0.1)


def _bands_frame(cells: dict[tuple[str, str], tuple[float, float]]) -> pd.DataFrame:
    return pd.Series(
        {k: f"{1 - b - a:.1%} ({b:.1%} / {a:.1%})" for k, (b, a) in cells.items()}
    ).unstack()


def main() -> None:
    """Choose on the synthetic force, then score on the public series; print both."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--parquet", type=Path)
    parser.add_argument("--synthetic-origins", type=int, default=8)
    parser.add_argument("--series", nargs="*", default=[*MAKERS])
    parser.add_argument("--skip-public", action="store_true")
    parser.add_argument(
        "--windows", type=int, default=3, help="backtest windows of every fit (default 3)"
    )
    parser.add_argument(
        "--level-shifts",
        type=int,
        metavar="SEED",
        help="the synthetic channels times a step level that moves (level_shifted)",
    )
    parser.add_argument("--save", type=Path, help="pickle the kept runs here (to rescore)")
    parser.add_argument(
        "--load",
        type=Path,
        help="rescore the runs pickled by --save (no fitting): its synthetic runs choose",
    )
    parser.add_argument(
        "--public-origins",
        type=int,
        nargs=2,
        default=(0, 4),
        metavar=("FIRST", "END"),
        help="the public origins k in [FIRST, END), k = 0 the last 28 days (default 0 4)",
    )
    parser.add_argument(
        "--skip-synthetic",
        action="store_true",
        help="only the public tables (e.g. of earlier origins, --public-origins 4 8, to choose on)",
    )
    args = parser.parse_args()
    settings["windows"] = args.windows
    print(f"load {os.getloadavg()}, backtest windows {args.windows}")
    _keep_everything()
    pd.set_option("display.width", 200)
    chosen_combination, chosen_band = PRODUCT_COMBINATION, PRODUCT_BAND
    saved = pickle.loads(args.load.read_bytes()) if args.load else {}
    if "synthetic" in saved:
        chosen_combination, chosen_band = _choose(saved["synthetic"])
    elif not args.skip_synthetic:
        runs = synthetic_runs(args.parquet, args.synthetic_origins, args.level_shifts)
        if args.save:
            args.save.write_bytes(pickle.dumps({"synthetic": runs}))
        chosen_combination, chosen_band = _choose(runs)
    if args.skip_public:
        return
    public = saved.get("public", [])
    first, end = args.public_origins
    args.series = [s for s in args.series if not public or s in {r["series"] for r in public}]
    with tempfile.TemporaryDirectory() as folder:
        for name in args.series:
            if args.load is None:
                public += [_origin(name, k, Path(folder)) for k in reversed(range(first, end))]
    if args.save:
        saved = pickle.loads(args.save.read_bytes()) if args.save.exists() else {}
        args.save.write_bytes(pickle.dumps(saved | {"public": public}))
    scored = combination_table(public, args.series)
    scored["mean"] = scored[args.series].mean(axis=1)
    if "synthetic" in saved or not args.skip_synthetic:
        scored["chosen on synthetic"] = [
            "<- chosen" if r == chosen_combination else "" for r in scored.index
        ]
    print(f"\nSCORE (public series, origins {first} to {end - 1} back): daily MASE over naive:")
    print(scored.round(3).to_string())
    cells = band_table(public, args.series)
    table = _bands_frame(cells)
    table["mean miss"] = pd.Series(
        {h: np.mean([_band_miss(*cells[(h, s)]) for s in args.series]) for h in BAND_RULES}
    ).round(3)
    print("\nSCORE (public series): 80% band on held-out open intervals, inside (below/above):")
    print(table.to_string())
    if "synthetic" in saved or not args.skip_synthetic:
        print(f"\nchosen on synthetic: {chosen_combination!r} and {chosen_band!r}")
    print(
        f"lowest on these public origins (to choose on when they are not scored): "
        f"{scored['mean'].idxmin()!r} and {table['mean miss'].idxmin()!r}"
    )
    print(f"product today: {PRODUCT_COMBINATION!r} and {PRODUCT_BAND!r}")
    print(f"load after {os.getloadavg()}")


def _choose(runs: list[dict[str, Any]]) -> tuple[str, str]:
    """The synthetic force's tables and the rules they choose."""
    names = list(dict.fromkeys(r["series"] for r in runs))
    combos = combination_table(runs, names)
    combos["mean"] = combos[names].mean(axis=1)
    chosen_combination = str(combos["mean"].idxmin())
    print("\nCHOOSE (synthetic force): daily MASE over seasonal naive, origins' means:")
    print(combos.round(3).to_string())
    cells = band_table(runs, names)
    miss = pd.Series(
        {how: np.mean([_band_miss(*cells[(how, s)]) for s in names]) for how in BAND_RULES}
    )
    chosen_band = str(miss.idxmin())
    table = _bands_frame(cells)
    table["mean miss"] = miss.round(3)
    print("\nCHOOSE (synthetic force): 80% band on held-out open intervals, inside (below/above):")
    print(table.to_string())
    print(f"\nchosen: combination {chosen_combination!r}, band {chosen_band!r}")
    print(f"load {os.getloadavg()}", flush=True)
    return chosen_combination, chosen_band


if __name__ == "__main__":
    main()
