"""Neighbourhoods, locations, people and telephone numbers."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import Select, Table, bindparam, func, insert, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from watchhouse.db.tables import (
    ContactRow,
    IdentityDecisionRow,
    LocationRow,
    NeighbourhoodRow,
    PersonRow,
    PersonTelephoneRow,
    TelephoneNumberRow,
)
from watchhouse.domain.records import LocationView, Neighbourhood, PersonView
from watchhouse.domain.values import Settlement

_NEIGHBOURHOODS = cast(Table, NeighbourhoodRow.__table__)
_LOCATIONS = cast(Table, LocationRow.__table__)
_PEOPLE = cast(Table, PersonRow.__table__)
_NUMBERS = cast(Table, TelephoneNumberRow.__table__)
_PERSON_NUMBERS = cast(Table, PersonTelephoneRow.__table__)
# Built once (a contact's write runs them every time): no statement construction or cache key
# per call, and run on the session's connection (no ORM execution layer).
_NEIGHBOURHOOD_BY_CODE = select(
    _NEIGHBOURHOODS.c.id,
    _NEIGHBOURHOODS.c.code,
    _NEIGHBOURHOODS.c.name,
    _NEIGHBOURHOODS.c.settlement,
).where(_NEIGHBOURHOODS.c.code == bindparam("code"))
_ADD_LOCATION = insert(_LOCATIONS).returning(_LOCATIONS.c.id)
_ADD_PERSON = insert(_PEOPLE).returning(_PEOPLE.c.id)
_PERSON = select(
    _PEOPLE.c.id, _PEOPLE.c.given_name, _PEOPLE.c.family_name, _PEOPLE.c.date_of_birth
).where(_PEOPLE.c.id == bindparam("id"))
_NUMBER_ID = select(_NUMBERS.c.id).where(_NUMBERS.c.number == bindparam("number"))
_NO_CHANGE = text("UPDATE telephone_numbers SET id = id WHERE 0 = 1")
_ADVISORY_LOCKS = text(
    "SELECT pg_advisory_xact_lock(key) FROM "
    "(SELECT key FROM unnest(CAST(:keys AS bigint[])) AS key ORDER BY key) AS wanted"
)


def add_neighbourhood(*, session: Session, code: str, name: str, settlement: Settlement) -> int:
    """Insert a neighbourhood, or return the existing one with that code."""
    existing = session.scalar(select(NeighbourhoodRow.id).where(NeighbourhoodRow.code == code))
    if existing is not None:
        return existing
    row = NeighbourhoodRow(code=code, name=name, settlement=settlement.value)
    session.add(row)
    session.flush()
    return row.id


def neighbourhoods(*, session: Session) -> list[Neighbourhood]:
    """Every neighbourhood, by name."""
    rows = session.scalars(select(NeighbourhoodRow).order_by(NeighbourhoodRow.name))
    return [Neighbourhood(r.id, r.code, r.name, Settlement(r.settlement)) for r in rows]


def neighbourhood_by_code(*, session: Session, code: str) -> Neighbourhood | None:
    """The neighbourhood with this code, or None."""
    r = session.connection().execute(_NEIGHBOURHOOD_BY_CODE, {"code": code}).first()
    return None if r is None else Neighbourhood(r[0], r[1], r[2], Settlement(r[3]))


def add_location(
    *,
    session: Session,
    description: str,
    postcode: str | None,
    neighbourhood_id: int | None,
    settlement: Settlement,
) -> int:
    """Insert a location and return its id."""
    session.flush()  # rows added to the session before this one go first (foreign keys)
    values = {
        "description": description,
        "postcode": postcode,
        "neighbourhood_id": neighbourhood_id,
        "settlement": settlement.value,
    }
    location_id: int = session.connection().execute(_ADD_LOCATION, values).scalar_one()
    return location_id


def location_id_for(
    *,
    session: Session,
    description: str,
    postcode: str | None,
    neighbourhood_id: int | None,
    settlement: Settlement,
) -> int:
    """The id of the location with this description, postcode and neighbourhood, inserting it
    the first time it is seen (callers hold `hold_new_caller_locks` for the place)."""
    existing = stored_location_id(
        session=session,
        description=description,
        postcode=postcode,
        neighbourhood_id=neighbourhood_id,
    )
    if existing is not None:
        return existing
    return add_location(
        session=session,
        description=description,
        postcode=postcode,
        neighbourhood_id=neighbourhood_id,
        settlement=settlement,
    )


def stored_location_id(
    *, session: Session, description: str, postcode: str | None, neighbourhood_id: int | None
) -> int | None:
    """The id of the location with this description, postcode and neighbourhood, or None when
    it is not stored yet."""
    found: int | None = session.connection().scalar(
        _location_statement(postcode is None, neighbourhood_id is None),
        {"description": description, "postcode": postcode, "neighbourhood_id": neighbourhood_id},
    )
    return found


@lru_cache(maxsize=4)
def _location_statement(no_postcode: bool, no_neighbourhood: bool) -> Select[Any]:
    """Built once per shape (IS NULL or equal, so that the indexes serve)."""
    columns = _LOCATIONS.c
    return (
        select(columns.id)
        .where(
            columns.description == bindparam("description"),
            columns.postcode.is_(None)
            if no_postcode
            else columns.postcode == bindparam("postcode"),
            columns.neighbourhood_id.is_(None)
            if no_neighbourhood
            else columns.neighbourhood_id == bindparam("neighbourhood_id"),
        )
        .order_by(columns.id)
        .limit(1)
    )


def location(*, session: Session, location_id: int | None) -> LocationView | None:
    """A location with its neighbourhood's name."""
    if location_id is None:
        return None
    row = session.execute(
        select(LocationRow, NeighbourhoodRow.name)
        .outerjoin(NeighbourhoodRow, NeighbourhoodRow.id == LocationRow.neighbourhood_id)
        .where(LocationRow.id == location_id)
    ).first()
    if row is None:
        return None
    loc, neighbourhood_name = row
    return LocationView(
        loc.id, loc.description, loc.postcode, neighbourhood_name, Settlement(loc.settlement)
    )


