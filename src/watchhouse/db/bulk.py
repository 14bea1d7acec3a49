"""Fast bulk loading for imports and the synthetic force: driver-level executemany, no ORM.

Rows are tuples in the order of `columns`. Datetimes must be aware; on SQLite they are
written as naive UTC text in the same format SQLAlchemy uses, so the ORM reads them back.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from watchhouse.db.tables import Base

SQLITE_TIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f"


def table(name: str) -> Table:
    """The table with this name."""
    return Base.metadata.tables[name]


def sqlite_time(moment: datetime) -> str:
    """An aware moment as SQLite stores it: naive UTC text."""
    if moment.tzinfo is None:
        raise ValueError("refusing to store a naive datetime; give it a time zone")
    return moment.astimezone(UTC).replace(tzinfo=None).strftime(SQLITE_TIME_FORMAT)


def _prepare(value: Any, dialect: str) -> Any:
    if dialect == "sqlite" and isinstance(value, datetime):
        return sqlite_time(value)
    return value


def insert_rows(
    *,
    session: Session,
    table_name: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    ignore_conflicts_on: Sequence[str] | None = None,
    convert_times: bool = True,
) -> None:
    """Insert many rows in the session's transaction; optionally skip rows that clash on a key."""
    dialect = session.get_bind().dialect.name
    known = set(table(table_name).columns.keys())
    unknown = [c for c in columns if c not in known]
    if unknown:
        raise ValueError(f"table {table_name} has no columns {unknown}")
    marker = "?" if dialect == "sqlite" else "%s"
    sql = (
        f"INSERT INTO {table_name} ({', '.join(columns)}) "
        f"VALUES ({', '.join([marker] * len(columns))})"
    )
    if ignore_conflicts_on:
        sql += f" ON CONFLICT ({', '.join(ignore_conflicts_on)}) DO NOTHING"
    if convert_times:
        batch = [tuple(_prepare(v, dialect) for v in row) for row in rows]
    else:
        batch = [tuple(row) for row in rows]
    if not batch:
        return
    connection = session.connection()
    cursor = connection.connection.cursor()
    try:
        cursor.executemany(sql, batch)
    finally:
        cursor.close()


def count_rows(*, session: Session, table_name: str) -> int:
    """How many rows a table holds (as this transaction sees it)."""
    return int(session.scalar(select(func.count()).select_from(table(table_name))) or 0)


def next_id(*, session: Session, table_name: str) -> int:
    """One more than the largest id in a table (for loaders that assign ids themselves)."""
    column = table(table_name).c.id
    return int(session.scalar(select(func.coalesce(func.max(column), 0))) or 0) + 1
