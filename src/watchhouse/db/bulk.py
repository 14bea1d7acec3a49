"""Fast bulk loading for imports and the synthetic force: driver-level executemany, no ORM.

Rows are tuples in the order of `columns`. Datetimes must be aware; on SQLite they are
written as naive UTC text in the same format SQLAlchemy uses, so the ORM reads them back.
"""

from __future__ import annotations

import json
import math
import queue
import sqlite3
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
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

from watchhouse.db.stages import STAGE_PREFIX
from watchhouse.db.tables import Base
from watchhouse.db.types import UTCDateTime

ColumnKind = Literal["integer", "float", "boolean", "text", "timestamp", "date", "json", "binary"]

SQLITE_TIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f"
STAGE_ROWS = 100_000
_STAGE_WAIT_SECONDS = 0.5


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
    if dialect == "postgresql":
        _check_columns(table_name, data.column_names)
        _copy_postgresql(session=session, table_name=table_name, data=data, tell=lambda _rows: None)
        return
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


def insert_arrow_staged(
    *,
    session: Session,
    table_name: str,
    data: pa.Table,
    ignore_conflicts_on: Sequence[str] | None = None,
    cluster_on: str | None = None,
    progress: Callable[[int], None] | None = None,
    stage_rows: int = STAGE_ROWS,
) -> int:
    """Insert an Arrow table (columns named as the table's) in the session's transaction and
    return how many rows were added; rows that clash on `ignore_conflicts_on` are skipped.

    On SQLite the rows never become Python objects: a second thread writes parts of the table
    into scratch SQLite files (Arrow straight to SQLite with ADBC) while this thread copies the
    previous part into the store with one INSERT ... SELECT, which runs in C without the GIL.
    Each part is one ATTACH for the rest of the transaction (SQLite allows 10), so a table is
    staged in at most a few parts; with none to spare, rows go through `insert_rows`. On
    PostgreSQL rows are COPYed in (through `insert_rows` when conflicts are to be skipped).
    Rows are written in the order of `cluster_on` when given (a random key's
    index then grows from one end instead of at random pages). `progress` is told the rows
    handled after each part.
    """
    tell = progress or (lambda _rows: None)
    if data.num_rows == 0:
        return 0
    _check_columns(table_name, data.column_names)
    if cluster_on is not None:
        data = data.take(_ascending(data.column(cluster_on)))
    connection = session.connection().connection.dbapi_connection
    if session.get_bind().dialect.name == "postgresql" and not ignore_conflicts_on:
        return _copy_postgresql(session=session, table_name=table_name, data=data, tell=tell)
    spare = _spare_attachments(connection) if isinstance(connection, sqlite3.Connection) else 0
    if spare == 0:
        added = 0
        for start in range(0, data.num_rows, stage_rows):
            part = data.slice(start, stage_rows)
            added += insert_rows(
                session=session,
                table_name=table_name,
                columns=part.column_names,
                rows=zip(
                    *(_python_values(part, name, session) for name in part.column_names),
                    strict=True,
                ),
                ignore_conflicts_on=ignore_conflicts_on,
                convert_times=False,
            )
            tell(part.num_rows)
        return added
    assert isinstance(connection, sqlite3.Connection)
    parts = min(spare, max(1, math.ceil(data.num_rows / stage_rows)))
    size = math.ceil(data.num_rows / parts)
    ready = _sqlite_values(data)
    names = ", ".join(data.column_names)
    conflict = (
        f" ON CONFLICT ({', '.join(ignore_conflicts_on)}) DO NOTHING" if ignore_conflicts_on else ""
    )
    added = 0
    with tempfile.TemporaryDirectory(prefix="watchhouse-stage-") as scratch:
        stager = _Stager(Path(scratch), ready, size)
        stager.start()
        try:
            for path, rows in stager.staged():
                alias = _attach(connection, path)
                cursor = connection.cursor()
                try:
                    # WHERE true: SQLite needs it to parse ON CONFLICT after a SELECT.
                    cursor.execute(
                        f"INSERT INTO {table_name} ({names}) "
                        f"SELECT {names} FROM {alias}.rows WHERE true{conflict}"
                    )
                    added += max(int(cursor.rowcount), 0)
                finally:
                    cursor.close()
                tell(rows)
        finally:
            stager.stop()
    return added


