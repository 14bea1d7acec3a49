"""The records audits sample: who could be sampled in a period, and one record as audited."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from watchhouse.db.tables import (
    ContactRow,
    CrimeRow,
    DomesticAbuseAssessmentRow,
    IncidentRow,
    InvestigationPlanRow,
    LocationRow,
    SupervisorReviewRow,
    TeamRow,
    ThriveAssessmentRow,
    UserRow,
    VictimContactRow,
)
from watchhouse.domain.audit import INVESTIGATOR, RecordType
from watchhouse.domain.audit_views import PopulationRecord
from watchhouse.domain.errors import NotFound
from watchhouse.domain.investigation_records import label_of
from watchhouse.domain.thrive import Level
from watchhouse.domain.values import channel_label

Raw = list[tuple[str, object]]


def population(
    *, session: Session, record_type: RecordType, start: datetime, end: datetime, per: str = ""
) -> list[PopulationRecord]:
    """Every record of a type in [start, end) with whose work it is, their team and the area.

    ``per`` matters only for crimes: "investigator" gives each crime's allocated investigator
    as its stratum (None if unallocated), anything else its allocated team.
    """
    if record_type == RecordType.CRIME:
        return _crime_population(session, start, end, by_investigator=per == INVESTIGATOR)
    subject: ColumnElement[int | None] | InstrumentedAttribute[int | None]
    if record_type == RecordType.CONTACT:
        subject = ContactRow.handler_id
        query = (
            select(
                ContactRow.id,
                ContactRow.presented_at,
                ContactRow.handler_id,
                LocationRow.neighbourhood_id,
            )
            .outerjoin(LocationRow, LocationRow.id == ContactRow.location_id)
            .where(
                ContactRow.presented_at >= start,
                ContactRow.presented_at < end,
                ContactRow.abandoned.is_(False),
            )
        )
    elif record_type == RecordType.INCIDENT:
        # The officer who attended (and wore the camera), never whoever recorded the arrival.
        subject = IncidentRow.attending_officer_id
        query = (
            select(
                IncidentRow.id,
                IncidentRow.created_at,
                subject,
                LocationRow.neighbourhood_id,
            )
            .outerjoin(LocationRow, LocationRow.id == IncidentRow.location_id)
            .where(
                IncidentRow.created_at >= start,
                IncidentRow.created_at < end,
                IncidentRow.arrived_at.is_not(None),
            )
        )
    else:
        subject = DomesticAbuseAssessmentRow.assessed_by
        query = (
            select(
                DomesticAbuseAssessmentRow.id,
                DomesticAbuseAssessmentRow.assessed_at,
                DomesticAbuseAssessmentRow.assessed_by,
                LocationRow.neighbourhood_id,
            )
            .join(IncidentRow, IncidentRow.id == DomesticAbuseAssessmentRow.incident_id)
            .outerjoin(LocationRow, LocationRow.id == IncidentRow.location_id)
            .where(
                DomesticAbuseAssessmentRow.assessed_at >= start,
                DomesticAbuseAssessmentRow.assessed_at < end,
            )
        )
    worker = aliased(UserRow)
    rows = session.execute(
        query.add_columns(worker.username, worker.team_id).outerjoin(worker, worker.id == subject)
    ).all()
    return [
        PopulationRecord(
            record_id=rid,
            record_at=at,
            stratum=username,
            subject_user_id=subject,
            team_id=team_id,
            neighbourhood_id=area,
        )
        for rid, at, subject, area, username, team_id in rows
    ]


def _crime_population(
    session: Session, start: datetime, end: datetime, *, by_investigator: bool
) -> list[PopulationRecord]:
    """Crimes recorded in the period: the work of the allocated investigator, by their
    username, or of the allocated team (matched to a team by code or name). The team counted
    is the investigator's when drawn per investigator (else the allocated team), and the
    allocated team when drawn per team."""
    teams = {
        key: team_id
        for team_id, code, name in session.execute(
            select(TeamRow.id, TeamRow.code, TeamRow.name).order_by(TeamRow.id.desc())
        )
        for key in (code, name)
    }
    investigator = aliased(UserRow)
    rows = session.execute(
        select(
            CrimeRow.id,
            CrimeRow.recorded_at,
            CrimeRow.allocated_team,
            CrimeRow.allocated_to,
            investigator.username,
            investigator.team_id,
            LocationRow.neighbourhood_id,
        )
        .outerjoin(LocationRow, LocationRow.id == CrimeRow.location_id)
        .outerjoin(investigator, investigator.id == CrimeRow.allocated_to)
        .where(CrimeRow.recorded_at >= start, CrimeRow.recorded_at < end)
    ).all()
    found = []
    for rid, at, team, user_id, username, user_team, area in rows:
        allocated = teams.get(team) if team else None
        found.append(
            PopulationRecord(
                record_id=rid,
                record_at=at,
                stratum=username if by_investigator else team,
                subject_user_id=user_id if username is not None else None,
                team_id=(user_team or allocated) if by_investigator else allocated,
                neighbourhood_id=area,
            )
        )
    return found


def crime_allocated_team(*, session: Session, crime_id: int) -> str | None:
    """The team a crime is allocated to, as the crime names it (None if not allocated)."""
    return session.scalar(select(CrimeRow.allocated_team).where(CrimeRow.id == crime_id))


# --- one record as the auditor sees it ----------------------------------------------------


def _words(code: str) -> str:
    """A stored code as the auditor reads it ("resolved_at_scene" -> "Resolved at scene")."""
    return label_of(code)


def _level(value: int) -> str:
    """A THRIVE level (0 to 3) as a word."""
    try:
        return Level(value).name.lower()
    except ValueError:
        return str(value)


def _name(session: Session, user_id: int | None) -> str | None:
    """The person's name as the screens show it (not their username)."""
    if user_id is None:
        return None
    return session.scalar(select(UserRow.display_name).where(UserRow.id == user_id))


