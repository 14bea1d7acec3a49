"""Crimes recorded in watchhouse: the record, victims, suspects, key events, victim updates."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from watchhouse.db.investigation_tables import (
    CrimeEventRow,
    CrimeSuspectRow,
    CrimeVictimRow,
)
from watchhouse.db.tables import (
    ContactRow,
    CrimeRow,
    LocationRow,
    PersonRow,
    UserRow,
    VictimContactRow,
)
from watchhouse.domain.errors import NotFound
from watchhouse.domain.investigation_records import (
    CrimeView,
    EventView,
    RecordedCrime,
    SuspectView,
    VictimUpdateView,
    VictimView,
)

EDITABLE_CRIME = frozenset(
    {
        "allocated_at",
        "allocated_team",
        "allocated_to",
        "supervisor_id",
        "allocated_by",
        "awaiting_allocation",
        "plan_due_at",
        "plan_written_at",
        "plan_checked_at",
        "next_review_due_at",
        "next_victim_update_due_at",
        "outcome_code",
        "outcome_at",
        "outcome_rationale",
        "outcome_by",
        "outcome_override_reason",
        "victim_supports_action",
        "victim_withdrawal",
    }
)
EDITABLE_VICTIM = frozenset(
    {
        "assessed_at",
        "assessed_by",
        "persistently_targeted",
        "vulnerable",
        "intimidated",
        "enhanced",
        "enhanced_grounds",
        "wants_updates",
        "update_method",
        "update_contact",
        "needs_notes",
        "support_due_at",
        "support_referred_at",
        "support_declined",
        "vps_due_at",
        "vps_offered_at",
        "vps_decision",
        "vps_made_at",
    }
)


def user_names(*, session: Session, user_ids: Iterable[int | None]) -> dict[int, str]:
    """Display names of the given users."""
    wanted = {u for u in user_ids if u is not None}
    if not wanted:
        return {}
    rows = session.execute(select(UserRow.id, UserRow.display_name).where(UserRow.id.in_(wanted)))
    return {int(i): str(n) for i, n in rows}


def user_role(*, session: Session, user_id: int) -> str | None:
    """The role code of a user, or None if there is no such user."""
    return session.scalar(select(UserRow.role_code).where(UserRow.id == user_id))


def crimes_from_incident(*, session: Session, incident_id: int) -> tuple[RecordedCrime, ...]:
    """The crimes recorded from an incident, oldest first."""
    rows = session.execute(
        select(CrimeRow.id, CrimeRow.crime_type, CrimeRow.recorded_at)
        .where(CrimeRow.incident_id == incident_id)
        .order_by(CrimeRow.recorded_at, CrimeRow.id)
    ).all()
    return tuple(RecordedCrime(r.id, r.crime_type, r.recorded_at) for r in rows)


def add_crime(*, session: Session, **values: object) -> int:
    """Insert a crime and return its id."""
    row = CrimeRow(**values)
    session.add(row)
    session.flush()
    return row.id


def crime_row(*, session: Session, crime_id: int) -> CrimeRow:
    """The stored crime, or NotFound."""
    found = session.get(CrimeRow, crime_id)
    if found is None:
        raise NotFound("crime", crime_id)
    return found


def update_crime(*, session: Session, crime_id: int, **values: object) -> None:
    """Change a crime's allocation, plan and review dates, or outcome."""
    row = crime_row(session=session, crime_id=crime_id)
    for name, value in values.items():
        if name not in EDITABLE_CRIME:
            raise AttributeError(f"crimes have no editable field {name!r}")
        setattr(row, name, value)


def add_victim(*, session: Session, crime_id: int, person_id: int, by: int, now: datetime) -> int:
    """Add a victim to a crime."""
    row = CrimeVictimRow(crime_id=crime_id, person_id=person_id, added_at=now, added_by=by)
    session.add(row)
    session.flush()
    return row.id


def victim_row(*, session: Session, crime_id: int, victim_id: int) -> CrimeVictimRow:
    """A victim of this crime, or NotFound."""
    row = session.get(CrimeVictimRow, victim_id)
    if row is None or row.crime_id != crime_id:
        raise NotFound("victim", victim_id)
    return row


