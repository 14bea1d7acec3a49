"""Rosters: choose shifts that cover the staff required in every interval at least cost.

A week is rostered as *tours*: one person working one shift type at the same start time on
`days_per_week` consecutive days, then consecutive days off (cyclic, so a tour can run over the
end of the week). The same daily start keeps the rest between shifts at 24 h minus the shift
length, which the rest rule checks once per shift type. Breaks are taken mid-shift and do not
count as cover. The integer programme (set covering: cover >= requirement in every interval,
minimum paid cost) is solved with HiGHS through scipy.optimize.milp: first quick whole-number
covers (the relaxation rounded, and dives that fix columns and solve the relaxation again, which
find covers within a few per cent of the best HiGHS finds in ten seconds, in about a second), then
HiGHS's branch and bound for the time left, if any. The gap reported is to the best bound proved.
With small requirements (two to fifteen people) the linear relaxation is weak: most of the gap
is the bound's, not the roster's (see bench/README.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_array

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]
DAYS = 7
DIVE_THRESHOLDS = (0.5, 0.6)  # the dives tried before HiGHS's branch and bound


class RosterInputError(ValueError):
    """A roster request that cannot be solved, saying why."""


@dataclass(frozen=True, slots=True)
class ShiftType:
    """A kind of shift the force works (from policy [planning.shifts])."""

    name: str
    hours: float
    days_per_week: int
    break_minutes: int
    cost_per_hour: float
    earliest_start_hour: int = 0
    latest_start_hour: int = 23
    start_step_minutes: int = 60

    @property
    def paid_hours(self) -> float:
        """Hours paid per shift (the break is unpaid)."""
        return self.hours - self.break_minutes / 60


@dataclass(frozen=True, slots=True)
class RestRules:
    """Working-time rules every tour must keep."""

    min_rest_hours: float
    max_consecutive_days: int
    full_time_weekly_hours: float


@dataclass(frozen=True, slots=True)
class Tour:
    """A group of people working the same weekly pattern."""

    shift: str
    start_minute: int  # minutes after midnight
    first_day: int  # 0 = Monday of the rostered week
    days: int
    people: int


@dataclass(frozen=True, slots=True)
class Roster:
    """One week's roster: the tours, the cover they give against the requirement, the cost."""

    requirement: Ints
    cover: Ints
    tours: tuple[Tour, ...]
    people: int
    full_time_equivalent: float
    cost: float
    lower_bound: float
    proven_optimal: bool

    @property
    def gap(self) -> float:
        """Share by which the cost may exceed the best possible (from the bound proved)."""
        return 0.0 if self.cost <= 0 else max(self.cost - self.lower_bound, 0.0) / self.cost

    @property
    def shortfall(self) -> int:
        """Intervals where cover is below the requirement (0 for a feasible roster)."""
        return int(np.sum(self.cover < self.requirement))


@dataclass(frozen=True, slots=True)
class CoverSolution:
    """How many of each column, the cost, and how close to optimal it is proven to be."""

    counts: Ints
    cost: float
    lower_bound: float  # the best bound proved (at least the linear relaxation's cost)
    proven_optimal: bool  # proved within the requested gap

    @property
    def gap(self) -> float:
        """Share by which the cost may exceed the optimum (0 when proven optimal)."""
        return 0.0 if self.cost <= 0 else max(self.cost - self.lower_bound, 0.0) / self.cost


def _prune(counts: Floats, need: Floats, cover: Floats, costs: Floats) -> Floats:
    given = counts @ cover
    for column in np.argsort(-costs, kind="stable"):
        while counts[column] > 0 and np.all(given - cover[column] >= need):
            counts[column] -= 1
            given -= cover[column]
    return counts


def _rounded(need: Floats, cover: Floats, costs: Floats, relaxed: Floats) -> Floats:
    """The cheaper of two roundings of the relaxation, each pruned of columns not needed:
    rounded up; and rounded down then repaired greedily (most uncovered per cost)."""
    up = _prune(np.ceil(relaxed - 1e-9), need, cover, costs)
    down = np.floor(relaxed + 1e-9)
    given = down @ cover
    while np.any(given < need):
        column = int(np.argmax((cover[:, given < need] > 0).sum(axis=1) / costs))
        down[column] += 1
        given += cover[column]
    down = _prune(down, need, cover, costs)
    return up if costs @ up <= costs @ down else down