def _contact(session: Session, record_id: int) -> tuple[str, Raw]:
    row = session.get(ContactRow, record_id)
    if row is None:
        raise NotFound("contact", record_id)
    location = session.get(LocationRow, row.location_id) if row.location_id else None
    fields: Raw = [
        ("Channel", channel_label(row.channel) if row.channel else "Started by the force"),
        ("Presented", row.presented_at),
        ("Answered", row.answered_at),
        ("Handler", _name(session, row.handler_id)),
        (
            "Caller",
            row.caller_name
            or " ".join(p for p in (row.caller_given_name, row.caller_family_name) if p),
        ),
        ("Location", location.description if location else None),
        ("What was reported", row.summary),
        ("Status", _words(row.status)),
    ]
    thrive = session.scalar(
        select(ThriveAssessmentRow)
        .where(ThriveAssessmentRow.contact_id == record_id)
        .order_by(ThriveAssessmentRow.assessed_at.desc(), ThriveAssessmentRow.id.desc())
        .limit(1)
    )
    if thrive is not None:
        fields += [
            ("THRIVE assessed", thrive.assessed_at),
            (
                "Threat / harm / risk",
                " / ".join(_level(v) for v in (thrive.threat, thrive.harm, thrive.risk)),
            ),
            (
                "Investigation / vulnerability",
                f"{_level(thrive.investigation)} / {_level(thrive.vulnerability)}",
            ),
            ("Engagement", _words(thrive.engagement)),
            ("Emergency indicators", ", ".join(map(_words, thrive.indicators)) or "none"),
            (
                "Vulnerability flags",
                ", ".join(map(_words, thrive.vulnerability_flags or [])) or "none",
            ),
            *((f"Note: {part}", text) for part, text in sorted(thrive.notes.items()) if text),
            ("Suggested grade", thrive.suggested_grade),
            ("Reasons for the suggestion", "; ".join(thrive.suggestion_reasons)),
        ]
    else:
        fields.append(("THRIVE", "no assessment recorded"))
    incident = session.scalar(select(IncidentRow).where(IncidentRow.contact_id == record_id))
    if incident is not None:
        fields += [
            ("Grade given", incident.grade),
            ("Reason for departing from the suggestion", incident.departure_reason),
        ]
    return (
        f"Contact ({channel_label(row.channel) if row.channel else 'started by the force'})",
        fields,
    )


