"""The store keeps time in UTC on both databases, survives the clock changes, and its
migrations match the tables the code declares."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import DateTime, Engine, create_engine, func, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session

from support import KNIFE
from watchhouse.db.engine import make_engine
from watchhouse.db.migrate import downgrade, upgrade
from watchhouse.db.tables import Base, ContactRow, IncidentRow, PersonRow
from watchhouse.db.types import UTCDateTime
from watchhouse.domain.clock import format_local
from watchhouse.domain.errors import ValidationFailed
from watchhouse.domain.records import NewContact
from watchhouse.domain.roles import Role
from watchhouse.domain.values import Channel, Grade
from watchhouse.services import contacts, incidents

pytestmark = pytest.mark.integration

POSTGRES_ENV = "WATCHHOUSE_TEST_POSTGRES_URL"
LONDON = ZoneInfo("Europe/London")
HM_ZONE = "%H:%M %Z"


def _call(summary: str = "Noise from next door", **fields: object) -> NewContact:
    return NewContact(channel=Channel.NON_EMERGENCY_101, summary=summary, **fields)  # type: ignore[arg-type]


def _stored_utc_text(session: Session, table: str, column: str, row_id: int) -> str:
    """What the database itself holds, rendered as UTC text without the ORM's help."""
    if session.get_bind().dialect.name == "postgresql":
        sql = (
            f"SELECT to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') "
            f"FROM {table} WHERE id = :id"
        )
    else:
        sql = f"SELECT substr({column}, 1, 19) FROM {table} WHERE id = :id"
    return session.execute(text(sql), {"id": row_id}).scalar_one()


def _is_utc(moment: datetime) -> bool:
    return moment.tzinfo is not None and moment.utcoffset() == timedelta(0)


# --- UTC in, aware UTC out --------------------------------------------------------------------


def test_times_are_stored_in_utc_and_read_back_as_aware_utc(ctx, actors, clock):
    handler = actors[Role.CALL_HANDLER]
    # Given in New York summer time (UTC-4): must be stored as 14:00 UTC.
    presented = datetime(2026, 7, 1, 10, 0, tzinfo=ZoneInfo("America/New_York"))
    clock.set(datetime(2026, 7, 1, 14, 5, tzinfo=UTC))
    taken = contacts.take_contact(ctx, actor=handler, new=_call(presented_at=presented))

    with ctx.db.transaction() as session:
        if ctx.db.dialect == "postgresql":
            # Reading under a non-UTC session zone must still come back as UTC.
            session.execute(text("SET LOCAL TIME ZONE 'America/Los_Angeles'"))
        assert _stored_utc_text(session, "contacts", "presented_at", taken.contact_id) == (
            "2026-07-01 14:00:00"
        )
        row = session.get(ContactRow, taken.contact_id)
        assert row is not None
        for moment in (row.presented_at, row.answered_at):
            assert moment is not None
            assert _is_utc(moment)
        assert row.presented_at == datetime(2026, 7, 1, 14, 0, tzinfo=UTC)
        assert row.answered_at == datetime(2026, 7, 1, 14, 5, tzinfo=UTC)

    view = contacts.get_contact(
        ctx, actor=handler, contact_id=taken.contact_id, justification="test"
    )
    assert view.presented_at == datetime(2026, 7, 1, 14, 0, tzinfo=UTC)
    assert _is_utc(view.presented_at)


def test_every_utc_column_is_a_time_zone_aware_timestamp_in_the_database(ctx):
    declared = [
        (table.name, column.name)
        for table in Base.metadata.tables.values()
        for column in table.columns
        if isinstance(column.type, UTCDateTime)
    ]
    assert len(declared) > 10
    inspector = inspect(ctx.db.engine)
    for table_name, column_name in declared:
        reflected = {c["name"]: c["type"] for c in inspector.get_columns(table_name)}
        column_type = reflected[column_name]
        assert isinstance(column_type, DateTime), (table_name, column_name)
        if ctx.db.dialect == "postgresql":
            # timestamptz: PostgreSQL keeps the instant, whatever the session zone.
            assert column_type.timezone is True, (table_name, column_name)


def test_an_aware_non_utc_value_is_converted_to_utc_on_the_way_in(ctx):
    india = timezone(timedelta(hours=5, minutes=30))
    with ctx.db.transaction() as session:
        row = PersonRow(
            given_name="Asha",
            family_name="Rao",
            created_at=datetime(2026, 5, 1, 12, 0, tzinfo=india),
        )
        session.add(row)
        session.flush()
        person_id = row.id
    with ctx.db.transaction() as session:
        assert _stored_utc_text(session, "people", "created_at", person_id) == "2026-05-01 06:30:00"
        stored = session.get(PersonRow, person_id)
        assert stored is not None
        assert stored.created_at == datetime(2026, 5, 1, 6, 30, tzinfo=UTC)
        assert _is_utc(stored.created_at)


