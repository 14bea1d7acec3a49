"""Fast bulk loading for imports and the synthetic force: driver-level executemany, no ORM.

Rows are tuples in the order of `columns`. Datetimes must be aware; on SQLite they are
written as naive UTC text in the same format SQLAlchemy uses, so the ORM reads them back.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, Literal

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    func,
    select,
    text,
)
from sqlalchemy.orm import Session

from watchhouse.db.tables import Base
from watchhouse.db.types import UTCDateTime

ColumnKind = Literal["integer", "float", "boolean", "text", "timestamp", "date", "json", "binary"]

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
) -> int:
    """Insert many rows in the session's transaction; optionally skip rows that clash on a key.

    Returns how many rows were inserted (rows skipped on a conflict are not counted).
    """
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
        return 0
    connection = session.connection()
    cursor = connection.connection.cursor()
    try:
        cursor.executemany(sql, batch)
        return max(int(cursor.rowcount), 0)
    finally:
        cursor.close()


def count_rows(*, session: Session, table_name: str) -> int:
    """How many rows a table holds (as this transaction sees it)."""
    return int(session.scalar(select(func.count()).select_from(table(table_name))) or 0)


def next_id(*, session: Session, table_name: str) -> int:
    """One more than the largest id in a table (for loaders that assign ids themselves)."""
    column = table(table_name).c.id
    return int(session.scalar(select(func.coalesce(func.max(column), 0))) or 0) + 1


def sync_id_sequence(*, session: Session, table_name: str) -> None:
    """After inserting ids by hand, move PostgreSQL's id sequence past them (SQLite: nothing)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    session.execute(
        text(
            f"SELECT setval(pg_get_serial_sequence('{table_name}', 'id'), "
            f"COALESCE((SELECT MAX(id) FROM {table_name}), 0) + 1, false)"
        )
    )


def column_kinds(table_name: str) -> dict[str, ColumnKind]:
    """Each column of a table and the kind of value it holds, in table order."""
    kinds: dict[str, ColumnKind] = {}
    for column in table(table_name).columns:
        kinds[column.name] = _kind(column.type)
    return kinds


def _kind(column_type: object) -> ColumnKind:
    if isinstance(column_type, UTCDateTime | DateTime):
        return "timestamp"
    if isinstance(column_type, Date):
        return "date"
    if isinstance(column_type, Boolean):
        return "boolean"
    if isinstance(column_type, Integer):
        return "integer"
    if isinstance(column_type, Float):
        return "float"
    if isinstance(column_type, JSON):
        return "json"
    if isinstance(column_type, String | Text):
        return "text"
    if isinstance(column_type, LargeBinary):
        return "binary"
    raise TypeError(f"no export kind for column type {column_type!r}")


def text_limits(table_name: str) -> dict[str, int]:
    """The maximum length of each length-limited text column of a table."""
    limits: dict[str, int] = {}
    for column in table(table_name).columns:
        length = getattr(column.type, "length", None)
        if isinstance(column.type, String) and length:
            limits[column.name] = int(length)
    return limits


def iter_chunks(
    *, session: Session, table_name: str, columns: Sequence[str], chunk_rows: int = 50_000
) -> Iterator[list[tuple[Any, ...]]]:
    """Stream a table's rows in chunks (a server-side cursor on PostgreSQL), ordered by key."""
    source = table(table_name)
    statement = select(*(source.c[name] for name in columns)).order_by(*source.primary_key.columns)
    result = session.execute(statement.execution_options(yield_per=chunk_rows))
    for partition in result.partitions(chunk_rows):
        yield [tuple(row) for row in partition]


def insert_arrow(*, session: Session, table_name: str, data: pa.Table) -> None:
    """Insert an Arrow table whose column names are the database table's columns."""
    if data.num_rows == 0:
        return
    dialect = session.get_bind().dialect.name
    columns = []
    for name in data.column_names:
        column = data.column(name)
        if dialect == "sqlite" and pa.types.is_timestamp(column.type):
            column = pc.strftime(column, format="%Y-%m-%d %H:%M:%S")
        columns.append(column.to_pylist())
    insert_rows(
        session=session,
        table_name=table_name,
        columns=data.column_names,
        rows=zip(*columns, strict=True),
        convert_times=False,
    )


def reset_sequences(*, session: Session, table_names: Iterable[str]) -> None:
    """Move the id sequences of every named table with an id column past the loaded ids."""
    for name in table_names:
        if "id" in table(name).columns:
            sync_id_sequence(session=session, table_name=name)