def _dive(
    need: Floats,
    rows: LinearConstraint,
    cover: Floats,
    costs: Floats,
    threshold: float,
    first: Floats,
) -> Floats | None:
    """A whole-number cover by diving on the relaxation (`first`, already solved): keep every
    column at least at its whole part, raise those at least `threshold` past it (else the most
    fractional) to the next whole number, solve the relaxation again; stop when it is whole
    (then prune)."""
    floor = np.zeros(costs.size)
    x: Floats | None = first
    for _ in range(4 * costs.size):
        if x is None:
            relaxed = milp(costs, bounds=Bounds(floor, np.inf), constraints=rows)
            if relaxed.x is None:
                return None
            x = np.asarray(relaxed.x, dtype=np.float64)
        whole = np.floor(x + 1e-9)
        part = x - whole
        floor = np.maximum(floor, whole)
        if np.all(part < 1e-6):
            return _prune(np.round(x), need, cover, costs)
        raise_up = part >= min(threshold, float(part.max()))
        floor[raise_up] = whole[raise_up] + 1
        x = None
    return None


def solve_cover(
    requirement: ArrayLike,
    cover: ArrayLike,
    costs: ArrayLike,
    *,
    time_limit_seconds: float = 30,
    mip_gap: float = 1e-4,
    dive_thresholds: Sequence[float] = DIVE_THRESHOLDS,
) -> CoverSolution:
    """Whole numbers of each column (shift) so cover >= requirement at least cost.

    First a whole-number cover found quickly: the relaxation rounded and pruned, and dives on
    the relaxation (one per threshold, each a few dozen linear programmes; (0.5, 0.6) found the
    cheapest of (0.5, 0.6, 0.7) on all twelve benchmark weeks); then, if that is
    not already within `mip_gap` of the relaxation's bound, HiGHS (scipy.optimize.milp) solves
    the integer programme within the time limit and is kept if it finds a cheaper cover. The
    bound reported is the best HiGHS proved (never below the relaxation's).
    """
    need = np.asarray(requirement, dtype=np.float64)
    dense = np.asarray(cover, dtype=np.float64)
    price = np.asarray(costs, dtype=np.float64)
    if dense.ndim != 2 or dense.shape != (price.size, need.size):
        raise RosterInputError("cover must have one row per shift and one column per interval")
    if np.any(need < 0):
        raise RosterInputError("requirement cannot be negative")
    uncoverable = (need > 0) & (dense.sum(axis=0) == 0)
    if uncoverable.any():
        first = int(np.flatnonzero(uncoverable)[0])
        raise RosterInputError(f"no shift covers interval {first}; widen the shift start times")
    rows = LinearConstraint(csr_array(dense.T), lb=need, ub=np.inf)
    relaxed = milp(price, bounds=(0, np.inf), constraints=rows)
    if relaxed.x is None:
        raise RosterInputError(f"the roster could not be solved: {relaxed.message}")
    bound = float(relaxed.fun)
    best = _rounded(need, dense, price, relaxed.x)
    for threshold in dive_thresholds:
        dived = _dive(need, rows, dense, price, threshold, relaxed.x)
        if dived is not None and float(price @ dived) < float(price @ best):
            best = dived
    proven = _within(float(price @ best), bound, mip_gap)
    if time_limit_seconds > 0 and not proven:
        exact = milp(
            price,
            integrality=np.ones(price.size),
            bounds=(0, np.inf),
            constraints=rows,
            options={"time_limit": time_limit_seconds, "mip_rel_gap": mip_gap},
        )
        if exact.status in (0, 1) and exact.get("mip_dual_bound") is not None:
            bound = max(bound, float(exact.mip_dual_bound))
        if exact.x is not None and float(exact.fun) <= float(price @ best):
            best = np.round(exact.x)
        proven = bool(exact.status == 0) or _within(float(price @ best), bound, mip_gap)
    counts = best.astype(np.int64)
    return CoverSolution(counts, float(price @ counts), bound, proven)


