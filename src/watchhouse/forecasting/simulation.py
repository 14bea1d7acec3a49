"""A simulation of an interval staffing plan, to check the formulas.

Erlang C and A assume each interval is in steady state with a constant arrival rate. The
simulation drops both assumptions: arrivals are a non-homogeneous Poisson process whose rate
moves linearly between interval midpoints (so demand changes inside an interval), queues
carry over from one interval to the next, and when the plan has fewer handlers in the next
interval those on a contact finish it before they go. Handling times and patience are
exponential, as in the formulas. Each contact counts in the interval it arrived in.

Each replication is the queue's recursion, first come first served, not an event list: the
same random draws and the same outcome for every contact as the simpy model it replaced
(tests/unit/test_simulation_events.py), about 20 times less CPU (bench/README.md).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

Floats = NDArray[np.float64]


class SimulationInputError(ValueError):
    """A plan the simulation cannot run, saying what is wrong."""


@dataclass(frozen=True, slots=True)
class SimulationResult:
    """Per interval, averaged over replications: contacts and the shares that matter."""

    contacts: Floats  # mean contacts arriving in each interval
    service_level: Floats  # share of those contacts answered within the target
    abandonment: Floats  # share of those contacts that abandoned
    waiting: Floats  # share of those contacts that waited at all
    replications: int

    def overall_service_level(self, *, skip: int = 0) -> float:
        """Service level over all intervals after the first `skip`, weighted by contacts."""
        weights = self.contacts[skip:]
        return float(np.sum(self.service_level[skip:] * weights) / max(weights.sum(), 1e-12))


@dataclass(frozen=True, slots=True)
class Disagreement:
    """An interval where the formula's service level and the simulated one differ too much."""

    interval: int
    formula: float
    simulated: float

    @property
    def difference(self) -> float:
        """Simulated minus formula (negative: the plan does worse than the formula says)."""
        return self.simulated - self.formula


