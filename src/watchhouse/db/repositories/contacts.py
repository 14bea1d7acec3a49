"""Contacts, THRIVE assessments and a caller's earlier contacts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import (
    Select,
    Table,
    bindparam,
    insert,
    select,
    text,
    union,
    update,
)
from sqlalchemy.orm import Session

from watchhouse.db.repositories import changes, incidents
from watchhouse.db.tables import (
    ContactRow,
    IncidentRow,
    LocationRow,
    NeighbourhoodRow,
    PersonRow,
    TelephoneNumberRow,
    ThriveAssessmentRow,
    UserRow,
)
from watchhouse.domain.access import RecordWork
from watchhouse.domain.errors import NotFound
from watchhouse.domain.incident_flow import IncidentStatus
from watchhouse.domain.records import (
    ContactSummary,
    ContactView,
    EarlierFlag,
    LocationView,
    Neighbourhood,
    PersonView,
    ThriveRecord,
)
from watchhouse.domain.thrive import (
    EmergencyIndicator,
    Engagement,
    GradeSuggestion,
    Level,
    ThriveAssessment,
    VulnerabilityFlag,
)
from watchhouse.domain.values import Channel, Grade, Origin, Settlement


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
    row = session.execute(
        select(
            ContactRow.person_id,
            ContactRow.telephone_number_id,
            *_CALLER_COLUMNS,
        ).where(ContactRow.id == contact_id)
    ).first()
    if row is None:
        raise NotFound("contact", contact_id)
    return CallerOnRecord(contact_id, row[0], row[1], _caller(row[2:]))


_CALLER_COLUMNS = (
    ContactRow.caller_given_name,
    ContactRow.caller_family_name,
    ContactRow.caller_date_of_birth,
    ContactRow.caller_telephone,
    ContactRow.caller_postcode,
)


def _caller(values: Sequence[Any]) -> CallerAsGiven:
    given, family, born, telephone, postcode = values
    return CallerAsGiven(given or "", family or "", born, telephone or "", postcode or "")


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


@dataclass(frozen=True)
class KeyedContact:
    """A contact created with an idempotency key, and the digest of the request it came with
    (None for contacts stored before digests were kept)."""

    contact_id: int
    body_sha256: str | None


_CONTACTS = cast(Table, ContactRow.__table__)
# Built once (the write path runs them for every contact): no statement construction or cache
# key per call, and run on the session's connection (no ORM execution layer).
_BY_KEY = select(_CONTACTS.c.id, _CONTACTS.c.idempotency_body_sha256).where(
    _CONTACTS.c.idempotency_user_id == bindparam("user_id"),
    _CONTACTS.c.idempotency_key == bindparam("key"),
)
_ADD = insert(_CONTACTS).returning(_CONTACTS.c.id)


def by_idempotency_key(*, session: Session, user_id: int, key: str) -> KeyedContact | None:
    """The contact this user created with this idempotency key, if any."""
    row = session.connection().execute(_BY_KEY, {"user_id": user_id, "key": key}).first()
    return None if row is None else KeyedContact(row[0], row[1])


@dataclass(frozen=True)
class WriteLookups:
    """What a contact's write looks up before anything else: the contact this user already
    made with the idempotency key, the neighbourhood with the code given, and the id of the
    latest identity run (whose model scores the caller); each None when there is none."""

    keyed: KeyedContact | None
    neighbourhood: Neighbourhood | None
    latest_run_id: int | None


# The three look-ups in one round trip (issue 16, Load); plain SQL both databases run.
_WRITE_LOOKUPS = text(
    "SELECT keyed.id, keyed.idempotency_body_sha256, "
    "place.id, place.code, place.name, place.settlement, "
    "(SELECT max(runs.id) FROM identity_runs AS runs) "
    "FROM (SELECT 1 AS one) AS here "
    "LEFT JOIN contacts AS keyed ON keyed.idempotency_user_id = :user_id "
    "AND keyed.idempotency_key = :key "
    "LEFT JOIN neighbourhoods AS place ON place.code = :code"
)


def write_lookups(
    *, session: Session, user_id: int, key: str | None, neighbourhood_code: str | None
) -> WriteLookups:
    """`by_idempotency_key` (when there is a key), the neighbourhood by its code (when there
    is one) and the latest identity run's id, in one statement."""
    row = (
        session.connection()
        .execute(
            _WRITE_LOOKUPS,
            {"user_id": user_id, "key": key, "code": neighbourhood_code or None},
        )
        .one()
    )
    return WriteLookups(
        keyed=None if row[0] is None else KeyedContact(row[0], row[1]),
        neighbourhood=None
        if row[2] is None
        else Neighbourhood(row[2], row[3], row[4], Settlement(row[5])),
        latest_run_id=row[6],
    )


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
    idempotency_user_id: int | None = None,
    idempotency_body_sha256: str | None = None,
) -> int:
    """Insert a contact, with the caller's details as given, and return its id."""
    given = caller or CallerAsGiven()
    session.flush()  # rows added to the session before this one go first (foreign keys)
    values = {
        "channel": channel.value,
        "presented_at": presented_at,
        "answered_at": answered_at,
        "abandoned": abandoned,
        "handler_id": handler_id,
        "person_id": person_id,
        "telephone_number_id": telephone_number_id,
        "location_id": location_id,
        "caller_name": caller_name,
        "summary": summary,
        "status": status,
        "idempotency_key": idempotency_key,
        "idempotency_user_id": idempotency_user_id if idempotency_key else None,
        "idempotency_body_sha256": idempotency_body_sha256 if idempotency_key else None,
        "caller_given_name": given.given_name or None,
        "caller_family_name": given.family_name or None,
        "caller_date_of_birth": given.date_of_birth,
        "caller_telephone": given.telephone or None,
        "caller_postcode": given.postcode or None,
    }
    contact_id: int = session.connection().execute(_ADD, values).scalar_one()
    return contact_id


