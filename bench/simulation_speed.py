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

from watchhouse.forecasting import simulation
from watchhouse.forecasting.erlang import required_handlers_c

hour = (np.arange(672) % 96) / 4
expected = 25 * (0.3 + 0.7 * np.exp(-(((hour - 14) / 5) ** 2)))  # per 15 minutes, a week
load = expected * 240 / 900
staff = required_handlers_c(load, aht_seconds=240, target_seconds=20, service_level=0.9)
handlers = np.asarray(staff, dtype=np.int64)
for name, replicate in (("simpy events", _events), ("recursion", simulation._replicate)):
    rng = np.random.default_rng(1)
    began = time.process_time()
    for _ in range(20):
        replicate(rng, expected, handlers, 900.0, 240.0, 120.0, 20.0, True)
    print(
        f"{name}: {time.process_time() - began:.2f} s CPU for 20 replications of a week, "
        f"{expected.sum() * 20:.0f} contacts expected"
    )
