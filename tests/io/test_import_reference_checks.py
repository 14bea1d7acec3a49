"""A force export's references are checked whichever way PostgreSQL stores the rows: by the
foreign-key row triggers, or (a role allowed to skip them) by one set-based check per table in
the same transaction, the referenced rows locked until the import commits."""

from __future__ import annotations

import csv
import functools
import sqlite3
import uuid
from pathlib import Path

import numpy as np
import psycopg
import pyarrow as pa
import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import DataError, IntegrityError, OperationalError

from watchhouse.db import bulk
from watchhouse.db.repositories import imports as imports_repo
from watchhouse.db.repositories import users as user_repo
from watchhouse.db.tables import ContactRow, ImportBatchRow, IncidentRow, UserRow
from watchhouse.domain.roles import Actor, Role
from watchhouse.io.force_mapping import parse_mapping
from watchhouse.services import imports
from watchhouse.services.context import AppContext

pytestmark = pytest.mark.integration

STORED_TABLES = ["locations", "contacts", "incidents"]
# The set-based check's error; the triggers' (PostgreSQL, SQLite), raised by the driver.
REFUSED = (
    bulk.MissingReference,
    IntegrityError,
    psycopg.errors.ForeignKeyViolation,
    sqlite3.IntegrityError,
)
RAW_MAPPING = {
    "source": "cad",
    "columns": {
        "external_ref": "Ref",
        "presented_at": "Start",
        "grade": "Grade",
        "neighbourhood": "Beat",
        "caller_telephone": "CLI",
    },
    "defaults": {"channel": "101"},
    "formats": {"datetime": "%d/%m/%Y %H:%M"},
    "codes": {"neighbourhood": {"B1": "central"}},
}
MAPPING = parse_mapping(RAW_MAPPING)


def _export(tmp_path: Path, rows: int = 4) -> Path:
    path = tmp_path / "export.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["Ref", "Start", "Grade", "Beat", "CLI"])
        for i in range(rows):
            writer.writerow([f"R{i}", "01/02/2025 10:00", "2", "B1", f"07700 90012{i}"])
    return path


def _store_with(monkeypatch: pytest.MonkeyPatch, references_in_bulk: bool | None) -> None:
    monkeypatch.setattr(
        imports_repo,
        "add_force_records",
        functools.partial(imports_repo.add_force_records, references_in_bulk=references_in_bulk),
    )


def _new_user(ctx: AppContext, name: str) -> Actor:
    with ctx.db.transaction() as session:
        user = user_repo.add_user(
            session=session,
            username=name,
            display_name=name,
            role=Role.ADMINISTRATOR,
            password_hash="not-a-hash",
            now=ctx.now(),
        )
    return Actor(user.id, user.username, user.display_name, Role.ADMINISTRATOR)


def _ways(ctx: AppContext) -> list[bool | None]:
    """Both ways on PostgreSQL; SQLite has only its own."""
    return [True, False] if ctx.db.engine.dialect.name == "postgresql" else [None]


def test_both_ways_store_the_same_records(ctx, admin, neighbourhoods, tmp_path, monkeypatch):
    stored = []
    for number, way in enumerate(_ways(ctx)):
        _store_with(monkeypatch, way)
        mapping = parse_mapping({**RAW_MAPPING, "source": f"cad{number}"})
        result = imports.import_force_export(
            ctx, actor=admin, path=_export(tmp_path), mapping=mapping
        )
        assert (result.rows_added, result.rows_rejected) == (4, 0)
        with ctx.db.transaction() as session:
            rows = session.execute(
                select(
                    ContactRow.external_ref,
                    ContactRow.caller_telephone,
                    ContactRow.telephone_number_id.is_not(None),
                    ContactRow.location_id.is_not(None),
                    IncidentRow.graded_by,
                )
                .join(IncidentRow, IncidentRow.contact_id == ContactRow.id)
                .where(ContactRow.source == f"cad{number}")
                .order_by(ContactRow.external_ref)
            ).all()
        stored.append([tuple(row) for row in rows])
    assert all(rows == stored[0] for rows in stored)
    assert stored[0][0] == ("R0", "07700 900120", True, True, admin.user_id)


