"""The dispatcher's work: the live queue, deployment, arrival and closure."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from watchhouse.auth.permissions import can
from watchhouse.db.repositories import contacts, crimes, incidents, risk
from watchhouse.db.repositories.risk import AssessmentView
from watchhouse.domain.access import Operation
from watchhouse.domain.attendance import (
    AttendanceStatus,
    QueueItem,
    attendance_status,
    attendance_target,
    order_queue,
)
from watchhouse.domain.clock import require_aware
from watchhouse.domain.errors import Conflict, NotFound, ValidationFailed
from watchhouse.domain.incident_flow import (
    ATTENDING_ROLES,
    DISPATCH_CLOSURES,
    Closure,
    ClosureReason,
    IncidentStatus,
    check_arrival,
    check_attending_officer,
    check_close,
    check_closure_decision,
    check_deploy,
    parse_crime_reference,
)
from watchhouse.domain.investigation_records import RecordedCrime
from watchhouse.domain.records import IncidentView, incident_reference
from watchhouse.domain.roles import Action, Actor, Role
from watchhouse.services.access import log_access, reason_for_view
from watchhouse.services.context import AppContext


@dataclass(frozen=True)
class QueueEntry:
    """One incident in the dispatcher's queue with its standing against target."""

    incident: IncidentView
    attendance: AttendanceStatus
    risk: AssessmentView | None = None
    crimes: tuple[RecordedCrime, ...] = ()


def _target(ctx: AppContext, incident: IncidentView) -> timedelta | None:
    return attendance_target(
        incident.grade,
        incident.settlement,
        ctx.policy.attendance_targets(),
        domestic_abuse=incident.domestic_abuse,
        domestic_abuse_targets=ctx.policy.domestic_abuse_targets(),
    )


def _status(ctx: AppContext, incident: IncidentView, now: datetime) -> AttendanceStatus:
    target = _target(ctx, incident)
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
    items = [QueueItem(i.id, i.grade, i.created_at, _target(ctx, i)) for i in open_incidents]
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
        justification = reason_for_view(
            ctx,
            actor=actor,
            given=justification,
            work=contacts.record_work(session=session, incident_id=incident_id),
            what=f"incident {incident_reference(incident_id)}",
        )
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
        assessment = risk.latest_for_incident(session=session, incident_id=incident_id)
        if assessment is not None:
            log_access(
                ctx,
                session=session,
                actor=actor,
                operation=Operation.CONSULTATION,
                record_type="risk_assessment",
                record_id=assessment.id,
                justification=justification,
            )
        recorded = crimes.crimes_from_incident(session=session, incident_id=incident_id)
    return QueueEntry(incident, _status(ctx, incident, ctx.now()), assessment, recorded)


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
    attending_officer_id: int | None = None,
) -> None:
    """Record the first officer's arrival: who attended (an officer recording their own arrival
    is the one attending; anyone else names them) and whether their body-worn video was on."""
    now = ctx.now()
    when = now if arrived_at is None else require_aware(arrived_at, "arrived_at")
    if when > now:
        raise ValidationFailed.one("arrived_at", "is in the future")
    if attending_officer_id is None and actor.role in ATTENDING_ROLES:
        attending_officer_id = actor.user_id
    if attending_officer_id is None:
        raise ValidationFailed.one("attending_officer", "choose the officer who attended")
    with ctx.db.transaction() as session:
        standing = incidents.user_standing(session=session, user_id=attending_officer_id)
        check_attending_officer(
            None if standing is None else Role(standing[0]),
            active=standing is not None and standing[1],
        )
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
            attending_officer_id=attending_officer_id,
        )
        log_access(
            ctx,
            session=session,
            actor=actor,
            operation=Operation.ALTERATION,
            record_type="incident",
            record_id=incident_id,
        )


def attending_officers(ctx: AppContext) -> list[tuple[int, str]]:
    """Active officers who can be recorded as attending: (user id, name)."""
    with ctx.db.transaction() as session:
        return incidents.attending_officers(
            session=session, roles=tuple(r.value for r in ATTENDING_ROLES)
        )


def closure_reasons(ctx: AppContext) -> list[ClosureReason]:
    """The policy's reasons for closing an incident, in the policy's order."""
    return list(ctx.policy.closure.closure_reasons().values())


def close_incident(
    ctx: AppContext,
    *,
    actor: Actor,
    incident_id: int,
    closure: Closure,
    reason: str,
    note: str = "",
    rationale: str = "",
    crime_reference: str = "",
) -> None:
    """Close an incident with how it ended and why; cancelling an urgent one needs a
    supervisor or a recorded rationale, and "crime recorded" needs the crime linked to it."""
    if closure not in DISPATCH_CLOSURES:
        raise ValidationFailed.one(
            "closure", f"choose one of {', '.join(c.value for c in DISPATCH_CLOSURES)}"
        )
    policy = ctx.policy.closure
    crime_id = parse_crime_reference(crime_reference) if closure == Closure.CRIME_RECORDED else None
    now = ctx.now()
    with ctx.db.transaction() as session:
        incident = incidents.incident(session=session, incident_id=incident_id, summary="")
        current = IncidentStatus(incident.status)
        if current == IncidentStatus.DEPLOYED and closure != Closure.CANCELLED:
            raise Conflict("record the arrival first, or close the incident as cancelled")
        authority = check_closure_decision(
            grade=incident.grade,
            closure=closure,
            reason=policy.closure_reasons().get(reason),
            rationale=rationale,
            by_supervisor=actor.role == Role.SUPERVISOR,
            grades_needing_authority=frozenset(policy.cancel_needs_authority_grades),
        )
        if crime_id is not None:
            try:
                linked = incidents.crime_incident(session=session, crime_id=crime_id)
            except NotFound as exc:
                raise ValidationFailed.one(
                    "crime_reference", f"there is no crime CR{crime_id:07d}"
                ) from exc
            if linked != incident_id:
                raise ValidationFailed.one(
                    "crime_reference",
                    f"crime CR{crime_id:07d} is not linked to {incident.reference}; "
                    "record the crime from this incident",
                )
        incidents.update_incident(
            session=session,
            incident_id=incident_id,
            now=now,
            status=check_close(current, closure).value,
            closed_at=now,
            closed_by=actor.user_id,
            closure=closure.value,
            closure_note=note.strip() or None,
            closure_reason=reason,
            closure_rationale=rationale.strip() or None,
            closure_authority=None if authority is None else authority.value,
            closure_crime_id=crime_id,
        )
        log_access(
            ctx,
            session=session,
            actor=actor,
            operation=Operation.ALTERATION,
            record_type="incident",
            record_id=incident_id,
        )