class MissingReference(ValueError):
    """Rows just stored name a row that does not exist (a foreign key checked in bulk)."""


def references_checkable_in_bulk(*, session: Session, table_names: Sequence[str]) -> bool:
    """PostgreSQL: whether rows COPYed into these tables may skip their foreign-key row triggers
    and have their references checked by `check_references` instead.

    Only when this role may set `session_replication_role` (a superuser, or one granted
    `SET ON PARAMETER session_replication_role`, PostgreSQL 15 and later), and when nothing
    but foreign-key checks would change with it on these tables: no other trigger that an
    insert fires (or one that fires only for replicas), no insert rule, and every foreign key
    of one column (what `check_references` checks). SQLite: never."""
    if session.get_bind().dialect.name != "postgresql" or not table_names:
        return False
    allowed = session.execute(
        text(
            "SELECT CASE WHEN current_setting('server_version_num')::int >= 150000 "
            "THEN has_parameter_privilege('session_replication_role', 'SET') "
            "ELSE (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) END"
        )
    ).scalar_one()
    if not allowed:
        return False
    hindrances = session.execute(
        text(
            "SELECT (SELECT count(*) FROM pg_trigger AS t "
            "  WHERE t.tgrelid = ANY(CAST(:tables AS regclass[])) AND t.tgenabled IN ('O', 'R') "
            "  AND (t.tgtype & 4) <> 0 "  # fires on INSERT
            "  AND t.tgfoid <> CAST('pg_catalog.\"RI_FKey_check_ins\"' AS regproc)) "
            "+ (SELECT count(*) FROM pg_rewrite AS r "
            "  WHERE r.ev_class = ANY(CAST(:tables AS regclass[])) AND r.ev_type = '3') "
            "+ (SELECT count(*) FROM pg_constraint AS c "
            "  WHERE c.conrelid = ANY(CAST(:tables AS regclass[])) AND c.contype = 'f' "
            "  AND cardinality(c.conkey) <> 1)"
        ),
        {"tables": "{" + ",".join(table_names) + "}"},
    ).scalar_one()
    return int(hindrances) == 0


def copy_checking_references(
    *,
    session: Session,
    table_name: str,
    data: pa.Table,
    first_id: int,
    last_id: int,
    ours: Mapping[str, np.ndarray] | None = None,
) -> int:
    """PostgreSQL: COPY rows (ids from `first_id` to `last_id`) without their foreign-key row
    triggers, then check every foreign key of the table for those rows in one set-based
    statement (`check_references`, the values taken from `data`, which is what was stored), in
    the same transaction; raise `MissingReference` (the transaction must then be rolled back,
    as for a failed trigger) if any is missing. Only where `references_checkable_in_bulk`
    says so. `ours`: ids of rows this transaction has just stored, by table (see
    `check_references`)."""
    previous = session.execute(text("SELECT current_setting('session_replication_role')"))
    restore = previous.scalar_one()
    session.execute(text("SELECT set_config('session_replication_role', 'replica', true)"))
    # A failed COPY aborts the transaction, whose rollback restores the setting: restored here
    # only after a COPY that worked (a statement now would hide the COPY's error).
    added = _copy_postgresql(
        session=session, table_name=table_name, data=data, tell=lambda _rows: None
    )
    session.execute(
        text("SELECT set_config('session_replication_role', :role, true)"), {"role": restore}
    )
    check_references(
        session=session,
        table_name=table_name,
        first_id=first_id,
        last_id=last_id,
        stored=data,
        ours=ours,
    )
    return added