def test_a_reference_to_no_row_stores_nothing_of_the_file(
    ctx, neighbourhoods, tmp_path, monkeypatch
):
    nobody = Actor(987_654, "nobody", "Nobody", Role.ADMINISTRATOR)  # no such user
    for way in _ways(ctx):
        _store_with(monkeypatch, way)
        with pytest.raises(REFUSED) as refused:
            imports.import_force_export(ctx, actor=nobody, path=_export(tmp_path), mapping=MAPPING)
        if way:
            assert "incidents.graded_by" in str(refused.value)
            assert "fk_incidents_graded_by_users" in str(refused.value)
        with ctx.db.transaction() as session:
            assert session.scalars(select(ContactRow)).all() == []
            assert session.scalars(select(IncidentRow)).all() == []
            assert session.scalars(select(ImportBatchRow)).all() == []


def test_a_failed_copy_is_reported_as_itself(ctx, admin, neighbourhoods, tmp_path, monkeypatch):
    if ctx.db.engine.dialect.name != "postgresql":
        pytest.skip("only PostgreSQL skips the row triggers")

    def failing_copy(*, session, **_kwargs):
        session.execute(text("SELECT 1 / 0"))

    monkeypatch.setattr(bulk, "_copy_postgresql", failing_copy)
    _store_with(monkeypatch, True)
    with pytest.raises(DataError) as failed:
        imports.import_force_export(ctx, actor=admin, path=_export(tmp_path), mapping=MAPPING)
    assert isinstance(failed.value.orig, psycopg.errors.DivisionByZero)
    with ctx.db.transaction() as session:
        assert session.scalars(select(ContactRow)).all() == []
        assert session.execute(text("SHOW session_replication_role")).scalar_one() == "origin"


def test_a_referenced_row_cannot_be_deleted_until_the_import_commits(
    ctx, neighbourhoods, tmp_path, monkeypatch
):
    if ctx.db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time")
    grader = _new_user(ctx, "grader")
    other = create_engine(ctx.db.url)
    attempts: list[str] = []
    real = functools.partial(imports_repo.add_force_records, references_in_bulk=True)

    def store_then_try_to_delete_the_grader(**kwargs):
        added = real(**kwargs)
        try:
            with other.begin() as connection:
                connection.execute(text("SET LOCAL lock_timeout = '200ms'"))
                connection.execute(text("DELETE FROM users WHERE id = :id"), {"id": grader.user_id})
            attempts.append("deleted")
        except OperationalError as error:
            attempts.append(type(error.orig).__name__)
        return added

    monkeypatch.setattr(imports_repo, "add_force_records", store_then_try_to_delete_the_grader)
    try:
        result = imports.import_force_export(
            ctx, actor=grader, path=_export(tmp_path), mapping=MAPPING
        )
    finally:
        other.dispose()
    assert attempts == ["LockNotAvailable"]
    assert result.rows_added == 4
    with ctx.db.transaction() as session:
        assert session.get(UserRow, grader.user_id) is not None
        graders = set(session.scalars(select(IncidentRow.graded_by)))
    assert graders == {grader.user_id}


