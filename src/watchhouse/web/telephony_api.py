"""The telephony platform's live feed: `POST /api/telephony/events` with a bearer token."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from watchhouse.domain.errors import FieldProblem, ValidationFailed
from watchhouse.domain.roles import Action
from watchhouse.domain.telephony import CallEvent, CallEventKind
from watchhouse.domain.values import Channel
from watchhouse.services import telephony
from watchhouse.web.api import ERRORS
from watchhouse.web.security import actor_of, context_of, require

router = APIRouter(prefix="/api/telephony", tags=["telephony"], responses=ERRORS)


class CallEventIn(BaseModel):
    """One call event as the platform sends it (see docs/telephony.md)."""

    model_config = ConfigDict(extra="forbid")
    call_id: str = Field(description="the platform's own id of the call")
    event: str = Field(description="presented, answered, abandoned, transferred or ended")
    at: datetime = Field(description="ISO 8601 with a UTC offset, e.g. 2026-03-10T14:00:07Z")
    channel: str | None = Field(None, description="999 or 101 (required when presented)")
    caller_number: str | None = Field(None, description="required when presented")
    queue: str | None = None
    handler: str | None = Field(None, description="username of the handler (when answered)")
    transferred_to: str | None = None


class CallEventOut(BaseModel):
    """What the event did: stored (false for a repeat) and the call's contact, once it has one."""

    call_id: str
    stored: bool
    contact_id: int | None


def _event(body: CallEventIn) -> CallEvent:
    problems: list[FieldProblem] = []
    kinds = ", ".join(k.value for k in CallEventKind)
    if body.event not in {k.value for k in CallEventKind}:
        problems.append(FieldProblem("event", f"unknown event {body.event!r}; use one of {kinds}"))
    channels = {c.value for c in Channel}
    if body.channel is not None and body.channel not in channels:
        problems.append(
            FieldProblem("channel", f"unknown channel {body.channel!r}; use 999 or 101")
        )
    if problems:
        raise ValidationFailed(problems)
    return CallEvent(
        call_id=body.call_id,
        kind=CallEventKind(body.event),
        at=body.at,
        channel=None if body.channel is None else Channel(body.channel),
        caller_number=body.caller_number,
        queue=body.queue,
        handler_username=body.handler,
        transferred_to=body.transferred_to,
    )


@router.post(
    "/events",
    response_model=CallEventOut,
    dependencies=[Depends(require(Action.POST_CALL_EVENTS))],
)
def post_call_event(request: Request, body: CallEventIn) -> CallEventOut:
    """Record one call event; repeats and any order give the same contact."""
    recorded = telephony.record_event(
        context_of(request), actor=actor_of(request), event=_event(body)
    )
    return CallEventOut(
        call_id=recorded.call_id, stored=recorded.stored, contact_id=recorded.contact_id
    )
