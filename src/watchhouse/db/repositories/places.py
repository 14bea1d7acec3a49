"""Neighbourhoods, locations, people and telephone numbers."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from watchhouse.db.tables import (
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


def telephone_number_id(*, session: Session, number: str) -> int:
    """The id of an E.164 number, inserting it the first time it is seen."""
    existing = session.scalar(
        select(TelephoneNumberRow.id).where(TelephoneNumberRow.number == number)
    )
    if existing is not None:
        return existing
    row = TelephoneNumberRow(number=number)
    session.add(row)
    session.flush()
    return row.id


def telephone_number(*, session: Session, number_id: int | None) -> str | None:
    """The E.164 text of a number id."""
    if number_id is None:
        return None
    row = session.get(TelephoneNumberRow, number_id)
    return None if row is None else row.number


def link_person_telephone(*, session: Session, person_id: int, number_id: int) -> None:
    """Record that the person has been reached on the number."""
    if session.get(PersonTelephoneRow, (person_id, number_id)) is None:
        session.add(PersonTelephoneRow(person_id=person_id, telephone_number_id=number_id))
