"""The simulation's queue recursion is the event simulation (simpy) exactly: same random draws,
same outcome for every contact, with handlers joining and standing down between intervals."""

from __future__ import annotations

from collections.abc import Generator

import numpy as np
import pytest
import simpy
from numpy.typing import NDArray

from watchhouse.forecasting import simulation
from watchhouse.forecasting.simulation import arrival_times

pytestmark = pytest.mark.unit

Floats = NDArray[np.float64]


def _events(
    rng: np.random.Generator,
    expected: Floats,
    handlers: NDArray[np.int64],
    interval_seconds: float,
    aht_seconds: float,
    patience_seconds: float | None,
    target_seconds: float,
    vary: bool,
) -> tuple[Floats, Floats, Floats, Floats]:
    """The simulation as it was written with simpy (the reference)."""
    env = simpy.Environment()
    free: simpy.Store = simpy.Store(env)
    leaving = [0]  # handlers to stand down as soon as they finish their contact
    on_duty = [0]
    times = arrival_times(rng, expected, interval_seconds, vary=vary)
    service = rng.exponential(aht_seconds, times.size)
    patience = (
        np.full(times.size, np.inf)
        if patience_seconds is None
        else rng.exponential(patience_seconds, times.size)
    )
    slot = np.minimum((times // interval_seconds).astype(np.int64), len(expected) - 1)
    answered_in_time = np.zeros(times.size, dtype=bool)
    abandoned = np.zeros(times.size, dtype=bool)
    waited = np.zeros(times.size, dtype=bool)

    def roster() -> Generator[simpy.Event, object, None]:
        for count in handlers.tolist():
            change = count - on_duty[0]
            if change > 0:
                cancel = min(change, leaving[0])
                leaving[0] -= cancel
                for _ in range(change - cancel):
                    free.put(object())
            elif change < 0:
                idle = min(-change, len(free.items))
                del free.items[:idle]
                leaving[0] += -change - idle
            on_duty[0] = count
            yield env.timeout(interval_seconds)

    def contact(i: int) -> Generator[simpy.Event, object, None]:
        request = free.get()
        if patience[i] == np.inf:
            yield request
        else:
            yield request | env.timeout(patience[i])
            if not request.triggered:
                request.cancel()
                abandoned[i] = True
                return
        wait = env.now - times[i]
        waited[i] = wait > 0
        answered_in_time[i] = wait <= target_seconds
        token = request.value
        yield env.timeout(service[i])
        if leaving[0] > 0:
            leaving[0] -= 1
        else:
            free.put(token)

    def arrivals() -> Generator[simpy.Event, object, None]:
        for i, t in enumerate(times.tolist()):
            yield env.timeout(t - env.now)
            env.process(contact(i))

    env.process(roster())
    env.process(arrivals())
    env.run(until=len(expected) * interval_seconds + 50 * aht_seconds)
    n = len(expected)
    counts = np.bincount(slot, minlength=n).astype(np.float64)
    per = np.maximum(counts, 1.0)
    return (
        counts,
        np.bincount(slot, weights=answered_in_time, minlength=n) / per,
        np.bincount(slot, weights=abandoned, minlength=n) / per,
        np.bincount(slot, weights=waited, minlength=n) / per,
    )


@pytest.mark.parametrize("patience", [None, 90.0])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_recursion_gives_every_interval_the_event_simulations_shares(
    patience: float | None, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    expected = rng.uniform(2, 15, 48)  # per 15 minutes, moving a lot from one to the next
    expected[10:13] = 60.0  # a surge the plan does not staff for: queues carry over
    handlers = rng.integers(0, 12, 48)  # handlers join, stand down mid-contact, or none are on
    handlers[20:22] = 0
    args = (expected, handlers, 900.0, 1200.0, patience, 20.0, True)  # contacts outlast intervals
    quick = simulation._replicate(np.random.default_rng(seed), *args)
    reference = _events(np.random.default_rng(seed), *args)
    for mine, theirs in zip(quick, reference, strict=True):
        np.testing.assert_allclose(mine, theirs, rtol=0, atol=1e-12)
    assert reference[1].min() < 0.5  # the plan is short somewhere: the queue matters
