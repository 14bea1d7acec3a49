"""Call events from the force's telephony platform, and the call they add up to (pure)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from watchhouse.domain.errors import FieldProblem
from watchhouse.domain.values import Channel


class CallEventKind(StrEnum):
    """What the platform says happened to a call."""

    PRESENTED = "presented"
    ANSWERED = "answered"
    ABANDONED = "abandoned"
    TRANSFERRED = "transferred"
    ENDED = "ended"


TELEPHONE_CHANNELS = frozenset({Channel.EMERGENCY_999, Channel.NON_EMERGENCY_101})


@dataclass(frozen=True)
class CallEvent:
    """One event about one call, keyed by the platform's own call id."""

    call_id: str
    kind: CallEventKind
    at: datetime
    channel: Channel | None = None
    caller_number: str | None = None
    queue: str | None = None
    handler_username: str | None = None
    transferred_to: str | None = None


@dataclass(frozen=True)
class CallState:
    """The call as every event stored so far describes it, whatever order they came in."""

    call_id: str
    presented_at: datetime
    channel: Channel | None
    caller_number: str | None
    queue: str | None
    answered_at: datetime | None
    answered_by: str | None
    abandoned_at: datetime | None
    transferred_at: datetime | None
    transferred_to: str | None
    ended_at: datetime | None

    @property
    def abandoned(self) -> bool:
        """Abandoned only if never answered (an answer wins over a late 'abandoned')."""
        return self.abandoned_at is not None and self.answered_at is None


@dataclass(frozen=True)
class AnsweredCall:
    """A call a handler answered whose contact is still open, as their home page lists it."""

    call_id: str
    contact_id: int
    channel: Channel
    caller_number: str | None
    queue: str | None
    presented_at: datetime
    answered_at: datetime


def check_event(event: CallEvent) -> list[FieldProblem]:
    """Every problem with one event, each naming its field."""
    problems: list[FieldProblem] = []
    if not event.call_id.strip() or len(event.call_id) > 120:
        problems.append(FieldProblem("call_id", "must be 1 to 120 characters"))
    if event.at.tzinfo is None or event.at.utcoffset() is None:
        problems.append(FieldProblem("at", "must carry a UTC offset (e.g. 2026-03-10T14:00:00Z)"))
    if event.kind is CallEventKind.PRESENTED:
        if event.channel not in TELEPHONE_CHANNELS:
            problems.append(FieldProblem("channel", "a presented call needs channel 999 or 101"))
        if not (event.caller_number or "").strip():
            problems.append(FieldProblem("caller_number", "a presented call needs the number"))
    if event.channel is not None and event.channel not in TELEPHONE_CHANNELS:
        problems.append(FieldProblem("channel", f"{event.channel.value!r} is not 999 or 101"))
    if event.kind is CallEventKind.ANSWERED and not (event.handler_username or "").strip():
        problems.append(FieldProblem("handler", "an answered call needs the handler's username"))
    return problems


def _first(values: Iterable[str | None]) -> str | None:
    return next((v for v in values if v), None)


def call_state(events: Iterable[CallEvent]) -> CallState:
    """Recompute a call from all its stored events; the order they arrived in does not matter."""
    ordered = sorted(events, key=lambda e: (e.at, list(CallEventKind).index(e.kind)))
    if not ordered:
        raise ValueError("a call needs at least one event")
    by_kind = {e.kind: e for e in ordered}
    presented = by_kind.get(CallEventKind.PRESENTED)
    # The presented event speaks first for what it carries; other events fill the gaps.
    speakers = ([presented] if presented else []) + ordered
    answered = by_kind.get(CallEventKind.ANSWERED)
    abandoned = by_kind.get(CallEventKind.ABANDONED)
    transferred = by_kind.get(CallEventKind.TRANSFERRED)
    ended = by_kind.get(CallEventKind.ENDED)
    channels = [e.channel for e in speakers if e.channel is not None]
    return CallState(
        call_id=ordered[0].call_id,
        presented_at=presented.at if presented else ordered[0].at,
        channel=channels[0] if channels else None,
        caller_number=_first(e.caller_number for e in speakers),
        queue=_first(e.queue for e in speakers),
        answered_at=answered.at if answered else None,
        answered_by=answered.handler_username if answered else None,
        abandoned_at=abandoned.at if abandoned else None,
        transferred_at=transferred.at if transferred else None,
        transferred_to=transferred.transferred_to if transferred else None,
        ended_at=ended.at if ended else None,
    )