@dataclass(frozen=True)
class FeedContact:
    """A contact the telephony feed made, as the handler's form completes it."""

    contact_id: int
    channel: Channel
    presented_at: datetime
    answered_at: datetime | None
    caller_telephone: str | None
    handler_id: int | None
    status: str


def feed_contact(*, session: Session, contact_id: int, lock: bool = False) -> FeedContact | None:
    """A contact the telephony feed made (source telephony), locked for this transaction when
    `lock`; None when there is no such contact."""
    statement = select(ContactRow).where(
        ContactRow.id == contact_id, ContactRow.source == "telephony"
    )
    row = session.scalar(statement.with_for_update() if lock else statement)
    if row is None or row.channel is None:  # the feed gives every contact it makes a channel
        return None
    return FeedContact(
        contact_id=row.id,
        channel=Channel(row.channel),
        presented_at=row.presented_at,
        answered_at=row.answered_at,
        caller_telephone=row.caller_telephone,
        handler_id=row.handler_id,
        status=row.status,
    )


def complete_contact(
    *,
    session: Session,
    contact_id: int,
    handler_id: int,
    person_id: int | None,
    telephone_number_id: int | None,
    location_id: int | None,
    caller_name: str,
    summary: str,
    caller: CallerAsGiven,
) -> None:
    """Add what the handler took down to a contact the feed made (its times stay the feed's)."""
    session.execute(
        update(ContactRow)
        .where(ContactRow.id == contact_id)
        .values(
            handler_id=handler_id,
            person_id=person_id,
            telephone_number_id=telephone_number_id,
            location_id=location_id,
            caller_name=caller_name,
            summary=summary,
            caller_given_name=caller.given_name or None,
            caller_family_name=caller.family_name or None,
            caller_date_of_birth=caller.date_of_birth,
            caller_telephone=caller.telephone or None,
            caller_postcode=caller.postcode or None,
        )
    )


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


