"""The planning page compares the stored plan with what happened: forecast against actual
contacts by day, the daily MAPE, and the planned against the actual share answered in time."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from watchhouse.db import bulk
from watchhouse.db.repositories import planning as repo
from watchhouse.domain.roles import Role
from watchhouse.services.context import AppContext
from watchhouse.services.plan_actuals import plan_against_actual

pytestmark = pytest.mark.web

FIRST = datetime(2026, 6, 1, tzinfo=UTC)  # Monday; London is on BST, so local days start 23:00 UTC
LOCAL_FIRST = FIRST - timedelta(hours=1)  # midnight, Monday 1 June, in London


def _store(ctx: AppContext) -> int:
    """Three local days of hourly 999 forecast (10 an hour), a plan expecting 90% answered in
    time, and two days of actual calls: 12 an hour on Monday, 8 an hour on Tuesday; on Monday
    every call answered in 5 s, on Tuesday one in four after 30 s."""
    hours = 72
    starts = [int((LOCAL_FIRST + timedelta(hours=h)).timestamp()) for h in range(hours)]
    with ctx.db.transaction() as session:
        run_id = repo.add_forecast_run(
            session=session,
            created_at=LOCAL_FIRST,
            created_by=None,
            interval_minutes=60,
            history=(LOCAL_FIRST - timedelta(days=365), LOCAL_FIRST),
            demand_factors={},
            events=[],
            summary={"999": {"model": "MSTL", "expected_total": 720.0, "scores": []}},
            seconds=1.0,
            intervals=[("999", starts, [10.0] * hours, [7.0] * hours, [13.0] * hours)],
        )
        repo.add_plan(
            session=session,
            forecast_run_id=run_id,
            created_at=LOCAL_FIRST,
            created_by=None,
            label="policy",
            targets={},
            summary={
                "999": {
                    "target": "90% answered within 10 s",
                    "mean_handlers": 3.0,
                    "peak_handlers": 3,
                    "service_level": 0.9,
                    "abandonment": 0.0,
                    "full_time_equivalent": 9.0,
                    "peak_week_full_time_equivalent": 9.0,
                    "disagreements": [],
                }
            },
            seconds=1.0,
            intervals=[("999", s, 3, 4.6, 5, 0.9, 0.0, None) for s in starts],
            tours=[],
        )
    rows = []
    for hour in range(48):
        per_hour = 12 if hour < 24 else 8
        for k in range(per_hour):
            presented = LOCAL_FIRST + timedelta(hours=hour, minutes=k * 4)
            wait = 30 if hour >= 24 and k % 4 == 0 else 5
            answered = presented + timedelta(seconds=wait)
            rows.append(
                ("999", presented, answered, answered + timedelta(minutes=3), False, "closed", "")
            )
    with ctx.db.transaction() as session:
        bulk.insert_rows(
            session=session,
            table_name="contacts",
            columns=(
                "channel",
                "presented_at",
                "answered_at",
                "ended_at",
                "abandoned",
                "status",
                "summary",
            ),
            rows=rows,
        )
    # Wednesday 10:00 in London: Monday and Tuesday are over, Wednesday is not.
    ctx.clock.set(LOCAL_FIRST + timedelta(days=2, hours=10))  # type: ignore[attr-defined]
    return run_id


def test_whole_days_so_far_are_compared_with_the_actual_contacts_and_answer_times(
    ctx: AppContext,
) -> None:
    run_id = _store(ctx)
    with ctx.db.transaction() as session:
        run = repo.forecast_run(session=session, run_id=run_id)
        assert run is not None
        series = repo.forecast_intervals(session=session, run_id=run_id)
        plan = repo.plan(session=session, plan_id=None)
        assert plan is not None
        staffed = repo.plan_intervals(session=session, plan_id=plan.id)
    [channel] = plan_against_actual(ctx, run=run, series=series, staffed=staffed)
    assert [d.day.isoformat() for d in channel.days] == ["2026-06-01", "2026-06-02"]
    assert [d.forecast for d in channel.days] == [240.0, 240.0]
    assert [d.actual for d in channel.days] == [288, 192]
    # |240 - 288| / 288 = 1/6 and |240 - 192| / 192 = 1/4: the mean is 5/24.
    assert channel.mape == pytest.approx(5 / 24)
    assert [d.planned_service_level for d in channel.days] == pytest.approx([0.9, 0.9])
    assert [d.actual_service_level for d in channel.days] == pytest.approx([1.0, 0.75])
    assert channel.target_seconds == 10


def test_the_planning_page_shows_plan_against_actual_with_the_mape(
    ctx: AppContext, client_as
) -> None:
    _store(ctx)
    page = client_as(Role.ANALYST).client.get("/planning")
    assert page.status_code == 200
    assert "Plan against actual" in page.text
    assert '<td class="mape">20.8%</td>' in page.text  # 5/24
    tuesday = r"<td>Tue 02 Jun</td><td>240</td><td>192</td>\s*<td>90.0%</td>\s*<td>75.0%</td>"
    assert re.search(tuesday, page.text)
    assert 'id="daily-999"' in page.text
