"""The measures service on a real store (SQLite and PostgreSQL): the snapshot, values through
the catalogue, clear refusals, and drill-down logged as consultations."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from watchhouse.analytics.catalogue import Cut, Period
from watchhouse.db.repositories import contacts as contacts_repo
from watchhouse.domain.access import AccessQuery, Operation
from watchhouse.domain.errors import ValidationFailed
from watchhouse.domain.records import NewContact
from watchhouse.domain.roles import Actor, Role
from watchhouse.domain.values import Channel
from watchhouse.services import measures
from watchhouse.services.access import log_access, search_access_log
from watchhouse.services.accounts import add_user, sign_in
from watchhouse.services.contacts import get_contact, take_contact
from watchhouse.services.context import AppContext

pytestmark = pytest.mark.integration

MAY = datetime(2024, 5, 7, 9, 0, tzinfo=UTC)


def _call(ctx: AppContext, actor: Actor, *, at: datetime, wait: float | None, hood: str) -> int:
    new = NewContact(
        channel=Channel.EMERGENCY_999,
        presented_at=at,
        answered_at=None if wait is None else at + timedelta(seconds=wait),
        abandoned=wait is None,
        location_description="1 High Street",
        neighbourhood_code=hood,
        summary="a 999 call",
    )
    return take_contact(ctx, actor=actor, new=new).contact_id


@pytest.fixture
def may_calls(
    ctx: AppContext, actors: dict[Role, Actor], neighbourhoods: dict[str, str], clock: Any
) -> list[int]:
    """Four 999 calls in May 2024: answered in 4 s, 9.9 s and 10 s (central), and one abandoned
    call (moor)."""
    clock.set(datetime(2024, 6, 3, 8, 0, tzinfo=UTC))
    handler = actors[Role.CALL_HANDLER]
    return [
        _call(ctx, handler, at=MAY, wait=4, hood="central"),
        _call(ctx, handler, at=MAY + timedelta(hours=1), wait=9.9, hood="central"),
        _call(ctx, handler, at=MAY + timedelta(hours=2), wait=10, hood="central"),
        _call(ctx, handler, at=MAY + timedelta(hours=3), wait=None, hood="moor"),
    ]


def test_999_share_counts_abandoned_call_against_standard_by_neighbourhood(
    ctx: AppContext, actors: dict[Role, Actor], may_calls: list[int]
) -> None:
    # Force, May: 2 of 4 (4 s and 9.9 s; exactly 10 s misses; the abandoned call counts
    # against) = 0.5. Central: 2 of 3. Moor: 0 of 1. June: no calls, so None.
    analyst = actors[Role.ANALYST]
    force = measures.compute_measures(
        ctx,
        actor=analyst,
        measures=["contact.999_answered_within_10s"],
        start=date(2024, 5, 1),
        end=date(2024, 6, 30),
    )
    assert [(v.period_label, v.value, v.numerator, v.denominator) for v in force] == [
        ("2024-05", 0.5, 2.0, 4.0),
        ("2024-06", None, None, None),
    ]
    by_hood = measures.compute_measures(
        ctx,
        actor=analyst,
        measures=["contact.999_answered_within_10s"],
        cut=Cut.NEIGHBOURHOOD,
        start=date(2024, 5, 1),
        end=date(2024, 5, 31),
    )
    assert {v.cut_value: v.value for v in by_hood} == {"central": 2 / 3, "moor": 0.0}


def test_snapshot_is_taken_again_when_the_store_changes(
    ctx: AppContext, actors: dict[Role, Actor], may_calls: list[int]
) -> None:
    first = measures.take_snapshot(ctx)
    assert measures.take_snapshot(ctx).fingerprint == first.fingerprint
    _call(ctx, actors[Role.CALL_HANDLER], at=MAY + timedelta(days=1), wait=3, hood="moor")
    values = measures.compute_measures(
        ctx,
        actor=actors[Role.ANALYST],
        measures=["contact.demand"],
        start=date(2024, 5, 1),
        end=date(2024, 5, 31),
    )
    assert [v.value for v in values] == [5.0]
    assert measures.take_snapshot(ctx).fingerprint != first.fingerprint


def test_unknown_measure_and_unsupported_cut_are_refused_by_name(
    ctx: AppContext, actors: dict[Role, Actor]
) -> None:
    analyst = actors[Role.ANALYST]
    with pytest.raises(ValidationFailed, match=r"no measure 'contact\.nonsense'"):
        measures.compute_measures(
            ctx,
            actor=analyst,
            measures=["contact.nonsense"],
            start=date(2024, 5, 1),
            end=date(2024, 5, 31),
        )
    with pytest.raises(ValidationFailed, match="cannot be cut by channel"):
        measures.compute_measures(
            ctx,
            actor=analyst,
            measures=["contact.999_answered_within_10s"],
            cut=Cut.CHANNEL,
            start=date(2024, 5, 1),
            end=date(2024, 5, 31),
        )


def test_drill_down_lists_the_records_and_logs_a_consultation_of_each(
    ctx: AppContext, actors: dict[Role, Actor], may_calls: list[int]
) -> None:
    analyst = actors[Role.ANALYST]
    rows = measures.drill_down(
        ctx,
        actor=analyst,
        measure="contact.999_answered_within_10s",
        period=Period.MONTH,
        period_start=date(2024, 5, 1),
        cut=Cut.NEIGHBOURHOOD,
        cut_value="central",
    )
    assert [(r["record_id"], r["num"]) for r in rows] == [
        (may_calls[0], 1),
        (may_calls[1], 1),
        (may_calls[2], 0),
    ]
    logged = search_access_log(
        ctx, actor=actors[Role.AUDITOR], query=AccessQuery(username="analyst")
    )
    consulted = sorted(
        int(e.record_id)
        for e in logged
        if e.operation == "consultation" and e.record_type == "contact"
    )
    assert consulted == sorted(may_calls[:3])


def test_snapshot_holds_no_names_numbers_or_free_text(
    ctx: AppContext, may_calls: list[int]
) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    snapshot = measures.take_snapshot(ctx)
    files = {p.stem for p in snapshot.directory.glob("*.parquet")}
    assert "contacts" in files and "people" not in files and "telephone_numbers" not in files
    columns = set(pq.read_schema(snapshot.directory / "contacts.parquet").names)
    assert not columns & {"caller_name", "caller_given_name", "caller_telephone", "summary"}
    assert pq.read_metadata(snapshot.directory / "contacts.parquet").num_rows == 4
    prepared = pa.ipc.open_file(snapshot.directory / "contacts.prepared.arrow").read_all()
    assert prepared.num_rows == 4 and "presented_day" in prepared.column_names
    assert not set(prepared.column_names) & {"caller_name", "caller_telephone", "summary"}


def test_drill_down_refuses_a_day_no_period_starts_on(
    ctx: AppContext, actors: dict[Role, Actor], may_calls: list[int]
) -> None:
    with pytest.raises(ValidationFailed, match="no month period starts on 2024-05-02"):
        measures.drill_down(
            ctx,
            actor=actors[Role.ANALYST],
            measure="contact.demand",
            period=Period.MONTH,
            period_start=date(2024, 5, 2),
        )


def _demand(ctx: AppContext, actor: Actor) -> measures.MeasuredValues:
    """May's demand as the board reads it: from the snapshot it has, never waiting."""
    return measures.measures_as_at(
        ctx,
        actor=actor,
        measures=["contact.demand"],
        start=date(2024, 5, 1),
        end=date(2024, 5, 31),
        fresh=False,
    )


