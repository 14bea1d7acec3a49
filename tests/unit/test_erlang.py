"""Erlang B, C and A: published reference values, identities, and extreme loads."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.linalg import expm

from watchhouse.forecasting.erlang import (
    StaffingInputError,
    average_speed_of_answer,
    chat_handlers,
    erlang_a,
    erlang_b,
    erlang_c,
    is_stable,
    occupancy,
    offered_load,
    required_handlers_a,
    required_handlers_c,
    required_staff,
    service_level_c,
)

pytestmark = pytest.mark.unit

# shared/domain.md section 10: 100 calls per 30 min, 3 min handling (10 Erlangs), 20 s target.
REFERENCE_LOAD = offered_load(100, interval_seconds=1800, aht_seconds=180)


def test_reference_load_is_ten_erlangs() -> None:
    assert float(REFERENCE_LOAD) == pytest.approx(10.0)


@pytest.mark.parametrize(("handlers", "level", "waiting"), [(14, 0.888, 0.174), (15, 0.941, 0.102)])
def test_erlang_c_matches_the_published_reference_values(
    handlers: int, level: float, waiting: float
) -> None:
    assert round(float(erlang_c(handlers, REFERENCE_LOAD)), 3) == waiting
    got = service_level_c(handlers, REFERENCE_LOAD, aht_seconds=180, target_seconds=20)
    assert round(float(got), 3) == level


def test_fifteen_handlers_are_needed_for_ninety_percent_in_twenty_seconds() -> None:
    got = required_handlers_c(REFERENCE_LOAD, aht_seconds=180, target_seconds=20, service_level=0.9)
    assert int(got) == 15


@pytest.mark.parametrize("n", [2, 3, 6, 9])  # below the load (recursion) and above (log space)
def test_erlang_b_matches_the_factorial_formula_at_small_sizes(n: int) -> None:
    load = 3.7
    terms = [load**k / np.prod(np.arange(1, k + 1)) for k in range(n + 1)]
    assert float(erlang_b(n, load)) == pytest.approx(terms[-1] / sum(terms), rel=1e-12)


def test_average_speed_of_answer_and_occupancy_at_the_reference_point() -> None:
    # ASA = P(wait) x AHT / (n - A) = 0.17413 x 180 / 4
    assert float(average_speed_of_answer(14, 10, aht_seconds=180)) == pytest.approx(
        0.174132 * 45, rel=1e-4
    )
    assert float(occupancy(14, 10)) == pytest.approx(10 / 14)


def test_service_level_rises_with_every_extra_handler() -> None:
    handlers = np.arange(11, 40)
    levels = service_level_c(handlers, 10.0, aht_seconds=180, target_seconds=20)
    assert np.all(np.diff(levels) > 0)
    result = erlang_a(handlers, 10.0, aht_seconds=180, patience_seconds=120, target_seconds=20)
    assert np.all(np.diff(result.service_level) > 0)
    assert np.all(np.diff(result.abandonment) < 0)


def test_erlang_c_reports_no_steady_state_when_handlers_do_not_exceed_load() -> None:
    handlers = np.array([9, 10, 11])
    assert is_stable(handlers, 10.0).tolist() == [False, False, True]
    assert erlang_c(handlers, 10.0)[:2].tolist() == [1.0, 1.0]
    levels = service_level_c(handlers, 10.0, aht_seconds=180, target_seconds=20)
    assert levels[:2].tolist() == [0.0, 0.0]
    assert np.isinf(average_speed_of_answer(handlers, 10.0, aht_seconds=180)[:2]).all()
    assert 0 < levels[2] < 1


def test_erlang_a_stays_stable_below_the_load_and_sheds_the_excess_as_abandonment() -> None:
    result = erlang_a(400, 500.0, aht_seconds=180, patience_seconds=120, target_seconds=20)
    # Overloaded: nearly everyone waits and the surplus (100 of 500 Erlangs) abandons.
    assert float(result.waiting) > 0.999
    assert float(result.abandonment) == pytest.approx(0.2, abs=0.002)


@pytest.mark.parametrize("handlers", [11, 14, 15, 20])
def test_erlang_a_with_endless_patience_equals_erlang_c(handlers: int) -> None:
    result = erlang_a(handlers, 10.0, aht_seconds=180, patience_seconds=1e10, target_seconds=20)
    assert float(result.waiting) == pytest.approx(float(erlang_c(handlers, 10.0)), abs=1e-6)
    level_c = service_level_c(handlers, 10.0, aht_seconds=180, target_seconds=20)
    assert float(result.service_level) == pytest.approx(float(level_c), abs=1e-6)
    assert float(result.abandonment) < 1e-6


def _erlang_a_by_markov_chain(
    n: int, load: float, aht: float, patience: float, target: float
) -> tuple[float, float, float]:
    """The M/M/n+M chain solved directly (truncated), and a tagged arrival's fate by expm."""
    lam, mu, theta = load / aht, 1 / aht, 1 / patience
    top = n + 400
    weights = np.zeros(top + 1)
    weights[0] = 1.0
    for k in range(1, top + 1):
        weights[k] = weights[k - 1] * lam / (min(k, n) * mu + max(k - n, 0) * theta)
    pi = weights / weights.sum()
    waiting = pi[n:].sum()
    abandonment = theta * sum((k - n) * pi[k] for k in range(n, top + 1)) / lam
    # A tagged arrival finding j waiting ahead: states j..0 ahead, then served / abandoned.
    size = top - n + 1
    generator = np.zeros((size + 2, size + 2))
    served, gone = size, size + 1
    for j in range(size):
        ahead_leaves = n * mu + j * theta
        generator[j, j - 1 if j else served] += ahead_leaves
        generator[j, gone] += theta
        generator[j, j] = -(ahead_leaves + theta)
    start = np.zeros(size + 2)
    start[:size] = pi[n:]
    answered_late = start @ expm(generator * target)
    level = 1 - waiting + answered_late[served]
    return float(waiting), float(abandonment), float(level)


