"""The JSON API, for telephony and other force systems (OpenAPI at /api/openapi.json)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Header, Request, Response
from fastapi.responses import JSONResponse

from watchhouse.domain.access import own_work
from watchhouse.domain.attendance import AttendanceStatus
from watchhouse.domain.records import ContactView, IncidentView, LocationView, NewContact
from watchhouse.domain.roles import Action
from watchhouse.domain.thrive import ThriveAssessment
from watchhouse.services import access, contacts, incidents
from watchhouse.web.forms import read_access_query
from watchhouse.web.ids import RecordId
from watchhouse.web.justify import JUSTIFICATION_HEADER
from watchhouse.web.schemas import (
    AccessEntryOut,
    ArrivalIn,
    ClosureIn,
    ContactIn,
    ContactOut,
    DeploymentIn,
    EarlierContactOut,
    ErrorOut,
    GradeIn,
    IncidentOut,
    LocationOut,
    ResolutionIn,
    SuggestionOut,
    ThriveIn,
)
from watchhouse.web.security import actor_of, context_of, require

ERRORS: dict[int | str, dict[str, object]] = {
    401: {"model": ErrorOut, "description": "not signed in"},
    403: {"model": ErrorOut, "description": "your role may not do this"},
    404: {"model": ErrorOut, "description": "no such record"},
    409: {"model": ErrorOut, "description": "not allowed in the record's current state"},
    413: {"model": ErrorOut, "description": "the request body is larger than the limit (1 MiB)"},
    422: {"model": ErrorOut, "description": "bad input: every field at fault, with the reason"},
}

router = APIRouter(prefix="/api", tags=["api"], responses=ERRORS)


def _location(view: LocationView | None) -> LocationOut | None:
    if view is None:
        return None
    return LocationOut(
        description=view.description,
        postcode=view.postcode,
        neighbourhood=view.neighbourhood,
        settlement=view.settlement,
    )


def _incident(view: IncidentView, status: AttendanceStatus | None = None) -> IncidentOut:
    out = IncidentOut(
        id=view.id,
        reference=view.reference,
        contact_id=view.contact_id,
        grade=view.grade,
        suggested_grade=view.suggested_grade,
        departure_reason=view.departure_reason,
        status=view.status,
        settlement=view.settlement,
        location=_location(view.location),
        summary=view.summary,
        created_at=view.created_at,
        deployed_at=view.deployed_at,
        deployed_unit=view.deployed_unit,
        arrived_at=view.arrived_at,
        body_worn_video=view.body_worn_video,
        closed_at=view.closed_at,
        closure=view.closure,
    )
    if status is not None:
        out.target_seconds = status.target.total_seconds() if status.target else None
        out.time_left_seconds = status.time_left.total_seconds() if status.time_left else None
        out.breached = status.breached
    return out


def _contact(view: ContactView) -> ContactOut:
    suggestion = None
    if view.thrive is not None:
        suggestion = SuggestionOut(
            grade=view.thrive.suggestion.grade, reasons=list(view.thrive.suggestion.reasons)
        )
    return ContactOut(
        id=view.id,
        reference=view.reference,
        channel=view.channel,
        presented_at=view.presented_at,
        answered_at=view.answered_at,
        ended_at=view.ended_at,
        abandoned=view.abandoned,
        status=view.status,
        caller_name=view.caller_name,
        person_id=view.person.id if view.person else None,
        telephone=view.telephone,
        location=_location(view.location),
        summary=view.summary,
        suggestion=suggestion,
        incident=_incident(view.incident) if view.incident else None,
        earlier_contacts=[
            EarlierContactOut(
                id=c.id,
                reference=c.reference,
                channel=c.channel,
                presented_at=c.presented_at,
                summary=c.summary,
                grade=c.grade,
                matched_by=c.matched_by,
            )
            for c in view.earlier_contacts
        ],
    )


def _assessment(body: ThriveIn) -> ThriveAssessment:
    return ThriveAssessment(
        threat=body.threat,
        harm=body.harm,
        risk=body.risk,
        investigation=body.investigation,
        vulnerability=body.vulnerability,
        engagement=body.engagement,
        indicators=frozenset(body.indicators),
        vulnerabilities=frozenset(body.vulnerabilities),
    )


def _get_contact(request: Request, contact_id: int, justification: str | None) -> ContactOut:
    view = contacts.get_contact(
        context_of(request),
        actor=actor_of(request),
        contact_id=contact_id,
        justification=justification,
    )
    return _contact(view)


@router.post(
    "/contacts",
    status_code=201,
    response_model=ContactOut,
    responses={
        200: {
            "model": ContactOut,
            "description": "sent before with the same Idempotency-Key and body: the contact "
            "taken then, unchanged",
        }
    },
    dependencies=[Depends(require(Action.TAKE_CONTACT))],
)
def create_contact(
    request: Request,
    response: Response,
    body: ContactIn,
    idempotency_key: str | None = Header(
        None,
        description="retries with the same key create nothing twice; keys are per user, and "
        "the same key with a different body is refused (409)",
    ),
) -> ContactOut:
    """Take a contact; a retry with the same Idempotency-Key and body returns the first one
    (200); the same key with a different body is 409. With `Prefer: return=minimal` the
    answer is only `{"id": N}` (and a Location header): the caller check is left to the
    screen that opens the contact, which makes the write cheaper."""
    taken = contacts.take_contact(
        context_of(request),
        actor=actor_of(request),
        new=NewContact(
            **body.model_dump(exclude={"identifiers"}),
            identifiers=tuple(body.identifiers.items()),
        ),
        idempotency_key=idempotency_key,
    )
    status = 201 if taken.created else 200
    if "return=minimal" in request.headers.get("prefer", "").replace(" ", "").lower():
        # RFC 7240: the caller asked for the id only; the screen that opens the contact runs
        # the caller check (issue 16, Load), so the write does not run it too.
        return JSONResponse(  # type: ignore[return-value]
            {"id": taken.contact_id},
            status_code=status,
            headers={
                "Location": f"/api/contacts/{taken.contact_id}",
                "Preference-Applied": "return=minimal",
            },
        )
    response.status_code = status
    return _get_contact(request, taken.contact_id, f"API: contact {taken.contact_id} taken")


@router.get(
    "/contacts/{contact_id}",
    response_model=ContactOut,
    dependencies=[Depends(require(Action.VIEW_CONTACT))],
)
def read_contact(
    request: Request,
    contact_id: RecordId,
    x_justification: str | None = Header(None, description=JUSTIFICATION_HEADER),
) -> ContactOut:
    """A contact with its caller's earlier contacts; a logged consultation."""
    return _get_contact(
        request, contact_id, access.header_justification(context_of(request), x_justification)
    )