def find_person(
    *, session: Session, given_name: str, family_name: str, date_of_birth: date
) -> PersonView | None:
    """A person with exactly this name (any case) and date of birth, or None."""
    row = session.scalar(
        select(PersonRow)
        .where(
            func.lower(PersonRow.family_name) == family_name.lower(),
            func.lower(PersonRow.given_name) == given_name.lower(),
            PersonRow.date_of_birth == date_of_birth,
        )
        .order_by(PersonRow.id)
        .limit(1)
    )
    return None if row is None else person_view(row)


def person_view(row: PersonRow) -> PersonView:
    """Map a person row to its domain value."""
    return PersonView(row.id, row.given_name, row.family_name, row.date_of_birth)


def add_person(
    *,
    session: Session,
    given_name: str,
    family_name: str,
    date_of_birth: date | None,
    now: datetime,
) -> PersonView:
    """Insert a person."""
    session.flush()  # rows added to the session before this one go first (foreign keys)
    values = {
        "given_name": given_name,
        "family_name": family_name,
        "date_of_birth": date_of_birth,
        "created_at": now,
    }
    person_id: int = session.connection().execute(_ADD_PERSON, values).scalar_one()
    return PersonView(person_id, given_name, family_name, date_of_birth)


def person(*, session: Session, person_id: int | None) -> PersonView | None:
    """A person by id, or None."""
    if person_id is None:
        return None
    session.flush()  # the person as changed in this session, if it was
    row = session.connection().execute(_PERSON, {"id": person_id}).first()
    return None if row is None else PersonView(row[0], row[1], row[2], row[3])


def _insert_ignoring_duplicates(
    session: Session, table: Any, values: dict[str, Any], *, returning: bool = False
) -> int | None:
    """INSERT ... ON CONFLICT DO NOTHING in the session's dialect (SQLite or PostgreSQL); with
    `returning`, the new row's id (None when the row was there already)."""
    connection = session.connection()
    statement = _insert_ignoring(connection.dialect.name, table, returning)
    if not returning:
        connection.execute(statement, values)
        return None
    inserted: int | None = connection.execute(statement, values).scalar()
    return inserted


