"""Benchmark: Erlang C and Erlang A for 10,000 intervals, beside baselines, same answers.

Erlang C: watchhouse's vectorised `required_handlers_c` (+ service level and P(wait) at the
answer) against pyworkforce's `ErlangC.required_positions`, one interval at a time (pyworkforce
is installed only in the `bench` dependency group: `uv sync --group bench`).
Erlang A: pyworkforce has none, so the baseline is the textbook way, per interval: solve the
truncated M/M/n+M birth-death chain with numpy and walk n up from 1 until the service level
and abandonment targets are met. Answers are compared interval by interval.

    uv run --group bench python bench/erlang.py [--intervals 10000] [--runs 5]
"""

from __future__ import annotations

import argparse
import math
import platform
import statistics
import time

import numpy as np
from pyworkforce.queuing import ErlangC
from scipy.sparse import csr_array
from scipy.sparse.linalg import expm_multiply

from watchhouse.forecasting.erlang import (
    erlang_a,
    erlang_c,
    required_handlers_a,
    required_handlers_c,
    service_level_c,
)

INTERVAL_SECONDS = 900
TARGET_SECONDS_999, LEVEL_999 = 10.0, 0.90
TARGET_SECONDS_101, LEVEL_101, ABANDON_101, PATIENCE_101 = 180.0, 0.80, 0.10, 300.0


def _intervals(n: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1)
    contacts = rng.uniform(1, 250, n).round()  # per 15 minutes: a quiet night to a busy evening
    aht = rng.uniform(180, 420, n).round()
    return contacts, aht