def test_consultations_and_sign_ins_alone_leave_the_snapshot_as_it_was(
    ctx: AppContext, actors: dict[Role, Actor], may_calls: list[int]
) -> None:
    first = measures.take_snapshot(ctx)
    get_contact(
        ctx, actor=actors[Role.CALL_HANDLER], contact_id=may_calls[0], justification="call back"
    )
    measures.drill_down(
        ctx,
        actor=actors[Role.ANALYST],
        measure="contact.demand",
        period=Period.MONTH,
        period_start=date(2024, 5, 1),
    )
    add_user(
        ctx, username="newcomer", display_name="New", role=Role.ANALYST, password="newcomer-pass-1"
    )
    sign_in(ctx, username="newcomer", password="newcomer-pass-1")
    again = measures.take_snapshot(ctx)
    assert (again.taken_at, again.fingerprint) == (first.taken_at, first.fingerprint)


def test_a_logged_change_to_a_measured_row_in_place_is_seen(
    ctx: AppContext, actors: dict[Role, Actor], may_calls: list[int], clock: Any
) -> None:
    import pyarrow.parquet as pq

    first = measures.take_snapshot(ctx)
    clock.advance(seconds=5)
    with ctx.db.transaction() as session:  # as a service does: row changed, change logged
        contacts_repo.set_status(session=session, contact_id=may_calls[0], status="resolved")
        log_access(
            ctx,
            session=session,
            actor=actors[Role.CALL_HANDLER],
            operation=Operation.ALTERATION,
            record_type="contact",
            record_id=may_calls[0],
        )
    again = measures.take_snapshot(ctx)
    assert again.fingerprint != first.fingerprint and again.taken_at > first.taken_at
    stored = pq.read_table(again.directory / "contacts.parquet").to_pylist()
    assert {r["id"]: r["status"] for r in stored}[may_calls[0]] == "resolved"