def check_references(
    *,
    session: Session,
    table_name: str,
    first_id: int,
    last_id: int,
    stored: pa.Table | None = None,
    ours: Mapping[str, np.ndarray] | None = None,
) -> None:
    """PostgreSQL: check that every row of the table with an id in this range names rows that
    exist through each of the table's foreign keys (one column each, MATCH SIMPLE: a null
    names nothing), and lock those rows `FOR KEY SHARE` until the transaction ends, as
    PostgreSQL's own row-by-row check does (so none can be deleted, nor its key changed, under
    rows not yet committed). One statement for the table, each distinct value looked up
    once. Raise `MissingReference` naming the constraint when a referenced row is
    missing.

    `stored`: the rows of that range exactly as they were just COPYed in this transaction
    (no trigger ran on them, so nothing changed them, and no other transaction can). The
    values of a key column it holds are then taken from it (each distinct value sent once)
    instead of read back from the table; a key column it lacks is read from the table only
    if the column has a default (otherwise every such row holds null).

    `ours`: by table, ids of rows this same transaction has stored (and the caller knows are
    there, e.g. COPYed a moment ago). A value of a key to that table's `id` that is one of them
    is neither looked up nor locked: the row exists, and no other transaction can see it, so
    none can delete it or change its key before this one commits (locking it would only write
    a lock into each row just written). Only with `stored`."""
    keys = session.execute(
        text(
            "SELECT c.conname, format('%I', a.attname), CAST(c.confrelid AS regclass)::text, "
            "format('%I', r.attname), format_type(r.atttypid, NULL), a.atthasdef, "
            "a.attname FROM pg_constraint AS c "
            "JOIN pg_attribute AS a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
            "JOIN pg_attribute AS r ON r.attrelid = c.confrelid AND r.attnum = c.confkey[1] "
            "WHERE c.conrelid = CAST(:table AS regclass) AND c.contype = 'f' ORDER BY c.conname"
        ),
        {"table": table_name},
    ).all()
    given = set(stored.column_names) if stored is not None else set()
    checked = []
    parameters: dict[str, Any] = {"a": first_id, "b": last_id}
    sources = []
    read_back = set()
    for number, (_, column, _, _, kind, has_default, raw_name) in enumerate(keys):
        if stored is not None and raw_name in given:
            values = pc.unique(stored.column(raw_name).drop_null())  # each sent once
            parent_table = keys[number][2]
            if ours and parent_table in ours and keys[number][3] == "id":
                mine = pa.array(ours[parent_table], pa.int64())
                values = values.filter(pc.invert(pc.is_in(values, value_set=mine)))
            if len(values) == 0:
                continue
            parameters[f"v_{number}"] = json.dumps(values.to_pylist(), default=str)
            sources.append(
                f"wanted_{number} AS (SELECT CAST(value AS {kind}) AS v "
                f"FROM json_array_elements_text(CAST(:v_{number} AS json)))"
            )
        elif stored is not None and not has_default:
            continue  # not COPYed and no default: null in every row just stored
        else:
            read_back.add(column)
            sources.append(
                f"wanted_{number} AS (SELECT DISTINCT {column} AS v FROM new "
                f"WHERE {column} IS NOT NULL)"
            )
        checked.append(number)
    if not checked:
        return
    parts = []
    if read_back:
        parts.append(
            f"new AS MATERIALIZED (SELECT {', '.join(sorted(read_back))} FROM {table_name} "
            "WHERE id BETWEEN :a AND :b)"
        )
    parts.extend(sources)
    counts = []
    for number in checked:
        _, _, parent, parent_column, _, _, _ = keys[number]
        parts.append(
            f"locked_{number} AS (SELECT p.{parent_column} FROM {parent} AS p "
            f"WHERE p.{parent_column} IN (SELECT v FROM wanted_{number}) FOR KEY SHARE OF p)"
        )
        counts.append(
            f"(SELECT count(*) FROM wanted_{number}) - (SELECT count(*) FROM locked_{number})"
        )
    missing = session.execute(
        text(f"WITH {', '.join(parts)} SELECT {', '.join(counts)}"), parameters
    ).one()
    for number, count in zip(checked, missing, strict=True):
        name, column, parent, _, _, _, _ = keys[number]
        if count:
            raise MissingReference(
                f"{table_name}.{column}: {count} value(s) name no row of {parent} "
                f"(foreign key {name})"
            )


