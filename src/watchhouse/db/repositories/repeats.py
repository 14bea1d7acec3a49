"""Repeat contacts in the store: how many a person, number or address made (the live
check on the handler's screen) and everyone over a threshold on a day (the daily batch)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    bindparam,
    case,
    func,
    select,
)
from sqlalchemy.orm import Session

from watchhouse.db.tables import ContactRow, LocationRow
from watchhouse.domain.repeats import RepeatBasis
from watchhouse.domain.values import Channel


def repeat_window_counts(
    *,
    session: Session,
    person_id: int | None,
    telephone_number_id: int | None,
    address: tuple[str, str] | None,
    until: datetime,
    windows: Sequence[timedelta],
    channels: Sequence[Channel],
    include_abandoned: bool,
    most: int,
) -> dict[RepeatBasis, tuple[int, ...]]:
    """How many contacts this person, this number and this address (postcode, address text)
    made in each window ending at `until`, among the channels that count, each counted up to
    `most` and no further (one query; the work is bounded by `most`, not by how many contacts
    the address has had: the live check runs on every contact opened)."""
    bases = tuple(
        basis
        for basis, given in (
            (RepeatBasis.PERSON, person_id is not None),
            (RepeatBasis.TELEPHONE, telephone_number_id is not None),
            (RepeatBasis.ADDRESS, address is not None),
        )
        if given
    )
    if not bases or not windows:
        return {basis: tuple(0 for _ in windows) for basis in bases}
    postcode, description = address or ("", "")
    row = (
        session.connection()
        .execute(
            _window_counts_statement(bases, len(windows), include_abandoned),
            {
                "until": until,
                **{f"since_{n}": until - window for n, window in enumerate(windows)},
                "channels": [c.value for c in channels],
                "person_id": person_id,
                "number_id": telephone_number_id,
                "postcode": postcode,
                "description": description.lower(),
                "most": most,
            },
        )
        .one()
    )
    counts = [int(count or 0) for count in row]
    return {
        basis: tuple(counts[b * len(windows) : (b + 1) * len(windows)])
        for b, basis in enumerate(bases)
    }


@lru_cache(maxsize=16)
def _window_counts_statement(
    bases: tuple[RepeatBasis, ...], windows: int, include_abandoned: bool
) -> Select[Any]:
    """Built once per shape: one capped count per basis and window (a LIMIT inside each
    count, so an index range is read for at most `most` rows)."""
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
    counts = []
    for basis in bases:
        for n in range(windows):
            counted: list[ColumnElement[bool]] = [
                conditions[basis],
                ContactRow.presented_at > bindparam(f"since_{n}"),
                ContactRow.presented_at <= bindparam("until"),
                ContactRow.channel.in_(bindparam("channels", expanding=True)),
            ]
            if not include_abandoned:
                counted.append(ContactRow.abandoned.is_(False))
            capped = (
                select(ContactRow.id)
                .where(*counted)
                .limit(bindparam("most", type_=Integer))
                .subquery()
            )
            counts.append(select(func.count()).select_from(capped).scalar_subquery())
    return select(*counts)


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