def test_the_triggers_are_skipped_only_where_nothing_else_would_change(ctx):
    if ctx.db.engine.dialect.name != "postgresql":
        with ctx.db.transaction() as session:
            assert not bulk.references_checkable_in_bulk(session=session, table_names=["contacts"])
        return
    with ctx.db.transaction() as session:  # the test server's role is a superuser
        assert bulk.references_checkable_in_bulk(session=session, table_names=STORED_TABLES)
    with ctx.db.transaction() as session:
        session.execute(
            text(
                "CREATE FUNCTION pg_temp.note_contact() RETURNS trigger AS "
                "$$ BEGIN RETURN NEW; END $$ LANGUAGE plpgsql"
            )
        )
        session.execute(
            text(
                "CREATE TRIGGER note_contact AFTER INSERT ON contacts "
                "FOR EACH ROW EXECUTE FUNCTION pg_temp.note_contact()"
            )
        )
        assert not bulk.references_checkable_in_bulk(session=session, table_names=STORED_TABLES)
        session.rollback()
    role = f"watchhouse_importer_{uuid.uuid4().hex[:8]}"
    with ctx.db.transaction() as session:
        session.execute(text(f"CREATE ROLE {role} NOLOGIN"))
    try:
        with ctx.db.transaction() as session:
            session.execute(text(f"SET LOCAL ROLE {role}"))
            assert not bulk.references_checkable_in_bulk(session=session, table_names=STORED_TABLES)
            session.execute(text("RESET ROLE"))
            session.execute(text(f"GRANT SET ON PARAMETER session_replication_role TO {role}"))
            session.execute(text(f"SET LOCAL ROLE {role}"))
            assert bulk.references_checkable_in_bulk(session=session, table_names=STORED_TABLES)
            session.rollback()
    finally:
        with ctx.db.transaction() as session:
            session.execute(text(f"DROP ROLE {role}"))


def test_the_incidents_check_does_not_lock_the_contacts_just_stored_with_them(
    ctx, admin, neighbourhoods, tmp_path, monkeypatch
):
    """Their contacts were COPYed a moment before in the same transaction: no other one can
    see them, so the import writes no lock into each (a second write of every contact)."""
    if ctx.db.engine.dialect.name != "postgresql":
        pytest.skip("only PostgreSQL skips the row triggers")
    _store_with(monkeypatch, True)
    result = imports.import_force_export(ctx, actor=admin, path=_export(tmp_path), mapping=MAPPING)
    assert result.rows_added == 4
    with ctx.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(IncidentRow)) == 4
        locked = session.execute(
            text("SELECT count(*) FROM contacts WHERE xmax <> CAST('0' AS xid)")
        ).scalar_one()
    assert locked == 0


def test_the_contacts_check_does_not_lock_the_numbers_the_import_stored_itself(
    ctx, admin, neighbourhoods, tmp_path, monkeypatch
):
    """Numbers new to the store are inserted by the import's own transaction: not locked
    again by their contacts' check; a number stored before is looked up and locked."""
    if ctx.db.engine.dialect.name != "postgresql":
        pytest.skip("only PostgreSQL skips the row triggers")
    _store_with(monkeypatch, True)
    before = create_engine(ctx.db.url)
    try:
        with before.begin() as connection:
            connection.execute(
                text("INSERT INTO telephone_numbers (number) VALUES ('+447700900120')")
            )
        seen: list[tuple[str, bool]] = []
        real = functools.partial(imports_repo.add_force_records, references_in_bulk=True)

        def store_then_look_at_the_numbers(**kwargs):
            added = real(**kwargs)
            rows = kwargs["session"].execute(
                text(
                    "SELECT number, xmax <> CAST('0' AS xid) FROM telephone_numbers ORDER BY number"
                )
            )
            seen.extend((number, locked) for number, locked in rows)
            return added

        monkeypatch.setattr(imports_repo, "add_force_records", store_then_look_at_the_numbers)
        result = imports.import_force_export(
            ctx, actor=admin, path=_export(tmp_path), mapping=MAPPING
        )
    finally:
        before.dispose()
    assert result.rows_added == 4
    assert seen == [
        ("+447700900120", True),  # stored before: checked and locked till the commit
        ("+447700900121", False),
        ("+447700900122", False),
        ("+447700900123", False),
    ]


def test_a_reference_to_a_row_not_just_stored_is_still_checked(ctx, admin):
    if ctx.db.engine.dialect.name != "postgresql":
        pytest.skip("only PostgreSQL checks references in bulk")
    stored = pa.table(
        {"contact_id": pa.array([1, 999_999], pa.int64()), "graded_by": [admin.user_id] * 2}
    )
    with ctx.db.transaction() as session, pytest.raises(bulk.MissingReference) as refused:
        bulk.check_references(
            session=session,
            table_name="incidents",
            first_id=1,
            last_id=2,
            stored=stored,
            ours={"contacts": np.array([1], dtype=np.int64)},
        )
    assert "incidents.contact_id: 1 value(s)" in str(refused.value)
