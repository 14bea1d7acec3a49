"""The telephony live feed: the same contact whatever order events arrive in and however often."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from watchhouse.db.tables import ContactRow
from watchhouse.db.telephony_tables import TelephonyEventRow
from watchhouse.domain.errors import ValidationFailed
from watchhouse.domain.roles import Actor, Role
from watchhouse.domain.telephony import CallEvent, CallEventKind
from watchhouse.domain.values import Channel
from watchhouse.services import telephony
from watchhouse.services.context import AppContext

T0 = datetime(2026, 3, 10, 13, 58, tzinfo=UTC)


def _answered_call(call_id: str, handler: str) -> list[CallEvent]:
    return [
        CallEvent(
            call_id,
            CallEventKind.PRESENTED,
            T0,
            channel=Channel.EMERGENCY_999,
            caller_number="07700 900456",
            queue="999-main",
        ),
        CallEvent(
            call_id, CallEventKind.ANSWERED, T0 + timedelta(seconds=7), handler_username=handler
        ),
        CallEvent(
            call_id,
            CallEventKind.TRANSFERRED,
            T0 + timedelta(minutes=3),
            transferred_to="ambulance",
        ),
        CallEvent(call_id, CallEventKind.ENDED, T0 + timedelta(minutes=4)),
    ]


def _contacts(ctx: AppContext) -> list[tuple[object, ...]]:
    with ctx.db.transaction() as session:
        rows = session.scalars(select(ContactRow).order_by(ContactRow.external_ref)).all()
        return [
            (
                r.external_ref,
                r.channel,
                r.presented_at,
                r.answered_at,
                r.ended_at,
                r.abandoned,
                r.handler_id,
                r.caller_telephone,
                r.status,
                r.source,
            )
            for r in rows
        ]


def test_events_shuffled_and_repeated_give_the_same_contact(
    ctx: AppContext, actors: dict[Role, Actor]
) -> None:
    system = actors[Role.TELEPHONY_SYSTEM]
    events = _answered_call("C-1", "call_handler")
    for event in events:
        telephony.record_event(ctx, actor=system, event=event)
    expected = _contacts(ctx)
    assert expected == [
        (
            "C-1",
            "999",
            T0,
            T0 + timedelta(seconds=7),
            T0 + timedelta(minutes=4),
            False,
            actors[Role.CALL_HANDLER].user_id,
            "07700 900456",
            "open",
            "telephony",
        )
    ]
    rng = random.Random(14)
    for n in range(6):
        call_id = f"C-1-{n}"
        batch = [replace(e, call_id=call_id) for e in events]
        batch = batch + rng.sample(batch, k=rng.randint(1, len(batch)))
        rng.shuffle(batch)
        for event in batch:
            telephony.record_event(ctx, actor=system, event=event)
    stored = _contacts(ctx)
    assert len(stored) == 7
    assert {row[1:] for row in stored} == {expected[0][1:]}


def test_an_answer_wins_over_an_abandonment_whichever_comes_first(
    ctx: AppContext, actors: dict[Role, Actor]
) -> None:
    system = actors[Role.TELEPHONY_SYSTEM]
    answered, abandoned = (
        CallEvent(
            "C-2",
            CallEventKind.ANSWERED,
            T0 + timedelta(seconds=30),
            handler_username="call_handler",
        ),
        CallEvent(
            "C-2",
            CallEventKind.ABANDONED,
            T0 + timedelta(seconds=20),
            channel=Channel.NON_EMERGENCY_101,
        ),
    )
    telephony.record_event(ctx, actor=system, event=abandoned)
    assert _contacts(ctx)[0][5:9] == (True, None, None, "abandoned")
    telephony.record_event(ctx, actor=system, event=answered)
    assert _contacts(ctx)[0][5:9] == (False, actors[Role.CALL_HANDLER].user_id, None, "open")


def test_a_repeated_event_is_stored_once(ctx: AppContext, actors: dict[Role, Actor]) -> None:
    system = actors[Role.TELEPHONY_SYSTEM]
    event = _answered_call("C-3", "call_handler")[0]
    first = telephony.record_event(ctx, actor=system, event=event)
    again = telephony.record_event(ctx, actor=system, event=event)
    assert (first.stored, again.stored) == (True, False)
    assert first.contact_id == again.contact_id
    with ctx.db.transaction() as session:
        assert len(session.scalars(select(TelephonyEventRow)).all()) == 1


def test_naive_time_and_unknown_handler_are_refused_naming_the_field(
    ctx: AppContext, actors: dict[Role, Actor]
) -> None:
    system = actors[Role.TELEPHONY_SYSTEM]
    naive = CallEvent("C-4", CallEventKind.ENDED, datetime(2026, 3, 10, 14, 0))
    with pytest.raises(ValidationFailed) as caught:
        telephony.record_event(ctx, actor=system, event=naive)
    assert [p.field for p in caught.value.problems] == ["at"]
    ghost = CallEvent("C-4", CallEventKind.ANSWERED, T0, handler_username="nobody")
    with pytest.raises(ValidationFailed) as caught:
        telephony.record_event(ctx, actor=system, event=ghost)
    assert "nobody" in caught.value.problems[0].reason
    assert _contacts(ctx) == []


def test_the_handler_sees_the_calls_they_answered(
    ctx: AppContext, actors: dict[Role, Actor]
) -> None:
    system = actors[Role.TELEPHONY_SYSTEM]
    for event in _answered_call("C-5", "call_handler")[:2]:
        telephony.record_event(ctx, actor=system, event=event)
    mine = telephony.answered_calls(ctx, actor=actors[Role.CALL_HANDLER])
    assert [(c.call_id, c.caller_number) for c in mine] == [("C-5", "07700 900456")]
    assert telephony.answered_calls(ctx, actor=actors[Role.SUPERVISOR]) == []
