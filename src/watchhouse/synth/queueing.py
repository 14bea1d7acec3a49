"""A control-room queue: handlers on shift, handling times and callers who give up.

Written by hand because it is the generator's own model (the forecasting issue uses
statsforecast and a simulation library for planning). First come, first served with
several handlers whose number changes each 15 minutes with the planned staffing. A call
reaching a free position is not answered at that instant: it rings (and, for 999, is put
through from the operator) for its pickup time, during which the position is taken.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field

import numpy as np

from watchhouse.synth.arrivals import INTERVAL_SECONDS


def planned_handlers(
    expected: np.ndarray,
    *,
    mean_handling: float,
    occupancy: float,
    minimum: int,
    concurrency: int = 1,
) -> np.ndarray:
    """Handlers a planner puts on for each interval: the load at the planned occupancy."""
    load = expected * mean_handling / INTERVAL_SECONDS
    needed = np.ceil(load / (occupancy * concurrency) - 1e-9).astype(np.int64)
    return np.maximum(needed, minimum) * concurrency


@dataclass
class QueueState:
    """When each working position is next free; carried from one month to the next."""

    free_at: list[float] = field(default_factory=list)


@dataclass(frozen=True)
class QueueOutcome:
    """For each arrival: when it was answered (NaN if abandoned) and when the handler finished."""

    answered: np.ndarray
    finished: np.ndarray


def simulate(
    state: QueueState,
    arrivals: np.ndarray,
    handling: np.ndarray,
    patience: np.ndarray,
    interval_starts: np.ndarray,
    positions: np.ndarray,
    pickup: np.ndarray | None = None,
) -> QueueOutcome:
    """Serve sorted arrivals first come, first served; callers leave when patience runs out.

    `pickup` (seconds, per arrival) is the time from a position taking the call to its being
    answered: ringing and being put through. Without it a call to a free position is
    answered the moment it arrives (an answer time of 0 s, which no control room has)."""
    answered = np.full(len(arrivals), np.nan)
    finished = np.full(len(arrivals), np.nan)
    free = state.free_at
    heapq.heapify(free)
    boundaries = [*interval_starts.tolist(), math.inf]
    targets = positions.tolist()
    next_boundary = 0
    arrivals_list = arrivals.tolist()
    handling_list = handling.tolist()
    patience_list = patience.tolist()
    pickup_list = pickup.tolist() if pickup is not None else [0.0] * len(arrivals_list)
    for i, arrival in enumerate(arrivals_list):
        while next_boundary < len(targets) and boundaries[next_boundary] <= arrival:
            boundary = boundaries[next_boundary]
            want = targets[next_boundary]
            while len(free) < want:
                heapq.heappush(free, boundary)
            while len(free) > want:
                heapq.heappop(free)
            next_boundary += 1
        if not free:
            heapq.heappush(free, arrival)
        start = free[0] if free[0] > arrival else arrival
        if start - arrival > patience_list[i]:
            continue
        answer = start + pickup_list[i]
        end = answer + handling_list[i]
        heapq.heapreplace(free, end)
        answered[i] = answer
        finished[i] = end
    state.free_at = free
    return QueueOutcome(answered, finished)