def _copy_postgresql(
    *, session: Session, table_name: str, data: pa.Table, tell: Callable[[int], None]
) -> int:
    """PostgreSQL: COPY the rows in. Columns of plain types go as CSV that pyarrow writes (no
    row becomes Python objects; every text is quoted, so an empty text stays empty and a
    missing value is NULL); others row by row."""
    names = ", ".join(data.column_names)
    plain = all(_csv_ready(data.column(name).type) for name in data.column_names)
    cursor = session.connection().connection.cursor()
    try:
        if plain:
            statement = f"COPY {table_name} ({names}) FROM STDIN (FORMAT csv)"
            data = _csv_text_times(data)
            with cursor.copy(statement) as copy:
                for start in range(0, data.num_rows, STAGE_ROWS):
                    part = data.slice(start, STAGE_ROWS)
                    buffer = pa.BufferOutputStream()
                    pa_csv.write_csv(part, buffer, _CSV_OPTIONS)
                    copy.write(memoryview(buffer.getvalue()))
                    tell(part.num_rows)
            return int(data.num_rows)
        with cursor.copy(f"COPY {table_name} ({names}) FROM STDIN") as copy:
            for start in range(0, data.num_rows, STAGE_ROWS):
                part = data.slice(start, STAGE_ROWS)
                columns = [part.column(name).to_pylist() for name in part.column_names]
                for row in zip(*columns, strict=True):
                    copy.write_row(row)
                tell(part.num_rows)
    finally:
        cursor.close()
    return int(data.num_rows)


_CSV_OPTIONS = pa_csv.WriteOptions(include_header=False, quoting_style="needed")


def _csv_text_times(data: pa.Table) -> pa.Table:
    """Aware timestamps as the text pyarrow's CSV writer gives them (UTC, microseconds, a Z),
    made by Arrow's cast to text: a quarter of the writer's time for them."""
    for index, name in enumerate(data.column_names):
        kind = data.column(name).type
        if pa.types.is_timestamp(kind) and kind.tz is not None:
            naive = sqlite_text_times(data.column(name))
            data = data.set_column(index, name, pc.binary_join_element_wise(naive, "Z", ""))
    return data


def _csv_ready(kind: pa.DataType) -> bool:
    """Whether PostgreSQL reads pyarrow's CSV text of this type as the value (timestamps
    must carry a time zone: pyarrow writes them with Z)."""
    if pa.types.is_timestamp(kind):
        return bool(kind.tz is not None)
    return bool(
        pa.types.is_string(kind)
        or pa.types.is_large_string(kind)
        or pa.types.is_integer(kind)
        or pa.types.is_boolean(kind)
        or pa.types.is_date32(kind)
        or pa.types.is_null(kind)
    )


def _check_columns(table_name: str, columns: Sequence[str]) -> None:
    known = set(table(table_name).columns.keys())
    unknown = [c for c in columns if c not in known]
    if unknown:
        raise ValueError(f"table {table_name} has no columns {unknown}")


def _ascending(column: pa.ChunkedArray) -> pa.Array:
    """The positions that put a column in ascending order; for fixed-width keys of 8 bytes or
    more, by their first 8 bytes (a tenth of the cost, and ties only cost locality)."""
    if pa.types.is_fixed_size_binary(column.type) and column.type.byte_width >= 8:
        width = column.type.byte_width
        combined = column.combine_chunks()
        if combined.null_count == 0:
            data = combined.buffers()[1]
            raw = np.frombuffer(data, dtype=np.uint8)[combined.offset * width :]
            raw = raw[: len(combined) * width].reshape(-1, width)
            leading = raw[:, :8].copy().view(">u8").ravel()
            return pa.array(np.argsort(leading, kind="stable"))
    return pc.sort_indices(column)


