"""The staged Arrow loader: every row stored once whatever the number of parts, clashing keys
skipped and not counted, times and flags read back as written, scratch files detached when the
transaction ends, and a failure while staging stores nothing."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pyarrow as pa
import pytest
from sqlalchemy import select

from watchhouse.db import bulk
from watchhouse.db.engine import Database
from watchhouse.db.tables import ImportBatchRow, PoliceUkCrimeRow, PoliceUkStopSearchRow

pytestmark = pytest.mark.integration


def _crimes(numbers: range) -> pa.Table:
    return pa.table(
        {
            "row_key": pa.array([n.to_bytes(16, "little") for n in numbers], pa.binary(16)),
            "crime_id": [f"c{n}" for n in numbers],
            "month": ["2024-01"] * len(numbers),
            "reported_by": ["Avon and Somerset Constabulary"] * len(numbers),
            "falls_within": ["Avon and Somerset Constabulary"] * len(numbers),
            "longitude": [-2.5 - n / 1000 for n in numbers],
            "crime_type": ["Burglary"] * len(numbers),
        }
    )


def _stored_crime_ids(database) -> list[str]:
    with database.transaction() as session:
        return sorted(session.scalars(select(PoliceUkCrimeRow.crime_id)))


@pytest.mark.parametrize("stage_rows", [1, 7, 1000])
def test_every_row_is_stored_once_however_it_is_split(database, stage_rows):
    with database.transaction() as session:
        added = bulk.insert_arrow_staged(
            session=session,
            table_name="police_uk_crimes",
            data=_crimes(range(40)),
            ignore_conflicts_on=["row_key"],
            cluster_on="row_key",
            stage_rows=stage_rows,
        )
    assert added == 40
    assert _stored_crime_ids(database) == sorted(f"c{n}" for n in range(40))
    with database.transaction() as session:
        query = select(PoliceUkCrimeRow.crime_id, PoliceUkCrimeRow.longitude)
        longitudes = {crime: longitude for crime, longitude in session.execute(query)}
    assert longitudes["c25"] == pytest.approx(-2.525)


def test_rows_whose_key_is_stored_are_skipped_and_not_counted(database):
    with database.transaction() as session:
        bulk.insert_arrow_staged(
            session=session,
            table_name="police_uk_crimes",
            data=_crimes(range(10)),
            ignore_conflicts_on=["row_key"],
        )
    progress: list[int] = []
    with database.transaction() as session:
        added = bulk.insert_arrow_staged(
            session=session,
            table_name="police_uk_crimes",
            data=_crimes(range(5, 15)),
            ignore_conflicts_on=["row_key"],
            progress=progress.append,
            stage_rows=4,
        )
    assert added == 5
    assert sum(progress) == 10
    assert len(_stored_crime_ids(database)) == 15


def test_times_and_flags_read_back_as_written(database):
    searched = datetime(2024, 3, 31, 0, 30, 15, 250_000, tzinfo=UTC)  # the night clocks go forward
    data = pa.table(
        {
            "row_key": pa.array([bytes([n]) * 16 for n in range(3)], pa.binary(16)),
            "force": ["avon-and-somerset"] * 3,
            "search_type": ["Person search"] * 3,
            "searched_at": pa.array(
                [searched, searched + timedelta(hours=1), searched + timedelta(days=200)],
                pa.timestamp("us", tz="UTC"),
            ),
            "part_of_policing_operation": pa.array([True, False, None], pa.bool_()),
        }
    )
    with database.transaction() as session:
        bulk.insert_arrow_staged(
            session=session, table_name="police_uk_stop_searches", data=data, stage_rows=1
        )
    with database.transaction() as session:
        rows = session.execute(
            select(
                PoliceUkStopSearchRow.searched_at, PoliceUkStopSearchRow.part_of_policing_operation
            ).order_by(PoliceUkStopSearchRow.searched_at)
        ).all()
    assert rows == [
        (searched, True),
        (searched + timedelta(hours=1), False),
        (searched + timedelta(days=200), None),
    ]


def test_times_in_any_zone_read_back_as_the_same_moments(database):
    london = ZoneInfo("Europe/London")
    moments = [
        datetime(2025, 10, 26, 1, 30, 0, 1, tzinfo=london, fold=1),  # the repeated hour, GMT
        datetime(2025, 7, 1, 23, 59, 59, 999_999, tzinfo=london),  # summer time
        datetime(1900, 1, 1, tzinfo=UTC),
    ]
    data = pa.table(
        {
            "importer": ["force_export"] * 3,
            "source_file": ["a.csv", "b.csv", "c.csv"],
            "file_sha256": ["0" * 64] * 3,
            "started_at": pa.array(moments, pa.timestamp("us", tz="Europe/London")),
            "finished_at": pa.array([None, moments[0], None], pa.timestamp("us", tz="UTC")),
            **{f"rows_{n}": [0] * 3 for n in ("read", "added", "duplicate", "rejected")},
        }
    )
    with database.transaction() as session:
        bulk.insert_arrow_staged(session=session, table_name="import_batches", data=data)
    with database.transaction() as session:
        rows = session.execute(
            select(ImportBatchRow.started_at, ImportBatchRow.finished_at).order_by(
                ImportBatchRow.source_file
            )
        ).all()
    utc = [m.astimezone(UTC) for m in moments]  # an ambiguous local time never == another zone's
    assert rows == [(utc[0], None), (utc[1], utc[0]), (utc[2], None)]
    assert utc[0] == datetime(2025, 10, 26, 1, 30, 0, 1, tzinfo=UTC)


def test_unknown_columns_are_refused_before_anything_is_written(database):
    refused = pytest.raises(ValueError, match="has no columns \\['colour'\\]")
    with refused, database.transaction() as session:
        bulk.insert_arrow_staged(
            session=session,
            table_name="police_uk_crimes",
            data=_crimes(range(3)).append_column("colour", pa.array(["red"] * 3)),
        )
    assert _stored_crime_ids(database) == []


# --- SQLite scratch files ------------------------------------------------------------------


@pytest.fixture
def sqlite_database(tmp_path, sqlite_template):
    path = tmp_path / "staged.sqlite3"
    path.write_bytes(sqlite_template.read_bytes())
    database = Database(f"sqlite:///{path}")
    yield database
    database.dispose()


def _attached(session) -> list[str]:
    connection = session.connection().connection.dbapi_connection
    return [row[1] for row in connection.execute("PRAGMA database_list")]


def test_scratch_files_are_detached_when_the_transaction_ends(sqlite_database):
    with sqlite_database.transaction() as session:
        bulk.insert_arrow_staged(
            session=session, table_name="police_uk_crimes", data=_crimes(range(30)), stage_rows=10
        )
        assert len([a for a in _attached(session) if a.startswith(bulk.STAGE_PREFIX)]) == 3
    with sqlite_database.transaction() as session:
        assert _attached(session) == ["main"]


def test_with_no_attachment_to_spare_rows_are_still_stored(sqlite_database, tmp_path):
    with sqlite_database.transaction() as session:
        connection = session.connection().connection.dbapi_connection
        limit = connection.getlimit(sqlite3.SQLITE_LIMIT_ATTACHED)
        for number in range(limit - 1):
            connection.execute(
                f"ATTACH DATABASE ? AS {bulk.STAGE_PREFIX}busy{number}",
                (str(tmp_path / f"busy{number}.sqlite3"),),
            )
        added = bulk.insert_arrow_staged(
            session=session, table_name="police_uk_crimes", data=_crimes(range(12)), stage_rows=5
        )
    assert added == 12
    assert len(_stored_crime_ids(sqlite_database)) == 12


def test_a_failure_while_staging_stores_nothing(sqlite_database, monkeypatch):
    import adbc_driver_sqlite.dbapi as adbc_sqlite

    real_connect = adbc_sqlite.connect
    opened: list[str] = []

    def fail_on_the_second_part(path: str, **kwargs):
        opened.append(path)
        if len(opened) == 2:
            raise OSError("No space left on device")
        return real_connect(path, **kwargs)

    monkeypatch.setattr(adbc_sqlite, "connect", fail_on_the_second_part)
    failed = pytest.raises(RuntimeError, match="staging rows for the store failed: No space left")
    with failed, sqlite_database.transaction() as session:
        bulk.insert_arrow_staged(
            session=session,
            table_name="police_uk_crimes",
            data=_crimes(range(30)),
            stage_rows=10,
        )
    assert len(opened) == 2
    assert _stored_crime_ids(sqlite_database) == []


@pytest.mark.parametrize("step", [1, 3])
def test_reserved_ids_are_new_distinct_and_ascending(database, step):
    """Ids reserved for a hand-made insert are the sequence's (PostgreSQL), consecutive or
    not (another session may take ids meanwhile: a step of 3 stands in for that)."""
    from sqlalchemy import text

    from watchhouse.db.repositories import imports as repo

    with database.transaction() as session:
        postgres = session.get_bind().dialect.name == "postgresql"
        if postgres:
            session.execute(text(f"ALTER SEQUENCE {_sequence(session)} INCREMENT BY {step}"))
        first = repo.reserve_ids(session=session, table_name="contacts", count=5)
        second = repo.reserve_ids(session=session, table_name="contacts", count=4)
        if postgres:
            session.execute(text(f"ALTER SEQUENCE {_sequence(session)} INCREMENT BY 1"))
    assert first.dtype == second.dtype == "int64"
    assert list(first) == sorted(first) and len(set(first)) == 5
    if postgres:
        assert list(first) == [first[0] + step * k for k in range(5)]
        assert second[0] == first[-1] + step and len(set(second)) == 4
    else:
        assert list(first) == list(range(first[0], first[0] + 5))


def _sequence(session) -> str:
    from sqlalchemy import text

    return str(session.scalar(text("SELECT pg_get_serial_sequence('contacts', 'id')")))
