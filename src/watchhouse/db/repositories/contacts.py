"""Contacts, THRIVE assessments and a caller's earlier contacts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, case, func, or_, select, update
from sqlalchemy.orm import Session

from watchhouse.db.repositories import incidents, places
from watchhouse.db.tables import (
    ContactRow,
    IncidentRow,
    LocationRow,
    ThriveAssessmentRow,
    UserRow,
)
from watchhouse.domain.errors import NotFound
from watchhouse.domain.records import ContactSummary, ContactView, EarlierFlag, ThriveRecord
from watchhouse.domain.repeats import RepeatBasis
from watchhouse.domain.thrive import (
    EmergencyIndicator,
    Engagement,
    GradeSuggestion,
    Level,
    ThriveAssessment,
    VulnerabilityFlag,
)
from watchhouse.domain.values import Channel, Grade


@dataclass(frozen=True)
class CallerAsGiven:
    """The caller's details exactly as given on the contact, kept for identity resolution."""

    given_name: str = ""
    family_name: str = ""
    date_of_birth: date | None = None
    telephone: str = ""
    postcode: str = ""


@dataclass(frozen=True)
class CallerOnRecord:
    """Who a contact is linked to and the caller's details as given."""

    contact_id: int
    person_id: int | None
    telephone_number_id: int | None
    caller: CallerAsGiven


def caller_on_record(*, session: Session, contact_id: int) -> CallerOnRecord:
    """The caller's details on a contact, or NotFound."""
    row = contact_row(session=session, contact_id=contact_id)
    return CallerOnRecord(
        row.id,
        row.person_id,
        row.telephone_number_id,
        CallerAsGiven(
            row.caller_given_name or "",
            row.caller_family_name or "",
            row.caller_date_of_birth,
            row.caller_telephone or "",
            row.caller_postcode or "",
        ),
    )


def set_person(*, session: Session, contact_id: int, person_id: int) -> None:
    """Link a contact to a person."""
    contact_row(session=session, contact_id=contact_id).person_id = person_id
    session.flush()


def contact_row(*, session: Session, contact_id: int) -> ContactRow:
    """The stored contact, or NotFound."""
    row = session.get(ContactRow, contact_id)
    if row is None:
        raise NotFound("contact", contact_id)
    return row


def by_idempotency_key(*, session: Session, key: str) -> int | None:
    """The id of the contact created with this idempotency key, if any."""
    return session.scalar(select(ContactRow.id).where(ContactRow.idempotency_key == key))


def add_contact(
    *,
    session: Session,
    channel: Channel,
    presented_at: datetime,
    answered_at: datetime | None,
    abandoned: bool,
    handler_id: int | None,
    person_id: int | None,
    telephone_number_id: int | None,
    location_id: int | None,
    caller_name: str,
    summary: str,
    status: str,
    idempotency_key: str | None,
    caller: CallerAsGiven | None = None,
) -> int:
    """Insert a contact, with the caller's details as given, and return its id."""
    given = caller or CallerAsGiven()
    row = ContactRow(
        channel=channel.value,
        presented_at=presented_at,
        answered_at=answered_at,
        abandoned=abandoned,
        handler_id=handler_id,
        person_id=person_id,
        telephone_number_id=telephone_number_id,
        location_id=location_id,
        caller_name=caller_name,
        summary=summary,
        status=status,
        idempotency_key=idempotency_key,
        caller_given_name=given.given_name or None,
        caller_family_name=given.family_name or None,
        caller_date_of_birth=given.date_of_birth,
        caller_telephone=given.telephone or None,
        caller_postcode=given.postcode or None,
    )
    session.add(row)
    session.flush()
    return row.id


def set_status(
    *, session: Session, contact_id: int, status: str, ended_at: datetime | None = None
) -> None:
    """Move a contact on; record when the handler finished with it."""
    values: dict[str, object] = {"status": status}
    if ended_at is not None:
        values["ended_at"] = ended_at
    session.execute(update(ContactRow).where(ContactRow.id == contact_id).values(**values))


def handler_name(*, session: Session, user_id: int | None) -> str | None:
    """The display name of the handler."""
    if user_id is None:
        return None
    row = session.get(UserRow, user_id)
    return None if row is None else row.display_name


