"""Benchmark: a level (bias) correction of the product's forecast, estimated in its own
backtest, tested nested (rules and criteria in bench/forecast_bias_rules.md, written first).

Each rule gives a factor f from the backtest's held-out days of the product's pair (the mean
of the two single models with the lowest backtest MASE; days standing in for missing ones
left out): the ratio of actual to forecast totals over every window or the last one, halfway
to 1, or over every window only when all windows err on the same side; clipped to
[0.8, 1.25]. The daily forecast, and the intervals' expected counts and spreads (final and
held-out, so the band is calibrated on the corrected forecast), are multiplied by f. No
refitting: the runs pickled by forecast_nested.py --save (which keep the backtest's days).

Choose: the synthetic force's runs and the public series' earlier origins; score: the public
series' usual four origins. Daily MASE over seasonal naive's (ratio of the origins' means);
80% band on held-out open intervals with the product's band rule (widest window).

    uv run --group bench python bench/forecast_bias.py --choose /tmp/f/syn.pkl:synthetic \\
        /tmp/f/early.pkl:public --score /tmp/f/late.pkl:public [--diagnose births]
"""

from __future__ import annotations

import argparse
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from forecast_nested import _band_miss
from forecast_public import _mase
from forecast_rules import _ranked, _tails

from watchhouse.forecasting import bands

LOW, HIGH = 0.8, 1.25


def _ratios(r: dict[str, Any]) -> list[float]:
    """Each backtest window's actual total over the product pair's forecast total."""
    pair = _ranked(r)[:2]
    out = []
    for w in r["windows"]:
        seen = ~w["imputed"].to_numpy(dtype=bool)
        forecast = w[pair].to_numpy().mean(axis=1)[seen]
        actual = w["y"].to_numpy(dtype=float)[seen]
        out.append(float(actual.sum() / forecast.sum()) if forecast.sum() > 0 else 1.0)
    return out


def _pooled(r: dict[str, Any], last: bool = False) -> float:
    pair = _ranked(r)[:2]
    frames = r["windows"][-1:] if last else r["windows"]
    rows = pd.concat(frames, ignore_index=True)
    rows = rows[~rows["imputed"].to_numpy(dtype=bool)]
    forecast = rows[pair].to_numpy().mean(axis=1).sum()
    return float(rows["y"].to_numpy(dtype=float).sum() / forecast) if forecast > 0 else 1.0


def _agreed(r: dict[str, Any]) -> float:
    each = np.array(_ratios(r))
    return _pooled(r) if np.all(each > 1) or np.all(each < 1) else 1.0


RULES: dict[str, Callable[[dict[str, Any]], float]] = {
    "none (product)": lambda r: 1.0,
    "all windows": _pooled,
    "last window": lambda r: _pooled(r, last=True),
    "all windows, halfway": lambda r: 1 + (_pooled(r) - 1) / 2,
    "last window, halfway": lambda r: 1 + (_pooled(r, last=True) - 1) / 2,
    "all windows, if agreed": _agreed,
}


def _factor(rule: str, r: dict[str, Any]) -> float:
    return float(np.clip(RULES[rule](r), LOW, HIGH))


def _daily(r: dict[str, Any]) -> np.ndarray:
    pair = _ranked(r)[:2]
    return np.mean([r["forecast"][m] for m in pair], axis=0)


def mase_table(runs: list[dict[str, Any]], names: list[str]) -> pd.DataFrame:
    """Per rule and series: origins' mean daily MASE over seasonal naive's."""
    table = {}
    for rule in RULES:
        table[rule] = {
            s: np.mean(
                [
                    _mase(r["held"], _daily(r) * _factor(rule, r), r["train"])
                    for r in runs
                    if r["series"] == s
                ]
            )
            / np.mean([r["naive"] for r in runs if r["series"] == s])
            for s in names
        }
    frame = pd.DataFrame(table).T
    frame["mean"] = frame[names].mean(axis=1)
    return frame


