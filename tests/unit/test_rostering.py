"""Rosters cover the requirement at least cost (HiGHS), keeping the rest rules."""

from __future__ import annotations

import numpy as np
import pytest

from watchhouse.forecasting.rostering import (
    RestRules,
    RosterInputError,
    ShiftType,
    solve_cover,
    weekly_roster,
)

pytestmark = pytest.mark.unit

RULES = RestRules(min_rest_hours=11, max_consecutive_days=6, full_time_weekly_hours=37.5)
EIGHT_HOURS = ShiftType("8h", hours=8, days_per_week=5, break_minutes=30, cost_per_hour=1.0)
SHORT_LONG = [[1, 1, 0], [1, 1, 1]]  # a short shift covers intervals 0-1, a long one 0-2


def test_three_intervals_two_shift_types_give_the_optimum_worked_by_hand() -> None:
    # Need 2, 3, 1 people; short costs 2, long 3. Interval 2 needs one long shift; intervals
    # 0-1 then need two more, cheapest as two short: 2 x 2 + 3 = 7 (1 short + 2 long = 8,
    # 3 long = 9).
    solution = solve_cover([2, 3, 1], SHORT_LONG, [2, 3])
    assert solution.counts.tolist() == [2, 1]
    assert solution.cost == 7
    assert solution.proven_optimal


def test_a_cheaper_long_shift_changes_the_optimum() -> None:
    # Long at 1.9: 2 short + 1 long = 5.9, 1 + 2 = 5.8, 3 long = 5.7, the cheapest.
    solution = solve_cover([2, 3, 1], SHORT_LONG, [2, 1.9])
    assert solution.counts.tolist() == [0, 3]


# Four intervals needing 1, 1, 3, 3 people; A covers 0, 1 and 3 (cost 3), B covers 0-1 (cost
# 2), C covers 0-2 (cost 3), D covers 2-3 (cost 3). By hand, with d people on D: intervals 2 and
# 3 need A >= 3 - d and C >= 3 - d, intervals 0-1 one of A, B, C. d = 3: 9 + B = 11; d = 2:
# 6 + 3 + 3 = 12; d = 1: 15; d = 0: 18. The optimum is 3 D + 1 B = 11. The relaxation (A = C =
# 0.5, D = 2.5, cost 10.5) rounds to C + 3 D = 12, and the dives on it reach 12 too.
ROUNDING_TRAP = [[1, 1, 0, 1], [1, 1, 0, 0], [1, 1, 1, 0], [0, 0, 1, 1]]


def test_where_rounding_costs_more_the_integer_programme_finds_the_optimum_by_hand() -> None:
    quick = solve_cover([1, 1, 3, 3], ROUNDING_TRAP, [3, 2, 3, 3], time_limit_seconds=0)
    assert quick.cost == 12  # rounding and diving only: 1 C + 3 D
    assert not quick.proven_optimal
    assert quick.lower_bound == pytest.approx(10.5)
    exact = solve_cover([1, 1, 3, 3], ROUNDING_TRAP, [3, 2, 3, 3], time_limit_seconds=5)
    assert exact.counts.tolist() == [0, 1, 0, 3]
    assert exact.cost == 11
    assert exact.proven_optimal
    assert exact.lower_bound == pytest.approx(11)  # the bound HiGHS proved, not the relaxation's
    assert exact.gap == 0


def test_dives_find_a_cheaper_week_than_rounding_the_relaxation() -> None:
    rng = np.random.default_rng(3)
    wave = 4 + 3 * np.sin(np.arange(672) / 96 * 2 * np.pi)
    need = np.maximum(np.round(wave + rng.normal(0, 1, 672)), 1)
    shifts = [EIGHT_HOURS, ShiftType("10h", 10, 4, 45, 1.0)]
    rounded = weekly_roster(
        need,
        interval_minutes=15,
        shifts=shifts,
        rules=RULES,
        time_limit_seconds=0,
        dive_thresholds=(),
    )
    dived = weekly_roster(
        need, interval_minutes=15, shifts=shifts, rules=RULES, time_limit_seconds=0
    )
    assert rounded.shortfall == 0
    assert dived.shortfall == 0
    assert dived.cost < rounded.cost
    assert dived.lower_bound == pytest.approx(rounded.lower_bound)


def test_an_interval_no_shift_can_cover_is_refused_by_name() -> None:
    with pytest.raises(RosterInputError, match="no shift covers interval 2"):
        solve_cover([1, 1, 1], [[1, 1, 0]], [1])


def _week(per_hour: list[int]) -> np.ndarray:
    """A week of 60-minute requirements, the same every day."""
    return np.tile(np.array(per_hour), 7)


def test_weekly_roster_covers_every_interval_and_counts_full_time_staff() -> None:
    day = [2] * 7 + [5] * 10 + [8] * 5 + [3] * 2  # quiet nights, a busy evening
    roster = weekly_roster(
        _week(day),
        interval_minutes=60,
        shifts=[EIGHT_HOURS, ShiftType("10h", 10, 4, 30, 1.05)],
        rules=RULES,
        time_limit_seconds=0,  # rounding only: deterministic, whatever the machine's load
    )
    assert roster.shortfall == 0
    assert np.all(roster.cover >= roster.requirement)
    # Nobody works less than the paid hours needed: a lower bound for the staff rostered.
    assert roster.full_time_equivalent >= sum(day) * 7 / 37.5
    assert roster.people == sum(t.people for t in roster.tours)
    assert all(t.days in (4, 5) for t in roster.tours)
    assert roster.gap < 0.25  # within 25% of the linear relaxation's bound (20.1% here)


def test_without_time_for_the_solver_the_rounded_relaxation_still_covers() -> None:
    rng = np.random.default_rng(0)
    need = np.round(30 + 20 * np.sin(np.arange(672) / 96 * 2 * np.pi) + rng.normal(0, 2, 672))
    roster = weekly_roster(
        need, interval_minutes=15, shifts=[EIGHT_HOURS], rules=RULES, time_limit_seconds=0
    )
    assert roster.shortfall == 0
    assert not roster.proven_optimal
    assert roster.gap < 0.1


def test_breaks_are_not_cover() -> None:
    one_all_day = _week([1] * 24)
    no_break = ShiftType("8h", 8, 5, 0, 1.0)
    with_break = ShiftType("8h", 8, 5, 60, 1.0)
    plain = weekly_roster(
        one_all_day, interval_minutes=60, shifts=[no_break], rules=RULES, time_limit_seconds=0
    )
    broken = weekly_roster(
        one_all_day, interval_minutes=60, shifts=[with_break], rules=RULES, time_limit_seconds=0
    )
    assert broken.people > plain.people


def test_a_shift_too_long_for_the_rest_rule_is_refused() -> None:
    with pytest.raises(RosterInputError, match="14 h leaves less than 11 h rest"):
        weekly_roster(
            _week([1] * 24),
            interval_minutes=60,
            shifts=[ShiftType("long", 14, 3, 30, 1.0)],
            rules=RULES,
        )