@router.post(
    "/thrive/suggestion",
    response_model=SuggestionOut,
    dependencies=[Depends(require(Action.ASSESS_THRIVE))],
)
def suggestion(body: ThriveIn) -> SuggestionOut:
    """The grade an assessment would suggest, storing nothing."""
    found = contacts.preview_grade(_assessment(body))
    return SuggestionOut(grade=found.grade, reasons=list(found.reasons))


@router.post(
    "/contacts/{contact_id}/thrive",
    response_model=SuggestionOut,
    dependencies=[Depends(require(Action.ASSESS_THRIVE))],
)
def assess(request: Request, contact_id: RecordId, body: ThriveIn) -> SuggestionOut:
    """Store a THRIVE assessment of the contact; returns the suggested grade."""
    found = contacts.assess_thrive(
        context_of(request),
        actor=actor_of(request),
        contact_id=contact_id,
        assessment=_assessment(body),
        notes={str(key): note for key, note in body.notes.items()},
    )
    return SuggestionOut(grade=found.grade, reasons=list(found.reasons))


@router.post(
    "/contacts/{contact_id}/grade",
    response_model=IncidentOut,
    status_code=201,
    dependencies=[Depends(require(Action.GRADE_CONTACT))],
)
def grade(request: Request, contact_id: RecordId, body: GradeIn) -> IncidentOut:
    """Grade the contact, making its incident."""
    ctx = context_of(request)
    incident_id = contacts.grade_contact(
        ctx,
        actor=actor_of(request),
        contact_id=contact_id,
        grade=body.grade,
        departure_reason=body.departure_reason,
    )
    entry = incidents.get_incident(
        ctx,
        actor=actor_of(request),
        incident_id=incident_id,
        justification=own_work(f"incident {incident_id} you graded"),
    )
    return _incident(entry.incident, entry.attendance)


@router.post(
    "/contacts/{contact_id}/resolution",
    response_model=IncidentOut,
    dependencies=[Depends(require(Action.RESOLVE_CONTACT))],
)
def resolve(request: Request, contact_id: RecordId, body: ResolutionIn) -> IncidentOut:
    """Resolve a grade 4 contact without deployment or refer it to a partner agency."""
    ctx = context_of(request)
    incident_id = contacts.resolve_contact(
        ctx,
        actor=actor_of(request),
        contact_id=contact_id,
        outcome=body.outcome,
        note=body.note,
        agency_code=body.agency_code,
    )
    entry = incidents.get_incident(
        ctx,
        actor=actor_of(request),
        incident_id=incident_id,
        justification=own_work(f"incident {incident_id} you resolved"),
    )
    return _incident(entry.incident, entry.attendance)