def test_a_naive_datetime_is_refused_by_the_column_type_and_nothing_is_stored(ctx):
    with pytest.raises(StatementError) as refused, ctx.db.transaction() as session:
        session.add(
            PersonRow(given_name="Nora", family_name="Naive", created_at=datetime(2026, 5, 1, 12))
        )
        session.flush()
    assert isinstance(refused.value.orig, ValueError)
    assert "naive" in str(refused.value.orig)
    with ctx.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(PersonRow)) == 0


def test_a_naive_presented_at_is_refused_by_take_contact_and_nothing_is_stored(ctx, actors):
    with pytest.raises(ValidationFailed) as refused:
        contacts.take_contact(
            ctx,
            actor=actors[Role.CALL_HANDLER],
            new=_call(presented_at=datetime(2026, 3, 10, 13, 0)),
        )
    assert [p.field for p in refused.value.problems] == ["presented_at"]
    with ctx.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(ContactRow)) == 0


# --- the clock changes ------------------------------------------------------------------------


def test_autumn_change_two_contacts_at_0130_local_round_trip_in_order_one_hour_apart(
    ctx, actors, clock
):
    handler = actors[Role.CALL_HANDLER]
    zone = ctx.policy.force.timezone
    clock.set(datetime(2026, 10, 25, 2, 0, tzinfo=UTC))
    # 01:30 local happens twice on 25 October 2026: first in BST (fold=0), then in GMT (fold=1).
    first_local = datetime(2026, 10, 25, 1, 30, tzinfo=LONDON, fold=0)
    second_local = datetime(2026, 10, 25, 1, 30, tzinfo=LONDON, fold=1)
    first_utc = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    second_utc = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert (first_local.astimezone(UTC), second_local.astimezone(UTC)) == (first_utc, second_utc)

    # Store the later one first so that order cannot come from insertion order.
    second = contacts.take_contact(
        ctx, actor=handler, new=_call("second", presented_at=second_local)
    )
    first = contacts.take_contact(ctx, actor=handler, new=_call("first", presented_at=first_utc))

    with ctx.db.transaction() as session:
        assert _stored_utc_text(session, "contacts", "presented_at", first.contact_id) == (
            "2026-10-25 00:30:00"
        )
        assert _stored_utc_text(session, "contacts", "presented_at", second.contact_id) == (
            "2026-10-25 01:30:00"
        )
        ordered = list(session.scalars(select(ContactRow.id).order_by(ContactRow.presented_at)))
        later = list(
            session.scalars(
                select(ContactRow.id).where(
                    ContactRow.presented_at > datetime(2026, 10, 25, 1, 0, tzinfo=UTC)
                )
            )
        )
    assert ordered == [first.contact_id, second.contact_id]
    assert later == [second.contact_id]

    a = contacts.get_contact(ctx, actor=handler, contact_id=first.contact_id, justification="t")
    b = contacts.get_contact(ctx, actor=handler, contact_id=second.contact_id, justification="t")
    assert (a.presented_at, b.presented_at) == (first_utc, second_utc)
    assert _is_utc(a.presented_at) and _is_utc(b.presented_at)
    assert b.presented_at - a.presented_at == timedelta(hours=1)
    assert format_local(a.presented_at, zone, HM_ZONE) == "01:30 BST"
    assert format_local(b.presented_at, zone, HM_ZONE) == "01:30 GMT"


def test_spring_change_grade_one_arriving_15_minutes_later_meets_target_across_the_gap(
    ctx, actors, neighbourhoods, clock
):
    handler, dispatcher = actors[Role.CALL_HANDLER], actors[Role.DISPATCHER]
    zone = ctx.policy.force.timezone
    created = datetime(2026, 3, 29, 0, 50, tzinfo=UTC)  # 00:50 GMT
    arrived = datetime(2026, 3, 29, 1, 5, tzinfo=UTC)  # 02:05 BST: wall clock moved 1 h 15 min
    clock.set(created)
    taken = contacts.take_contact(
        ctx,
        actor=handler,
        new=NewContact(
            channel=Channel.EMERGENCY_999,
            summary="Man with a knife outside the pub",
            location_description="Market Square",
            neighbourhood_code=neighbourhoods["urban"],
        ),
    )
    contacts.assess_thrive(
        ctx, actor=handler, contact_id=taken.contact_id, assessment=KNIFE, notes={}
    )
    incident_id = contacts.grade_contact(
        ctx, actor=handler, contact_id=taken.contact_id, grade=Grade.EMERGENCY
    )
    clock.set(datetime(2026, 3, 29, 0, 55, tzinfo=UTC))
    incidents.deploy(ctx, actor=dispatcher, incident_id=incident_id, unit="AB12")
    clock.set(arrived)
    incidents.record_arrival(
        ctx,
        actor=dispatcher,
        incident_id=incident_id,
        body_worn_video=True,
        attending_officer_id=actors[Role.OFFICER].user_id,
    )

    entry = incidents.get_incident(
        ctx, actor=dispatcher, incident_id=incident_id, justification="t"
    )
    assert entry.incident.created_at == created
    assert entry.incident.arrived_at == arrived
    assert _is_utc(entry.incident.created_at) and _is_utc(entry.incident.arrived_at)
    assert format_local(entry.incident.created_at, zone, HM_ZONE) == "00:50 GMT"
    assert format_local(entry.incident.arrived_at, zone, HM_ZONE) == "02:05 BST"
    assert entry.attendance.target == timedelta(minutes=15)
    assert entry.attendance.elapsed == timedelta(minutes=15)
    assert entry.attendance.attended is True
    assert entry.attendance.breached is False
    with ctx.db.transaction() as session:
        assert _stored_utc_text(session, "incidents", "created_at", incident_id) == (
            "2026-03-29 00:50:00"
        )
        assert _stored_utc_text(session, "incidents", "arrived_at", incident_id) == (
            "2026-03-29 01:05:00"
        )
        row = session.get(IncidentRow, incident_id)
        assert row is not None and row.arrived_at is not None
        assert row.arrived_at - row.created_at == timedelta(minutes=15)


