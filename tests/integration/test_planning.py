"""Forecasts and staffing plans from the stored history, stored for the board (both databases)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from plan_support import insert_contacts
from watchhouse.db.repositories import planning as repo
from watchhouse.domain.errors import NotFound, ValidationFailed
from watchhouse.domain.roles import Actor, Role
from watchhouse.forecasting.demand import interval_starts
from watchhouse.services.context import AppContext
from watchhouse.services.planning import PlanRequest, TargetChange, make_forecast
from watchhouse.services.staffing_plans import make_plan

pytestmark = pytest.mark.integration

HISTORY_START = datetime(2025, 1, 6, tzinfo=UTC)  # a Monday
DAYS = 70
AHT = {"999": 240.0, "101": 300.0, "live_chat": 600.0, "online_report": 500.0}
# The two weeks forecast include the spring clock change: 670 half-hours, not 672.
SLOTS = interval_starts(
    (HISTORY_START + timedelta(days=DAYS)).date(), 14, interval_minutes=30, timezone="Europe/London"
).size
PER_DAY = {"999": 150, "101": 200, "live_chat": 40, "online_report": 30}
WAIT = 20.0  # every answered contact waited 20 s
ABANDONED_WAIT = 90.0  # abandoned callers hung up after 90 s


def _fast(ctx: AppContext) -> None:
    """A policy that keeps the test quick: two weeks at 30 minutes, few replications."""
    planning = ctx.policy.planning.model_copy(
        update={
            "interval_minutes": 30,
            "horizon_weeks": 2,
            "backtest_windows": 1,
            "simulation_days": 1,
            "simulation_replications": 3,
            "roster_time_limit_seconds": 1,
            "roster_weeks_per_pattern": 2,
        }
    )
    ctx.policy = ctx.policy.model_copy(update={"planning": planning})


def _store_history(ctx: AppContext) -> None:
    rng = np.random.default_rng(3)
    rows = []
    for channel, per_day in PER_DAY.items():
        for day in range(DAYS):
            count = int(per_day * (1.3 if day % 7 >= 5 else 1.0))
            seconds = np.sort(rng.uniform(0, 86400, count))
            for k, second in enumerate(seconds):
                presented = HISTORY_START + timedelta(days=day, seconds=float(second))
                gone = channel == "101" and k % 10 == 0  # one 101 caller in ten abandons
                answered = None if gone else presented + timedelta(seconds=WAIT)
                ended = (
                    presented + timedelta(seconds=ABANDONED_WAIT)
                    if gone
                    else presented + timedelta(seconds=WAIT + AHT[channel])
                )
                rows.append(
                    (
                        channel,
                        presented,
                        answered,
                        ended,
                        gone,
                        "abandoned" if gone else "closed",
                        "",
                    )
                )
    insert_contacts(ctx, rows)


@pytest.fixture
def planned(ctx: AppContext, actors: dict[Role, Actor]) -> AppContext:
    """A store with ten weeks of contacts and a fast planning policy."""
    _fast(ctx)
    _store_history(ctx)
    ctx.clock.set(HISTORY_START + timedelta(days=DAYS + 1))  # type: ignore[attr-defined]
    return ctx


def test_forecast_run_is_stored_with_a_row_per_channel_and_interval(
    planned: AppContext, actors: dict[Role, Actor]
) -> None:
    report = make_forecast(planned, actor=actors[Role.ANALYST])
    with planned.db.transaction() as session:
        series = repo.forecast_intervals(session=session, run_id=report.run_id)
        run = repo.forecast_run(session=session, run_id=None)
    assert run is not None and run.id == report.run_id
    assert sorted(series) == sorted(PER_DAY)
    for channel, (starts, expected, lower, upper) in series.items():
        assert len(starts) == SLOTS == 670
        assert starts[0] == HISTORY_START + timedelta(days=DAYS)
        assert all(lo <= e <= hi for e, lo, hi in zip(expected, lower, upper, strict=True))
        # The forecast's two weeks hold about two weeks of this channel's demand.
        assert sum(expected) == pytest.approx(PER_DAY[channel] * (10 + 4 * 1.3), rel=0.15)
    # the mean of the two single models that scored best in the backtest
    members = str(report.channels["999"]["model"]).split("+")
    assert len(members) == 2
    assert set(members) <= {"MSTL", "AutoETS", "AutoARIMA", "Theta", "SeasonalNaive"}


def test_staffing_plan_meets_the_targets_and_the_roster_covers_it(
    planned: AppContext, actors: dict[Role, Actor]
) -> None:
    make_forecast(planned, actor=actors[Role.ANALYST])
    report = make_plan(planned, actor=actors[Role.ANALYST], request=PlanRequest())
    with planned.db.transaction() as session:
        rows = repo.plan_intervals(session=session, plan_id=report.plan_id)
        tours = repo.plan_tours(session=session, plan_id=report.plan_id)
        stored = repo.plan(session=session, plan_id=None)
    assert stored is not None and stored.id == report.plan_id
    assert sorted(rows) == sorted(PER_DAY)
    for channel_rows in rows.values():
        assert len(channel_rows) == SLOTS
        for _, handlers, staff, rostered, _, _, _ in channel_rows:
            assert rostered is not None and rostered >= np.ceil(staff - 1e-9) >= handlers
    for _, _, _, _, level, _, _ in rows["999"]:
        assert level is not None and level >= 0.9  # [emergency_answer]: 90% within 10 s
    assert {t.channel for t in tours} == set(PER_DAY)
    plan_999 = report.channels["999"]
    assert plan_999.full_time_equivalent > 0
    assert "90% answered within 10 s" in plan_999.target
    assert report.channels["101"].abandonment <= 0.10


def test_handling_time_and_patience_are_estimated_from_the_history(
    planned: AppContext, actors: dict[Role, Actor]
) -> None:
    make_forecast(planned, actor=actors[Role.ANALYST])
    report = make_plan(
        planned, actor=actors[Role.ANALYST], request=PlanRequest(simulate=False, roster=False)
    )
    assert report.channels["999"].aht_seconds == pytest.approx(AHT["999"])
    # Patience: (answered waits + abandoned waits) / abandoned = (9 x 20 + 90) / 1 per ten calls.
    assert report.channels["101"].patience_seconds == pytest.approx(9 * WAIT + ABANDONED_WAIT)


def test_what_if_more_999_demand_and_a_stricter_101_need_more_staff(
    planned: AppContext, actors: dict[Role, Actor]
) -> None:
    make_forecast(planned, actor=actors[Role.ANALYST])
    quick = {"simulate": False, "channels": ["999", "101"]}
    policy = make_plan(planned, actor=None, request=PlanRequest(**quick))  # type: ignore[arg-type]
    what_if = make_plan(
        planned,
        actor=None,
        request=PlanRequest(
            label="999 +50%, 101 in 60 s",
            demand_factors={"999": 1.5},
            changes={"101": TargetChange(target_seconds=60, max_abandonment=0.02)},
            **quick,  # type: ignore[arg-type]
        ),
    )
    for channel in ("999", "101"):
        assert what_if.channels[channel].mean_handlers > policy.channels[channel].mean_handlers
    assert "within 60 s, under 2% abandoned" in what_if.channels["101"].target


def test_unknown_channel_in_a_what_if_is_refused_by_name(
    planned: AppContext, actors: dict[Role, Actor]
) -> None:
    make_forecast(planned, actor=actors[Role.ANALYST])
    with pytest.raises(ValidationFailed) as caught:
        make_plan(planned, actor=None, request=PlanRequest(demand_factors={"carrier_pigeon": 2}))
    assert "carrier_pigeon is not in forecast run" in caught.value.problems[0].reason


def test_no_history_or_no_forecast_is_refused_clearly(
    ctx: AppContext, actors: dict[Role, Actor]
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        make_forecast(ctx, actor=actors[Role.ANALYST])
    assert "no contacts stored" in caught.value.problems[0].reason
    with pytest.raises(NotFound, match="run `watchhouse forecast`"):
        make_plan(ctx, actor=None, request=PlanRequest())