def earlier_contacts(
    *,
    session: Session,
    contact_id: int,
    person_id: int | None,
    telephone_number_id: int | None,
    before: datetime,
    limit: int = 50,
) -> list[ContactSummary]:
    """Contacts before this one from the same person or the same telephone number."""
    conditions = []
    if person_id is not None:
        conditions.append(ContactRow.person_id == person_id)
    if telephone_number_id is not None:
        conditions.append(ContactRow.telephone_number_id == telephone_number_id)
    if not conditions:
        return []
    rows = session.execute(
        select(ContactRow, IncidentRow.grade)
        .outerjoin(IncidentRow, IncidentRow.contact_id == ContactRow.id)
        .where(or_(*conditions), ContactRow.id != contact_id, ContactRow.presented_at <= before)
        .order_by(ContactRow.presented_at.desc())
        .limit(limit)
    ).all()
    result = []
    for contact, grade in rows:
        reasons = []
        if person_id is not None and contact.person_id == person_id:
            reasons.append("same person")
        if telephone_number_id is not None and contact.telephone_number_id == telephone_number_id:
            reasons.append("same telephone number")
        result.append(
            ContactSummary(
                id=contact.id,
                channel=Channel(contact.channel),
                presented_at=contact.presented_at,
                summary=contact.summary,
                status=contact.status,
                grade=None if grade is None else Grade(grade),
                matched_by=", ".join(reasons),
            )
        )
    return result


def add_thrive(
    *,
    session: Session,
    contact_id: int,
    assessed_by: int,
    assessed_at: datetime,
    assessment: ThriveAssessment,
    notes: dict[str, str],
    suggestion: GradeSuggestion,
) -> int:
    """Store a THRIVE assessment and the grade it suggested."""
    row = ThriveAssessmentRow(
        contact_id=contact_id,
        assessed_by=assessed_by,
        assessed_at=assessed_at,
        threat=int(assessment.threat),
        harm=int(assessment.harm),
        risk=int(assessment.risk),
        investigation=int(assessment.investigation),
        vulnerability=int(assessment.vulnerability),
        engagement=assessment.engagement.value,
        indicators=sorted(i.value for i in assessment.indicators),
        vulnerability_flags=sorted(v.value for v in assessment.vulnerabilities),
        notes=notes,
        suggested_grade=int(suggestion.grade),
        suggestion_reasons=list(suggestion.reasons),
    )
    session.add(row)
    session.flush()
    return row.id


def latest_thrive(*, session: Session, contact_id: int) -> ThriveRecord | None:
    """The most recent THRIVE assessment of a contact."""
    found = session.execute(
        select(ThriveAssessmentRow, UserRow.display_name)
        .join(UserRow, UserRow.id == ThriveAssessmentRow.assessed_by)
        .where(ThriveAssessmentRow.contact_id == contact_id)
        .order_by(ThriveAssessmentRow.id.desc())
        .limit(1)
    ).first()
    if found is None:
        return None
    row, assessor = found
    assessment = ThriveAssessment(
        threat=Level(row.threat),
        harm=Level(row.harm),
        risk=Level(row.risk),
        investigation=Level(row.investigation),
        vulnerability=Level(row.vulnerability),
        engagement=Engagement(row.engagement),
        indicators=frozenset(EmergencyIndicator(i) for i in row.indicators),
        vulnerabilities=frozenset(VulnerabilityFlag(v) for v in row.vulnerability_flags or []),
    )
    return ThriveRecord(
        id=row.id,
        assessed_at=row.assessed_at,
        assessed_by=assessor,
        assessment=assessment,
        notes=dict(row.notes),
        suggestion=GradeSuggestion(Grade(row.suggested_grade), tuple(row.suggestion_reasons)),
    )


def person_contacts(*, session: Session, person_id: int, limit: int = 200) -> list[ContactSummary]:
    """A person's contacts, newest first."""
    rows = session.execute(
        select(ContactRow, IncidentRow.grade)
        .outerjoin(IncidentRow, IncidentRow.contact_id == ContactRow.id)
        .where(ContactRow.person_id == person_id)
        .order_by(ContactRow.presented_at.desc())
        .limit(limit)
    ).all()
    return [
        ContactSummary(
            id=c.id,
            channel=Channel(c.channel),
            presented_at=c.presented_at,
            summary=c.summary,
            status=c.status,
            grade=None if g is None else Grade(g),
            matched_by="same person",
        )
        for c, g in rows
    ]


def contact_view(*, session: Session, contact_id: int, with_history: bool = True) -> ContactView:
    """Everything about a contact for one screen; the caller's history only if asked."""
    row = contact_row(session=session, contact_id=contact_id)
    incident_id = incidents.incident_id_for_contact(session=session, contact_id=contact_id)
    history = (
        earlier_contacts(
            session=session,
            contact_id=row.id,
            person_id=row.person_id,
            telephone_number_id=row.telephone_number_id,
            before=row.presented_at,
        )
        if with_history
        else []
    )
    return ContactView(
        id=row.id,
        channel=Channel(row.channel),
        presented_at=row.presented_at,
        answered_at=row.answered_at,
        ended_at=row.ended_at,
        abandoned=row.abandoned,
        handler=handler_name(session=session, user_id=row.handler_id),
        caller_name=row.caller_name or "",
        person=places.person(session=session, person_id=row.person_id),
        telephone=places.telephone_number(session=session, number_id=row.telephone_number_id),
        location=places.location(session=session, location_id=row.location_id),
        summary=row.summary,
        status=row.status,
        thrive=latest_thrive(session=session, contact_id=contact_id),
        incident=None
        if incident_id is None
        else incidents.incident(session=session, incident_id=incident_id),
        earlier_contacts=tuple(history),
        earlier_flags=tuple(earlier_flags(session=session, contact_ids=[c.id for c in history])),
    )