def _spare_attachments(connection: sqlite3.Connection) -> int:
    """How many more scratch files this connection may attach, keeping one in reserve."""
    attached = len(list(connection.execute("PRAGMA database_list"))) - 1  # less main
    limit = connection.getlimit(sqlite3.SQLITE_LIMIT_ATTACHED)
    return max(0, min(8, limit - attached - 1))


def _attach(connection: sqlite3.Connection, path: Path) -> str:
    taken = {row[1] for row in connection.execute("PRAGMA database_list")}
    number = 0
    while f"{STAGE_PREFIX}{number}" in taken:
        number += 1
    alias = f"{STAGE_PREFIX}{number}"
    connection.execute(f"ATTACH DATABASE ? AS {alias}", (str(path),))
    return alias


def _sqlite_values(data: pa.Table) -> pa.Table:
    """Timestamps as the naive UTC text SQLAlchemy stores on SQLite; the rest as it is."""
    columns = []
    for name in data.column_names:
        column = data.column(name)
        if pa.types.is_timestamp(column.type):
            column = sqlite_text_times(column)
        columns.append(column)
    return pa.table(columns, names=data.column_names)


def sqlite_text_times(column: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """Aware timestamps as SQLite keeps them: naive UTC text with microseconds (what
    `sqlite_time` writes). Arrow's cast to text writes exactly that, twenty times faster than
    its strftime."""
    micro = pc.cast(pc.cast(column, pa.timestamp("us", tz="UTC")), pa.int64())
    return pc.cast(pc.cast(micro, pa.timestamp("us")), pa.string())


def _python_values(data: pa.Table, name: str, session: Session) -> list[Any]:
    values: list[Any] = data.column(name).to_pylist()
    if session.get_bind().dialect.name == "sqlite" and pa.types.is_timestamp(
        data.column(name).type
    ):
        return [None if v is None else sqlite_time(v) for v in values]
    return values


class _Stager(threading.Thread):
    """Writes parts of an Arrow table to scratch SQLite files, one file per part, and hands
    each file over when it is complete."""

    def __init__(self, directory: Path, data: pa.Table, size: int) -> None:
        super().__init__(name="watchhouse-stager", daemon=True)
        self._directory = directory
        self._data = data
        self._size = size
        self._handed: queue.Queue[tuple[Path, int] | BaseException | None] = queue.Queue(2)
        self._stopping = threading.Event()

    def run(self) -> None:
        """Stage every part, then say so; pass on any failure."""
        # ADBC loads pyarrow.dataset and pandas: only when bulk loading (the CLI starts fast).
        import adbc_driver_sqlite.dbapi as adbc_sqlite

        try:
            for number, start in enumerate(range(0, self._data.num_rows, self._size)):
                part = self._data.slice(start, self._size)
                path = self._directory / f"part-{number}.sqlite3"
                with (
                    adbc_sqlite.connect(str(path), autocommit=True) as connection,
                    connection.cursor() as cursor,
                ):
                    cursor.execute("PRAGMA journal_mode=OFF")
                    cursor.execute("PRAGMA synchronous=OFF")
                    cursor.adbc_ingest("rows", part, mode="create")
                if not self._hand((path, part.num_rows)):
                    return
            self._hand(None)
        except BaseException as error:  # handed to the loading thread, which raises it
            self._hand(error)

    def _hand(self, item: tuple[Path, int] | BaseException | None) -> bool:
        while not self._stopping.is_set():
            try:
                self._handed.put(item, timeout=_STAGE_WAIT_SECONDS)
                return True
            except queue.Full:
                continue
        return False

    def staged(self) -> Iterator[tuple[Path, int]]:
        """Each staged file and its row count, in order, as soon as it is written."""
        while True:
            item = self._handed.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                raise RuntimeError(f"staging rows for the store failed: {item}") from item
            yield item

    def stop(self) -> None:
        """Stop staging (after the last part or on a failure) and wait for the thread."""
        self._stopping.set()
        self.join()