@lru_cache(maxsize=32)
def _insert_ignoring(dialect: str, table: Any, returning: bool) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING, built once per dialect and table (the columns are
    the parameters' keys)."""
    insert_into = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert_into(table).on_conflict_do_nothing()
    return statement.returning(table.c.id) if returning else statement


def telephone_number_id(*, session: Session, number: str) -> int:
    """The id of an E.164 number, inserting it the first time it is seen: an upsert, so two
    transactions that see a new number at once both get the one row (no unique-key error)."""
    existing: int | None = session.connection().scalar(_NUMBER_ID, {"number": number})
    if existing is not None:
        return existing
    inserted = _insert_ignoring_duplicates(session, _NUMBERS, {"number": number}, returning=True)
    if inserted is not None:
        return inserted
    found: int = session.connection().execute(_NUMBER_ID, {"number": number}).scalar_one()
    return found


# PostgreSQL: the number found or added and linked to the person, in one round trip. A
# number another transaction is adding at the same moment is neither found (not yet
# committed when the statement began) nor added (ON CONFLICT waits for it, then does
# nothing): the statement then answers no row and the caller looks again.
_NUMBER_FOR_PERSON = text(
    "WITH found AS (SELECT id FROM telephone_numbers WHERE number = :number), "
    "added AS (INSERT INTO telephone_numbers (number) SELECT :number "
    "WHERE NOT EXISTS (SELECT 1 FROM found) ON CONFLICT DO NOTHING RETURNING id), "
    "number AS (SELECT id FROM found UNION ALL SELECT id FROM added), "
    "linked AS (INSERT INTO person_telephones (person_id, telephone_number_id) "
    "SELECT CAST(:person_id AS INTEGER), id FROM number "
    "WHERE CAST(:person_id AS INTEGER) IS NOT NULL ON CONFLICT DO NOTHING) "
    "SELECT id FROM number"
)


def telephone_number_for(*, session: Session, number: str, person_id: int | None) -> int:
    """`telephone_number_id`, then `link_person_telephone` when there is a person: on
    PostgreSQL in one statement (issue 16, Load), elsewhere in turn."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        found: int | None = connection.execute(
            _NUMBER_FOR_PERSON, {"number": number, "person_id": person_id}
        ).scalar()
        if found is not None:
            return found
    number_id = telephone_number_id(session=session, number=number)
    if person_id is not None:
        link_person_telephone(session=session, person_id=person_id, number_id=number_id)
    return number_id


def telephone_number(*, session: Session, number_id: int | None) -> str | None:
    """The E.164 text of a number id."""
    if number_id is None:
        return None
    row = session.get(TelephoneNumberRow, number_id)
    return None if row is None else row.number


def link_person_telephone(*, session: Session, person_id: int, number_id: int) -> None:
    """Record that the person has been reached on the number."""
    _insert_ignoring_duplicates(
        session,
        _PERSON_NUMBERS,
        {"person_id": person_id, "telephone_number_id": number_id},
    )


def hold_new_caller_locks(*, session: Session, keys: Iterable[str]) -> None:
    """Serialise, until this transaction ends, the transactions that record a caller with any
    of these keys (normalised family name, number, place), so that simultaneous first contacts
    from one new caller make one person and one location.

    People have no natural unique key (names are shared and misspelt, dates of birth missing),
    so a constraint cannot stop a second person being made; a short lock held while the caller
    is looked up and recorded does. On PostgreSQL: transaction-level advisory locks, one per
    key, taken in a fixed order (no deadlock between callers sharing some keys); other callers
    go on in parallel. On SQLite, which has one writer at a time anyway: the write lock taken
    now (BEGIN IMMEDIATE semantics), so the look-up reads what the last writer committed."""
    wanted = sorted({_lock_number(key) for key in keys if key})
    if not wanted:
        return
    if session.get_bind().dialect.name == "postgresql":
        # One round trip: the locks are taken row by row in the subquery's (ascending) order.
        session.connection().execute(_ADVISORY_LOCKS, {"keys": wanted})
    else:
        # Any write statement starts the write transaction (and takes the process's write
        # gate, db/engine.py); this one changes nothing.
        session.connection().execute(_NO_CHANGE)


def _lock_number(key: str) -> int:
    """A stable signed 64-bit number for a lock key (PostgreSQL's advisory lock space)."""
    digest = hashlib.blake2b(f"watchhouse.caller:{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def people_kept_apart(*, session: Session, person_ids: Sequence[int]) -> set[frozenset[int]]:
    """Pairs of these people that a supervisor decided are different (a 'not the same person'
    decision between contacts of one and of the other)."""
    if len(person_ids) < 2:
        return set()
    left = ContactRow.__table__.alias("left_contact")
    right = ContactRow.__table__.alias("right_contact")
    rows = session.execute(
        select(left.c.person_id, right.c.person_id)
        .select_from(IdentityDecisionRow)
        .join(left, left.c.id == IdentityDecisionRow.left_contact_id)
        .join(right, right.c.id == IdentityDecisionRow.right_contact_id)
        .where(
            IdentityDecisionRow.same_person.is_(False),
            left.c.person_id.in_(person_ids),
            right.c.person_id.in_(person_ids),
        )
    )
    return {frozenset((a, b)) for a, b in rows if a != b}