# --- migrations -------------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty, unmigrated database of its own: never the shared test database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
        return
    server = os.environ.get(POSTGRES_ENV)
    if not server:
        pytest.skip(f"PostgreSQL tests skipped: set {POSTGRES_ENV} to run them")
    name = f"watchhouse_migrate_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                {"n": name},
            )
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def _tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def _triggers(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            sql = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
        else:
            sql = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
        return set(connection.execute(text(sql)).scalars())


def _schema_differences(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        return list(compare_metadata(MigrationContext.configure(connection), Base.metadata))


def _head_revision() -> str:
    from alembic.script import ScriptDirectory

    from watchhouse.db.migrate import alembic_config

    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None
    return head


def _assert_at_head(engine: Engine) -> None:
    assert _tables(engine) == set(Base.metadata.tables) | {"alembic_version"}
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM roles")).scalar_one() == len(Role)
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == (
            _head_revision()
        )
    assert _triggers(engine) == (
        {"access_log_append_only", "access_log_no_truncate"}
        if engine.dialect.name == "postgresql"
        else {"access_log_no_update", "access_log_no_delete"}
    )
    assert _schema_differences(engine) == []


def test_migrations_go_down_to_base_and_up_again(fresh_url):
    engine = make_engine(fresh_url)
    try:
        upgrade(fresh_url)
        _assert_at_head(engine)

        downgrade(fresh_url, "base")
        engine.dispose()
        assert _tables(engine) <= {"alembic_version"}
        assert _triggers(engine) == set()
        if engine.dialect.name == "postgresql":
            with engine.connect() as connection:
                assert (
                    connection.execute(
                        text(
                            "SELECT count(*) FROM pg_proc "
                            "WHERE proname = 'access_log_refuse_change'"
                        )
                    ).scalar_one()
                    == 0
                )

        upgrade(fresh_url)
        engine.dispose()
        _assert_at_head(engine)
    finally:
        engine.dispose()


def test_autogenerate_finds_no_difference_between_tables_and_migrated_schema(ctx):
    assert _schema_differences(ctx.db.engine) == []


def test_with_background_checkpoints_requests_never_checkpoint_and_the_thread_does(tmp_path):
    """SQLite, `sqlite_background_checkpoint`: pooled connections have automatic checkpoints
    off, and what is committed still reaches the database file itself (copied from the
    write-ahead log by the thread)."""
    import sqlite3
    import time

    from watchhouse.db.engine import Database

    path = tmp_path / "checkpoint.sqlite3"
    upgrade(f"sqlite:///{path}")
    db = Database(f"sqlite:///{path}", background_checkpoint=True)

    def people_in_the_file_itself() -> int:
        # immutable=1 reads the database file and ignores the write-ahead log.
        reader = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
        try:
            return int(reader.execute("SELECT count(*) FROM people").fetchone()[0])
        finally:
            reader.close()

    try:
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 0
        with db.transaction() as session:
            for number in range(200):
                session.add(
                    PersonRow(
                        family_name=f"Name{number}",
                        given_name="A",
                        created_at=datetime(2024, 1, 1, tzinfo=UTC),
                    )
                )
        deadline = time.monotonic() + 30
        while people_in_the_file_itself() < 200 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert people_in_the_file_itself() == 200
    finally:
        db.dispose()


def test_every_table_has_a_dependency_order_without_a_foreign_key_cycle_warning():
    """Exports and imports walk the tables in dependency order; a cycle (incidents closed as
    a crime that came from the incident) must be broken, not warned about and ignored."""
    import warnings

    from watchhouse.db.repositories.imports import table_names

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        names = table_names()
    assert names.index("contacts") < names.index("incidents") < names.index("crimes")
