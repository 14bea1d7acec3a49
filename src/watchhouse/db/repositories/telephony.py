"""Storing call events idempotently and keeping the call and its contact in step with them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert as insert_into
from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from watchhouse.db.tables import ContactRow, TelephoneNumberRow, UserRow
from watchhouse.db.telephony_tables import (
    TelephonyCallRow,
    TelephonyEventRow,
    TelephonyIntervalRow,
    TelephonyIntervalThresholdRow,
)
from watchhouse.domain.telephony import AnsweredCall, CallEvent, CallEventKind, CallState
from watchhouse.domain.values import Channel
from watchhouse.io.telephony_files import CallRecord, IntervalRecord

SOURCE = "telephony"
_DETAILS = ("channel", "caller_number", "queue", "handler_username", "transferred_to")


def _insert_ignoring_duplicates(session: Session, table: Any, values: dict[str, Any]) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING on SQLite and PostgreSQL; True if a row went in."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    key = next(iter(table.primary_key.columns))
    statement = insert(table).values(**values).on_conflict_do_nothing().returning(key)
    return session.execute(statement).first() is not None


def add_event(*, session: Session, event: CallEvent, received_at: datetime) -> bool:
    """Store an event unless its (call id, kind) is stored already; True if it was new."""
    details = {}
    for name in _DETAILS:
        value = getattr(event, name)
        if value is not None:
            details[name] = value.value if isinstance(value, Channel) else value
    return _insert_ignoring_duplicates(
        session,
        TelephonyEventRow.__table__,
        {
            "call_id": event.call_id,
            "kind": event.kind.value,
            "at": event.at,
            "details": details,
            "received_at": received_at,
        },
    )


def lock_call(*, session: Session, call_id: str) -> int | None:
    """Make sure the call has its row and lock it for this transaction; its contact id."""
    _insert_ignoring_duplicates(session, TelephonyCallRow.__table__, {"call_id": call_id})
    return session.scalar(
        select(TelephonyCallRow.contact_id)
        .where(TelephonyCallRow.call_id == call_id)
        .with_for_update()
    )


def events_of(*, session: Session, call_id: str) -> list[CallEvent]:
    """Every stored event of one call."""
    rows = session.scalars(select(TelephonyEventRow).where(TelephonyEventRow.call_id == call_id))
    events = []
    for row in rows:
        details = dict(row.details or {})
        channel = details.pop("channel", None)
        events.append(
            CallEvent(
                call_id=row.call_id,
                kind=CallEventKind(row.kind),
                at=row.at,
                channel=None if channel is None else Channel(channel),
                **details,
            )
        )
    return events


def user_id_of(*, session: Session, username: str) -> int | None:
    """The id of an active user with this username."""
    return session.scalar(
        select(UserRow.id).where(UserRow.username == username, UserRow.active.is_(True))
    )


def number_id(*, session: Session, number: str) -> int:
    """The id of an E.164 number, inserted once however many requests see it at once."""
    _insert_ignoring_duplicates(session, TelephoneNumberRow.__table__, {"number": number})
    found = session.scalar(select(TelephoneNumberRow.id).where(TelephoneNumberRow.number == number))
    assert found is not None
    return found


def _contact_values(
    state: CallState, handler_id: int | None, number_id: int | None
) -> dict[str, Any]:
    assert state.channel is not None
    return {
        "channel": state.channel.value,
        "presented_at": state.presented_at,
        "answered_at": state.answered_at,
        "abandoned": state.abandoned,
        "handler_id": handler_id,
        "telephone_number_id": number_id,
        "caller_telephone": state.caller_number,
        "ended_at": state.ended_at,
    }


def add_contact(
    *, session: Session, state: CallState, handler_id: int | None, number_id: int | None
) -> int:
    """Create the call's contact (source telephony, the platform's call id as reference)."""
    row = ContactRow(
        **_contact_values(state, handler_id, number_id),
        summary="",
        caller_name="",
        status="abandoned" if state.abandoned else "open",
        source=SOURCE,
        external_ref=state.call_id,
    )
    session.add(row)
    session.flush()
    return row.id


def update_contact(
    *,
    session: Session,
    contact_id: int,
    state: CallState,
    handler_id: int | None,
    number_id: int | None,
) -> None:
    """Bring the call's contact in line with its events (status only between open/abandoned)."""
    values = _contact_values(state, handler_id, number_id)
    status, caller_name = session.execute(
        select(ContactRow.status, ContactRow.caller_name).where(ContactRow.id == contact_id)
    ).one()
    if caller_name:  # the handler completed it: the number is theirs from now on
        del values["telephone_number_id"], values["caller_telephone"]
    session.execute(update(ContactRow).where(ContactRow.id == contact_id).values(**values))
    if status in ("open", "abandoned"):
        session.execute(
            update(ContactRow)
            .where(ContactRow.id == contact_id)
            .values(status="abandoned" if state.abandoned else "open")
        )


