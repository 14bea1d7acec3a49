"""The telephony live feed: store each call event once, and keep the call's contact in step."""

from __future__ import annotations

from dataclasses import dataclass

from watchhouse.db.repositories import telephony
from watchhouse.domain.access import Operation
from watchhouse.domain.errors import ValidationFailed
from watchhouse.domain.identifiers import telephone_or_none
from watchhouse.domain.roles import Actor
from watchhouse.domain.telephony import (
    AnsweredCall,
    CallEvent,
    CallEventKind,
    call_state,
    check_event,
)
from watchhouse.services.access import log_access
from watchhouse.services.context import AppContext


@dataclass(frozen=True)
class RecordedEvent:
    """What posting one event did: whether it was new, and the call's contact (if any yet)."""

    call_id: str
    stored: bool
    contact_id: int | None


def record_event(ctx: AppContext, *, actor: Actor, event: CallEvent) -> RecordedEvent:
    """Store one call event (a repeat stores nothing) and recompute the call from all events."""
    problems = check_event(event)
    if problems:
        raise ValidationFailed(problems)
    with ctx.db.transaction() as session:
        if event.kind is CallEventKind.ANSWERED:
            assert event.handler_username is not None
            if telephony.user_id_of(session=session, username=event.handler_username) is None:
                raise ValidationFailed.one(
                    "handler", f"no active user with username {event.handler_username!r}"
                )
        stored = telephony.add_event(session=session, event=event, received_at=ctx.now())
        contact_id = telephony.lock_call(session=session, call_id=event.call_id)
        state = call_state(telephony.events_of(session=session, call_id=event.call_id))
        handler_id = (
            None
            if state.answered_by is None
            else telephony.user_id_of(session=session, username=state.answered_by)
        )
        e164 = telephone_or_none(state.caller_number, ctx.policy.identity.telephone_region)
        number_id = None if e164 is None else telephony.number_id(session=session, number=e164)
        if contact_id is None and state.channel is not None:
            contact_id = telephony.add_contact(
                session=session, state=state, handler_id=handler_id, number_id=number_id
            )
            log_access(
                ctx,
                session=session,
                actor=actor,
                operation=Operation.COLLECTION,
                record_type="contact",
                record_id=contact_id,
            )
        elif contact_id is not None and stored:
            telephony.update_contact(
                session=session,
                contact_id=contact_id,
                state=state,
                handler_id=handler_id,
                number_id=number_id,
            )
            log_access(
                ctx,
                session=session,
                actor=actor,
                operation=Operation.ALTERATION,
                record_type="contact",
                record_id=contact_id,
            )
        telephony.save_call(
            session=session,
            state=state,
            contact_id=contact_id,
            handler_id=handler_id,
            now=ctx.now(),
        )
    return RecordedEvent(event.call_id, stored, contact_id)


def answered_calls(ctx: AppContext, *, actor: Actor) -> list[AnsweredCall]:
    """The calls this handler answered whose contacts are still open (a logged consultation)."""
    with ctx.db.transaction() as session:
        calls = telephony.answered_open_calls(session=session, user_id=actor.user_id)
        for call in calls:
            log_access(
                ctx,
                session=session,
                actor=actor,
                operation=Operation.CONSULTATION,
                record_type="contact",
                record_id=call.contact_id,
                justification="the handler's own answered call, on their home page",
            )
    return calls
