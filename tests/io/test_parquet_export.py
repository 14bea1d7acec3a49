"""Exporting the store to Parquet: every table but sessions, no password hashes, UTC times,
chunked writing, one logged disclosure, and nothing left behind by a failed export."""

from __future__ import annotations

from datetime import timedelta

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import select

from watchhouse.auth.tokens import new_token, token_digest
from watchhouse.db.bulk import count_rows
from watchhouse.db.repositories import imports as imports_repo
from watchhouse.db.repositories import users as user_repo
from watchhouse.db.tables import AccessLogRow
from watchhouse.domain.errors import ValidationFailed
from watchhouse.domain.records import NewContact
from watchhouse.domain.roles import Role
from watchhouse.domain.values import Channel
from watchhouse.services import contacts, export, imports

pytestmark = pytest.mark.integration


@pytest.fixture
def filled(ctx, actors, neighbourhoods, samples, write_csv):
    """A store with users, a session, contacts, data.police.uk rows and some log entries."""
    handler = actors[Role.CALL_HANDLER]
    for summary in ("one", "two", "three"):
        contacts.take_contact(
            ctx,
            actor=handler,
            new=NewContact(
                channel=Channel.NON_EMERGENCY_101,
                summary=summary,
                caller_given_name="Alex",
                caller_family_name="Example",
                location_description="12 Market Street",
                neighbourhood_code="central",
            ),
        )
    with ctx.db.transaction() as session:
        user_repo.start_session(
            session=session,
            user_id=handler.user_id,
            token_digest=token_digest(new_token()),
            csrf_token=new_token(),
            kind="browser",
            now=ctx.now(),
            expires_at=ctx.now() + timedelta(hours=1),
        )
    path = write_csv(
        "crimes.csv", samples.street_header, [samples.street(f"x{i}") for i in range(5)]
    )
    imports.import_police_uk(ctx, actor=actors[Role.ADMINISTRATOR], path=path)


def _counts(ctx) -> dict[str, int]:
    with ctx.db.transaction() as session:
        return {
            name: count_rows(session=session, table_name=name)
            for name in export.exportable_tables()
        }


def _disclosures(ctx) -> list[AccessLogRow]:
    with ctx.db.transaction() as session:
        return list(
            session.scalars(select(AccessLogRow).where(AccessLogRow.operation == "disclosure"))
        )


def test_every_table_round_trips_its_row_count_and_the_export_is_one_disclosure(
    ctx, actors, filled, tmp_path
):
    analyst = actors[Role.ANALYST]
    result = export.export_parquet(
        ctx,
        actor=analyst,
        directory=tmp_path / "out",
        justification="Quarterly demand analysis",
        recipient="force analytics team",
    )
    counts = _counts(ctx)
    assert {t.name for t in result.tables} == set(counts)
    for table in result.tables:
        assert pq.read_metadata(table.path).num_rows == counts[table.name] == table.rows
    assert counts["contacts"] == 3 and counts["police_uk_crimes"] == 5
    files = {p.name for p in (tmp_path / "out").iterdir()}
    assert "user_sessions.parquet" not in files
    assert not [f for f in files if f.endswith(".partial")]
    (entry,) = _disclosures(ctx)
    assert (entry.username, entry.record_type, entry.justification, entry.recipient) == (
        analyst.username,
        "parquet_export",
        "Quarterly demand analysis",
        "force analytics team",
    )


def test_users_are_exported_without_password_hashes(ctx, actors, tmp_path):
    export.export_parquet(
        ctx, actor=actors[Role.ANALYST], directory=tmp_path, justification="audit", tables=["users"]
    )
    users = pq.read_table(tmp_path / "users.parquet")
    assert "password_hash" not in users.column_names
    assert users.num_rows == len(Role)
    assert "username" in users.column_names


def test_times_are_utc_timestamps_and_written_in_chunks(ctx, actors, filled, tmp_path):
    out = tmp_path / "out"
    export.export_parquet(
        ctx,
        actor=actors[Role.ANALYST],
        directory=out,
        justification="analysis",
        tables=["contacts", "police_uk_crimes"],
        chunk_rows=2,
    )
    contacts_file = pq.ParquetFile(out / "contacts.parquet")
    assert contacts_file.schema_arrow.field("presented_at").type == pa.timestamp("us", tz="UTC")
    assert contacts_file.metadata.num_row_groups == 2  # 3 rows, 2 at a time
    presented = pq.read_table(out / "contacts.parquet").column("presented_at").to_pylist()
    assert presented[0] == ctx.now() and presented[0].utcoffset() == timedelta(0)
    crimes = pq.read_table(out / "police_uk_crimes.parquet")
    assert crimes.column("longitude").type == pa.float64()
    assert sorted(crimes.column("crime_id").to_pylist()) == [f"x{i}" for i in range(5)]
    assert {p.name for p in out.iterdir()} == {"contacts.parquet", "police_uk_crimes.parquet"}


def test_an_export_needs_a_justification_and_refuses_sessions_and_unknown_tables(
    ctx, actors, tmp_path
):
    analyst = actors[Role.ANALYST]
    with pytest.raises(ValidationFailed, match="justification"):
        export.export_parquet(ctx, actor=analyst, directory=tmp_path / "a", justification=" ")
    with pytest.raises(ValidationFailed, match="never exported: user_sessions"):
        export.export_parquet(
            ctx,
            actor=analyst,
            directory=tmp_path / "b",
            justification="x",
            tables=["user_sessions"],
        )
    with pytest.raises(ValidationFailed, match="no such tables: nonsense"):
        export.export_parquet(
            ctx, actor=analyst, directory=tmp_path / "c", justification="x", tables=["nonsense"]
        )
    assert not list((tmp_path / "a").iterdir())
    assert _disclosures(ctx) == []


def test_a_failed_export_leaves_no_files_and_no_log_entry(
    ctx, actors, filled, tmp_path, monkeypatch
):
    real = imports_repo.stream_table

    def fail_on_contacts(**kwargs):
        if kwargs["table_name"] == "contacts":
            raise RuntimeError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(imports_repo, "stream_table", fail_on_contacts)
    with pytest.raises(RuntimeError, match="disk full"):
        export.export_parquet(
            ctx, actor=actors[Role.ANALYST], directory=tmp_path / "out", justification="analysis"
        )
    assert list((tmp_path / "out").iterdir()) == []
    assert _disclosures(ctx) == []


def test_the_exported_access_log_holds_the_exports_own_disclosure(ctx, actors, filled, tmp_path):
    result = export.export_parquet(
        ctx, actor=actors[Role.ANALYST], directory=tmp_path / "out", justification="analysis"
    )
    log = pq.read_table(tmp_path / "out" / "access_log.parquet")
    assert log.column("operation").to_pylist().count("disclosure") == 1
    assert result.rows == sum(_counts(ctx).values())