def earlier_flags(*, session: Session, contact_ids: Sequence[int]) -> list[EarlierFlag]:
    """Vulnerability flags recorded on these contacts, newest first."""
    if not contact_ids:
        return []
    rows = session.execute(
        select(
            ThriveAssessmentRow.contact_id,
            ContactRow.presented_at,
            ThriveAssessmentRow.vulnerability_flags,
        )
        .join(ContactRow, ContactRow.id == ThriveAssessmentRow.contact_id)
        .where(ThriveAssessmentRow.contact_id.in_(contact_ids))
        .order_by(ContactRow.presented_at.desc())
    ).all()
    return [
        EarlierFlag(VulnerabilityFlag(flag), contact_id, at)
        for contact_id, at, flags in rows
        for flag in flags or []
    ]


def repeat_contact_times(
    *,
    session: Session,
    contact_id: int,
    since: datetime,
    until: datetime,
    channels: Sequence[Channel],
    include_abandoned: bool,
) -> dict[RepeatBasis, list[datetime]]:
    """When the same person, number and address made contacts in (since, until], this one
    included, among the channels that count."""
    row = contact_row(session=session, contact_id=contact_id)
    base = select(ContactRow.presented_at).where(
        ContactRow.presented_at > since,
        ContactRow.presented_at <= until,
        ContactRow.channel.in_([c.value for c in channels]),
    )
    if not include_abandoned:
        base = base.where(ContactRow.abandoned.is_(False))
    result: dict[RepeatBasis, list[datetime]] = {}
    if row.person_id is not None:
        result[RepeatBasis.PERSON] = list(
            session.scalars(base.where(ContactRow.person_id == row.person_id))
        )
    if row.telephone_number_id is not None:
        result[RepeatBasis.TELEPHONE] = list(
            session.scalars(base.where(ContactRow.telephone_number_id == row.telephone_number_id))
        )
    place = session.get(LocationRow, row.location_id) if row.location_id else None
    if place is not None and place.postcode:
        same_address = select(LocationRow.id).where(
            LocationRow.postcode == place.postcode,
            func.lower(LocationRow.description) == place.description.lower(),
        )
        result[RepeatBasis.ADDRESS] = list(
            session.scalars(base.where(ContactRow.location_id.in_(same_address)))
        )
    return result


@dataclass(frozen=True)
class RepeatCount:
    """Contacts counted for one person, number or address, one count per rule window."""

    basis: RepeatBasis
    key: int | str
    counts: tuple[int, ...]
    last_contact: datetime


def repeat_counts(
    *,
    session: Session,
    basis: RepeatBasis,
    day_start: datetime,
    day_end: datetime,
    windows: Sequence[timedelta],
    channels: Sequence[Channel],
    include_abandoned: bool,
) -> list[RepeatCount]:
    """For everyone with a counted contact in [day_start, day_end): their contacts in each
    window ending at day_end. One grouped query per basis."""
    longest = max(windows)
    key: ColumnElement[Any]
    if basis == RepeatBasis.ADDRESS:
        key = func.lower(LocationRow.postcode + "|" + LocationRow.description)
    elif basis == RepeatBasis.PERSON:
        key = ContactRow.__table__.c.person_id
    else:
        key = ContactRow.__table__.c.telephone_number_id
    sums = [
        func.sum(case((ContactRow.presented_at > day_end - window, 1), else_=0))
        for window in windows
    ]
    statement = select(key, func.max(ContactRow.presented_at), *sums).where(
        ContactRow.presented_at > day_end - longest,
        ContactRow.presented_at < day_end,
        ContactRow.channel.in_([c.value for c in channels]),
        key.is_not(None),
    )
    if basis == RepeatBasis.ADDRESS:
        statement = statement.join(LocationRow, LocationRow.id == ContactRow.location_id).where(
            LocationRow.postcode.is_not(None)
        )
    if not include_abandoned:
        statement = statement.where(ContactRow.abandoned.is_(False))
    statement = statement.group_by(key).having(func.max(ContactRow.presented_at) >= day_start)
    return [
        RepeatCount(basis, row[0], tuple(int(c or 0) for c in row[2:]), row[1])
        for row in session.execute(statement)
    ]