def test_board_serves_the_snapshot_it_has_and_refreshes_in_the_background(
    ctx: AppContext, actors: dict[Role, Actor], may_calls: list[int], clock: Any
) -> None:
    analyst = actors[Role.ANALYST]
    before = _demand(ctx, analyst)
    assert [v.value for v in before.values] == [4.0]
    _call(ctx, actors[Role.CALL_HANDLER], at=MAY + timedelta(days=1), wait=3, hood="moor")
    clock.advance(seconds=299)  # checked under 300 s ago (the default): served as it is
    assert [v.value for v in _demand(ctx, analyst).values] == [4.0]
    measures.wait_for_refresh(ctx, timeout=60)
    assert [v.value for v in _demand(ctx, analyst).values] == [4.0]
    clock.advance(seconds=2)  # now older: still served at once, refreshed behind the page
    stale = _demand(ctx, analyst)
    assert [v.value for v in stale.values] == [4.0] and stale.as_at == before.as_at
    measures.wait_for_refresh(ctx, timeout=60)
    after = _demand(ctx, analyst)
    assert [v.value for v in after.values] == [5.0]
    assert after.as_at == clock.moment


def test_a_store_with_no_snapshot_makes_one_before_the_board_shows(
    ctx: AppContext, actors: dict[Role, Actor], may_calls: list[int]
) -> None:
    assert not (Path(ctx.settings.data_dir) / measures.SNAPSHOT_DIR).exists()
    shown = _demand(ctx, actors[Role.ANALYST])
    assert [v.value for v in shown.values] == [4.0]
    assert (Path(ctx.settings.data_dir) / measures.SNAPSHOT_DIR / "contacts.parquet").exists()


def test_the_cli_path_sees_a_change_at_once_even_when_the_board_would_wait(
    ctx: AppContext, actors: dict[Role, Actor], may_calls: list[int]
) -> None:
    analyst = actors[Role.ANALYST]
    assert [v.value for v in _demand(ctx, analyst).values] == [4.0]
    _call(ctx, actors[Role.CALL_HANDLER], at=MAY + timedelta(days=1), wait=3, hood="moor")
    fresh = measures.compute_measures(
        ctx,
        actor=analyst,
        measures=["contact.demand"],
        start=date(2024, 5, 1),
        end=date(2024, 5, 31),
    )
    assert [v.value for v in fresh] == [5.0]


def test_investigation_measures_judge_on_time_by_the_worklists_rules(ctx: AppContext) -> None:
    """The measures take review and Victims' Code deadlines from [investigations] and
    [victims_code], so a force that changes them changes the worklists and the board alike."""
    policy = ctx.policy.model_copy(
        update={
            "investigations": ctx.policy.investigations.model_copy(update={"first_review_days": 3}),
            "victims_code": ctx.policy.victims_code.model_copy(
                update={
                    "update_working_days": 4,
                    "enhanced_update_working_days": 2,
                    "most_serious_crime_groups": ["Robbery"],
                }
            ),
        }
    )
    changed = AppContext(settings=ctx.settings, db=ctx.db, policy=policy, clock=ctx.clock)
    params = measures.measure_params(changed, as_of=MAY)
    assert params.first_review_days == 3
    assert params.victim_update_working_days == 4
    assert params.victim_update_working_days_enhanced == 2
    assert params.enhanced_crime_groups == ("Robbery",)
