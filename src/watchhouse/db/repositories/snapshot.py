"""Reads for the measures' snapshot: a cheap fingerprint of what the measured tables hold."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import column, func, select, table
from sqlalchemy.orm import Session

from watchhouse.db.tables import AccessLogRow, Base
from watchhouse.domain.access import Operation

# Tables whose rows change in place, and the column that grows when they do.
_CHANGED_AT = {
    "incidents": "updated_at",
    "identity_clusters": "run_id",
    "telephony_calls": "updated_at",
}
# Logged operations that change the store (consultations and disclosures only read it).
_CHANGES = (Operation.COLLECTION, Operation.ALTERATION, Operation.COMBINATION, Operation.ERASURE)


def store_fingerprint(
    *, session: Session, tables: Sequence[str], changed_record_types: Sequence[str] = ()
) -> dict[str, list[object]]:
    """For each table its row count and largest id (and last update where rows change in
    place), and, for rows changed in place without a column saying when, the id of the last
    access-log entry recording a change to one of `changed_record_types`. Consultations and
    every table not named (sessions, the access log itself, audits) leave it unchanged."""
    result: dict[str, list[object]] = {}
    known = Base.metadata.tables
    for name in tables:
        if name not in known:
            continue
        stored = known[name]
        key = "id" if "id" in stored.c else next(iter(stored.primary_key.columns)).name
        columns = [func.count(), func.max(column(key))]
        if name in _CHANGED_AT:
            columns.append(func.max(column(_CHANGED_AT[name])))
        row = session.execute(select(*columns).select_from(table(name))).one()
        result[name] = [None if v is None else str(v) for v in row]
    if changed_record_types:
        result["logged changes"] = [
            _last_change(session=session, operation=operation, record_types=changed_record_types)
            for operation in _CHANGES
        ]
    return result


def _last_change(
    *, session: Session, operation: Operation, record_types: Sequence[str]
) -> int | None:
    """The id of the last access-log entry of this operation on one of these record types:
    walked back from the end along the operation's index, so it reads a handful of rows."""
    log = AccessLogRow.__table__
    # coalesce() keeps the planner off the (record_type, record_id) index, which would read
    # every entry about contacts; the column is never NULL, so it changes no answer.
    query = (
        select(log.c.id)
        .where(
            log.c.operation == operation.value,
            func.coalesce(log.c.record_type, "").in_(record_types),
        )
        .order_by(log.c.id.desc())
        .limit(1)
    )
    found = session.execute(query).scalar()
    return None if found is None else int(found)
