"""Benchmark: the band rules of bench/forecast_bands_rules.md (branch forecast5), nested.

Rescores runs pickled by forecast_nested.py --save (no fitting): every candidate rule's 80%
band on the held-out open intervals of each run (the origins' mean of below and above, per
series or channel), the miss |inside - 80| + |below - 10| + |above - 10| in points, the
rule chosen on the CHOOSE sets by the lowest mean of their misses, and the adoption
criteria of the rules file checked on the SCORE set.

    uv run --group bench python bench/forecast_bands.py \\
        --choose /tmp/forecast5/early.pkl:public /tmp/forecast5/shift.pkl:synthetic \\
        [--score /tmp/forecast5/late.pkl:public]
"""

from __future__ import annotations

import argparse
import os
import pickle
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from watchhouse.forecasting import bands
from watchhouse.forecasting.day_effects import region_holidays

PRODUCT = "a100"


@dataclass(frozen=True)
class Rule:
    """How each tail's factor is joined from the windows' quantiles, and where it widens."""

    low_w: float  # lower tail: P + w (W - P)
    high_w: float  # upper tail
    max_bins: int = bands.MAX_BINS
    widen: str | None = None  # "next": days next to a named day; "unnamed": unnamed days
    widen_q: float = 0.10  # the lower quantile used there (0.025: the 95% band's)


RULES: dict[str, Rule] = {
    "a0": Rule(0.0, 0.0),
    "a25": Rule(0.25, 0.25),
    "a50": Rule(0.5, 0.5),
    "a75": Rule(0.75, 0.75),
    "a100": Rule(1.0, 1.0),
    "b1": Rule(1.0, 1.0, max_bins=1),
    "b8": Rule(1.0, 1.0, max_bins=8),
    "bLW": Rule(1.0, 0.0),
    "bUW": Rule(0.0, 1.0),
    "b50x8": Rule(0.5, 0.5, max_bins=8),
    "cN": Rule(1.0, 1.0, widen="next", widen_q=0.025),
    "cN50": Rule(0.5, 0.5, widen="next", widen_q=0.025),
    "cU": Rule(1.0, 1.0, widen="unnamed", widen_q=0.075),
    "cU50": Rule(0.5, 0.5, widen="unnamed", widen_q=0.075),
}


@dataclass(frozen=True)
class Fitted:
    edges: np.ndarray
    low: np.ndarray
    high: np.ndarray
    wide_low: np.ndarray