def update_victim(*, session: Session, crime_id: int, victim_id: int, **values: object) -> None:
    """Record a victim's needs assessment, preferences, referral or VPS."""
    row = victim_row(session=session, crime_id=crime_id, victim_id=victim_id)
    for name, value in values.items():
        if name not in EDITABLE_VICTIM:
            raise AttributeError(f"victims have no editable field {name!r}")
        setattr(row, name, value)


def victims(*, session: Session, crime_id: int) -> tuple[VictimView, ...]:
    """The victims of a crime, in the order they were added."""
    rows = session.execute(
        select(CrimeVictimRow, PersonRow)
        .join(PersonRow, PersonRow.id == CrimeVictimRow.person_id)
        .where(CrimeVictimRow.crime_id == crime_id)
        .order_by(CrimeVictimRow.id)
    ).all()
    return tuple(
        VictimView(
            v.id,
            v.person_id,
            f"{p.given_name} {p.family_name}".strip(),
            p.date_of_birth,
            v.assessed_at,
            bool(v.enhanced),
            tuple(v.enhanced_grounds or ()),
            v.wants_updates,
            v.update_method,
            v.update_contact,
            v.needs_notes,
            v.support_due_at,
            v.support_referred_at,
            bool(v.support_declined),
            v.vps_due_at,
            v.vps_offered_at,
            v.vps_decision,
            v.vps_made_at,
        )
        for v, p in rows
    )


def add_suspect(
    *,
    session: Session,
    crime_id: int,
    person_id: int | None,
    description: str,
    identified: bool,
    by: int,
    now: datetime,
) -> int:
    """Add a suspect (a named person, or a description) to a crime."""
    row = CrimeSuspectRow(
        crime_id=crime_id,
        person_id=person_id,
        description=description,
        identified=identified,
        added_at=now,
        added_by=by,
    )
    session.add(row)
    session.flush()
    return row.id


def suspects(*, session: Session, crime_id: int) -> tuple[SuspectView, ...]:
    """The suspects of a crime."""
    rows = session.execute(
        select(CrimeSuspectRow, PersonRow)
        .outerjoin(PersonRow, PersonRow.id == CrimeSuspectRow.person_id)
        .where(CrimeSuspectRow.crime_id == crime_id)
        .order_by(CrimeSuspectRow.id)
    ).all()
    return tuple(
        SuspectView(
            s.id,
            s.person_id,
            None if p is None else f"{p.given_name} {p.family_name}".strip(),
            s.description,
            bool(s.identified or s.person_id is not None),
        )
        for s, p in rows
    )


def add_event(
    *,
    session: Session,
    crime_id: int,
    kind: str,
    occurred_at: datetime,
    by: int,
    now: datetime,
    note: str,
) -> int:
    """Record a key event."""
    row = CrimeEventRow(
        crime_id=crime_id,
        kind=kind,
        occurred_at=occurred_at,
        recorded_at=now,
        recorded_by=by,
        note=note,
    )
    session.add(row)
    session.flush()
    return row.id


def events(*, session: Session, crime_id: int) -> tuple[EventView, ...]:
    """The key events of a crime, in time order."""
    rows = session.scalars(
        select(CrimeEventRow)
        .where(CrimeEventRow.crime_id == crime_id)
        .order_by(CrimeEventRow.occurred_at, CrimeEventRow.id)
    ).all()
    names = user_names(session=session, user_ids=(r.recorded_by for r in rows))
    return tuple(
        EventView(r.id, r.kind, r.occurred_at, names.get(r.recorded_by or 0), r.note) for r in rows
    )


def add_update_due(
    *,
    session: Session,
    crime_id: int,
    victim_id: int,
    event_id: int,
    event: str,
    event_at: datetime,
    due_at: datetime | None,
    enhanced: bool,
    required: bool,
) -> int:
    """Record that a victim is owed an update about a key event (or does not want one)."""
    row = VictimContactRow(
        crime_id=crime_id,
        victim_id=victim_id,
        crime_event_id=event_id,
        event=event,
        event_at=event_at,
        due_at=due_at,
        enhanced=enhanced,
        required=required,
    )
    session.add(row)
    session.flush()
    return row.id


def update_row(*, session: Session, crime_id: int, update_id: int) -> VictimContactRow:
    """A victim update of this crime, or NotFound."""
    row = session.get(VictimContactRow, update_id)
    if row is None or row.crime_id != crime_id:
        raise NotFound("victim update", update_id)
    return row


