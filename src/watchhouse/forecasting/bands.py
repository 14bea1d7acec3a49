"""Prediction bands per interval, calibrated on the rolling-origin backtest's held-out intervals.

Each interval has an expected count `mean` and a `spread` (the daily model's uncertainty spread
by the intraday profile, plus the intraday noise: see demand.py). The band is

    lower = mean + q_low x spread,   upper = mean + q_high x spread

where q_low and q_high are the (1 - level)/2 and (1 + level)/2 quantiles of the held-out
standardised errors (actual - mean) / spread, taken **separately for each tail** (counts are
skewed: the upper tail is longer) and **separately for each demand level** (the held-out
intervals are put in bins by their expected count, so quiet nights and busy afternoons each
get their own factors). Each tail's factor is **the widest of the backtest windows' own
quantiles** (each window's quantile taken on its intervals alone), not one quantile of the
pooled windows: the level of demand moves between windows (a timetable change, a season, a
holiday period), and a pooled quantile is narrower than the tail of a window that moved. If
the windows are exchangeable, the next window's tail lies beyond all K past windows' with
probability 1 / (K + 1) only. Measured (bench/README.md): on the public series, the open
intervals' coverage 83.3% on flights (66.8% pooled), 74.1% on Births (70.5%), 83.8% on
MplsStops (78.2%), 88.9% on the bank (82.3%; 87.9% with Theta's interval corrected,
branch forecast4): wider where the windows disagree.

Open intervals are those whose expected count is above `OPEN_SHARE` (5%) of the channel's
average interval in the backtest: closed hours (a bank's night, a front counter's Sunday)
score about 0 and would otherwise shrink the band for the hours that matter. Closed intervals
are left out of the calibration and of the coverage reported; their band comes from the
quietest open bin. The coverage reported is cross-fitted: each backtest window is scored with
the factors learnt from the other windows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Floats = NDArray[np.float64]

OPEN_SHARE = 0.05  # open interval: expected count above 5% of the average interval
MIN_PER_BIN = 150  # held-out open intervals needed for a demand-level bin of its own
MAX_BINS = 4


@dataclass(frozen=True, slots=True)
class HeldOut:
    """One backtest window's intervals: the expected count, its spread and what happened."""

    mean: Floats
    spread: Floats
    actual: Floats


@dataclass(frozen=True, slots=True)
class BandCalibration:
    """Per demand-level bin, the two tails' factors in spreads (upper edges of the bins)."""

    edges: Floats  # upper edge of every bin but the last, on the expected count
    low: Floats  # q_low per bin (usually negative)
    high: Floats  # q_high per bin
    open_threshold: float  # expected count at or below which an interval counts as closed

    def band(self, mean: Floats, spread: Floats) -> tuple[Floats, Floats]:
        """(lower, upper) for intervals with these expected counts and spreads."""
        which = np.searchsorted(self.edges, mean, side="right")
        # the band always holds the expected count (a biased backtest can put both tails on
        # one side of it); never below zero
        lower = np.clip(mean + self.low[which] * spread, 0.0, mean)
        upper = np.maximum(mean + self.high[which] * spread, mean)
        return lower, upper

    def half_width(self) -> float:
        """The median of (q_high - q_low) / 2 over the bins: one number for summaries."""
        return float(np.median((self.high - self.low) / 2))


@dataclass(frozen=True, slots=True)
class BandCoverage:
    """Share of the open held-out intervals inside the band, below it and above it."""

    inside: float
    below: float
    above: float
    open_intervals: int


NO_COVERAGE = BandCoverage(float("nan"), float("nan"), float("nan"), 0)


def open_threshold(mean: Floats) -> float:
    """The expected count at or below which an interval counts as closed."""
    return OPEN_SHARE * float(np.mean(mean)) if mean.size else 0.0