def fit(windows: list[bands.HeldOut], rule: Rule, level: int = 80) -> Fitted:
    """bands.fit_bands with the rule's join, bins and the widened lower factor."""
    mean = np.concatenate([w.mean for w in windows])
    spread = np.concatenate([w.spread for w in windows])
    actual = np.concatenate([w.actual for w in windows])
    origin = np.concatenate([np.full(w.mean.size, k) for k, w in enumerate(windows)])
    is_open = mean > bands.open_threshold(mean)
    mean, origin = mean[is_open], origin[is_open]
    score = (actual[is_open] - mean) / spread[is_open]
    count = int(np.clip(mean.size // bands.MIN_PER_BIN, 1, rule.max_bins))
    edges = np.quantile(mean, np.arange(1, count) / count) if count > 1 else np.zeros(0)
    edges = np.unique(edges)
    which = np.searchsorted(edges, mean, side="right")

    def tail(q: float, w: float) -> np.ndarray:
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
            if each.size < 2:
                factors.append(pooled)
                continue
            widest = float(each.min() if q < 0.5 else each.max())
            factors.append(pooled + w * (widest - pooled))
        return np.array(factors)

    alpha = (100 - level) / 200
    return Fitted(
        edges, tail(alpha, rule.low_w), tail(1 - alpha, rule.high_w), tail(rule.widen_q, rule.low_w)
    )


def widened_days(run: dict[str, Any], how: str) -> np.ndarray:
    """Per scored interval: True where the rule widens the lower tail."""
    days = pd.to_datetime(run["starts"], unit="s", utc=True).tz_convert(run["zone"]).date
    first, last = min(days) - timedelta(days=1), max(days) + timedelta(days=1)
    named = set(region_holidays(run["region"], first, last))

    def next_to(d: date) -> bool:
        return d not in named and (d - timedelta(days=1) in named or d + timedelta(days=1) in named)

    pick = next_to if how == "next" else (lambda d: d not in named)
    flags = {d: pick(d) for d in set(days)}
    return np.array([flags[d] for d in days])


def covered(run: dict[str, Any], rule: Rule) -> tuple[float, float]:
    """(below, above) of one run's held-out open intervals under the rule."""
    f = fit(run["held_out"], rule)
    mean, spread = run["mean_spread"]
    assert run["starts"] is None or len(run["starts"]) == mean.size
    which = np.searchsorted(f.edges, mean, side="right")
    low = f.low[which]
    if rule.widen is not None:
        low = np.where(widened_days(run, rule.widen), f.wide_low[which], low)
    lower = np.clip(mean + low * spread, 0.0, mean)
    upper = np.maximum(mean + f.high[which] * spread, mean)
    keep = run["open"]
    actual = run["actual"][keep]
    return float(np.mean(actual < lower[keep])), float(np.mean(actual > upper[keep]))


def miss(below: float, above: float) -> float:
    """Points from the target: |inside - 80| + |below - 10| + |above - 10|."""
    return 100 * (abs(1 - below - above - 0.8) + abs(below - 0.1) + abs(above - 0.1))


def table(runs: list[dict[str, Any]]) -> tuple[pd.DataFrame, pd.Series]:
    """Per rule and series: 'inside (below / above)' and the misses; the mean miss per rule."""
    names = list(dict.fromkeys(r["series"] for r in runs))
    cells, misses = {}, {}
    for name, rule in RULES.items():
        for s in names:
            each = [covered(r, rule) for r in runs if r["series"] == s]
            below, above = (float(np.mean([e[i] for e in each])) for i in (0, 1))
            cells[(name, s)] = f"{1 - below - above:.1%} ({below:.1%} / {above:.1%})"
            misses[(name, s)] = miss(below, above)
    frame = pd.Series(cells).unstack()[names]
    miss_frame = pd.Series(misses).unstack()[names]
    frame["mean miss"] = miss_frame.mean(axis=1).round(2)
    return frame.loc[list(RULES)], miss_frame.loc[list(RULES)]


def _load(spec: str) -> tuple[str, list[dict[str, Any]]]:
    path, key = spec.rsplit(":", 1)
    return spec, pickle.loads(Path(path).read_bytes())[key]


def main() -> None:
    """Choose on the CHOOSE sets, then check the criteria on the SCORE set."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--choose", nargs="+", required=True, metavar="PKL:KEY")
    parser.add_argument("--score", metavar="PKL:KEY")
    args = parser.parse_args()
    pd.set_option("display.width", 250)
    print(f"load {os.getloadavg()}")
    set_means = {}
    for spec in args.choose:
        name, runs = _load(spec)
        frame, misses = table(runs)
        set_means[name] = misses.mean(axis=1)
        print(f"\nCHOOSE {name}: 80% band, held-out open intervals, inside (below / above):")
        print(frame.to_string())
    choose = pd.DataFrame(set_means)
    choose["choose mean"] = choose.mean(axis=1)
    chosen = str(choose["choose mean"].idxmin())
    print("\nCHOOSE: mean miss per set (points)")
    print(choose.round(2).to_string())
    gain = choose.loc[PRODUCT, "choose mean"] - choose.loc[chosen, "choose mean"]
    worse = [s for s in set_means if choose.loc[chosen, s] > choose.loc[PRODUCT, s]]
    first = gain >= 1.0 and not worse
    print(
        f"\nchosen: {chosen!r}; beats {PRODUCT} by {gain:.2f} points (needs >= 1); "
        f"worse on {worse or 'no set'}: criterion (i) {'met' if first else 'NOT met'}"
    )
    if args.score:
        name, runs = _load(args.score)
        frame, misses = table(runs)
        print(f"\nSCORE {name}: 80% band, held-out open intervals, inside (below / above):")
        print(frame.to_string())
        rise = misses.loc[chosen] - misses.loc[PRODUCT]
        mean_falls = misses.loc[chosen].mean() < misses.loc[PRODUCT].mean()
        second = bool((rise <= 1.0).all()) and mean_falls
        print(
            f"\nchosen {chosen!r} against {PRODUCT}: miss change per series "
            f"{rise.round(2).to_dict()}, mean {misses.loc[chosen].mean():.2f} against "
            f"{misses.loc[PRODUCT].mean():.2f}: criterion (ii) {'met' if second else 'NOT met'}"
        )
        print(f"ADOPT: {'yes' if first and second else 'no'}")
    print(f"load after {os.getloadavg()}")


if __name__ == "__main__":
    main()
