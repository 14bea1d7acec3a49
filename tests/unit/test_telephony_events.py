"""The call a set of telephony events adds up to: the same in every order, answer beats abandon."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import permutations

import pytest

from watchhouse.domain.telephony import CallEvent, CallEventKind, call_state, check_event
from watchhouse.domain.values import Channel

pytestmark = pytest.mark.unit

T0 = datetime(2026, 10, 25, 0, 59, 50, tzinfo=UTC)  # the autumn clock change, in UTC throughout

EVENTS = [
    CallEvent("X", CallEventKind.PRESENTED, T0, Channel.NON_EMERGENCY_101, "07700 900789", "101"),
    CallEvent("X", CallEventKind.ABANDONED, T0 + timedelta(seconds=5)),
    CallEvent("X", CallEventKind.ANSWERED, T0 + timedelta(seconds=20), handler_username="hana"),
    CallEvent("X", CallEventKind.TRANSFERRED, T0 + timedelta(seconds=90), transferred_to="fire"),
    CallEvent("X", CallEventKind.ENDED, T0 + timedelta(seconds=95)),
]


def test_every_order_of_the_events_gives_the_same_call() -> None:
    states = {call_state(order) for order in permutations(EVENTS)}
    assert len(states) == 1
    (state,) = states
    assert (state.presented_at, state.answered_at, state.answered_by) == (
        T0,
        T0 + timedelta(seconds=20),
        "hana",
    )
    assert state.abandoned is False
    assert (state.channel, state.caller_number, state.queue) == (
        Channel.NON_EMERGENCY_101,
        "07700 900789",
        "101",
    )


def test_without_a_presented_event_the_earliest_event_stands_in_for_it() -> None:
    state = call_state([EVENTS[4], EVENTS[1]])
    assert state.presented_at == EVENTS[1].at and state.abandoned is True
    assert state.channel is None


def test_a_presented_event_needs_a_telephone_channel_and_a_number() -> None:
    bad = CallEvent("X", CallEventKind.PRESENTED, T0, Channel.LIVE_CHAT, None)
    assert {p.field for p in check_event(bad)} == {"channel", "caller_number"}


def test_a_time_without_offset_is_a_problem_named_at() -> None:
    naive = CallEvent("X", CallEventKind.ENDED, datetime(2026, 10, 25, 1, 30))
    assert [p.field for p in check_event(naive)] == ["at"]
