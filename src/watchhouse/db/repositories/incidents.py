"""Incidents, the dispatch queue and partner referrals."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, func, literal_column, select, update
from sqlalchemy.orm import Session

from watchhouse.db.repositories import changes
from watchhouse.db.repositories.places import location
from watchhouse.db.tables import (
    ContactRow,
    CrimeRow,
    IncidentRow,
    LocationRow,
    NeighbourhoodRow,
    PartnerReferralRow,
    ThriveAssessmentRow,
    UserRow,
)
from watchhouse.domain.errors import NotFound
from watchhouse.domain.incident_flow import Closure
from watchhouse.domain.records import IncidentThrive, IncidentView, LocationView, ReferralView
from watchhouse.domain.thrive import Level, VulnerabilityFlag
from watchhouse.domain.values import Grade, Settlement

OPEN_STATUSES = ("open", "deployed", "attended")


def incident_row(*, session: Session, incident_id: int) -> IncidentRow:
    """The stored incident, or NotFound."""
    row = session.get(IncidentRow, incident_id)
    if row is None:
        raise NotFound("incident", incident_id)
    return row


def incident_id_for_contact(*, session: Session, contact_id: int) -> int | None:
    """The incident made from a contact, if it has been graded."""
    return session.scalar(select(IncidentRow.id).where(IncidentRow.contact_id == contact_id))


def add_incident(
    *,
    session: Session,
    contact_id: int,
    grade: Grade,
    suggested_grade: Grade,
    departure_reason: str | None,
    graded_by: int,
    location_id: int | None,
    settlement: Settlement,
    status: str,
    now: datetime,
    domestic_abuse: bool = False,
) -> int:
    """Insert an incident and return its id (counted as a change for live queues)."""
    row = IncidentRow(
        contact_id=contact_id,
        grade=int(grade),
        suggested_grade=int(suggested_grade),
        departure_reason=departure_reason,
        graded_by=graded_by,
        location_id=location_id,
        settlement=settlement.value,
        created_at=now,
        updated_at=now,
        status=status,
        domestic_abuse=domestic_abuse,
    )
    session.add(row)
    session.flush()
    changes.bump(session=session)
    return row.id


_REFERRALS = (
    select(PartnerReferralRow)
    .where(PartnerReferralRow.incident_id == bindparam("incident_id"))
    .order_by(PartnerReferralRow.id)
)


def referrals(*, session: Session, incident_id: int) -> tuple[ReferralView, ...]:
    """Partner referrals made for an incident."""
    rows = session.scalars(_REFERRALS, {"incident_id": incident_id})
    return tuple(
        ReferralView(r.id, r.agency_code, r.note, r.referred_at, r.status, r.outcome) for r in rows
    )


def referral_status(*, session: Session, referral_id: int) -> tuple[str, int]:
    """A referral's status and the incident it belongs to."""
    row = session.get(PartnerReferralRow, referral_id)
    if row is None:
        raise NotFound("referral", referral_id)
    return row.status, row.incident_id


def update_referral(
    *, session: Session, referral_id: int, status: str, outcome: str | None
) -> None:
    """Record a referral's new status and outcome."""
    row = session.get(PartnerReferralRow, referral_id)
    if row is None:
        raise NotFound("referral", referral_id)
    row.status = status
    if outcome:
        row.outcome = outcome


def add_referral(
    *,
    session: Session,
    incident_id: int,
    agency_code: str,
    note: str,
    referred_by: int,
    now: datetime,
) -> int:
    """Record a referral to a partner agency."""
    row = PartnerReferralRow(
        incident_id=incident_id,
        agency_code=agency_code,
        note=note,
        referred_by=referred_by,
        referred_at=now,
        status="made",
    )
    session.add(row)
    session.flush()
    return row.id


def _names(session: Session, user_ids: set[int | None]) -> dict[int, str]:
    wanted = {u for u in user_ids if u is not None}
    if not wanted:
        return {}
    rows = session.execute(select(UserRow.id, UserRow.display_name).where(UserRow.id.in_(wanted)))
    return {uid: name for uid, name in rows}


