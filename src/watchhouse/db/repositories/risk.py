"""Domestic abuse risk assessments and MARAC referrals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, union
from sqlalchemy.orm import Session

from watchhouse.db.tables import (
    ContactRow,
    DomesticAbuseAssessmentRow,
    IncidentRow,
    MaracReferralRow,
)
from watchhouse.domain.errors import NotFound


@dataclass(frozen=True)
class AssessmentView:
    """A risk assessment as the officer's form shows it."""

    id: int
    incident_id: int
    victim_person_id: int | None
    instrument: str
    status: str
    refused: bool
    refusal_reason: str | None
    answers: dict[str, str]
    yes_count: int | None
    scored_level: str | None
    final_level: str | None
    rationale: str | None
    marac_criterion: str | None
    repeat_marac: bool
    saved_at: datetime | None = None


def _view(session: Session, row: DomesticAbuseAssessmentRow) -> AssessmentView:
    marac = session.scalar(select(MaracReferralRow).where(MaracReferralRow.assessment_id == row.id))
    return AssessmentView(
        row.id,
        row.incident_id,
        row.victim_person_id,
        row.instrument,
        row.status,
        row.refused,
        row.refusal_reason,
        dict(row.answers or {}),
        row.yes_count,
        row.scored_level,
        row.final_level,
        row.judgement_rationale,
        marac.criterion if marac else None,
        bool(marac and marac.repeat_case),
        row.assessed_at,
    )


def victim_of_incident(*, session: Session, incident_id: int) -> int | None:
    """The person who made the contact behind an incident (the victim, for domestic abuse)."""
    if session.get(IncidentRow, incident_id) is None:
        raise NotFound("incident", incident_id)
    return session.scalar(
        select(ContactRow.person_id)
        .join(IncidentRow, IncidentRow.contact_id == ContactRow.id)
        .where(IncidentRow.id == incident_id)
    )


def latest_for_incident(*, session: Session, incident_id: int) -> AssessmentView | None:
    """The incident's most recent assessment, finished or not."""
    row = session.scalar(
        select(DomesticAbuseAssessmentRow)
        .where(DomesticAbuseAssessmentRow.incident_id == incident_id)
        .order_by(DomesticAbuseAssessmentRow.id.desc())
        .limit(1)
    )
    return None if row is None else _view(session, row)


def start(
    *,
    session: Session,
    incident_id: int,
    victim_person_id: int | None,
    instrument: str,
    by: int,
    now: datetime,
) -> int:
    """Begin an assessment (saved part-way until completed or refused)."""
    row = DomesticAbuseAssessmentRow(
        incident_id=incident_id,
        victim_person_id=victim_person_id,
        instrument=instrument,
        assessed_at=now,
        refused=False,
        answers={},
        status="in_progress",
        assessed_by=by,
    )
    session.add(row)
    session.flush()
    return row.id


def row(*, session: Session, assessment_id: int) -> DomesticAbuseAssessmentRow:
    """The stored assessment, or NotFound."""
    found = session.get(DomesticAbuseAssessmentRow, assessment_id)
    if found is None:
        raise NotFound("risk assessment", assessment_id)
    return found


def view(*, session: Session, assessment_id: int) -> AssessmentView:
    """An assessment with its MARAC referral, if any."""
    return _view(session, row(session=session, assessment_id=assessment_id))


def update(*, session: Session, assessment_id: int, **values: object) -> None:
    """Change an assessment's answers, outcome or status."""
    found = row(session=session, assessment_id=assessment_id)
    for name, value in values.items():
        if not hasattr(DomesticAbuseAssessmentRow, name) or name in ("id", "incident_id"):
            raise AttributeError(f"assessments have no editable field {name!r}")
        setattr(found, name, value)


def callouts_in_window(
    *, session: Session, victim_person_id: int, since: datetime, until: datetime
) -> int:
    """Domestic abuse call-outs to this victim in (since, until]: incidents assessed for them,
    and incidents from their calls that the handler flagged as domestic abuse."""
    assessed = select(DomesticAbuseAssessmentRow.incident_id.label("incident_id")).where(
        DomesticAbuseAssessmentRow.victim_person_id == victim_person_id,
        DomesticAbuseAssessmentRow.assessed_at > since,
        DomesticAbuseAssessmentRow.assessed_at <= until,
    )
    flagged = (
        select(IncidentRow.id.label("incident_id"))
        .join(ContactRow, ContactRow.id == IncidentRow.contact_id)
        .where(
            ContactRow.person_id == victim_person_id,
            IncidentRow.domestic_abuse.is_(True),
            IncidentRow.created_at > since,
            IncidentRow.created_at <= until,
        )
    )
    both = union(assessed, flagged).subquery()
    return int(session.scalar(select(func.count()).select_from(both)) or 0)


def last_marac(*, session: Session, victim_person_id: int) -> datetime | None:
    """When this victim was last referred to MARAC."""
    return session.scalar(
        select(func.max(MaracReferralRow.referred_at)).where(
            MaracReferralRow.victim_person_id == victim_person_id
        )
    )


def add_marac(
    *,
    session: Session,
    assessment_id: int,
    victim_person_id: int | None,
    at: datetime,
    criterion: str,
    repeat_case: bool,
) -> None:
    """Record a MARAC referral."""
    session.add(
        MaracReferralRow(
            assessment_id=assessment_id,
            victim_person_id=victim_person_id,
            referred_at=at,
            criterion=criterion,
            repeat_case=repeat_case,
        )
    )
