"""The dispatcher's work: the live queue, deployment, arrival and closure."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from watchhouse.auth.permissions import can
from watchhouse.db.repositories import incidents
from watchhouse.domain.access import Operation
from watchhouse.domain.attendance import (
    AttendanceStatus,
    QueueItem,
    attendance_status,
    attendance_target,
    order_queue,
)
from watchhouse.domain.clock import require_aware
from watchhouse.domain.errors import Conflict, ValidationFailed
from watchhouse.domain.incident_flow import (
    DISPATCH_CLOSURES,
    Closure,
    IncidentStatus,
    check_arrival,
    check_close,
    check_deploy,
)
from watchhouse.domain.records import IncidentView
from watchhouse.domain.roles import Action, Actor
from watchhouse.services.access import log_access
from watchhouse.services.context import AppContext


@dataclass(frozen=True)
class QueueEntry:
    """One incident in the dispatcher's queue with its standing against target."""

    incident: IncidentView
    attendance: AttendanceStatus


def _status(ctx: AppContext, incident: IncidentView, now: datetime) -> AttendanceStatus:
    target = attendance_target(incident.grade, incident.settlement, ctx.policy.attendance_targets())
    return attendance_status(
        created_at=incident.created_at, arrived_at=incident.arrived_at, now=now, target=target
    )


def dispatch_queue(ctx: AppContext, *, actor: Actor, log: bool = False) -> list[QueueEntry]:
    """Open incidents by grade, then least time left to target; breaches flagged.

    Someone who may see the queue but not open an incident (an analyst watching demand) sees
    it without the narratives and locations: grades, times, status and settlement only."""
    now = ctx.now()
    with ctx.db.transaction() as session:
        open_incidents = incidents.open_incidents(session=session)
        if not can(actor.role, Action.VIEW_INCIDENT):
            open_incidents = [replace(i, summary="", location=None) for i in open_incidents]
        if log:
            log_access(
                ctx,
                session=session,
                actor=actor,
                operation=Operation.CONSULTATION,
                record_type="dispatch_queue",
                record_id=f"{len(open_incidents)} incidents",
                justification="dispatch queue opened",
            )
    by_id = {i.id: i for i in open_incidents}
    targets = ctx.policy.attendance_targets()
    items = [
        QueueItem(i.id, i.grade, i.created_at, attendance_target(i.grade, i.settlement, targets))
        for i in open_incidents
    ]
    return [
        QueueEntry(by_id[item.incident_id], _status(ctx, by_id[item.incident_id], now))
        for item in order_queue(items, now)
    ]


def queue_version(ctx: AppContext) -> str:
    """Changes whenever any incident changes; live queues poll it cheaply."""
    with ctx.db.transaction() as session:
        return incidents.queue_version(session=session)


def get_incident(
    ctx: AppContext, *, actor: Actor, incident_id: int, justification: str | None
) -> QueueEntry:
    """An incident and its standing; viewing it is a logged consultation."""
    with ctx.db.transaction() as session:
        incident = incidents.incident(session=session, incident_id=incident_id)
        log_access(
            ctx,
            session=session,
            actor=actor,
            operation=Operation.CONSULTATION,
            record_type="incident",
            record_id=incident_id,
            justification=justification,
        )
    return QueueEntry(incident, _status(ctx, incident, ctx.now()))


def deploy(ctx: AppContext, *, actor: Actor, incident_id: int, unit: str) -> None:
    """Record which unit was sent, and when."""
    unit = unit.strip()
    if not unit or len(unit) > 40:
        raise ValidationFailed.one(
            "unit", "give the call sign of the unit sent (up to 40 characters)"
        )
    now = ctx.now()
    with ctx.db.transaction() as session:
        current = IncidentStatus(
            incidents.incident_status(session=session, incident_id=incident_id)
        )
        incidents.update_incident(
            session=session,
            incident_id=incident_id,
            now=now,
            status=check_deploy(current).value,
            deployed_at=now,
            deployed_unit=unit,
            deployed_by=actor.user_id,
        )
        log_access(
            ctx,
            session=session,
            actor=actor,
            operation=Operation.ALTERATION,
            record_type="incident",
            record_id=incident_id,
        )


def record_arrival(
    ctx: AppContext,
    *,
    actor: Actor,
    incident_id: int,
    body_worn_video: bool,
    arrived_at: datetime | None = None,
) -> None:
    """Record the first officer's arrival and whether body-worn video was switched on."""
    now = ctx.now()
    when = now if arrived_at is None else require_aware(arrived_at, "arrived_at")
    if when > now:
        raise ValidationFailed.one("arrived_at", "is in the future")
    with ctx.db.transaction() as session:
        incident = incidents.incident(session=session, incident_id=incident_id)
        new_status = check_arrival(IncidentStatus(incident.status))
        if incident.deployed_at and when < incident.deployed_at:
            raise ValidationFailed.one("arrived_at", "is before the unit was deployed")
        incidents.update_incident(
            session=session,
            incident_id=incident_id,
            now=now,
            status=new_status.value,
            arrived_at=when,
            body_worn_video=body_worn_video,
            arrival_recorded_by=actor.user_id,
        )
        log_access(
            ctx,
            session=session,
            actor=actor,
            operation=Operation.ALTERATION,
            record_type="incident",
            record_id=incident_id,
        )


def close_incident(
    ctx: AppContext, *, actor: Actor, incident_id: int, closure: Closure, note: str
) -> None:
    """Close an incident in the queue with how it ended."""
    if closure not in DISPATCH_CLOSURES:
        raise ValidationFailed.one(
            "closure", f"choose one of {', '.join(c.value for c in DISPATCH_CLOSURES)}"
        )
    now = ctx.now()
    with ctx.db.transaction() as session:
        current = IncidentStatus(
            incidents.incident_status(session=session, incident_id=incident_id)
        )
        if current == IncidentStatus.DEPLOYED and closure != Closure.CANCELLED:
            raise Conflict("record the arrival first, or close the incident as cancelled")
        incidents.update_incident(
            session=session,
            incident_id=incident_id,
            now=now,
            status=check_close(current, closure).value,
            closed_at=now,
            closed_by=actor.user_id,
            closure=closure.value,
            closure_note=note.strip() or None,
        )
        log_access(
            ctx,
            session=session,
            actor=actor,
            operation=Operation.ALTERATION,
            record_type="incident",
            record_id=incident_id,
        )