def _thrive(session: Session, contact_ids: list[int]) -> dict[int, IncidentThrive]:
    """The latest THRIVE assessment of each contact (what the queue and incident page show)."""
    found: dict[int, IncidentThrive] = {}
    if not contact_ids:
        return found
    rows = session.execute(
        select(
            ThriveAssessmentRow.contact_id,
            ThriveAssessmentRow.risk,
            ThriveAssessmentRow.vulnerability,
            ThriveAssessmentRow.vulnerability_flags,
        )
        .where(ThriveAssessmentRow.contact_id.in_(contact_ids))
        .order_by(ThriveAssessmentRow.id)
    )
    for contact_id, risk, vulnerability, flags in rows:
        known = tuple(VulnerabilityFlag(f) for f in flags or () if f in _FLAGS)
        found[contact_id] = IncidentThrive(Level(risk), Level(vulnerability), known)
    return found


_FLAGS = {f.value for f in VulnerabilityFlag}


def _view(
    session: Session,
    row: IncidentRow,
    summary: str,
    where: LocationView | None = None,
    with_referrals: bool = True,
    names: dict[int, str] | None = None,
    thrive: dict[int, IncidentThrive] | None = None,
) -> IncidentView:
    if where is None:
        where = location(session=session, location_id=row.location_id)
    if names is None:
        names = _names(session, {row.closed_by, row.attending_officer_id})
    if thrive is None:
        thrive = _thrive(session, [row.contact_id])
    return IncidentView(
        id=row.id,
        contact_id=row.contact_id,
        grade=Grade(row.grade),
        suggested_grade=Grade(row.suggested_grade),
        departure_reason=row.departure_reason,
        settlement=Settlement(row.settlement),
        location=where,
        summary=summary,
        status=row.status,
        created_at=row.created_at,
        deployed_at=row.deployed_at,
        deployed_unit=row.deployed_unit,
        arrived_at=row.arrived_at,
        body_worn_video=row.body_worn_video,
        closed_at=row.closed_at,
        closure=row.closure,
        closure_note=row.closure_note,
        referrals=referrals(session=session, incident_id=row.id) if with_referrals else (),
        domestic_abuse=bool(row.domestic_abuse),
        closure_reason=row.closure_reason,
        closure_rationale=row.closure_rationale,
        closure_authority=row.closure_authority,
        closure_crime_id=row.closure_crime_id,
        closed_by=names.get(row.closed_by) if row.closed_by else None,
        attending_officer=(
            names.get(row.attending_officer_id) if row.attending_officer_id else None
        ),
        thrive=thrive.get(row.contact_id),
    )


_INCIDENT = (
    select(IncidentRow, LocationRow, NeighbourhoodRow.name)
    .outerjoin(LocationRow, LocationRow.id == IncidentRow.location_id)
    .outerjoin(NeighbourhoodRow, NeighbourhoodRow.id == LocationRow.neighbourhood_id)
    .where(IncidentRow.id == bindparam("incident_id"))
)


def incident(*, session: Session, incident_id: int, summary: str | None = None) -> IncidentView:
    """An incident with its location, summary (the contact's, read unless given) and
    referrals."""
    found = session.execute(_INCIDENT, {"incident_id": incident_id}).first()
    if found is None:
        raise NotFound("incident", incident_id)
    row, loc, neighbourhood = found
    if summary is None:
        summary = session.scalar(select(ContactRow.summary).where(ContactRow.id == row.contact_id))
    where = None
    if loc is not None:
        where = LocationView(
            loc.id, loc.description, loc.postcode, neighbourhood, Settlement(loc.settlement)
        )
    return _view(session, row, summary or "", where)