@router.get(
    "/queue", response_model=list[IncidentOut], dependencies=[Depends(require(Action.VIEW_QUEUE))]
)
def queue(request: Request) -> list[IncidentOut]:
    """Open incidents in dispatch order, with time left and breaches."""
    entries = incidents.dispatch_queue(context_of(request), actor=actor_of(request), log=True)
    return [_incident(e.incident, e.attendance) for e in entries]


@router.get(
    "/incidents/{incident_id}",
    response_model=IncidentOut,
    dependencies=[Depends(require(Action.VIEW_INCIDENT))],
)
def read_incident(
    request: Request,
    incident_id: RecordId,
    x_justification: str | None = Header(None, description=JUSTIFICATION_HEADER),
) -> IncidentOut:
    """An incident; a logged consultation."""
    entry = incidents.get_incident(
        context_of(request),
        actor=actor_of(request),
        incident_id=incident_id,
        justification=access.header_justification(context_of(request), x_justification),
    )
    return _incident(entry.incident, entry.attendance)


def _after(request: Request, incident_id: int, what: str) -> IncidentOut:
    entry = incidents.get_incident(
        context_of(request),
        actor=actor_of(request),
        incident_id=incident_id,
        justification=own_work(f"incident {incident_id}, {what} by you"),
    )
    return _incident(entry.incident, entry.attendance)


@router.post(
    "/incidents/{incident_id}/deployment",
    response_model=IncidentOut,
    dependencies=[Depends(require(Action.DEPLOY))],
)
def deployment(request: Request, incident_id: RecordId, body: DeploymentIn) -> IncidentOut:
    """Record the unit deployed."""
    incidents.deploy(
        context_of(request), actor=actor_of(request), incident_id=incident_id, unit=body.unit
    )
    return _after(request, incident_id, "deployment recorded")


@router.post(
    "/incidents/{incident_id}/arrival",
    response_model=IncidentOut,
    dependencies=[Depends(require(Action.RECORD_ARRIVAL))],
)
def arrival(request: Request, incident_id: RecordId, body: ArrivalIn) -> IncidentOut:
    """Record the first officer's arrival and body-worn video."""
    incidents.record_arrival(
        context_of(request),
        actor=actor_of(request),
        incident_id=incident_id,
        body_worn_video=body.body_worn_video,
        arrived_at=body.arrived_at,
        attending_officer_id=body.attending_officer_id,
    )
    return _after(request, incident_id, "arrival recorded")


@router.post(
    "/incidents/{incident_id}/closure",
    response_model=IncidentOut,
    dependencies=[Depends(require(Action.CLOSE_INCIDENT))],
)
def closure(request: Request, incident_id: RecordId, body: ClosureIn) -> IncidentOut:
    """Close the incident."""
    incidents.close_incident(
        context_of(request),
        actor=actor_of(request),
        incident_id=incident_id,
        closure=body.closure,
        reason=body.reason,
        note=body.note,
        rationale=body.rationale,
        crime_reference=body.crime_reference,
    )
    return _after(request, incident_id, "closure recorded")


@router.get(
    "/access-log",
    response_model=list[AccessEntryOut],
    dependencies=[Depends(require(Action.VIEW_ACCESS_LOG))],
)
def access_log(
    request: Request,
    username: str = "",
    operation: str = "",
    record_type: str = "",
    record_id: str = "",
    since: str = "",
    until: str = "",
) -> list[AccessEntryOut]:
    """Search the access log (dates are local days, YYYY-MM-DD)."""
    ctx = context_of(request)
    query = read_access_query(
        {
            "username": username,
            "operation": operation,
            "record_type": record_type,
            "record_id": record_id,
            "since": since,
            "until": until,
        },
        ctx.policy.force.timezone,
    )
    entries = access.search_access_log(ctx, actor=actor_of(request), query=query)
    return [
        AccessEntryOut(
            id=e.id,
            at=e.at,
            username=e.username,
            operation=e.operation.value,
            record_type=e.record_type,
            record_id=e.record_id,
            justification=e.justification,
            recipient=e.recipient,
        )
        for e in entries
    ]


@router.get(
    "/openapi.json", dependencies=[Depends(require(Action.VIEW_HOME))], include_in_schema=False
)
def openapi(request: Request) -> dict[str, object]:
    """The OpenAPI description of this API."""
    schema: dict[str, object] = request.app.openapi()
    return schema