def fit_bands(
    windows: Sequence[HeldOut], *, level: int, threshold: float | None = None
) -> BandCalibration:
    """Tail factors per demand-level bin from held-out intervals (the fallback: +/- z)."""
    mean = np.concatenate([w.mean for w in windows]) if windows else np.zeros(0)
    spread = np.concatenate([w.spread for w in windows]) if windows else np.zeros(0)
    actual = np.concatenate([w.actual for w in windows]) if windows else np.zeros(0)
    origin = np.concatenate(
        [np.full(w.mean.size, k) for k, w in enumerate(windows)] or [np.zeros(0, dtype=int)]
    )
    cut = open_threshold(mean) if threshold is None else threshold
    is_open = mean > cut
    alpha = (100 - level) / 200
    if is_open.sum() < 20:
        z = 1.2816 if level == 80 else 1.96
        return BandCalibration(np.zeros(0), np.array([-z]), np.array([z]), cut)
    mean, score = mean[is_open], (actual[is_open] - mean[is_open]) / spread[is_open]
    origin = origin[is_open]
    bins = int(np.clip(mean.size // MIN_PER_BIN, 1, MAX_BINS))
    edges = np.quantile(mean, np.arange(1, bins) / bins) if bins > 1 else np.zeros(0)
    edges = np.unique(edges)
    which = np.searchsorted(edges, mean, side="right")

    def tail(q: float) -> Floats:  # per bin; a bin with too few intervals takes everyone's
        factors = []
        for b in range(edges.size + 1):
            own = which == b if np.sum(which == b) >= 20 else np.ones(score.size, dtype=bool)
            each = [
                float(np.quantile(score[own & (origin == k)], q))
                for k in np.unique(origin[own])
                if np.sum(own & (origin == k)) >= 20
            ]
            if len(each) >= 2:  # the widest of the windows' own tails (see the module's note)
                factors.append(min(each) if q < 0.5 else max(each))
            else:
                factors.append(float(np.quantile(score[own], q)))
        return np.array(factors)

    low, high = tail(alpha), tail(1 - alpha)
    # the closed intervals (below the first edge too) take the quietest bin's factors
    return BandCalibration(edges, low, high, cut)


def coverage(windows: Sequence[HeldOut], calibration: BandCalibration) -> BandCoverage:
    """Coverage of the open intervals of these windows by a calibration's bands."""
    inside, below, above, count = 0, 0, 0, 0
    for w in windows:
        keep = w.mean > calibration.open_threshold
        lower, upper = calibration.band(w.mean[keep], w.spread[keep])
        actual = w.actual[keep]
        below += int(np.sum(actual < lower))
        above += int(np.sum(actual > upper))
        inside += int(np.sum((actual >= lower) & (actual <= upper)))
        count += int(keep.sum())
    if count == 0:
        return NO_COVERAGE
    return BandCoverage(inside / count, below / count, above / count, count)


def cross_fitted(windows: Sequence[HeldOut], *, level: int) -> tuple[BandCalibration, BandCoverage]:
    """The calibration from every window, and the coverage of each window by the others'."""
    everything = fit_bands(windows, level=level)
    if len(windows) < 2:
        return everything, coverage(windows, everything)
    scored: list[BandCoverage] = []
    for k, window in enumerate(windows):
        others = fit_bands(
            [w for j, w in enumerate(windows) if j != k],
            level=level,
            threshold=everything.open_threshold,
        )
        scored.append(coverage([window], replace_threshold(others, everything.open_threshold)))
    count = sum(s.open_intervals for s in scored)
    if count == 0:
        return everything, NO_COVERAGE

    def pooled(values: list[tuple[float, int]]) -> float:
        return sum(v * n for v, n in values) / count

    return everything, BandCoverage(
        pooled([(s.inside, s.open_intervals) for s in scored if s.open_intervals]),
        pooled([(s.below, s.open_intervals) for s in scored if s.open_intervals]),
        pooled([(s.above, s.open_intervals) for s in scored if s.open_intervals]),
        count,
    )


def replace_threshold(calibration: BandCalibration, threshold: float) -> BandCalibration:
    """The same factors with another open threshold."""
    return BandCalibration(calibration.edges, calibration.low, calibration.high, threshold)