def open_incidents(*, session: Session, max_grade: Grade = Grade.SCHEDULED) -> list[IncidentView]:
    """Incidents not yet closed, of grade 1 to max_grade, in one query (no referrals: grade 4
    incidents, the only ones referred, never wait in the queue)."""
    rows = session.execute(
        select(IncidentRow, ContactRow.summary, LocationRow, NeighbourhoodRow.name)
        .join(ContactRow, ContactRow.id == IncidentRow.contact_id)
        .outerjoin(LocationRow, LocationRow.id == IncidentRow.location_id)
        .outerjoin(NeighbourhoodRow, NeighbourhoodRow.id == LocationRow.neighbourhood_id)
        .where(IncidentRow.status.in_(OPEN_STATUSES), IncidentRow.grade <= int(max_grade))
        # The status index holds only incidents not closed (0023); said as a literal, word for
        # word as the index says it, so SQLite's planner and PostgreSQL's prepared plans use it.
        .where(IncidentRow.status != literal_column("'closed'"))
    ).all()
    names = _names(session, {r[0].attending_officer_id for r in rows})
    thrive = _thrive(session, [r[0].contact_id for r in rows])
    views = []
    for row, summary, loc, neighbourhood in rows:
        where = None
        if loc is not None:
            where = LocationView(
                loc.id, loc.description, loc.postcode, neighbourhood, Settlement(loc.settlement)
            )
        views.append(_view(session, row, summary, where, False, names, thrive))
    return views


def queue_version(*, session: Session) -> str:
    """A value that changes whenever any incident the queue shows changes (for live queues).

    The change counter (bumped in the same transaction as every change made through the
    services) and the highest id (which moves when loaders insert incidents in bulk); no clock
    value, so an incident timed in the future cannot hide later changes.
    """
    highest = session.scalar(select(func.max(IncidentRow.id)))
    return f"{changes.current(session=session)}:{highest or 0}"


def update_incident(*, session: Session, incident_id: int, now: datetime, **values: object) -> None:
    """Change an incident's fields and mark it updated (which moves live queues on)."""
    row = incident_row(session=session, incident_id=incident_id)
    for name, value in values.items():
        if not hasattr(IncidentRow, name):
            raise AttributeError(f"incidents have no field {name!r}")
        setattr(row, name, value)
    row.updated_at = now
    session.flush()
    changes.bump(session=session)


def incident_status(*, session: Session, incident_id: int) -> str:
    """The current status of an incident."""
    return incident_row(session=session, incident_id=incident_id).status


def crime_incident(*, session: Session, crime_id: int) -> int | None:
    """The incident a crime is linked to (None for none), or NotFound for no such crime."""
    found = session.execute(select(CrimeRow.incident_id).where(CrimeRow.id == crime_id)).first()
    if found is None:
        raise NotFound("crime", crime_id)
    return found[0]


def user_standing(*, session: Session, user_id: int) -> tuple[str, bool] | None:
    """A user's role code and whether their account is active (None for no such user)."""
    found = session.execute(
        select(UserRow.role_code, UserRow.active).where(UserRow.id == user_id)
    ).first()
    return None if found is None else (found[0], bool(found[1]))


def attending_officers(*, session: Session, roles: tuple[str, ...]) -> list[tuple[int, str]]:
    """Active users who can attend incidents, by name: (id, display name)."""
    rows = session.execute(
        select(UserRow.id, UserRow.display_name)
        .where(UserRow.role_code.in_(roles), UserRow.active.is_(True))
        .order_by(UserRow.display_name, UserRow.id)
    )
    return [(uid, name) for uid, name in rows]


def link_recorded_crimes(*, session: Session) -> int:
    """Link each "crime recorded" closure without a crime to the crime recorded from the
    incident (loaders that store incidents before their crimes); the number linked."""
    crime = (
        select(func.min(CrimeRow.id))
        .where(CrimeRow.incident_id == IncidentRow.id)
        .scalar_subquery()
    )
    done = session.execute(
        update(IncidentRow)
        .where(
            IncidentRow.closure == Closure.CRIME_RECORDED.value,
            IncidentRow.closure_crime_id.is_(None),
        )
        .values(closure_crime_id=crime)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(done, "rowcount", 0) or 0)