def record_update(
    *,
    session: Session,
    crime_id: int,
    update_id: int,
    at: datetime,
    by: int,
    method: str,
    note: str,
) -> None:
    """Record that the victim was given the update."""
    row = update_row(session=session, crime_id=crime_id, update_id=update_id)
    row.contacted_at = at
    row.recorded_by = by
    row.method = method
    row.note = note


def updates(*, session: Session, crime_id: int) -> tuple[VictimUpdateView, ...]:
    """Every victim update of a crime (owed and given), in event order."""
    rows = session.execute(
        select(VictimContactRow, PersonRow.given_name, PersonRow.family_name)
        .outerjoin(CrimeVictimRow, CrimeVictimRow.id == VictimContactRow.victim_id)
        .outerjoin(PersonRow, PersonRow.id == CrimeVictimRow.person_id)
        .where(VictimContactRow.crime_id == crime_id)
        .order_by(VictimContactRow.event_at, VictimContactRow.id)
    ).all()
    return tuple(
        VictimUpdateView(
            u.id,
            u.crime_id,
            u.victim_id,
            None if given is None else f"{given} {family}".strip(),
            u.event,
            u.event_at,
            u.due_at,
            bool(u.enhanced),
            u.required is not False,
            u.contacted_at,
            u.method,
            u.note,
        )
        for u, given, family in rows
    )


def earliest_update_due(*, session: Session, crime_id: int) -> datetime | None:
    """The earliest deadline among the victim updates still owed for a crime."""
    value: datetime | None = session.scalar(
        select(func.min(VictimContactRow.due_at)).where(
            VictimContactRow.crime_id == crime_id,
            VictimContactRow.contacted_at.is_(None),
            VictimContactRow.required.is_(True),
        )
    )
    return value


def crime_view(*, session: Session, crime_id: int) -> CrimeView:
    """A crime with its people and events (plans, reviews and tasks come from
    db/repositories/investigations.py)."""
    row = crime_row(session=session, crime_id=crime_id)
    location = (
        None
        if row.location_id is None
        else session.scalar(
            select(LocationRow.description).where(LocationRow.id == row.location_id)
        )
    )
    names = user_names(session=session, user_ids=(row.allocated_to, row.supervisor_id))
    return CrimeView(
        id=row.id,
        crime_type=row.crime_type,
        crime_group=row.crime_group,
        offence_code=row.offence_code,
        recorded_at=row.recorded_at,
        how_reported=row.how_reported,
        summary=row.summary,
        domestic_abuse=bool(row.domestic_abuse),
        hate_crime=bool(row.hate_crime),
        incident_id=row.incident_id,
        contact_id=row.contact_id,
        location=location,
        allocated_at=row.allocated_at,
        allocated_team=row.allocated_team,
        allocated_to=row.allocated_to,
        allocated_to_name=names.get(row.allocated_to or 0),
        supervisor_id=row.supervisor_id,
        supervisor_name=names.get(row.supervisor_id or 0),
        plan_due_at=row.plan_due_at,
        next_review_due_at=row.next_review_due_at,
        next_victim_update_due_at=row.next_victim_update_due_at,
        outcome_code=row.outcome_code,
        outcome_at=row.outcome_at,
        outcome_rationale=row.outcome_rationale,
        outcome_override_reason=row.outcome_override_reason,
        victim_withdrawal=row.victim_withdrawal,
        victims=victims(session=session, crime_id=crime_id),
        suspects=suspects(session=session, crime_id=crime_id),
        events=events(session=session, crime_id=crime_id),
        updates=updates(session=session, crime_id=crime_id),
    )


def people_on(*, session: Session, crime_id: int) -> list[int]:
    """Every person recorded as victim or suspect of a crime (for the access log)."""
    victims_ = session.scalars(
        select(CrimeVictimRow.person_id).where(CrimeVictimRow.crime_id == crime_id)
    ).all()
    suspects_ = session.scalars(
        select(CrimeSuspectRow.person_id).where(
            CrimeSuspectRow.crime_id == crime_id, CrimeSuspectRow.person_id.is_not(None)
        )
    ).all()
    return [int(p) for p in [*victims_, *suspects_] if p is not None]


def caller_of_contact(*, session: Session, contact_id: int) -> int | None:
    """The person who made a contact, if known."""
    return session.scalar(select(ContactRow.person_id).where(ContactRow.id == contact_id))