def _within(cost: float, bound: float, gap: float) -> bool:
    """Whether a cost is proven within the relative gap of the best possible."""
    return cost <= 0 or (cost - bound) / cost <= gap + 1e-12


def _check(shifts: Sequence[ShiftType], rules: RestRules, interval_minutes: int) -> None:
    if not shifts:
        raise RosterInputError("no shift types given")
    for s in shifts:
        if 24 - s.hours < rules.min_rest_hours:
            raise RosterInputError(
                f"shift {s.name}: {s.hours} h leaves less than {rules.min_rest_hours} h rest"
            )
        if not 1 <= s.days_per_week <= min(rules.max_consecutive_days, DAYS):
            raise RosterInputError(
                f"shift {s.name}: days_per_week must be 1 to {rules.max_consecutive_days}"
            )
        if (s.hours * 60) % interval_minutes or s.start_step_minutes % interval_minutes:
            raise RosterInputError(
                f"shift {s.name}: length and start step must be whole {interval_minutes}-minute"
                " intervals"
            )


def _columns(
    shifts: Sequence[ShiftType], interval_minutes: int
) -> tuple[list[Tour], Floats, Floats, Floats]:
    """Every tour allowed: its cover of the week's intervals, its cost and its paid hours."""
    per_day = 24 * 60 // interval_minutes
    week = DAYS * per_day
    tours, covers, costs, hours = [], [], [], []
    for s in shifts:
        length = int(s.hours * 60) // interval_minutes
        pause = -(-s.break_minutes // interval_minutes)
        pause_at = (length - pause) // 2
        on = np.ones(length, dtype=np.float64)
        on[pause_at : pause_at + pause] = 0
        for start in range(
            s.earliest_start_hour * 60, s.latest_start_hour * 60 + 1, s.start_step_minutes
        ):
            slot = start // interval_minutes
            for first in range(DAYS):
                cover = np.zeros(week)
                for d in range(s.days_per_week):
                    at = ((first + d) % DAYS) * per_day + slot
                    cover[np.arange(at, at + length) % week] += on
                tours.append(Tour(s.name, start, first, s.days_per_week, 0))
                covers.append(cover)
                costs.append(s.paid_hours * s.days_per_week * s.cost_per_hour)
                hours.append(s.paid_hours * s.days_per_week)
    return tours, np.array(covers), np.array(costs), np.array(hours)


def weekly_roster(
    requirement: ArrayLike,
    *,
    interval_minutes: int,
    shifts: Sequence[ShiftType],
    rules: RestRules,
    time_limit_seconds: float = 5,
    mip_gap: float = 0.01,
    dive_thresholds: Sequence[float] = DIVE_THRESHOLDS,
) -> Roster:
    """The least-cost week of tours covering the staff required in each interval (Monday first)."""
    need = np.ceil(np.asarray(requirement, dtype=np.float64) - 1e-9).astype(np.int64)
    per_day = 24 * 60 // interval_minutes
    if need.shape != (DAYS * per_day,):
        raise RosterInputError(f"a week needs {DAYS * per_day} interval requirements")
    _check(shifts, rules, interval_minutes)
    tours, covers, costs, hours = _columns(shifts, interval_minutes)
    solution = solve_cover(
        need,
        covers,
        costs,
        time_limit_seconds=time_limit_seconds,
        mip_gap=mip_gap,
        dive_thresholds=dive_thresholds,
    )
    counts = solution.counts
    chosen = tuple(
        Tour(t.shift, t.start_minute, t.first_day, t.days, int(c))
        for t, c in zip(tours, counts, strict=True)
        if c > 0
    )
    return Roster(
        requirement=need,
        cover=(counts @ covers).astype(np.int64),
        tours=chosen,
        people=int(counts.sum()),
        full_time_equivalent=float(counts @ hours) / rules.full_time_weekly_hours,
        cost=solution.cost,
        lower_bound=solution.lower_bound,
        proven_optimal=solution.proven_optimal,
    )
