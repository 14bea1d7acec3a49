"""Writes for the importers and reads for the exporter: import batches, data.police.uk rows,
a force's own contacts and incidents, and tables streamed out in chunks."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
from psycopg.types.json import Json
from sqlalchemy import select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from watchhouse.db import bulk
from watchhouse.db.tables import (
    Base,
    ContactRow,
    ImportBatchRow,
    NeighbourhoodRow,
    TelephoneNumberRow,
    UserRow,
)
from watchhouse.domain.identifiers import telephone_or_none
from watchhouse.domain.incident_flow import IncidentStatus
from watchhouse.domain.roles import Actor, Role
from watchhouse.domain.values import Settlement
from watchhouse.io.force_export import ForceRecord

_LOOKUP_CHUNK = 500


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
        # One round trip with the references as one array parameter.
        rows = session.execute(
            text(
                "SELECT external_ref FROM contacts "
                "WHERE source = :source AND external_ref = ANY(:refs)"
            ),
            {"source": source, "refs": list(refs)},
        )
        return {ref for (ref,) in rows if ref is not None}
    for start in range(0, len(refs), _LOOKUP_CHUNK):
        part = refs[start : start + _LOOKUP_CHUNK]
        found.update(
            ref
            for ref in session.scalars(
                select(ContactRow.external_ref).where(
                    ContactRow.source == source, ContactRow.external_ref.in_(part)
                )
            )
            if ref is not None
        )
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
    records: Sequence[ForceRecord],
    neighbourhoods: dict[str, NeighbourhoodRef],
    graded_by: int,
    telephone_region: str = "GB",
) -> int:
    """Store new records as contacts (with locations, and incidents when graded); skip those
    whose (source, external reference) is already stored. Return how many were added. The
    caller's number, normalised (E.164, `telephone_region` for national numbers), links the
    contact to `telephone_numbers` as a contact taken here is, so search and the repeat
    rules by number find it; the number as given is kept too."""
    stored = stored_external_refs(
        session=session, source=source, refs=[r.external_ref for r in records]
    )
    new = [r for r in records if r.external_ref not in stored]
    if not new:
        return 0
    dialect = session.get_bind().dialect.name
    number_ids = telephone_number_ids(
        session=session,
        raw={r.caller_telephone for r in new if r.caller_telephone},
        region=telephone_region,
    )
    located = [r for r in new if r.has_location and r.settlement is not None]
    graded = [r for r in new if r.grade is not None and r.settlement is not None]
    location_ids = iter(reserve_ids(session=session, table_name="locations", count=len(located)))
    contact_ids = iter(reserve_ids(session=session, table_name="contacts", count=len(new)))
    incident_ids = iter(reserve_ids(session=session, table_name="incidents", count=len(graded)))
    locations: list[tuple[Any, ...]] = []
    contacts: list[tuple[Any, ...]] = []
    incidents: list[tuple[Any, ...]] = []
    for record in new:
        place = neighbourhoods.get(record.neighbourhood) if record.neighbourhood else None
        where: int | None = None
        if record.has_location and record.settlement is not None:
            where = next(location_ids)
            locations.append(
                (
                    where,
                    (record.location_description or record.postcode or "")[:300],
                    record.postcode,
                    place.id if place else None,
                    record.settlement.value,
                )
            )
        contact_id = next(contact_ids)
        number_id = number_ids.get(record.caller_telephone) if record.caller_telephone else None
        contacts.append(
            _stored_times(
                (*_contact(record, contact_id, where, source, dialect), number_id), dialect
            )
        )
        if record.grade is not None and record.settlement is not None:
            incident = _incident(record, next(incident_ids), contact_id, where, graded_by)
            incidents.append(_stored_times(incident, dialect))
    for name, columns, rows in (
        ("locations", LOCATION_COLUMNS, locations),
        ("contacts", CONTACT_COLUMNS, contacts),
        ("incidents", INCIDENT_COLUMNS, incidents),
    ):
        if dialect == "postgresql":
            _copy_rows(session=session, table_name=name, columns=columns, rows=rows)
        else:
            bulk.insert_rows(
                session=session, table_name=name, columns=columns, rows=rows, convert_times=False
            )
    return len(new)


def telephone_number_ids(*, session: Session, raw: set[str], region: str) -> dict[str, int]:
    """The `telephone_numbers` id of each number as given that is a number (E.164), the
    numbers new to the store inserted once however many imports or contacts meet them."""
    e164 = {given: telephone_or_none(given, region) for given in raw}
    wanted = sorted({n for n in e164.values() if n is not None})
    if not wanted:
        return {}
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    ids: dict[str, int] = {}
    for start in range(0, len(wanted), _LOOKUP_CHUNK):
        part = wanted[start : start + _LOOKUP_CHUNK]
        session.execute(
            insert(TelephoneNumberRow)
            .values([{"number": n} for n in part])
            .on_conflict_do_nothing()
        )
        rows = session.execute(
            select(TelephoneNumberRow.number, TelephoneNumberRow.id).where(
                TelephoneNumberRow.number.in_(part)
            )
        )
        ids.update({number: id_ for number, id_ in rows})
    return {given: ids[n] for given, n in e164.items() if n is not None}


def _copy_rows(
    *, session: Session, table_name: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """PostgreSQL: COPY new rows straight into the table (their ids reserved from its sequence;
    a clash with a row stored meanwhile fails the file's transaction, as an INSERT would)."""
    if not rows:
        return
    cursor = session.connection().connection.cursor()
    try:
        with cursor.copy(f"COPY {table_name} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    finally:
        cursor.close()


def _stored_times(row: tuple[Any, ...], dialect: str) -> tuple[Any, ...]:
    """On SQLite, each aware time as the naive UTC text `bulk.sqlite_time` writes (the same
    text, through isoformat, several times faster than strftime); elsewhere unchanged."""
    if dialect != "sqlite":
        return row
    return tuple(_sqlite_time(v) if isinstance(v, datetime) else v for v in row)


def _sqlite_time(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("refusing to store a naive datetime; give it a time zone")
    if moment.utcoffset():
        moment = moment.astimezone(UTC)
    return moment.replace(tzinfo=None).isoformat(" ", "microseconds")


def reserve_ids(*, session: Session, table_name: str, count: int) -> list[int]:
    """Ids for rows about to be inserted by hand, without locking the table against others.

    PostgreSQL hands them out from the table's own sequence (so the web app's inserts never
    clash with an import in progress); on SQLite the importing transaction is the only writer
    once it has written, so the next ids after the largest are free.
    """
    if count <= 0:
        return []
    if session.get_bind().dialect.name == "postgresql":
        result = session.execute(
            text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"),
            {"t": table_name, "n": count},
        )
        return [int(value) for value in result.scalars()]
    first = bulk.next_id(session=session, table_name=table_name)
    return list(range(first, first + count))


def _contact(
    record: ForceRecord, contact_id: int, location_id: int | None, source: str, dialect: str
) -> tuple[Any, ...]:
    if record.abandoned:
        status = "abandoned"
    elif record.grade is not None:
        status = "graded"
    else:
        status = "resolved"
    born = record.caller_date_of_birth
    return (
        contact_id,
        record.channel.value,
        record.presented_at,
        record.answered_at,
        record.ended_at,
        record.abandoned,
        location_id,
        record.caller_name,
        record.summary,
        status,
        record.caller_given_name,
        record.caller_family_name,
        born.isoformat() if born is not None and dialect == "sqlite" else born,
        record.caller_telephone,
        record.caller_postcode,
        source,
        record.external_ref,
        record.origin.value,
        _json(record.attributes, dialect),
    )


def _json(value: Mapping[str, str] | None, dialect: str) -> Any:
    """A JSON column's value as the driver takes it through executemany."""
    if value is None:
        return None
    return json.dumps(dict(value), ensure_ascii=False) if dialect == "sqlite" else Json(dict(value))


def _incident(
    record: ForceRecord, incident_id: int, contact_id: int, location_id: int | None, user: int
) -> tuple[Any, ...]:
    created = record.incident_created_at or record.presented_at
    if record.incident_closed_at is not None:
        status = IncidentStatus.CLOSED
    elif record.incident_arrived_at is not None:
        status = IncidentStatus.ATTENDED
    elif record.incident_deployed_at is not None:
        status = IncidentStatus.DEPLOYED
    else:
        status = IncidentStatus.OPEN
    moments = [
        m
        for m in (
            created,
            record.incident_deployed_at,
            record.incident_arrived_at,
            record.incident_closed_at,
        )
        if m is not None
    ]
    assert record.settlement is not None
    return (
        incident_id,
        contact_id,
        record.grade,
        record.grade,
        user,
        location_id,
        record.settlement.value,
        created,
        max(moments),
        status.value,
        record.incident_deployed_at,
        record.incident_arrived_at,
        record.body_worn_video,
        record.incident_closed_at,
    )


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
