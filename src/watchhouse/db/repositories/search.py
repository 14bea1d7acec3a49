"""Finding records by reference, telephone number and name; a person's own recent work."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from watchhouse.db.tables import (
    ContactRow,
    CrimeRow,
    DomesticAbuseAssessmentRow,
    IncidentRow,
    PersonRow,
    PersonTelephoneRow,
    ProblemSolvingPlanRow,
    TelephoneNumberRow,
)
from watchhouse.domain.search import SearchHit
from watchhouse.domain.values import Channel


def _contact_hit(row: ContactRow) -> SearchHit:
    name = " ".join(p for p in (row.caller_given_name, row.caller_family_name) if p)
    summary = (row.summary or "").strip()
    detail = f"{row.channel or 'started by the force'}, {row.status}" + (
        f": {summary[:80]}" if summary else ""
    )
    return SearchHit(
        "contact",
        row.id,
        name or row.caller_name or "Caller not named",
        detail,
        row.presented_at,
        f"/contacts/{row.id}",
    )


def _person_hit(row: PersonRow) -> SearchHit:
    born = f"born {row.date_of_birth:%d/%m/%Y}" if row.date_of_birth else "date of birth unknown"
    return SearchHit(
        "person",
        row.id,
        f"{row.given_name} {row.family_name}".strip(),
        born,
        None,
        f"/people/{row.id}",
    )


def _incident_hit(row: IncidentRow) -> SearchHit:
    return SearchHit(
        "incident",
        row.id,
        f"Grade {row.grade} incident",
        row.status,
        row.created_at,
        f"/incidents/{row.id}",
    )


def by_reference(*, session: Session, record_type: str, record_id: int) -> SearchHit | None:
    """The record a screen reference names, if it exists."""
    if record_type == "contact":
        contact = session.get(ContactRow, record_id)
        return _contact_hit(contact) if contact else None
    if record_type == "person":
        person = session.get(PersonRow, record_id)
        return _person_hit(person) if person else None
    if record_type == "incident":
        incident = session.get(IncidentRow, record_id)
        return _incident_hit(incident) if incident else None
    if record_type == "crime":
        crime = session.get(CrimeRow, record_id)
        if crime is None:
            return None
        return SearchHit(
            "crime",
            crime.id,
            crime.crime_type,
            crime.crime_group,
            crime.recorded_at,
            f"/crimes/{crime.id}",
        )
    if record_type == "problem_solving_plan":
        plan = session.get(ProblemSolvingPlanRow, record_id)
        if plan is None:
            return None
        return SearchHit(
            "problem_solving_plan",
            plan.id,
            "Problem-solving plan",
            plan.status,
            plan.opened_at,
            f"/plans/{plan.id}",
        )
    if record_type == "risk_assessment":
        dash = session.get(DomesticAbuseAssessmentRow, record_id)
        if dash is None:
            return None
        return SearchHit(
            "risk_assessment",
            dash.id,
            "DASH risk assessment",
            dash.status,
            dash.assessed_at,
            f"/incidents/{dash.incident_id}/risk",
        )
    return None


def contacts_by_telephone(*, session: Session, e164: str, limit: int) -> list[SearchHit]:
    """Contacts made from a number, newest first (at most `limit`)."""
    rows = session.scalars(
        select(ContactRow)
        .join(TelephoneNumberRow, TelephoneNumberRow.id == ContactRow.telephone_number_id)
        .where(TelephoneNumberRow.number == e164)
        .order_by(ContactRow.presented_at.desc(), ContactRow.id.desc())
        .limit(limit)
    )
    return [_contact_hit(row) for row in rows]


def people_by_telephone(*, session: Session, e164: str, limit: int) -> list[SearchHit]:
    """People reached on a number (numbers are shared in households)."""
    rows = session.scalars(
        select(PersonRow)
        .join(PersonTelephoneRow, PersonTelephoneRow.person_id == PersonRow.id)
        .join(TelephoneNumberRow, TelephoneNumberRow.id == PersonTelephoneRow.telephone_number_id)
        .where(TelephoneNumberRow.number == e164)
        .order_by(PersonRow.family_name, PersonRow.given_name, PersonRow.id)
        .limit(limit)
    )
    return [_person_hit(row) for row in rows]


def people_by_name_query(*, family: str, given: str, limit: int) -> Select[Any]:
    """The query for people by name: lower(family name) equal, lower(given name) starting
    with `given`; it reads the expression index ix_people_lower_names (migration 0016)."""
    statement = select(PersonRow).where(func.lower(PersonRow.family_name) == family.lower())
    if given:
        statement = statement.where(func.lower(PersonRow.given_name).startswith(given.lower()))
    return statement.order_by(PersonRow.given_name, PersonRow.date_of_birth, PersonRow.id).limit(
        limit
    )


def people_by_name(*, session: Session, family: str, given: str, limit: int) -> list[SearchHit]:
    """People with this family name (any case) whose given name starts with `given`."""
    rows = session.scalars(people_by_name_query(family=family, given=given, limit=limit))
    return [_person_hit(row) for row in rows]


def contacts_by_caller_name_query(*, family: str, given: str, limit: int) -> Select[Any]:
    """The query for contacts by the caller's name (index ix_contacts_lower_caller_names)."""
    statement = select(ContactRow).where(
        func.lower(ContactRow.caller_family_name) == family.lower()
    )
    if given:
        statement = statement.where(
            func.lower(ContactRow.caller_given_name).startswith(given.lower())
        )
    return statement.order_by(ContactRow.presented_at.desc(), ContactRow.id.desc()).limit(limit)


def contacts_by_caller_name(
    *, session: Session, family: str, given: str, limit: int
) -> list[SearchHit]:
    """Contacts whose caller gave this family name (any case), newest first."""
    rows = session.scalars(contacts_by_caller_name_query(family=family, given=given, limit=limit))
    return [_contact_hit(row) for row in rows]


def recent_contacts_of(*, session: Session, handler_id: int, limit: int) -> list[SearchHit]:
    """The contacts a handler took, newest first: channel as title, grade (if graded) and
    status as detail; no caller details or narrative."""
    rows = session.execute(
        select(
            ContactRow.id,
            ContactRow.channel,
            ContactRow.status,
            ContactRow.presented_at,
            IncidentRow.grade,
        )
        .outerjoin(IncidentRow, IncidentRow.contact_id == ContactRow.id)
        .where(ContactRow.handler_id == handler_id)
        .order_by(ContactRow.presented_at.desc(), ContactRow.id.desc())
        .limit(limit)
    )
    hits = []
    for contact_id, channel, status, presented_at, grade in rows:
        graded = f"grade {grade}" if grade is not None else "not graded"
        hits.append(
            SearchHit(
                "contact",
                contact_id,
                Channel(channel).label if channel else "Started by the force",
                f"{graded}, {str(status).replace('_', ' ')}",
                presented_at,
                f"/contacts/{contact_id}",
            )
        )
    return hits


def incidents_attended_by(*, session: Session, officer_id: int, limit: int) -> list[SearchHit]:
    """Incidents where this officer is the attending officer, open ones first, newest first."""
    statement = select(IncidentRow).where(IncidentRow.attending_officer_id == officer_id)
    rows = session.scalars(
        statement.order_by(
            (IncidentRow.closed_at.is_(None)).desc(),
            IncidentRow.created_at.desc(),
            IncidentRow.id.desc(),
        ).limit(limit)
    )
    return [_incident_hit(row) for row in rows]
