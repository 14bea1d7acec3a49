"""`synth_to_database` loads the synthetic force into the configured store (SQLite, and
PostgreSQL when WATCHHOUSE_TEST_POSTGRES_URL is set) in one transaction, readable by the ORM."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date

import pyarrow as pa
import pytest

from watchhouse.db import bulk
from watchhouse.db.repositories.contacts import contact_view
from watchhouse.services import synth as synth_service
from watchhouse.services.context import AppContext
from watchhouse.services.synth import SynthRequest, synth_to_database
from watchhouse.synth.generator import SyntheticForce
from watchhouse.synth.profile import load_profile
from watchhouse.synth.schema import TABLE_ORDER

pytestmark = pytest.mark.integration

REQUEST = SynthRequest(start=date(2024, 3, 1), end=date(2024, 4, 1), scale=0.01, seed=17)


def _in_memory(request: SynthRequest) -> dict[str, pa.Table]:
    force = SyntheticForce(
        load_profile(request.profile),
        seed=request.seed,
        scale=request.scale,
        start=request.start,
        end=request.end,
    )
    chunks: dict[str, list[pa.Table]] = {}
    for tables in force:
        for name, table in tables.items():
            chunks.setdefault(name, []).append(table)
    return {name: pa.concat_tables(parts) for name, parts in chunks.items()}


def _counts(ctx: AppContext) -> dict[str, int]:
    with ctx.db.transaction() as session:
        return {name: bulk.count_rows(session=session, table_name=name) for name in TABLE_ORDER}


def test_synth_loads_every_table_and_the_orm_reads_it_back(ctx: AppContext) -> None:
    rows = synth_to_database(ctx, REQUEST)
    assert set(rows) == set(TABLE_ORDER)
    assert all(rows[name] > 0 for name in ("contacts", "people", "incidents", "crimes"))
    assert _counts(ctx) == rows
    # The store holds exactly what the generator makes for the same request (an empty store
    # starts every table's ids at 1, as the generator does on its own).
    expected = _in_memory(REQUEST)
    assert rows == {name: table.num_rows for name, table in expected.items()}

    contacts = expected["contacts"].to_pylist()
    incidents = {row["contact_id"]: row for row in expected["incidents"].to_pylist()}
    people = {row["id"]: row for row in expected["people"].to_pylist()}
    locations = {row["id"]: row for row in expected["locations"].to_pylist()}
    chosen = next(
        row
        for row in contacts
        if row["person_id"] is not None
        and row["id"] in incidents
        and locations[row["location_id"]]["postcode"]
    )
    with ctx.db.transaction() as session:
        view = contact_view(session=session, contact_id=chosen["id"])
    assert view.channel.value == chosen["channel"]
    assert abs((view.presented_at - chosen["presented_at"]).total_seconds()) < 1
    assert view.presented_at.utcoffset() is not None
    assert view.presented_at.astimezone(UTC).date() >= REQUEST.start
    assert not view.abandoned
    assert view.caller_name == chosen["caller_name"]
    assert view.status == chosen["status"]
    assert view.person is not None
    person = people[chosen["person_id"]]
    assert (view.person.given_name, view.person.family_name) == (
        person["given_name"],
        person["family_name"],
    )
    assert view.location is not None
    assert view.location.postcode == locations[chosen["location_id"]]["postcode"]
    assert view.thrive is not None and view.incident is not None
    incident = incidents[chosen["id"]]
    assert int(view.incident.grade) == incident["grade"]
    assert int(view.thrive.suggestion.grade) == incident["suggested_grade"]
    assert view.incident.settlement.value == incident["settlement"]


def test_a_second_synth_into_the_same_store_is_refused(ctx: AppContext) -> None:
    synth_to_database(ctx, REQUEST)
    before = _counts(ctx)
    with pytest.raises(RuntimeError, match="already holds a synthetic force"):
        synth_to_database(ctx, REQUEST)
    assert _counts(ctx) == before


def test_a_failed_synth_leaves_nothing_behind(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Failing(SyntheticForce):
        def __iter__(self) -> Iterator[dict[str, pa.Table]]:
            iterator = super().__iter__()
            yield next(iterator)
            raise OSError("disk full")

    monkeypatch.setattr(synth_service, "SyntheticForce", Failing)
    request = SynthRequest(start=date(2024, 1, 1), end=date(2024, 3, 1), scale=0.01, seed=1)
    with pytest.raises(OSError, match="disk full"):
        synth_to_database(ctx, request)
    assert set(_counts(ctx).values()) == {0}


def test_the_force_has_cancelled_incidents_and_crime_recorded_closures_link_their_crime(
    ctx: AppContext,
) -> None:
    """Issue 15: cancelled incidents (with a reason, and for grades 1 and 2 a supervisor's
    authority or a rationale), and every "crime recorded" closure linked to its crime."""
    synth_to_database(ctx, REQUEST)
    from sqlalchemy import select

    from watchhouse.db.tables import CrimeRow, IncidentRow

    with ctx.db.transaction() as session:
        rows = session.execute(
            select(
                IncidentRow.id,
                IncidentRow.grade,
                IncidentRow.closure,
                IncidentRow.closure_reason,
                IncidentRow.closure_authority,
                IncidentRow.closure_rationale,
                IncidentRow.closure_crime_id,
                IncidentRow.arrived_at,
            )
        ).all()
        crime_incident = dict(session.execute(select(CrimeRow.id, CrimeRow.incident_id)).all())
    cancelled = [r for r in rows if r.closure == "cancelled"]
    assert len(cancelled) >= 5
    reasons = ctx.policy.closure.closure_reasons()
    for r in cancelled:
        assert r.closure_reason in reasons
        assert "cancelled" in {c.value for c in reasons[r.closure_reason].closures}
        assert r.arrived_at is None
        if r.grade <= 2:
            assert r.closure_authority in ("supervisor", "rationale")
            assert (r.closure_authority == "rationale") == bool(r.closure_rationale)
    assert any(r.grade <= 2 for r in cancelled)
    recorded = [r for r in rows if r.closure == "crime_recorded"]
    assert recorded
    assert all(crime_incident[r.closure_crime_id] == r.id for r in recorded)