def save_call(
    *,
    session: Session,
    state: CallState,
    contact_id: int | None,
    handler_id: int | None,
    now: datetime,
) -> None:
    """Store the recomputed state of a call."""
    session.execute(
        update(TelephonyCallRow)
        .where(TelephonyCallRow.call_id == state.call_id)
        .values(
            contact_id=contact_id,
            channel=None if state.channel is None else state.channel.value,
            caller_number=state.caller_number,
            queue=state.queue,
            presented_at=state.presented_at,
            answered_at=state.answered_at,
            answered_by=handler_id,
            abandoned_at=state.abandoned_at,
            transferred_at=state.transferred_at,
            transferred_to=state.transferred_to,
            ended_at=state.ended_at,
            updated_at=now,
        )
    )


def answered_open_calls(*, session: Session, user_id: int, limit: int = 10) -> list[AnsweredCall]:
    """The calls a handler answered whose contacts are still open, newest first."""
    rows = session.execute(
        select(TelephonyCallRow)
        .join(ContactRow, ContactRow.id == TelephonyCallRow.contact_id)
        .where(TelephonyCallRow.answered_by == user_id, ContactRow.status == "open")
        .order_by(TelephonyCallRow.answered_at.desc())
        .limit(limit)
    ).scalars()
    return [
        AnsweredCall(
            call_id=row.call_id,
            contact_id=row.contact_id,
            channel=Channel(row.channel),
            caller_number=row.caller_number,
            queue=row.queue,
            presented_at=row.presented_at,
            answered_at=row.answered_at,
        )
        for row in rows
        if row.contact_id is not None
        and row.channel is not None
        and row.presented_at is not None
        and row.answered_at is not None
    ]


# --- imported call records and interval statistics -------------------------------------------

_CHUNK = 500


def user_ids(*, session: Session, usernames: set[str]) -> dict[str, int]:
    """The ids of the users (active or not) with these usernames."""
    found: dict[str, int] = {}
    names = sorted(usernames)
    for start in range(0, len(names), _CHUNK):
        rows = session.execute(
            select(UserRow.username, UserRow.id).where(
                UserRow.username.in_(names[start : start + _CHUNK])
            )
        )
        found.update({name: id_ for name, id_ in rows})
    return found


def _insert_many(session: Session, table: Any, rows: list[dict[str, Any]], *key: Any) -> list[Any]:
    """INSERT ... ON CONFLICT DO NOTHING in chunks; the key columns of the rows that went in."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    added: list[Any] = []
    for start in range(0, len(rows), _CHUNK):
        statement = (
            insert(table).values(rows[start : start + _CHUNK]).on_conflict_do_nothing()
        ).returning(*key)
        added.extend(session.execute(statement).all())
    return added


def add_imported_calls(
    *, session: Session, source: str, calls: Sequence[CallRecord], now: datetime
) -> int:
    """Store call records unless their call id is stored already (by an earlier import or the
    live feed, which then keeps its own); return how many went in."""
    handlers = user_ids(session=session, usernames={c.handler for c in calls if c.handler})
    rows: dict[str, dict[str, Any]] = {}
    for call in calls:
        rows.setdefault(
            call.call_id,
            {
                "call_id": call.call_id,
                "channel": call.channel,
                "queue": call.queue,
                "presented_at": call.presented_at,
                "answered_at": call.answered_at,
                "answered_by": handlers.get(call.handler) if call.handler else None,
                "abandoned_at": call.abandoned_at,
                "ended_at": call.ended_at,
                "updated_at": now,
                "source": source,
                "handler_ref": call.handler,
            },
        )
    table = TelephonyCallRow.__table__
    return len(_insert_many(session, table, list(rows.values()), table.c.call_id))


def add_intervals(*, session: Session, source: str, intervals: Sequence[IntervalRecord]) -> int:
    """Store interval rows unless (source, queue, start) is stored already, with their
    thresholds; return how many went in."""
    table = TelephonyIntervalRow.__table__
    rows: dict[tuple[str, datetime], dict[str, Any]] = {}
    within: dict[tuple[str, datetime], tuple[tuple[int, int], ...]] = {}
    for record in intervals:
        key = (record.queue, record.start)
        if key in rows:
            continue
        within[key] = record.within
        rows[key] = {
            "source": source,
            "queue": record.queue,
            "channel": record.channel,
            "interval_start": record.start,
            "length_minutes": record.length_minutes,
            "offered": record.offered,
            "answered": record.answered,
            "abandoned": record.abandoned,
        }
    added = _insert_many(
        session, table, list(rows.values()), table.c.id, table.c.queue, table.c.interval_start
    )
    thresholds = [
        {"interval_id": id_, "seconds": seconds, "answered": calls}
        for id_, queue, start in added
        for seconds, calls in within[(queue, start)]
    ]
    if thresholds:
        session.execute(insert_into(TelephonyIntervalThresholdRow), thresholds)
    return len(added)
