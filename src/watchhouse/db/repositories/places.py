"""Neighbourhoods, locations, people and telephone numbers."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, text
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
    r = session.scalar(select(NeighbourhoodRow).where(NeighbourhoodRow.code == code))
    return None if r is None else Neighbourhood(r.id, r.code, r.name, Settlement(r.settlement))


def add_location(
    *,
    session: Session,
    description: str,
    postcode: str | None,
    neighbourhood_id: int | None,
    settlement: Settlement,
) -> int:
    """Insert a location and return its id."""
    row = LocationRow(
        description=description,
        postcode=postcode,
        neighbourhood_id=neighbourhood_id,
        settlement=settlement.value,
    )
    session.add(row)
    session.flush()
    return row.id


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
    existing = session.scalar(
        select(LocationRow.id)
        .where(
            LocationRow.description == description,
            LocationRow.postcode.is_(None)
            if postcode is None
            else LocationRow.postcode == postcode,
            LocationRow.neighbourhood_id.is_(None)
            if neighbourhood_id is None
            else LocationRow.neighbourhood_id == neighbourhood_id,
        )
        .order_by(LocationRow.id)
        .limit(1)
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
    row = PersonRow(
        given_name=given_name, family_name=family_name, date_of_birth=date_of_birth, created_at=now
    )
    session.add(row)
    session.flush()
    return person_view(row)


def person(*, session: Session, person_id: int | None) -> PersonView | None:
    """A person by id, or None."""
    if person_id is None:
        return None
    row = session.get(PersonRow, person_id)
    return None if row is None else person_view(row)


def _insert_ignoring_duplicates(
    session: Session, table: Any, values: dict[str, Any], *, returning: bool = False
) -> int | None:
    """INSERT ... ON CONFLICT DO NOTHING in the session's dialect (SQLite or PostgreSQL); with
    `returning`, the new row's id (None when the row was there already)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(table).values(**values).on_conflict_do_nothing()
    if not returning:
        session.execute(statement)
        return None
    inserted: int | None = session.execute(statement.returning(table.c.id)).scalar()
    return inserted


def telephone_number_id(*, session: Session, number: str) -> int:
    """The id of an E.164 number, inserting it the first time it is seen: an upsert, so two
    transactions that see a new number at once both get the one row (no unique-key error)."""
    existing = session.scalar(
        select(TelephoneNumberRow.id).where(TelephoneNumberRow.number == number)
    )
    if existing is not None:
        return existing
    inserted = _insert_ignoring_duplicates(
        session, TelephoneNumberRow.__table__, {"number": number}, returning=True
    )
    if inserted is not None:
        return inserted
    return session.execute(
        select(TelephoneNumberRow.id).where(TelephoneNumberRow.number == number)
    ).scalar_one()


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
        PersonTelephoneRow.__table__,
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
        session.execute(
            text(
                "SELECT pg_advisory_xact_lock(key) FROM "
                "(SELECT key FROM unnest(CAST(:keys AS bigint[])) AS key ORDER BY key) AS wanted"
            ),
            {"keys": wanted},
        )
    else:
        # Any write statement starts the write transaction (and takes the process's write
        # gate, db/engine.py); this one changes nothing.
        session.execute(text("UPDATE telephone_numbers SET id = id WHERE 0 = 1"))


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
