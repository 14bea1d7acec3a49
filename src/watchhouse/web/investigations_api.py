"""The investigations part of the JSON API: a crime, key events, victim updates, worklists."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Header, Request

from watchhouse.domain.investigation_records import CrimeView, Worklist
from watchhouse.domain.roles import Action
from watchhouse.domain.victims import overdue
from watchhouse.services import access, crimes, investigations
from watchhouse.web.api import ERRORS
from watchhouse.web.ids import RecordId
from watchhouse.web.investigation_schemas import (
    CrimeOut,
    KeyEventIn,
    VictimOut,
    VictimUpdateIn,
    VictimUpdateOut,
    WorkItemOut,
    WorklistOut,
    WorkSectionOut,
)
from watchhouse.web.justify import JUSTIFICATION_HEADER
from watchhouse.web.security import actor_of, context_of, require

router = APIRouter(prefix="/api", tags=["investigations"], responses=ERRORS)


def _crime(view: CrimeView, now: datetime) -> CrimeOut:
    plan = view.plan
    return CrimeOut(
        id=view.id,
        reference=f"CR{view.id:07d}",
        crime_type=view.crime_type,
        crime_group=view.crime_group,
        domestic_abuse=view.domestic_abuse,
        recorded_at=view.recorded_at,
        incident_id=view.incident_id,
        allocated_to=view.allocated_to,
        supervisor_id=view.supervisor_id,
        plan_due_at=view.plan_due_at,
        plan_adequate=None if plan is None else plan.adequate,
        plan_gaps=[] if plan is None else list(plan.gaps),
        next_review_due_at=view.next_review_due_at,
        outcome_code=view.outcome_code,
        victims=[
            VictimOut(
                id=v.id,
                name=v.name,
                enhanced=v.enhanced,
                enhanced_grounds=list(v.enhanced_grounds),
                wants_updates=v.wants_updates,
                support_due_at=v.support_due_at,
                support_referred_at=v.support_referred_at,
                vps_offered_at=v.vps_offered_at,
            )
            for v in view.victims
        ],
        updates=[
            VictimUpdateOut(
                id=u.id,
                victim_id=u.victim_id,
                event=u.event,
                event_at=u.event_at,
                due_at=u.due_at,
                required=u.required,
                contacted_at=u.contacted_at,
                overdue=u.required and overdue(u.due_at, u.contacted_at, now),
            )
            for u in view.updates
        ],
    )


def _read(request: Request, crime_id: int, justification: str | None) -> CrimeOut:
    ctx = context_of(request)
    view = crimes.get_crime(
        ctx, actor=actor_of(request), crime_id=crime_id, justification=justification
    )
    return _crime(view, ctx.now())


def _worklist(worklist: Worklist) -> WorklistOut:
    return WorklistOut(
        title=worklist.title,
        sections=[
            WorkSectionOut(
                title=s.title,
                total=s.total,
                overdue=s.overdue,
                items=[
                    WorkItemOut(
                        crime_id=i.crime_id,
                        crime_type=i.crime_type,
                        domestic_abuse=i.domestic_abuse,
                        due_at=i.due_at,
                        overdue=i.overdue,
                        detail=i.detail,
                    )
                    for i in s.items
                ],
            )
            for s in worklist.sections
        ],
    )


@router.get(
    "/crimes/{crime_id}",
    response_model=CrimeOut,
    dependencies=[Depends(require(Action.VIEW_CRIME))],
)
def read_crime(
    request: Request,
    crime_id: RecordId,
    x_justification: str | None = Header(None, description=JUSTIFICATION_HEADER),
) -> CrimeOut:
    """A crime with its victims and the updates they are owed; a logged consultation."""
    return _read(
        request, crime_id, access.header_justification(context_of(request), x_justification)
    )


@router.post(
    "/crimes/{crime_id}/events",
    response_model=CrimeOut,
    dependencies=[Depends(require(Action.INVESTIGATE))],
)
def record_event(request: Request, crime_id: RecordId, body: KeyEventIn) -> CrimeOut:
    """Record a key event; every victim is owed an update by the Victims' Code deadline."""
    crimes.record_event(
        context_of(request),
        actor=actor_of(request),
        crime_id=crime_id,
        kind=body.kind,
        occurred_at=body.occurred_at,
        note=body.note,
    )
    return _read(request, crime_id, "API: after recording a key event")


@router.post(
    "/crimes/{crime_id}/updates/{update_id}",
    response_model=CrimeOut,
    dependencies=[Depends(require(Action.INVESTIGATE))],
)
def record_update(
    request: Request, crime_id: RecordId, update_id: RecordId, body: VictimUpdateIn
) -> CrimeOut:
    """Record that the victim was told of a key event."""
    crimes.record_victim_update(
        context_of(request),
        actor=actor_of(request),
        crime_id=crime_id,
        update_id=update_id,
        method=body.method.value,
        note=body.note,
    )
    return _read(request, crime_id, "API: after recording a victim update")


@router.get(
    "/worklists/investigator",
    response_model=WorklistOut,
    dependencies=[Depends(require(Action.VIEW_INVESTIGATOR_WORKLIST))],
)
def investigator_worklist(request: Request) -> WorklistOut:
    """The signed-in investigator's worklist."""
    return _worklist(
        investigations.investigator_worklist(context_of(request), actor=actor_of(request))
    )


@router.get(
    "/worklists/supervisor",
    response_model=WorklistOut,
    dependencies=[Depends(require(Action.VIEW_SUPERVISOR_WORKLIST))],
)
def supervisor_worklist(request: Request) -> WorklistOut:
    """The signed-in supervisor's worklist."""
    return _worklist(
        investigations.supervisor_worklist(context_of(request), actor=actor_of(request))
    )