def arrival_times(
    rng: np.random.Generator, expected: Floats, interval_seconds: float, *, vary: bool
) -> Floats:
    """Non-homogeneous Poisson arrivals by thinning; the rate is linear between midpoints."""
    rates = expected / interval_seconds
    horizon = len(expected) * interval_seconds
    peak = float(rates.max(initial=0.0))
    if peak <= 0:
        return np.empty(0)
    times = np.sort(rng.uniform(0.0, horizon, rng.poisson(peak * horizon)))
    if vary and len(expected) > 1:
        midpoints = (np.arange(len(expected)) + 0.5) * interval_seconds
        rate_at = np.interp(times, midpoints, rates)
    else:
        rate_at = rates[np.minimum((times // interval_seconds).astype(np.int64), len(rates) - 1)]
    kept: Floats = times[rng.random(times.size) * peak < rate_at]
    return kept


def _replicate(
    rng: np.random.Generator,
    expected: Floats,
    handlers: NDArray[np.int64],
    interval_seconds: float,
    aht_seconds: float,
    patience_seconds: float | None,
    target_seconds: float,
    vary: bool,
) -> tuple[Floats, Floats, Floats, Floats]:
    """One replication, first come first served, by the queue's recursion (no event list).

    Each contact in turn takes the handler free soonest, unless its patience runs out first;
    at each interval's start the plan's change is applied to the handlers as they are then:
    more handlers first cancel those still due to stand down, then start free; fewer stand
    down the idle first, then the next to finish their contact. Contacts are taken in
    arrival order and the handlers' changes only when the next contact is still waiting at
    that time, so this is the event simulation's order exactly (tests/unit/test_simulation.py
    checks it contact by contact against a simpy model)."""
    times = arrival_times(rng, expected, interval_seconds, vary=vary)
    service = rng.exponential(aht_seconds, times.size)
    patience = (
        np.full(times.size, np.inf)
        if patience_seconds is None
        else rng.exponential(patience_seconds, times.size)
    )
    n = len(expected)
    slot = np.minimum((times // interval_seconds).astype(np.int64), n - 1)
    answered_in_time = np.zeros(times.size, dtype=bool)
    abandoned = np.zeros(times.size, dtype=bool)
    waited = np.zeros(times.size, dtype=bool)
    end = n * interval_seconds + 50 * aht_seconds
    plan = handlers.tolist()
    free: list[float] = []  # when each handler on duty is next free (a heap)
    leaving: list[float] = []  # when each handler due to stand down finishes (a heap)
    step = 0  # the next interval whose change is still to be applied
    heappush, heappop, inf = heapq.heappush, heapq.heappop, float("inf")
    arrivals, services, patiences = times.tolist(), service.tolist(), patience.tolist()
    for i, arrived in enumerate(arrivals):
        while True:
            start = max(arrived, free[0]) if free else inf
            boundary = step * interval_seconds
            if step >= n or boundary > start:
                break
            change = plan[step] - len(free)
            leaving = [t for t in leaving if t > boundary]  # the others have finished and gone
            if change > 0:  # those still due to stand down stay, the latest to finish first
                leaving.sort()
                while change > 0 and leaving:
                    heappush(free, leaving.pop())
                    change -= 1
                heapq.heapify(leaving)
                for _ in range(change):
                    heappush(free, boundary)
            else:  # the idle go first, then the next to finish
                for _ in range(-change):
                    t = heappop(free)
                    if t > boundary:
                        heappush(leaving, t)
            step += 1
        wait = start - arrived
        if wait > patiences[i]:
            abandoned[i] = arrived + patiences[i] <= end
            continue
        if start > end:
            continue
        waited[i] = wait > 0
        answered_in_time[i] = wait <= target_seconds
        heapq.heapreplace(free, start + services[i])
    counts = np.bincount(slot, minlength=n).astype(np.float64)
    per = np.maximum(counts, 1.0)
    return (
        counts,
        np.bincount(slot, weights=answered_in_time, minlength=n) / per,
        np.bincount(slot, weights=abandoned, minlength=n) / per,
        np.bincount(slot, weights=waited, minlength=n) / per,
    )


def simulate_plan(
    expected_contacts: ArrayLike,
    handlers: ArrayLike,
    *,
    interval_seconds: float,
    aht_seconds: float,
    target_seconds: float,
    patience_seconds: float | None = None,
    replications: int = 20,
    seed: int = 1,
    vary_within_interval: bool = True,
) -> SimulationResult:
    """Simulate the plan `replications` times and average the shares per interval."""
    expected = np.asarray(expected_contacts, dtype=np.float64)
    staff = np.asarray(handlers)
    if expected.ndim != 1 or staff.shape != expected.shape or expected.size == 0:
        raise SimulationInputError("expected_contacts and handlers need one value per interval")
    if np.any(expected < 0) or np.any(staff < 0) or np.any(staff != np.round(staff)):
        raise SimulationInputError("contacts cannot be negative; handlers must be whole numbers")
    if min(interval_seconds, aht_seconds) <= 0 or replications < 1:
        raise SimulationInputError("interval and handling time must be > 0, replications >= 1")
    if patience_seconds is not None and patience_seconds <= 0:
        raise SimulationInputError("patience_seconds must be greater than 0")
    rng = np.random.default_rng(seed)
    runs = [
        _replicate(
            rng,
            expected,
            staff.astype(np.int64),
            interval_seconds,
            aht_seconds,
            patience_seconds,
            target_seconds,
            vary_within_interval,
        )
        for _ in range(replications)
    ]
    counts = np.array([r[0] for r in runs])
    weight = np.maximum(counts.sum(axis=0), 1.0)

    def pooled(k: int) -> Floats:
        share: Floats = np.sum(np.array([r[k] for r in runs]) * counts, axis=0) / weight
        return share

    return SimulationResult(
        contacts=counts.mean(axis=0),
        service_level=np.where(counts.sum(axis=0) > 0, pooled(1), 1.0),
        abandonment=pooled(2),
        waiting=pooled(3),
        replications=replications,
    )


def disagreements(
    formula_service_level: ArrayLike,
    simulated: SimulationResult,
    *,
    tolerance: float,
    min_contacts: float = 1.0,
    z: float = 2.0,
) -> list[Disagreement]:
    """Intervals (with at least min_contacts on average) where formula and simulation differ
    by more than the tolerance, beyond z standard errors of the simulated share (so a quiet
    interval's sampling noise is not reported as a disagreement)."""
    formula = np.asarray(formula_service_level, dtype=np.float64)
    if formula.shape != simulated.service_level.shape:
        raise SimulationInputError("one formula service level per simulated interval is needed")
    level = simulated.service_level
    simulated_contacts = np.maximum(simulated.contacts * simulated.replications, 1.0)
    noise = z * np.sqrt(np.clip(level * (1 - level), 0.0, 0.25) / simulated_contacts)
    gap = np.abs(level - formula) - noise
    flagged = np.flatnonzero((gap > tolerance) & (simulated.contacts >= min_contacts))
    return [
        Disagreement(int(i), float(formula[i]), float(simulated.service_level[i])) for i in flagged
    ]