@pytest.mark.parametrize(
    ("n", "load", "patience"), [(5, 4.0, 60.0), (12, 10.0, 300.0), (8, 9.5, 30.0), (3, 0.5, 900.0)]
)
def test_erlang_a_agrees_with_the_markov_chain_solved_directly(
    n: int, load: float, patience: float
) -> None:
    expected = _erlang_a_by_markov_chain(n, load, 180.0, patience, 20.0)
    got = erlang_a(n, load, aht_seconds=180, patience_seconds=patience, target_seconds=20)
    assert float(got.waiting) == pytest.approx(expected[0], rel=1e-7)
    assert float(got.abandonment) == pytest.approx(expected[1], rel=1e-6)
    assert float(got.service_level) == pytest.approx(expected[2], rel=1e-6)


def test_very_light_traffic_gives_finite_values_and_one_handler() -> None:
    assert (
        int(required_handlers_c(0.01, aht_seconds=180, target_seconds=10, service_level=0.9)) == 1
    )
    level = service_level_c(1, 0.01, aht_seconds=180, target_seconds=10)
    assert 0.98 < float(level) < 1
    result = erlang_a(300, 0.01, aht_seconds=180, patience_seconds=60, target_seconds=10)
    assert float(result.waiting) == 0.0
    assert float(result.service_level) == 1.0


def test_very_heavy_traffic_with_hundreds_of_handlers_has_no_overflow_or_nan() -> None:
    handlers = np.arange(501, 700)
    waiting = erlang_c(handlers, 500.0)
    levels = service_level_c(handlers, 500.0, aht_seconds=180, target_seconds=10)
    result = erlang_a(handlers, 500.0, aht_seconds=180, patience_seconds=120, target_seconds=10)
    for values in (waiting, levels, result.waiting, result.abandonment, result.service_level):
        assert np.all(np.isfinite(values))
        assert np.all((values >= 0) & (values <= 1))
    needed = int(required_handlers_c(500.0, aht_seconds=180, target_seconds=10, service_level=0.9))
    assert 520 <= needed <= 560
    assert float(service_level_c(needed, 500.0, aht_seconds=180, target_seconds=10)) >= 0.9
    assert float(service_level_c(needed - 1, 500.0, aht_seconds=180, target_seconds=10)) < 0.9


def test_required_handlers_for_many_intervals_at_once_match_one_by_one() -> None:
    loads = np.array([0.0, 0.3, 2.5, 10.0, 47.0, 250.0])
    together = required_handlers_c(loads, aht_seconds=240, target_seconds=10, service_level=0.9)
    alone = [
        int(required_handlers_c(x, aht_seconds=240, target_seconds=10, service_level=0.9))
        for x in loads
    ]
    assert together.tolist() == alone
    assert together[0] == 0


def test_erlang_a_requirement_meets_both_targets_with_none_to_spare() -> None:
    loads = np.array([0.5, 3.0, 12.0, 40.0, 150.0])
    needed = required_handlers_a(
        loads,
        aht_seconds=300,
        patience_seconds=240,
        target_seconds=180,
        service_level=0.8,
        max_abandonment=0.05,
    )
    at = erlang_a(needed, loads, aht_seconds=300, patience_seconds=240, target_seconds=180)
    below = erlang_a(needed - 1, loads, aht_seconds=300, patience_seconds=240, target_seconds=180)
    assert np.all((at.service_level >= 0.8) & (at.abandonment <= 0.05))
    assert not np.any((below.service_level >= 0.8) & (below.abandonment <= 0.05))


def test_abandonment_limit_can_need_more_handlers_than_the_service_level() -> None:
    loose = required_handlers_a(
        20.0, aht_seconds=300, patience_seconds=60, target_seconds=180, service_level=0.5
    )
    strict = required_handlers_a(
        20.0,
        aht_seconds=300,
        patience_seconds=60,
        target_seconds=180,
        service_level=0.5,
        max_abandonment=0.01,
    )
    assert int(strict) > int(loose)


def test_chat_handlers_divide_sessions_by_concurrency_rounding_up() -> None:
    assert chat_handlers(np.array([0, 1, 6, 7]), max_concurrent_chats=3).tolist() == [0, 1, 2, 3]


def test_shrinkage_grosses_up_handlers_to_staff() -> None:
    assert float(required_staff(15, shrinkage=0.25)) == pytest.approx(20.0)


def test_bad_inputs_are_refused_with_what_is_wrong() -> None:
    with pytest.raises(StaffingInputError, match="handlers must be whole numbers"):
        erlang_c(14.5, 10)
    with pytest.raises(StaffingInputError, match="load cannot be negative"):
        erlang_c(14, -1)
    with pytest.raises(StaffingInputError, match="service_level"):
        required_handlers_c(10, aht_seconds=180, target_seconds=20, service_level=1.0)
    with pytest.raises(StaffingInputError, match="shrinkage"):
        required_staff(10, shrinkage=1.0)
    with pytest.raises(StaffingInputError, match="patience_seconds must be greater than 0"):
        erlang_a(10, 5, aht_seconds=180, patience_seconds=0, target_seconds=20)