def band_cells(runs: list[dict[str, Any]], names: list[str]) -> dict[str, dict[str, str]]:
    """Per rule and series: 'inside (below / above) miss' on the held-out open intervals."""
    out: dict[str, dict[str, str]] = {}
    for rule in RULES:
        out[rule] = {}
        misses = []
        for s in names:
            below, above = [], []
            for r in (r for r in runs if r["series"] == s):
                f = _factor(rule, r)
                scaled = [bands.HeldOut(w.mean * f, w.spread * f, w.actual) for w in r["held_out"]]
                mean, spread = r["mean_spread"]
                lower, upper = _tails(scaled, "widest (product)").band(mean * f, spread * f)
                actual = r["actual"][r["open"]]
                below.append(np.mean(actual < lower[r["open"]]))
                above.append(np.mean(actual > upper[r["open"]]))
            b, a = float(np.mean(below)), float(np.mean(above))
            miss = 100 * _band_miss(b, a)
            misses.append(miss)
            out[rule][s] = f"{1 - b - a:.1%} ({b:.1%}/{a:.1%}) {miss:.1f}"
        out[rule]["mean miss"] = f"{np.mean(misses):.1f}"
    return out


def _load(spec: str) -> list[dict[str, Any]]:
    path, key = spec.rsplit(":", 1)
    runs: list[dict[str, Any]] = pickle.loads(Path(path).read_bytes())[key]
    return runs


def _show(title: str, runs: list[dict[str, Any]]) -> pd.DataFrame:
    names = list(dict.fromkeys(r["series"] for r in runs))
    factors = pd.DataFrame(
        {
            rule: {
                s: np.round([_factor(rule, r) for r in runs if r["series"] == s], 3) for s in names
            }
            for rule in RULES
        }
    ).T
    table = mase_table(runs, names)
    print(f"\n{title}: daily MASE over seasonal naive (origins' means):")
    print(table.round(3).to_string())
    print(f"\n{title}: 80% band, held-out open intervals, inside (below/above) miss:")
    print(pd.DataFrame(band_cells(runs, names)).T.to_string())
    print(f"\n{title}: the factors per origin:")
    print(factors.to_string())
    return table


def diagnose(runs: list[dict[str, Any]], series: str) -> None:
    """Per origin: held-out actual over forecast totals beside the backtest windows' ratios,
    and the held-out open intervals outside the product's band (error in % of the mean)."""
    for r in (r for r in runs if r["series"] == series):
        held = r["held"].to_numpy(dtype=float)
        print(
            f"{series} after {r['held'].index[0]}: held-out actual/forecast "
            f"{held.sum() / _daily(r).sum():.3f}, backtest windows {np.round(_ratios(r), 3)}"
        )
        mean, spread = r["mean_spread"]
        calibration = _tails(r["held_out"], "widest (product)")
        lower, upper = calibration.band(mean, spread)
        where = np.flatnonzero(r["open"])
        error = 100 * (r["actual"][where] / mean[where] - 1)
        print(
            f"  tails {calibration.low.round(2)} / {calibration.high.round(2)} spreads; "
            f"median spread {np.median(spread[where] / mean[where]):.1%} of the mean"
        )
        for side, out in (("below", r["actual"] < lower), ("above", r["actual"] > upper)):
            found = [f"#{k} {e:+.1f}%" for k, e in zip(where, error, strict=True) if out[k]]
            print(f"  {side} (interval # from the origin): {', '.join(found) or '-'}")


def main() -> None:
    """Print the choose sets' and the scoring set's tables and the rule chosen."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--choose", nargs="+", required=True, metavar="PKL:KEY")
    parser.add_argument("--score", nargs="+", default=[], metavar="PKL:KEY")
    parser.add_argument("--diagnose", metavar="SERIES", help="also diagnose one scored series")
    args = parser.parse_args()
    pd.set_option("display.width", 250)
    means = pd.DataFrame(
        {spec: _show(f"CHOOSE {spec}", _load(spec))["mean"] for spec in args.choose}
    )
    means["mean of the choose sets"] = means.mean(axis=1)
    chosen = str(means["mean of the choose sets"].idxmin())
    print("\nchoose sets' means:")
    print(means.round(4).to_string())
    print(f"\nchosen: {chosen!r}")
    for spec in args.score:
        _show(f"SCORE {spec}", _load(spec))
        if args.diagnose:
            diagnose(_load(spec), args.diagnose)


if __name__ == "__main__":
    main()