def _incident(session: Session, record_id: int) -> tuple[str, Raw]:
    row = session.get(IncidentRow, record_id)
    if row is None:
        raise NotFound("incident", record_id)
    video = {True: "recorded", False: "not recorded", None: "not stated"}[row.body_worn_video]
    return f"Grade {row.grade} incident", [
        ("Created", row.created_at),
        ("Grade (suggested)", f"{row.grade} ({row.suggested_grade})"),
        ("Status", _words(row.status)),
        ("Deployed", row.deployed_at),
        ("Unit", row.deployed_unit),
        ("Arrived", row.arrived_at),
        ("Attending officer", _name(session, row.attending_officer_id)),
        ("Arrival recorded by", _name(session, row.arrival_recorded_by)),
        ("Body-worn video", video),
        ("Closed", row.closed_at),
        ("Closure", _words(row.closure) if row.closure else None),
        ("Closure note", row.closure_note),
    ]


def _assessment(session: Session, record_id: int) -> tuple[str, Raw]:
    row = session.get(DomesticAbuseAssessmentRow, record_id)
    if row is None:
        raise NotFound("domestic abuse assessment", record_id)
    yes = sum(1 for a in row.answers.values() if a == "yes")
    return f"{row.instrument} assessment", [
        ("Incident", f"I{row.incident_id:07d}"),
        ("Assessed", row.assessed_at),
        ("Assessed by", _name(session, row.assessed_by)),
        ("Status", row.status),
        ("Refused", "yes" if row.refused else "no"),
        ("Reason for refusal", row.refusal_reason),
        ("Questions answered", f"{len(row.answers)} ({yes} yes)"),
        ("Yes count", row.yes_count),
        ("Scored level", row.scored_level),
        ("Final level", row.final_level),
        ("Professional judgement", row.judgement_rationale),
    ]


def _crime(session: Session, record_id: int) -> tuple[str, Raw]:
    row = session.get(CrimeRow, record_id)
    if row is None:
        raise NotFound("crime", record_id)
    plans = session.execute(
        select(InvestigationPlanRow.written_at, InvestigationPlanRow.adequate)
        .where(InvestigationPlanRow.crime_id == record_id)
        .order_by(InvestigationPlanRow.written_at)
    ).all()
    reviews = session.scalars(
        select(SupervisorReviewRow.reviewed_at)
        .where(SupervisorReviewRow.crime_id == record_id)
        .order_by(SupervisorReviewRow.reviewed_at)
    ).all()
    updates = session.execute(
        select(VictimContactRow.event, VictimContactRow.event_at, VictimContactRow.contacted_at)
        .where(VictimContactRow.crime_id == record_id)
        .order_by(VictimContactRow.event_at)
    ).all()
    fields: Raw = [
        ("Crime type", row.crime_type),
        ("Crime group", row.crime_group),
        ("Recorded", row.recorded_at),
        ("Domestic abuse", "yes" if row.domestic_abuse else "no"),
        ("Incident", f"I{row.incident_id:07d}" if row.incident_id else None),
        ("Allocated", row.allocated_at),
        ("Allocated team", row.allocated_team),
        ("Investigator", _name(session, row.allocated_to)),
        ("Supervisor", _name(session, row.supervisor_id)),
        ("Outcome", row.outcome_code or "pending"),
        ("Outcome recorded", row.outcome_at),
    ]
    fields += [
        (f"Plan {n}", f"{at:%Y-%m-%d %H:%M} UTC, adequate: {ok}")
        for n, (at, ok) in enumerate(plans, 1)
    ] or [("Plan", "none")]
    fields += [(f"Supervisor review {n}", at) for n, at in enumerate(reviews, 1)] or [
        ("Supervisor review", "none")
    ]
    fields += [
        (
            f"Victim update: {event}",
            f"event {event_at:%Y-%m-%d %H:%M} UTC; "
            + (f"told {contacted:%Y-%m-%d %H:%M} UTC" if contacted else "not yet told"),
        )
        for event, event_at, contacted in updates
    ]
    return row.crime_type, fields


READERS: dict[RecordType, Callable[[Session, int], tuple[str, Raw]]] = {
    RecordType.CONTACT: _contact,
    RecordType.INCIDENT: _incident,
    RecordType.DOMESTIC_ABUSE_ASSESSMENT: _assessment,
    RecordType.CRIME: _crime,
}


def record(*, session: Session, record_type: RecordType, record_id: int) -> tuple[str, Raw]:
    """A record's title and labelled raw values (times as aware datetimes), or NotFound."""
    return READERS[record_type](session, record_id)