def _ours_c(contacts: np.ndarray, aht: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    load = contacts * aht / INTERVAL_SECONDS
    n = required_handlers_c(
        load, aht_seconds=aht, target_seconds=TARGET_SECONDS_999, service_level=LEVEL_999
    )
    level = service_level_c(n, load, aht_seconds=aht, target_seconds=TARGET_SECONDS_999)
    return n, level, erlang_c(n, load)


def _pyworkforce_c(
    contacts: np.ndarray, aht: np.ndarray
) -> tuple[list[int], list[float], list[float]]:
    n, level, waiting = [], [], []
    for c, h in zip(contacts.tolist(), aht.tolist(), strict=True):
        result = ErlangC(
            transactions=c, aht=h / 60, asa=TARGET_SECONDS_999 / 60, interval=INTERVAL_SECONDS / 60
        ).required_positions(service_level=LEVEL_999)
        n.append(result["raw_positions"])
        level.append(result["service_level"])
        waiting.append(result["waiting_probability"])
    return n, level, waiting


def _ours_a(contacts: np.ndarray, aht: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    load = contacts * aht / INTERVAL_SECONDS
    n = required_handlers_a(
        load,
        aht_seconds=aht,
        patience_seconds=PATIENCE_101,
        target_seconds=TARGET_SECONDS_101,
        service_level=LEVEL_101,
        max_abandonment=ABANDON_101,
    )
    result = erlang_a(
        n, load, aht_seconds=aht, patience_seconds=PATIENCE_101, target_seconds=TARGET_SECONDS_101
    )
    return n, result.service_level, result.abandonment


def _chain(n: int, load: float, aht: float) -> tuple[float, float]:
    """Service level within the target and abandonment of M/M/n+M by its truncated chain."""
    lam, mu, theta = load / aht, 1 / aht, 1 / PATIENCE_101
    top = n + max(200, int(8 * load))
    k = np.arange(top + 1)
    rates = np.minimum(k[1:], n) * mu + np.maximum(k[1:] - n, 0) * theta
    log_w = np.concatenate([[0.0], np.cumsum(np.log(lam) - np.log(rates))])
    pi = np.exp(log_w - log_w.max())
    pi /= pi.sum()
    waiting = pi[n:]
    abandon = theta * float(np.sum(np.arange(waiting.size) * waiting)) / lam
    # A tagged caller finding j waiting ahead: states j..0 ahead, then served or gone; the
    # share served by the target time from the chain's generator (scipy expm_multiply).
    size = waiting.size
    served, gone = size, size + 1
    j = np.arange(size)
    ahead = n * mu + j * theta
    rows = np.concatenate([j, j, j])
    cols = np.concatenate([np.where(j > 0, j - 1, served), np.full(size, gone), j])
    vals = np.concatenate([ahead, np.full(size, theta), -(ahead + theta)])
    generator = csr_array((vals, (rows, cols)), shape=(size + 2, size + 2))
    start = np.concatenate([waiting, [0.0, 0.0]])
    later = expm_multiply(generator.T * TARGET_SECONDS_101, start)
    level = 1 - waiting.sum() + later[served]
    return float(level), float(abandon)


def _baseline_a(
    contacts: np.ndarray, aht: np.ndarray
) -> tuple[list[int], list[float], list[float]]:
    n_out, level_out, abandon_out = [], [], []
    for c, h in zip(contacts.tolist(), aht.tolist(), strict=True):
        load = c * h / INTERVAL_SECONDS
        n = max(1, int(load * 0.7))
        while True:
            level, abandon = _chain(n, load, h)
            if level >= LEVEL_101 and abandon <= ABANDON_101:
                break
            n += 1
        n_out.append(n)
        level_out.append(level)
        abandon_out.append(abandon)
    return n_out, level_out, abandon_out


def _time(fn, *args, runs: int):  # type: ignore[no-untyped-def]
    seconds, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn(*args)
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--intervals", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--baseline-runs", type=int, default=1)
    parser.add_argument("--baseline-a-intervals", type=int, default=500)
    args = parser.parse_args()
    contacts, aht = _intervals(args.intervals)
    print(f"python {platform.python_version()} on {platform.machine()}, shared 2-core machine")
    print(f"{args.intervals:,} intervals of 15 minutes, 1-250 contacts, AHT 180-420 s")

    ours_c, (n, level, waiting) = _time(_ours_c, contacts, aht, runs=args.runs)
    base_c, (bn, blevel, bwaiting) = _time(_pyworkforce_c, contacts, aht, runs=args.baseline_runs)
    same_n = int(np.sum(n == np.array(bn)))
    level_gap = float(np.max(np.abs(level - np.array(blevel))[n == np.array(bn)]))
    wait_gap = float(np.max(np.abs(waiting - np.array(bwaiting))[n == np.array(bn)]))
    print(
        f"Erlang C, 90% in 10 s: watchhouse {ours_c * 1000:.1f} ms (median of {args.runs}), "
        f"pyworkforce {base_c:.2f} s -> {base_c / ours_c:,.0f}x; same handlers in "
        f"{same_n:,}/{args.intervals:,} intervals; largest difference in service level "
        f"{level_gap:.2e}, in P(wait) {wait_gap:.2e}"
    )
    if same_n < args.intervals:
        diff = np.flatnonzero(n != np.array(bn))[:5]
        for i in diff:
            print(
                f"  interval {i}: load {contacts[i] * aht[i] / INTERVAL_SECONDS:.2f} E, watchhouse "
                f"{n[i]} (SL {level[i]:.4f}), pyworkforce {bn[i]} (SL {blevel[i]:.4f})"
            )

    ours_a, (an, alevel, aabandon) = _time(_ours_a, contacts, aht, runs=args.runs)
    m = args.baseline_a_intervals
    base_a, (cn, clevel, cabandon) = _time(_baseline_a, contacts[:m], aht[:m], runs=1)
    per_interval_ratio = (base_a / m) / (ours_a / args.intervals)
    same_a = int(np.sum(an[:m] == np.array(cn)))
    print(
        f"Erlang A, 80% in 180 s and < 10% abandoned, patience 300 s: watchhouse "
        f"{ours_a * 1000:.1f} ms for {args.intervals:,}; birth-death chain baseline "
        f"{base_a:.2f} s for the first {m:,} (about {base_a / m * args.intervals:.0f} s for all) "
        f"-> {per_interval_ratio:,.0f}x per interval; same handlers in {same_a}/{m}; "
        f"largest difference in service level "
        f"{float(np.max(np.abs(alevel[:m] - np.array(clevel)))):.2e}, in abandonment "
        f"{float(np.max(np.abs(aabandon[:m] - np.array(cabandon)))):.2e}"
    )
    total = ours_c + ours_a
    print(
        f"both for {args.intervals:,} intervals: {total:.3f} s (target < 1 s); "
        f"Erlang C ratio {base_c / ours_c:,.0f}x (target >= 20x)"
    )
    assert math.isfinite(total)


if __name__ == "__main__":
    main()
