"""Writes for the importers and reads for the exporter: import batches, data.police.uk rows,
a force's own contacts and incidents, and tables streamed out in chunks."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from watchhouse.db import bulk
from watchhouse.db.tables import (
    Base,
    ContactRow,
    ImportBatchRow,
    NeighbourhoodRow,
    UserRow,
)
from watchhouse.domain.incident_flow import IncidentStatus
from watchhouse.domain.roles import Actor, Role
from watchhouse.domain.telephone_fast import e164_or_none
from watchhouse.domain.values import Settlement
from watchhouse.io.force_export import CALLER_NAME_LIMIT

_LOOKUP_CHUNK = 5_000  # SQLite allows 32,766 parameters a statement


@dataclass(frozen=True)
class BatchCounts:
    """What one import of one file did."""

    rows_read: int
    rows_added: int
    rows_duplicate: int
    rows_rejected: int
    rows_filtered: int = 0


@dataclass(frozen=True)
class NeighbourhoodRef:
    """A neighbourhood's id and settlement, for rows that name it by code."""

    id: int
    settlement: Settlement


def start_batch(
    *, session: Session, importer: str, source_file: str, file_sha256: str, started_at: datetime
) -> int:
    """Record the start of an import of one file and return the batch id."""
    row = ImportBatchRow(
        importer=importer,
        source_file=source_file[-400:],
        file_sha256=file_sha256,
        started_at=started_at,
        rows_read=0,
        rows_added=0,
        rows_duplicate=0,
        rows_rejected=0,
    )
    session.add(row)
    session.flush()
    return row.id


def finish_batch(
    *, session: Session, batch_id: int, finished_at: datetime, counts: BatchCounts
) -> None:
    """Record what the import did."""
    session.execute(
        update(ImportBatchRow)
        .where(ImportBatchRow.id == batch_id)
        .values(
            finished_at=finished_at,
            rows_read=counts.rows_read,
            rows_added=counts.rows_added,
            rows_duplicate=counts.rows_duplicate,
            rows_rejected=counts.rows_rejected,
            rows_filtered=counts.rows_filtered,
        )
    )


def text_limits(table_name: str) -> dict[str, int]:
    """The store's length limit for each limited text column of a table."""
    return bulk.text_limits(table_name)


def add_police_uk_rows(
    *,
    session: Session,
    table_name: str,
    data: pa.Table,
    progress: Callable[[int], None] | None = None,
    chunk_rows: int = bulk.STAGE_ROWS,
) -> int:
    """Insert data.police.uk rows (an Arrow table in store columns, row key included), skipping
    any whose row key is already stored; return how many were added. `progress` is told the
    rows handled after each chunk."""
    if table_name not in ("police_uk_crimes", "police_uk_outcomes", "police_uk_stop_searches"):
        raise ValueError(f"{table_name} is not a data.police.uk table")
    if session.get_bind().dialect.name != "postgresql":
        return bulk.insert_arrow_staged(
            session=session,
            table_name=table_name,
            data=data,
            ignore_conflicts_on=["row_key"],
            cluster_on="row_key",
            progress=progress,
            stage_rows=chunk_rows,
        )
    added = 0
    for start in range(0, data.num_rows, chunk_rows):
        part = data.slice(start, chunk_rows)
        rows = list(
            zip(*(part.column(name).to_pylist() for name in part.column_names), strict=True)
        )
        added += _add_by_copy(
            session=session, table_name=table_name, columns=part.column_names, rows=rows
        )
        if progress:
            progress(part.num_rows)
    return added


def give_published_force(
    *, session: Session, table_name: str, row_keys: Sequence[bytes], force: str
) -> int:
    """Give the rows with these keys that were stored with no published force this one (a file
    imported again with `--force`); return how many were changed."""
    if table_name not in ("police_uk_crimes", "police_uk_outcomes"):
        raise ValueError(f"{table_name} has no published_force column")
    table = bulk.table(table_name)
    changed = 0
    for start in range(0, len(row_keys), 500):
        part = list(row_keys[start : start + 500])
        result = session.execute(
            update(table)
            .where(table.c.published_force.is_(None), table.c.row_key.in_(part))
            .values(published_force=force)
        )
        changed += int(getattr(result, "rowcount", 0) or 0)
    return changed