@lru_cache(maxsize=16)
def _earlier_statement(by_person: bool, by_number: bool, limit: int) -> Select[*tuple[Any, ...]]:
    """Built once per shape: the online check runs it on every contact opened. The newest
    `limit` of the person's and of the number's, each read from its own (key, presented) index
    and no further, then the newest `limit` of those: one OR over both keys let PostgreSQL walk
    every contact in time order until it had found enough (37,600 buffers a screen under load)."""
    keys = []
    if by_person:
        keys.append(ContactRow.person_id == bindparam("person_id"))
    if by_number:
        keys.append(ContactRow.telephone_number_id == bindparam("number_id"))
    newest = [
        select(
            select(ContactRow.id.label("id"))
            .where(
                key,
                ContactRow.id != bindparam("contact_id"),
                ContactRow.presented_at <= bindparam("before"),
            )
            .order_by(ContactRow.presented_at.desc())
            .limit(limit)
            .subquery()
            .c.id
        )
        for key in keys
    ]
    # Each member keeps its ORDER BY and LIMIT inside a subquery (SQLite allows neither on a
    # member of a compound select); UNION keeps a contact matched both ways once.
    wanted = (newest[0] if len(newest) == 1 else union(*newest)).subquery()
    return (
        select(
            ContactRow.id,
            ContactRow.channel,
            ContactRow.presented_at,
            ContactRow.summary,
            ContactRow.status,
            ContactRow.person_id,
            ContactRow.telephone_number_id,
            IncidentRow.grade,
        )
        .join(wanted, wanted.c.id == ContactRow.id)
        .outerjoin(IncidentRow, IncidentRow.contact_id == ContactRow.id)
        .order_by(ContactRow.presented_at.desc(), ContactRow.id.desc())
        .limit(limit)
    )


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
    if person_id is None and telephone_number_id is None:
        return []
    statement = _earlier_statement(person_id is not None, telephone_number_id is not None, limit)
    rows = (
        session.connection()
        .execute(
            statement,
            {
                "person_id": person_id,
                "number_id": telephone_number_id,
                "contact_id": contact_id,
                "before": before,
            },
        )
        .all()
    )
    result = []
    for earlier, channel, at, summary, status, person, number, grade in rows:
        reasons = []
        if person_id is not None and person == person_id:
            reasons.append("same person")
        if telephone_number_id is not None and number == telephone_number_id:
            reasons.append("same telephone number")
        result.append(
            ContactSummary(
                id=earlier,
                channel=None if channel is None else Channel(channel),
                presented_at=at,
                summary=summary,
                status=status,
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
    changes.bump(session=session)  # the queue shows THRIVE flags
    return row.id


_LATEST_THRIVE = (
    select(
        ThriveAssessmentRow.id,
        ThriveAssessmentRow.assessed_at,
        UserRow.display_name,
        ThriveAssessmentRow.threat,
        ThriveAssessmentRow.harm,
        ThriveAssessmentRow.risk,
        ThriveAssessmentRow.investigation,
        ThriveAssessmentRow.vulnerability,
        ThriveAssessmentRow.engagement,
        ThriveAssessmentRow.indicators,
        ThriveAssessmentRow.vulnerability_flags,
        ThriveAssessmentRow.notes,
        ThriveAssessmentRow.suggested_grade,
        ThriveAssessmentRow.suggestion_reasons,
    )
    .join(UserRow, UserRow.id == ThriveAssessmentRow.assessed_by)
    .where(ThriveAssessmentRow.contact_id == bindparam("contact_id"))
    .order_by(ThriveAssessmentRow.id.desc())
    .limit(1)
)


def latest_thrive(*, session: Session, contact_id: int) -> ThriveRecord | None:
    """The most recent THRIVE assessment of a contact."""
    found = session.connection().execute(_LATEST_THRIVE, {"contact_id": contact_id}).first()
    if found is None:
        return None
    (
        assessment_id,
        assessed_at,
        assessor,
        threat,
        harm,
        risk,
        investigation,
        vulnerability,
        engagement,
        indicators,
        flags,
        notes,
        suggested,
        reasons,
    ) = found
    assessment = ThriveAssessment(
        threat=Level(threat),
        harm=Level(harm),
        risk=Level(risk),
        investigation=Level(investigation),
        vulnerability=Level(vulnerability),
        engagement=Engagement(engagement),
        indicators=frozenset(EmergencyIndicator(i) for i in indicators),
        vulnerabilities=frozenset(VulnerabilityFlag(v) for v in flags or []),
    )
    return ThriveRecord(
        id=assessment_id,
        assessed_at=assessed_at,
        assessed_by=assessor,
        assessment=assessment,
        notes=dict(notes),
        suggestion=GradeSuggestion(Grade(suggested), tuple(reasons)),
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
            channel=None if c.channel is None else Channel(c.channel),
            presented_at=c.presented_at,
            summary=c.summary,
            status=c.status,
            grade=None if g is None else Grade(g),
            matched_by="same person",
        )
        for c, g in rows
    ]


_SCREEN = (
    select(
        ContactRow.id,
        ContactRow.channel,
        ContactRow.presented_at,
        ContactRow.answered_at,
        ContactRow.ended_at,
        ContactRow.abandoned,
        UserRow.display_name,
        ContactRow.caller_name,
        ContactRow.summary,
        ContactRow.status,
        ContactRow.person_id,
        PersonRow.id,
        PersonRow.given_name,
        PersonRow.family_name,
        PersonRow.date_of_birth,
        ContactRow.telephone_number_id,
        TelephoneNumberRow.number,
        LocationRow.id,
        LocationRow.description,
        LocationRow.postcode,
        NeighbourhoodRow.name,
        LocationRow.settlement,
        IncidentRow.id,
        ContactRow.source,
        ContactRow.origin,
        ContactRow.attributes,
        *_CALLER_COLUMNS,
    )
    .outerjoin(UserRow, UserRow.id == ContactRow.handler_id)
    .outerjoin(PersonRow, PersonRow.id == ContactRow.person_id)
    .outerjoin(TelephoneNumberRow, TelephoneNumberRow.id == ContactRow.telephone_number_id)
    .outerjoin(LocationRow, LocationRow.id == ContactRow.location_id)
    .outerjoin(NeighbourhoodRow, NeighbourhoodRow.id == LocationRow.neighbourhood_id)
    .outerjoin(IncidentRow, IncidentRow.contact_id == ContactRow.id)
    .where(ContactRow.id == bindparam("contact_id"))
)


def contact_view(*, session: Session, contact_id: int, with_history: bool = True) -> ContactView:
    """Everything about a contact for one screen; the caller's history only if asked."""
    return contact_screen(session=session, contact_id=contact_id, with_history=with_history)[0]


def contact_screen(
    *, session: Session, contact_id: int, with_history: bool = True
) -> tuple[ContactView, CallerOnRecord]:
    """Everything about a contact for one screen (the contact, its caller, number, place and
    handler read in one query), and the caller's details as given; the history if asked."""
    found = session.connection().execute(_SCREEN, {"contact_id": contact_id}).first()
    if found is None:
        raise NotFound("contact", contact_id)
    row: tuple[Any, ...] = tuple(found)
    (
        _id,
        channel,
        presented_at,
        answered_at,
        ended_at,
        abandoned,
        handler,
        caller_name,
        summary,
        status,
        person_id,
        person_found,
        given_name,
        family_name,
        born,
        number_id,
        number,
        location_found,
        description,
        postcode,
        neighbourhood,
        settlement,
        incident_id,
        source,
        origin,
        attributes,
    ) = row[:26]
    history = (
        earlier_contacts(
            session=session,
            contact_id=contact_id,
            person_id=person_id,
            telephone_number_id=number_id,
            before=presented_at,
        )
        if with_history
        else []
    )
    view = ContactView(
        id=contact_id,
        channel=None if channel is None else Channel(channel),
        presented_at=presented_at,
        answered_at=answered_at,
        ended_at=ended_at,
        abandoned=abandoned,
        handler=handler,
        caller_name=caller_name or "",
        person=None
        if person_found is None
        else PersonView(person_found, given_name, family_name, born),
        telephone=number,
        location=None
        if location_found is None
        else LocationView(
            location_found, description, postcode, neighbourhood, Settlement(settlement)
        ),
        summary=summary,
        status=status,
        thrive=latest_thrive(session=session, contact_id=contact_id),
        incident=None
        if incident_id is None
        else incidents.incident(session=session, incident_id=incident_id, summary=summary),
        earlier_contacts=tuple(history),
        earlier_flags=tuple(earlier_flags(session=session, contact_ids=[c.id for c in history])),
        source=source or "watchhouse",
        origin=Origin(origin or "public"),
        attributes=dict(attributes or {}),
    )
    return view, CallerOnRecord(contact_id, person_id, number_id, _caller(row[26:]))


_FLAGS = (
    select(
        ThriveAssessmentRow.contact_id,
        ContactRow.presented_at,
        ThriveAssessmentRow.vulnerability_flags,
    )
    .join(ContactRow, ContactRow.id == ThriveAssessmentRow.contact_id)
    .where(ThriveAssessmentRow.contact_id.in_(bindparam("contact_ids", expanding=True)))
    .order_by(ContactRow.presented_at.desc())
)


def earlier_flags(*, session: Session, contact_ids: Sequence[int]) -> list[EarlierFlag]:
    """Vulnerability flags recorded on these contacts, newest first."""
    if not contact_ids:
        return []
    rows = session.connection().execute(_FLAGS, {"contact_ids": list(contact_ids)}).all()
    return [
        EarlierFlag(VulnerabilityFlag(flag), contact_id, at)
        for contact_id, at, flags in rows
        for flag in flags or []
    ]


def record_work(
    *, session: Session, contact_id: int | None = None, incident_id: int | None = None
) -> RecordWork:
    """Whose work a contact (or an incident, through its contact) is; NotFound if neither
    exists."""
    query = select(
        ContactRow.id,
        ContactRow.handler_id,
        IncidentRow.id,
        IncidentRow.status,
        IncidentRow.attending_officer_id,
        IncidentRow.graded_by,
        IncidentRow.deployed_by,
        IncidentRow.arrival_recorded_by,
        IncidentRow.closed_by,
    ).outerjoin(IncidentRow, IncidentRow.contact_id == ContactRow.id)
    if incident_id is not None:
        query = query.where(IncidentRow.id == incident_id)
    else:
        query = query.where(ContactRow.id == contact_id)
    found = session.execute(query).first()
    if found is None:
        raise NotFound(
            "incident" if incident_id is not None else "contact", incident_id or contact_id
        )
    _contact, handler, incident, status, officer, *workers = found
    return RecordWork(
        handler_id=handler,
        incident_id=incident,
        incident_open=incident is not None and status != IncidentStatus.CLOSED.value,
        attending_officer_id=officer,
        worked_by=frozenset(w for w in workers if w is not None),
    )
