"""Answer times and abandonment come from a queue with handlers on shift, so staffing drives
them: the thin profile answers 999 in about 25 s on average, the well-staffed one in under 10 s,
and the scale of the force (which only thins the contacts kept) changes neither."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import pytest

from watchhouse.synth.arrivals import INTERVAL_SECONDS
from watchhouse.synth.queueing import QueueState, planned_handlers, simulate

if TYPE_CHECKING:
    from tests.synth.conftest import Generated

pytestmark = pytest.mark.unit


def _waits(force: Generated, channel: str) -> np.ndarray:
    mine = force.col("contacts", "channel") == channel
    waits = force.seconds("contacts", "answered_at") - force.seconds("contacts", "presented_at")
    return waits[mine & ~np.isnan(waits)]


def _abandonment(force: Generated, channel: str) -> float:
    mine = force.col("contacts", "channel") == channel
    return float(force.col("contacts", "abandoned")[mine].mean())


def test_special_measures_answers_999_in_about_25_seconds(
    staffing_forces: dict[str, Generated],
) -> None:
    waits = _waits(staffing_forces["special_measures"], "999")
    assert len(waits) > 500
    assert 18 < waits.mean() < 35
    assert np.mean(waits < 10) < 0.80  # well short of the 90% standard


def test_well_staffed_answers_999_in_under_10_seconds(
    staffing_forces: dict[str, Generated],
) -> None:
    waits = _waits(staffing_forces["well_staffed"], "999")
    assert len(waits) > 500
    assert waits.mean() < 10
    assert np.mean(waits < 10) > 0.90  # meets the national standard


def test_answer_times_fall_as_staffing_rises(staffing_forces: dict[str, Generated]) -> None:
    mean = {name: _waits(force, "999").mean() for name, force in staffing_forces.items()}
    assert mean["special_measures"] > mean["default"] + 5
    assert mean["default"] > mean["well_staffed"] + 3
    within = {name: np.mean(_waits(force, "999") < 10) for name, force in staffing_forces.items()}
    assert within["special_measures"] < within["default"] < within["well_staffed"]
    waits_101 = {name: _waits(force, "101").mean() for name, force in staffing_forces.items()}
    assert waits_101["special_measures"] > waits_101["default"] > waits_101["well_staffed"]


def test_101_abandonment_follows_staffing(staffing_forces: dict[str, Generated]) -> None:
    rate = {name: _abandonment(force, "101") for name, force in staffing_forces.items()}
    assert rate["special_measures"] > 0.10  # over the default 10% policy limit
    assert rate["well_staffed"] < 0.09
    assert rate["special_measures"] > rate["well_staffed"] + 0.03
    # 999 callers wait longer before giving up: far fewer abandon.
    assert _abandonment(staffing_forces["special_measures"], "999") < rate["special_measures"] / 2


def test_scale_does_not_change_answer_times(
    staffing_forces: dict[str, Generated], make_force: Callable[..., Generated]
) -> None:
    small = staffing_forces["special_measures"]
    larger = make_force(
        "special_measures",
        seed=small.force.seed,
        scale=small.force.scale * 5,
        start=small.force.start,
        end=small.force.end,
    )
    assert larger["contacts"].num_rows > 4 * small["contacts"].num_rows
    # The small force keeps about 600 of the two months' 999 calls: its mean carries sampling
    # noise of a couple of seconds, nothing like the change a different staffing makes.
    small_waits, larger_waits = _waits(small, "999"), _waits(larger, "999")
    assert abs(small_waits.mean() - larger_waits.mean()) < 0.2 * larger_waits.mean()
    assert abs(np.mean(small_waits < 10) - np.mean(larger_waits < 10)) < 0.04
    # About 1,300 101 calls kept in the small force: its abandonment share carries sampling
    # noise of about 0.009 (one standard error), so 0.025 is under three of them.
    assert abs(_abandonment(small, "101") - _abandonment(larger, "101")) < 0.025


def test_abandoned_contacts_are_never_answered(staffing_forces: dict[str, Generated]) -> None:
    force = staffing_forces["special_measures"]
    abandoned = force.col("contacts", "abandoned")
    presented = force.seconds("contacts", "presented_at")
    answered = force.seconds("contacts", "answered_at")
    ended = force.seconds("contacts", "ended_at")
    assert abandoned.any()
    assert np.isnan(answered[abandoned]).all()
    assert np.isnan(force.col("contacts", "handler_id")[abandoned]).all()
    assert set(force.col("contacts", "status")[abandoned]) == {"abandoned"}
    assert (answered[~abandoned] >= presented[~abandoned]).all()
    assert (ended[~abandoned] > answered[~abandoned]).all()
    # Every answered contact, and no abandoned one, gets a THRIVE assessment and an incident.
    contact_ids = force.col("contacts", "id")
    assessed = set(force.col("thrive_assessments", "contact_id").tolist())
    assert assessed == set(contact_ids[~abandoned].tolist())
    assert set(force.col("incidents", "contact_id").tolist()) == assessed


# --- the queue model itself ------------------------------------------------------------------


def test_planned_handlers_cover_the_load_at_the_planned_occupancy() -> None:
    # 100 calls in 15 minutes at 180 s each is 20 Erlangs; at 80% occupancy, 25 handlers.
    expected = np.array([100.0, 1.0, 0.0])
    handlers = planned_handlers(expected, mean_handling=180, occupancy=0.8, minimum=3)
    assert handlers.tolist() == [25, 3, 3]
    # Chat handlers carry several chats: positions are handlers times concurrency.
    chats = planned_handlers(
        np.array([60.0]), mean_handling=900, occupancy=0.75, minimum=1, concurrency=3
    )
    assert chats.tolist() == [3 * int(np.ceil(60 * 900 / INTERVAL_SECONDS / (0.75 * 3)))]


def test_queue_serves_first_come_first_served_and_callers_give_up() -> None:
    arrivals = np.array([0.0, 1.0, 2.0, 3.0])
    handling = np.array([100.0, 100.0, 100.0, 100.0])
    patience = np.array([1e9, 1e9, 50.0, 1e9])
    outcome = simulate(QueueState(), arrivals, handling, patience, np.array([0]), np.array([2]))
    # Two handlers: the first two are answered at once, the third gives up after 50 s, the
    # fourth waits for the first handler to finish.
    assert outcome.answered[:2].tolist() == [0.0, 1.0]
    assert np.isnan(outcome.answered[2])
    assert outcome.answered[3] == 100.0
    assert outcome.finished[3] == 200.0


def test_more_handlers_on_shift_shorten_the_wait() -> None:
    rng = np.random.default_rng(3)
    n = 4000
    arrivals = np.sort(rng.random(n) * 4 * INTERVAL_SECONDS)
    handling = rng.gamma(2.0, 100.0, n)
    patience = np.full(n, 1e9)
    starts = np.arange(4) * INTERVAL_SECONDS
    means = []
    for staff in (240, 250, 270, 300):
        outcome = simulate(QueueState(), arrivals, handling, patience, starts, np.full(4, staff))
        means.append(float(np.mean(outcome.answered - arrivals)))
    assert means == sorted(means, reverse=True)
    assert means[0] > 10 * max(means[-1], 0.01)


def test_the_queue_carries_over_from_one_period_to_the_next() -> None:
    state = QueueState()
    simulate(
        state, np.array([0.0]), np.array([500.0]), np.array([1e9]), np.array([0]), np.array([1])
    )
    # The one handler is busy until 500 s: a caller at 100 s in the next period waits.
    outcome = simulate(
        state, np.array([100.0]), np.array([10.0]), np.array([1e9]), np.array([100]), np.array([1])
    )
    assert outcome.answered.tolist() == [500.0]


def test_a_call_to_a_free_position_rings_before_it_is_answered_and_holds_the_position() -> None:
    arrivals = np.array([0.0, 1.0])
    outcome = simulate(
        QueueState(),
        arrivals,
        np.array([100.0, 100.0]),
        np.array([1e9, 1e9]),
        np.array([0]),
        np.array([1]),
        np.array([4.0, 6.0]),
    )
    # Answered 4 s after arriving; the one position is taken while it rings and is handled,
    # so the second caller waits until 104 s and then rings for 6 s.
    assert outcome.answered.tolist() == [4.0, 110.0]
    assert outcome.finished.tolist() == [104.0, 210.0]


def test_no_999_call_in_the_synthetic_force_is_answered_in_0_seconds(
    staffing_forces: dict[str, Generated],
) -> None:
    """The demo's 999 answer measures were 0.0 s: a call to a free position was answered the
    instant it arrived. With the pickup every answer takes a few seconds, as in a real room."""
    waits = _waits(staffing_forces["well_staffed"], "999")
    assert (waits > 0.5).all()
    assert 2.0 < float(np.median(waits)) < 8.0
    assert float(np.median(_waits(staffing_forces["default"], "101"))) > 3.0
