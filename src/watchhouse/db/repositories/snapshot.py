"""Reads for the measures' snapshot: a cheap fingerprint of what the store holds."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import column, func, select, table
from sqlalchemy.orm import Session

from watchhouse.db.tables import Base

# Tables whose rows change in place, and the column that says when.
_CHANGED_AT = {"incidents": "updated_at"}


def store_fingerprint(*, session: Session, tables: Sequence[str]) -> dict[str, list[object]]:
    """For each table its row count and largest id (and last update where rows change in
    place), and the access log's largest id, which grows with every logged write."""
    result: dict[str, list[object]] = {}
    known = Base.metadata.tables
    for name in [*tables, "access_log"]:
        if name not in known:
            continue
        stored = known[name]
        key = "id" if "id" in stored.c else next(iter(stored.primary_key.columns)).name
        columns = [func.count(), func.max(column(key))]
        if name in _CHANGED_AT:
            columns.append(func.max(column(_CHANGED_AT[name])))
        row = session.execute(select(*columns).select_from(table(name))).one()
        result[name] = [None if v is None else str(v) for v in row]
    return result
