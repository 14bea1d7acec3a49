"""Benchmark helper: rescore the band rules of forecast_rules.py on runs pickled by
forecast_nested.py --save, per series with its miss (|inside - 80| + |below - 10| +
|above - 10|, points), optionally on each series' last N origins only (to compare runs with
different origin counts on the same origins). No fitting.

    uv run --group bench python bench/forecast_bands_rescore.py PKL synthetic|public [N]
"""

from __future__ import annotations

import pickle
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from forecast_nested import _band_miss, _bands_frame
from forecast_rules import BAND_RULES, band_table


def main() -> None:
    """Print the band table of one pickled set of runs."""
    path, key = Path(sys.argv[1]), sys.argv[2]
    last = int(sys.argv[3]) if len(sys.argv) > 3 else None
    runs = pickle.loads(path.read_bytes())[key]
    names = list(dict.fromkeys(r["series"] for r in runs))
    if last:
        runs = [r for s in names for r in [x for x in runs if x["series"] == s][-last:]]
    print(path, key, "origins:", {s: sum(r["series"] == s for r in runs) for s in names})
    print("backtest windows held out per run:", sorted({len(r["held_out"]) for r in runs}))
    cells = band_table(runs, names)
    table = _bands_frame(cells)
    for s in names:
        table[f"{s} miss"] = pd.Series(
            {h: round(100 * _band_miss(*cells[(h, s)]), 1) for h in BAND_RULES}
        )
    misses = {h: [_band_miss(*cells[(h, s)]) for s in names] for h in BAND_RULES}
    means = {h: round(100 * float(np.mean(m)), 2) for h, m in misses.items()}
    table["mean miss"] = pd.Series(means)
    pd.set_option("display.width", 250)
    print(table.to_string())


if __name__ == "__main__":
    main()
