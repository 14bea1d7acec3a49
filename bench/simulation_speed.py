"""Benchmark: the staffing simulation's queue recursion beside the simpy event model it replaced
(kept as the tests' reference), 20 replications of a week of 15-minute intervals.

    uv run python bench/simulation_speed.py
"""

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "unit"))
from test_simulation_events import _events

from watchhouse.forecasting import simulation as S
from watchhouse.forecasting.erlang import required_handlers_c

t = np.arange(672)
hour = (t % 96) / 4
expected = 25 * (0.3 + 0.7 * np.exp(-(((hour - 14) / 5) ** 2)))  # per 15 minutes, a week
load = expected * 240 / 900
handlers = np.asarray(
    required_handlers_c(load, aht_seconds=240, target_seconds=20, service_level=0.9), dtype=np.int64
)
for name, fn in (("simpy events", _events), ("recursion", S._replicate)):
    rng = np.random.default_rng(1)
    a = time.process_time()
    for _ in range(20):
        out = fn(rng, expected, handlers, 900.0, 240.0, 120.0, 20.0, True)
    print(
        name,
        f"{time.process_time() - a:.2f} s CPU for 20 replications of a week, {expected.sum() * 20:.0f} contacts",
    )
