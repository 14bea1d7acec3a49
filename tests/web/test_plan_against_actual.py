"""The planning page compares the stored plan with what happened: forecast against actual
contacts by day, the daily MAPE, and the planned against the actual share answered in time."""

from __future__ import annotations

import re

import pytest

from plan_support import store_three_days_of_999
from watchhouse.db.repositories import planning as repo
from watchhouse.domain.roles import Role
from watchhouse.services.context import AppContext
from watchhouse.services.plan_actuals import plan_against_actual

pytestmark = pytest.mark.web


def test_whole_days_so_far_are_compared_with_the_actual_contacts_and_answer_times(
    ctx: AppContext,
) -> None:
    run_id = store_three_days_of_999(ctx)
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
    store_three_days_of_999(ctx)
    page = client_as(Role.ANALYST).client.get("/planning")
    assert page.status_code == 200
    assert "Plan against actual" in page.text
    assert '<td class="mape">20.8%</td>' in page.text  # 5/24
    tuesday = r"<td>Tue 02 Jun</td><td>240</td><td>192</td>\s*<td>90.0%</td>\s*<td>75.0%</td>"
    assert re.search(tuesday, page.text)
    assert 'id="daily-999"' in page.text
