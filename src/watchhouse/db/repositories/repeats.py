"""Repeat contacts in the store: when a person, number or address made contacts (the live
check on the handler's screen) and everyone over a threshold on a day (the daily batch)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Integer,
    Select,
    bindparam,
    case,
    func,
    literal,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from watchhouse.db.tables import ContactRow, LocationRow
from watchhouse.domain.errors import NotFound
from watchhouse.domain.repeats import RepeatBasis
from watchhouse.domain.values import Channel


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
    row = session.execute(
        select(
            ContactRow.person_id,
            ContactRow.telephone_number_id,
            LocationRow.postcode,
            LocationRow.description,
        )
        .outerjoin(LocationRow, LocationRow.id == ContactRow.location_id)
        .where(ContactRow.id == contact_id)
    ).first()
    if row is None:
        raise NotFound("contact", contact_id)
    person_id, number_id, postcode, description = row
    return repeat_times(
        session=session,
        person_id=person_id,
        telephone_number_id=number_id,
        address=(postcode, description) if postcode else None,
        since=since,
        until=until,
        channels=channels,
        include_abandoned=include_abandoned,
    )


def repeat_times(
    *,
    session: Session,
    person_id: int | None,
    telephone_number_id: int | None,
    address: tuple[str, str] | None,
    since: datetime,
    until: datetime,
    channels: Sequence[Channel],
    include_abandoned: bool,
) -> dict[RepeatBasis, list[datetime]]:
    """When this person, this number and this address (postcode, address text) made contacts
    in (since, until], among the channels that count: one query for the three."""
    bases = tuple(
        basis
        for basis, given in (
            (RepeatBasis.PERSON, person_id is not None),
            (RepeatBasis.TELEPHONE, telephone_number_id is not None),
            (RepeatBasis.ADDRESS, address is not None),
        )
        if given
    )
    result: dict[RepeatBasis, list[datetime]] = {basis: [] for basis in bases}
    if not bases:
        return result
    postcode, description = address or ("", "")
    rows = session.connection().execute(
        _repeat_statement(bases, include_abandoned),
        {
            "since": since,
            "until": until,
            "channels": [c.value for c in channels],
            "person_id": person_id,
            "number_id": telephone_number_id,
            "postcode": postcode,
            "description": description.lower(),
        },
    )
    for index, moment in rows:
        result[bases[index]].append(moment)
    return result


@lru_cache(maxsize=16)
def _repeat_statement(
    bases: tuple[RepeatBasis, ...], include_abandoned: bool
) -> Select[*tuple[Any, ...]] | CompoundSelect[*tuple[Any, ...]]:
    """Built once per shape: the online check runs it on every contact opened. Each basis is
    one member of a UNION ALL, so each keeps its own index."""
    counted: list[ColumnElement[bool]] = [
        ContactRow.presented_at > bindparam("since"),
        ContactRow.presented_at <= bindparam("until"),
        ContactRow.channel.in_(bindparam("channels", expanding=True)),
    ]
    if not include_abandoned:
        counted.append(ContactRow.abandoned.is_(False))
    conditions = {
        RepeatBasis.PERSON: ContactRow.person_id == bindparam("person_id"),
        RepeatBasis.TELEPHONE: ContactRow.telephone_number_id == bindparam("number_id"),
        RepeatBasis.ADDRESS: ContactRow.location_id.in_(
            select(LocationRow.id).where(
                LocationRow.postcode == bindparam("postcode"),
                func.lower(LocationRow.description) == bindparam("description"),
            )
        ),
    }
    parts = [
        select(literal(index, Integer).label("basis"), ContactRow.presented_at).where(
            *counted, conditions[basis]
        )
        for index, basis in enumerate(bases)
    ]
    return parts[0] if len(parts) == 1 else union_all(*parts)


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
