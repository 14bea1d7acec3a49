"""The append-only access log."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Table, func, insert, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from watchhouse.db.tables import AccessLogRow, UserRow
from watchhouse.domain.access import AccessEntry, AccessQuery, Operation

_APPEND = insert(cast(Table, AccessLogRow.__table__))


def append(
    *,
    session: Session,
    at: datetime,
    user_id: int | None,
    username: str,
    operation: Operation,
    record_type: str,
    record_id: str,
    justification: str | None,
    recipient: str | None = None,
) -> None:
    """Add one entry; entries are never changed or removed."""
    append_many(
        session=session,
        entries=[
            Appended(
                at, user_id, username, operation, record_type, record_id, justification, recipient
            )
        ],
    )


@dataclass(frozen=True)
class Appended:
    """One entry to add."""

    at: datetime
    user_id: int | None
    username: str
    operation: Operation
    record_type: str
    record_id: str
    justification: str | None
    recipient: str | None = None


_COLUMNS = (
    "at",
    "user_id",
    "username",
    "operation",
    "record_type",
    "record_id",
    "justification",
    "recipient",
)


def append_many(*, session: Session, entries: Sequence[Appended]) -> None:
    """Add entries in one round trip (several rows: one executemany, which the PostgreSQL
    driver pipelines and SQLAlchemy sends as one multi-row INSERT); entries are never changed
    or removed. One prebuilt statement whatever the count, so it is compiled once: a
    multi-row `values()` statement has no cache key and was compiled on every write (issue
    16, Load: a tenth of the server's time per contact)."""
    if not entries:
        return
    rows = [_values(entry) for entry in entries]
    session.connection().execute(_APPEND, rows[0] if len(rows) == 1 else rows)


def _values(entry: Appended) -> dict[str, object]:
    return {
        "at": entry.at,
        "user_id": entry.user_id,
        "username": entry.username,
        "operation": entry.operation.value,
        "record_type": entry.record_type,
        "record_id": entry.record_id,
        "justification": entry.justification,
        "recipient": entry.recipient,
    }


def record_types(*, session: Session) -> list[str]:
    """Every record type the log holds, for the search's list."""
    return sorted(session.scalars(select(AccessLogRow.record_type).distinct()))


def _by_user(session: Session, typed: str) -> ColumnElement[bool]:
    """Entries by the user typed as their username or their name as the screens show it
    (in any case). The users are looked up first so the log's username index still serves."""
    wanted = typed.strip().lower()
    users = session.execute(
        select(UserRow.id, UserRow.username).where(
            or_(func.lower(UserRow.username) == wanted, func.lower(UserRow.display_name) == wanted)
        )
    ).all()
    usernames = {typed.strip(), *(u.username for u in users)}
    return or_(
        AccessLogRow.username.in_(usernames), AccessLogRow.user_id.in_([u.id for u in users])
    )


def search(*, session: Session, query: AccessQuery) -> list[AccessEntry]:
    """Entries matching the query, newest first."""
    statement = (
        select(AccessLogRow, UserRow.display_name)
        .outerjoin(UserRow, UserRow.id == AccessLogRow.user_id)
        .order_by(AccessLogRow.at.desc(), AccessLogRow.id.desc())
    )
    if query.username:
        statement = statement.where(_by_user(session, query.username))
    if query.operation:
        statement = statement.where(AccessLogRow.operation == query.operation.value)
    if query.record_type:
        statement = statement.where(AccessLogRow.record_type == query.record_type)
    if query.record_id:
        statement = statement.where(AccessLogRow.record_id == query.record_id)
    if query.since:
        statement = statement.where(AccessLogRow.at >= query.since)
    if query.until:
        statement = statement.where(AccessLogRow.at < query.until)
    rows = session.execute(statement.limit(query.limit))
    return [
        AccessEntry(
            id=r.id,
            at=r.at,
            username=r.username,
            operation=Operation(r.operation),
            record_type=r.record_type,
            record_id=r.record_id,
            justification=r.justification,
            recipient=r.recipient,
            name=name,
        )
        for r, name in rows
    ]