def _add_by_copy(
    *, session: Session, table_name: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> int:
    """PostgreSQL: COPY the rows into a temporary staging table, then insert those whose row
    key is new; several times faster than executemany. The staging table lives only until the
    transaction ends."""
    if not rows:
        return 0
    known = set(bulk.table(table_name).columns.keys())
    if any(c not in known for c in columns):
        raise ValueError(f"table {table_name} has no columns {set(columns) - known}")
    staging = f"staging_{table_name}"
    names = ", ".join(columns)
    session.execute(
        text(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {staging} ON COMMIT DROP "
            f"AS SELECT {names} FROM {table_name} WITH NO DATA"
        )
    )
    cursor = session.connection().connection.cursor()
    try:
        cursor.execute(f"TRUNCATE {staging}")
        with cursor.copy(f"COPY {staging} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            f"INSERT INTO {table_name} ({names}) SELECT {names} FROM {staging} "
            "ON CONFLICT (row_key) DO NOTHING"
        )
        return max(int(cursor.rowcount), 0)
    finally:
        cursor.close()


def commit_without_waiting_for_disk(*, session: Session) -> None:
    """PostgreSQL: this transaction's commit returns before its WAL is flushed to disk
    (`SET LOCAL synchronous_commit = off`; SQLite: nothing).

    Safe for an import, and only for one: a crash of the server in the moment after the commit
    can lose that transaction whole (never part of it, and nothing else: the store stays
    consistent), the import batch record with it; and an import is re-runnable and idempotent
    (records are keyed by source and external reference, so running the files again stores
    what was lost and duplicates nothing). Saves a wait for the disk on each file's commit."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL synchronous_commit = off"))


@contextmanager
def bulk_writing(*, session: Session, cache_mib: int = 256) -> Iterator[None]:
    """On SQLite, give the session's connection a larger page cache while it loads many rows
    (fewer pages spilled to the WAL mid-transaction), then restore it. Nothing elsewhere."""
    if session.get_bind().dialect.name != "sqlite":
        yield
        return
    before = session.execute(text("PRAGMA cache_size")).scalar_one()
    session.execute(text(f"PRAGMA cache_size = {-1024 * int(cache_mib)}"))
    try:
        yield
    finally:
        session.execute(text(f"PRAGMA cache_size = {int(before)}"))


def importing_actor(*, session: Session, username: str | None) -> Actor | None:
    """The active user with this name, or (no name) the first active administrator; or None."""
    statement = select(UserRow).where(UserRow.active.is_(True))
    if username:
        statement = statement.where(UserRow.username == username)
    else:
        statement = statement.where(UserRow.role_code == Role.ADMINISTRATOR.value).order_by(
            UserRow.id
        )
    row = session.scalars(statement.limit(1)).first()
    if row is None:
        return None
    return Actor(row.id, row.username, row.display_name, Role(row.role_code))


def neighbourhood_refs(*, session: Session) -> dict[str, NeighbourhoodRef]:
    """Every neighbourhood by code."""
    rows = session.execute(
        select(NeighbourhoodRow.code, NeighbourhoodRow.id, NeighbourhoodRow.settlement)
    )
    return {code: NeighbourhoodRef(id_, Settlement(settlement)) for code, id_, settlement in rows}


def add_contact_identifiers(
    *, session: Session, source: str, identifiers: Mapping[str, Mapping[str, str]]
) -> None:
    """Keep the force's identifiers of contacts just stored (by external reference)."""
    refs = list(identifiers)
    rows: list[tuple[Any, ...]] = []
    for start in range(0, len(refs), _LOOKUP_CHUNK):
        part = refs[start : start + _LOOKUP_CHUNK]
        found = session.execute(
            select(ContactRow.id, ContactRow.external_ref).where(
                ContactRow.source == source, ContactRow.external_ref.in_(part)
            )
        )
        for contact_id, ref in found:
            if ref is not None:
                rows.extend((contact_id, name, value) for name, value in identifiers[ref].items())
    if rows:
        bulk.insert_rows(
            session=session,
            table_name="contact_identifiers",
            columns=("contact_id", "name", "value"),
            rows=rows,
            convert_times=False,
        )


def stored_external_refs(*, session: Session, source: str, refs: Sequence[str]) -> set[str]:
    """Which of these external references of a source are already stored as contacts."""
    found: set[str] = set()
    if refs and session.get_bind().dialect.name == "postgresql":
        # One round trip with the references as one JSON text (any text survives it; the
        # driver takes ten times as long to send a list of Python strings as an array).
        rows = session.execute(
            text(
                "SELECT external_ref FROM contacts WHERE source = :source AND external_ref "
                "IN (SELECT json_array_elements_text(CAST(:refs AS json)))"
            ),
            {"source": source, "refs": json.dumps(list(refs), ensure_ascii=False)},
        )
        return {ref for (ref,) in rows if ref is not None}
    cursor = session.connection().connection.cursor()
    try:
        for start in range(0, len(refs), _LOOKUP_CHUNK):
            part = list(refs[start : start + _LOOKUP_CHUNK])
            cursor.execute(
                "SELECT external_ref FROM contacts WHERE source = ? AND external_ref IN "
                f"({', '.join('?' * len(part))})",
                [source, *part],
            )
            found.update(ref for (ref,) in cursor.fetchall() if ref is not None)
    finally:
        cursor.close()
    return found


LOCATION_COLUMNS = ("id", "description", "postcode", "neighbourhood_id", "settlement")
CONTACT_COLUMNS = (
    "id",
    "channel",
    "presented_at",
    "answered_at",
    "ended_at",
    "abandoned",
    "location_id",
    "caller_name",
    "summary",
    "status",
    "caller_given_name",
    "caller_family_name",
    "caller_date_of_birth",
    "caller_telephone",
    "caller_postcode",
    "source",
    "external_ref",
    "origin",
    "attributes",
    "telephone_number_id",
)
INCIDENT_COLUMNS = (
    "id",
    "contact_id",
    "grade",
    "suggested_grade",
    "graded_by",
    "location_id",
    "settlement",
    "created_at",
    "updated_at",
    "status",
    "deployed_at",
    "arrived_at",
    "body_worn_video",
    "closed_at",
)


def add_force_records(
    *,
    session: Session,
    source: str,
    data: pa.Table,
    neighbourhoods: dict[str, NeighbourhoodRef],
    graded_by: int,
    telephone_region: str = "GB",
    numbers_e164: Mapping[str, str | None] | None = None,
    references_in_bulk: bool | None = None,
) -> int:
    """Store new records (columns as `force_fast.RECORD_SCHEMA`) as contacts, with locations,
    and incidents when graded; skip those whose (source, external reference) is already
    stored. Return how many were added. The rows stay Arrow columns down to the driver:
    staged INSERT ... SELECT on SQLite, COPY on PostgreSQL (`bulk.insert_arrow_staged`).
    The caller's number, normalised (E.164, `telephone_region` for national numbers), links
    the contact to `telephone_numbers` as a contact taken here is, so search and the repeat
    rules by number find it; the number as given is kept too. `numbers_e164` may give numbers
    already normalised (as given -> E.164 or None); the others are normalised here.

    On PostgreSQL, where `bulk.references_checkable_in_bulk` allows (`references_in_bulk`
    None) or when told (True), the rows skip the 13 foreign-key row triggers of a contact and
    its incident and each table's references are checked in one set-based statement in the
    same transaction, their rows locked as the triggers lock them (`bulk.MissingReference` if
    one is missing: the transaction must be rolled back); False: the triggers check them."""
    stored = stored_external_refs(
        session=session, source=source, refs=data.column("external_ref").to_pylist()
    )
    if stored:
        known = pa.array(sorted(stored), pa.string())
        data = data.filter(pc.invert(pc.is_in(data.column("external_ref"), value_set=known)))
    size = data.num_rows
    if size == 0:
        return 0
    column = {name: data.column(name).combine_chunks() for name in data.column_names}
    settled = _mask(pc.is_valid(column["settlement"]))
    located = settled & (
        _filled(column["location_description"])
        | _filled(column["postcode"])
        | _filled(column["neighbourhood"])
    )
    graded = settled & _mask(pc.is_valid(column["grade"]))
    location_ids = reserve_ids(session=session, table_name="locations", count=int(located.sum()))
    contact_ids = reserve_ids(session=session, table_name="contacts", count=size)
    incident_ids = reserve_ids(session=session, table_name="incidents", count=int(graded.sum()))
    where = np.zeros(size, dtype=np.int64)
    where[located] = location_ids
    location_id = pa.array(where, pa.int64(), mask=~located)
    number_ids, new_numbers = _number_ids(
        session=session,
        given=column["caller_telephone"],
        region=telephone_region,
        known=numbers_e164 or {},
    )
    contacts = _contacts(column, contact_ids, location_id, source).append_column(
        "telephone_number_id", number_ids
    )
    tables = {
        "locations": _locations(column, located, location_ids, neighbourhoods),
        "contacts": contacts,
        "incidents": _incidents(column, graded, incident_ids, contact_ids, location_id, graded_by),
    }
    on_sqlite = session.get_bind().dialect.name == "sqlite"
    if references_in_bulk is None:
        references_in_bulk = bulk.references_checkable_in_bulk(
            session=session, table_names=list(tables)
        )
    ids = {"locations": location_ids, "contacts": contact_ids, "incidents": incident_ids}
    # Rows this transaction has stored by now (and checked): the checks need not lock them.
    ours = {"telephone_numbers": new_numbers}
    for name, table in tables.items():
        if on_sqlite:
            table = _sqlite_dates(table)
        if references_in_bulk and table.num_rows:
            bulk.copy_checking_references(
                session=session,
                table_name=name,
                data=table,
                first_id=int(ids[name].min()),
                last_id=int(ids[name].max()),
                ours=dict(ours),
            )
        else:
            bulk.insert_arrow_staged(session=session, table_name=name, data=table)
        ours[name] = ids[name]
    return int(size)


def _number_ids(
    *, session: Session, given: pa.Array, region: str, known: Mapping[str, str | None]
) -> tuple[pa.Array, np.ndarray]:
    """Each row's `telephone_numbers` id (null where there is no number): each distinct
    number normalised and stored once, then mapped back to the rows by Arrow; and the ids of
    the numbers stored now (PostgreSQL)."""
    distinct = pc.unique(given.drop_null())
    normal = pa.array(
        [known[g] if g in known else e164_or_none(g, region) for g in distinct.to_pylist()],
        pa.string(),
    )
    wanted = pc.unique(normal.drop_null())
    if len(wanted) == 0:
        return pa.nulls(len(given), pa.int64()), np.zeros(0, dtype=np.int64)
    wanted = wanted.take(pc.sort_indices(wanted))
    found, added = _stored_numbers(session=session, numbers=wanted.to_pylist())
    by_distinct = pa.array(found, pa.int64()).take(pc.index_in(normal, value_set=wanted))
    return by_distinct.take(pc.index_in(given, value_set=distinct)), added


def _mask(values: pa.Array) -> np.ndarray:
    return np.asarray(pc.fill_null(values, False).to_numpy(zero_copy_only=False), dtype=bool)


def _filled(values: pa.Array) -> np.ndarray:
    """Present and not empty."""
    return _mask(pc.greater(pc.utf8_length(values), 0))


def _null_if_empty(values: pa.Array) -> pa.Array:
    return pc.if_else(pc.equal(pc.utf8_length(values), 0), pa.scalar(None, pa.string()), values)


def _locations(
    column: Mapping[str, pa.Array],
    located: np.ndarray,
    ids: np.ndarray,
    neighbourhoods: Mapping[str, NeighbourhoodRef],
) -> pa.Table:
    chosen = pa.array(located)
    codes = sorted(neighbourhoods)
    hood = column["neighbourhood"].filter(chosen)
    position = pc.index_in(hood, value_set=pa.array(codes, pa.string()))
    hood_ids = pa.array([neighbourhoods[c].id for c in codes], pa.int64()).take(position)
    description = pc.coalesce(
        column["location_description"].filter(chosen), column["postcode"].filter(chosen), ""
    )
    return pa.table(
        {
            "id": pa.array(ids, pa.int64()),
            "description": pc.utf8_slice_codeunits(description, 0, 300),
            "postcode": column["postcode"].filter(chosen),
            "neighbourhood_id": hood_ids,
            "settlement": column["settlement"].filter(chosen),
        }
    )


def _contacts(
    column: Mapping[str, pa.Array], ids: np.ndarray, location_id: pa.Array, source: str
) -> pa.Table:
    size = len(ids)
    # Names are trimmed, so joining blanks for missing names and trimming is " ".join of the
    # names present (pyarrow's null_handling="skip" drops rows of an all-null array).
    names = pc.utf8_trim_whitespace(
        pc.binary_join_element_wise(
            pc.fill_null(column["caller_given_name"], ""),
            pc.fill_null(column["caller_family_name"], ""),
            " ",
        )
    )
    status = pc.if_else(
        column["abandoned"],
        "abandoned",
        pc.if_else(pc.is_valid(column["grade"]), "graded", "resolved"),
    )
    return pa.table(
        {
            "id": pa.array(ids, pa.int64()),
            "channel": column["channel"],
            "presented_at": column["presented_at"],
            "answered_at": column["answered_at"],
            "ended_at": column["ended_at"],
            "abandoned": column["abandoned"],
            "location_id": location_id,
            "caller_name": _null_if_empty(pc.utf8_slice_codeunits(names, 0, CALLER_NAME_LIMIT)),
            "summary": column["summary"],
            "status": status,
            "caller_given_name": column["caller_given_name"],
            "caller_family_name": column["caller_family_name"],
            "caller_date_of_birth": column["caller_date_of_birth"],
            "caller_telephone": column["caller_telephone"],
            "caller_postcode": column["caller_postcode"],
            "source": pa.array([source] * size, pa.string()),
            "external_ref": column["external_ref"],
            "origin": column["origin"],
            "attributes": column["attributes"],
        }
    )


def stored_number_ids(*, session: Session, numbers: Sequence[str]) -> np.ndarray:
    """The `telephone_numbers` id of each of these E.164 numbers (sorted, distinct), in their
    order, those new to the store inserted once however many imports or contacts meet them."""
    return _stored_numbers(session=session, numbers=numbers)[0]


def _stored_numbers(*, session: Session, numbers: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """`stored_number_ids`, and the ids of the numbers this statement inserted (PostgreSQL;
    none on SQLite, which checks references by its own triggers)."""
    added = np.zeros(0, dtype=np.int64)
    if not numbers:
        return np.zeros(0, dtype=np.int64), added
    # One statement each way whatever the count, the numbers as one text parameter (E.164 is
    # '+' and digits, so a comma parts them safely); not a multi-row VALUES, which SQLAlchemy
    # takes longer to build than the database takes to run. The ids come back as one text
    # (PostgreSQL) or plain driver rows (SQLite), not as a result row by row.
    if session.get_bind().dialect.name == "postgresql":
        joined = ",".join(numbers)
        inserted = session.execute(
            text(
                "WITH added AS (INSERT INTO telephone_numbers (number) "
                "SELECT unnest(string_to_array(:numbers, ',')) ON CONFLICT (number) DO NOTHING "
                "RETURNING id) SELECT string_agg(id::text, ',') FROM added"
            ),
            {"numbers": joined},
        ).scalar_one()
        if inserted:
            added = np.array(inserted.split(","), dtype=np.int64)
        ids = session.execute(
            text(
                "SELECT string_agg(t.id::text, ',' ORDER BY g.i) "
                "FROM unnest(string_to_array(:numbers, ',')) WITH ORDINALITY AS g(number, i) "
                "JOIN telephone_numbers AS t ON t.number = g.number"
            ),
            {"numbers": joined},
        ).scalar_one()
        found = np.array(ids.split(","), dtype=np.int64)
    else:
        given = json.dumps(list(numbers))
        # WHERE true: SQLite needs it to parse ON CONFLICT after a SELECT.
        session.execute(
            text(
                "INSERT INTO telephone_numbers (number) SELECT value FROM json_each(:numbers) "
                "WHERE true ON CONFLICT (number) DO NOTHING"
            ),
            {"numbers": given},
        )
        cursor = session.connection().connection.cursor()
        try:
            cursor.execute(
                "SELECT g.key, t.id FROM json_each(?) AS g "
                "JOIN telephone_numbers AS t ON t.number = g.value",
                (given,),
            )
            pairs = np.array(cursor.fetchall(), dtype=np.int64).reshape(-1, 2)
        finally:
            cursor.close()
        found = np.full(len(numbers), -1, dtype=np.int64)
        found[pairs[:, 0]] = pairs[:, 1]
        found = found[found >= 0]
    if len(found) != len(numbers):
        raise RuntimeError("a telephone number was not stored")
    return found, added


def _incidents(
    column: Mapping[str, pa.Array],
    graded: np.ndarray,
    ids: np.ndarray,
    contact_ids: np.ndarray,
    location_id: pa.Array,
    user: int,
) -> pa.Table:
    chosen = pa.array(graded)
    field = {name: values.filter(chosen) for name, values in column.items()}
    created = pc.coalesce(field["incident_created_at"], field["presented_at"])
    deployed = field["incident_deployed_at"]
    arrived = field["incident_arrived_at"]
    closed = field["incident_closed_at"]
    status = pc.if_else(
        pc.is_valid(closed),
        IncidentStatus.CLOSED.value,
        pc.if_else(
            pc.is_valid(arrived),
            IncidentStatus.ATTENDED.value,
            pc.if_else(
                pc.is_valid(deployed), IncidentStatus.DEPLOYED.value, IncidentStatus.OPEN.value
            ),
        ),
    )
    return pa.table(
        {
            "id": pa.array(ids, pa.int64()),
            "contact_id": pa.array(contact_ids[graded], pa.int64()),
            "grade": field["grade"],
            "suggested_grade": field["grade"],
            "graded_by": pa.array(np.full(len(ids), user, dtype=np.int64)),
            "location_id": location_id.filter(chosen),
            "settlement": field["settlement"],
            "created_at": created,
            "updated_at": _latest(created, deployed, arrived, closed),
            "status": status,
            "deployed_at": deployed,
            "arrived_at": arrived,
            "body_worn_video": field["body_worn_video"],
            "closed_at": closed,
        }
    )


def _latest(*moments: pa.Array) -> pa.Array:
    """The latest of each row's moments (nulls left out)."""
    kind = moments[0].type
    numbers = [pc.cast(m, pa.int64()) for m in moments]
    return pc.cast(pc.max_element_wise(*numbers, skip_nulls=True), kind)


def _sqlite_dates(table: pa.Table) -> pa.Table:
    """Dates as the ISO text SQLAlchemy stores on SQLite."""
    for index, name in enumerate(table.column_names):
        if pa.types.is_date(table.column(name).type):
            text_dates = pc.strftime(table.column(name), format="%Y-%m-%d")
            table = table.set_column(index, name, text_dates)
    return table


def reserve_ids(*, session: Session, table_name: str, count: int) -> np.ndarray:
    """Ids (int64, ascending) for rows about to be inserted by hand, without locking the table
    against others.

    PostgreSQL hands them out from the table's own sequence (so the web app's inserts never
    clash with an import in progress) in one statement that returns only the range when the
    ids are consecutive, as they are unless another session took ids meanwhile (then every
    id, as one text); on SQLite the importing transaction is the only writer once it has
    written, so the next ids after the largest are free.
    """
    if count <= 0:
        return np.zeros(0, dtype=np.int64)
    if session.get_bind().dialect.name == "postgresql":
        first, last, every = session.execute(
            text(
                # The sequence named once (a regclass), not looked up by name for each id:
                # a fifth of the server's time.
                "WITH s AS MATERIALIZED "
                "(SELECT CAST(pg_get_serial_sequence(:t, 'id') AS regclass) AS seq), "
                "ids AS (SELECT nextval(s.seq) AS id FROM s, generate_series(1, :n)) "
                "SELECT min(id), max(id), CASE WHEN max(id) - min(id) + 1 = count(*) THEN NULL "
                "ELSE string_agg(id::text, ',' ORDER BY id) END FROM ids"
            ),
            {"t": table_name, "n": count},
        ).one()
        if every is None:
            return np.arange(int(first), int(last) + 1, dtype=np.int64)
        return np.array(every.split(","), dtype=np.int64)
    first = bulk.next_id(session=session, table_name=table_name)
    return np.arange(first, first + count, dtype=np.int64)


def table_names() -> list[str]:
    """Every table of the store, in dependency order."""
    return [t.name for t in Base.metadata.sorted_tables]


def column_kinds(table_name: str) -> dict[str, bulk.ColumnKind]:
    """Each column of a table and the kind of value it holds."""
    return bulk.column_kinds(table_name)


def count_rows(*, session: Session, table_name: str) -> int:
    """How many rows a table holds."""
    return bulk.count_rows(session=session, table_name=table_name)


def stream_table(
    *, session: Session, table_name: str, columns: Sequence[str], chunk_rows: int
) -> Iterator[list[tuple[Any, ...]]]:
    """A table's rows, chunk by chunk, without holding the whole table in memory."""
    return bulk.iter_chunks(
        session=session, table_name=table_name, columns=columns, chunk_rows=chunk_rows
    )
